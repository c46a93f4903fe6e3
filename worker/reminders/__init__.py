"""Reminders before deadlines, and notices once a deadline has passed.

Each rule finds what is still pending near its deadline and works out which
of the competition's offsets (days before the deadline) is due now: the
smallest one whose time has come. An object seen late (a draft started two
days before the deadline) gets the reminder for the stage it is in, not every
stage it missed.

Sending is exactly once per (reminder, object, deadline, offset, recipient):
in one transaction the scan re-reads the object under a row lock, checks that
it is still pending with the same deadline (a draft submitted a moment ago is
not reminded), inserts the `ReminderClaim`, whose unique constraint is the
sent-marker, and writes the e-mail to the outbox. Two scans at once queue on
the lock and the second one finds the claim; a scan after a crash finds either
both the claim and the e-mail or neither.
"""

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from ..models import ReminderClaim
from .engine import run_rule
from .reviews import remind_reviewers
from .rules import (
    BudgetUpdateDue,
    BudgetUpdateLapsed,
    CorrectionDue,
    DraftDue,
    FinalReportDue,
    FinalReportOverdue,
    PartialReportDue,
    PartialReportOverdue,
    RefundDue,
    Rule,
)
from .timing import end_of_day, overdue_time, reminder_time, settings_of, stage, warsaw_today

__all__ = [
    "RULES",
    "BudgetUpdateLapsed",
    "DraftDue",
    "end_of_day",
    "overdue_time",
    "remind_reviewers",
    "reminder_time",
    "run_rule",
    "send_reminders",
    "settings_of",
    "stage",
    "warsaw_today",
]

RULES: list[Rule] = [
    DraftDue(),
    CorrectionDue(),
    BudgetUpdateDue(),
    PartialReportDue(),
    FinalReportDue(),
    PartialReportOverdue(),
    FinalReportOverdue(),
    RefundDue(),
]


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue every reminder due now. Safe to run any number of times, also
    several at once. Returns how many were queued, per reminder."""
    now = now or timezone.now()
    queued: dict[str, int] = defaultdict(int)
    for rule in RULES:
        queued[rule.kind] += run_rule(rule, now)
    queued[ReminderClaim.Kind.REVIEWS_DUE] += remind_reviewers(now)
    return dict(queued)
