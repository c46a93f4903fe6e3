"""What the commission's minutes record."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404

from applications.models import Application
from competitions.models import Competition, Criterion
from core.roles import roles_for
from reviews.models import CommissionMember, Conflict, Recommendation
from reviews.ranking import ApplicationResult
from reviews.results import competition_results, review_settings

from .common import ZERO, require_results_open


@dataclass(frozen=True)
class MinutesConflict:
    number: str
    applicant: str
    ground: str
    source: str


@dataclass(frozen=True)
class MinutesMember:
    name: str
    capacity: str
    is_chair: bool
    scores: bool
    signed_at: datetime | None
    conflicts: tuple[MinutesConflict, ...]


@dataclass(frozen=True)
class MinutesRow:
    result: ApplicationResult
    recommended: Decimal | None
    recommendation_comment: str


@dataclass(frozen=True)
class Minutes:
    competition: Competition
    members: tuple[MinutesMember, ...]
    chair: MinutesMember | None
    rows: tuple[MinutesRow, ...]
    criteria: tuple[Criterion, ...]
    max_total: Decimal
    threshold: Decimal
    counts: dict[str, int]
    recommended_total: Decimal
    recommended_count: int
    scoring_closed_at: datetime | None
    no_ngo_reason: str

    @property
    def has_conflicts(self) -> bool:
        return any(member.conflicts for member in self.members)


def minutes(user, competition: Competition) -> Minutes:
    """What the commission's minutes record. Officials and the chair read them."""
    roles = roles_for(user)
    if not (roles.is_official_of(competition.operator_id) or roles.is_chair_of(competition.pk)):
        raise Http404
    require_results_open(competition)
    results = competition_results(competition)
    settings = review_settings(competition)
    conflicts: dict[int, list[MinutesConflict]] = defaultdict(list)
    for conflict in (
        Conflict.objects.filter(member__competition=competition)
        .select_related("application__group")
        .order_by("application__sequence", "pk")
    ):
        conflicts[conflict.member_id].append(
            MinutesConflict(
                number=conflict.application.number,
                applicant=conflict.application.group.name,
                ground=str(conflict.get_ground_display()),
                source=str(conflict.get_source_display()),
            )
        )
    members = tuple(
        MinutesMember(
            name=member.user.full_name,
            capacity=str(member.get_affiliation_display()),
            is_chair=member.is_chair,
            scores=member.scores,
            signed_at=getattr(getattr(member, "declaration", None), "signed_at", None),
            conflicts=tuple(conflicts.get(member.pk, ())),
        )
        for member in CommissionMember.objects.filter(competition=competition)
        .select_related("user", "declaration")
        .order_by("-is_chair", "user__full_name", "pk")
    )
    recommendations = {
        r.application_id: r
        for r in Recommendation.objects.filter(application__competition=competition)
    }
    rows = tuple(
        MinutesRow(
            result=row,
            recommended=recommendations[row.application_id].amount
            if row.application_id in recommendations
            else None,
            recommendation_comment=recommendations[row.application_id].comment
            if row.application_id in recommendations
            else "",
        )
        for row in results.rows
    )
    counts = dict(
        Application.objects.filter(competition=competition, sequence__isnull=False).aggregate(
            submitted=Count("pk"),
            formally_rejected=Count("pk", filter=Q(status=Application.Status.FORMALLY_REJECTED)),
            withdrawn=Count("pk", filter=Q(status=Application.Status.WITHDRAWN)),
        )
    )
    counts["reviewed"] = len(results.rows)
    recommended = [r.recommended for r in rows if r.recommended]
    return Minutes(
        competition=competition,
        members=members,
        chair=next((m for m in members if m.is_chair), None),
        rows=rows,
        criteria=results.criteria,
        max_total=results.max_total,
        threshold=results.threshold,
        counts=counts,
        recommended_total=sum(recommended, ZERO),
        recommended_count=len(recommended),
        scoring_closed_at=settings.scoring_closed_at,
        no_ngo_reason=settings.no_ngo_reason,
    )
