from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReminderSettings


def _label(name: str) -> str:
    return ReminderSettings._meta.get_field(name).verbose_name


class OffsetsField(forms.CharField):
    """Days before a deadline, typed as a list: “7, 1”."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Whole days before the deadline, e.g. 7, 1."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").replace(";", ",")
        parts = [part.strip() for part in text.split(",") if part.strip()]
        try:
            return [int(part) for part in parts]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days, e.g. 7, 1.")) from None


class ReminderSettingsForm(forms.Form):
    draft_days = OffsetsField(label=_label("draft_days"), required=False)
    correction_days = OffsetsField(label=_label("correction_days"), required=False)
    scoring_deadline = forms.DateTimeField(
        label=_label("scoring_deadline"),
        required=False,
        help_text=_("Warsaw time. Without it commission members are not reminded."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    review_days = OffsetsField(label=_label("review_days"), required=False)
    budget_update_days = OffsetsField(label=_label("budget_update_days"), required=False)
    report_days = OffsetsField(label=_label("report_days"), required=False)
    report_overdue_notice = forms.BooleanField(
        label=_label("report_overdue_notice"), required=False
    )
    refund_days = OffsetsField(label=_label("refund_days"), required=False)
    decline_lapsed_budget_update = forms.BooleanField(
        label=_label("decline_lapsed_budget_update"),
        required=False,
        help_text=ReminderSettings._meta.get_field("decline_lapsed_budget_update").help_text,
    )


class NoticePreferencesForm(forms.Form):
    reminder_emails = forms.BooleanField(
        label=_("Send me reminders by e-mail"),
        required=False,
        help_text=_(
            "Reminders of approaching deadlines. Decisions, correction requests, rejections "
            "and contract or refund notices are always sent."
        ),
    )
