"""The reads behind the four spreadsheets: the decisions list, the scoring
matrix, the formal check and the grants and payments register."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext

from applications.models import Application, FormalCheck, FormalCheckResult
from competitions.models import ChecklistItem, Competition, Criterion
from payouts.models import Grant, Payment, Report, ReportLine
from reviews.funding import ProposalLine
from reviews.models import CommissionMember, Conflict, Decision, Recommendation, Review
from reviews.ranking import ApplicationResult
from reviews.results import REVIEWED, Results, competition_results
from reviews.services import proposal_from

from .common import MONEY_FIELD, ZERO, require_official, require_results_open


@dataclass(frozen=True)
class DecisionRow:
    result: ApplicationResult
    proposal: ProposalLine | None
    recommendation: Recommendation | None
    decision: Decision | None


@dataclass(frozen=True)
class DecisionsList:
    results: Results
    rows: tuple[DecisionRow, ...]


def decisions_list(user, competition: Competition) -> DecisionsList:
    """The ranking with the funding line, the recommendation and the decision
    of every application: what `reviews.selectors.decision_sheet` shows the
    official, with every lookup by id made through a dict, so ten thousand
    rows cost no more per row than ten."""
    require_official(user, competition)
    require_results_open(competition)
    results = competition_results(competition)
    proposal = {line.application_id: line for line in proposal_from(results).lines}
    ids = [row.application_id for row in results.rows]
    recommendations = {
        r.application_id: r for r in Recommendation.objects.filter(application_id__in=ids)
    }
    decisions = {d.application_id: d for d in Decision.objects.filter(application_id__in=ids)}
    return DecisionsList(
        results=results,
        rows=tuple(
            DecisionRow(
                result=row,
                proposal=proposal.get(row.application_id),
                recommendation=recommendations.get(row.application_id),
                decision=decisions.get(row.application_id),
            )
            for row in results.rows
        ),
    )


# The scoring matrix: member × application × criterion.


class MatrixStatus:
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    ASSIGNED = "assigned"
    RECUSED = "recused"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class MatrixRow:
    application_id: int
    number: str
    applicant: str
    title: str
    member: str
    capacity: str
    is_chair: bool
    status: str  # a MatrixStatus
    status_label: str
    conflict_ground: str  # the ground's label, empty without a conflict
    points: tuple[Decimal | None, ...]  # per criterion, in the competition's order
    total: Decimal | None  # weighted, as the ranking counts it
    comment: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class MatrixComment:
    number: str
    member: str
    criterion: str
    max_points: Decimal
    points: Decimal
    comment: str


@dataclass(frozen=True)
class ScoringMatrix:
    competition: Competition
    criteria: tuple[Criterion, ...]
    rows: tuple[MatrixRow, ...]
    comments: tuple[MatrixComment, ...]


def _matrix_status_label(status: str) -> str:
    if status == MatrixStatus.CONFLICT:
        return pgettext("spreadsheet", "conflict of interest")
    return str(Review.Status(status).label)


def scoring_matrix(user, competition: Competition) -> ScoringMatrix:
    """Every assignment and every declared conflict of the reviewed
    applications, one row per member and application. Points are shown for
    submitted reviews only: a draft is not part of the result."""
    require_official(user, competition)
    require_results_open(competition)
    criteria = tuple(competition.criteria.all())
    reviews = list(
        Review.objects.filter(
            application__competition=competition, application__status__in=REVIEWED
        )
        .select_related("member__user", "application__group")
        .prefetch_related("scores")
    )
    conflicts = {
        (c.member_id, c.application_id): c
        for c in Conflict.objects.filter(
            member__competition=competition, application__status__in=REVIEWED
        ).select_related("member__user", "application__group")
    }
    pairs: list[tuple[Application, CommissionMember, Review | None, Conflict | None]] = []
    for review in reviews:
        conflict = conflicts.pop((review.member_id, review.application_id), None)
        pairs.append((review.application, review.member, review, conflict))
    for conflict in conflicts.values():
        pairs.append((conflict.application, conflict.member, None, conflict))
    pairs.sort(key=lambda p: (p[0].sequence or 0, p[0].pk, p[1].user.full_name.casefold(), p[1].pk))

    rows, comments = [], []
    for application, member, review, conflict in pairs:
        status = MatrixStatus.CONFLICT if review is None else review.status
        scores = {}
        if review is not None and review.status == Review.Status.SUBMITTED:
            scores = {s.criterion_id: s for s in review.scores.all()}
        points = tuple(scores[c.pk].points if c.pk in scores else None for c in criteria)
        total = (
            sum((scores[c.pk].points * c.weight for c in criteria if c.pk in scores), ZERO)
            if scores
            else None
        )
        rows.append(
            MatrixRow(
                application_id=application.pk,
                number=application.number,
                applicant=application.group.name,
                title=application.title,
                member=member.user.full_name,
                capacity=str(member.get_affiliation_display()),
                is_chair=member.is_chair,
                status=status,
                status_label=_matrix_status_label(status),
                conflict_ground=str(conflict.get_ground_display()) if conflict else "",
                points=points,
                total=total.quantize(Decimal("0.01")) if total is not None else None,
                comment=review.comment if review is not None and scores else "",
                submitted_at=review.submitted_at if scores else None,
            )
        )
        for criterion in criteria:
            score = scores.get(criterion.pk)
            if score is not None:
                comments.append(
                    MatrixComment(
                        number=application.number,
                        member=member.user.full_name,
                        criterion=criterion.name,
                        max_points=criterion.max_points,
                        points=score.points,
                        comment=score.comment,
                    )
                )
    return ScoringMatrix(competition, criteria, tuple(rows), tuple(comments))


# The formal check.


@dataclass(frozen=True)
class FormalRow:
    number: str
    applicant: str
    title: str
    status_label: str
    submitted_at: datetime | None
    last_submitted_at: datetime | None
    rounds: int
    outcome_label: str  # of the latest round; empty before the first
    findings: tuple[bool | None, ...]  # latest round, per checklist item
    comment: str
    checked_by: str
    concluded_at: datetime | None
    correction_deadline: datetime | None


@dataclass(frozen=True)
class FormalFinding:
    number: str
    round: int
    item: str
    correctable: bool
    passed: bool | None
    comment: str
    checked_at: datetime | None


@dataclass(frozen=True)
class FormalSheet:
    competition: Competition
    items: tuple[ChecklistItem, ...]
    rows: tuple[FormalRow, ...]
    findings: tuple[FormalFinding, ...]


def formal_results(user, competition: Competition) -> FormalSheet:
    """Every submitted application with the outcome of its latest round and
    the findings of every round."""
    require_official(user, competition)
    items = tuple(competition.checklist_items.all())
    applications = (
        Application.objects.filter(competition=competition, sequence__isnull=False)
        .select_related("group")
        .prefetch_related(
            Prefetch(
                "formal_checks",
                queryset=FormalCheck.objects.select_related("checked_by", "concluded_by")
                .prefetch_related(
                    Prefetch(
                        "results",
                        queryset=FormalCheckResult.objects.select_related("item"),
                    )
                )
                .order_by("round"),
            )
        )
        .order_by("sequence", "pk")
    )
    rows, findings = [], []
    for application in applications:
        rounds = list(application.formal_checks.all())
        latest = rounds[-1] if rounds else None
        by_item = {r.item_id: r for r in latest.results.all()} if latest else {}
        person = (latest.concluded_by or latest.checked_by) if latest else None
        rows.append(
            FormalRow(
                number=application.number,
                applicant=application.group.name,
                title=application.title,
                status_label=str(application.get_status_display()),
                submitted_at=application.submitted_at,
                last_submitted_at=application.last_submitted_at,
                rounds=len(rounds),
                outcome_label=str(latest.get_outcome_display()) if latest else "",
                findings=tuple(
                    by_item[item.pk].passed if item.pk in by_item else None for item in items
                ),
                comment=latest.comment if latest else "",
                checked_by=person.full_name if person else "",
                concluded_at=latest.concluded_at if latest else None,
                correction_deadline=application.correction_deadline,
            )
        )
        for check in rounds:
            for result in check.results.all():
                findings.append(
                    FormalFinding(
                        number=application.number,
                        round=check.round,
                        item=result.item.text,
                        correctable=result.item.correctable,
                        passed=result.passed,
                        comment=result.comment,
                        checked_at=result.checked_at,
                    )
                )
    return FormalSheet(competition, items, tuple(rows), tuple(findings))


# The grants and payments register.


@dataclass(frozen=True)
class GrantRow:
    contract_number: str
    number: str
    grantee: str
    title: str
    status_label: str
    requested: Decimal
    awarded: Decimal
    signed_on: date | None
    project_start: date
    project_end: date
    tranches: int
    scheduled: Decimal
    paid: Decimal
    last_paid_on: date | None
    reported: Decimal | None  # grant spending in the final report, once submitted
    final_report_label: str
    final_report_due: date
    eligible: Decimal | None
    refund: Decimal | None
    refunded: Decimal
    refund_outstanding: Decimal
    refund_due: date


@dataclass(frozen=True)
class TrancheRow:
    contract_number: str
    grantee: str
    order: int
    amount: Decimal
    due_date: date
    status_label: str
    approved_at: datetime | None
    amount_paid: Decimal | None
    paid_on: date | None
    bank_reference: str


@dataclass(frozen=True)
class GrantRegister:
    competition: Competition
    rows: tuple[GrantRow, ...]
    tranches: tuple[TrancheRow, ...]


def _final_report_spending() -> Subquery:
    return Subquery(
        ReportLine.objects.filter(
            report__grant=OuterRef("pk"),
            report__kind=Report.Kind.FINAL,
            report__status__in=(Report.Status.SUBMITTED, Report.Status.ACCEPTED),
        )
        .values("report__grant")
        .annotate(total=Sum("spent_grant"))
        .values("total"),
        output_field=MONEY_FIELD,
    )


def _paid_total() -> Subquery:
    return Subquery(
        Payment.objects.filter(grant=OuterRef("pk"), status=Payment.Status.PAID)
        .values("grant")
        .annotate(total=Sum("amount_paid"))
        .values("total"),
        output_field=MONEY_FIELD,
    )


def grants_register(user, competition: Competition) -> GrantRegister:
    require_official(user, competition)
    grants = (
        Grant.objects.filter(competition=competition)
        .select_related("group", "application")
        .annotate(paid=Coalesce(_paid_total(), Value(ZERO)), reported=_final_report_spending())
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("order")),
            Prefetch("reports", queryset=Report.objects.filter(kind=Report.Kind.FINAL)),
        )
        .order_by("contract_number", "pk")
    )
    rows, tranches = [], []
    for grant in grants:
        payments = list(grant.payments.all())
        final = next(iter(grant.reports.all()), None)
        paid_dates = [p.paid_on for p in payments if p.paid_on]
        rows.append(
            GrantRow(
                contract_number=grant.contract_number,
                number=grant.application.number,
                grantee=grant.group.name,
                title=grant.application.title,
                status_label=str(grant.get_status_display()),
                requested=grant.amount_requested,
                awarded=grant.amount_awarded,
                signed_on=grant.signed_on,
                project_start=grant.project_start,
                project_end=grant.project_end,
                tranches=len(payments),
                scheduled=sum((p.amount for p in payments), ZERO),
                paid=grant.paid,
                last_paid_on=max(paid_dates) if paid_dates else None,
                reported=grant.reported,
                final_report_label=str(final.get_status_display()) if final else "",
                final_report_due=grant.final_report_due,
                eligible=grant.eligible_spending,
                refund=grant.refund_amount,
                refunded=grant.refund_paid,
                refund_outstanding=grant.refund_outstanding,
                refund_due=grant.refund_due,
            )
        )
        for payment in payments:
            tranches.append(
                TrancheRow(
                    contract_number=grant.contract_number,
                    grantee=grant.group.name,
                    order=payment.order,
                    amount=payment.amount,
                    due_date=payment.due_date,
                    status_label=str(payment.get_status_display()),
                    approved_at=payment.approved_at,
                    amount_paid=payment.amount_paid,
                    paid_on=payment.paid_on,
                    bank_reference=payment.bank_reference,
                )
            )
    return GrantRegister(competition, tuple(rows), tuple(tranches))
