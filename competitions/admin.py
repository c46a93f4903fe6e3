"""Admin for operators, their officials and competitions.

A competition is edited here only while it is a draft, like in the service
layer; publishing and closing are admin actions that call the services, so
the same rules are checked and the change is audited. `status` is never a
form field.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.models import Application
from core.admin import OperatorScopedAdmin, official_operator_ids, run_service_action
from core.roles import roles_for

from . import services
from .models import ChecklistItem, Competition, Criterion, FormQuestion, Operator, StaffMembership


def admin_operator_ids(request) -> frozenset[int]:
    """Operators whose staff this user may manage (the official's admin flag)."""
    return roles_for(request.user).admin_operator_ids


def is_draft(competition: Competition | None) -> bool:
    return competition is None or competition.status == Competition.Status.DRAFT


class FormQuestionForm(forms.ModelForm):
    class Meta:
        model = FormQuestion
        fields = ["competition", *services.PART_FIELDS[FormQuestion]]

    def clean(self):
        cleaned = super().clean()
        choices = cleaned.get("choices")
        if cleaned.get("kind") == FormQuestion.Kind.CHOICE and (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            self.add_error(
                "choices",
                _('A choice question needs at least two options, e.g. ["yes", "no"].'),
            )
        return cleaned


class DraftPartInline(admin.TabularInline):
    """Rows of a competition: editable while the competition is a draft."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_draft(obj) and super().has_delete_permission(request, obj)


class CriterionInline(DraftPartInline):
    model = Criterion
    fields = ["position", "name", "max_points", "weight", "guidance"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}
    }


class ChecklistItemInline(DraftPartInline):
    model = ChecklistItem
    fields = ["position", "text", "correctable"]


class FormQuestionInline(DraftPartInline):
    model = FormQuestion
    form = FormQuestionForm
    fields = ["position", "label", "kind", "required", "choices", "max_length", "help_text"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }


class StaffMembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "is_admin", "job_title"]

    def _may_manage(self, request, operator) -> bool:
        if request.user.is_superuser:
            return True
        return operator is not None and operator.pk in admin_operator_ids(request)

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Operator)
class OperatorAdmin(OperatorScopedAdmin):
    operator_path = "pk"
    list_display = ["name", "kind", "slug", "nip", "krs", "email", "staff_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "nip", "regon", "krs", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(staff_total=Count("memberships"))

    @admin.display(description=_("officials"), ordering="staff_total")
    def staff_count(self, operator: Operator) -> int:
        return operator.staff_total

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return request.user.is_superuser or obj is None or obj.pk in admin_operator_ids(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(StaffMembership)
class StaffMembershipAdmin(OperatorScopedAdmin):
    """Who is an official of which operator. An official with the admin flag
    manages their own operator's staff here."""

    list_display = ["user", "user_email", "operator", "is_admin", "job_title"]
    list_filter = ["is_admin", "operator"]
    search_fields = ["user__email", "user__full_name", "operator__name", "job_title"]
    autocomplete_fields = ["user", "operator"]
    list_select_related = ["user", "operator"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, membership: StaffMembership) -> str:
        return membership.user.email

    def _may_manage(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        managed = admin_operator_ids(request)
        return bool(managed) if obj is None else obj.operator_id in managed

    def has_add_permission(self, request):
        return self._may_manage(request, None) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "operator" and not request.user.is_superuser:
            kwargs["queryset"] = Operator.objects.filter(pk__in=admin_operator_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Competition)
class CompetitionAdmin(OperatorScopedAdmin):
    list_display = [
        "title",
        "operator",
        "kind",
        "status",
        "submission_deadline",
        "budget_total",
        "grant_range",
        "submitted_count",
    ]
    list_filter = ["status", "kind", "operator", "year"]
    search_fields = ["title", "number_prefix", "operator__name"]
    date_hierarchy = "submission_deadline"
    list_select_related = ["operator"]
    autocomplete_fields = ["operator"]
    readonly_fields = ["status", "published_at", "last_number", "created_at"]
    inlines = [CriterionInline, ChecklistItemInline, FormQuestionInline]
    actions = ["publish", "close"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "operator",
                    "title",
                    "kind",
                    ("number_prefix", "year"),
                    "summary",
                    "rules",
                    ("status", "published_at", "last_number", "created_at"),
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("submission_deadline", "min_submission_days"),
                    ("implementation_start", "implementation_end", "max_project_days"),
                    "correction_window_days",
                )
            },
        ),
        (
            _("Money"),
            {
                "fields": (
                    "budget_total",
                    ("grant_min", "grant_max"),
                    ("own_contribution_min_pct", "own_financial_min_pct"),
                    "admin_costs_max_pct",
                    "volunteer_hour_rate",
                    "budget_shift_pct",
                )
            },
        ),
        (
            _("Review and settlement"),
            {
                "fields": (
                    ("score_threshold_pct", "reviewers_per_application"),
                    "allow_partial_award",
                    "budget_update_days",
                    ("final_report_days", "refund_days"),
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                submitted_total=Count(
                    "applications", filter=~Q(applications__status=Application.Status.DRAFT)
                )
            )
        )

    @admin.display(description=_("grant"))
    def grant_range(self, competition: Competition) -> str:
        return f"{competition.grant_min:,.0f}–{competition.grant_max:,.0f}".replace(",", " ")

    @admin.display(description=_("submitted"), ordering="submitted_total")
    def submitted_count(self, competition: Competition) -> int:
        return competition.submitted_total

    def has_change_permission(self, request, obj=None):
        # Once published, a competition's rules are what applicants relied on.
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_draft(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "operator" and not request.user.is_superuser:
            kwargs["queryset"] = Operator.objects.filter(pk__in=official_operator_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Publish the selected competitions"), permissions=["change"])
    def publish(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda competition, actor: services.competition_publish(
                competition=competition, actor=actor
            ),
            done_message=lambda n: (
                ngettext("%(count)s competition published.", "%(count)s competitions published.", n)
                % {"count": n}
            ),
        )

    @admin.action(
        description=_("Close submissions of the selected competitions"), permissions=["change"]
    )
    def close(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda competition, actor: services.competition_close(
                competition=competition, actor=actor
            ),
            done_message=lambda n: (
                ngettext("%(count)s competition closed.", "%(count)s competitions closed.", n)
                % {"count": n}
            ),
        )


class CompetitionPartAdmin(OperatorScopedAdmin):
    """A criterion, checklist item or question on its own, for searching
    across competitions; changed only while its competition is a draft."""

    operator_path = "competition__operator"
    list_select_related = ["competition"]
    autocomplete_fields = ["competition"]

    def has_change_permission(self, request, obj=None):
        return (obj is None or is_draft(obj.competition)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return (obj is None or is_draft(obj.competition)) and super().has_delete_permission(
            request, obj
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "competition":
            drafts = Competition.objects.filter(status=Competition.Status.DRAFT)
            if not request.user.is_superuser:
                drafts = drafts.filter(operator_id__in=official_operator_ids(request))
            kwargs["queryset"] = drafts
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Criterion)
class CriterionAdmin(CompetitionPartAdmin):
    list_display = ["name", "competition", "max_points", "weight", "position"]
    list_filter = ["competition__status", "competition"]
    search_fields = ["name", "guidance", "competition__title"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(CompetitionPartAdmin):
    list_display = ["text", "competition", "correctable", "position"]
    list_filter = ["correctable", "competition__status", "competition"]
    search_fields = ["text", "competition__title"]


@admin.register(FormQuestion)
class FormQuestionAdmin(CompetitionPartAdmin):
    form = FormQuestionForm
    list_display = ["label", "competition", "kind", "required", "position"]
    list_filter = ["kind", "required", "competition__status", "competition"]
    search_fields = ["label", "help_text", "competition__title"]
