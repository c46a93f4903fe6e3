from django.utils import timezone

from core.transitions import available_transitions
from payouts.services import grant_sign

from .factories import prepared_grant


def test_a_tranche_is_offered_for_approval_only_once_the_contract_is_signed(
    competition, group, owner, official
):
    grant = prepared_grant(official=official, competition=competition, group=group, owner=owner)
    tranche = grant.payments.get()
    assert "approve" not in available_transitions(tranche, official)

    grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())
    tranche = grant.payments.select_related("grant").get()
    assert available_transitions(tranche, official) == ["approve"]
    assert available_transitions(tranche, owner) == []


def test_terminating_withdraws_approvals_so_the_grant_can_close(
    competition, group, owner, official
):
    from payouts.models import Payment
    from payouts.services import grant_close, grant_refund_record, grant_terminate, payment_approve

    grant = prepared_grant(official=official, competition=competition, group=group, owner=owner)
    grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())
    tranche = payment_approve(payment=grant.payments.get(), actor=official)
    assert tranche.status == Payment.Status.APPROVED

    grant_terminate(grant=grant, actor=official, comment="Grupa rozwiązała się.")
    assert grant.payments.get().status == Payment.Status.SCHEDULED
    grant.refresh_from_db()
    if grant.refund_outstanding:
        grant_refund_record(
            grant=grant,
            actor=official,
            amount=grant.refund_outstanding,
            received_on=timezone.localdate(),
        )
    assert grant_close(grant=grant, actor=official).status == "closed"


def test_still_payable_counts_refunds_already_received():
    from decimal import Decimal

    from payouts.settlement import LineSpending, compute_settlement

    settlement = compute_settlement(
        lines=[
            LineSpending(
                key=1,
                name="x",
                planned_grant=Decimal("10000.00"),
                spent_grant=Decimal("9000.00"),
                approved_over=Decimal("0.00"),
            )
        ],
        shift_pct=Decimal("10"),
        awarded=Decimal("10000.00"),
        paid=Decimal("8000.00"),
        refunded=Decimal("2000.00"),
    )
    # The group holds 6,000 of the 9,000 it spent eligibly.
    assert settlement.still_payable == Decimal("3000.00")
