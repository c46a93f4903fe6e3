"""Input serializers of grants, tranches and reports.

They check types, lengths and ranges (a negative or absurd amount is refused
here already); the rules of the contract, the budget, the tranches and the
settlement are the services'.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict

from core.api import ModelSerializer, NamedChoiceField

from ..models import Grant, GrantBudgetLine, Report

MONEY_MAX_DIGITS = 10
MIN_CENT = Decimal("0.01")


def money_input(*, label, positive: bool = False, **kwargs) -> serializers.DecimalField:
    """An amount in PLN as the API takes it: two decimals at most, never
    negative (or never zero either, when `positive`), at most 99,999,999.99."""
    return serializers.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=2,
        min_value=MIN_CENT if positive else Decimal("0.00"),
        label=label,
        **kwargs,
    )


class FlatErrorsMixin:
    """Errors of nested rows as the services name them (`lines.0.unit_cost`),
    so a client reads one shape of error whichever layer found it."""

    @property
    def errors(self):
        errors = super().errors
        return ReturnDict(flatten_errors(errors), serializer=self)


def flatten_errors(errors, prefix: str = "") -> dict:
    flat: dict = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            # A whole list refused (not a list, too long) is the list's own error.
            name = (
                prefix if prefix and key == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}{key}."
            )
            flat.update(flatten_errors(value, name))
    elif isinstance(errors, list) and errors and not all(isinstance(e, str) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_errors(value, f"{prefix}{index}."))
    elif errors:
        flat[prefix.rstrip(".")] = errors if isinstance(errors, list) else [errors]
    return flat


# Grants ----------------------------------------------------------------------


class BudgetLineInputSerializer(ModelSerializer):
    """One line of the new budget: with the `id` of an agreed line it changes
    that line; without, it adds one."""

    id = serializers.IntegerField(
        required=False,
        min_value=1,
        label=_("line"),
        help_text=_("An agreed line to change; leave out for a new line."),
    )

    class Meta:
        model = GrantBudgetLine
        fields = [
            "id",
            "category",
            "name",
            "unit",
            "quantity",
            "unit_cost",
            "grant_amount",
            "own_financial",
            "own_non_financial",
            "is_volunteer_work",
        ]


class BudgetUpdateSerializer(FlatErrorsMixin, serializers.Serializer):
    """The whole budget after a reduced award: agreed lines left out are removed."""

    lines = BudgetLineInputSerializer(many=True, max_length=200, label=_("budget lines"))


class TrancheInputSerializer(serializers.Serializer):
    amount = money_input(label=_("amount (PLN)"), positive=True)
    due_date = serializers.DateField(label=_("due date"))


class ContractInputSerializer(FlatErrorsMixin, serializers.Serializer):
    """The contract's terms; keys left out keep their value. `tranches`, in
    order and adding up to the award, replace the schedule."""

    contract_number = serializers.CharField(
        required=False, max_length=60, label=_("contract number")
    )
    project_start = serializers.DateField(required=False, label=_("project start"))
    project_end = serializers.DateField(required=False, label=_("project end"))
    bank_account = serializers.CharField(
        required=False, allow_blank=True, max_length=50, label=_("bank account (IBAN)")
    )
    partial_report_required = serializers.BooleanField(
        required=False, label=_("a later tranche needs an accepted partial report")
    )
    operator_signatory = serializers.CharField(
        required=False, allow_blank=True, max_length=300, label=_("signing for the operator")
    )
    grantee_signatories = serializers.CharField(
        required=False, allow_blank=True, max_length=500, label=_("signing for the grantee")
    )
    tranches = TrancheInputSerializer(
        many=True, required=False, allow_empty=False, max_length=60, label=_("tranches")
    )


class ApproveOverInputSerializer(serializers.Serializer):
    amount = money_input(
        label=_("approved grant spending above the plan (PLN)"),
        help_text=_("0 withdraws an earlier approval."),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )


class RefundInputSerializer(serializers.Serializer):
    amount = money_input(label=_("amount (PLN)"), positive=True)
    received_on = serializers.DateField(label=_("received on"))
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, label=_("bank transfer reference")
    )


class SignInputSerializer(serializers.Serializer):
    signed_on = serializers.DateField(label=_("signed on"))


class TerminateInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, label=_("reason"))
    refund_amount = money_input(
        label=_("refund due (PLN)"),
        required=False,
        allow_null=True,
        help_text=_("Defaults to everything paid so far."),
    )
    terminated_on = serializers.DateField(
        required=False, allow_null=True, label=_("terminated on"), help_text=_("Defaults to today.")
    )


class GrantTransitionInputSerializer(serializers.Serializer):
    """The body of a grant transition: `sign` needs `signed_on`; `terminate`
    needs `comment` and takes `refund_amount` and `terminated_on`; the others
    take an optional `comment`."""

    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )
    signed_on = serializers.DateField(required=False, label=_("signed on"))
    refund_amount = money_input(label=_("refund due (PLN)"), required=False, allow_null=True)
    terminated_on = serializers.DateField(required=False, allow_null=True, label=_("terminated on"))


# Tranches --------------------------------------------------------------------


class PayInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(label=_("paid on"))
    bank_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, label=_("bank transfer reference")
    )
    amount = money_input(
        label=_("amount paid (PLN)"),
        positive=True,
        required=False,
        allow_null=True,
        help_text=_("Defaults to the tranche's amount; may be lower, never higher."),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )


class PaymentTransitionInputSerializer(PayInputSerializer):
    """The body of a tranche transition: `pay` needs `paid_on` and takes
    `bank_reference` and `amount`; `approve` takes an optional `comment`."""

    paid_on = serializers.DateField(required=False, label=_("paid on"))


# Reports ---------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer):
    """A partial report an official asks for, or the final report the grantee
    (or an official) opens; the final report is created once and returned
    again after that."""

    grant = serializers.PrimaryKeyRelatedField(queryset=Grant.objects.none(), label=_("grant"))
    kind = NamedChoiceField(choices=Report.Kind.choices, enum_name="ReportKind", label=_("kind"))
    due_date = serializers.DateField(
        required=False, label=_("due date"), help_text=_("Required for a partial report.")
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        label=_("what the operator asks for"),
    )

    def __init__(self, *args, grants=None, **kwargs):
        super().__init__(*args, **kwargs)
        if grants is not None:
            self.fields["grant"].queryset = grants

    def validate(self, attrs):
        if attrs["kind"] == Report.Kind.PARTIAL and attrs.get("due_date") is None:
            raise serializers.ValidationError(
                {"due_date": [_("Give the date the partial report is due.")]}
            )
        return attrs


class ReportLineInputSerializer(serializers.Serializer):
    budget_line = serializers.IntegerField(min_value=1, label=_("budget line"))
    spent_grant = money_input(label=_("spent from the grant"), required=False)
    spent_own_financial = money_input(label=_("own financial contribution used"), required=False)
    spent_own_non_financial = money_input(
        label=_("own non-financial contribution used"), required=False
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, label=_("comment")
    )


class ReportResultInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, label=_("indicator"))
    actual_value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        label=_("achieved value"),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label=_("comment")
    )


class ReportInputSerializer(FlatErrorsMixin, serializers.Serializer):
    """The draft report: rows are matched by budget line and indicator, rows
    left out keep their values; all or nothing."""

    narrative = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, label=_("what was done")
    )
    lines = ReportLineInputSerializer(many=True, required=False, max_length=200)
    results = ReportResultInputSerializer(many=True, required=False, max_length=200)


class ReturnInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, label=_("what needs to change"))


class ReportTransitionInputSerializer(serializers.Serializer):
    """The body of a report transition: `return_for_changes` needs a
    `comment` saying what to change; `accept` takes an optional one."""

    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )


class ReportAttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=300, label=_("description")
    )
