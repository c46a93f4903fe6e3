"""What happens by itself when a deadline passes, run by beat every minute.

Every change goes through the same service a person would use, with no actor
(the audit log shows "system"). The services check the deadline themselves and
refuse anything early, and refuse late actions by people whether or not this
job has run yet: the job only tidies up, correctness never waits for it.
Each object is handled in its own transaction, so one refusal or failure does
not hold back the rest, and a second run finds nothing left to do.
"""

import logging
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.formal import formal_reject_overdue
from competitions.models import Competition
from competitions.services import competition_close
from core.errors import DomainError
from payouts.selectors import (
    grants_to_open_reporting,
    grants_to_start,
    grants_with_lapsed_budget_update,
)
from payouts.services import grant_decline_lapsed, grant_start, grant_start_reporting

from .reminders import BudgetUpdateLapsed, run_rule, settings_of, warsaw_today

logger = logging.getLogger(__name__)


def close_competitions(now: datetime) -> list[int]:
    """Close submissions of every published competition whose deadline passed."""
    closed = []
    due = Competition.objects.filter(
        status=Competition.Status.PUBLISHED, submission_deadline__lte=now
    ).values_list("pk", flat=True)
    for pk in due:
        try:
            competition_close(
                competition=Competition(pk=pk),
                actor=None,
                comment=_("Closed at the submission deadline."),
            )
        except DomainError as exc:
            # Closed or cancelled by an official in the meantime.
            logger.info("Competition %s not closed: %s", pk, exc)
            continue
        closed.append(pk)
    return closed


def handle_lapsed_budget_updates(now: datetime) -> dict[str, list[int]]:
    """A reduced award whose budget was not updated in time: the officials are
    told and decide, or, where the competition says so, the system declines
    the grant."""
    declined, flagged = [], []
    for grant in grants_with_lapsed_budget_update(now).select_related(
        "competition", "competition__reminder_settings"
    ):
        if settings_of(grant.competition).decline_lapsed_budget_update:
            try:
                grant = grant_decline_lapsed(grant=grant)
            except DomainError as exc:
                logger.info("Grant %s not declined: %s", grant.pk, exc)
                continue
            declined.append(grant.pk)
        else:
            flagged.append(grant)
    run_rule(BudgetUpdateLapsed(flagged), now)
    return {"declined": declined, "flagged": [grant.pk for grant in flagged]}


def _advance_grants(queryset, service) -> list[int]:
    done = []
    for pk in queryset.values_list("pk", flat=True):
        try:
            service(grant=queryset.model(pk=pk), actor=None)
        except DomainError as exc:
            logger.info("Grant %s not moved on by %s: %s", pk, service.__name__, exc)
            continue
        done.append(pk)
    return done


def run_deadlines(now: datetime | None = None) -> dict:
    """Every deadline rule once. Returns the ids each rule acted on."""
    now = now or timezone.now()
    today = warsaw_today(now)
    summary: dict = {"closed": [], "formally_rejected": [], "started": [], "reporting": []}
    steps = [
        ("closed", lambda: close_competitions(now)),
        ("formally_rejected", lambda: formal_reject_overdue(now=now)),
        ("budget_update", lambda: handle_lapsed_budget_updates(now)),
        ("started", lambda: _advance_grants(grants_to_start(today), grant_start)),
        (
            "reporting",
            lambda: _advance_grants(grants_to_open_reporting(today), grant_start_reporting),
        ),
    ]
    for name, step in steps:
        try:
            summary[name] = step()
        except Exception:
            # The other rules still run; this one runs again in a minute.
            logger.exception("Deadline rule %s failed", name)
    return summary
