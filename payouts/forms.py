"""Page forms for grants, tranches, reports and settlement.

They only turn what was typed into Python values. The services check the
rules, the states and the permissions; their messages are put back on these
forms' fields (`core.views.apply_domain_errors`), so most fields here are
optional and the service says what is missing.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.forms import DateInput, money_field
from core.templatetags.grantownik import pln

from .models import Grant, GrantBudgetLine, Payment, Report, ReportLine, ReportResult

ZERO = Decimal("0.00")
SPENDING_FIELDS = ("spent_grant", "spent_own_financial", "spent_own_non_financial")


def _label(model, field: str):
    return model._meta.get_field(field).verbose_name


def _comment_field(label=None, *, rows: int = 3, required: bool = False, help_text=""):
    return forms.CharField(
        label=label or _("Comment"),
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _blank(value) -> bool:
    return value in (None, "")


# The applicant's budget update after a reduced award


class BudgetLineUpdateForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_label(GrantBudgetLine, "category"), choices=GrantBudgetLine.Category.choices
    )
    name = forms.CharField(label=_label(GrantBudgetLine, "name"), max_length=300, required=False)
    unit = forms.CharField(
        label=_label(GrantBudgetLine, "unit"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    quantity = money_field(GrantBudgetLine, "quantity")
    unit_cost = money_field(GrantBudgetLine, "unit_cost")
    grant_amount = money_field(GrantBudgetLine, "grant_amount")
    own_financial = money_field(GrantBudgetLine, "own_financial")
    own_non_financial = money_field(GrantBudgetLine, "own_non_financial")
    is_volunteer_work = forms.BooleanField(
        label=_label(GrantBudgetLine, "is_volunteer_work"), required=False
    )

    TYPED = ("name", "quantity", "unit_cost", "grant_amount", "own_financial", "own_non_financial")

    def is_empty_row(self) -> bool:
        """A blank row added for a new line and left blank: not part of the budget."""
        data = self.cleaned_data
        return not data.get("id") and all(_blank(data.get(name)) for name in self.TYPED)

    def service_row(self) -> dict:
        data = self.cleaned_data
        row = {
            "category": data["category"],
            "name": data.get("name") or "",
            "unit": data.get("unit") or "",
            "is_volunteer_work": bool(data.get("is_volunteer_work")),
        }
        if data.get("id"):
            row["id"] = data["id"]
        # An empty source means nothing comes from it; an empty quantity or
        # unit cost is left for the service to name.
        for name in ("grant_amount", "own_financial", "own_non_financial"):
            row[name] = ZERO if data.get(name) is None else data[name]
        for name in ("quantity", "unit_cost"):
            row[name] = data.get(name)
        return row

    @staticmethod
    def initial_from(line: GrantBudgetLine) -> dict:
        return {
            "id": line.pk,
            "category": line.category,
            "name": line.name,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "grant_amount": line.grant_amount,
            "own_financial": line.own_financial,
            "own_non_financial": line.own_non_financial,
            "is_volunteer_work": line.is_volunteer_work,
        }


BudgetUpdateFormSet = forms.formset_factory(
    BudgetLineUpdateForm, extra=1, can_delete=True, max_num=100, absolute_max=100
)


class DeclineForm(forms.Form):
    comment = _comment_field(_("Reason (optional)"))


# The contract, prepared by an official


class ContractForm(forms.Form):
    contract_number = forms.CharField(label=_label(Grant, "contract_number"), max_length=60)
    project_start = forms.DateField(label=_label(Grant, "project_start"), widget=DateInput())
    project_end = forms.DateField(
        label=_label(Grant, "project_end"),
        widget=DateInput(),
        help_text=_("The final report and the refund fall due counting from this day."),
    )
    bank_account = forms.CharField(
        label=_label(Grant, "bank_account"),
        required=False,
        max_length=42,
        help_text=_("26 digits; the PL prefix may be left out."),
    )
    operator_signatory = forms.CharField(
        label=_label(Grant, "operator_signatory"),
        required=False,
        max_length=300,
        help_text=_("Name and position, e.g. Jan Kowalski, Mayor."),
    )
    grantee_signatories = forms.CharField(
        label=_label(Grant, "grantee_signatories"),
        required=False,
        max_length=500,
        help_text=_("Names and functions of the people who sign for the group."),
    )
    partial_report_required = forms.BooleanField(
        label=_label(Grant, "partial_report_required"),
        required=False,
        help_text=_(
            "Tranche 2 is paid after one accepted partial report, tranche 3 after two, and so on."
        ),
    )

    @staticmethod
    def initial_from(grant: Grant) -> dict:
        return {
            "contract_number": grant.contract_number,
            "project_start": grant.project_start,
            "project_end": grant.project_end,
            "bank_account": grant.bank_account,
            "operator_signatory": grant.operator_signatory,
            "grantee_signatories": grant.grantee_signatories,
            "partial_report_required": grant.partial_report_required,
        }


class TrancheForm(forms.Form):
    amount = money_field(Payment, "amount")
    due_date = forms.DateField(
        label=_label(Payment, "due_date"), required=False, widget=DateInput()
    )

    def is_empty_row(self) -> bool:
        return _blank(self.cleaned_data.get("amount")) and _blank(self.cleaned_data.get("due_date"))


TrancheFormSet = forms.formset_factory(TrancheForm, extra=2, max_num=24, absolute_max=24)


class SignForm(forms.Form):
    signed_on = forms.DateField(
        label=_label(Grant, "signed_on"), widget=DateInput(), initial=timezone.localdate
    )


class CommentForm(forms.Form):
    """The optional comment of a transition with nothing else to say."""

    comment = _comment_field(_("Comment (optional)"), rows=2)


class ReasonForm(forms.Form):
    """A transition whose reason the record must keep."""

    comment = _comment_field(_("Reason"), required=True)


class TerminateForm(forms.Form):
    comment = _comment_field(
        _("Reason for the termination"),
        help_text=_("The group sees this reason on the grant's page and in the e-mail."),
    )
    terminated_on = forms.DateField(
        label=_label(Grant, "terminated_on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty."),
    )
    refund_amount = money_field(Grant, "refund_amount")

    def __init__(self, *args, paid=None, **kwargs):
        super().__init__(*args, **kwargs)
        if paid is not None:
            self.fields["refund_amount"].help_text = _(
                "Everything paid so far (%(paid)s) if left empty; less when part was spent "
                "as agreed."
            ) % {"paid": pln(paid)}


# Tranches


class PaymentPayForm(forms.Form):
    paid_on = forms.DateField(
        label=_label(Payment, "paid_on"), widget=DateInput(), initial=timezone.localdate
    )
    bank_reference = forms.CharField(
        label=_label(Payment, "bank_reference"), required=False, max_length=100
    )
    amount = money_field(Payment, "amount_paid")

    def __init__(self, *args, payment: Payment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("The whole tranche if left empty.")
        self.initial.setdefault("amount", payment.amount)


# Reports


class ReportRequestForm(forms.Form):
    due_date = forms.DateField(label=_label(Report, "due_date"), widget=DateInput())
    comment = _comment_field(
        _label(Report, "request_comment"),
        help_text=_("What the report should cover, e.g. the first tranche."),
    )


class ReportAcceptForm(forms.Form):
    comment = _comment_field(_("Comment (optional)"), rows=3)


class ReportReturnForm(forms.Form):
    comment = _comment_field(
        _("What needs to change"),
        rows=5,
        help_text=_("The group sees this above the report and can correct it and submit again."),
    )


class ReportAttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=300,
        help_text=_("E.g. invoices for materials, photos of the event, list of participants."),
    )


class ReportForm(forms.Form):
    """The whole report: actual spending per budget line by source, results
    per indicator, and the narrative. Built from `report_rows` (planned
    beside actual); its fields are named `line_<budget line>_<field>` and
    `result_<indicator>_<field>`."""

    narrative = forms.CharField(
        label=_label(Report, "narrative"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was done, for whom, what worked and what changed against the plan."),
    )

    def __init__(self, *args, lines=(), indicators=(), report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.line_rows = list(lines)
        self.indicator_rows = list(indicators)
        self.initial.setdefault("narrative", report.narrative)
        for budget_line, spent in self.line_rows:
            for name in SPENDING_FIELDS:
                key = self.line_field(budget_line, name)
                self.fields[key] = money_field(ReportLine, name)
                self.fields[key].label = f"{budget_line.name}: {_label(ReportLine, name)}"
                self.fields[key].help_text = ""
                if spent is not None:
                    self.initial[key] = getattr(spent, name)
            key = self.line_field(budget_line, "comment")
            self.fields[key] = forms.CharField(
                label=f"{budget_line.name}: {_label(ReportLine, 'comment')}",
                required=False,
                max_length=1000,
            )
            if spent is not None:
                self.initial[key] = spent.comment
        for indicator, result in self.indicator_rows:
            key = self.result_field(indicator, "actual_value")
            self.fields[key] = money_field(ReportResult, "actual_value")
            self.fields[key].label = f"{indicator.name}: {_label(ReportResult, 'actual_value')}"
            self.fields[key].help_text = ""
            key = self.result_field(indicator, "comment")
            self.fields[key] = forms.CharField(
                label=f"{indicator.name}: {_label(ReportResult, 'comment')}",
                required=False,
                max_length=2000,
            )
            if result is not None:
                self.initial[self.result_field(indicator, "actual_value")] = result.actual_value
                self.initial[key] = result.comment

    @staticmethod
    def line_field(budget_line, name: str) -> str:
        return f"line_{budget_line.pk}_{name}"

    @staticmethod
    def result_field(indicator, name: str) -> str:
        return f"result_{indicator.pk}_{name}"

    def rows(self):
        """For the template: each row with its bound fields."""
        lines = [
            {
                "line": budget_line,
                "spent": spent,
                "fields": [self[self.line_field(budget_line, name)] for name in SPENDING_FIELDS],
                "comment": self[self.line_field(budget_line, "comment")],
            }
            for budget_line, spent in self.line_rows
        ]
        results = [
            {
                "indicator": indicator,
                "result": result,
                "value": self[self.result_field(indicator, "actual_value")],
                "comment": self[self.result_field(indicator, "comment")],
            }
            for indicator, result in self.indicator_rows
        ]
        return lines, results

    def clean(self):
        data = super().clean()
        for indicator, result in self.indicator_rows:
            value_key = self.result_field(indicator, "actual_value")
            if value_key in self.errors:
                continue
            has_comment = bool(data.get(self.result_field(indicator, "comment")))
            if data.get(value_key) is None and (has_comment or result is not None):
                self.add_error(value_key, _("Give the achieved value."))
        return data

    def service_data(self) -> tuple[dict, dict[str, str]]:
        """What `report_save` takes, and where each of its error keys belongs
        on this form. A row nobody has touched yet is left out (the service
        keeps rows left out as they are); in a touched row an empty amount
        means nothing was spent from that source."""
        data = self.cleaned_data
        aliases: dict[str, str] = {}
        lines = []
        for budget_line, spent in self.line_rows:
            values = {
                name: data.get(self.line_field(budget_line, name)) for name in SPENDING_FIELDS
            }
            comment = data.get(self.line_field(budget_line, "comment")) or ""
            if spent is None and all(v is None for v in values.values()) and not comment:
                continue
            index = len(lines)
            row = {"budget_line": budget_line.pk, "comment": comment}
            for name, value in values.items():
                row[name] = ZERO if value is None else value
            lines.append(row)
            for name in (*SPENDING_FIELDS, "comment", "budget_line"):
                target = name if name != "budget_line" else SPENDING_FIELDS[0]
                aliases[f"lines.{index}.{name}"] = self.line_field(budget_line, target)
        results = []
        for indicator, _result in self.indicator_rows:
            value = data.get(self.result_field(indicator, "actual_value"))
            comment = data.get(self.result_field(indicator, "comment")) or ""
            if value is None:
                continue
            index = len(results)
            results.append({"indicator": indicator.pk, "actual_value": value, "comment": comment})
            for name in ("actual_value", "comment"):
                aliases[f"results.{index}.{name}"] = self.result_field(indicator, name)
            aliases[f"results.{index}.indicator"] = self.result_field(indicator, "actual_value")
        return (
            {"narrative": data.get("narrative") or "", "lines": lines, "results": results},
            aliases,
        )

    def submission_aliases(self) -> dict[str, str]:
        """Where the submission check's messages belong."""
        return {
            f"indicators.{indicator.pk}": self.result_field(indicator, "actual_value")
            for indicator, _result in self.indicator_rows
        }


# Settlement


class RefundForm(forms.Form):
    amount = money_field(Grant, "refund_paid")
    received_on = forms.DateField(
        label=_("Received on"), widget=DateInput(), initial=timezone.localdate
    )
    reference = forms.CharField(label=_("Bank transfer reference"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = _("Amount received (PLN)")


class ApproveOverForm(forms.Form):
    amount = money_field(GrantBudgetLine, "approved_over")
    comment = _comment_field(help_text=_("E.g. the number and date of the group's request."))


# The officials' register


class GrantFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *Grant.Status.choices]
    )
    competition = forms.TypedChoiceField(
        label=_("Competition"), required=False, coerce=int, empty_value=None
    )
    report_overdue = forms.BooleanField(label=_("A report is overdue"), required=False)
    refund_due = forms.BooleanField(label=_("A refund is due"), required=False)

    def __init__(self, *args, competitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].choices = [
            ("", _("all")),
            *((c.pk, c.title) for c in competitions),
        ]
