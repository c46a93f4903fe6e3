"""Reads of notices, preferences, reminder settings and the reminders log,
scoped to the person asking."""

from django.db.models import QuerySet

from competitions.models import Competition
from competitions.permissions import can_manage

from .models import Notice, NoticePreferences, ReminderClaim, ReminderSettings


def notices_for(user) -> QuerySet[Notice]:
    """The person's own notices, newest first (empty for the anonymous)."""
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_notice_count(user) -> int:
    return notices_for(user).filter(read_at__isnull=True).count()


def notice_preferences_for(user) -> NoticePreferences:
    """The saved preferences, or the defaults (unsaved) for someone who never
    changed them."""
    return NoticePreferences.objects.filter(user=user).first() or NoticePreferences(user=user)


def reminder_settings_for(competition: Competition) -> ReminderSettings:
    """The competition's reminder settings; the defaults (unsaved) when never set."""
    return ReminderSettings.objects.filter(competition=competition).first() or ReminderSettings(
        competition=competition
    )


def reminder_log(user, competition: Competition) -> QuerySet[ReminderClaim]:
    """Every reminder of the competition: to whom, about what, when, and what
    became of the e-mail. Only the operator's officials see it."""
    if not can_manage(user, competition)[0]:
        return ReminderClaim.objects.none()
    return (
        ReminderClaim.objects.filter(competition=competition)
        .select_related("recipient", "outbox_message", "content_type")
        .prefetch_related("subject")
        .order_by("-claimed_at", "-pk")
    )
