"""The outbox, the reminders log and the notices, for support; reminder
settings and notice preferences, for changing by hand. Sent-markers and
outgoing e-mails are never edited here: only a failed e-mail may be queued
again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import OperatorScopedAdmin, ReadOnlyAdminMixin
from core.errors import DomainError

from .models import Notice, NoticePreferences, OutboxMessage, ReminderClaim, ReminderSettings
from .services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Everyone's mail: for whoever runs the installation only."""

    list_display = ("created_at", "to_email", "template", "status", "attempts", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("to_email", "subject")
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Send the selected failed e-mails again"))
    def retry(self, request, queryset):
        try:
            count = outbox_retry(
                message_ids=queryset.values_list("pk", flat=True), actor=request.user
            )
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)s e-mail(s) queued again; the outbox scan sends them within a minute.")
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ReminderClaim)
class ReminderClaimAdmin(ReadOnlyAdminMixin, OperatorScopedAdmin):
    operator_path = "competition__operator"
    list_display = ("claimed_at", "competition", "kind", "recipient", "offset_days", "deadline")
    list_filter = ("kind",)
    list_select_related = ("competition", "recipient")
    raw_id_fields = ("recipient", "competition", "outbox_message")


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(OperatorScopedAdmin):
    operator_path = "competition__operator"
    list_display = ("competition", "scoring_deadline", "decline_lapsed_budget_update")
    list_select_related = ("competition",)
    raw_id_fields = ("competition",)
    exclude = ("updated_at",)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "subject", "read_at")
    list_filter = ("template",)
    search_fields = ("user__email", "subject")
    list_select_related = ("user",)


@admin.register(NoticePreferences)
class NoticePreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "reminder_emails", "updated_at")
    raw_id_fields = ("user",)
    exclude = ("updated_at",)
