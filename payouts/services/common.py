"""Helpers every payouts service uses: row locks, guards, amounts, recipients."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.errors import NotPermitted, RuleViolation, WrongState
from core.models import User
from core.notify import send_notice
from core.transitions import perform_transition

from ..models import Grant, Payment, Report

WARSAW = ZoneInfo("Europe/Warsaw")
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("99999999.99")


def require(check: tuple[bool, str]) -> None:
    allowed, reason = check
    if not allowed:
        raise NotPermitted(reason)


def require_transition(obj: models.Model, name: str) -> None:
    """Refuse early, before any condition is checked, when the object's state
    does not allow the transition: a wrong state is a 409, not a 400."""
    if not can_proceed(getattr(obj, name), check_conditions=False):
        raise WrongState(
            _("This cannot be done now: the current status is “%(status)s”.")
            % {"status": obj.get_status_display()}
        )


def require_status(obj: models.Model, allowed) -> None:
    if obj.status not in allowed:
        raise WrongState(
            _("This cannot be done now: the current status is “%(status)s”.")
            % {"status": obj.get_status_display()}
        )


def clean_or_raise(instance: models.Model, *, exclude=None, prefix: str = "") -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise RuleViolation(
            errors={f"{prefix}{name}": messages for name, messages in exc.message_dict.items()}
        ) from exc


def lock_grant(grant: Grant) -> Grant:
    return _lock_grant(grant.pk)


def _lock_grant(pk: int) -> Grant:
    """Re-read the grant under a row lock; call inside atomic(). Every write to
    a grant, its tranches or its reports takes this lock first, so they queue
    per grant and never deadlock on each other."""
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group", "application")
        .get(pk=pk)
    )


def lock_payment(payment: Payment) -> tuple[Grant, Payment]:
    grant = _lock_grant(payment.grant_id)
    locked = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    locked.grant = grant
    return grant, locked


def lock_report(report: Report) -> tuple[Grant, Report]:
    grant = _lock_grant(report.grant_id)
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    locked.grant = grant
    return grant, locked


def parse_money(value, field: str, *, positive: bool = False, allow_none: bool = False):
    """An amount from a service's input as Decimal with two places, or a
    RuleViolation naming the field. Floats are refused: a binary fraction is
    never an amount of money (the API's DecimalField hands us Decimal)."""
    if value in (None, ""):
        if allow_none:
            return None
        raise RuleViolation(errors={field: [_("Give an amount.")]})
    if isinstance(value, float | bool):
        raise RuleViolation(errors={field: [_("Expected an amount in PLN, e.g. 1234.50.")]})
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise RuleViolation(
            errors={field: [_("Expected an amount in PLN, e.g. 1234.50.")]}
        ) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) > MONEY_LIMIT:
        raise RuleViolation(
            errors={field: [_("Give the amount in PLN with at most two decimals.")]}
        )
    amount = amount.quantize(CENT)
    if amount < 0 or (positive and amount == 0):
        message = (
            _("The amount must be positive.") if positive else _("The amount cannot be negative.")
        )
        raise RuleViolation(errors={field: [message]})
    return amount


def parse_date(value, field: str) -> date:
    if isinstance(value, datetime):
        raise RuleViolation(errors={field: [_("Expected a date.")]})
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise RuleViolation(errors={field: [_("Expected a date (YYYY-MM-DD).")]}) from None


def end_of_day_after(moment: datetime, days: int) -> datetime:
    """The instant a deadline of `days` days from `moment` passes.

    A term counted in days ends with the end of its last day in Warsaw (as in
    KPA art. 57 § 1), not at the same hour: an award on Monday at 15:00 with 7
    days to answer can be answered until the next Monday's midnight. Built
    from the local date, so a DST change inside the term moves nothing.
    """
    last_day = timezone.localtime(moment, WARSAW).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=WARSAW)


def warsaw(moment: datetime) -> str:
    local = timezone.localtime(moment, WARSAW)
    return formats.date_format(local, "DATETIME_FORMAT") + " (" + local.tzname() + ")"


def pln(amount: Decimal) -> str:
    return _("%(amount)s PLN") % {
        "amount": formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    }


def grantee_recipients(grant: Grant) -> list[User]:
    return list(grant.group.members.filter(is_active=True))


def official_recipients(grant: Grant) -> list[User]:
    return list(
        User.objects.filter(
            staff_memberships__operator_id=grant.competition.operator_id, is_active=True
        ).distinct()
    )


def notify_on_commit(recipients, template: str, **context) -> None:
    """Queue the mail in the outbox inside this transaction: it commits with
    the change, goes out after the commit, and never for a change that rolled
    back."""
    if recipients:
        send_notice(recipients=list(recipients), template=template, context=context)


def withdraw_unpayable_approvals(grant: Grant, *, actor, comment: str) -> int:
    """Take back approvals of tranches that can no longer be paid, so that the
    grant can be closed. Call inside the transaction that made them unpayable."""
    approved = list(
        Payment.objects.select_for_update().filter(grant=grant, status=Payment.Status.APPROVED)
    )
    for payment in approved:
        payment.grant = grant
        perform_transition(payment, "withdraw", actor=actor, comment=comment)
    return len(approved)
