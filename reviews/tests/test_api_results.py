"""Starting the review, closing the scoring, the ranking, the funding line,
recommendations, decisions and the competition's decision, over the API."""

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application
from competitions.models import Competition
from core.models import AuditEntry
from payouts.models import Grant
from reviews.models import Decision, Recommendation, ReviewSettings
from tests import factories as f

from . import factories as rf

D = Decimal


def comp_url(competition, tail=""):
    return f"/api/v1/competitions/{competition.pk}/{tail}"


def set_budget(competition, budget):
    Competition.objects.filter(pk=competition.pk).update(budget_total=D(budget))


@pytest.fixture
def ranked(reviewing, chair, ngo_member, second_member, group):
    """Three applications of 4,000 PLN: A (mean 50), B (40), C (20, below the
    threshold of 33); scoring closed."""
    a = rf.in_review_application(reviewing, group=group)
    b, c = (rf.in_review_application(reviewing) for _ in range(2))
    rf.scored(a, ngo_member, 20, 30)
    rf.scored(b, ngo_member, 15, 25)
    rf.scored(c, second_member, 10, 10)
    rf.close_scoring(reviewing)
    return a, b, c


class TestStartReview:
    def test_open_formal_checks_block_it(self, api, official, competition, group):
        rf.set_status(competition, Competition.Status.CLOSED)
        pending = rf.in_review_application(competition, status=Application.Status.SUBMITTED)

        response = api(official).post(comp_url(competition, "transitions/start_review/"), {})

        assert response.status_code == 400
        assert pending.number in response.json()["applications"][0]
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CLOSED

    def test_without_an_ngo_representative_the_reason_is_recorded(self, api, official, competition):
        rf.set_status(competition, Competition.Status.CLOSED)
        accepted = rf.in_review_application(
            competition, status=Application.Status.FORMALLY_ACCEPTED
        )
        for _ in range(2):
            rf.CommissionMemberFactory(competition=competition, affiliation="expert")
        rf.CommissionMemberFactory(competition=competition, affiliation="official", user=official)
        rf.CommissionMemberFactory(
            competition=competition,
            affiliation="official",
            user=f.StaffMembershipFactory(operator=competition.operator).user,
        )
        client = api(official)

        refused = client.post(comp_url(competition, "transitions/start_review/"), {})
        assert refused.status_code == 400
        assert "no_ngo_reason" in refused.json()

        response = client.post(
            comp_url(competition, "transitions/start_review/"),
            {"no_ngo_reason": "Nikt się nie zgłosił."},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "in_review"
        accepted.refresh_from_db()
        assert accepted.status == Application.Status.IN_REVIEW
        assert ReviewSettings.objects.get().no_ngo_reason == "Nikt się nie zgłosił."
        scoring = client.get(comp_url(competition, "scoring/")).json()
        assert scoring["no_ngo_reason"] == "Nikt się nie zgłosił."

    def test_only_from_closed_and_only_by_officials(
        self, api, official, competition, ngo_member_of_competition
    ):
        assert (
            "start_review"
            not in api(official).get(comp_url(competition)).json()["available_transitions"]
        )
        response = api(official).post(comp_url(competition, "transitions/start_review/"), {})
        assert response.status_code == 409
        rf.set_status(competition, Competition.Status.CLOSED)
        assert (
            "start_review"
            in api(official).get(comp_url(competition)).json()["available_transitions"]
        )
        response = api(ngo_member_of_competition.user).post(
            comp_url(competition, "transitions/start_review/"), {}
        )
        assert response.status_code == 403
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CLOSED

    @pytest.fixture
    def ngo_member_of_competition(self, competition):
        return rf.signed_member(competition)


class TestScoring:
    def test_open_then_closed_then_open_again(
        self, api, official, reviewing, in_review, ngo_member, second_member
    ):
        open_review = rf.scored(in_review[0], ngo_member, 18, 30, submitted=False)
        rf.scored(in_review[1], second_member, 10, 20)
        client = api(official)
        body = client.get(comp_url(reviewing, "scoring/")).json()
        assert (body["status"], body["available_transitions"]) == ("open", ["close"])
        assert body["disagreement_pct"] == "30.00"

        refused = client.post(comp_url(reviewing, "scoring/transitions/close/"), {})
        assert refused.status_code == 400
        assert in_review[0].number in refused.json()["reviews"][0]

        rf.set_status(open_review, "submitted", submitted_at=timezone.now())
        closed = client.post(comp_url(reviewing, "scoring/transitions/close/"), {})
        assert closed.status_code == 200
        assert (closed.json()["status"], closed.json()["available_transitions"]) == (
            "closed",
            ["reopen"],
        )
        assert client.post(comp_url(reviewing, "scoring/transitions/close/"), {}).status_code == 409

        no_reason = client.post(comp_url(reviewing, "scoring/transitions/reopen/"), {})
        assert no_reason.status_code == 400 and "comment" in no_reason.json()
        reopened = client.post(
            comp_url(reviewing, "scoring/transitions/reopen/"), {"comment": "Korekta"}
        )
        assert reopened.json()["status"] == "open"
        assert client.post(comp_url(reviewing, "scoring/transitions/open/"), {}).status_code == 404

    def test_members_read_it_and_may_not_change_it(self, api, reviewing, ngo_member):
        client = api(ngo_member.user)
        body = client.get(comp_url(reviewing, "scoring/")).json()
        assert (body["status"], body["available_transitions"]) == ("open", [])

        assert client.post(comp_url(reviewing, "scoring/transitions/close/"), {}).status_code == 403
        assert (
            client.patch(comp_url(reviewing, "scoring/"), {"disagreement_pct": "10"}).status_code
            == 403
        )
        assert not ReviewSettings.objects.filter(scoring_closed_at__isnull=False).exists()

    def test_the_disagreement_line(self, api, official, reviewing):
        client = api(official)
        assert (
            client.patch(comp_url(reviewing, "scoring/"), {"disagreement_pct": "101"}).status_code
            == 400
        )
        body = client.patch(comp_url(reviewing, "scoring/"), {"disagreement_pct": "25.5"}).json()
        assert body["disagreement_pct"] == "25.50"


class TestRanking:
    def test_not_before_scoring_closes(self, api, official, reviewing, in_review, ngo_member):
        rf.scored(in_review[0], ngo_member, 18, 30)
        for tail in ("ranking/", "panel/", "funding-line/", "decisions/"):
            assert api(official).get(comp_url(reviewing, tail)).status_code == 409

    def test_the_ranking_with_its_statistics(
        self, api, official, reviewing, in_review, ngo_member, second_member
    ):
        a, b = in_review
        rf.scored(a, ngo_member, 20, 30)
        rf.scored(a, second_member, 10, 10)
        rf.scored(b, ngo_member, 18, 27)
        rf.close_scoring(reviewing)

        body = api(ngo_member.user).get(comp_url(reviewing, "ranking/")).json()

        assert (body["max_total"], body["threshold"], body["threshold_pct"]) == (
            "55.00",
            "33.00",
            "60.00",
        )
        first, second = body["rows"]
        assert (first["number"], first["rank"], first["mean"], first["passes_threshold"]) == (
            b.number,
            1,
            "45.00",
            True,
        )
        assert (second["mean"], second["reviews"], second["minimum"], second["maximum"]) == (
            "35.00",
            2,
            "20.00",
            "50.00",
        )
        assert (second["std_dev"], second["spread"], second["disagreement"]) == (
            "15.00",
            "30.00",
            True,
        )
        assert [(c["name"], c["mean"]) for c in second["criteria"]] == [
            ("Trafność", "15.00"),
            ("Budżet", "20.00"),
        ]
        assert second["normalised"] is not None
        assert first["tie_break"] is None and first["amount_requested"] == "4000.00"

    def test_equal_means_say_what_broke_the_tie(
        self, api, official, reviewing, in_review, ngo_member
    ):
        a, b = in_review
        rf.scored(a, ngo_member, 20, 30)
        rf.scored(b, ngo_member, 20, 30)
        rf.close_scoring(reviewing)

        rows = api(official).get(comp_url(reviewing, "ranking/")).json()["rows"]

        # Equal own shares: the earlier submission (A, two hours ago) wins.
        assert [(r["number"], r["tie_break"]) for r in rows] == [
            (a.number, "submission_time"),
            (b.number, "submission_time"),
        ]

    def test_the_panel_names_the_reviewers_to_the_commission(
        self, api, reviewing, ranked, ngo_member, second_member
    ):
        a, b, c = ranked
        rf.ConflictFactory(member=second_member, application=a)

        panel = api(second_member.user).get(comp_url(reviewing, "panel/")).json()

        assert [p["result"]["number"] for p in panel] == [b.number, c.number]
        assert panel[0]["reviews"][0]["member"] == "Nina Organizacja"
        assert panel[0]["reviews"][0]["total"] == "40.00"


class TestFundingAndRecommendations:
    def test_the_funding_line_with_the_budget_left(self, api, official, chair, reviewing, ranked):
        a, b, c = ranked
        set_budget(reviewing, "6000.00")

        body = api(chair.user).get(comp_url(reviewing, "funding-line/")).json()

        assert (body["budget"], body["allocated"], body["remaining"]) == (
            "6000.00",
            "6000.00",
            "0.00",
        )
        assert [(x["number"], x["outcome"], x["amount"]) for x in body["lines"]] == [
            (a.number, "funded", "4000.00"),
            (b.number, "partial", "2000.00"),
            (c.number, "rejected", None),
        ]

    def test_only_the_chair_and_officials_see_it(self, api, reviewing, ranked, ngo_member):
        assert api(ngo_member.user).get(comp_url(reviewing, "funding-line/")).status_code == 404

    def test_the_chair_records_a_recommendation(self, api, chair, reviewing, ranked, ngo_member):
        a, *_ = ranked
        client = api(chair.user)

        response = client.post(
            comp_url(reviewing, "recommendations/"),
            {"application": a.pk, "amount": "3500.00", "comment": "Obniżyć catering"},
            format="json",
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["recommended"] == "3500.00"
        line = next(x for x in body["lines"] if x["application"] == a.pk)
        assert line["recommendation"]["amount"] == "3500.00"
        assert line["recommendation"]["comment"] == "Obniżyć catering"
        refused = api(ngo_member.user).post(
            comp_url(reviewing, "recommendations/"), {"application": a.pk, "amount": "1000"}
        )
        assert refused.status_code == 403

    @pytest.mark.parametrize(
        ("amount", "field"),
        [("4000.01", "amount"), ("999.99", "amount"), ("-1", "amount"), ("abc", "amount")],
    )
    def test_a_bad_recommendation_is_400(self, api, chair, reviewing, ranked, amount, field):
        response = api(chair.user).post(
            comp_url(reviewing, "recommendations/"),
            {"application": ranked[0].pk, "amount": amount},
            format="json",
        )

        assert response.status_code == 400
        assert field in response.json()
        assert not Recommendation.objects.exists()

    def test_an_application_of_another_competition_is_400(
        self, api, chair, reviewing, ranked, operator
    ):
        other = rf.in_review_application(f.CompetitionFactory(operator=operator))

        response = api(chair.user).post(
            comp_url(reviewing, "recommendations/"), {"application": other.pk, "amount": "0"}
        )

        assert response.status_code == 400
        assert "application" in response.json()


class TestDecisions:
    def test_decisions_one_by_one_with_the_money_left(self, api, official, reviewing, ranked):
        a, b, c = ranked
        client = api(official)

        body = client.post(
            comp_url(reviewing, "decisions/"),
            {"application": a.pk, "outcome": "awarded", "amount": "4000.00"},
            format="json",
        ).json()
        assert (body["awarded"], body["remaining"], body["undecided"]) == (
            "4000.00",
            "56000.00",
            2,
        )
        client.post(
            comp_url(reviewing, "decisions/"),
            {"application": b.pk, "outcome": "reserve"},
            format="json",
        )
        body = client.post(
            comp_url(reviewing, "decisions/"),
            {"application": c.pk, "outcome": "rejected", "reason": "Poniżej progu"},
            format="json",
        ).json()
        assert body["undecided"] == 0
        rows = {r["application"]: r for r in body["rows"]}
        assert rows[b.pk]["decision"]["outcome"] == "reserve"
        assert rows[b.pk]["decision"]["amount"] is None
        assert rows[c.pk]["decision"]["reason"] == "Poniżej progu"
        assert rows[a.pk]["proposal"] == {"outcome": "funded", "amount": "4000.00"}

        response = client.post(comp_url(reviewing, "transitions/decide/"), {})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "decided"
        statuses = dict(Application.objects.values_list("pk", "status"))
        assert statuses == {a.pk: "awarded", b.pk: "reserve", c.pk: "rejected"}
        assert list(Grant.objects.values_list("application_id", flat=True)) == [a.pk]

    @pytest.mark.parametrize(
        "body",
        [
            {"outcome": "awarded"},
            {"outcome": "awarded", "amount": "4000.01"},
            {"outcome": "awarded", "amount": "999.99"},
            {"outcome": "awarded", "amount": "12.345"},
            {"outcome": "rejected"},
            {"outcome": "maybe"},
            {"outcome": "reserve", "application": 999999},
        ],
    )
    def test_a_bad_decision_is_400_and_nothing_is_recorded(
        self, api, official, reviewing, ranked, body
    ):
        body = {"application": ranked[0].pk, **body}

        response = api(official).post(comp_url(reviewing, "decisions/"), body, format="json")

        assert response.status_code == 400, response.content
        assert not Decision.objects.exists()
        assert not AuditEntry.objects.filter(transition="decision_record").exists()

    def test_deciding_over_the_budget_is_refused(self, api, official, reviewing, ranked):
        set_budget(reviewing, "7999.99")
        client = api(official)
        for application, outcome in zip(ranked, ("awarded", "awarded", "rejected"), strict=True):
            client.post(
                comp_url(reviewing, "decisions/"),
                {
                    "application": application.pk,
                    "outcome": outcome,
                    "amount": "4000.00" if outcome == "awarded" else None,
                    "reason": "Próg",
                },
                format="json",
            )

        response = client.post(comp_url(reviewing, "transitions/decide/"), {})

        assert response.status_code == 400
        assert "budget" in response.json()
        reviewing.refresh_from_db()
        assert reviewing.status == Competition.Status.IN_REVIEW
        assert not Grant.objects.exists()
        assert set(Application.objects.values_list("status", flat=True)) == {"in_review"}

    def test_deciding_before_scoring_closes_is_409(self, api, official, reviewing, in_review):
        response = api(official).post(comp_url(reviewing, "transitions/decide/"), {})

        assert response.status_code == 409
        reviewing.refresh_from_db()
        assert reviewing.status == Competition.Status.IN_REVIEW

    def test_the_sheet_is_the_officials(self, api, reviewing, ranked, chair, ngo_member):
        assert api(ngo_member.user).get(comp_url(reviewing, "decisions/")).status_code == 404
        refused = api(ngo_member.user).post(
            comp_url(reviewing, "decisions/"),
            {"application": ranked[0].pk, "outcome": "reserve"},
            format="json",
        )
        assert refused.status_code == 403
        assert not Decision.objects.exists()
