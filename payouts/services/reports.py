"""Partial and final reports: requested or opened, drafted by the grantee,
submitted, accepted or returned by an official. Accepting the final report
computes the settlement."""

import hashlib
from datetime import date

import filetype
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Indicator
from core.errors import RuleViolation, WrongState
from core.transitions import perform_transition, write_audit

from ..models import Grant, Report, ReportAttachment, ReportLine, ReportResult
from ..permissions import can_act_for_grantee, can_manage_grant, can_view_grant
from .closing import settle_if_done, settlement_for, store_settlement
from .common import (
    clean_or_raise,
    grantee_recipients,
    lock_grant,
    lock_report,
    notify_on_commit,
    official_recipients,
    parse_date,
    parse_money,
    require,
    require_status,
    require_transition,
    withdraw_unpayable_approvals,
)

# A partial report can be asked for while the contract runs.
PARTIAL_REPORT_STATES = (Grant.Status.SIGNED, Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)
FINAL_REPORT_STATES = (Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)
SPENDING_FIELDS = ("spent_grant", "spent_own_financial", "spent_own_non_financial")
NARRATIVE_LIMIT = 20000


def report_request(*, grant: Grant, actor, due_date: date, comment: str = "") -> Report:
    """An official asks the grantee for a partial report by `due_date`."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_manage_grant(actor, grant))
        require_status(grant, PARTIAL_REPORT_STATES)
        due_date = parse_date(due_date, "due_date")
        if due_date < timezone.localdate():
            raise RuleViolation(errors={"due_date": [_("The due date cannot be in the past.")]})
        report = Report.objects.create(
            grant=grant,
            kind=Report.Kind.PARTIAL,
            due_date=due_date,
            requested_by=actor,
            request_comment=(comment or "").strip(),
        )
        write_audit(
            report,
            transition="request",
            to_state=report.status,
            actor=actor,
            comment=report.request_comment,
            payload={"grant": grant.pk, "kind": report.kind, "due_date": due_date},
        )
        notify_on_commit(grantee_recipients(grant), "report_requested", grant=grant, report=report)
    return report


def report_final_open(*, grant: Grant, actor) -> Report:
    """The grant's final report, created on first use (by the grantee or an
    official), due `final_report_days` after the project's end. Calling it
    again returns the same report."""
    with transaction.atomic():
        grant = lock_grant(grant)
        require(can_view_grant(actor, grant))
        existing = grant.reports.filter(kind=Report.Kind.FINAL).first()
        if existing is not None:
            return existing
        require_status(grant, FINAL_REPORT_STATES)
        report = Report.objects.create(
            grant=grant, kind=Report.Kind.FINAL, due_date=grant.final_report_due
        )
        write_audit(
            report,
            transition="open",
            to_state=report.status,
            actor=actor,
            payload={"grant": grant.pk, "kind": report.kind, "due_date": report.due_date},
        )
    return report


def _require_grantee_editing(grant: Grant, report: Report, actor) -> None:
    require(can_act_for_grantee(actor, grant))
    if not report.is_editable:
        raise WrongState(
            _("The report cannot be changed now: its status is “%(status)s”.")
            % {"status": report.get_status_display()}
        )


def report_save(*, report: Report, actor, data: dict) -> Report:
    """Save the draft: any of `narrative`, `lines` ([{"budget_line": id,
    "spent_grant", "spent_own_financial", "spent_own_non_financial",
    "comment"}]) and `results` ([{"indicator": id, "actual_value",
    "comment"}]). Rows are matched by budget line and indicator; rows left
    out keep their values. All or nothing: one bad value saves nothing."""
    with transaction.atomic():
        grant, report = lock_report(report)
        _require_grantee_editing(grant, report, actor)
        errors: dict[str, list[str]] = {}
        if "narrative" in data:
            narrative = str(data["narrative"] or "")
            if len(narrative) > NARRATIVE_LIMIT:
                errors["narrative"] = [
                    _("At most %(limit)s characters.") % {"limit": NARRATIVE_LIMIT}
                ]
            else:
                report.narrative = narrative

        budget_lines = {line.pk: line for line in grant.budget_lines.all()}
        existing_lines = {line.budget_line_id: line for line in report.lines.all()}
        lines_to_save = []
        for index, row in enumerate(data.get("lines") or []):
            prefix = f"lines.{index}."
            try:
                budget_line = budget_lines[int(row.get("budget_line"))]
            except (AttributeError, KeyError, TypeError, ValueError):
                errors[f"{prefix}budget_line"] = [_("This line is not part of the grant's budget.")]
                continue
            line = existing_lines.get(budget_line.pk) or ReportLine(
                report=report, budget_line=budget_line
            )
            try:
                for field in SPENDING_FIELDS:
                    if field in row:
                        setattr(line, field, parse_money(row[field], f"{prefix}{field}"))
                if "comment" in row:
                    line.comment = str(row["comment"] or "")
                clean_or_raise(line, exclude=["report", "budget_line"], prefix=prefix)
            except RuleViolation as exc:
                errors.update(exc.errors)
                continue
            lines_to_save.append(line)

        indicators = {
            i.pk: i for i in Indicator.objects.filter(application_id=grant.application_id)
        }
        existing_results = {r.indicator_id: r for r in report.results.all()}
        results_to_save = []
        for index, row in enumerate(data.get("results") or []):
            prefix = f"results.{index}."
            try:
                indicator = indicators[int(row.get("indicator"))]
            except (AttributeError, KeyError, TypeError, ValueError):
                errors[f"{prefix}indicator"] = [_("This is not one of the planned indicators.")]
                continue
            result = existing_results.get(indicator.pk) or ReportResult(
                report=report, indicator=indicator
            )
            try:
                if "actual_value" in row:
                    # Not money, but the same two places and the same refusal of floats.
                    result.actual_value = parse_money(row["actual_value"], f"{prefix}actual_value")
                if "comment" in row:
                    result.comment = str(row["comment"] or "")
                clean_or_raise(result, exclude=["report", "indicator"], prefix=prefix)
            except RuleViolation as exc:
                errors.update(exc.errors)
                continue
            results_to_save.append(result)

        if errors:
            raise RuleViolation(errors=errors)
        for row in (*lines_to_save, *results_to_save):
            row.save()
        report.updated_at = timezone.now()
        report.save(update_fields=["narrative", "updated_at"])
    return report


def submission_problems(grant: Grant, report: Report) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not report.narrative.strip():
        errors["narrative"] = [_("Describe what was done.")]
    if report.kind == Report.Kind.FINAL:
        answered = {r.indicator_id for r in report.results.all()}
        missing = Indicator.objects.filter(application_id=grant.application_id).exclude(
            pk__in=answered
        )
        for indicator in missing:
            errors[f"indicators.{indicator.pk}"] = [
                _("Give the achieved value of “%(indicator)s”.") % {"indicator": indicator.name}
            ]
    return errors


def report_submit(*, report: Report, actor) -> Report:
    """The grantee submits the report (again, after it was returned). A late
    report is still taken; `is_late` shows it. Submitting the final report
    opens the grant's final reporting if the project was still running."""
    with transaction.atomic():
        grant, report = lock_report(report)
        require(can_act_for_grantee(actor, grant))
        name = "resubmit" if report.status == Report.Status.RETURNED else "submit"
        require_transition(report, name)
        if report.kind == Report.Kind.FINAL:
            require_status(grant, FINAL_REPORT_STATES)
        else:
            require_status(grant, PARTIAL_REPORT_STATES)
        errors = submission_problems(grant, report)
        if errors:
            raise RuleViolation(errors=errors)
        now = timezone.now()
        report.submitted_at = now
        report.submitted_by = actor
        report.updated_at = now
        perform_transition(report, name, actor=actor)
        if report.kind == Report.Kind.FINAL and grant.status == Grant.Status.IN_PROGRESS:
            # A consequence, not the grantee's own act (they may not open the
            # reporting themselves), so it is logged as the system's.
            grant.updated_at = now
            perform_transition(
                grant,
                "start_reporting",
                actor=None,
                comment=_("The final report was submitted."),
                payload={"report": report.pk},
            )
        notify_on_commit(official_recipients(grant), "report_submitted", grant=grant, report=report)
    return report


def report_accept(*, report: Report, actor, comment: str = "") -> Report:
    """An official accepts the report. For the final report this computes the
    settlement (eligible spending and refund), and settles the grant at once
    when nothing is to be refunded."""
    with transaction.atomic():
        grant, report = lock_report(report)
        require(can_manage_grant(actor, grant))
        require_transition(report, "accept")
        if report.kind == Report.Kind.FINAL:
            require_status(grant, [Grant.Status.REPORTING])
        now = timezone.now()
        report.reviewed_at = now
        report.reviewed_by = actor
        report.review_comment = (comment or "").strip()
        report.updated_at = now
        perform_transition(report, "accept", actor=actor, comment=report.review_comment)
        if report.kind == Report.Kind.FINAL:
            settlement = settlement_for(grant, report)
            store_settlement(grant, settlement, actor=actor)
            if settlement.still_payable == 0:
                withdraw_unpayable_approvals(
                    grant, actor=actor, comment=_("The settlement leaves nothing more to pay.")
                )
            settle_if_done(grant, actor=actor, comment=_("Nothing is to be refunded."))
        notify_on_commit(grantee_recipients(grant), "report_accepted", grant=grant, report=report)
    return report


def report_return(*, report: Report, actor, comment: str) -> Report:
    """An official returns the report for changes, saying what to change."""
    with transaction.atomic():
        grant, report = lock_report(report)
        require(can_manage_grant(actor, grant))
        require_transition(report, "return_for_changes")
        comment = (comment or "").strip()
        if not comment:
            raise RuleViolation(errors={"comment": [_("Say what needs to change.")]})
        now = timezone.now()
        report.reviewed_at = now
        report.reviewed_by = actor
        report.review_comment = comment
        report.updated_at = now
        perform_transition(report, "return_for_changes", actor=actor, comment=comment)
        notify_on_commit(grantee_recipients(grant), "report_returned", grant=grant, report=report)
    return report


def _accepted_types() -> str:
    return ", ".join(
        sorted({ext.lstrip(".").upper() for ext in settings.ATTACHMENT_CONTENT_TYPES.values()})
    )


def report_attachment_add(
    *, report: Report, actor, upload, description: str = ""
) -> ReportAttachment:
    """Attach a file (invoices, photos, lists of participants) to a report
    being drafted. Same limits as application attachments: size from the
    settings, type read from the content and never from the name."""
    with transaction.atomic():
        grant, report = lock_report(report)
        _require_grantee_editing(grant, report, actor)
        limit = settings.ATTACHMENT_MAX_BYTES
        if upload.size == 0:
            raise RuleViolation(errors={"file": [_("The file is empty.")]})
        if upload.size > limit:
            raise RuleViolation(
                errors={
                    "file": [
                        _("The file is too large (%(size)s); the limit is %(limit)s.")
                        % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
                    ]
                }
            )
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in settings.ATTACHMENT_CONTENT_TYPES:
            raise RuleViolation(
                errors={
                    "file": [
                        _("This type of file is not accepted. Accepted: %(types)s.")
                        % {"types": _accepted_types()}
                    ]
                }
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = ReportAttachment(
            report=report,
            original_name=upload.name[:255],
            content_type=kind.mime,
            size=upload.size,
            sha256=digest.hexdigest(),
            description=(description or "")[:300],
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    return attachment


def report_attachment_delete(*, report: Report, actor, attachment: ReportAttachment) -> None:
    with transaction.atomic():
        grant, report = lock_report(report)
        _require_grantee_editing(grant, report, actor)
        if attachment.report_id != report.pk:
            raise RuleViolation(_("This file belongs to another report."))
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))
