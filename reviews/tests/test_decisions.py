"""Recommendation, decision and the competition's decision. Three applications
of 4,000 PLN each in review: A (mean 50), B (40), C (20, below the threshold
of 33)."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from applications.models import Application
from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from payouts.models import Grant
from reviews.models import Decision, Recommendation
from reviews.selectors import decision_sheet, funding_proposal
from reviews.services import (
    competition_decide,
    decision_record,
    decisions_from_proposal,
    recommendation_record,
    recommendations_from_proposal,
)

from . import factories as rf

D = Decimal


@pytest.fixture
def ranked(reviewing, chair, ngo_member, second_member, group, owner, editor):
    """A is the fixture group's (owner and editor); B and C other groups'."""
    a = rf.in_review_application(reviewing, group=group)
    b, c = (rf.in_review_application(reviewing) for _ in range(2))
    rf.scored(a, ngo_member, 20, 30)
    rf.scored(b, ngo_member, 15, 25)
    rf.scored(c, second_member, 10, 10)
    rf.close_scoring(reviewing)
    return a, b, c


def set_budget(competition, budget):
    Competition.objects.filter(pk=competition.pk).update(budget_total=D(budget))
    competition.refresh_from_db()


class TestRecommendation:
    def test_the_chair_records_it(self, ranked, chair):
        a, *_ = ranked
        recommendation = recommendation_record(
            application=a, actor=chair.user, amount="3500.00", comment="Obniżyć catering"
        )
        assert (recommendation.amount, recommendation.recorded_by) == (D("3500.00"), chair.user)
        entry = rf.history(a).last()
        assert (entry.transition, entry.payload["amount"]) == ("recommendation_record", "3500.00")
        recommendation_record(application=a, actor=chair.user, amount=0)
        assert Recommendation.objects.get().amount == 0

    def test_only_the_chair_and_within_the_rules(self, ranked, chair, ngo_member, official):
        a, *_ = ranked
        # `official` is the chair's user; another official is not the chair.
        from tests import factories as f

        colleague = f.StaffMembershipFactory(operator=a.competition.operator).user
        for actor in (ngo_member.user, colleague):
            with pytest.raises(NotPermitted):
                recommendation_record(application=a, actor=actor, amount=1000)
        for amount in ("4000.01", "-1", "999.99", "12.345", "abc"):
            with pytest.raises(RuleViolation):
                recommendation_record(application=a, actor=chair.user, amount=amount)

    def test_not_before_scoring_closes(self, reviewing, in_review, chair):
        with pytest.raises(WrongState):
            recommendation_record(application=in_review[0], actor=chair.user, amount=1000)

    def test_adopting_the_funding_line(self, reviewing, ranked, chair):
        a, b, c = ranked
        set_budget(reviewing, "6000.00")
        recommendations_from_proposal(competition=reviewing, actor=chair.user)
        amounts = dict(Recommendation.objects.values_list("application_id", "amount"))
        assert amounts == {a.pk: D("4000.00"), b.pk: D("2000.00"), c.pk: D("0.00")}


class TestDecision:
    def test_rules_of_a_decision(self, ranked, official, ngo_member):
        a, _b, _c = ranked
        with pytest.raises(NotPermitted):
            decision_record(application=a, actor=ngo_member.user, outcome="awarded", amount=1000)
        for outcome, amount, reason in [
            ("awarded", None, ""),
            ("awarded", "4000.01", ""),
            ("awarded", "999.99", ""),
            ("rejected", None, ""),
            ("maybe", None, "x"),
        ]:
            with pytest.raises(RuleViolation):
                decision_record(
                    application=a, actor=official, outcome=outcome, amount=amount, reason=reason
                )
        decision = decision_record(application=a, actor=official, outcome="reserve", amount="5")
        assert (decision.outcome, decision.amount) == ("reserve", None)
        decision = decision_record(
            application=a, actor=official, outcome="awarded", amount="3999.99"
        )
        assert Decision.objects.get(pk=decision.pk).amount == D("3999.99")

    def test_decision_sheet_shows_what_is_left(self, reviewing, ranked, official):
        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        decision_record(application=b, actor=official, outcome="awarded", amount="2500.50")
        sheet = decision_sheet(official, reviewing)
        assert (sheet.budget, sheet.awarded, sheet.remaining) == (
            D("60000.00"),
            D("6500.50"),
            D("53499.50"),
        )
        assert sheet.undecided == 1
        assert [row.result.application_id for row in sheet.rows] == [a.pk, b.pk, c.pk]
        assert [row.proposal.outcome for row in sheet.rows] == ["funded", "funded", "rejected"]

    def test_the_proposal_fills_the_decisions(self, reviewing, ranked, official):
        a, b, c = ranked
        set_budget(reviewing, "5000.00")
        decisions_from_proposal(competition=reviewing, actor=official)
        found = {d.application_id: (d.outcome, d.amount) for d in Decision.objects.all()}
        assert found == {
            a.pk: ("awarded", D("4000.00")),
            b.pk: ("awarded", D("1000.00")),
            c.pk: ("rejected", None),
        }
        assert Decision.objects.get(application=c).reason


class TestCompetitionDecide:
    def decide_all(self, ranked, official, second_amount="4000.00"):
        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000.00")
        decision_record(application=b, actor=official, outcome="awarded", amount=second_amount)
        decision_record(application=c, actor=official, outcome="rejected", reason="Poniżej progu")

    def test_one_grosz_over_the_budget_is_refused(self, reviewing, ranked, official):
        set_budget(reviewing, "7999.99")
        self.decide_all(ranked, official)
        with pytest.raises(RuleViolation) as caught:
            competition_decide(competition=reviewing, actor=official)
        assert "0,01" in caught.value.messages[0] or "0.01" in caught.value.messages[0]
        reviewing.refresh_from_db()
        assert reviewing.status == Competition.Status.IN_REVIEW
        assert set(Application.objects.values_list("status", flat=True)) == {"in_review"}

    def test_budget_used_exactly_decides(
        self,
        reviewing,
        ranked,
        official,
        owner,
        editor,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        a, b, c = ranked
        set_budget(reviewing, "8000.00")
        self.decide_all(ranked, official)

        with django_capture_on_commit_callbacks(execute=True):
            decided = competition_decide(competition=reviewing, actor=official, comment="Uchwała")

        assert decided.status == Competition.Status.DECIDED
        statuses = dict(Application.objects.values_list("pk", "status"))
        assert statuses == {a.pk: "awarded", b.pk: "awarded", c.pk: "rejected"}
        assert all(d.applied_at for d in Decision.objects.all())
        entry = rf.history(c).last()
        assert (entry.transition, entry.actor, entry.comment) == (
            "reject",
            official,
            "Poniżej progu",
        )
        entry = rf.history(decided).last()
        assert (entry.transition, entry.payload["awarded_total"]) == ("decide", "8000.00")
        # Every member of each applying group is told; B's and C's groups
        # have no users.
        decision_subject = render_to_string(
            "email/application_decided.subject.txt", {"application": a}
        ).strip()
        decided_mails = [m for m in mailoutbox if m.subject == decision_subject]
        assert sorted(m.to[0] for m in decided_mails) == sorted([owner.email, editor.email])
        assert "4" in decided_mails[0].body
        # Deciding also opens a grant for each award, in the same transaction.
        assert Grant.objects.filter(application__in=[a, b]).count() == 2
        assert not Grant.objects.filter(application=c).exists()

    def test_reserve_list(self, reviewing, ranked, official):
        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        decision_record(application=b, actor=official, outcome="reserve")
        decision_record(application=c, actor=official, outcome="rejected", reason="Próg")
        competition_decide(competition=reviewing, actor=official)
        assert Application.objects.get(pk=b.pk).status == Application.Status.RESERVE

    def test_the_reserve_list_takes_the_money_a_declined_grant_leaves(
        self, reviewing, ranked, official
    ):
        from payouts.services import grant_decline
        from reviews.services import award_from_reserve

        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        decision_record(application=b, actor=official, outcome="reserve")
        decision_record(application=c, actor=official, outcome="rejected", reason="Próg")
        competition_decide(competition=reviewing, actor=official)
        # Leave less than a minimum grant free.
        Competition.objects.filter(pk=reviewing.pk).update(
            budget_total=Decimal("4000.00") + reviewing.grant_min - Decimal("0.01")
        )
        amount = reviewing.grant_min
        with pytest.raises(RuleViolation) as caught:
            award_from_reserve(application=b, actor=official, amount=amount)
        assert "amount" in caught.value.errors
        assert Application.objects.get(pk=b.pk).status == Application.Status.RESERVE
        with pytest.raises(WrongState):
            award_from_reserve(application=c, actor=official, amount=amount)

        grant_a = Grant.objects.get(application=a)
        grant_decline(grant=grant_a, actor=a.group.memberships.first().user, comment="Rezygnujemy")
        awarded = award_from_reserve(
            application=b, actor=official, amount=amount, comment="Z listy rezerwowej"
        )
        assert awarded.status == Application.Status.AWARDED
        assert Decision.objects.get(application=b).amount == amount
        assert Grant.objects.get(application=b).amount_awarded == amount
        assert rf.history(b).last().transition == "award_from_reserve"

    def test_award_from_the_reserve_list_over_the_api(self, reviewing, ranked, official, api):
        from payouts.models import Grant
        from reviews.services import competition_decide, decision_record

        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        decision_record(application=b, actor=official, outcome="reserve")
        decision_record(application=c, actor=official, outcome="rejected", reason="Próg")
        competition_decide(competition=reviewing, actor=official)
        client = api(official)
        detail = client.get(f"/api/v1/applications/{b.pk}/").json()
        assert "award_from_reserve" in detail["available_transitions"]
        assert (
            "award"
            not in client.get(f"/api/v1/applications/{a.pk}/").json()["available_transitions"]
        )
        url = f"/api/v1/applications/{b.pk}/transitions/award_from_reserve/"
        assert client.post(url, {"amount": "-5"}, format="json").status_code == 400
        response = client.post(url, {"amount": str(reviewing.grant_min)}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "awarded"
        assert Grant.objects.filter(application=b).exists()
        assert (
            client.post(url, {"amount": str(reviewing.grant_min)}, format="json").status_code == 409
        )

    def test_every_application_in_review_needs_a_decision(self, reviewing, ranked, official):
        a, b, c = ranked
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        with pytest.raises(RuleViolation) as caught:
            competition_decide(competition=reviewing, actor=official)
        assert b.number in caught.value.messages[0] and c.number in caught.value.messages[0]

    def test_withdrawn_during_review_needs_no_decision(self, reviewing, ranked, official):
        a, b, c = ranked
        rf.set_status(c, Application.Status.WITHDRAWN)
        decision_record(application=a, actor=official, outcome="awarded", amount="4000")
        decision_record(application=b, actor=official, outcome="reserve")
        assert competition_decide(competition=reviewing, actor=official).status == "decided"
        assert Application.objects.get(pk=c.pk).status == Application.Status.WITHDRAWN

    def test_state_and_permission(self, reviewing, in_review, official, ngo_member):
        with pytest.raises(WrongState):
            competition_decide(competition=reviewing, actor=official)  # scoring still open
        rf.close_scoring(reviewing)
        with pytest.raises(NotPermitted):
            competition_decide(competition=reviewing, actor=ngo_member.user)
        rf.set_status(reviewing, Competition.Status.CLOSED)
        with pytest.raises(WrongState):
            competition_decide(competition=reviewing, actor=official)

    def test_proposal_visible_to_chair_and_officials(self, reviewing, ranked, chair, ngo_member):
        from django.http import Http404

        assert len(funding_proposal(chair.user, reviewing).lines) == 3
        with pytest.raises(Http404):
            funding_proposal(ngo_member.user, reviewing)
