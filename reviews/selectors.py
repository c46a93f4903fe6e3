"""Reads of the commission's work, each scoped to the user asking.

- Nothing of any application reaches a member before they sign the
  declaration; afterwards a scoring member sees the applications assigned to
  them, an advisory expert every application in review, and neither ever one
  they are conflicted with (declared, recused, or through the applying group).
  The declaration itself lists only the applicants' names and numbers, which a
  member must know to name conflicts.
- Scores are the reviewer's own until scoring closes; then the panel view and
  the ranking open to the officials and the members who signed.
- Applicants see anonymous reviews of their own application once the
  competition is decided, never who wrote them.

Invisible things raise Http404; things that exist but are not open yet
(results before scoring closes) raise WrongState.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from applications.models import Application, GroupMembership
from applications.selectors import application_parts_prefetch
from competitions.models import Competition
from core.errors import WrongState
from core.roles import roles_for
from core.transitions import available_transitions

from .funding import FundingProposal, ProposalLine
from .models import CommissionMember, Conflict, Decision, Declaration, Recommendation, Review, Score
from .planning import PlanImpossible, plan_assignments
from .ranking import ApplicationResult
from .results import REVIEWED, Results, competition_results, review_settings, review_total
from .services.assignments import plan_inputs
from .services.commission import DECLARABLE_STATES
from .services.decisions import proposal_from

DECIDED_STATES = (Competition.Status.DECIDED, Competition.Status.ARCHIVED)
CENT = Decimal("0.01")


def _is_official(user, competition: Competition) -> bool:
    return roles_for(user).is_official_of(competition.operator_id)


def _require_official(user, competition: Competition) -> None:
    if not _is_official(user, competition):
        raise Http404


def _require_results_open(competition: Competition) -> None:
    if competition.status in DECIDED_STATES:
        return
    if not review_settings(competition).scoring_closed:
        raise WrongState(_("Scores and results are visible once scoring closes."))


def _conflicted(user) -> Q:
    """Applications the user is conflicted with, in any competition: declared
    (recusals record one too) or through membership of the applying group."""
    declared = Conflict.objects.filter(application=OuterRef("pk"), member__user=user)
    in_group = GroupMembership.objects.filter(group=OuterRef("group"), user=user)
    return Q(Exists(declared)) | Q(Exists(in_group))


def conflicted_application_ids(user, competition: Competition) -> set[int]:
    """The applications of the competition a member must not see anything of.
    Officials of the operator are never conflicted here: their role reads all."""
    if _is_official(user, competition):
        return set()
    return set(
        Application.objects.filter(competition=competition)
        .filter(_conflicted(user))
        .values_list("pk", flat=True)
    )


def is_conflicted_with(user, application: Application) -> bool:
    return Application.objects.filter(pk=application.pk).filter(_conflicted(user)).exists()


# The commission and the declaration.


def commission_of(user, competition: Competition) -> QuerySet[CommissionMember]:
    """Officials and the commission's own members see who is on it."""
    roles = roles_for(user)
    if not (_is_official(user, competition) or roles.is_commission_member_of(competition.pk)):
        raise Http404
    return (
        CommissionMember.objects.filter(competition=competition)
        .select_related("user")
        .annotate(
            signed=Exists(Declaration.objects.filter(member=OuterRef("pk"))),
            assigned=Count("reviews", filter=Q(reviews__status__in=Review.ACTIVE)),
            submitted=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED)),
        )
        .order_by("-is_chair", "user__full_name", "pk")
    )


def seat_of(user, competition: Competition) -> CommissionMember | None:
    """The user's own place on the commission, with the declaration if signed."""
    if not roles_for(user).is_commission_member_of(competition.pk):
        return None
    return (
        CommissionMember.objects.filter(competition=competition, user=user)
        .select_related("user", "competition", "declaration")
        .prefetch_related("conflicts__application")
        .first()
    )


@dataclass(frozen=True)
class DeclarationCandidate:
    application_id: int
    number: str
    applicant: str
    # The member belongs to the applying group: a conflict whatever they declare.
    member_of_applicant: bool


def declaration_candidates(user, competition: Competition) -> list[DeclarationCandidate]:
    """The applicants a member declares about: number and name, nothing more."""
    if not roles_for(user).is_commission_member_of(competition.pk):
        raise Http404
    rows = (
        Application.objects.filter(competition=competition, status__in=DECLARABLE_STATES)
        .annotate(
            member_of_applicant=Exists(
                GroupMembership.objects.filter(group=OuterRef("group"), user=user)
            )
        )
        .order_by("sequence", "pk")
        .values_list("pk", "number", "group__name", "member_of_applicant")
    )
    return [DeclarationCandidate(*row) for row in rows]


# What a member reads and scores.


def applications_for_member(user, competition: Competition | None = None) -> QuerySet[Application]:
    """Applications the user may read as a commission member: signed, assigned
    (or any, for an advisory expert), never conflicted."""
    roles = roles_for(user)
    signed = {cid: seat for cid, seat in roles.commission.items() if seat.signed}
    if competition is not None:
        signed = {cid: seat for cid, seat in signed.items() if cid == competition.pk}
    if not signed:
        return Application.objects.none()
    expert = CommissionMember.Affiliation.EXPERT
    scoring = [seat.member_id for seat in signed.values() if seat.affiliation != expert]
    advisory = [cid for cid, seat in signed.items() if seat.affiliation == expert]
    assigned = Review.objects.filter(
        application=OuterRef("pk"), member_id__in=scoring, status__in=Review.ACTIVE
    )
    return (
        Application.objects.filter(competition_id__in=list(signed), status__in=REVIEWED)
        .filter(Q(Exists(assigned)) | Q(competition_id__in=advisory))
        .exclude(_conflicted(user))
        .select_related("competition", "competition__operator", "group")
        .order_by("competition_id", "sequence", "pk")
    )


def application_for_member(user, pk) -> Application:
    return get_object_or_404(
        applications_for_member(user).prefetch_related(*application_parts_prefetch(), "snapshots"),
        pk=pk,
    )


def reviews_for_member(user, competition: Competition | None = None) -> QuerySet[Review]:
    """The user's own reviews, with their own scores."""
    visible = applications_for_member(user, competition)
    return (
        Review.objects.filter(member__user=user, status__in=Review.ACTIVE, application__in=visible)
        .select_related(
            "application",
            "application__competition",
            "application__competition__operator",
            "application__group",
            "member",
        )
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion")),
            "application__competition__criteria",
        )
        .order_by("application__sequence", "pk")
    )


def review_for_member(user, pk) -> Review:
    return get_object_or_404(reviews_for_member(user), pk=pk)


# Following the work: no scores before scoring closes.


@dataclass(frozen=True)
class ProgressRow:
    review_id: int
    application_id: int
    number: str
    title: str
    member_id: int
    member: str
    status: str
    status_label: str
    submitted_at: datetime | None
    transitions: tuple[str, ...]  # what the asking user may run on the review now


def review_progress(user, competition: Competition) -> list[ProgressRow]:
    """Who has scored what, for officials and the chair: statuses, never scores."""
    roles = roles_for(user)
    if not (_is_official(user, competition) or roles.is_chair_of(competition.pk)):
        raise Http404
    reviews = (
        Review.objects.filter(application__competition=competition)
        # A chair conflicted with an application sees nothing of its reviews.
        .exclude(application_id__in=conflicted_application_ids(user, competition))
        .select_related("application", "application__competition", "member__user")
        .order_by("application__sequence", "member__user__full_name", "pk")
    )
    return [
        ProgressRow(
            review_id=r.pk,
            application_id=r.application_id,
            number=r.application.number,
            title=r.application.title,
            member_id=r.member_id,
            member=r.member.user.full_name,
            status=r.status,
            status_label=str(r.get_status_display()),
            submitted_at=r.submitted_at,
            transitions=tuple(available_transitions(r, user)),
        )
        for r in reviews
    ]


# After scoring closes.


def _require_results_reader(user, competition: Competition) -> None:
    roles = roles_for(user)
    if not (_is_official(user, competition) or roles.has_signed_for(competition.pk)):
        raise Http404


def competition_ranking(user, competition: Competition) -> Results:
    """The ranking with raw and normalised scores, for officials and the
    members who signed, once scoring has closed."""
    _require_results_reader(user, competition)
    _require_results_open(competition)
    results = competition_results(competition)
    hidden = conflicted_application_ids(user, competition)
    if not hidden:
        return results
    # A member sees no line of an application they are conflicted with; the
    # ranks of the others stay as the whole commission's ranking gives them.
    return replace(results, rows=tuple(r for r in results.rows if r.application_id not in hidden))


@dataclass(frozen=True)
class PanelScore:
    criterion: str
    max_points: Decimal
    points: Decimal
    comment: str


@dataclass(frozen=True)
class PanelReview:
    member: str
    affiliation: str
    total: Decimal
    comment: str
    scores: tuple[PanelScore, ...]


@dataclass(frozen=True)
class PanelApplication:
    result: ApplicationResult
    reviews: tuple[PanelReview, ...]


def scoring_panel(user, competition: Competition) -> list[PanelApplication]:
    """Every submitted review with its scorer, in ranking order, once scoring
    has closed; a member does not see the applications they are conflicted with."""
    _require_results_reader(user, competition)
    _require_results_open(competition)
    results = competition_results(competition)
    reviews = (
        Review.objects.filter(
            application__competition=competition,
            application__status__in=REVIEWED,
            status=Review.Status.SUBMITTED,
        )
        .annotate(total=review_total())
        .select_related("member__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("member__user__full_name", "pk")
    )
    hidden = conflicted_application_ids(user, competition)
    by_application: dict[int, list[PanelReview]] = defaultdict(list)
    for review in reviews:
        by_application[review.application_id].append(
            PanelReview(
                member=review.member.user.full_name,
                affiliation=str(review.member.get_affiliation_display()),
                total=Decimal(review.total or 0).quantize(CENT),
                comment=review.comment,
                scores=tuple(
                    PanelScore(s.criterion.name, s.criterion.max_points, s.points, s.comment)
                    for s in review.scores.all()
                ),
            )
        )
    return [
        PanelApplication(result=row, reviews=tuple(by_application[row.application_id]))
        for row in results.rows
        if row.application_id not in hidden
    ]


def funding_proposal(user, competition: Competition) -> FundingProposal:
    """The funding line over the ranking, for officials and the chair."""
    roles = roles_for(user)
    if not (_is_official(user, competition) or roles.is_chair_of(competition.pk)):
        raise Http404
    _require_results_open(competition)
    return proposal_from(competition_results(competition))


@dataclass(frozen=True)
class DecisionRow:
    result: ApplicationResult
    proposal: ProposalLine | None
    recommendation: Recommendation | None
    decision: Decision | None


@dataclass(frozen=True)
class DecisionSheet:
    """The official's working view: ranking, funding line, the commission's
    recommendation and the decision per application, and the money left."""

    results: Results
    rows: tuple[DecisionRow, ...]
    budget: Decimal
    awarded: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.awarded

    @property
    def undecided(self) -> int:
        return sum(
            1
            for row in self.rows
            if row.decision is None and row.result.status == Application.Status.IN_REVIEW
        )


def decision_sheet(user, competition: Competition) -> DecisionSheet:
    _require_official(user, competition)
    _require_results_open(competition)
    results = competition_results(competition)
    proposal = proposal_from(results)
    ids = [row.application_id for row in results.rows]
    recommendations = {
        r.application_id: r
        for r in Recommendation.objects.filter(application_id__in=ids).select_related("recorded_by")
    }
    decisions = {
        d.application_id: d
        for d in Decision.objects.filter(application_id__in=ids).select_related("decided_by")
    }
    awarded = sum(
        (
            d.amount
            for d in decisions.values()
            if d.outcome == Decision.Outcome.AWARDED and d.amount is not None
        ),
        Decimal("0.00"),
    )
    return DecisionSheet(
        results=results,
        rows=tuple(
            DecisionRow(
                result=row,
                proposal=proposal.outcome_of(row.application_id),
                recommendation=recommendations.get(row.application_id),
                decision=decisions.get(row.application_id),
            )
            for row in results.rows
        ),
        budget=competition.budget_total,
        awarded=awarded,
    )


@dataclass(frozen=True)
class AssignmentPreview:
    """What `assignments_auto` would do now, for the official to check first."""

    plan: dict[int, tuple[int, ...]]
    problems: tuple[str, ...]
    loads_before: dict[int, int]
    loads_after: dict[int, int]
    applications: dict[int, str]  # id → number
    members: dict[int, str]  # id → name
    unsigned: tuple[str, ...]  # members not assignable until they sign


def assignment_preview(user, competition: Competition) -> AssignmentPreview:
    _require_official(user, competition)
    inputs = plan_inputs(competition)
    problems: tuple[str, ...] = ()
    try:
        plan = plan_assignments(
            inputs.applications,
            inputs.members,
            inputs.conflicts,
            inputs.k,
            inputs.existing,
            labels=inputs.labels,
        )
    except PlanImpossible as exc:
        plan, problems = {}, tuple(exc.messages)
    return AssignmentPreview(
        plan=plan,
        problems=problems,
        loads_before=inputs.loads(),
        loads_after=inputs.loads(plan),
        applications=inputs.labels,
        members=inputs.member_labels,
        unsigned=tuple(m.user.full_name for m in inputs.unsigned),
    )


# What the applicant sees.


@dataclass(frozen=True)
class AnonymousScore:
    criterion: str
    max_points: Decimal
    points: Decimal
    comment: str


@dataclass(frozen=True)
class AnonymousReview:
    """A review as the applicant reads it: no name, no id, no capacity."""

    label: str
    total: Decimal
    comment: str
    scores: tuple[AnonymousScore, ...]


def reviews_for_applicant(user, application_pk) -> list[AnonymousReview]:
    """The applying group's members read the submitted reviews of their own
    application, anonymised, once the competition is decided."""
    application = get_object_or_404(
        Application.objects.filter(group_id__in=roles_for(user).group_ids).select_related(
            "competition"
        ),
        pk=application_pk,
    )
    if application.competition.status not in DECIDED_STATES:
        return []
    reviews = (
        Review.objects.filter(application=application, status=Review.Status.SUBMITTED)
        .annotate(total=review_total())
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        # The order must not follow the assignment order or anything else that
        # could hint at who wrote which review.
        .order_by("total", "pk")
    )
    return [
        AnonymousReview(
            label=_("Reviewer %(n)s") % {"n": n},
            total=Decimal(review.total or 0).quantize(CENT),
            comment=review.comment,
            scores=tuple(
                AnonymousScore(s.criterion.name, s.criterion.max_points, s.points, s.comment)
                for s in review.scores.all()
            ),
        )
        for n, review in enumerate(reviews, start=1)
    ]


def competition_for(user, pk) -> Competition:
    """A competition the user has business with here: an official of its
    operator, or a member of its commission."""
    roles = roles_for(user)
    competition = get_object_or_404(Competition.objects.select_related("operator"), pk=pk)
    if not (
        roles.is_official_of(competition.operator_id)
        or roles.is_commission_member_of(competition.pk)
    ):
        raise Http404
    return competition
