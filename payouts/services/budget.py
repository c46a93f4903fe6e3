"""The agreed budget: the applicant's update after a reduced award (or the
resignation instead), and changes the operator approves for a line later."""

from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.rules import budget_totals
from core.errors import RuleViolation, WrongState
from core.transitions import perform_transition, write_audit

from ..models import Grant, GrantBudgetLine
from ..permissions import can_act_for_grantee, can_decline_grant, can_manage_grant
from .common import (
    clean_or_raise,
    grantee_recipients,
    lock_grant,
    notify_on_commit,
    official_recipients,
    parse_money,
    pln,
    require,
    require_status,
    require_transition,
    warsaw,
)

LINE_TEXT_FIELDS = ("category", "name", "unit")
LINE_MONEY_FIELDS = ("unit_cost", "grant_amount", "own_financial", "own_non_financial")


def _line_from_data(grant: Grant, data: dict, index: int, existing: dict) -> GrantBudgetLine:
    prefix = f"lines.{index}."
    line_id = data.get("id")
    if line_id is not None:
        try:
            line = existing[int(line_id)]
        except (KeyError, TypeError, ValueError):
            raise RuleViolation(
                errors={f"{prefix}id": [_("This line is not part of the grant's budget.")]}
            ) from None
    else:
        line = GrantBudgetLine(grant=grant)
    for field in LINE_TEXT_FIELDS:
        if field in data:
            setattr(line, field, data[field])
    for field in LINE_MONEY_FIELDS:
        if field in data:
            setattr(line, field, parse_money(data[field], f"{prefix}{field}"))
    if "quantity" in data:
        # A quantity is not money, but it has the same two places.
        line.quantity = parse_money(data["quantity"], f"{prefix}quantity")
    if "is_volunteer_work" in data:
        line.is_volunteer_work = bool(data["is_volunteer_work"])
    line.position = index
    clean_or_raise(line, exclude=["grant", "source_line"], prefix=prefix)
    return line


def budget_problems(grant: Grant, lines: list[GrantBudgetLine]) -> dict[str, list[str]]:
    """What keeps a budget from being agreed for this grant: each line's sources
    must cover its cost, the grant parts must add up to the award, and the
    competition's own-contribution and administrative-cost rules still hold
    (measured, as at submission, against the grant amount)."""
    competition = grant.competition
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("The budget needs at least one line.")]
        return errors
    for index, line in enumerate(lines):
        if line.sources_total != line.total:
            errors.setdefault(f"lines.{index}", []).append(
                _("The sources add up to %(sources)s, but the cost is %(total)s.")
                % {"sources": pln(line.sources_total), "total": pln(line.total)}
            )
        rate = competition.volunteer_hour_rate
        if line.is_volunteer_work and rate is not None and line.unit_cost > rate:
            errors.setdefault(f"lines.{index}", []).append(
                _("An hour of volunteer work may be valued at most %(rate)s.") % {"rate": pln(rate)}
            )
    totals = budget_totals(lines)
    if totals["grant"] != grant.amount_awarded:
        errors.setdefault("grant_amount", []).append(
            _("The grant parts add up to %(grant)s, but the award is %(award)s.")
            % {"grant": pln(totals["grant"]), "award": pln(grant.amount_awarded)}
        )
    if totals["grant"]:
        if totals["own_share_pct"] < competition.own_contribution_min_pct:
            errors.setdefault("own_contribution", []).append(
                _(
                    "The own contribution is %(share)s%% of the grant; at least %(min)s%% is required."
                )
                % {"share": totals["own_share_pct"], "min": competition.own_contribution_min_pct}
            )
        if totals["own_financial_share_pct"] < competition.own_financial_min_pct:
            errors.setdefault("own_financial", []).append(
                _(
                    "The financial own contribution is %(share)s%% of the grant; at least "
                    "%(min)s%% is required."
                )
                % {
                    "share": totals["own_financial_share_pct"],
                    "min": competition.own_financial_min_pct,
                }
            )
        if totals["administrative_share_pct"] > competition.admin_costs_max_pct:
            errors.setdefault("administrative", []).append(
                _(
                    "Administrative costs take %(share)s%% of the grant; at most %(max)s%% is allowed."
                )
                % {
                    "share": totals["administrative_share_pct"],
                    "max": competition.admin_costs_max_pct,
                }
            )
    return errors


def grant_budget_update(*, grant: Grant, actor, lines: list[dict]) -> Grant:
    """Replace the agreed budget after a reduced award.

    `lines` is the whole new budget: a line with the `id` of an existing one
    changes it, a line without an id is added, and existing lines left out are
    removed. Allowed until `budget_update_deadline` (the server's clock; at
    the deadline it is already refused), any number of times before it.
    """
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_act_for_grantee(actor, grant))
        require_status(grant, [Grant.Status.PREPARING])
        if not grant.is_reduced:
            raise WrongState(
                _("The budget is updated only when the award is lower than requested.")
            )
        now = timezone.now()
        if grant.budget_update_deadline is not None and now >= grant.budget_update_deadline:
            raise RuleViolation(
                errors={
                    "budget_update_deadline": [
                        _(
                            "The budget could be updated until the end of %(day)s (%(deadline)s); "
                            "that time has passed."
                        )
                        % {
                            "day": formats.date_format(grant.budget_update_last_day, "DATE_FORMAT"),
                            "deadline": warsaw(grant.budget_update_deadline),
                        }
                    ]
                }
            )
        if not isinstance(lines, list | tuple):
            raise RuleViolation(errors={"lines": [_("Expected a list of budget lines.")]})
        existing = {line.pk: line for line in grant.budget_lines.all()}
        errors: dict[str, list[str]] = {}
        new_lines: list[GrantBudgetLine] = []
        for index, data in enumerate(lines):
            if not isinstance(data, dict):
                errors[f"lines.{index}"] = [_("Expected a budget line.")]
                continue
            try:
                new_lines.append(_line_from_data(grant, data, index, existing))
            except RuleViolation as exc:
                errors.update(exc.errors)
        kept = [line.pk for line in new_lines if line.pk is not None]
        if len(kept) != len(set(kept)):
            errors.setdefault("lines", []).append(_("A budget line is listed twice."))
        if errors:
            raise RuleViolation(errors=errors)
        errors = budget_problems(grant, new_lines)
        if errors:
            raise RuleViolation(errors=errors)
        GrantBudgetLine.objects.filter(grant=grant).exclude(pk__in=kept).delete()
        for line in new_lines:
            line.save()
        grant.budget_updated_at = now
        grant.updated_at = now
        grant.save(update_fields=["budget_updated_at", "updated_at"])
        totals = budget_totals(new_lines)
        write_audit(
            grant,
            transition="budget_update",
            from_state=grant.status,
            to_state=grant.status,
            actor=actor,
            payload={
                "lines": [
                    {
                        "id": line.pk,
                        "name": line.name,
                        "total": line.total,
                        "grant_amount": line.grant_amount,
                        "own_financial": line.own_financial,
                        "own_non_financial": line.own_non_financial,
                    }
                    for line in new_lines
                ],
                "grant": totals["grant"],
                "own_share_pct": totals["own_share_pct"],
            },
        )
        notify_on_commit(official_recipients(grant), "grant_budget_updated", grant=grant)
    return grant


def grant_decline(*, grant: Grant, actor, comment: str = "") -> Grant:
    """The applicant resigns from the grant before the contract is signed (an
    official may record a resignation the group sent on paper)."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_decline_grant(actor, grant))
        require_transition(grant, "decline")
        grant.updated_at = timezone.now()
        perform_transition(grant, "decline", actor=actor, comment=comment)
        notify_on_commit(
            grantee_recipients(grant) + official_recipients(grant), "grant_declined", grant=grant
        )
    return grant


def grant_decline_lapsed(*, grant: Grant) -> Grant:
    """Run by the scheduled job for a reduced award whose budget was not
    updated in time: the grant is declined by the system. Re-checked under the
    lock, so a late run or a second run changes nothing."""
    with transaction.atomic():
        grant = lock_grant(grant)
        deadline = grant.budget_update_deadline
        if (
            grant.status != Grant.Status.PREPARING
            or not grant.budget_update_pending
            or deadline is None
            or timezone.now() < deadline
        ):
            return grant
        grant.updated_at = timezone.now()
        perform_transition(
            grant,
            "decline",
            actor=None,
            comment=_("The budget was not updated by %(deadline)s.")
            % {"deadline": warsaw(deadline)},
            payload={"budget_update_deadline": deadline},
        )
        notify_on_commit(
            grantee_recipients(grant) + official_recipients(grant), "grant_declined", grant=grant
        )
    return grant


def grant_line_approve_over(
    *, grant: Grant, actor, line: GrantBudgetLine, amount: Decimal, comment: str = ""
) -> GrantBudgetLine:
    """Record the operator's consent for a line to use up to `amount` more of
    the grant than planned (0 withdraws it). Possible until the settlement."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        if grant.settlement_computed_at is not None:
            raise WrongState(_("The grant is already settled; the budget can no longer change."))
        require_status(
            grant, [Grant.Status.SIGNED, Grant.Status.IN_PROGRESS, Grant.Status.REPORTING]
        )
        line = GrantBudgetLine.objects.select_for_update().filter(pk=line.pk, grant=grant).first()
        if line is None:
            raise RuleViolation(
                errors={"line": [_("This line is not part of the grant's budget.")]}
            )
        approved = parse_money(amount, "amount")
        previous = line.approved_over
        line.approved_over = approved
        line.save(update_fields=["approved_over"])
        write_audit(
            grant,
            transition="approve_change",
            from_state=grant.status,
            to_state=grant.status,
            actor=actor,
            comment=comment,
            payload={
                "line": line.pk,
                "name": line.name,
                "planned_grant": line.grant_amount,
                "approved_over_before": previous,
                "approved_over": approved,
            },
        )
    return line
