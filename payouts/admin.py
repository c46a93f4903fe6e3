"""The admin site shows grants, tranches and reports for support and audit.
States change only through the services, so status fields are read-only here
and nothing can be added or deleted that the services would not do."""

from django.contrib import admin

from .models import (
    CompetitionPayoutSettings,
    Grant,
    GrantBudgetLine,
    Payment,
    Report,
    ReportAttachment,
    ReportLine,
    ReportResult,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GrantBudgetLineInline(ReadOnlyInline):
    model = GrantBudgetLine
    fields = (
        "position",
        "category",
        "name",
        "quantity",
        "unit_cost",
        "grant_amount",
        "own_financial",
        "own_non_financial",
        "approved_over",
    )


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("order", "amount", "due_date", "status", "amount_paid", "paid_on", "bank_reference")


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ("kind", "status", "due_date", "submitted_at", "reviewed_at")


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = (
        "contract_number",
        "group",
        "competition",
        "status",
        "amount_awarded",
        "signed_on",
        "final_report_due",
    )
    list_filter = ("status", "competition__operator", "competition")
    search_fields = ("contract_number", "group__name", "application__title", "application__number")
    list_select_related = ("group", "competition")
    inlines = (GrantBudgetLineInline, PaymentInline, ReportInline)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportLineInline(ReadOnlyInline):
    model = ReportLine
    fields = ("budget_line", "spent_grant", "spent_own_financial", "spent_own_non_financial")


class ReportResultInline(ReadOnlyInline):
    model = ReportResult
    fields = ("indicator", "actual_value", "comment")


class ReportAttachmentInline(ReadOnlyInline):
    model = ReportAttachment
    fields = ("original_name", "content_type", "size", "uploaded_at")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("grant", "kind", "status", "due_date", "submitted_at")
    list_filter = ("kind", "status")
    search_fields = ("grant__contract_number", "grant__group__name")
    list_select_related = ("grant",)
    inlines = (ReportLineInline, ReportResultInline, ReportAttachmentInline)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("grant", "order", "amount", "due_date", "status", "paid_on")
    list_filter = ("status",)
    search_fields = ("grant__contract_number", "bank_reference")
    list_select_related = ("grant",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompetitionPayoutSettings)
class CompetitionPayoutSettingsAdmin(admin.ModelAdmin):
    """Changed through `payout_settings_update`, which keeps the audit trail."""

    list_display = ("competition", "partial_report_required")
    list_select_related = ("competition",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
