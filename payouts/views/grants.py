"""The grants of my groups, the officials' register, the grant's page, and
its contract as a Word document and as a printable page."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competitions.selectors import competitions_managed_by
from core.errors import RuleViolation, WrongState
from core.roles import roles_for
from core.templatetags.grantownik import pln
from core.transitions import available_transitions
from core.views import login_required

from .. import selectors, services
from ..contracts import DOCX_MIME, contract_filename, render_contract_docx, render_contract_html
from ..forms import GrantFilterForm
from ..models import Grant, Payment, Report
from .common import Viewer, grant_url, history_rows, refuse

REGISTER_PAGE_SIZE = 25
# The project runs (or has run) and its reports are expected.
REPORTING_STATES = (Grant.Status.SIGNED, Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)
# Reports an official has in hand.
SENT = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)


@login_required
def grant_list(request):
    """The grants of my groups (also for a person who is an official too)."""
    mine = selectors.grants_visible_to(request.user).filter(
        group_id__in=roles_for(request.user).group_ids
    )
    return render(
        request,
        "payouts/grant_list.html",
        {"grants": mine, "is_official": bool(roles_for(request.user).operator_ids)},
    )


@login_required
def grant_register(request):
    """Every grant of the official's operators, filtered and paginated."""
    roles = roles_for(request.user)
    if not roles.operator_ids:
        raise PermissionDenied(_("Only officials of an operator see this page."))
    competitions = list(competitions_managed_by(request.user).order_by("-pk"))
    form = GrantFilterForm(request.GET or None, competitions=competitions)
    grants = selectors.with_report_overdue(
        selectors.grants_visible_to(request.user).filter(
            competition__operator_id__in=roles.operator_ids
        )
    ).order_by("competition__title", "contract_number", "pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            grants = grants.filter(status=data["status"])
        if data["competition"]:
            grants = grants.filter(competition_id=data["competition"])
        if data["report_overdue"]:
            grants = grants.filter(report_overdue=True)
        if data["refund_due"]:
            grants = grants.filter(refund_amount__gt=F("refund_paid"))
    page = Paginator(grants, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payouts/grant_register.html",
        {
            "form": form,
            "page": page,
            "grants": page.object_list,
            "query": query.urlencode(),
            "has_groups": bool(roles.group_ids),
        },
    )


def _deadlines(grant: Grant, final: Report | None, today) -> list[dict]:
    """What the grant waits for, each with its day and whether it has passed."""
    rows = []
    if grant.status == Grant.Status.PREPARING and grant.budget_update_pending:
        deadline = grant.budget_update_deadline
        rows.append(
            {
                "label": _("Budget update after the reduced award"),
                "moment": deadline,
                "late": deadline is not None and timezone.now() >= deadline,
            }
        )
    if grant.status in REPORTING_STATES or final is not None:
        sent = final is not None and final.status in SENT
        rows.append(
            {
                "label": _("Final report"),
                "day": grant.final_report_due,
                "done": sent,
                "late": not sent and today > grant.final_report_due,
            }
        )
    if grant.refund_outstanding:
        rows.append(
            {
                "label": _("Refund of %(amount)s") % {"amount": pln(grant.refund_outstanding)},
                "day": grant.refund_due,
                "late": today > grant.refund_due,
            }
        )
    return rows


@login_required
def grant_view(request, pk):
    grant = selectors.grant_detail(request.user, pk)
    viewer = Viewer(request.user, grant)
    transitions = set(available_transitions(grant, request.user))
    lines = list(grant.budget_lines.all())
    payments = list(grant.payments.all())
    reports = list(grant.reports.all())
    final = next((r for r in reports if r.kind == Report.Kind.FINAL), None)
    today = timezone.localdate()

    settlement, settlement_computed = None, False
    if grant.settlement_computed_at is not None and grant.settlement_detail:
        settlement, settlement_computed = grant.settlement_detail, True
    elif viewer.is_official and final is not None and final.status == Report.Status.SUBMITTED:
        # What accepting the final report would compute now.
        preview = selectors.settlement_preview(grant)
        settlement = preview.as_dict() if preview else None

    history = history_rows(selectors.grant_history(grant), payments=payments, reports=reports)
    in_force = grant.status in Grant.PAYABLE
    return render(
        request,
        "payouts/grant_detail.html",
        {
            "grant": grant,
            "viewer": viewer,
            "transitions": transitions,
            "lines": lines,
            "totals": selectors.grant_budget_totals(grant),
            "payments": payments,
            "paid_total": selectors.grant_paid_total(grant),
            "reports": reports,
            "final": final,
            "deadlines": _deadlines(grant, final, today),
            "today": today,
            "settlement": settlement,
            "settlement_computed": settlement_computed,
            "history": history,
            "signing_problems": (
                services.signing_problems(grant)
                if viewer.is_official and "sign" in transitions
                else {}
            ),
            "can_update_budget": viewer.is_grantee
            and grant.status == Grant.Status.PREPARING
            and grant.is_reduced
            and (
                grant.budget_update_deadline is None
                or timezone.now() < grant.budget_update_deadline
            ),
            "can_prepare_contract": viewer.is_official and grant.status == Grant.Status.PREPARING,
            "can_open_final": viewer.is_grantee
            and final is None
            and grant.status in (Grant.Status.IN_PROGRESS, Grant.Status.REPORTING),
            "can_request_report": viewer.is_official and grant.status in REPORTING_STATES,
            "can_pay": viewer.is_official and in_force,
            "can_approve_over": viewer.is_official
            and grant.status in REPORTING_STATES
            and grant.settlement_computed_at is None,
            "can_record_refund": viewer.is_official and grant.status in Grant.REFUNDABLE,
            "has_contract": grant.contract_prepared_at is not None,
            "payment_states": Payment.Status,
        },
    )


@login_required
@require_POST
def final_report_open(request, pk):
    """The grantee starts the final report (created on first use)."""
    grant = selectors.grant_detail(request.user, pk)
    try:
        report = services.report_final_open(grant=grant, actor=request.user)
    except (WrongState, RuleViolation) as exc:
        return refuse(request, exc, grant_url(grant, "reports"))
    return redirect("report-detail", pk=report.pk)


def _contract_response(body, content_type: str, filename: str, *, as_attachment: bool):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def contract_docx(request, pk):
    grant = selectors.grant_detail(request.user, pk)
    return _contract_response(
        render_contract_docx(grant), DOCX_MIME, contract_filename(grant), as_attachment=True
    )


@login_required
def contract_print(request, pk):
    """The contract as a page to print from the browser."""
    grant = selectors.grant_detail(request.user, pk)
    response = _contract_response(
        render_contract_html(grant),
        "text/html; charset=utf-8",
        contract_filename(grant, "html"),
        as_attachment=False,
    )
    # The page is printed, not run: nothing in it may load or execute.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
