"""The contract: preparing its terms and tranche schedule, signing it, the
project's start, the opening of the final reporting, and termination."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError

from core.errors import RuleViolation
from core.transitions import perform_transition, write_audit

from ..models import ZERO, Grant, Payment
from ..permissions import can_manage_grant
from ..selectors import grant_paid_total
from .common import (
    grantee_recipients,
    lock_grant,
    notify_on_commit,
    parse_date,
    parse_money,
    pln,
    require,
    require_transition,
    withdraw_unpayable_approvals,
)
from .creation import normalise_iban

TEXT_FIELDS = {"operator_signatory": 300, "grantee_signatories": 500}


def _short(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _tranches_from_data(grant: Grant, tranches) -> list[Payment]:
    if not isinstance(tranches, list | tuple) or not tranches:
        raise RuleViolation(errors={"tranches": [_("Plan at least one tranche.")]})
    errors: dict[str, list[str]] = {}
    payments: list[Payment] = []
    for index, data in enumerate(tranches):
        prefix = f"tranches.{index}."
        if not isinstance(data, dict):
            errors[f"tranches.{index}"] = [_("Expected a tranche with an amount and a due date.")]
            continue
        try:
            amount = parse_money(data.get("amount"), f"{prefix}amount", positive=True)
            due = parse_date(data.get("due_date"), f"{prefix}due_date")
        except RuleViolation as exc:
            errors.update(exc.errors)
            continue
        if payments and due < payments[-1].due_date:
            errors[f"{prefix}due_date"] = [_("A tranche cannot fall due before the one before it.")]
        payments.append(Payment(grant=grant, order=index + 1, amount=amount, due_date=due))
    if errors:
        raise RuleViolation(errors=errors)
    total = sum((p.amount for p in payments), ZERO)
    if total != grant.amount_awarded:
        raise RuleViolation(
            errors={
                "tranches": [
                    _("The tranches add up to %(total)s, but the award is %(award)s.")
                    % {"total": pln(total), "award": pln(grant.amount_awarded)}
                ]
            }
        )
    return payments


def grant_contract_prepare(*, grant: Grant, actor, data: dict) -> Grant:
    """Set the contract's terms while it is being prepared. `data` may hold:
    contract_number, project_start, project_end, bank_account,
    partial_report_required, operator_signatory, grantee_signatories and
    tranches ([{"amount", "due_date"}, ...] in order, adding up to the award;
    it replaces the schedule). Keys left out keep their value. Changing the
    project's end moves the report and refund deadlines with it."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_transition(grant, "sign")
        competition = grant.competition
        errors: dict[str, list[str]] = {}
        changed: dict[str, object] = {}

        if "contract_number" in data:
            number = str(data["contract_number"] or "").strip()
            if not number or len(number) > 60:
                errors["contract_number"] = [_("Give a contract number of up to 60 characters.")]
            elif (
                Grant.objects.filter(competition=competition, contract_number=number)
                .exclude(pk=grant.pk)
                .exists()
            ):
                errors["contract_number"] = [
                    _("Another contract of this competition has this number.")
                ]
            else:
                changed["contract_number"] = number

        if "bank_account" in data:
            try:
                changed["bank_account"] = normalise_iban(str(data["bank_account"] or ""))
            except StdnumError:
                errors["bank_account"] = [_("This is not a valid IBAN account number.")]

        for field, limit in TEXT_FIELDS.items():
            if field in data:
                value = str(data[field] or "").strip()
                if len(value) > limit:
                    errors[field] = [_("At most %(limit)s characters.") % {"limit": limit}]
                else:
                    changed[field] = value

        if "partial_report_required" in data:
            changed["partial_report_required"] = bool(data["partial_report_required"])

        start, end = grant.project_start, grant.project_end
        try:
            if "project_start" in data:
                start = parse_date(data["project_start"], "project_start")
            if "project_end" in data:
                end = parse_date(data["project_end"], "project_end")
        except RuleViolation as exc:
            errors.update(exc.errors)
        else:
            if start > end:
                errors["project_end"] = [_("The project cannot end before it starts.")]
            elif start < competition.implementation_start or end > competition.implementation_end:
                errors["project_start"] = [
                    _("The project must take place between %(start)s and %(end)s.")
                    % {
                        "start": _short(competition.implementation_start),
                        "end": _short(competition.implementation_end),
                    }
                ]
            else:
                changed["project_start"] = start
                changed["project_end"] = end
                changed["final_report_due"] = end + timedelta(days=competition.final_report_days)
                changed["refund_due"] = end + timedelta(days=competition.refund_days)

        payments = None
        if "tranches" in data:
            try:
                payments = _tranches_from_data(grant, data["tranches"])
            except RuleViolation as exc:
                errors.update(exc.errors)
        if errors:
            raise RuleViolation(errors=errors)

        first_time = grant.contract_prepared_at is None
        now = timezone.now()
        for field, value in changed.items():
            setattr(grant, field, value)
        grant.contract_prepared_at = now
        grant.updated_at = now
        grant.save()
        if payments is not None:
            # Nothing is ever paid before signing, so the schedule can be
            # replaced whole.
            grant.payments.all().delete()
            Payment.objects.bulk_create(payments)
        write_audit(
            grant,
            transition="contract_prepare",
            from_state=grant.status,
            to_state=grant.status,
            actor=actor,
            payload={
                **changed,
                "tranches": [
                    {"order": p.order, "amount": p.amount, "due_date": p.due_date} for p in payments
                ]
                if payments is not None
                else None,
            },
        )
        if first_time:
            notify_on_commit(grantee_recipients(grant), "grant_contract_ready", grant=grant)
    return grant


def signing_problems(grant: Grant) -> dict[str, list[str]]:
    """Everything that must be in place before the contract is signed."""
    errors: dict[str, list[str]] = {}
    if grant.budget_update_pending:
        errors["budget"] = [
            _("The award is lower than requested: the applicant must update the budget first.")
        ]
    lines_total = sum((line.grant_amount for line in grant.budget_lines.all()), ZERO)
    if lines_total != grant.amount_awarded:
        errors.setdefault("budget", []).append(
            _("The grant parts of the budget add up to %(total)s, but the award is %(award)s.")
            % {"total": pln(lines_total), "award": pln(grant.amount_awarded)}
        )
    if grant.contract_prepared_at is None:
        errors["contract"] = [_("Prepare the contract first.")]
    tranches = list(grant.payments.all())
    tranches_total = sum((p.amount for p in tranches), ZERO)
    if not tranches:
        errors["tranches"] = [_("Plan at least one tranche.")]
    elif tranches_total != grant.amount_awarded:
        errors["tranches"] = [
            _("The tranches add up to %(total)s, but the award is %(award)s.")
            % {"total": pln(tranches_total), "award": pln(grant.amount_awarded)}
        ]
    try:
        normalise_iban(grant.bank_account)
    except StdnumError:
        errors["bank_account"] = [_("Give the grantee's bank account (IBAN).")]
    return errors


def grant_sign(*, grant: Grant, actor, signed_on: date) -> Grant:
    """Record that both parties signed the contract on `signed_on`."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_transition(grant, "sign")
        signed_on = parse_date(signed_on, "signed_on")
        errors = signing_problems(grant)
        if signed_on > timezone.localdate():
            errors["signed_on"] = [_("The signing date cannot be in the future.")]
        if errors:
            raise RuleViolation(errors=errors)
        grant.signed_on = signed_on
        grant.updated_at = timezone.now()
        perform_transition(grant, "sign", actor=actor, payload={"signed_on": signed_on})
        notify_on_commit(grantee_recipients(grant), "grant_signed", grant=grant)
    return grant


def grant_start(*, grant: Grant, actor=None, comment: str = "") -> Grant:
    """The project starts: an official, or the scheduled job (no actor) on the
    project's start date."""
    with transaction.atomic():
        grant = lock_grant(grant)
        if actor is not None:
            require(can_manage_grant(actor, grant))
        require_transition(grant, "start")
        grant.updated_at = timezone.now()
        perform_transition(grant, "start", actor=actor, comment=comment)
    return grant


def grant_start_reporting(*, grant: Grant, actor=None, comment: str = "") -> Grant:
    """The project is over and its final report is expected: an official, the
    scheduled job after the project's end, or the final report's submission."""
    with transaction.atomic():
        grant = lock_grant(grant)
        if actor is not None:
            require(can_manage_grant(actor, grant))
        require_transition(grant, "start_reporting")
        grant.updated_at = timezone.now()
        perform_transition(grant, "start_reporting", actor=actor, comment=comment)
    return grant


def grant_terminate(
    *,
    grant: Grant,
    actor,
    comment: str,
    refund_amount: Decimal | None = None,
    terminated_on: date | None = None,
) -> Grant:
    """Terminate a signed contract. The refund due defaults to everything paid
    so far (the official may set less when part was spent as agreed); it falls
    due `refund_days` after the termination."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_transition(grant, "terminate")
        if not (comment or "").strip():
            raise RuleViolation(errors={"comment": [_("Give the reason for the termination.")]})
        today = timezone.localdate()
        terminated_on = parse_date(terminated_on or today, "terminated_on")
        if terminated_on > today:
            raise RuleViolation(errors={"terminated_on": [_("The date cannot be in the future.")]})
        paid = grant_paid_total(grant)
        refund = paid if refund_amount is None else parse_money(refund_amount, "refund_amount")
        if refund > paid:
            raise RuleViolation(
                errors={
                    "refund_amount": [
                        _("The refund cannot be more than the %(paid)s paid.") % {"paid": pln(paid)}
                    ]
                }
            )
        withdraw_unpayable_approvals(grant, actor=actor, comment=_("The contract was terminated."))
        grant.terminated_on = terminated_on
        grant.refund_amount = refund
        grant.refund_due = terminated_on + timedelta(days=grant.competition.refund_days)
        grant.updated_at = timezone.now()
        perform_transition(
            grant,
            "terminate",
            actor=actor,
            comment=comment,
            payload={"paid": paid, "refund_amount": refund, "refund_due": grant.refund_due},
        )
        notify_on_commit(grantee_recipients(grant), "grant_terminated", grant=grant)
    return grant
