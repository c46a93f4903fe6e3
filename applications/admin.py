"""Admin for applicant groups and applications.

Applications are read here, not written: their content belongs to the
applicants and their states change only through the services (submission,
formal check, decisions). An official sees the submitted applications of
their own operators' competitions, never a group's draft.
"""

import json

from django import forms
from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import (
    OperatorScopedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    official_operator_ids,
)
from core.errors import RuleViolation

from .models import (
    Answer,
    ApplicantGroup,
    Application,
    ApplicationSnapshot,
    Attachment,
    BudgetLine,
    FormalCheck,
    FormalCheckResult,
    GroupInvitation,
    GroupMembership,
    Indicator,
    InformalGroupMember,
    ScheduleItem,
)
from .selectors import application_history
from .services.groups import GROUP_FIELDS, normalise_identifiers

IDENTIFIER_FIELDS = ("nip", "regon", "krs", "patron_krs", "bank_account")


def submitted_to_operators(request):
    """Applications an official may see: submitted to their operators."""
    return Application.objects.filter(
        competition__operator_id__in=official_operator_ids(request)
    ).exclude(status=Application.Status.DRAFT)


class ApplicationScopedAdmin(OperatorScopedAdmin):
    """For an application's rows: limited like the application itself."""

    operator_path = "application__competition__operator"
    status_path = "application__status"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(**{self.status_path: Application.Status.DRAFT})


class GroupScopedAdmin(admin.ModelAdmin):
    """Groups, and their rows, an official may see: those that applied to one
    of their operators' competitions."""

    group_path = "group"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        group_ids = submitted_to_operators(request).values("group_id")
        return queryset.filter(**{f"{self.group_path}__in": group_ids})


# Groups


class ApplicantGroupForm(forms.ModelForm):
    class Meta:
        model = ApplicantGroup
        fields = GROUP_FIELDS

    def clean(self):
        cleaned = super().clean()
        # The same checks and normal forms as when applicants enter the numbers.
        identifiers = {f: cleaned.get(f) or "" for f in IDENTIFIER_FIELDS if f in cleaned}
        try:
            cleaned.update(normalise_identifiers(identifiers))
        except RuleViolation as exc:
            for field, messages in exc.errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]


class InformalGroupMemberInline(admin.TabularInline):
    model = InformalGroupMember
    extra = 0
    fields = ["full_name", "city", "is_adult"]


class GroupInvitationInline(ReadOnlyTabularInline):
    model = GroupInvitation
    fk_name = "group"
    fields = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    readonly_fields = fields


@admin.register(ApplicantGroup)
class ApplicantGroupAdmin(GroupScopedAdmin):
    form = ApplicantGroupForm
    group_path = "pk"
    list_display = ["name", "kind", "city", "krs", "nip", "member_count", "application_count"]
    list_filter = ["kind", "city"]
    search_fields = [
        "name",
        "krs",
        "nip",
        "regon",
        "email",
        "patron_name",
        "memberships__user__email",
    ]
    readonly_fields = ["created_at"]
    inlines = [GroupMembershipInline, InformalGroupMemberInline, GroupInvitationInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "created_at")}),
        (_("Registration"), {"fields": (("krs", "nip", "regon"), "bank_account")}),
        (_("Contact"), {"fields": ("address", ("postal_code", "city"), "email", "phone")}),
        (_("Patron organisation (informal groups)"), {"fields": ("patron_name", "patron_krs")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                application_total=Count(
                    "applications",
                    filter=~Q(applications__status=Application.Status.DRAFT),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, group: ApplicantGroup) -> int:
        return group.member_total

    @admin.display(description=_("submitted applications"), ordering="application_total")
    def application_count(self, group: ApplicantGroup) -> int:
        return group.application_total


@admin.register(GroupMembership)
class GroupMembershipAdmin(GroupScopedAdmin):
    list_display = ["user", "group", "role", "joined_at"]
    list_filter = ["role", "group__kind"]
    search_fields = ["user__email", "user__full_name", "group__name"]
    autocomplete_fields = ["user", "group"]
    list_select_related = ["user", "group"]
    readonly_fields = ["joined_at"]


@admin.register(InformalGroupMember)
class InformalGroupMemberAdmin(GroupScopedAdmin):
    list_display = ["full_name", "group", "city", "is_adult"]
    list_filter = ["is_adult"]
    search_fields = ["full_name", "city", "group__name"]
    autocomplete_fields = ["group"]
    list_select_related = ["group"]


@admin.register(GroupInvitation)
class GroupInvitationAdmin(GroupScopedAdmin):
    """Invitations are sent by the group's owners, with an e-mail; here they
    can only be looked at or revoked."""

    list_display = ["email", "group", "role", "invited_by", "created_at", "expires_at", "accepted"]
    list_filter = ["role"]
    search_fields = ["email", "group__name"]
    list_select_related = ["group", "invited_by"]
    fields = [
        "group",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("accepted"), boolean=True)
    def accepted(self, invitation: GroupInvitation) -> bool:
        return invitation.accepted_at is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Applications and their parts


class BudgetLineInline(ReadOnlyTabularInline):
    model = BudgetLine
    fields = [
        "position",
        "category",
        "name",
        "unit",
        "quantity",
        "unit_cost",
        "line_total",
        "grant_amount",
        "own_financial",
        "own_non_financial",
        "is_volunteer_work",
    ]
    readonly_fields = fields

    @admin.display(description=_("total cost"))
    def line_total(self, line: BudgetLine):
        return line.total


class ScheduleItemInline(ReadOnlyTabularInline):
    model = ScheduleItem
    fields = ["position", "action", "start_date", "end_date", "description"]
    readonly_fields = fields


class IndicatorInline(ReadOnlyTabularInline):
    model = Indicator
    fields = ["position", "result", "name", "target_value", "unit", "verification"]
    readonly_fields = fields


class AnswerInline(ReadOnlyTabularInline):
    model = Answer
    fields = ["question", "value"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyTabularInline):
    # The file itself is not linked: private files are handed out only by the
    # permission-checked download view.
    model = Attachment
    fields = ["original_name", "content_type", "size", "description", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class FormalCheckInline(ReadOnlyTabularInline):
    model = FormalCheck
    fields = ["round", "outcome", "checked_by", "concluded_by", "concluded_at", "comment"]
    readonly_fields = fields
    show_change_link = True


class SnapshotInline(ReadOnlyTabularInline):
    model = ApplicationSnapshot
    fields = ["version", "created_at", "submitted_by"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, ApplicationScopedAdmin):
    operator_path = "competition__operator"
    status_path = "status"
    list_display = [
        "number",
        "title",
        "group",
        "competition",
        "status",
        "amount_requested",
        "submitted_at",
        "updated_at",
    ]
    list_filter = ["status", "competition", "group__kind"]
    search_fields = ["number", "title", "group__name", "group__krs", "group__nip"]
    list_select_related = ["group", "competition"]
    date_hierarchy = "created_at"
    inlines = [
        BudgetLineInline,
        ScheduleItemInline,
        IndicatorInline,
        AnswerInline,
        AttachmentInline,
        SnapshotInline,
        FormalCheckInline,
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("number", "status"),
                    ("competition", "group"),
                    ("created_by", "created_at", "updated_at"),
                    ("submitted_at", "last_submitted_at", "correction_deadline"),
                )
            },
        ),
        (
            _("Project"),
            {
                "fields": (
                    "title",
                    "summary",
                    "description",
                    ("target_group", "target_group_size"),
                    "place",
                    ("start_date", "end_date"),
                    "amount_requested",
                )
            },
        ),
        (_("History"), {"fields": ("history",)}),
    )
    readonly_fields = [
        "number",
        "status",
        "competition",
        "group",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "last_submitted_at",
        "correction_deadline",
        "title",
        "summary",
        "description",
        "target_group",
        "target_group_size",
        "place",
        "start_date",
        "end_date",
        "amount_requested",
        "history",
    ]

    @admin.display(description=_("history"))
    def history(self, application: Application):
        entries = application_history(application)
        if not entries:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} ({} → {}), {}{}</li>",
                (
                    (
                        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                        entry.transition,
                        entry.from_state,
                        entry.to_state,
                        entry.actor_label,
                        f" – {entry.comment}" if entry.comment else "",
                    )
                    for entry in entries
                ),
            ),
        )


class ApplicationPartAdmin(ReadOnlyAdminMixin, ApplicationScopedAdmin):
    list_select_related = ["application", "application__competition"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ApplicationPartAdmin):
    list_display = [
        "name",
        "application",
        "category",
        "quantity",
        "unit_cost",
        "grant_amount",
        "own_financial",
        "own_non_financial",
    ]
    list_filter = ["category", "is_volunteer_work", "application__competition"]
    search_fields = ["name", "application__number", "application__title"]


@admin.register(ScheduleItem)
class ScheduleItemAdmin(ApplicationPartAdmin):
    list_display = ["action", "application", "start_date", "end_date"]
    list_filter = ["application__competition"]
    search_fields = ["action", "description", "application__number", "application__title"]


@admin.register(Indicator)
class IndicatorAdmin(ApplicationPartAdmin):
    list_display = ["name", "result", "application", "target_value", "unit"]
    list_filter = ["application__competition"]
    search_fields = ["name", "result", "application__number", "application__title"]


@admin.register(Answer)
class AnswerAdmin(ApplicationPartAdmin):
    list_display = ["question", "application", "value"]
    list_filter = ["question__kind", "application__competition"]
    search_fields = ["question__label", "application__number", "application__title"]
    list_select_related = ["question", "application", "application__competition"]


@admin.register(Attachment)
class AttachmentAdmin(ApplicationPartAdmin):
    list_display = ["original_name", "application", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type", "application__competition"]
    search_fields = ["original_name", "description", "sha256", "application__number"]
    exclude = ["file"]


@admin.register(ApplicationSnapshot)
class ApplicationSnapshotAdmin(ApplicationPartAdmin):
    """Each submitted version, exactly as it was sent."""

    list_display = ["application", "version", "created_at", "submitted_by"]
    list_filter = ["application__competition"]
    search_fields = ["application__number", "application__title"]
    list_select_related = ["application", "application__competition", "submitted_by"]
    fields = ["application", "version", "created_at", "submitted_by", "content"]
    readonly_fields = fields

    @admin.display(description=_("what was submitted"))
    def content(self, snapshot: ApplicationSnapshot):
        text = json.dumps(snapshot.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return format_html("<pre>{}</pre>", text)


class FormalCheckResultInline(ReadOnlyTabularInline):
    model = FormalCheckResult
    fields = ["item", "passed", "comment", "checked_by", "checked_at"]
    readonly_fields = fields


@admin.register(FormalCheck)
class FormalCheckAdmin(ApplicationPartAdmin):
    """Rounds of the formal check, done on the application's pages; shown here."""

    list_display = ["application", "round", "outcome", "checked_by", "concluded_at"]
    list_filter = ["outcome", "application__competition"]
    search_fields = ["application__number", "application__title", "comment"]
    list_select_related = ["application", "application__competition", "checked_by"]
    inlines = [FormalCheckResultInline]


@admin.register(FormalCheckResult)
class FormalCheckResultAdmin(ApplicationPartAdmin):
    operator_path = "formal_check__application__competition__operator"
    status_path = "formal_check__application__status"
    list_display = ["item", "formal_check", "passed", "checked_by", "checked_at"]
    list_filter = ["passed", "item__correctable"]
    search_fields = ["item__text", "comment", "formal_check__application__number"]
    list_select_related = ["item", "formal_check", "formal_check__application", "checked_by"]
