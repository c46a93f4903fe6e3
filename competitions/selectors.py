from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.roles import roles_for

from .models import Competition

PUBLIC_STATES = [
    Competition.Status.PUBLISHED,
    Competition.Status.CLOSED,
    Competition.Status.IN_REVIEW,
    Competition.Status.DECIDED,
    Competition.Status.ARCHIVED,
    Competition.Status.CANCELLED,
]


def public_competitions() -> QuerySet[Competition]:
    return (
        Competition.objects.filter(status__in=PUBLIC_STATES)
        .select_related("operator")
        .order_by("-submission_deadline", "pk")
    )


def open_competitions() -> QuerySet[Competition]:
    from django.utils import timezone

    return public_competitions().filter(
        status=Competition.Status.PUBLISHED, submission_deadline__gt=timezone.now()
    )


def competitions_visible_to(user) -> QuerySet[Competition]:
    """Everyone sees public ones; officials also their operator's drafts."""
    roles = roles_for(user)
    visible = Q(status__in=PUBLIC_STATES)
    if roles.operator_ids:
        visible |= Q(operator_id__in=roles.operator_ids)
    return (
        Competition.objects.filter(visible)
        .select_related("operator")
        .annotate(
            submitted_count=Count(
                "applications", filter=~Q(applications__status__in=["draft", "withdrawn"])
            )
        )
        .order_by("-submission_deadline", "pk")
    )


def competitions_managed_by(user) -> QuerySet[Competition]:
    return Competition.objects.filter(operator_id__in=roles_for(user).operator_ids).select_related(
        "operator"
    )


def competition_detail(user, pk) -> Competition:
    return get_object_or_404(
        competitions_visible_to(user).prefetch_related("criteria", "checklist_items", "questions"),
        pk=pk,
    )
