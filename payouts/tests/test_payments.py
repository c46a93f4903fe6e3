import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from core.errors import NotPermitted, RuleViolation, WrongState
from core.models import AuditEntry
from payouts.models import Grant, Payment
from payouts.services import (
    payment_approve,
    payment_pay,
    report_accept,
    report_request,
    report_save,
    report_submit,
)
from payouts.services import payments as payment_services

from . import factories as pf

D = Decimal


def test_tranche_is_approved_then_paid(signed, official, owner, django_capture_on_commit_callbacks):
    payment = signed.payments.get(order=1)
    payment = payment_approve(payment=payment, actor=official)
    assert payment.status == Payment.Status.APPROVED
    assert payment.approved_by == official
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_pay(
            payment=payment, actor=official, paid_on=timezone.localdate(), bank_reference="PRZ/1"
        )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.amount_paid == D("3200.00")
    assert payment.bank_reference == "PRZ/1"
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_tranche_cannot_be_paid_twice(signed, official):
    payment = pf.pay(signed.payments.get(order=1), official)
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(WrongState):
        payment_pay(payment=payment, actor=official, paid_on=timezone.localdate())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert AuditEntry.objects.count() == audit_rows


def test_scheduled_tranche_must_be_approved_first(signed, official):
    payment = signed.payments.get(order=1)
    with pytest.raises(WrongState):
        payment_pay(payment=payment, actor=official, paid_on=timezone.localdate())


def test_nothing_is_paid_before_signing(competition, group, owner, official):
    grant = pf.prepared_grant(competition=competition, group=group, owner=owner, official=official)
    with pytest.raises(WrongState):
        payment_approve(payment=grant.payments.get(), actor=official)


def test_only_the_operators_officials_pay(signed, owner, other_official):
    payment = signed.payments.get(order=1)
    for actor in (owner, other_official):
        with pytest.raises(NotPermitted):
            payment_approve(payment=payment, actor=actor)


@pytest.mark.parametrize("amount", [D("3200.01"), D("0"), 3200.0])
def test_paid_amount_within_the_tranche(signed, official, amount):
    payment = payment_approve(payment=signed.payments.get(order=1), actor=official)
    with pytest.raises(RuleViolation):
        payment_pay(payment=payment, actor=official, paid_on=timezone.localdate(), amount=amount)


def test_paid_date_not_in_the_future(signed, official):
    payment = payment_approve(payment=signed.payments.get(order=1), actor=official)
    with pytest.raises(RuleViolation):
        payment_pay(
            payment=payment, actor=official, paid_on=timezone.localdate() + timedelta(days=1)
        )


class TestPartialReportBeforeNextTranche:
    @pytest.fixture
    def grant(self, competition, group, owner, official):
        grant = pf.running_grant(
            competition=competition,
            group=group,
            owner=owner,
            official=official,
            amounts=(D("2000.00"), D("1000.00"), D("1000.00")),
        )
        Grant.objects.filter(pk=grant.pk).update(partial_report_required=True)
        grant.refresh_from_db()
        return grant

    def _accepted_partial_report(self, grant, owner, official):
        report = report_request(
            grant=grant, actor=official, due_date=timezone.localdate() + timedelta(days=7)
        )
        report_save(report=report, actor=owner, data={"narrative": "Pierwszy etap gotowy."})
        report_submit(report=report, actor=owner)
        return report_accept(report=report, actor=official)

    def test_first_tranche_needs_no_report(self, grant, official):
        assert (
            payment_approve(payment=grant.payments.get(order=1), actor=official).status
            == "approved"
        )

    def test_second_tranche_waits_for_an_accepted_partial_report(self, grant, owner, official):
        pf.pay(grant.payments.get(order=1), official)
        second = grant.payments.get(order=2)
        with pytest.raises(RuleViolation):
            payment_approve(payment=second, actor=official)
        self._accepted_partial_report(grant, owner, official)
        assert payment_approve(payment=second, actor=official).status == "approved"
        # The third needs a second accepted partial report.
        with pytest.raises(RuleViolation):
            payment_approve(payment=grant.payments.get(order=3), actor=official)


def test_after_settlement_only_what_is_eligible_is_paid(running, owner, official):
    """3,200 paid, 3,500 eligible: the 800 tranche is cut to 300."""
    pf.pay(running.payments.get(order=1), official)
    grant = pf.settle_by_final_report(
        running, owner=owner, official=official, spent={"Sadzonki i ziemia": D("3200.00")}
    )
    assert grant.status == Grant.Status.SETTLED
    assert grant.eligible_spending == D("3500.00")
    last = payment_approve(payment=grant.payments.get(order=2), actor=official)
    with pytest.raises(RuleViolation):
        payment_pay(payment=last, actor=official, paid_on=timezone.localdate())
    paid = payment_pay(
        payment=last, actor=official, paid_on=timezone.localdate(), amount=D("300.00")
    )
    assert paid.amount_paid == D("300.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_pay_a_tranche_once(competition, group, owner, official, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite serialises all writers, so two requests never race; "
            "run with DATABASE_URL=postgres://..."
        )
    grant = pf.signed_grant(competition=competition, group=group, owner=owner, official=official)
    payment = payment_approve(payment=grant.payments.get(), actor=official)

    # Hold the lock a little inside the service, so the second request surely
    # arrives while the first is still paying.
    original = payment_services.perform_transition

    def slow_transition(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(payment_services, "perform_transition", slow_transition)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def request(reference: str):
        # Each request loaded the tranche while it was still approved.
        stale = Payment.objects.get(pk=payment.pk)
        try:
            barrier.wait(timeout=10)
            payment_pay(
                payment=stale,
                actor=official,
                paid_on=timezone.localdate(),
                bank_reference=reference,
            )
            outcomes.append("paid")
        except WrongState:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(f"PRZ/{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "paid"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert AuditEntry.objects.filter(transition="pay", object_id=payment.pk).count() == 1
