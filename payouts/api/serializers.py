"""Output serializers of grants, tranches, reports and their history.

They read only what the selectors and the views loaded with the rows, so a
list runs no query per row.
"""

import functools

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from applications.api.serializers import BudgetTotalsSerializer
from applications.models import ApplicantGroup, Indicator
from competitions.models import Competition
from core.api import ModelSerializer, NamedChoiceField, StateSerializerMixin
from core.models import AuditEntry
from core.transitions import available_transitions

from ..models import (
    Grant,
    GrantBudgetLine,
    Payment,
    Report,
    ReportAttachment,
)
from ..selectors import grant_budget_totals, report_rows


def money_output(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


# Who and what a grant belongs to ---------------------------------------------


class GrantCompetitionSerializer(ModelSerializer):
    """The competition of a grant; the whole of it is at `competitions/{id}/`."""

    class Meta:
        model = Competition
        fields = ["id", "title", "number_prefix", "year"]
        read_only_fields = fields


class GranteeSerializer(ModelSerializer):
    class Meta:
        model = ApplicantGroup
        fields = ["id", "name"]
        read_only_fields = fields


class GrantBriefSerializer(ModelSerializer):
    """The grant a tranche or a report belongs to; the whole of it, with what
    you may do with it, is at `grants/{id}/`."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    competition = GrantCompetitionSerializer(read_only=True)
    group = GranteeSerializer(read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "contract_number", "status", "status_display", "competition", "group"]
        read_only_fields = fields


class OwnTransitionsMixin(StateSerializerMixin):
    """A stateful object shown inside another resource's answer: the view's
    `transition_names` are the outer object's, so they do not apply here.
    Every transition of grants, tranches and reports has its endpoint."""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        return available_transitions(obj, getattr(request, "user", None))


# Tranches --------------------------------------------------------------------

PAYMENT_FIELDS = [
    "id",
    "order",
    "amount",
    "due_date",
    "status",
    "status_display",
    "available_transitions",
    "approved_at",
    "amount_paid",
    "paid_on",
    "bank_reference",
]


class GrantPaymentSerializer(OwnTransitionsMixin, ModelSerializer):
    """A tranche inside its grant."""

    class Meta:
        model = Payment
        fields = PAYMENT_FIELDS
        read_only_fields = fields


class PaymentSerializer(StateSerializerMixin, ModelSerializer):
    """A tranche with its grant and who approved and recorded it."""

    grant = GrantBriefSerializer(read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.full_name", read_only=True, allow_null=True, default=None
    )
    paid_recorded_by = serializers.CharField(
        source="paid_recorded_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Payment
        fields = [*PAYMENT_FIELDS, "grant", "approved_by", "paid_recorded_by"]
        read_only_fields = fields


# Grants ----------------------------------------------------------------------


class GrantBudgetLineSerializer(ModelSerializer):
    """A line of the agreed budget; `total` is quantity × unit cost."""

    total = money_output()

    class Meta:
        model = GrantBudgetLine
        fields = [
            "id",
            "position",
            "category",
            "name",
            "unit",
            "quantity",
            "unit_cost",
            "total",
            "grant_amount",
            "own_financial",
            "own_non_financial",
            "is_volunteer_work",
            "approved_over",
        ]
        read_only_fields = fields


class PlannedIndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "result", "name", "target_value", "unit"]
        read_only_fields = fields


class GrantReportSerializer(OwnTransitionsMixin, ModelSerializer):
    """A report inside its grant; the form itself is at `reports/{id}/`."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "available_transitions",
            "due_date",
            "is_late",
            "submitted_at",
            "reviewed_at",
        ]
        read_only_fields = fields


class LineSettlementSerializer(serializers.Serializer):
    key = serializers.IntegerField(read_only=True, help_text=_("The agreed budget line's id."))
    name = serializers.CharField(read_only=True)
    planned_grant = money_output()
    spent_grant = money_output()
    approved_over = money_output()
    limit = money_output(help_text=_("The most grant spending on the line that is eligible."))
    eligible = money_output()
    ineligible = money_output()


class SettlementSerializer(serializers.Serializer):
    """Eligible grant spending and the refund, in total and per budget line."""

    awarded = money_output()
    paid = money_output(help_text=_("Sum of the tranches paid."))
    shift_pct = money_output(help_text=_("Allowed shift between budget lines (%)."))
    spent_grant = money_output()
    eligible_spending = money_output()
    ineligible_spending = money_output()
    refund = money_output(help_text=_("Paid minus eligible spending, never below zero."))
    still_payable = money_output(help_text=_("Eligible spending not paid out yet."))
    lines = LineSettlementSerializer(many=True, read_only=True)


class SettlementViewSerializer(SettlementSerializer):
    """The stored settlement once the final report is accepted; before that,
    what accepting it would compute now."""

    computed = serializers.BooleanField(
        read_only=True,
        help_text=_("True once stored by the acceptance of the final report; false for a preview."),
    )
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)


GRANT_LIST_FIELDS = [
    "id",
    "contract_number",
    "competition",
    "group",
    "application",
    "title",
    "status",
    "status_display",
    "available_transitions",
    "amount_requested",
    "amount_awarded",
    "paid_total",
    "project_start",
    "project_end",
    "budget_update_deadline",
    "budget_update_pending",
    "signed_on",
    "final_report_due",
    "report_overdue",
    "refund_due",
    "refund_amount",
    "refund_paid",
    "refund_outstanding",
    "created_at",
    "updated_at",
]


class GrantSerializer(StateSerializerMixin, ModelSerializer):
    """A grant as listed."""

    competition = GrantCompetitionSerializer(read_only=True)
    group = GranteeSerializer(read_only=True)
    application = serializers.PrimaryKeyRelatedField(read_only=True)
    title = serializers.CharField(source="application.title", read_only=True)
    paid_total = money_output(help_text=_("Sum of the tranches paid."))
    budget_update_pending = serializers.BooleanField(
        read_only=True,
        help_text=_("The award is lower than requested and the budget is not updated yet."),
    )
    report_overdue = serializers.BooleanField(
        read_only=True,
        help_text=_("A report is past its due date and not submitted."),
    )
    refund_outstanding = money_output(help_text=_("Refund due and not received yet."))

    class Meta:
        model = Grant
        fields = GRANT_LIST_FIELDS
        read_only_fields = fields


class GrantDetailSerializer(GrantSerializer):
    """A grant with its contract, agreed budget, planned results, tranches,
    reports and, once computed, the settlement."""

    budget_update_last_day = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The last day to update the budget.")
    )
    budget_lines = GrantBudgetLineSerializer(many=True, read_only=True)
    budget_totals = serializers.SerializerMethodField()
    indicators = PlannedIndicatorSerializer(
        source="application.indicators", many=True, read_only=True
    )
    payments = GrantPaymentSerializer(many=True, read_only=True)
    reports = GrantReportSerializer(many=True, read_only=True)
    settlement = serializers.SerializerMethodField()
    contract_document_url = serializers.SerializerMethodField()

    class Meta(GrantSerializer.Meta):
        fields = [
            *GRANT_LIST_FIELDS,
            "budget_update_last_day",
            "budget_updated_at",
            "contract_prepared_at",
            "operator_signatory",
            "grantee_signatories",
            "bank_account",
            "shift_pct",
            "partial_report_required",
            "terminated_on",
            "eligible_spending",
            "settlement_computed_at",
            "refund_paid_on",
            "budget_lines",
            "budget_totals",
            "indicators",
            "payments",
            "reports",
            "settlement",
            "contract_document_url",
        ]
        read_only_fields = fields

    @extend_schema_field(BudgetTotalsSerializer)
    def get_budget_totals(self, grant) -> dict:
        return BudgetTotalsSerializer(grant_budget_totals(grant)).data

    @extend_schema_field(SettlementSerializer(allow_null=True))
    def get_settlement(self, grant) -> dict | None:
        if grant.settlement_computed_at is None or not grant.settlement_detail:
            return None
        return SettlementSerializer(grant.settlement_detail).data

    def get_contract_document_url(self, grant) -> str:
        return reverse(
            "grant-contract-document",
            kwargs={"pk": grant.pk},
            request=self.context.get("request"),
        )


# Reports ---------------------------------------------------------------------


class ReportSerializer(StateSerializerMixin, ModelSerializer):
    """A report as listed."""

    grant = GrantBriefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "grant",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "available_transitions",
            "due_date",
            "is_late",
            "is_editable",
            "request_comment",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportLineRowSerializer(serializers.Serializer):
    """One line of the agreed budget with the spending reported on it (null
    where nothing is reported yet)."""

    budget_line = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    category = NamedChoiceField(
        choices=GrantBudgetLine.Category.choices,
        enum_name="GrantBudgetLineCategory",
        read_only=True,
    )
    planned_total = money_output()
    planned_grant = money_output()
    planned_own_financial = money_output()
    planned_own_non_financial = money_output()
    spent_grant = money_output(allow_null=True)
    spent_own_financial = money_output(allow_null=True)
    spent_own_non_financial = money_output(allow_null=True)
    comment = serializers.CharField(read_only=True)


class ReportResultRowSerializer(serializers.Serializer):
    """One planned indicator with the value achieved (null where not given yet)."""

    indicator = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    target_value = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    actual_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    comment = serializers.CharField(read_only=True)


class ReportAttachmentSerializer(ModelSerializer):
    """A file attached to a report."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse(
            "report-attachments-download",
            kwargs={"report_pk": attachment.report_id, "pk": attachment.pk},
            request=self.context.get("request"),
        )


class ReportDetailSerializer(ReportSerializer):
    """A report with its form: spending on every agreed budget line, results
    for every planned indicator, the narrative and the files."""

    lines = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    attachments = ReportAttachmentSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "narrative", "lines", "results", "attachments"]
        read_only_fields = fields

    def _rows(self, report):
        # Both fields read the same rows; build them once per report.
        cache = self.context.setdefault("_report_rows", {})
        if report.pk not in cache:
            cache[report.pk] = report_rows(report)
        return cache[report.pk]

    @extend_schema_field(ReportLineRowSerializer(many=True))
    def get_lines(self, report) -> list:
        rows = []
        for line, spent in self._rows(report)[0]:
            rows.append(
                {
                    "budget_line": line.pk,
                    "name": line.name,
                    "category": line.category,
                    "planned_total": line.total,
                    "planned_grant": line.grant_amount,
                    "planned_own_financial": line.own_financial,
                    "planned_own_non_financial": line.own_non_financial,
                    "spent_grant": spent.spent_grant if spent else None,
                    "spent_own_financial": spent.spent_own_financial if spent else None,
                    "spent_own_non_financial": spent.spent_own_non_financial if spent else None,
                    "comment": spent.comment if spent else "",
                }
            )
        return ReportLineRowSerializer(rows, many=True).data

    @extend_schema_field(ReportResultRowSerializer(many=True))
    def get_results(self, report) -> list:
        rows = [
            {
                "indicator": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit,
                "target_value": indicator.target_value,
                "actual_value": result.actual_value if result else None,
                "comment": result.comment if result else "",
            }
            for indicator, result in self._rows(report)[1]
        ]
        return ReportResultRowSerializer(rows, many=True).data


# History ---------------------------------------------------------------------

# Entries of the audit trail that are not state transitions.
EVENT_LABELS = {
    "create": _("Grant created"),
    "budget_update": _("Budget updated"),
    "contract_prepare": _("Contract prepared"),
    "approve_change": _("Change of a budget line approved"),
    "settlement": _("Settlement computed"),
    "refund_record": _("Refund received"),
    "request": _("Partial report requested"),
    "open": _("Final report opened"),
}

HISTORY_MODELS = {"grant": Grant, "payment": Payment, "report": Report}


@functools.cache
def _labels(model_name: str) -> tuple[dict, dict]:
    model = HISTORY_MODELS[model_name]
    field = model._meta.get_field("status")
    transitions = {t.name: t.custom.get("label", t.name) for t in field.get_all_transitions(model)}
    return transitions, dict(model.Status.choices)


class PayoutHistoryEntrySerializer(ModelSerializer):
    """One change: who, when, what, from which state to which."""

    subject_type = serializers.SerializerMethodField(
        help_text=_("What changed: grant, payment or report.")
    )
    subject_id = serializers.IntegerField(source="object_id", read_only=True)
    transition_display = serializers.SerializerMethodField()
    from_state_display = serializers.SerializerMethodField()
    to_state_display = serializers.SerializerMethodField()
    actor = serializers.CharField(
        source="actor_label", read_only=True, help_text=_("Who did it, or “system”.")
    )
    payload = serializers.JSONField(read_only=True, help_text=_("The details of the change."))

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "subject_type",
            "subject_id",
            "transition",
            "transition_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "actor",
            "created_at",
            "comment",
            "payload",
        ]
        read_only_fields = fields

    def get_subject_type(self, entry) -> str:
        # From the content types' cache, so a page of entries costs no query each.
        return ContentType.objects.get_for_id(entry.content_type_id).model

    def get_transition_display(self, entry) -> str:
        transitions, _states = _labels(self.get_subject_type(entry))
        label = transitions.get(entry.transition) or EVENT_LABELS.get(entry.transition)
        return str(label or entry.transition)

    def get_from_state_display(self, entry) -> str:
        states = _labels(self.get_subject_type(entry))[1]
        return str(states.get(entry.from_state, entry.from_state))

    def get_to_state_display(self, entry) -> str:
        states = _labels(self.get_subject_type(entry))[1]
        return str(states.get(entry.to_state, entry.to_state))
