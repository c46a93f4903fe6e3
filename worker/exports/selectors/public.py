"""The public results of decided competitions."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from applications.models import ApplicantGroup, Application
from competitions.models import Competition
from payouts.models import Payment
from reviews.selectors import DECIDED_STATES

from .common import MONEY_FIELD, ZERO


@dataclass(frozen=True)
class PublicResult:
    """One award as published. `amount_requested` and `amount_disbursed` go
    to the 360Giving file only; the page and the CSV/JSON keep to what the
    rules publish."""

    application_id: int
    number: str
    applicant: str
    is_informal: bool
    krs: str
    nip: str
    regon: str
    group_id: int
    title: str
    amount_awarded: Decimal
    award_date: date
    amount_requested: Decimal | None
    amount_disbursed: Decimal
    planned_start: date | None
    planned_end: date | None
    modified: datetime


def public_competitions_decided() -> QuerySet[Competition]:
    return Competition.objects.filter(status__in=DECIDED_STATES).select_related("operator")


def public_competition(pk) -> Competition:
    """A competition whose results are public: decided or archived; 404 before."""
    return get_object_or_404(public_competitions_decided(), pk=pk)


def _awarded(competitions: QuerySet[Competition]) -> QuerySet[Application]:
    return (
        Application.objects.filter(competition__in=competitions, status=Application.Status.AWARDED)
        .select_related("group", "decision", "grant", "competition", "competition__operator")
        .annotate(
            disbursed=Coalesce(
                Subquery(
                    Payment.objects.filter(
                        grant__application=OuterRef("pk"), status=Payment.Status.PAID
                    )
                    .values("grant")
                    .annotate(total=Sum("amount_paid"))
                    .values("total"),
                    output_field=MONEY_FIELD,
                ),
                Value(ZERO),
            )
        )
        .order_by("competition_id", "sequence", "pk")
    )


def as_public(application: Application) -> PublicResult:
    """One row of `public_results_all` as published."""
    decision = getattr(application, "decision", None)
    grant = getattr(application, "grant", None)
    # The award is the decision applied to the application when the
    # competition was decided; a later award from the reserve list dates from
    # its grant.
    moment = (
        (decision.applied_at or decision.decided_at)
        if decision is not None and decision.outcome == decision.Outcome.AWARDED
        else (grant.created_at if grant is not None else application.updated_at)
    )
    if grant is not None:
        amount = grant.amount_awarded
    else:
        amount = (decision.amount if decision is not None else None) or ZERO
    group = application.group
    informal = group.kind == ApplicantGroup.Kind.INFORMAL
    return PublicResult(
        application_id=application.pk,
        number=application.number,
        applicant=group.name,
        is_informal=informal,
        krs="" if informal else group.krs,
        nip="" if informal else group.nip,
        regon="" if informal else group.regon,
        group_id=group.pk,
        title=application.title,
        amount_awarded=amount,
        award_date=timezone.localtime(moment, timezone.get_default_timezone()).date(),
        amount_requested=application.amount_requested,
        amount_disbursed=application.disbursed,
        planned_start=grant.project_start if grant else application.start_date,
        planned_end=grant.project_end if grant else application.end_date,
        modified=max(
            m for m in (application.updated_at, grant and grant.updated_at) if m is not None
        ),
    )


def public_results(competition: Competition) -> list[PublicResult]:
    """The awards of one decided competition, in the order of their numbers."""
    if competition.status not in DECIDED_STATES:
        raise Http404
    return [
        as_public(a)
        for a in _awarded(Competition.objects.filter(pk=competition.pk)).order_by("sequence", "pk")
    ]


def public_results_all() -> QuerySet[Application]:
    """Awards of every decided competition, for the API's list (paginated
    there; turn each into a `PublicResult` with `as_public`)."""
    return _awarded(public_competitions_decided())
