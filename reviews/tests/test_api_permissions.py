"""Who sees what of the review over the API.

- A member conflicted with an application gets 404 for it and its review.
- A member who has not signed the declaration sees no application at all.
- Before scoring closes, nobody reads another member's scores.
- An applicant never learns who reviewed them: no name, e-mail or member id
  in anything they can fetch, the history included.
- Another operator's officials and outsiders get 404 everywhere.
- A transition in the wrong state is 409 and changes nothing.
"""

import json

import pytest
from django.utils import timezone

from applications.formal import formal_accept, formal_check_save
from applications.models import Application
from applications.services import application_submit
from competitions.models import Competition
from core.models import AuditEntry
from reviews.models import Review, Score
from reviews.services import (
    competition_decide,
    competition_start_review,
    decision_record,
    recommendation_record,
    scoring_close,
)
from tests import factories as f

from . import factories as rf


def comp_url(competition, tail=""):
    return f"/api/v1/competitions/{competition.pk}/{tail}"


def review_url(review, tail=""):
    return f"/api/v1/reviews/{review.pk}/{tail}"


def competition_reads(competition):
    return [
        comp_url(competition, tail)
        for tail in (
            "commission/",
            "declaration/",
            "assignments/",
            "assignments/preview/",
            "progress/",
            "scoring/",
            "ranking/",
            "panel/",
            "funding-line/",
            "decisions/",
        )
    ]


def competition_writes(competition, application):
    return [
        (comp_url(competition, "commission/"), {"email": "x@example.org", "affiliation": "expert"}),
        (comp_url(competition, "declaration/"), {}),
        (comp_url(competition, "assignments/apply/"), {"auto": True}),
        (comp_url(competition, "scoring/transitions/close/"), {}),
        (comp_url(competition, "recommendations/"), {"application": application.pk, "amount": 0}),
        (comp_url(competition, "recommendations/from-proposal/"), {}),
        (
            comp_url(competition, "decisions/"),
            {"application": application.pk, "outcome": "reserve"},
        ),
        (comp_url(competition, "decisions/from-proposal/"), {}),
    ]


class TestConflicts:
    def test_a_conflicted_member_gets_404_for_the_review(
        self, api, in_review, ngo_member, second_member
    ):
        review = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        other = rf.ReviewFactory(application=in_review[1], member=ngo_member)
        rf.ConflictFactory(member=ngo_member, application=in_review[0])
        client = api(ngo_member.user)

        assert client.get(review_url(review)).status_code == 404
        assert client.patch(review_url(review), {"comment": "x"}, format="json").status_code == 404
        for name in ("submit", "recuse", "reopen"):
            response = client.post(review_url(review, f"transitions/{name}/"), {"reason": "x"})
            assert response.status_code == 404
        assert [r["id"] for r in client.get("/api/v1/reviews/").json()["results"]] == [other.pk]
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED

    def test_a_conflicted_chair_cannot_reach_its_reviews(
        self, api, in_review, ngo_member, second_member
    ):
        # A chair who is not an official: an NGO representative.
        chair = rf.signed_member(in_review[0].competition, is_chair=True)
        rf.ConflictFactory(member=chair, application=in_review[0])
        conflicted = rf.scored(in_review[0], ngo_member, 10, 10)
        other = rf.scored(in_review[1], second_member, 10, 10)
        client = api(chair.user)

        response = client.post(review_url(conflicted, "transitions/reopen/"), {"comment": "x"})
        assert response.status_code == 404
        response = client.post(review_url(other, "transitions/reopen/"), {"comment": "Popraw"})
        assert response.status_code == 200
        conflicted.refresh_from_db()
        assert conflicted.status == Review.Status.SUBMITTED

    def test_the_panel_hides_it_from_the_conflicted(
        self, api, reviewing, in_review, ngo_member, second_member
    ):
        rf.scored(in_review[0], second_member, 10, 10)
        rf.scored(in_review[1], second_member, 10, 10)
        rf.ConflictFactory(member=ngo_member, application=in_review[0])
        rf.close_scoring(reviewing)

        panel = api(ngo_member.user).get(comp_url(reviewing, "panel/")).json()

        assert [p["result"]["application"] for p in panel] == [in_review[1].pk]


class TestUnsigned:
    def test_an_unsigned_member_sees_no_application(
        self, api, reviewing, in_review, unsigned_member, ngo_member
    ):
        review = rf.ReviewFactory(application=in_review[0], member=unsigned_member)
        rf.scored(in_review[1], ngo_member, 10, 10)
        client = api(unsigned_member.user)

        assert client.get("/api/v1/reviews/").json()["count"] == 0
        assert client.get(review_url(review)).status_code == 404
        assert client.post(review_url(review, "transitions/submit/"), {}).status_code == 404
        rf.close_scoring(reviewing)
        for tail in ("ranking/", "panel/", "funding-line/", "decisions/", "progress/"):
            assert client.get(comp_url(reviewing, tail)).status_code == 404, tail
        # The declaration lists numbers and applicants only; that is all.
        body = client.get(comp_url(reviewing, "declaration/")).json()
        assert "Ogród" not in json.dumps(body)


class TestScoresStayPrivate:
    def test_no_member_reads_another_ones_scores_before_closing(
        self, api, reviewing, in_review, ngo_member, second_member, chair, official
    ):
        mine = rf.scored(in_review[0], ngo_member, 17, 31)
        theirs = rf.scored(in_review[0], second_member, 9, 13)
        client = api(ngo_member.user)

        assert client.get(review_url(theirs)).status_code == 404
        listed = client.get("/api/v1/reviews/").json()["results"]
        assert [r["id"] for r in listed] == [mine.pk]
        for tail in ("ranking/", "panel/"):
            assert client.get(comp_url(reviewing, tail)).status_code == 409
        for tail in ("progress/", "assignments/"):
            assert client.get(comp_url(reviewing, tail)).status_code == 404
        # The chair and officials follow statuses, never points.
        for user in (chair.user, official):
            for tail in ("progress/", "assignments/"):
                text = json.dumps(api(user).get(comp_url(reviewing, tail)).json())
                assert "points" not in text and "22.00" not in text and "48.00" not in text
            # The chair's own list is their own reviews: none.
            assert api(user).get("/api/v1/reviews/").json()["count"] == 0
            assert api(user).get(review_url(theirs)).status_code == 404


@pytest.fixture
def decided(competition, official, owner, group, application):
    """A decided competition the applicant `owner` took part in: submitted,
    formally accepted, reviewed by a commission chaired by an NGO
    representative who recorded the recommendation, decided by `official`."""
    submitted = application_submit(application=application, actor=owner)
    formal_check_save(
        application=submitted,
        actor=official,
        results=[{"item": i.pk, "passed": True} for i in competition.checklist_items.all()],
    )
    formal_accept(application=submitted, actor=official)
    rf.set_status(competition, Competition.Status.CLOSED)
    chair = rf.signed_member(
        competition,
        user__full_name="Celina Przewodnicząca",
        user__email="celina@example.org",
        is_chair=True,
    )
    member = rf.signed_member(
        competition, user__full_name="Norbert Recenzent", user__email="norbert@example.org"
    )
    competition_start_review(competition=competition, actor=official)
    for reviewer, points in ((chair, (15, 25)), (member, (18, 30))):
        rf.scored(Application.objects.get(pk=submitted.pk), reviewer, *points)
    scoring_close(competition=competition, actor=official)
    application = Application.objects.select_related("competition").get(pk=submitted.pk)
    recommendation_record(
        application=application, actor=chair.user, amount="4000.00", comment="Polecamy"
    )
    decision_record(application=application, actor=official, outcome="awarded", amount="4000")
    competition_decide(competition=competition, actor=official)
    return application, [chair, member]


def keys_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def test_an_applicant_never_learns_who_reviewed_them(api, owner, decided, competition):
    application, members = decided
    base = f"/api/v1/applications/{application.pk}/"
    urls = [
        "/api/v1/applications/",
        base,
        f"{base}history/",
        f"{base}snapshots/",
        f"{base}snapshots/1/",
        f"{base}formal-check/",
        f"{base}reviews/",
        f"{base}problems/",
        f"{base}answers/",
        "/api/v1/competitions/",
        comp_url(competition),
        "/api/v1/reviews/",
        "/api/v1/grants/",
        *competition_reads(competition),
    ]
    client = api(owner)
    forbidden = [m.user.full_name for m in members] + [m.user.email for m in members]

    seen = 0
    for url in urls:
        response = client.get(url)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, (url, response.status_code)
        seen += 1
        body = response.json()
        text = json.dumps(body, ensure_ascii=False)
        for secret in forbidden:
            assert secret not in text, (url, secret)
        assert not {"member", "member_name", "members", "recorded_by", "reviewer"} & set(
            keys_of(body)
        ), url
    assert seen >= 12
    reviews = client.get(f"{base}reviews/").json()
    assert len(reviews) == 2 and {r["total"] for r in reviews} == {"40.00", "48.00"}
    history = [e["transition"] for e in client.get(f"{base}history/").json()["results"]]
    assert "recommendation_record" not in history and "award" in history
    for url in competition_reads(competition):
        assert client.get(url).status_code == 404, url


class TestOutsiders:
    def test_another_operators_official_gets_404_everywhere(
        self, api, other_official, reviewing, in_review, ngo_member
    ):
        review = rf.scored(in_review[0], ngo_member, 10, 10)
        rf.close_scoring(reviewing)
        client = api(other_official)

        for url in competition_reads(reviewing):
            assert client.get(url).status_code == 404, url
        for url, body in competition_writes(reviewing, in_review[0]):
            assert client.post(url, body, format="json").status_code == 404, url
        assert client.get(review_url(review)).status_code == 404
        for name in ("reopen", "recuse"):
            response = client.post(review_url(review, f"transitions/{name}/"), {"comment": "x"})
            assert response.status_code == 404
        assert client.get("/api/v1/reviews/").json()["count"] == 0
        for name in ("start_review", "decide"):
            response = client.post(comp_url(reviewing, f"transitions/{name}/"), {})
            assert response.status_code == 403
        reviewing.refresh_from_db()
        assert reviewing.status == Competition.Status.IN_REVIEW
        assert review.status == Review.Status.SUBMITTED

    def test_an_applicant_and_an_outsider_too(self, api, owner, outsider, reviewing, in_review):
        for user in (owner, outsider):
            for url in competition_reads(reviewing):
                assert api(user).get(url).status_code == 404, url

    def test_anonymous_is_401(self, api, reviewing, in_review):
        client = api(None)
        for url in [*competition_reads(reviewing), "/api/v1/reviews/"]:
            response = client.get(url)
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"] == "Token"


class TestIllegalTransitions:
    def test_wrong_states_are_409_and_change_nothing(
        self, api, official, chair, reviewing, in_review, ngo_member
    ):
        assigned = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        submitted = rf.scored(in_review[1], ngo_member, 10, 10)
        before = AuditEntry.objects.count()
        desk, member = api(official), api(ngo_member.user)

        attempts = [
            (desk, review_url(assigned, "transitions/reopen/"), {"comment": "Po co?"}),
            (member, review_url(submitted, "transitions/recuse/"), {"reason": "Za późno"}),
            (member, review_url(submitted, "transitions/submit/"), {}),
            (desk, comp_url(reviewing, "transitions/start_review/"), {}),
            (desk, comp_url(reviewing, "transitions/publish/"), {}),
            (desk, comp_url(reviewing, "transitions/decide/"), {}),
            (desk, comp_url(reviewing, "scoring/transitions/reopen/"), {"comment": "x"}),
            (
                desk,
                comp_url(reviewing, "recommendations/"),
                {"application": in_review[0].pk, "amount": 0},
            ),
        ]
        for client, url, body in attempts:
            response = client.post(url, body, format="json")
            assert response.status_code == 409, (url, response.status_code, response.content)
            assert "non_field_errors" in response.json()

        assert AuditEntry.objects.count() == before
        assigned.refresh_from_db()
        submitted.refresh_from_db()
        reviewing.refresh_from_db()
        assert (assigned.status, submitted.status, reviewing.status) == (
            Review.Status.ASSIGNED,
            Review.Status.SUBMITTED,
            Competition.Status.IN_REVIEW,
        )
        assert Score.objects.count() == 2

    def test_scoring_after_closing_is_409(self, api, reviewing, in_review, ngo_member):
        review = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        rf.close_scoring(reviewing)
        criterion = reviewing.criteria.first()

        response = api(ngo_member.user).patch(
            review_url(review),
            {"scores": [{"criterion": criterion.pk, "points": 5}]},
            format="json",
        )

        assert response.status_code == 409
        assert not Score.objects.exists()
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED
        assert review.updated_at <= timezone.now()


def test_a_commission_member_of_another_competition_sees_nothing_here(
    api, reviewing, in_review, ngo_member
):
    elsewhere = rf.signed_member(f.CompetitionFactory(status="in_review"))
    client = api(elsewhere.user)
    for url in competition_reads(reviewing):
        assert client.get(url).status_code == 404, url
