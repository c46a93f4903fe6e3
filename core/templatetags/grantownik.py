"""Display helpers for every page: money, percentages, Warsaw time, and form
fields wired for screen readers."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import forms, template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.roles import roles_for

register = template.Library()

WARSAW = ZoneInfo("Europe/Warsaw")
NBSP = "\xa0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def pln(value) -> str:
    """1234.5 → “1 234,50 zł” in Polish, “1,234.50 PLN” in English; never wraps."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    number = formats.number_format(
        amount.quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True
    )
    # One unbreakable unit: an amount split over two lines is easy to misread.
    return (_("%(amount)s PLN") % {"amount": number}).replace(" ", NBSP)


@register.filter
def pct(value) -> str:
    share = _decimal(value)
    if share is None:
        return "—"
    return formats.number_format(share.quantize(Decimal("0.01")), 2, use_l10n=True) + "%"


@register.filter
def warsaw(value, fmt: str = "DATETIME_FORMAT") -> str:
    """An instant as a clock in Warsaw shows it, whatever the server's zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        value = timezone.localtime(value, WARSAW)
    return formats.date_format(value, fmt)


@register.filter
def day(value, fmt: str = "DATE_FORMAT") -> str:
    """A calendar date (also an ISO string from a stored snapshot)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return formats.date_format(value, fmt)


@register.filter
def anchor_id(bound_field) -> str:
    """The id a link to this field should point at: the first option of a
    radio group, the input itself otherwise."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag
def widget(bound_field, **extra):
    """Render the input with its help text and error message announced."""
    attrs = dict(extra)
    described = [f"err-{bound_field.auto_id}"]
    if bound_field.help_text:
        described.insert(0, f"help-{bound_field.auto_id}")
    attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def user_roles(user):
    return roles_for(user)


@register.simple_tag
def unread_notices(user) -> int:
    from worker.selectors import unread_notice_count

    return unread_notice_count(user) if user.is_authenticated else 0
