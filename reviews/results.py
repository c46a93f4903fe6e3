"""A competition's results from the database: sums, counts, minima and maxima
are aggregated there (a fixed number of queries however many applications and
reviews); `ranking` does the Decimal arithmetic on them.

Not scoped to a user: selectors and services call this after their own checks.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
)

from applications.models import Application
from applications.rules import budget_totals
from competitions.models import Competition, Criterion

from . import ranking
from .models import Review, ReviewSettings, Score

# Points and weights have two places, so a weighted total has four and its
# square eight. SQLite computes in binary floating point; rounding the sums
# back to these places restores the exact values (the error is many orders of
# magnitude below the last place), so both databases give identical results.
TOTAL_PLACES = Decimal("0.0001")
SQUARE_PLACES = Decimal("0.00000001")
_TOTAL = DecimalField(max_digits=20, decimal_places=4)
_SQUARE = DecimalField(max_digits=30, decimal_places=8)

# The applications that went through the review, before and after the decision.
REVIEWED = (
    Application.Status.IN_REVIEW,
    Application.Status.AWARDED,
    Application.Status.RESERVE,
    Application.Status.REJECTED,
)


def max_total(criteria) -> Decimal:
    return sum((c.max_points * c.weight for c in criteria), Decimal("0"))


def review_total() -> Subquery:
    """A review's weighted total, for annotating Review rows."""
    return Subquery(
        Score.objects.filter(review=OuterRef("pk"))
        .values("review")
        .annotate(
            total=Sum(ExpressionWrapper(F("points") * F("criterion__weight"), output_field=_TOTAL))
        )
        .values("total"),
        output_field=_TOTAL,
    )


def submitted_reviews(competition: Competition):
    return Review.objects.filter(
        status=Review.Status.SUBMITTED,
        application__competition=competition,
        application__status__in=REVIEWED,
    )


def _exact(value, places: Decimal) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(places)


@dataclass(frozen=True)
class Results:
    competition: Competition
    criteria: tuple[Criterion, ...]
    max_total: Decimal
    threshold: Decimal  # points a mean must reach
    disagreement_pct: Decimal
    rows: tuple[ranking.ApplicationResult, ...]  # in ranking order

    def row_for(self, application_id: int) -> ranking.ApplicationResult | None:
        return next((r for r in self.rows if r.application_id == application_id), None)


def review_settings(competition: Competition) -> ReviewSettings:
    """The stored settings, or the defaults (unsaved) when none were stored."""
    found = ReviewSettings.objects.filter(competition=competition).first()
    return found or ReviewSettings(competition=competition)


def competition_results(competition: Competition) -> Results:
    criteria = tuple(competition.criteria.all())
    settings = review_settings(competition)
    top = max_total(criteria)
    applications = list(
        Application.objects.filter(competition=competition, status__in=REVIEWED)
        .select_related("group")
        .prefetch_related("budget_lines")
    )

    per_review = submitted_reviews(competition).annotate(total=review_total())
    stats = {
        row["application"]: row
        for row in per_review.values("application")
        .annotate(
            n=Count("pk"),
            total_sum=Sum("total"),
            total_squares=Sum(ExpressionWrapper(F("total") * F("total"), output_field=_SQUARE)),
            lowest=Min("total"),
            highest=Max("total"),
        )
        .order_by()
    }
    criterion_sums = {
        (row["review__application"], row["criterion"]): row
        for row in Score.objects.filter(
            review__status=Review.Status.SUBMITTED,
            review__application__competition=competition,
            review__application__status__in=REVIEWED,
        )
        .values("review__application", "criterion")
        .annotate(points=Sum("points"), n=Count("pk"))
        .order_by()
    }
    normalised = ranking.normalised_scores(
        ranking.ReviewTotal(member, application, _exact(total, TOTAL_PLACES))
        for member, application, total in per_review.values_list(
            "member", "application", "total"
        ).order_by()
        if total is not None
    )

    rows = []
    for application in applications:
        found = stats.get(application.pk)
        summary = ranking.summarise(
            count=found["n"] if found else 0,
            total=_exact(found and found["total_sum"], TOTAL_PLACES),
            total_of_squares=_exact(found and found["total_squares"], SQUARE_PLACES),
            minimum=_exact(found and found["lowest"], TOTAL_PLACES),
            maximum=_exact(found and found["highest"], TOTAL_PLACES),
        )
        criteria_means = []
        for criterion in criteria:
            sums = criterion_sums.get((application.pk, criterion.pk))
            mean = (
                _exact(sums["points"], ranking.CENT) / Decimal(sums["n"])
                if sums and sums["n"]
                else None
            )
            criteria_means.append(
                ranking.CriterionMean(
                    criterion.pk, criterion.name, criterion.max_points, ranking.shown(mean)
                )
            )
        totals = budget_totals(application.budget_lines.all())
        rows.append(
            ranking.ApplicationResult(
                application_id=application.pk,
                number=application.number,
                title=application.title,
                applicant=application.group.name,
                amount_requested=application.amount_requested or Decimal("0.00"),
                submitted_at=application.submitted_at,
                own_share_pct=totals["own_share_pct"],
                reviews=summary.count,
                mean=ranking.shown(summary.mean),
                minimum=ranking.shown(summary.minimum),
                maximum=ranking.shown(summary.maximum),
                std_dev=ranking.shown(summary.std_dev),
                normalised=ranking.shown(normalised.get(application.pk)),
                criteria=tuple(criteria_means),
                disagreement=ranking.is_disagreement(
                    summary.minimum, summary.maximum, top, settings.disagreement_pct
                ),
                passes_threshold=ranking.passes_threshold(
                    summary.mean, top, competition.score_threshold_pct
                ),
                status=application.status,
            )
        )
    return Results(
        competition=competition,
        criteria=criteria,
        max_total=top,
        threshold=ranking.share_of(top, competition.score_threshold_pct),
        disagreement_pct=settings.disagreement_pct,
        rows=tuple(ranking.rank(rows)),
    )
