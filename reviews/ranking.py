"""Scores turned into results: Decimal arithmetic over what the database has
summed, kept free of queries so every number can be checked by hand.

The definitions, as the minutes state them:

- A review's total is the sum over the criteria of points × the criterion's
  weight. With every weight 1 (the default) it is the plain sum of points; the
  maximum total is the sum of max_points × weight.
- An application's score ("mean") is the arithmetic mean of the totals of its
  submitted reviews.
- Its spread is the minimum, the maximum and the population standard
  deviation of those totals, sqrt(sum((x - mean)²) / n). Population, not
  sample: the reviews are all the reviews the application has, not a sample of
  a larger set, and a single review gives 0 instead of no value.
- Disagreement is flagged when maximum - minimum exceeds the competition's
  disagreement share of the maximum total.
- The threshold is passed when the mean, rounded to two places as shown,
  reaches score_threshold_pct of the maximum total: what people see is what
  decides.
- The normalised score corrects for reviewers who are generally strict or
  generous: each review total is z-standardised over the totals that reviewer
  gave, z = (x - reviewer's mean) / reviewer's standard deviation (population),
  mapped back to points as overall mean + overall standard deviation × z (over
  all submitted review totals of the competition), and averaged per
  application. A reviewer whose totals do not vary (or who scored a single
  application) carries no information about relative quality, so their z is 0.
  It is shown beside the mean and never replaces it.
- Ranking: higher mean (as shown), then a higher own contribution share, then
  an earlier first submission; applications without a submitted review come last.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
# Precision for intermediate results; far beyond what two shown places need.
PRECISION = 34


def shown(value: Decimal | None) -> Decimal | None:
    """A value as displayed and compared: two places, half up."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def share_of(total: Decimal, pct: Decimal) -> Decimal:
    return total * pct / HUNDRED


@dataclass(frozen=True)
class Summary:
    count: int
    mean: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    std_dev: Decimal | None


def summarise(
    *,
    count: int,
    total: Decimal | None,
    total_of_squares: Decimal | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
) -> Summary:
    """Mean and population standard deviation from n, sum(x) and sum(x²)."""
    if not count:
        return Summary(0, None, None, None, None)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        n = Decimal(count)
        mean = total / n
        # n·Σx² − (Σx)² is exact for two-place inputs; dividing once keeps the
        # rounding of the variance to a single step.
        variance = max((n * total_of_squares - total * total) / (n * n), ZERO)
        std_dev = variance.sqrt()
    return Summary(count, mean, minimum, maximum, std_dev)


def _mean_and_sd(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    n = Decimal(len(values))
    total = sum(values, ZERO)
    squares = sum((v * v for v in values), ZERO)
    variance = max((n * squares - total * total) / (n * n), ZERO)
    return total / n, variance.sqrt()


@dataclass(frozen=True)
class ReviewTotal:
    member: int
    application: int
    total: Decimal


def normalised_scores(totals: Iterable[ReviewTotal]) -> dict[int, Decimal]:
    """Application id → mean normalised total (unrounded); see the module doc."""
    totals = list(totals)
    if not totals:
        return {}
    with localcontext() as ctx:
        ctx.prec = PRECISION
        overall_mean, overall_sd = _mean_and_sd([t.total for t in totals])
        given: dict[int, list[Decimal]] = defaultdict(list)
        for t in totals:
            given[t.member].append(t.total)
        reviewer = {member: _mean_and_sd(values) for member, values in given.items()}
        mapped: dict[int, list[Decimal]] = defaultdict(list)
        for t in totals:
            mean, sd = reviewer[t.member]
            z = (t.total - mean) / sd if sd else ZERO
            mapped[t.application].append(overall_mean + overall_sd * z)
        return {
            application: sum(values, ZERO) / Decimal(len(values))
            for application, values in mapped.items()
        }


def is_disagreement(
    minimum: Decimal | None, maximum: Decimal | None, max_total: Decimal, pct: Decimal
) -> bool:
    if minimum is None or maximum is None:
        return False
    return maximum - minimum > share_of(max_total, pct)


def passes_threshold(mean: Decimal | None, max_total: Decimal, pct: Decimal) -> bool:
    if mean is None:
        return False
    return shown(mean) >= share_of(max_total, pct)


@dataclass(frozen=True)
class CriterionMean:
    criterion_id: int
    name: str
    max_points: Decimal
    mean: Decimal | None  # two places


@dataclass(frozen=True)
class ApplicationResult:
    """One line of the ranking; every score is rounded to two places."""

    application_id: int
    number: str
    title: str
    applicant: str
    amount_requested: Decimal
    submitted_at: datetime | None
    own_share_pct: Decimal
    reviews: int
    mean: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    std_dev: Decimal | None
    normalised: Decimal | None
    criteria: tuple[CriterionMean, ...]
    disagreement: bool
    passes_threshold: bool
    status: str = ""
    rank: int = 0

    @property
    def spread(self) -> Decimal | None:
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum


_LATEST = datetime.max.replace(tzinfo=UTC)


def ranking_key(row: ApplicationResult) -> tuple:
    return (
        row.mean is None,
        -(row.mean or ZERO),
        -row.own_share_pct,
        row.submitted_at or _LATEST,
        row.application_id,
    )


def rank(rows: Iterable[ApplicationResult]) -> list[ApplicationResult]:
    """Rows in ranking order, numbered from 1; every position is distinct."""
    ordered = sorted(rows, key=ranking_key)
    return [replace(row, rank=position) for position, row in enumerate(ordered, start=1)]
