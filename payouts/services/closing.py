"""From the accepted final report to the closed grant: the settlement, the
refund received, settling and closing."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from core.transitions import perform_transition, write_audit

from ..models import Grant, Payment, Report
from ..permissions import can_manage_grant
from ..selectors import grant_paid_total, grant_settlement
from ..settlement import Settlement
from .common import (
    lock_grant,
    parse_date,
    parse_money,
    pln,
    require,
    require_status,
    require_transition,
)


def settlement_for(grant: Grant, report: Report) -> Settlement:
    """The settlement of `grant` by its final `report` and what was paid now."""
    return grant_settlement(grant, report, paid=grant_paid_total(grant))


def store_settlement(grant: Grant, settlement: Settlement, *, actor) -> None:
    """Keep the settlement on the grant (inside the caller's transaction, on a
    locked grant) and log it in full."""
    grant.eligible_spending = settlement.eligible_spending
    grant.refund_amount = settlement.refund
    grant.settlement_computed_at = timezone.now()
    grant.settlement_detail = settlement.as_dict()
    grant.updated_at = grant.settlement_computed_at
    grant.save(
        update_fields=[
            "eligible_spending",
            "refund_amount",
            "settlement_computed_at",
            "settlement_detail",
            "updated_at",
        ]
    )
    write_audit(
        grant,
        transition="settlement",
        from_state=grant.status,
        to_state=grant.status,
        actor=actor,
        payload=settlement.as_dict(),
    )


def settle_if_done(grant: Grant, *, actor, comment: str = "") -> bool:
    """Move a reporting grant to settled once its settlement is computed and
    no refund is outstanding. Returns whether it did."""
    if (
        grant.status == Grant.Status.REPORTING
        and grant.settlement_computed_at is not None
        and grant.refund_outstanding == 0
    ):
        perform_transition(
            grant,
            "settle",
            actor=actor,
            comment=comment,
            payload={
                "eligible_spending": grant.eligible_spending,
                "refund_amount": grant.refund_amount,
                "refund_paid": grant.refund_paid,
            },
        )
        return True
    return False


def grant_refund_record(
    *, grant: Grant, actor, amount: Decimal, received_on: date, reference: str = ""
) -> Grant:
    """Record money the grantee returned. Before the settlement it can be no
    more than was paid; after it, no more than is still outstanding. When the
    settled refund is fully received the grant becomes settled."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_status(grant, Grant.REFUNDABLE)
        amount = parse_money(amount, "amount", positive=True)
        received_on = parse_date(received_on, "received_on")
        if received_on > timezone.localdate():
            raise RuleViolation(errors={"received_on": [_("The date cannot be in the future.")]})
        reference = (reference or "").strip()[:100]
        if grant.refund_amount is None:
            limit = grant_paid_total(grant) - grant.refund_paid
            message = _("Only %(limit)s was paid and not yet returned.")
        else:
            limit = grant.refund_outstanding
            message = _("Only %(limit)s of the refund is outstanding.")
        if amount > limit:
            raise RuleViolation(errors={"amount": [message % {"limit": pln(limit)}]})
        grant.refund_paid += amount
        grant.refund_paid_on = received_on
        grant.updated_at = timezone.now()
        grant.save(update_fields=["refund_paid", "refund_paid_on", "updated_at"])
        write_audit(
            grant,
            transition="refund_record",
            from_state=grant.status,
            to_state=grant.status,
            actor=actor,
            payload={
                "amount": amount,
                "received_on": received_on,
                "reference": reference,
                "refund_paid": grant.refund_paid,
            },
        )
        settle_if_done(grant, actor=actor, comment=_("The refund was received in full."))
    return grant


def grant_settle(*, grant: Grant, actor, comment: str = "") -> Grant:
    """Settle a grant whose final report is accepted and refund received (the
    services do this on their own when the last condition is met; this is
    for a settlement that waited on nothing but an official)."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_transition(grant, "settle")
        if grant.settlement_computed_at is None:
            raise RuleViolation(_("The final report has not been accepted yet."))
        if grant.refund_outstanding:
            raise RuleViolation(
                _("%(amount)s of the refund is still outstanding.")
                % {"amount": pln(grant.refund_outstanding)}
            )
        settle_if_done(grant, actor=actor, comment=comment)
    return grant


def grant_close(*, grant: Grant, actor, comment: str = "") -> Grant:
    """Close a settled grant, or a terminated one whose refund was received."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_transition(grant, "close")
        if grant.refund_outstanding:
            raise RuleViolation(
                _("%(amount)s of the refund is still outstanding.")
                % {"amount": pln(grant.refund_outstanding)}
            )
        if grant.payments.filter(status=Payment.Status.APPROVED).exists():
            raise RuleViolation(
                _("A tranche is approved but not paid yet; record the payment before closing.")
            )
        grant.updated_at = timezone.now()
        perform_transition(grant, "close", actor=actor, comment=comment)
    return grant
