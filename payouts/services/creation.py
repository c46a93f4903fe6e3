"""Turning awarded applications into grants, and the competition's payment rules."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError

from applications.models import Application
from competitions.models import Competition
from competitions.permissions import can_manage
from core.errors import RuleViolation, WrongState
from core.transitions import write_audit

from ..models import CompetitionPayoutSettings, Grant, GrantBudgetLine
from .common import (
    end_of_day_after,
    grantee_recipients,
    notify_on_commit,
    parse_money,
    pln,
    require,
)

BUDGET_FIELDS = (
    "position",
    "category",
    "name",
    "unit",
    "quantity",
    "unit_cost",
    "grant_amount",
    "own_financial",
    "own_non_financial",
    "is_volunteer_work",
)


def normalise_iban(value: str) -> str:
    """The account compact and checked, with PL assumed for bare 26 digits
    (how Polish banks print them). Raises StdnumError when it is not valid."""
    value = (value or "").strip()
    if value[:2].isdigit():
        value = "PL" + value
    return iban.validate(value)


def _award_problems(application: Application, amount) -> list[str]:
    problems = []
    if application.status != Application.Status.AWARDED:
        problems.append(
            _("Application %(number)s is not awarded (status: “%(status)s”).")
            % {"number": application.number, "status": application.get_status_display()}
        )
    if Grant.objects.filter(application=application).exists():
        problems.append(
            _("Application %(number)s already has a grant.") % {"number": application.number}
        )
    requested = application.amount_requested
    if requested is not None and amount > requested:
        problems.append(
            _("The award %(award)s is more than the %(requested)s requested.")
            % {"award": pln(amount), "requested": pln(requested)}
        )
    if application.start_date is None or application.end_date is None:
        problems.append(_("The application has no project dates."))
    return problems


def _build_grant(application: Application, amount: Decimal, actor) -> Grant:
    competition = application.competition
    now = timezone.now()
    rules = CompetitionPayoutSettings.objects.filter(competition=competition).first()
    try:
        account = normalise_iban(application.group.bank_account)
    except StdnumError:
        # Checked again before signing; a missing or bad account must not
        # stop the whole decision.
        account = ""
    grant = Grant(
        application=application,
        competition=competition,
        group=application.group,
        amount_requested=application.amount_requested,
        amount_awarded=amount,
        contract_number=application.number or f"{competition.number_prefix}/{application.pk}",
        project_start=application.start_date,
        project_end=application.end_date,
        shift_pct=competition.budget_shift_pct,
        final_report_due=application.end_date + timedelta(days=competition.final_report_days),
        refund_due=application.end_date + timedelta(days=competition.refund_days),
        bank_account=account,
        partial_report_required=bool(rules and rules.partial_report_required),
        created_at=now,
        updated_at=now,
    )
    if grant.is_reduced:
        grant.budget_update_deadline = end_of_day_after(now, competition.budget_update_days)
    grant.save()
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(
            grant=grant,
            source_line=line,
            **{field: getattr(line, field) for field in BUDGET_FIELDS},
        )
        for line in application.budget_lines.all()
    )
    write_audit(
        grant,
        transition="create",
        to_state=grant.status,
        actor=actor,
        payload={
            "application": application.number,
            "amount_requested": grant.amount_requested,
            "amount_awarded": grant.amount_awarded,
            "budget_update_deadline": grant.budget_update_deadline,
        },
    )
    notify_on_commit(grantee_recipients(grant), "grant_awarded", grant=grant)
    return grant


def grants_create_for_competition(
    *, competition: Competition, awards: dict[int, Decimal], actor=None
) -> list[Grant]:
    """One grant per awarded application, `awards` mapping application id to
    the amount awarded. Meant to run inside the decision's own transaction
    after the applications were moved to awarded; every problem is reported at
    once and nothing is created unless all are fine. `actor` None is the
    system."""
    with transaction.atomic():
        if actor is not None:
            require(can_manage(actor, competition))
        applications = {
            app.pk: app
            for app in Application.objects.select_for_update(of=("self",))
            .select_related("competition", "group")
            .prefetch_related("budget_lines")
            .filter(pk__in=list(awards), competition=competition)
            .order_by("pk")
        }
        errors: dict[str, list[str]] = {}
        amounts: dict[int, Decimal] = {}
        for app_id, raw in awards.items():
            field = f"awards.{app_id}"
            application = applications.get(app_id)
            if application is None:
                errors[field] = [_("There is no such application in this competition.")]
                continue
            try:
                amounts[app_id] = parse_money(raw, field, positive=True)
            except RuleViolation as exc:
                errors.update(exc.errors)
                continue
            problems = _award_problems(application, amounts[app_id])
            if problems:
                errors[field] = problems
        if errors:
            raise RuleViolation(errors=errors)
        return [_build_grant(applications[pk], amounts[pk], actor) for pk in sorted(amounts)]


def grant_create(*, application: Application, amount_awarded: Decimal, actor=None) -> Grant:
    """The grant of one application awarded later, e.g. from the reserve list."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("competition", "group")
            .get(pk=application.pk)
        )
        if actor is not None:
            require(can_manage(actor, application.competition))
        if application.status != Application.Status.AWARDED or hasattr(application, "grant"):
            raise WrongState(
                _("Only an awarded application without a grant can get one (status: “%(status)s”).")
                % {"status": application.get_status_display()}
            )
        amount = parse_money(amount_awarded, "amount_awarded", positive=True)
        problems = _award_problems(application, amount)
        if problems:
            raise RuleViolation(errors={"amount_awarded": problems})
        return _build_grant(application, amount, actor)


def payout_settings_update(
    *, competition: Competition, actor, partial_report_required: bool
) -> CompetitionPayoutSettings:
    """Change the competition's payment rules. Grants made earlier keep theirs:
    a contract's terms are fixed when it is prepared."""
    with transaction.atomic():
        require(can_manage(actor, competition))
        rules, _created = CompetitionPayoutSettings.objects.select_for_update().get_or_create(
            competition=competition
        )
        rules.partial_report_required = bool(partial_report_required)
        rules.save()
        write_audit(
            competition,
            transition="payout_settings",
            actor=actor,
            payload={"partial_report_required": rules.partial_report_required},
        )
    return rules
