"""The formal check: an official records, item by item, whether a submitted
application meets the competition's formal checklist, then accepts it, asks
for a correction, or rejects it.

Each submitted version gets its own round (`FormalCheck`), so what was found
wrong before a correction stays on record. A correction request is possible
only when every failing item is correctable; the window it opens is enforced
by `application_submit` (a resubmission at the deadline or later is refused)
and closed by `formal_reject_overdue`, which the scheduled job runs.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import ChecklistItem, Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from core.notify import send_notice
from core.transitions import perform_transition, write_audit

from .models import Application, FormalCheck, FormalCheckResult
from .permissions import can_act_for_operator
from .services.common import lock_application

# Formal check happens while submissions arrive or after they closed; once the
# review started every application is resolved, and a cancelled competition
# checks nothing.
CHECKING_STATES = (Competition.Status.PUBLISHED, Competition.Status.CLOSED)


def _require_official(actor, application: Application) -> None:
    allowed, reason = can_act_for_operator(actor, application)
    if not allowed:
        raise NotPermitted(reason)


def _require_checkable(application: Application, *states: str) -> None:
    if application.competition.status not in CHECKING_STATES:
        raise WrongState(
            _("The formal check is closed: the competition's status is “%(status)s”.")
            % {"status": application.competition.get_status_display()}
        )
    if application.status not in states:
        raise WrongState(
            _("The formal check cannot be changed now: the application's status is “%(status)s”.")
            % {"status": application.get_status_display()}
        )


def _items(application: Application) -> list[ChecklistItem]:
    return list(application.competition.checklist_items.all())


def _latest_check(application: Application) -> FormalCheck | None:
    return (
        FormalCheck.objects.select_for_update()
        .filter(application=application)
        .order_by("-round")
        .first()
    )


def _open_round(application: Application, *, actor, carry_failed: bool = False) -> FormalCheck:
    """The pending round for the latest submitted version, opened if needed.

    A new round after a correction starts with the items that passed before
    already marked: they were verified on the earlier version, and the official
    sees what changed since (`snapshot_changes`). Failed items start unchecked
    unless `carry_failed` (a rejection of the same, uncorrected version).
    """
    latest = _latest_check(application)
    if latest is not None and not latest.is_concluded:
        return latest
    now = timezone.now()
    check = FormalCheck.objects.create(
        application=application,
        round=(latest.round + 1) if latest else 1,
        snapshot=application.snapshots.order_by("-version").first(),
        checked_by=actor,
        created_at=now,
        updated_at=now,
    )
    kept = {}
    if latest is not None:
        kept = {
            r.item_id: r
            for r in latest.results.all()
            if r.passed is True or (carry_failed and r.passed is False)
        }
    rows = []
    for item in _items(application):
        earlier = kept.get(item.pk)
        rows.append(
            FormalCheckResult(
                formal_check=check,
                item=item,
                passed=earlier.passed if earlier else None,
                comment=earlier.comment if earlier else "",
                checked_by_id=earlier.checked_by_id if earlier else None,
                checked_at=earlier.checked_at if earlier else None,
            )
        )
    FormalCheckResult.objects.bulk_create(rows)
    return check


def _parse_results(items: list[ChecklistItem], results: Iterable[Mapping]) -> dict[int, dict]:
    by_id = {item.pk: item for item in items}
    parsed: dict[int, dict] = {}
    errors: list[str] = []
    for entry in results:
        raw = entry.get("item")
        item_id = raw.pk if isinstance(raw, ChecklistItem) else raw
        try:
            item = by_id[int(item_id)]
        except (KeyError, TypeError, ValueError):
            errors.append(_("There is no such checklist item: %(item)s.") % {"item": item_id})
            continue
        if item.pk in parsed:
            errors.append(_("The item “%(item)s” is given twice.") % {"item": item.text})
            continue
        passed = entry.get("passed")
        if passed not in (True, False, None):
            errors.append(_("Mark “%(item)s” as met or not met.") % {"item": item.text})
            continue
        comment = entry.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > 2000:
            errors.append(
                _("The comment on “%(item)s” must be text of at most 2000 characters.")
                % {"item": item.text}
            )
            continue
        parsed[item.pk] = {"passed": passed, "comment": comment.strip()}
    if errors:
        raise RuleViolation(errors={"results": errors})
    return parsed


@transaction.atomic
def formal_check_save(
    *, application: Application, actor, results: Iterable[Mapping], comment: str | None = None
) -> FormalCheck:
    """Record findings on checklist items, as a draft: nothing is decided yet.

    `results` is a list of {"item": id, "passed": True | False | None,
    "comment": str}; items not mentioned keep what they had.
    """
    application = lock_application(application)
    _require_official(actor, application)
    _require_checkable(application, Application.Status.SUBMITTED)
    findings = _parse_results(_items(application), results)
    check = _open_round(application, actor=actor)
    now = timezone.now()
    rows = {r.item_id: r for r in check.results.select_for_update()}
    changed = []
    for item_id, finding in findings.items():
        row = rows[item_id]
        if (row.passed, row.comment) == (finding["passed"], finding["comment"]):
            continue
        row.passed = finding["passed"]
        row.comment = finding["comment"]
        row.checked_by = actor
        row.checked_at = now
        row.save(update_fields=["passed", "comment", "checked_by", "checked_at"])
        changed.append({"item": item_id, **finding})
    check.checked_by = actor
    check.updated_at = now
    if comment is not None:
        check.comment = comment.strip()
    check.save(update_fields=["checked_by", "updated_at", "comment"])
    write_audit(
        application,
        transition="formal_check_save",
        actor=actor,
        payload={"round": check.round, "changed": changed},
    )
    return check


def _pending_round(application: Application) -> FormalCheck:
    check = _latest_check(application)
    if check is None or check.is_concluded:
        raise RuleViolation(_("Record the formal check of the checklist items first."))
    return check


def _conclude(check: FormalCheck, *, outcome: str, actor, comment: str | None = None) -> None:
    now = timezone.now()
    check.outcome = outcome
    check.concluded_by = actor
    check.concluded_at = now
    check.updated_at = now
    if comment is not None:
        check.comment = comment
    check.save(update_fields=["outcome", "concluded_by", "concluded_at", "updated_at", "comment"])


def _findings_payload(results: Iterable[FormalCheckResult]) -> list[dict]:
    return [
        {"item": r.item_id, "text": r.item.text, "passed": r.passed, "comment": r.comment}
        for r in results
    ]


def _notify_group(application: Application, template: str, context: dict) -> None:
    recipients = list(application.group.members.filter(is_active=True))
    # Written to the outbox in this transaction: it commits with the change.
    send_notice(
        recipients=recipients,
        template=template,
        context={"application": application, **context},
    )


@transaction.atomic
def formal_accept(*, application: Application, actor, comment: str = "") -> Application:
    """Accept formally: every checklist item is met."""
    application = lock_application(application)
    _require_official(actor, application)
    _require_checkable(application, Application.Status.SUBMITTED)
    if _items(application):
        check = _pending_round(application)
    else:
        # Nothing to check; the round still records who accepted and when.
        check = _open_round(application, actor=actor)
    results = list(check.results.select_related("item"))
    unmet = [r.item.text for r in results if r.passed is not True]
    if unmet:
        raise RuleViolation(
            errors={
                "results": [
                    _("Not every item is met; check these first: %(items)s.")
                    % {"items": "; ".join(unmet)}
                ]
            }
        )
    _conclude(check, outcome=FormalCheck.Outcome.ACCEPTED, actor=actor)
    application.updated_at = timezone.now()
    perform_transition(
        application,
        "accept_formally",
        actor=actor,
        comment=comment,
        payload={"round": check.round, "findings": _findings_payload(results)},
    )
    return application


@transaction.atomic
def formal_request_correction(*, application: Application, actor, comment: str = "") -> Application:
    """Ask the applicant to correct the failed items, all of which must be
    correctable, within the competition's correction window from now."""
    application = lock_application(application)
    _require_official(actor, application)
    _require_checkable(application, Application.Status.SUBMITTED)
    check = _pending_round(application)
    results = list(check.results.select_related("item"))
    unchecked = [r.item.text for r in results if r.passed is None]
    if unchecked:
        raise RuleViolation(
            errors={
                "results": [
                    _("Check every item before asking for a correction; unchecked: %(items)s.")
                    % {"items": "; ".join(unchecked)}
                ]
            }
        )
    failed = [r for r in results if r.passed is False]
    if not failed:
        raise RuleViolation(
            errors={"results": [_("Every item is met: accept the application instead.")]}
        )
    fatal = [r.item.text for r in failed if not r.item.correctable]
    if fatal:
        raise RuleViolation(
            errors={
                "results": [
                    _(
                        "These items cannot be corrected, so the application must be rejected: "
                        "%(items)s."
                    )
                    % {"items": "; ".join(fatal)}
                ]
            }
        )
    now = timezone.now()
    application.correction_deadline = now + timedelta(
        days=application.competition.correction_window_days
    )
    application.updated_at = now
    _conclude(
        check,
        outcome=FormalCheck.Outcome.CORRECTION_REQUESTED,
        actor=actor,
        comment=comment.strip(),
    )
    perform_transition(
        application,
        "request_correction",
        actor=actor,
        comment=comment,
        payload={
            "round": check.round,
            "correction_deadline": application.correction_deadline,
            "findings": _findings_payload(failed),
        },
    )
    _notify_group(
        application,
        "formal_correction_requested",
        {"findings": failed, "comment": comment.strip()},
    )
    return application


def _reject(application: Application, *, actor, reasons: str) -> FormalCheck:
    """Conclude the formal check as rejected and run the transition; the
    application is locked by the caller."""
    if application.status == Application.Status.NEEDS_CORRECTION:
        # The round that asked for the correction is concluded; the rejection
        # is a round of its own on the same version, keeping both on record.
        check = _open_round(application, actor=actor, carry_failed=True)
    else:
        check = _pending_round(application)
        if not check.results.filter(passed=False).exists():
            raise RuleViolation(
                errors={
                    "results": [_("No checklist item is marked as not met; mark what fails first.")]
                }
            )
    _conclude(check, outcome=FormalCheck.Outcome.REJECTED, actor=actor, comment=reasons)
    application.updated_at = timezone.now()
    failed = list(check.results.filter(passed=False).select_related("item"))
    perform_transition(
        application,
        "reject_formally",
        actor=actor,
        comment=reasons,
        payload={"round": check.round, "findings": _findings_payload(failed)},
    )
    _notify_group(application, "formal_rejected", {"findings": failed, "reasons": reasons})
    return check


@transaction.atomic
def formal_reject(*, application: Application, actor, reasons: str) -> Application:
    """Reject formally, giving the reasons the applicant will read."""
    application = lock_application(application)
    _require_official(actor, application)
    _require_checkable(
        application, Application.Status.SUBMITTED, Application.Status.NEEDS_CORRECTION
    )
    reasons = (reasons or "").strip()
    if not reasons:
        raise RuleViolation(errors={"reasons": [_("Give the reasons for the rejection.")]})
    _reject(application, actor=actor, reasons=reasons)
    return application


def formal_reject_overdue(*, now=None) -> list[int]:
    """Reject, as the system, every application whose correction deadline has
    passed without a resubmission. Returns the ids rejected by this run.

    Each application is claimed in its own transaction under a row lock and
    re-checked there, so a resubmission that wins the race is left alone, a
    failure on one does not undo the others, and a second run finds nothing.
    """
    now = now or timezone.now()
    due = list(
        Application.objects.filter(
            status=Application.Status.NEEDS_CORRECTION,
            correction_deadline__lte=now,
            competition__status__in=CHECKING_STATES,
        )
        .order_by("correction_deadline", "pk")
        .values_list("pk", flat=True)
    )
    rejected = []
    for pk in due:
        with transaction.atomic():
            application = lock_application(Application(pk=pk))
            if (
                application.status != Application.Status.NEEDS_CORRECTION
                or application.correction_deadline is None
                or application.correction_deadline > now
            ):
                continue
            _reject(
                application,
                actor=None,
                reasons=_("The application was not corrected before the correction deadline."),
            )
            rejected.append(pk)
    return rejected
