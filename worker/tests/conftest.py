"""Objects at each deadline the worker watches, built through the services
where the services can get there, and helpers to read what was mailed."""

from decimal import Decimal

import pytest
from django.core import mail

from applications.formal import formal_check_save, formal_request_correction
from applications.services import application_submit
from payouts.services import report_request
from payouts.tests import factories as pf
from tests import factories as f
from worker.reminders import send_reminders


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """Run the reminders scan with its after-commit delivery, as the worker does."""

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(now)

    return run


@pytest.fixture
def submitted(application, owner):
    return application_submit(application=application, actor=owner)


@pytest.fixture
def needs_correction(submitted, official, competition):
    """Submitted, one correctable item failed, correction requested."""
    results = [
        {"item": item.pk, "passed": not item.correctable}
        for item in competition.checklist_items.all()
    ]
    formal_check_save(application=submitted, actor=official, results=results)
    return formal_request_correction(application=submitted, actor=official, comment="Podpis.")


@pytest.fixture
def reduced_grant(competition, group, owner, editor):
    """Awarded 3,000 PLN of the 4,000 requested: the budget must be updated."""
    return pf.make_grant(
        competition=competition, group=group, owner=owner, amount=Decimal("3000.00")
    )


@pytest.fixture
def running(competition, group, owner, editor, official):
    """Signed and started, 4,000 PLN in one tranche."""
    return pf.running_grant(official=official, competition=competition, group=group, owner=owner)


@pytest.fixture
def partial_report(running, official):
    return report_request(grant=running, actor=official, due_date=f.day(20))
