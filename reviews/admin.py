"""Admin for the commission's records, read-only: the commission is formed,
declarations signed, reviews scored and decisions recorded through the
services, which check and audit every change. An official sees the records of
their own operators' competitions; scores only once scoring has closed, as on
every other screen."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from competitions.models import Competition
from core.admin import OperatorScopedAdmin, ReadOnlyAdminMixin, ReadOnlyTabularInline

from .models import (
    CommissionMember,
    Conflict,
    Decision,
    Declaration,
    Recommendation,
    Review,
    ReviewSettings,
    Score,
)
from .results import review_settings


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, OperatorScopedAdmin):
    pass


@admin.register(CommissionMember)
class CommissionMemberAdmin(ReadOnlyScopedAdmin):
    operator_path = "competition__operator"
    list_display = ["user", "competition", "affiliation", "is_chair", "signed", "added_at"]
    list_filter = ["affiliation", "is_chair"]
    search_fields = ["user__full_name", "user__email", "competition__title"]
    list_select_related = ["user", "competition", "declaration"]
    fields = ["competition", "user", "affiliation", "is_chair", "added_by", "added_at"]
    readonly_fields = fields

    @admin.display(description=_("signed the declaration"), boolean=True)
    def signed(self, member: CommissionMember) -> bool:
        return hasattr(member, "declaration")


class ConflictInline(ReadOnlyTabularInline):
    model = Conflict
    fields = ["application", "ground", "details", "source", "declared_at"]
    readonly_fields = fields


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyScopedAdmin):
    operator_path = "member__competition__operator"
    list_display = ["member", "competition", "signed_at"]
    list_select_related = ["member__user", "member__competition"]
    search_fields = ["member__user__full_name", "member__competition__title"]
    fields = ["member", "signed_at", "statement"]
    readonly_fields = fields
    inlines = [ConflictInline]

    @admin.display(description=_("competition"))
    def competition(self, declaration: Declaration) -> Competition:
        return declaration.member.competition


class ScoreInline(ReadOnlyTabularInline):
    model = Score
    fields = ["criterion", "points", "comment", "updated_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().has_view_permission(request, obj)
        competition = obj.application.competition
        scores_open = (
            competition.status in (Competition.Status.DECIDED, Competition.Status.ARCHIVED)
            or review_settings(competition).scoring_closed
        )
        return scores_open and super().has_view_permission(request, obj)


@admin.register(Review)
class ReviewAdmin(ReadOnlyScopedAdmin):
    operator_path = "application__competition__operator"
    list_display = ["application", "member", "status", "assigned_at", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["application__number", "member__user__full_name"]
    list_select_related = ["application", "member__user"]
    fields = [
        "application",
        "member",
        "status",
        "assigned_by",
        "assigned_at",
        "submitted_at",
    ]
    readonly_fields = fields
    inlines = [ScoreInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyScopedAdmin):
    operator_path = "application__competition__operator"
    list_display = ["application", "amount", "recorded_by", "recorded_at"]
    list_select_related = ["application", "recorded_by"]
    search_fields = ["application__number", "application__title"]
    fields = ["application", "amount", "comment", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Decision)
class DecisionAdmin(ReadOnlyScopedAdmin):
    operator_path = "application__competition__operator"
    list_display = ["application", "outcome", "amount", "decided_by", "decided_at", "applied_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "decided_by"]
    search_fields = ["application__number", "application__title"]
    fields = [
        "application",
        "outcome",
        "amount",
        "reason",
        "decided_by",
        "decided_at",
        "applied_at",
    ]
    readonly_fields = fields


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(ReadOnlyScopedAdmin):
    operator_path = "competition__operator"
    list_display = ["competition", "disagreement_pct", "scoring_closed_at"]
    list_select_related = ["competition"]
    fields = [
        "competition",
        "disagreement_pct",
        "no_ngo_reason",
        "scoring_closed_at",
        "scoring_closed_by",
    ]
    readonly_fields = fields
