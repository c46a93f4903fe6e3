"""Assignments, progress and the reviews over the API: a member drafts and
submits their own; the chair or an official reopens; a conflict found late
recuses the review and passes the application on."""

from decimal import Decimal

import pytest

from core.models import AuditEntry
from reviews.models import Conflict, Review, Score
from tests import factories as f

from . import factories as rf


def comp_url(competition, tail):
    return f"/api/v1/competitions/{competition.pk}/{tail}"


def review_url(review, tail=""):
    return f"/api/v1/reviews/{review.pk}/{tail}"


@pytest.fixture
def criteria(reviewing):
    return list(reviewing.criteria.order_by("position", "pk"))  # Trafność 0-20, Budżet 0-35


@pytest.fixture
def review(in_review, ngo_member):
    return rf.ReviewFactory(application=in_review[0], member=ngo_member)


class TestAssignments:
    def test_the_list_shows_who_reviews_what_without_scores(
        self, api, official, reviewing, in_review, ngo_member, second_member
    ):
        rf.scored(in_review[0], ngo_member, 18, 30)
        rf.ReviewFactory(application=in_review[1], member=second_member)

        body = api(official).get(comp_url(reviewing, "assignments/")).json()

        assert body["count"] == 2
        assert [(a["number"], a["member_name"], a["status"]) for a in body["results"]] == [
            (in_review[0].number, "Nina Organizacja", "submitted"),
            (in_review[1].number, "Szymon Społecznik", "assigned"),
        ]
        assert set(body["results"][0]) == {
            "id",
            "application",
            "number",
            "title",
            "member",
            "member_name",
            "status",
            "status_display",
            "submitted_at",
            "available_transitions",
        }
        assert body["results"][0]["available_transitions"] == ["reopen"]
        assert body["results"][1]["available_transitions"] == ["recuse"]
        filtered = api(official).get(comp_url(reviewing, "assignments/?status=assigned")).json()
        assert [a["member_name"] for a in filtered["results"]] == ["Szymon Społecznik"]

    def test_members_who_do_not_chair_do_not_follow_the_work(
        self, api, reviewing, in_review, ngo_member, chair
    ):
        assert api(chair.user).get(comp_url(reviewing, "assignments/")).status_code == 200
        for tail in ("assignments/", "progress/", "assignments/preview/"):
            assert api(ngo_member.user).get(comp_url(reviewing, tail)).status_code == 404

    def test_preview_saves_nothing(self, api, official, reviewing, in_review, commission):
        body = api(official).get(comp_url(reviewing, "assignments/preview/")).json()

        assert {p["application"] for p in body["plan"]} == {a.pk for a in in_review}
        assert all(len(p["members"]) == 2 for p in body["plan"])
        assert sum(load["after"] for load in body["loads"]) == 4
        assert not Review.objects.exists()

    def test_preview_says_why_no_plan_is_possible(
        self, api, official, reviewing, in_review, chair, ngo_member
    ):
        rf.ConflictFactory(member=ngo_member, application=in_review[0])

        response = api(official).get(comp_url(reviewing, "assignments/preview/"))

        assert response.status_code == 400
        assert in_review[0].number in " ".join(response.json()["plan"])

    def test_apply_a_plan_by_hand(self, api, official, reviewing, in_review, ngo_member, chair):
        plan = {str(in_review[0].pk): [ngo_member.pk, chair.pk]}

        response = api(official).post(
            comp_url(reviewing, "assignments/apply/"), {"plan": plan}, format="json"
        )

        assert response.status_code == 201, response.content
        assert {(a["application"], a["member"]) for a in response.json()} == {
            (in_review[0].pk, ngo_member.pk),
            (in_review[0].pk, chair.pk),
        }

    @pytest.mark.parametrize(
        "body",
        [
            {"plan": {"APP": ["CONFLICTED"]}},
            {"plan": {"APP": ["EXPERT"]}},
            {"plan": {"APP": ["UNSIGNED"]}},
            {"plan": {"APP": ["NGO", "NGO"]}},
            {"plan": {"APP": [999999]}},
            {"plan": {"abc": ["NGO"]}},
            {"plan": {"APP": ["x"]}},
            {"plan": ["APP"]},
            {"auto": True, "plan": {}},
            {},
        ],
    )
    def test_a_bad_plan_is_400_and_assigns_nobody(
        self, api, official, reviewing, in_review, commission, unsigned_member, body
    ):
        _chair, ngo_member, second_member, expert = commission
        rf.ConflictFactory(member=second_member, application=in_review[0])
        names = {
            "APP": in_review[0].pk,
            "CONFLICTED": second_member.pk,
            "EXPERT": expert.pk,
            "UNSIGNED": unsigned_member.pk,
            "NGO": ngo_member.pk,
        }

        def swap(value):
            if isinstance(value, dict):
                return {str(names.get(k, k)): swap(v) for k, v in value.items()}
            if isinstance(value, list):
                return [swap(v) for v in value]
            return names.get(value, value)

        response = api(official).post(
            comp_url(reviewing, "assignments/apply/"), swap(body), format="json"
        )

        assert response.status_code == 400, response.content
        assert not Review.objects.exists()

    def test_automatic_assignment_and_who_may_run_it(
        self, api, official, reviewing, in_review, commission
    ):
        _chair, ngo_member, *_ = commission
        refused = api(ngo_member.user).post(
            comp_url(reviewing, "assignments/apply/"), {"auto": True}, format="json"
        )
        assert refused.status_code == 403
        assert not Review.objects.exists()

        response = api(official).post(
            comp_url(reviewing, "assignments/apply/"), {"auto": True}, format="json"
        )

        assert response.status_code == 201
        assert len(response.json()) == 4
        assert Review.objects.count() == 4

    def test_progress_counts_statuses(
        self, api, official, reviewing, in_review, ngo_member, second_member
    ):
        rf.scored(in_review[0], ngo_member, 18, 30)
        rf.scored(in_review[0], second_member, 12, 20, submitted=False)
        rf.ReviewFactory(application=in_review[1], member=second_member)

        body = api(official).get(comp_url(reviewing, "progress/")).json()

        assert body["total"] == 3
        assert body["by_status"] == {
            "assigned": 1,
            "in_progress": 1,
            "submitted": 1,
            "recused": 0,
        }
        assert [(m["name"], m["submitted"], m["in_progress"]) for m in body["members"]] == [
            ("Nina Organizacja", 1, 0),
            ("Szymon Społecznik", 0, 1),
        ]
        assert "points" not in str(body) and 'total": "' not in str(body)


class TestMyReviews:
    def test_a_member_lists_and_reads_their_own(
        self, api, review, in_review, second_member, ngo_member, criteria
    ):
        rf.ReviewFactory(application=in_review[1], member=second_member)
        rf.ScoreFactory(review=review, criterion=criteria[0], points=Decimal("12.5"))
        client = api(ngo_member.user)

        listed = client.get("/api/v1/reviews/").json()
        assert [r["id"] for r in listed["results"]] == [review.pk]
        assert listed["results"][0]["total"] == "12.50"
        assert (listed["results"][0]["scored"], listed["results"][0]["criteria_count"]) == (1, 2)

        body = client.get(review_url(review)).json()
        assert body["application"]["number"] == in_review[0].number
        assert body["max_total"] == "55.00"
        assert [(c["name"], c["max_points"]) for c in body["criteria"]] == [
            ("Trafność", "20.00"),
            ("Budżet", "35.00"),
        ]
        assert body["criteria"][0]["score"]["points"] == "12.50"
        assert body["criteria"][1]["score"] is None
        assert "guidance" in body["criteria"][0]
        assert body["available_transitions"] == ["recuse"]

    def test_the_submission_is_the_version_submitted(self, api, official, owner, application):
        from applications.services import application_submit

        submitted = application_submit(application=application, actor=owner)
        competition = rf.set_status(submitted.competition, "in_review")
        rf.set_status(submitted, "in_review")
        member = rf.signed_member(competition)
        review = rf.ReviewFactory(application=submitted, member=member)

        body = api(member.user).get(review_url(review)).json()

        assert body["submission"]["version"] == 1
        assert body["submission"]["data"]["title"] == "Ogród sąsiedzki na Zabłociu"

    def test_a_draft_then_a_submission(self, api, review, ngo_member, criteria):
        client = api(ngo_member.user)

        response = client.patch(
            review_url(review),
            {
                "scores": [{"criterion": criteria[0].pk, "points": "17.5", "comment": "Trafny"}],
                "comment": "Wstępnie",
            },
            format="json",
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "in_progress"
        assert body["comment"] == "Wstępnie"
        assert body["criteria"][0]["score"]["points"] == "17.50"
        assert set(body["available_transitions"]) == {"submit", "recuse"}

        missing = client.post(review_url(review, "transitions/submit/"), {}, format="json")
        assert missing.status_code == 400
        assert "Budżet" in missing.json()["scores"][0]

        response = client.post(
            review_url(review, "transitions/submit/"),
            {"scores": [{"criterion": criteria[1].pk, "points": 30}]},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
        assert response.json()["total"] == "47.50"
        assert response.json()["available_transitions"] == []

    @pytest.mark.parametrize(
        ("score", "key"),
        [
            ({"criterion": "FIRST", "points": "20.01"}, "scores.FIRST"),
            ({"criterion": "FIRST", "points": "-1"}, "scores"),
            ({"criterion": "FIRST", "points": "10.005"}, "scores"),
            ({"criterion": "FIRST", "points": "abc"}, "scores"),
            ({"criterion": "FIRST", "points": True}, "scores"),
            ({"criterion": "FIRST"}, "scores"),
            ({"criterion": 999999, "points": 1}, "scores"),
            ({"criterion": "abc", "points": 1}, "scores"),
            ({"criterion": "FIRST", "points": 1, "comment": "x" * 5001}, "scores"),
        ],
    )
    def test_bad_scores_are_400_and_nothing_is_saved(
        self, api, review, ngo_member, criteria, score, key
    ):
        first = criteria[0].pk
        score = {k: first if v == "FIRST" else v for k, v in score.items()}
        # A valid score alongside: all or nothing.
        body = {"scores": [{"criterion": criteria[1].pk, "points": 5}, score]}

        response = api(ngo_member.user).patch(review_url(review), body, format="json")

        assert response.status_code == 400, response.content
        assert key.replace("FIRST", str(first)) in response.json()
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED
        assert not Score.objects.exists()
        assert not AuditEntry.objects.exists()

    def test_a_submitted_review_is_locked(self, api, in_review, ngo_member, criteria):
        review = rf.scored(in_review[0], ngo_member, 18, 30)
        client = api(ngo_member.user)
        entries = AuditEntry.objects.count()

        again = client.post(review_url(review, "transitions/submit/"), {}, format="json")
        change = client.patch(
            review_url(review),
            {"scores": [{"criterion": criteria[0].pk, "points": 1}]},
            format="json",
        )

        assert (again.status_code, change.status_code) == (409, 409)
        assert [s.points for s in review.scores.all()] == [Decimal("18"), Decimal("30")]
        review.refresh_from_db()
        assert review.status == Review.Status.SUBMITTED
        assert AuditEntry.objects.count() == entries


class TestReopenAndRecuse:
    def test_the_chair_reopens_with_a_comment_and_sees_no_scores(
        self, api, in_review, ngo_member, chair
    ):
        review = rf.scored(in_review[0], ngo_member, 18, 30)
        assert (
            api(ngo_member.user).post(review_url(review, "transitions/reopen/"), {"comment": "x"})
        ).status_code == 403

        no_comment = api(chair.user).post(review_url(review, "transitions/reopen/"), {})
        assert no_comment.status_code == 400
        assert "comment" in no_comment.json()

        response = api(chair.user).post(
            review_url(review, "transitions/reopen/"), {"comment": "Popraw budżet"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "in_progress"
        assert body["member"]["full_name"] == "Nina Organizacja"
        assert "criteria" not in body and "total" not in body and "comment" not in body
        review.refresh_from_db()
        assert review.status == Review.Status.IN_PROGRESS

    def test_a_member_recuses_and_the_application_moves_on(
        self, api, review, in_review, ngo_member, second_member
    ):
        client = api(ngo_member.user)

        response = client.post(
            review_url(review, "transitions/recuse/"),
            {"reason": "Okazało się, że to mój kuzyn.", "ground": "relative"},
            format="json",
        )

        assert response.status_code == 200, response.content
        assert response.json()["status"] == "recused"
        assert "criteria" not in response.json()
        conflict = Conflict.objects.get()
        assert (conflict.member, conflict.ground, conflict.source) == (
            ngo_member,
            "relative",
            "later",
        )
        replacement = Review.objects.exclude(pk=review.pk).get(application=in_review[0])
        assert replacement.member == second_member
        assert client.get(review_url(review)).status_code == 404
        assert client.get("/api/v1/reviews/").json()["count"] == 0

    def test_a_recusal_needs_a_reason(self, api, review, ngo_member):
        response = api(ngo_member.user).post(
            review_url(review, "transitions/recuse/"), {"ground": "kuzyn"}, format="json"
        )

        assert response.status_code == 400
        assert {"reason", "ground"} <= set(response.json())
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED

    def test_an_official_recuses_a_member(self, api, official, review):
        response = api(official).post(
            review_url(review, "transitions/recuse/"), {"reason": "Zgłoszenie wnioskodawcy"}
        )

        assert response.status_code == 200
        assert response.json()["status"] == "recused"

    def test_an_unknown_transition_is_404(self, api, review, ngo_member):
        assert (
            api(ngo_member.user).post(review_url(review, "transitions/start/")).status_code == 404
        )


def test_another_member_of_the_applying_group_cannot_score_it(
    api, review, ngo_member, group, criteria
):
    f.MembershipFactory(group=group, user=ngo_member.user, role="editor")

    response = api(ngo_member.user).patch(
        review_url(review), {"scores": [{"criterion": criteria[0].pk, "points": 1}]}, format="json"
    )

    assert response.status_code == 404
    assert not Score.objects.exists()
