"""A report's page: the grantee's form (planned beside actual, saved as they
type), its files, submitting it; the official's reading of it, accepting it
or returning it with comments."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import NotPermitted, RuleViolation, WrongState
from core.files import private_file_response
from core.views import apply_domain_errors, login_required

from .. import selectors, services
from ..forms import (
    SPENDING_FIELDS,
    ReportAcceptForm,
    ReportAttachmentForm,
    ReportForm,
    ReportReturnForm,
)
from ..models import Report
from ..permissions import can_act_for_grantee, can_manage_grant
from .common import Viewer, fragment, grant_url, history_rows, refuse, require

ZERO = Decimal("0.00")
PLANNED = ("grant_amount", "own_financial", "own_non_financial")


def report_url(report, anchor: str = "") -> str:
    url = reverse("report-detail", args=[report.pk])
    return f"{url}#{anchor}" if anchor else url


def _totals(lines) -> dict:
    """Planned and actual sums by source, over the rows of `report_rows`."""
    planned = {name: ZERO for name in PLANNED}
    actual = {name: ZERO for name in SPENDING_FIELDS}
    for budget_line, spent in lines:
        for name in PLANNED:
            planned[name] += getattr(budget_line, name)
        if spent is not None:
            for name in SPENDING_FIELDS:
                actual[name] += getattr(spent, name)
    return {
        "planned": planned,
        "actual": actual,
        "planned_own": planned["own_financial"] + planned["own_non_financial"],
        "actual_own": actual["spent_own_financial"] + actual["spent_own_non_financial"],
    }


def _report_form(report, lines, indicators, data=None) -> ReportForm:
    return ReportForm(data, lines=lines, indicators=indicators, report=report)


def report_page(request, report, *, form=None, bound=None, status=200, refusals=()):
    """The whole page; `form` is the report form posted, `bound` other forms
    by name (a file upload, the official's review) posted with errors."""
    bound = bound or {}
    grant = report.grant
    viewer = Viewer(request.user, grant)
    lines, indicators = selectors.report_rows(report)
    editable = viewer.is_grantee and report.is_editable
    if editable and form is None:
        form = _report_form(report, lines, indicators)
    settlement = None
    if (
        viewer.is_official
        and report.kind == Report.Kind.FINAL
        and report.status == Report.Status.SUBMITTED
    ):
        paid = selectors.grant_paid_total(grant)
        settlement = selectors.grant_settlement(grant, report, paid=paid).as_dict()
    context = {
        "report": report,
        "grant": grant,
        "viewer": viewer,
        "editable": editable,
        "form": form if editable else None,
        "form_rows": form.rows() if editable else None,
        "lines": lines,
        "indicators": indicators,
        "totals": _totals(lines),
        "attachments": list(report.attachments.all()),
        "attachment_form": bound.get("attachment") or ReportAttachmentForm(prefix="attachment"),
        "can_review": viewer.is_official and report.status == Report.Status.SUBMITTED,
        "accept_form": bound.get("accept") or ReportAcceptForm(prefix="accept"),
        "return_form": bound.get("return") or ReportReturnForm(prefix="return"),
        "settlement": settlement,
        "history": history_rows(selectors.report_history(report), model=Report),
        "refusals": refusals,
        "max_size": settings.ATTACHMENT_MAX_BYTES,
        "today": timezone.localdate(),
    }
    return render(request, "payouts/report.html", context, status=status)


@login_required
def report_view(request, pk):
    return report_page(request, selectors.report_detail(request.user, pk))


def _grantee_report(request, pk) -> Report:
    report = selectors.report_detail(request.user, pk)
    require(can_act_for_grantee(request.user, report.grant))
    return report


def _save(request, report, form) -> bool:
    """Validate and save the posted form; False with its errors on it."""
    if not form.is_valid():
        return False
    data, aliases = form.service_data()
    try:
        services.report_save(report=report, actor=request.user, data=data)
    except RuleViolation as exc:
        apply_domain_errors(form, exc, aliases)
        return False
    return True


def _conflict(request, report, exc):
    """The report cannot be changed now (submitted meanwhile, accepted...)."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.messages[0]) from exc
    if request.htmx:
        response = fragment(
            request,
            "payouts/report/_status.html",
            {"refused": exc.messages},
            marker="conflict",
            status=409,
        )
        # Only the status line changes; the form keeps what was typed.
        response["HX-Reswap"] = "none"
        return response
    return refuse(request, exc, report_url(report))


@login_required
@require_POST
def report_save(request, pk):
    """Autosave (htmx) and the plain “save the draft” button."""
    report = _grantee_report(request, pk)
    lines, indicators = selectors.report_rows(report)
    form = _report_form(report, lines, indicators, request.POST)
    try:
        saved = _save(request, report, form)
    except (WrongState, NotPermitted) as exc:
        return _conflict(request, report, exc)
    if request.htmx:
        context = {"form": form, "saved_at": timezone.now() if saved else None}
        if saved:
            fresh = selectors.report_detail(request.user, pk)
            context["totals"] = _totals(selectors.report_rows(fresh)[0])
        return fragment(
            request,
            "payouts/report/_status.html",
            context,
            marker="saved" if saved else "invalid",
            status=200 if saved else 422,
        )
    if saved:
        messages.success(request, _("The draft is saved."))
        return redirect(report_url(report, "report-form"))
    return report_page(request, report, form=form, status=422)


@login_required
@require_POST
def report_submit(request, pk):
    """Save what the form holds, then submit; the submission check's
    messages come back on the fields."""
    report = _grantee_report(request, pk)
    lines, indicators = selectors.report_rows(report)
    posted = "narrative" in request.POST
    form = _report_form(report, lines, indicators, request.POST) if posted else None
    try:
        if posted and not _save(request, report, form):
            return report_page(request, report, form=form, status=422)
        services.report_submit(report=report, actor=request.user)
    except (WrongState, NotPermitted) as exc:
        return refuse(request, exc, report_url(report))
    except RuleViolation as exc:
        refusals = [_("The report was not submitted. Complete what is marked below.")]
        if form is None:
            refusals.extend(exc.messages)
        else:
            apply_domain_errors(form, exc, form.submission_aliases())
        report = selectors.report_detail(request.user, pk)
        return report_page(request, report, form=form, status=422, refusals=refusals)
    messages.success(request, _("The report is submitted. The operator has been told."))
    return redirect(grant_url(report.grant, "reports"))


@login_required
@require_POST
def report_review(request, pk, decision):
    """An official accepts the report or returns it with comments."""
    if decision not in ("accept", "return"):
        raise Http404
    report = selectors.report_detail(request.user, pk)
    require(can_manage_grant(request.user, report.grant))
    form_class = ReportAcceptForm if decision == "accept" else ReportReturnForm
    form = form_class(request.POST, prefix=decision)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if decision == "accept":
                services.report_accept(report=report, actor=request.user, comment=comment)
            else:
                services.report_return(report=report, actor=request.user, comment=comment)
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, report_url(report))
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            if decision == "return":
                messages.success(request, _("The report was returned to the group for changes."))
                return redirect(grant_url(report.grant, "reports"))
            messages.success(request, _("The report is accepted."))
            anchor = "settlement" if report.kind == Report.Kind.FINAL else "reports"
            return redirect(grant_url(report.grant, anchor))
    return report_page(request, report, bound={decision: form}, status=422)


# Files


@login_required
@require_POST
def attachment_add(request, pk):
    report = _grantee_report(request, pk)
    form = ReportAttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        try:
            services.report_attachment_add(
                report=report,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, report_url(report))
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The file was attached."))
            return redirect(report_url(report, "attachments"))
    return report_page(request, report, bound={"attachment": form}, status=422)


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    report = _grantee_report(request, pk)
    attachment = next((a for a in report.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    try:
        services.report_attachment_delete(report=report, actor=request.user, attachment=attachment)
    except (WrongState, NotPermitted, RuleViolation) as exc:
        return refuse(request, exc, report_url(report, "attachments"))
    messages.success(request, _("The file was removed."))
    return redirect(report_url(report, "attachments"))


@login_required
def attachment_download(request, pk, attachment_pk):
    """Files live in private storage; this is the only way out, and the
    selector answers 404 to anyone who may not see the report."""
    attachment = selectors.report_attachment_for_download(request.user, attachment_pk)
    if attachment.report_id != pk:
        raise Http404
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
