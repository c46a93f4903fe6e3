"""Reads a user sees, scoped to what that user may see: applicants their
groups' grants, officials their operator's. What is out of scope is simply
not there, so a detail view answers 404 for it."""

from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Indicator
from applications.rules import budget_totals
from competitions.models import Competition
from core.models import AuditEntry
from core.roles import roles_for

from .models import (
    ZERO,
    CompetitionPayoutSettings,
    Grant,
    Payment,
    Report,
    ReportAttachment,
    ReportLine,
    ReportResult,
)
from .settlement import LineSpending, Settlement, compute_settlement


def _visible(user, prefix: str = "") -> Q:
    roles = roles_for(user)
    return Q(**{f"{prefix}group_id__in": roles.group_ids}) | Q(
        **{f"{prefix}competition__operator_id__in": roles.operator_ids}
    )


def _paid_total():
    return Coalesce(
        Sum("payments__amount_paid", filter=Q(payments__status=Payment.Status.PAID)),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def grants_visible_to(user) -> QuerySet[Grant]:
    """Each grant with `paid_total` (sum of the tranches paid) annotated."""
    return (
        Grant.objects.filter(_visible(user))
        .select_related("competition", "competition__operator", "group", "application")
        .annotate(paid_total=_paid_total())
        .order_by("-created_at", "-pk")
    )


def grants_of_competition(user, competition: Competition) -> QuerySet[Grant]:
    return grants_visible_to(user).filter(competition=competition).order_by("contract_number", "pk")


def grant_parts_prefetch() -> list:
    return [
        "budget_lines",
        "payments",
        Prefetch("reports", queryset=Report.objects.order_by("due_date", "pk")),
        Prefetch("application__indicators", queryset=Indicator.objects.order_by("position", "pk")),
    ]


def grant_detail(user, pk) -> Grant:
    return get_object_or_404(
        grants_visible_to(user).prefetch_related(*grant_parts_prefetch()), pk=pk
    )


def grant_budget_totals(grant: Grant) -> dict[str, Decimal]:
    """Totals and shares of the agreed budget (lines prefetched or not)."""
    return budget_totals(list(grant.budget_lines.all()))


def grant_paid_total(grant: Grant) -> Decimal:
    annotated = getattr(grant, "paid_total", None)
    if annotated is not None:
        return annotated
    total = grant.payments.filter(status=Payment.Status.PAID).aggregate(total=Sum("amount_paid"))
    return total["total"] or ZERO


def payments_visible_to(user) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(_visible(user, "grant__"))
        .select_related("grant", "grant__competition", "grant__group")
        .order_by("due_date", "grant_id", "order")
    )


def payment_detail(user, pk) -> Payment:
    return get_object_or_404(payments_visible_to(user), pk=pk)


def reports_visible_to(user) -> QuerySet[Report]:
    return (
        Report.objects.filter(_visible(user, "grant__"))
        .select_related("grant", "grant__competition", "grant__group", "grant__application")
        .order_by("due_date", "pk")
    )


def report_detail(user, pk) -> Report:
    return get_object_or_404(
        reports_visible_to(user).prefetch_related(
            Prefetch("lines", queryset=ReportLine.objects.select_related("budget_line")),
            Prefetch("results", queryset=ReportResult.objects.select_related("indicator")),
            "attachments",
            "grant__budget_lines",
            Prefetch(
                "grant__application__indicators",
                queryset=Indicator.objects.order_by("position", "pk"),
            ),
        ),
        pk=pk,
    )


def report_rows(report: Report) -> tuple[list[tuple], list[tuple]]:
    """The report's form as rows: every line of the agreed budget with its
    spending (or None), and every planned indicator with its result (or
    None). Use on a report from `report_detail` to run no extra queries."""
    spending = {line.budget_line_id: line for line in report.lines.all()}
    results = {result.indicator_id: result for result in report.results.all()}
    lines = [(line, spending.get(line.pk)) for line in report.grant.budget_lines.all()]
    indicators = [(i, results.get(i.pk)) for i in report.grant.application.indicators.all()]
    return lines, indicators


def report_attachment_for_download(user, pk) -> ReportAttachment:
    """For a permission-checked download view: 404 unless the user sees the report."""
    return get_object_or_404(
        ReportAttachment.objects.filter(_visible(user, "report__grant__")).select_related(
            "report", "report__grant"
        ),
        pk=pk,
    )


def grant_settlement(grant: Grant, report: Report, *, paid: Decimal) -> Settlement:
    """The settlement of `grant` by the spending in its final `report`, with
    `paid` the sum of the tranches paid. Reads the grant's budget lines and
    the report's lines (prefetched or not); stores nothing."""
    spent = {line.budget_line_id: line.spent_grant for line in report.lines.all()}
    return compute_settlement(
        lines=[
            LineSpending(
                key=line.pk,
                name=line.name,
                planned_grant=line.grant_amount,
                spent_grant=spent.get(line.pk, ZERO),
                approved_over=line.approved_over,
            )
            for line in grant.budget_lines.all()
        ],
        shift_pct=grant.shift_pct,
        awarded=grant.amount_awarded,
        paid=paid,
        refunded=grant.refund_paid,
    )


def still_payable(grant: Grant) -> Decimal | None:
    """What may still be paid out on a settled grant (None before the
    settlement): eligible spending less what the group holds net of refunds."""
    if grant.eligible_spending is None:
        return None
    held = grant_paid_total(grant) - grant.refund_paid
    return max(grant.eligible_spending - held, Decimal("0.00"))


def settlement_preview(grant: Grant) -> Settlement | None:
    """What accepting the final report would compute now, for the official
    to see before accepting; None while there is no final report."""
    report = grant.reports.filter(kind=Report.Kind.FINAL).first()
    if report is None:
        return None
    return grant_settlement(grant, report, paid=grant_paid_total(grant))


def grant_history(grant: Grant) -> QuerySet[AuditEntry]:
    """The audit trail of the grant together with its tranches and reports."""
    types = ContentType.objects.get_for_models(Grant, Payment, Report)
    return (
        AuditEntry.objects.filter(
            Q(content_type=types[Grant], object_id=grant.pk)
            | Q(
                content_type=types[Payment],
                object_id__in=Payment.objects.filter(grant=grant).values("pk"),
            )
            | Q(
                content_type=types[Report],
                object_id__in=Report.objects.filter(grant=grant).values("pk"),
            )
        )
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )


def report_history(report: Report) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Report), object_id=report.pk
    ).select_related("actor")


def payout_settings_for(competition: Competition) -> CompetitionPayoutSettings:
    """The competition's payment rules; the defaults (unsaved) when never set."""
    return CompetitionPayoutSettings.objects.filter(
        competition=competition
    ).first() or CompetitionPayoutSettings(competition=competition)


def competition_can_archive(competition: Competition) -> tuple[bool, str]:
    """The archive guard: every grant of the competition is closed or declined."""
    open_grants = (
        Grant.objects.filter(competition=competition).exclude(status__in=Grant.FINISHED).count()
    )
    if open_grants:
        return False, _("%(count)s grant(s) of this competition are not closed yet.") % {
            "count": open_grants
        }
    return True, ""


# For the scheduled jobs; each service re-checks its conditions under a lock.


def grants_with_lapsed_budget_update(now=None) -> QuerySet[Grant]:
    now = now or timezone.now()
    return Grant.objects.filter(
        status=Grant.Status.PREPARING,
        budget_update_deadline__lte=now,
        budget_updated_at__isnull=True,
    )


def grants_to_start(today: date | None = None) -> QuerySet[Grant]:
    today = today or timezone.localdate()
    return Grant.objects.filter(status=Grant.Status.SIGNED, project_start__lte=today)


def grants_to_open_reporting(today: date | None = None) -> QuerySet[Grant]:
    today = today or timezone.localdate()
    return Grant.objects.filter(status=Grant.Status.IN_PROGRESS, project_end__lt=today)


def reports_overdue(today: date | None = None) -> QuerySet[Report]:
    today = today or timezone.localdate()
    return Report.objects.filter(status__in=Report.EDITABLE, due_date__lt=today).select_related(
        "grant", "grant__group"
    )


_REPORT_SENT = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
_CONTRACT_RUNS = (Grant.Status.SIGNED, Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)
_FINAL_REPORT_EXPECTED = (Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)


def with_report_overdue(grants: QuerySet[Grant]) -> QuerySet[Grant]:
    """`report_overdue` on each grant, as of today in Warsaw, in the same query."""
    today = timezone.localdate()
    late_draft = Exists(
        Report.objects.filter(grant=OuterRef("pk"), status__in=Report.EDITABLE, due_date__lt=today)
    )
    final_sent = Exists(
        Report.objects.filter(grant=OuterRef("pk"), kind=Report.Kind.FINAL, status__in=_REPORT_SENT)
    )
    overdue = (Q(status__in=_CONTRACT_RUNS) & Q(late_draft)) | (
        Q(status__in=_FINAL_REPORT_EXPECTED, final_report_due__lt=today) & ~Q(final_sent)
    )
    return grants.annotate(report_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
