"""Writes to notices, preferences and reminder settings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import Competition
from competitions.permissions import can_manage
from core.errors import NotPermitted, RuleViolation
from core.transitions import write_audit

from . import outbox
from .models import Notice, NoticePreferences, ReminderSettings

REMINDER_SETTINGS_FIELDS = (
    "draft_days",
    "correction_days",
    "scoring_deadline",
    "review_days",
    "budget_update_days",
    "report_days",
    "report_overdue_notice",
    "refund_days",
    "decline_lapsed_budget_update",
)
OFFSET_FIELDS = (
    "draft_days",
    "correction_days",
    "review_days",
    "budget_update_days",
    "report_days",
    "refund_days",
)


def _require_person(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Log in first."))


def notice_mark_read(*, notice: Notice, actor) -> Notice:
    """Mark one of the actor's own notices read; marking it again changes nothing."""
    _require_person(actor)
    if notice.user_id != actor.pk:
        raise NotPermitted(_("This notice is not yours."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_mark_all_read(*, actor) -> int:
    _require_person(actor)
    return Notice.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notice_preferences_update(*, actor, reminder_emails: bool) -> NoticePreferences:
    """Turn reminder e-mails on or off for oneself. Notices the law or the
    contract requires are e-mailed regardless."""
    _require_person(actor)
    preferences, _created = NoticePreferences.objects.select_for_update().get_or_create(user=actor)
    preferences.reminder_emails = bool(reminder_emails)
    preferences.updated_at = timezone.now()
    preferences.save(update_fields=["reminder_emails", "updated_at"])
    return preferences


@transaction.atomic
def reminder_settings_update(*, competition: Competition, actor, data: dict) -> ReminderSettings:
    """Change when the competition's reminders go out (an official of its
    operator). Fields not in `data` keep their values."""
    allowed, reason = can_manage(actor, competition)
    if not allowed:
        raise NotPermitted(reason)
    # Created on first change: until then the defaults apply without a row.
    reminders, _created = ReminderSettings.objects.select_for_update().get_or_create(
        competition=competition
    )
    before = {field: getattr(reminders, field) for field in REMINDER_SETTINGS_FIELDS}
    for field in REMINDER_SETTINGS_FIELDS:
        if field in data:
            setattr(reminders, field, data[field])
    try:
        reminders.full_clean(exclude=["competition"])
    except ValidationError as exc:
        raise RuleViolation(errors=exc.message_dict) from exc
    for field in OFFSET_FIELDS:
        setattr(reminders, field, sorted(getattr(reminders, field), reverse=True))
    reminders.updated_at = timezone.now()
    reminders.save()
    changed = {
        field: getattr(reminders, field)
        for field in REMINDER_SETTINGS_FIELDS
        if getattr(reminders, field) != before[field]
    }
    if changed:
        write_audit(
            competition,
            transition="reminder_settings_update",
            from_state=competition.status,
            to_state=competition.status,
            actor=actor,
            payload=changed,
        )
    return reminders


def outbox_retry(*, message_ids, actor) -> int:
    """Send failed e-mails again (after the mail server or an address was
    fixed): for whoever runs the installation."""
    if actor is None or not actor.is_superuser:
        raise NotPermitted(_("Only the administrators of the installation may do this."))
    return outbox.retry_failed(message_ids)
