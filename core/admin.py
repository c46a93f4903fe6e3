"""Admin for people and the audit log, and what every app's admin shares.

The admin is for officials and for whoever runs the installation. Superusers
see everything; an official with admin access sees only what belongs to the
operators they work for (`OperatorScopedAdmin`). States are never edited
here: every state change is a service call, so it is checked and audited.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from competitions.models import Competition, StaffMembership

from .errors import DomainError
from .models import AuditEntry, User
from .roles import roles_for

admin.site.site_header = _("Grantownik administration")
admin.site.site_title = _("Grantownik")
admin.site.index_title = _("Competitions, applications and people")


def official_operator_ids(request) -> frozenset[int]:
    return roles_for(request.user).operator_ids


class OperatorScopedAdmin(admin.ModelAdmin):
    """Limits a non-superuser to the rows of the operators they work for.

    `operator_path` is the lookup from the model to its operator's id, e.g.
    "competition__operator".
    """

    operator_path = "operator"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.operator_path}__in": official_operator_ids(request)})


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False
    can_delete = False


def run_service_action(modeladmin, request, queryset, service, *, done_message) -> int:
    """Call `service(<object>, actor)` for each selected object.

    Each refusal is reported with the object's name and the service's own
    messages, so the admin explains a failure the same way the API does.
    Returns how many succeeded.
    """
    done = 0
    for obj in queryset:
        try:
            service(obj, request.user)
        except DomainError as exc:
            for message in exc.messages or [str(exc)]:
                modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    return done


class StaffMembershipOfUserInline(admin.TabularInline):
    model = StaffMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["operator"]
    fields = ["operator", "is_admin", "job_title"]
    verbose_name = _("official of")
    verbose_name_plural = _("official of these operators")

    def _may_manage(self, request, obj) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj) and super().has_delete_permission(request, obj)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "full_name", "language", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language", "groups"]
    search_fields = ["email", "full_name"]
    ordering = ["full_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [StaffMembershipOfUserInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "language", "usable_password"),
            },
        ),
        (None, {"fields": ("password1", "password2")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out admin access or permissions; an
            # official may otherwise edit people's names and contact data.
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log, append-only: no row is added, changed or deleted here."""

    list_display = [
        "created_at",
        "content_type",
        "object_id",
        "subject_label",
        "transition",
        "from_state",
        "to_state",
        "actor_display",
    ]
    list_filter = ["transition", "to_state", "content_type"]
    search_fields = ["transition", "comment", "actor__email", "actor__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]
    fields = [
        "created_at",
        "content_type",
        "object_id",
        "subject_label",
        "transition",
        "from_state",
        "to_state",
        "actor_display",
        "comment",
        "payload",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("subject")
        if request.user.is_superuser:
            return queryset
        # An official reads the history of their own operators' competitions
        # and of the applications sent to them, nothing else.
        operator_ids = official_operator_ids(request)
        types = ContentType.objects.get_for_models(Competition, Application)
        return queryset.filter(
            Q(
                content_type=types[Competition],
                object_id__in=Competition.objects.filter(operator_id__in=operator_ids).values("pk"),
            )
            | Q(
                content_type=types[Application],
                object_id__in=Application.objects.filter(
                    competition__operator_id__in=operator_ids
                ).values("pk"),
            )
        )

    @admin.display(description=_("object"))
    def subject_label(self, entry: AuditEntry) -> str:
        subject = entry.subject
        return str(subject) if subject is not None else "—"

    @admin.display(description=_("actor"), ordering="actor__full_name")
    def actor_display(self, entry: AuditEntry) -> str:
        return entry.actor_label
