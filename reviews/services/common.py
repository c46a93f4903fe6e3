"""Locks, guards and the conflict map shared by the review services."""

from collections import defaultdict

from django.utils.translation import gettext as _

from applications.models import Application, GroupMembership
from competitions.models import Competition
from core.errors import NotPermitted, WrongState

from ..models import CommissionMember, Conflict, Review, ReviewSettings


def require(check: tuple[bool, str]) -> None:
    allowed, reason = check
    if not allowed:
        raise NotPermitted(reason)


def lock_competition(competition: Competition) -> Competition:
    """Re-read the competition under a row lock; call inside atomic(). Every
    commission and review write of a competition takes this lock first, so
    they queue behind one another instead of interleaving."""
    return (
        Competition.objects.select_for_update(of=("self",))
        .select_related("operator")
        .get(pk=competition.pk)
    )


def lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related(
            "application",
            "application__group",
            "application__competition",
            "application__competition__operator",
            "member",
            "member__user",
        )
        .get(pk=review.pk)
    )


def locked_settings(competition: Competition) -> ReviewSettings:
    settings, _created = ReviewSettings.objects.select_for_update().get_or_create(
        competition=competition
    )
    return settings


def require_in_review(competition: Competition) -> None:
    if competition.status != Competition.Status.IN_REVIEW:
        raise WrongState(
            _("This is possible only while the competition is in review (now: “%(status)s”).")
            % {"status": competition.get_status_display()}
        )


def require_scoring_open(settings: ReviewSettings) -> None:
    if settings.scoring_closed:
        raise WrongState(_("Scoring is closed for this competition."))


def require_scoring_closed(settings: ReviewSettings) -> None:
    if not settings.scoring_closed:
        raise WrongState(_("Scoring is still open; close it first."))


def membership_conflicts(competition: Competition) -> set[tuple[int, int]]:
    """(member, application) pairs where the member belongs to the applying
    group: a conflict whether declared or not, and whenever the membership
    began."""
    member_of_user = dict(
        CommissionMember.objects.filter(competition=competition).values_list("user_id", "pk")
    )
    if not member_of_user:
        return set()
    pairs = Application.objects.filter(
        competition=competition, group__memberships__user_id__in=list(member_of_user)
    ).values_list("group__memberships__user_id", "pk")
    # Users outside the commission may appear through the group's other
    # memberships; they are dropped here.
    return {
        (member_of_user[user], application) for user, application in pairs if user in member_of_user
    }


def conflict_pairs(competition: Competition) -> set[tuple[int, int]]:
    """Every (member, application) pair that must not meet: declared, found
    later (recusals record one), or by group membership."""
    declared = set(
        Conflict.objects.filter(member__competition=competition).values_list(
            "member_id", "application_id"
        )
    )
    return declared | membership_conflicts(competition)


def conflicts_by_member(competition: Competition) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for member, application in conflict_pairs(competition):
        result[member].add(application)
    return result


def is_conflicted(member: CommissionMember, application: Application) -> bool:
    return (
        Conflict.objects.filter(member=member, application=application).exists()
        or GroupMembership.objects.filter(
            user_id=member.user_id, group_id=application.group_id
        ).exists()
    )
