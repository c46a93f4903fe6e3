"""Reads a user sees, scoped to what that user may see."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.models import AuditEntry
from core.roles import roles_for

from .models import (
    ApplicantGroup,
    Application,
    GroupInvitation,
    GroupMembership,
)


def groups_of(user) -> QuerySet[ApplicantGroup]:
    return ApplicantGroup.objects.filter(pk__in=roles_for(user).group_ids)


def group_for_member(user, pk) -> ApplicantGroup:
    return get_object_or_404(
        groups_of(user).prefetch_related(
            "informal_members",
            Prefetch("memberships", queryset=GroupMembership.objects.select_related("user")),
            Prefetch(
                "invitations", queryset=GroupInvitation.objects.filter(accepted_at__isnull=True)
            ),
        ),
        pk=pk,
    )


def applications_visible_to(user) -> QuerySet[Application]:
    """Applicants see their groups' applications; officials the submitted ones of
    their operator's competitions (never another group's draft)."""
    roles = roles_for(user)
    visible = Q(group_id__in=roles.group_ids)
    if roles.operator_ids:
        visible |= Q(competition__operator_id__in=roles.operator_ids) & ~Q(
            status=Application.Status.DRAFT
        )
    return (
        Application.objects.filter(visible)
        .select_related("competition", "competition__operator", "group")
        .order_by("-updated_at", "-pk")
    )


def application_parts_prefetch():
    return [
        "budget_lines",
        "schedule_items",
        "indicators",
        "answers",
        "attachments",
        "competition__questions",
        "group__informal_members",
    ]


def application_detail(user, pk) -> Application:
    return get_object_or_404(
        applications_visible_to(user).prefetch_related(*application_parts_prefetch()), pk=pk
    )


# Rows of the operator's and the commission's own work on an application: a
# formal check still being drafted, the commission's recommendation (recorded
# by the chair, a reviewer) and a decision not applied yet. The applicant
# learns the outcomes from the transitions that follow them.
INTERNAL_HISTORY = ("formal_check_save", "recommendation_record", "decision_record")


def application_history(application: Application) -> QuerySet[AuditEntry]:
    """The whole audit trail, internal rows included: for officials' tools and
    tests. What a user is shown goes through `application_history_for`."""
    from django.contrib.contenttypes.models import ContentType

    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id=application.pk
    ).select_related("actor")


def application_history_for(user, application: Application) -> QuerySet[AuditEntry]:
    """The history as this user may see it: anyone but an official of the
    competition's operator is spared the internal rows, whose actors would
    name commission members to the applicant."""
    entries = application_history(application)
    if not roles_for(user).is_official_of(application.competition.operator_id):
        entries = entries.exclude(transition__in=INTERNAL_HISTORY)
    return entries
