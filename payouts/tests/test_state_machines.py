"""Every action from a state that does not allow it is refused with
WrongState (409), and nothing changes: not the status, not the audit log."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import WrongState
from core.models import AuditEntry
from payouts.models import Grant, Payment, Report
from payouts.services import (
    grant_budget_update,
    grant_close,
    grant_contract_prepare,
    grant_decline,
    grant_refund_record,
    grant_settle,
    grant_sign,
    grant_start,
    grant_start_reporting,
    grant_terminate,
    payment_approve,
    payment_pay,
    report_accept,
    report_final_open,
    report_request,
    report_return,
    report_save,
    report_submit,
)

from . import factories as pf

D = Decimal
TODAY = timezone.localdate


def assert_refused_and_unchanged(obj, action):
    model = type(obj)
    status = model.objects.get(pk=obj.pk).status
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(WrongState):
        action()
    assert model.objects.get(pk=obj.pk).status == status
    assert AuditEntry.objects.count() == audit_rows


GRANT_ACTIONS = {
    "sign": lambda g, o, owner: grant_sign(grant=g, actor=o, signed_on=TODAY()),
    "decline": lambda g, o, owner: grant_decline(grant=g, actor=owner),
    "prepare": lambda g, o, owner: grant_contract_prepare(
        grant=g, actor=o, data={"operator_signatory": "X"}
    ),
    "start": lambda g, o, owner: grant_start(grant=g, actor=o),
    "start_reporting": lambda g, o, owner: grant_start_reporting(grant=g, actor=o),
    "settle": lambda g, o, owner: grant_settle(grant=g, actor=o),
    "close": lambda g, o, owner: grant_close(grant=g, actor=o),
    "terminate": lambda g, o, owner: grant_terminate(grant=g, actor=o, comment="powód"),
    "refund": lambda g, o, owner: grant_refund_record(
        grant=g, actor=o, amount=D("1.00"), received_on=TODAY()
    ),
    "partial_report": lambda g, o, owner: report_request(grant=g, actor=o, due_date=TODAY()),
    "final_report": lambda g, o, owner: report_final_open(grant=g, actor=owner),
}

# What each state refuses (everything the DESIGN's machine has no arrow for).
REFUSED = {
    Grant.Status.PREPARING: [
        "start",
        "start_reporting",
        "settle",
        "close",
        "terminate",
        "refund",
        "partial_report",
        "final_report",
    ],
    Grant.Status.SIGNED: ["sign", "decline", "prepare", "start_reporting", "settle", "close"],
    Grant.Status.IN_PROGRESS: ["sign", "decline", "prepare", "start", "settle", "close"],
    Grant.Status.DECLINED: list(GRANT_ACTIONS),
}


@pytest.fixture
def grant_in(competition, group, owner, official):
    def build(status):
        kwargs = {"competition": competition, "group": group, "owner": owner}
        if status == Grant.Status.PREPARING:
            return pf.make_grant(**kwargs)
        if status == Grant.Status.SIGNED:
            return pf.signed_grant(official=official, **kwargs)
        if status == Grant.Status.IN_PROGRESS:
            return pf.running_grant(official=official, **kwargs)
        if status == Grant.Status.DECLINED:
            return grant_decline(grant=pf.make_grant(**kwargs), actor=owner)
        raise AssertionError(status)

    return build


@pytest.mark.parametrize(
    ("status", "action"),
    [(status, action) for status, actions in REFUSED.items() for action in actions],
)
def test_grant_refuses_what_its_state_does_not_allow(grant_in, official, owner, status, action):
    grant = grant_in(status)
    assert grant.status == status
    assert_refused_and_unchanged(grant, lambda: GRANT_ACTIONS[action](grant, official, owner))


def test_budget_update_refused_after_signing(competition, group, owner, official):
    grant = pf.signed_grant(
        competition=competition, group=group, owner=owner, official=official, amount=D("3000.00")
    )
    assert_refused_and_unchanged(
        grant,
        lambda: grant_budget_update(grant=grant, actor=owner, lines=pf.reduced_budget_lines(grant)),
    )


def test_settled_and_closed_grants_refuse_everything_but_what_follows(running, owner, official):
    pf.pay_all(running, official)
    grant = pf.settle_by_final_report(running, owner=owner, official=official)
    assert grant.status == Grant.Status.SETTLED
    for action in ("sign", "decline", "start", "start_reporting", "settle", "terminate", "refund"):
        assert_refused_and_unchanged(
            grant, lambda a=action: GRANT_ACTIONS[a](grant, official, owner)
        )
    grant = grant_close(grant=grant, actor=official)
    for action in GRANT_ACTIONS:
        if action == "final_report":
            continue  # returns the existing report, changes nothing
        assert_refused_and_unchanged(
            grant, lambda a=action: GRANT_ACTIONS[a](grant, official, owner)
        )


class TestPayment:
    def test_scheduled_cannot_be_paid(self, signed, official):
        payment = signed.payments.get(order=1)
        assert_refused_and_unchanged(
            payment, lambda: payment_pay(payment=payment, actor=official, paid_on=TODAY())
        )

    def test_approved_cannot_be_approved_again(self, signed, official):
        payment = payment_approve(payment=signed.payments.get(order=1), actor=official)
        assert_refused_and_unchanged(
            payment, lambda: payment_approve(payment=payment, actor=official)
        )

    def test_paid_cannot_be_approved_or_paid_again(self, signed, official):
        payment = pf.pay(signed.payments.get(order=1), official)
        assert payment.status == Payment.Status.PAID
        assert_refused_and_unchanged(
            payment, lambda: payment_approve(payment=payment, actor=official)
        )
        assert_refused_and_unchanged(
            payment, lambda: payment_pay(payment=payment, actor=official, paid_on=TODAY())
        )

    def test_no_payment_on_a_terminated_grant(self, running, official):
        payment = payment_approve(payment=running.payments.get(order=1), actor=official)
        grant_terminate(grant=running, actor=official, comment="powód")
        assert_refused_and_unchanged(
            payment, lambda: payment_pay(payment=payment, actor=official, paid_on=TODAY())
        )


class TestReport:
    def test_draft_cannot_be_accepted_or_returned(self, running, owner, official):
        report = report_final_open(grant=running, actor=owner)
        assert_refused_and_unchanged(report, lambda: report_accept(report=report, actor=official))
        assert_refused_and_unchanged(
            report, lambda: report_return(report=report, actor=official, comment="x")
        )

    def test_submitted_cannot_be_changed_or_submitted_again(self, running, owner):
        report = pf.final_report(running, owner)
        assert report.status == Report.Status.SUBMITTED
        assert_refused_and_unchanged(report, lambda: report_submit(report=report, actor=owner))
        assert_refused_and_unchanged(
            report, lambda: report_save(report=report, actor=owner, data={"narrative": "x"})
        )

    def test_accepted_is_final(self, running, owner, official):
        report = report_accept(report=pf.final_report(running, owner), actor=official)
        assert_refused_and_unchanged(report, lambda: report_accept(report=report, actor=official))
        assert_refused_and_unchanged(
            report, lambda: report_return(report=report, actor=official, comment="x")
        )
        assert_refused_and_unchanged(report, lambda: report_submit(report=report, actor=owner))
        assert_refused_and_unchanged(
            report, lambda: report_save(report=report, actor=owner, data={"narrative": "x"})
        )
