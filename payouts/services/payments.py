"""Tranches: approving one for payment and recording that it was paid.

Both take the grant's row lock, then the tranche's: two officials pressing
"paid" at once queue on the lock, and the second finds the tranche paid and
gets a 409 (the model's ConcurrentTransitionMixin refuses the save as well,
should anything ever skip the lock).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation, WrongState
from core.transitions import perform_transition

from ..models import Grant, Payment, Report
from ..permissions import can_manage_grant
from ..selectors import still_payable
from .common import (
    grantee_recipients,
    lock_payment,
    notify_on_commit,
    parse_date,
    parse_money,
    pln,
    require,
    require_transition,
)


def _require_payable_grant(grant: Grant) -> None:
    if grant.status not in Grant.PAYABLE:
        raise WrongState(
            _("No tranche can be paid while the grant's status is “%(status)s”.")
            % {"status": grant.get_status_display()}
        )


def tranche_problems(grant: Grant, payment: Payment) -> list[str]:
    """What keeps a tranche from being approved now."""
    problems = []
    if grant.partial_report_required and payment.order > 1:
        # Tranche n waits for n - 1 accepted partial reports.
        needed = payment.order - 1
        accepted = grant.reports.filter(
            kind=Report.Kind.PARTIAL, status=Report.Status.ACCEPTED
        ).count()
        if accepted < needed:
            problems.append(
                _(
                    "Tranche %(order)s is paid after %(needed)s accepted partial report(s); "
                    "%(accepted)s so far."
                )
                % {"order": payment.order, "needed": needed, "accepted": accepted}
            )
    return problems


def payment_approve(*, payment: Payment, actor, comment: str = "") -> Payment:
    with transaction.atomic():
        grant, payment = lock_payment(payment)
        require(can_manage_grant(actor, grant))
        require_transition(payment, "approve")
        _require_payable_grant(grant)
        if still_payable(grant) == Decimal("0.00"):
            raise RuleViolation(_("After the settlement nothing more may be paid on this grant."))
        problems = tranche_problems(grant, payment)
        if problems:
            raise RuleViolation(errors={"non_field_errors": problems})
        payment.approved_at = timezone.now()
        payment.approved_by = actor
        perform_transition(payment, "approve", actor=actor, comment=comment)
    return payment


def payment_pay(
    *,
    payment: Payment,
    actor,
    paid_on: date,
    bank_reference: str = "",
    amount: Decimal | None = None,
    comment: str = "",
) -> Payment:
    """Record that an approved tranche left the operator's account.

    `amount` defaults to the tranche's; it may be lower, never higher. Once
    the final report is settled, nothing may be paid beyond the eligible
    spending, so the last tranche is cut to what is still payable."""
    with transaction.atomic():
        grant, payment = lock_payment(payment)
        require(can_manage_grant(actor, grant))
        require_transition(payment, "pay")
        _require_payable_grant(grant)
        paid_on = parse_date(paid_on, "paid_on")
        if paid_on > timezone.localdate():
            raise RuleViolation(errors={"paid_on": [_("The date cannot be in the future.")]})
        amount = payment.amount if amount is None else parse_money(amount, "amount", positive=True)
        if amount > payment.amount:
            raise RuleViolation(
                errors={
                    "amount": [
                        _("The tranche is %(amount)s; no more can be paid on it.")
                        % {"amount": pln(payment.amount)}
                    ]
                }
            )
        payable = still_payable(grant)
        if payable is not None and amount > payable:
            raise RuleViolation(
                errors={
                    "amount": [
                        _("After the settlement only %(payable)s may still be paid.")
                        % {"payable": pln(payable)}
                    ]
                }
            )
        payment.amount_paid = amount
        payment.paid_on = paid_on
        payment.bank_reference = (bank_reference or "").strip()[:100]
        payment.paid_recorded_by = actor
        perform_transition(
            payment,
            "pay",
            actor=actor,
            comment=comment,
            payload={
                "amount_paid": amount,
                "paid_on": paid_on,
                "bank_reference": payment.bank_reference,
            },
        )
        notify_on_commit(grantee_recipients(grant), "payment_paid", grant=grant, payment=payment)
    return payment


def payment_withdraw(*, payment: Payment, actor, comment: str) -> Payment:
    """Take back the approval of a tranche not yet paid, with the reason."""
    with transaction.atomic():
        grant, payment = lock_payment(payment)
        require(can_manage_grant(actor, grant))
        require_transition(payment, "withdraw")
        if not (comment or "").strip():
            raise RuleViolation(errors={"comment": [_("Give the reason.")]})
        perform_transition(payment, "withdraw", actor=actor, comment=comment)
    return payment
