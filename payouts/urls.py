from django.urls import path

from .views import actions, budget, grants, reports

urlpatterns = [
    # Grants
    path("grants/", grants.grant_list, name="grant-list"),
    path("grants/register/", grants.grant_register, name="grant-register"),
    path("grants/<int:pk>/", grants.grant_view, name="grant-detail"),
    path("grants/<int:pk>/budget/", budget.budget_update, name="grant-budget"),
    path("grants/<int:pk>/contract/", budget.contract_prepare, name="grant-contract"),
    path("grants/<int:pk>/contract.docx", grants.contract_docx, name="grant-contract-docx"),
    path("grants/<int:pk>/contract/print/", grants.contract_print, name="grant-contract-print"),
    path(
        "grants/<int:pk>/budget-lines/<int:line_pk>/approve-over/",
        actions.line_approve_over,
        name="grant-line-approve-over",
    ),
    path("grants/<int:pk>/final-report/", grants.final_report_open, name="grant-final-report"),
    # sign, start, start_reporting, settle, close, terminate, decline, request-report, refund
    path("grants/<int:pk>/do/<slug:action>/", actions.grant_action, name="grant-action"),
    # Tranches: approve, pay
    path("payments/<int:pk>/<slug:action>/", actions.payment_action, name="payment-action"),
    # Reports
    path("reports/<int:pk>/", reports.report_view, name="report-detail"),
    path("reports/<int:pk>/save/", reports.report_save, name="report-save"),
    path("reports/<int:pk>/submit/", reports.report_submit, name="report-submit"),
    path("reports/<int:pk>/review/<slug:decision>/", reports.report_review, name="report-review"),
    path("reports/<int:pk>/attachments/", reports.attachment_add, name="report-attachment-add"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/",
        reports.attachment_download,
        name="report-attachment-download",
    ),
    path(
        "reports/<int:pk>/attachments/<int:attachment_pk>/delete/",
        reports.attachment_delete,
        name="report-attachment-delete",
    ),
]
