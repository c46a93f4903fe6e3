from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications.models import Application
from core.errors import NotPermitted, RuleViolation, WrongState
from payouts.models import CompetitionPayoutSettings, Grant, Payment
from payouts.selectors import competition_can_archive, grant_history
from payouts.services import (
    grant_budget_update,
    grant_close,
    grant_contract_prepare,
    grant_create,
    grant_decline,
    grant_decline_lapsed,
    grant_line_approve_over,
    grant_refund_record,
    grant_sign,
    grant_terminate,
    grants_create_for_competition,
    payout_settings_update,
)
from payouts.services.common import end_of_day_after
from tests import factories as f

from . import factories as pf

WARSAW = ZoneInfo("Europe/Warsaw")
D = Decimal


class TestCreation:
    def test_grant_copies_the_award_dates_and_budget(self, grant, competition, group):
        application = grant.application
        assert grant.status == Grant.Status.PREPARING
        assert grant.amount_awarded == grant.amount_requested == D("4000.00")
        assert not grant.is_reduced
        assert grant.budget_update_deadline is None
        assert grant.contract_number == application.number == "DL/2026/001"
        assert (grant.competition, grant.group) == (competition, group)
        assert grant.project_end == application.end_date
        assert grant.final_report_due == application.end_date + timedelta(days=30)
        assert grant.refund_due == application.end_date + timedelta(days=15)
        assert grant.shift_pct == D("10.00")
        lines = list(grant.budget_lines.all())
        assert [line.name for line in lines] == [
            line.name for line in application.budget_lines.all()
        ]
        assert sum(line.grant_amount for line in lines) == D("4000.00")
        entry = grant_history(grant).get()
        assert (entry.transition, entry.to_state, entry.actor) == ("create", "preparing", None)

    def test_batch_for_a_decision(self, competition, group, owner, official):
        first = pf.awarded_application(competition=competition, group=group, owner=owner)
        second = pf.awarded_application(competition=competition, group=group, owner=owner)
        grants = grants_create_for_competition(
            competition=competition,
            awards={first.pk: D("4000.00"), second.pk: D("2500.00")},
            actor=official,
        )
        assert [g.application_id for g in grants] == [first.pk, second.pk]
        assert [g.is_reduced for g in grants] == [False, True]

    def test_batch_reports_every_problem_and_creates_nothing(self, competition, group, owner):
        awarded = pf.awarded_application(competition=competition, group=group, owner=owner)
        draft = f.ready_application(competition=competition, group=group)
        elsewhere = pf.awarded_application(
            competition=f.CompetitionFactory(), group=group, owner=owner
        )
        with pytest.raises(RuleViolation) as caught:
            grants_create_for_competition(
                competition=competition,
                awards={awarded.pk: D("4000.01"), draft.pk: D("1000.00"), elsewhere.pk: D("1.00")},
            )
        assert set(caught.value.errors) == {
            f"awards.{awarded.pk}",
            f"awards.{draft.pk}",
            f"awards.{elsewhere.pk}",
        }
        assert not Grant.objects.exists()

    def test_batch_by_another_operators_official_is_refused(
        self, competition, group, owner, other_official
    ):
        awarded = pf.awarded_application(competition=competition, group=group, owner=owner)
        with pytest.raises(NotPermitted):
            grants_create_for_competition(
                competition=competition, awards={awarded.pk: D("4000.00")}, actor=other_official
            )

    def test_only_one_grant_per_application(self, grant):
        with pytest.raises(WrongState):
            grant_create(application=grant.application, amount_awarded=D("4000.00"))

    def test_not_awarded_application_gets_no_grant(self, application):
        with pytest.raises(WrongState):
            grant_create(application=application, amount_awarded=D("4000.00"))

    @pytest.mark.parametrize("amount", [D("0.00"), D("-1.00"), D("4000.01"), 4000.0, D("10.001")])
    def test_award_must_be_positive_and_within_request(self, competition, group, owner, amount):
        application = pf.awarded_application(competition=competition, group=group, owner=owner)
        with pytest.raises(RuleViolation):
            grant_create(application=application, amount_awarded=amount)

    def test_partial_report_rule_comes_from_the_competition(
        self, competition, group, owner, official
    ):
        payout_settings_update(
            competition=competition, actor=official, partial_report_required=True
        )
        grant = pf.make_grant(competition=competition, group=group, owner=owner)
        assert grant.partial_report_required
        assert CompetitionPayoutSettings.objects.get(
            competition=competition
        ).partial_report_required

    def test_payout_settings_only_by_the_operators_officials(self, competition, other_official):
        with pytest.raises(NotPermitted):
            payout_settings_update(
                competition=competition, actor=other_official, partial_report_required=True
            )

    def test_group_bank_account_is_the_default(self, competition, group, owner):
        group.bank_account = pf.IBAN
        group.save()
        grant = pf.make_grant(competition=competition, group=group, owner=owner)
        assert grant.bank_account == pf.IBAN

    def test_awarded_group_is_mailed_after_commit(
        self, competition, group, owner, django_capture_on_commit_callbacks
    ):
        application = pf.awarded_application(
            competition=competition, group=group, owner=owner, title='Ogród "Pod Lipą" & sąsiedzi'
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            grant_create(application=application, amount_awarded=D("3000.00"))
        assert [m.to for m in mail.outbox] == [[owner.email]]
        message = mail.outbox[0]
        assert "DL/2026/001" in message.subject
        body = message.body.replace("\xa0", " ")
        assert "3 000,00" in body and "4 000,00" in body
        # Plain text is not HTML-escaped.
        assert 'Ogród "Pod Lipą" & sąsiedzi' in body


class TestBudgetDeadline:
    def test_deadline_ends_with_the_last_day_in_warsaw(self):
        award = datetime(2026, 3, 2, 15, 0, tzinfo=WARSAW)
        assert end_of_day_after(award, 7) == datetime(2026, 3, 10, 0, 0, tzinfo=WARSAW)

    def test_deadline_across_the_spring_dst_change(self):
        # Clocks go forward on 2026-03-29; the term still ends at local midnight.
        award = datetime(2026, 3, 25, 23, 30, tzinfo=WARSAW)
        deadline = end_of_day_after(award, 7)
        assert deadline == datetime(2026, 4, 2, 0, 0, tzinfo=WARSAW)
        assert deadline.utcoffset() == timedelta(hours=2)

    def test_reduced_award_sets_the_deadline(self, reduced_grant):
        created = timezone.localtime(reduced_grant.created_at, WARSAW)
        expected = datetime.combine(
            created.date() + timedelta(days=8), datetime.min.time(), tzinfo=WARSAW
        )
        assert reduced_grant.is_reduced
        assert reduced_grant.budget_update_pending
        assert reduced_grant.budget_update_deadline == expected
        assert reduced_grant.budget_update_last_day == created.date() + timedelta(days=7)


class TestBudgetUpdate:
    def test_budget_adding_up_to_the_award_is_agreed(self, reduced_grant, owner):
        snapshot_before = reduced_grant.application.snapshots.get().data
        grant = grant_budget_update(
            grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
        )
        assert not grant.budget_update_pending
        assert sum(line.grant_amount for line in grant.budget_lines.all()) == D("3000.00")
        # The application's submitted version and its own lines stay as submitted.
        application = grant.application
        assert application.snapshots.get().data == snapshot_before
        assert sum(line.grant_amount for line in application.budget_lines.all()) == D("4000.00")
        assert grant_history(grant).last().transition == "budget_update"

    def test_lines_must_add_up_to_the_award(self, reduced_grant, owner):
        lines = pf.reduced_budget_lines(reduced_grant)
        lines[0]["grant_amount"] = D("2700.01")
        lines[0]["unit_cost"] = D("3100.01")
        with pytest.raises(RuleViolation) as caught:
            grant_budget_update(grant=reduced_grant, actor=owner, lines=lines)
        assert "grant_amount" in caught.value.errors
        reduced_grant.refresh_from_db()
        assert reduced_grant.budget_update_pending

    def test_own_contribution_share_must_still_be_met(self, reduced_grant, owner):
        # Cutting the volunteer work to 300 leaves 700 own = 23.33% of 3,000 (25% needed).
        lines = pf.reduced_budget_lines(reduced_grant)
        volunteer = next(row for row in lines if row["name"] == "Praca wolontariuszy")
        volunteer["quantity"] = D("15")
        volunteer["own_non_financial"] = D("300.00")
        with pytest.raises(RuleViolation) as caught:
            grant_budget_update(grant=reduced_grant, actor=owner, lines=lines)
        assert "own_contribution" in caught.value.errors

    def test_sources_must_cover_each_line(self, reduced_grant, owner):
        lines = pf.reduced_budget_lines(reduced_grant)
        lines[0]["unit_cost"] = D("3000.00")
        with pytest.raises(RuleViolation) as caught:
            grant_budget_update(grant=reduced_grant, actor=owner, lines=lines)
        assert "lines.0" in caught.value.errors

    def test_lines_can_be_added_and_removed(self, reduced_grant, owner):
        lines = pf.reduced_budget_lines(reduced_grant)
        lines[0]["unit_cost"] = D("2600.00")
        lines[0]["grant_amount"] = D("2200.00")
        lines.append(
            {
                "name": "Narzędzia",
                "quantity": D("1"),
                "unit_cost": D("500.00"),
                "grant_amount": D("500.00"),
            }
        )
        grant = grant_budget_update(grant=reduced_grant, actor=owner, lines=lines)
        assert grant.budget_lines.count() == 4
        grant = grant_budget_update(
            grant=grant, actor=owner, lines=pf.reduced_budget_lines(grant)[:3]
        )
        assert grant.budget_lines.count() == 3

    def test_only_the_group_updates_its_budget(self, reduced_grant, official, outsider):
        for actor in (official, outsider):
            with pytest.raises(NotPermitted):
                grant_budget_update(
                    grant=reduced_grant, actor=actor, lines=pf.reduced_budget_lines(reduced_grant)
                )

    def test_full_award_needs_no_update(self, grant, owner):
        with pytest.raises(WrongState):
            grant_budget_update(grant=grant, actor=owner, lines=pf.reduced_budget_lines(grant))

    def test_just_before_the_deadline_is_accepted(self, reduced_grant, owner):
        with time_machine.travel(
            reduced_grant.budget_update_deadline - timedelta(seconds=1), tick=False
        ):
            grant = grant_budget_update(
                grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
            )
        assert not grant.budget_update_pending

    @pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
    def test_at_and_after_the_deadline_is_refused(self, reduced_grant, owner, after):
        with time_machine.travel(reduced_grant.budget_update_deadline + after, tick=False):
            with pytest.raises(RuleViolation) as caught:
                grant_budget_update(
                    grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
                )
        assert "budget_update_deadline" in caught.value.errors
        reduced_grant.refresh_from_db()
        assert reduced_grant.budget_update_pending

    def test_lapsed_update_declines_the_grant_once(self, reduced_grant):
        deadline = reduced_grant.budget_update_deadline
        with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
            assert grant_decline_lapsed(grant=reduced_grant).status == Grant.Status.PREPARING
        with time_machine.travel(deadline, tick=False):
            grant = grant_decline_lapsed(grant=reduced_grant)
            assert grant.status == Grant.Status.DECLINED
            count = grant_history(grant).count()
            grant_decline_lapsed(grant=grant)
        assert grant_history(grant).count() == count
        assert grant_history(grant).last().actor is None

    def test_updated_budget_is_not_declined_by_the_job(self, reduced_grant, owner):
        grant_budget_update(
            grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
        )
        with time_machine.travel(reduced_grant.budget_update_deadline, tick=False):
            assert grant_decline_lapsed(grant=reduced_grant).status == Grant.Status.PREPARING


class TestDecline:
    def test_group_declines_before_signing(self, reduced_grant, editor):
        grant = grant_decline(grant=reduced_grant, actor=editor, comment="Nie damy rady.")
        assert grant.status == Grant.Status.DECLINED
        entry = grant_history(grant).last()
        assert (entry.transition, entry.actor, entry.comment) == (
            "decline",
            editor,
            "Nie damy rady.",
        )
        # The application's own state is the decision's and stays awarded.
        assert grant.application.status == Application.Status.AWARDED

    def test_outsider_cannot_decline(self, grant, outsider, other_official):
        for actor in (outsider, other_official):
            with pytest.raises(NotPermitted):
                grant_decline(grant=grant, actor=actor)


class TestContract:
    def test_tranches_must_add_up_to_the_award(self, grant, official):
        with pytest.raises(RuleViolation) as caught:
            grant_contract_prepare(
                grant=grant,
                actor=official,
                data={"tranches": pf.tranches(grant, D("3000.00"), D("999.99"))},
            )
        assert "tranches" in caught.value.errors
        assert not grant.payments.exists()

    def test_prepare_sets_the_terms_and_schedule(self, grant, official):
        end = grant.project_end - timedelta(days=5)
        grant = grant_contract_prepare(
            grant=grant,
            actor=official,
            data={
                "contract_number": "U/12/2026",
                "bank_account": "61 1090 1014 0000 0712 1981 2874",
                "project_end": end,
                "tranches": pf.tranches(grant, D("3200.00"), D("800.00")),
            },
        )
        assert grant.contract_number == "U/12/2026"
        assert grant.bank_account == pf.IBAN
        assert grant.final_report_due == end + timedelta(days=30)
        assert grant.refund_due == end + timedelta(days=15)
        assert [(p.order, p.amount) for p in grant.payments.all()] == [
            (1, D("3200.00")),
            (2, D("800.00")),
        ]
        assert sum(p.amount for p in grant.payments.all()) == grant.amount_awarded

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"bank_account": "PL00 1234"}, "bank_account"),
            ({"contract_number": ""}, "contract_number"),
            ({"project_end": "2020-01-01"}, "project_end"),
            ({"tranches": []}, "tranches"),
        ],
    )
    def test_bad_terms_are_refused(self, grant, official, data, field):
        with pytest.raises(RuleViolation) as caught:
            grant_contract_prepare(grant=grant, actor=official, data=data)
        assert field in caught.value.errors

    def test_contract_number_unique_in_the_competition(
        self, grant, competition, group, owner, official
    ):
        second = pf.make_grant(competition=competition, group=group, owner=owner)
        with pytest.raises(RuleViolation):
            grant_contract_prepare(
                grant=second, actor=official, data={"contract_number": grant.contract_number}
            )

    def test_signing_needs_the_budget_update_first(self, reduced_grant, official):
        grant_contract_prepare(
            grant=reduced_grant,
            actor=official,
            data={"bank_account": pf.IBAN, "tranches": pf.tranches(reduced_grant)},
        )
        with pytest.raises(RuleViolation) as caught:
            grant_sign(grant=reduced_grant, actor=official, signed_on=timezone.localdate())
        assert "budget" in caught.value.errors

    def test_signing_needs_a_prepared_contract(self, grant, official):
        with pytest.raises(RuleViolation) as caught:
            grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())
        assert {"contract", "tranches"} <= set(caught.value.errors)

    def test_sign_only_by_the_operator(self, competition, group, owner, official, other_official):
        grant = pf.prepared_grant(
            competition=competition, group=group, owner=owner, official=official
        )
        for actor in (owner, other_official):
            with pytest.raises(NotPermitted):
                grant_sign(grant=grant, actor=actor, signed_on=timezone.localdate())

    def test_reduced_award_signed_after_update(self, competition, group, owner, official):
        grant = pf.signed_grant(
            competition=competition,
            group=group,
            owner=owner,
            official=official,
            amount=D("3000.00"),
        )
        assert grant.status == Grant.Status.SIGNED
        assert grant.signed_on == timezone.localdate()


class TestTerminationRefundClose:
    def test_terminated_grant_refund_then_close(self, running, official):
        first = running.payments.get(order=1)
        pf.pay(first, official)
        grant = grant_terminate(grant=running, actor=official, comment="Projekt przerwany.")
        assert grant.status == Grant.Status.TERMINATED
        assert grant.refund_amount == D("3200.00")
        assert grant.refund_due == timezone.localdate() + timedelta(days=15)
        with pytest.raises(RuleViolation):
            grant_close(grant=grant, actor=official)
        with pytest.raises(RuleViolation):
            grant_refund_record(
                grant=grant, actor=official, amount=D("3200.01"), received_on=timezone.localdate()
            )
        grant = grant_refund_record(
            grant=grant, actor=official, amount=D("3200.00"), received_on=timezone.localdate()
        )
        grant = grant_close(grant=grant, actor=official, comment="Zwrot otrzymany.")
        assert grant.status == Grant.Status.CLOSED
        assert grant_history(grant).last().transition == "close"

    def test_termination_needs_a_reason(self, running, official):
        with pytest.raises(RuleViolation):
            grant_terminate(grant=running, actor=official, comment=" ")

    def test_approved_change_is_recorded_for_a_line(self, running, official):
        line = running.budget_lines.get(name="Sadzonki i ziemia")
        line = grant_line_approve_over(
            grant=running, actor=official, line=line, amount=D("500.00"), comment="Aneks nr 1"
        )
        assert line.approved_over == D("500.00")
        entry = grant_history(running).last()
        assert entry.transition == "approve_change"
        assert entry.payload["approved_over"] == "500.00"


class TestArchiveGuard:
    def test_only_closed_or_declined_grants_allow_archiving(self, grant, competition, owner):
        allowed, reason = competition_can_archive(competition)
        assert not allowed
        assert reason
        grant_decline(grant=grant, actor=owner)
        assert competition_can_archive(competition) == (True, "")

    def test_competition_without_grants_may_be_archived(self, competition):
        assert competition_can_archive(competition) == (True, "")


def test_no_tranches_before_the_contract_is_prepared(grant):
    assert not Payment.objects.filter(grant=grant).exists()
