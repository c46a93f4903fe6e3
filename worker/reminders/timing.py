"""When a reminder is due: offsets counted back from a deadline on the
Warsaw wall clock, deadlines given as a day, the stage due now."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from competitions.models import Competition

from ..models import MAX_OFFSET_DAYS, ReminderSettings

WARSAW = ZoneInfo("Europe/Warsaw")
# Deadlines given as a day (reports, refunds) are reminded of in the morning,
# Warsaw time, not at midnight.
MORNING = time(8, 0)
# Nothing further than the largest allowed offset can be due for a reminder.
HORIZON = timedelta(days=MAX_OFFSET_DAYS + 1)


def settings_of(competition: Competition) -> ReminderSettings:
    """The competition's reminder settings; the defaults while it has none."""
    try:
        return competition.reminder_settings
    except ReminderSettings.DoesNotExist:
        return ReminderSettings(competition=competition)


def end_of_day(day: date) -> datetime:
    """The instant a deadline given as a day passes: the Warsaw midnight after it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=WARSAW)


def reminder_time(deadline: datetime, days: int, due_date: date | None = None) -> datetime:
    """When the reminder `days` before the deadline is due."""
    if due_date is not None:
        return datetime.combine(due_date - timedelta(days=days), MORNING, tzinfo=WARSAW)
    # Counted on the Warsaw wall clock: three days before a deadline at 12:00
    # is 12:00 three days earlier, also across a change to or from summer time
    # (arithmetic on an aware datetime keeps its wall time in its own zone).
    return timezone.localtime(deadline, WARSAW) - timedelta(days=days)


def overdue_time(due_date: date) -> datetime:
    """The morning after the due day."""
    return datetime.combine(due_date + timedelta(days=1), MORNING, tzinfo=WARSAW)


def stage(
    deadline: datetime, offsets: Iterable[int], now: datetime, due_date: date | None = None
) -> int | None:
    """The offset whose reminder is due now, or None (too early, or too late)."""
    if now >= deadline:
        return None
    reached = [days for days in offsets if reminder_time(deadline, days, due_date) <= now]
    return min(reached) if reached else None


def warsaw_today(now: datetime) -> date:
    return timezone.localtime(now, WARSAW).date()
