"""Assigning reviewers (by hand, or automatically after a preview) and taking
a reviewer off an application when a conflict comes to light."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from competitions.models import Competition
from core.errors import RuleViolation, WrongState
from core.notify import send_notice
from core.transitions import perform_transition, write_audit

from ..models import CommissionMember, Conflict, Declaration, Review
from ..permissions import can_manage_commission, can_recuse
from ..planning import Plan, PlanMember, plan_assignments, plan_problems
from .common import (
    conflict_pairs,
    lock_competition,
    lock_review,
    locked_settings,
    require,
    require_in_review,
    require_scoring_open,
)


@dataclass
class PlanInputs:
    """Everything `plan_assignments` needs, read from the database."""

    applications: list[int]
    members: list[PlanMember]  # signed members only
    unsigned: list[CommissionMember]  # not yet eligible: their conflicts are unknown
    conflicts: set[tuple[int, int]]
    existing: dict[int, set[int]]
    k: int
    labels: dict[int, str] = field(default_factory=dict)
    member_labels: dict[int, str] = field(default_factory=dict)

    def loads(self, plan: Plan | None = None) -> dict[int, int]:
        """Member id → applications held, with `plan` added."""
        load = {m.id: 0 for m in self.members if m.scores}
        for members in self.existing.values():
            for member in members:
                load[member] = load.get(member, 0) + 1
        for members in (plan or {}).values():
            for member in members:
                load[member] = load.get(member, 0) + 1
        return load


def plan_inputs(competition: Competition) -> PlanInputs:
    applications = list(
        Application.objects.filter(competition=competition, status=Application.Status.IN_REVIEW)
        .order_by("sequence", "pk")
        .values_list("pk", "number")
    )
    members = list(
        CommissionMember.objects.filter(competition=competition)
        .select_related("user")
        .annotate(signed=Exists(Declaration.objects.filter(member=OuterRef("pk"))))
        .order_by("pk")
    )
    existing: dict[int, set[int]] = defaultdict(set)
    for application, member in Review.objects.filter(
        application__competition=competition,
        application__status=Application.Status.IN_REVIEW,
        status__in=Review.ACTIVE,
    ).values_list("application_id", "member_id"):
        existing[application].add(member)
    return PlanInputs(
        applications=[pk for pk, _number in applications],
        members=[PlanMember(m.pk, m.scores) for m in members if m.signed],
        unsigned=[m for m in members if not m.signed],
        conflicts=conflict_pairs(competition),
        existing=dict(existing),
        k=competition.reviewers_per_application,
        labels={pk: number for pk, number in applications},
        member_labels={m.pk: m.user.full_name for m in members},
    )


def _notify_reviewers(reviews: list[Review]) -> None:
    by_member: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_member[review.member_id].append(review)

    def send():
        for assigned in by_member.values():
            member = assigned[0].member
            send_notice(
                recipients=[member.user],
                template="reviews_assigned",
                context={"member": member, "count": len(assigned)},
            )

    # Written to the outbox in this transaction: it commits with the change.
    send()


def _create_review(application_id: int, member: CommissionMember, *, actor, payload=None):
    review = Review.objects.create(application_id=application_id, member=member, assigned_by=actor)
    write_audit(
        review,
        transition="assign",
        to_state=review.status,
        actor=actor,
        comment="" if actor else _("Assigned automatically after a recusal."),
        payload={"application": application_id, "member": member.pk, **(payload or {})},
    )
    return review


def _normalise_plan(plan: Mapping) -> dict[int, list[int]]:
    try:
        return {int(a): [int(m) for m in members] for a, members in plan.items()}
    except (TypeError, ValueError, AttributeError) as exc:
        raise RuleViolation(
            errors={"plan": [_("Give the plan as applications with lists of members.")]}
        ) from exc


@transaction.atomic
def assignments_apply(*, competition: Competition, actor, plan: Mapping) -> list[Review]:
    """Assign members to applications: {application id: [member ids]}, by hand
    or as previewed by `plan_assignments`. Checked again against the current
    data: never a conflicted, unsigned or advisory member, never twice, never
    more than the competition's reviewers per application."""
    competition = lock_competition(competition)
    require(can_manage_commission(actor, competition))
    require_in_review(competition)
    require_scoring_open(locked_settings(competition))
    plan = _normalise_plan(plan)
    inputs = plan_inputs(competition)
    unsigned = {m.pk: m for m in inputs.unsigned}
    problems = [
        _("%(member)s has not signed the impartiality declaration yet.")
        % {"member": unsigned[m].user.full_name}
        for m in dict.fromkeys(m for members in plan.values() for m in members)
        if m in unsigned
    ]
    problems += plan_problems(
        plan,
        inputs.members,
        inputs.conflicts,
        inputs.k,
        inputs.existing,
        applications=set(inputs.applications),
        labels=inputs.labels,
        member_labels=inputs.member_labels,
    )
    if problems:
        raise RuleViolation(errors={"plan": problems})
    members = {
        m.pk: m
        for m in CommissionMember.objects.filter(competition=competition).select_related(
            "user", "competition"
        )
    }
    reviews = [
        _create_review(application, members[member], actor=actor)
        for application, assigned in plan.items()
        for member in assigned
    ]
    _notify_reviewers(reviews)
    return reviews


@transaction.atomic
def assignments_auto(*, competition: Competition, actor) -> list[Review]:
    """Plan and apply in one step: what the preview showed, if nothing changed."""
    competition = lock_competition(competition)
    require(can_manage_commission(actor, competition))
    require_in_review(competition)
    inputs = plan_inputs(competition)
    plan = plan_assignments(
        inputs.applications,
        inputs.members,
        inputs.conflicts,
        inputs.k,
        inputs.existing,
        labels=inputs.labels,
    )
    return assignments_apply(competition=competition, actor=actor, plan=plan)


class Recusal(NamedTuple):
    review: Review  # the recused one
    replacement: Review | None  # the new assignment, if another member could take it


def _replacement(review: Review) -> CommissionMember | None:
    """The least loaded signed scoring member who may take the application."""
    competition = review.application.competition
    inputs = plan_inputs(competition)
    ever = set(
        Review.objects.filter(application=review.application).values_list("member_id", flat=True)
    )
    load = inputs.loads()
    candidates = [
        m.id
        for m in inputs.members
        if m.scores and m.id not in ever and (m.id, review.application_id) not in inputs.conflicts
    ]
    if not candidates:
        return None
    chosen = min(candidates, key=lambda m: (load.get(m, 0), m))
    return CommissionMember.objects.select_related("user", "competition").get(pk=chosen)


@transaction.atomic
def declare_conflict(
    *, assignment: Review, actor, reason: str, ground: str = Conflict.Ground.OTHER
) -> Recusal:
    """A conflict found during the review: the member (or an official) records
    it, the review is recused, and the application goes to another eligible
    member automatically when there is one."""
    competition = lock_competition(assignment.application.competition)
    review = lock_review(assignment)
    require(can_recuse(actor, review))
    require_in_review(competition)
    if review.status not in Review.OPEN:
        raise WrongState(
            _("A submitted review must be reopened by the chair before a conflict is recorded.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(errors={"reason": [_("Describe the conflict.")]})
    if ground not in Conflict.Ground.values:
        raise RuleViolation(errors={"ground": [_("Choose the ground of the conflict.")]})
    Conflict.objects.get_or_create(
        member=review.member,
        application=review.application,
        defaults={"ground": ground, "details": reason[:2000], "source": Conflict.Source.LATER},
    )
    review.updated_at = timezone.now()
    perform_transition(review, "recuse", actor=actor, comment=reason, payload={"ground": ground})
    replacement = None
    settings = locked_settings(competition)
    if not settings.scoring_closed and review.application.status == Application.Status.IN_REVIEW:
        member = _replacement(review)
        if member is not None:
            replacement = _create_review(
                review.application_id, member, actor=None, payload={"replaces": review.pk}
            )
            _notify_reviewers([replacement])
    return Recusal(review, replacement)
