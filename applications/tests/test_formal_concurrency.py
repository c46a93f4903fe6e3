"""The overdue job racing itself and a late resubmission, on PostgreSQL."""

from datetime import timedelta

import time_machine

from applications.formal import formal_check_save, formal_reject_overdue, formal_request_correction
from applications.models import Application
from applications.selectors import application_history
from applications.services import application_submit
from reviews.tests.concurrency import postgres_only, run_together
from tests import factories as f

pytestmark = postgres_only


def test_two_overdue_runs_reject_each_application_once(competition, group, owner, official):
    fixable = competition.checklist_items.get(correctable=True)
    fatal = competition.checklist_items.get(correctable=False)
    applications = []
    for _ in range(5):
        app = application_submit(
            application=f.ready_application(competition=competition, group=group), actor=owner
        )
        formal_check_save(
            application=app,
            actor=official,
            results=[{"item": fatal.pk, "passed": True}, {"item": fixable.pk, "passed": False}],
        )
        applications.append(formal_request_correction(application=app, actor=official))
    later = applications[0].correction_deadline + timedelta(hours=1)

    with time_machine.travel(later, tick=False):
        outcomes = run_together([formal_reject_overdue, formal_reject_overdue])

    assert sorted(pk for outcome in outcomes for pk in outcome) == sorted(
        a.pk for a in applications
    )
    for application in applications:
        assert Application.objects.get(pk=application.pk).status == "formally_rejected"
        assert application_history(application).filter(transition="reject_formally").count() == 1
