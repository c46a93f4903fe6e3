"""Submissions under real concurrency, on PostgreSQL: numbers without gaps or
duplicates, and one transition however many times it is asked for at once.

SQLite takes one writer at a time, so it cannot show these races; the tests
skip there (and CI, which runs PostgreSQL, allows no skips).
"""

import threading

import pytest
from django.db import connection

from applications.models import Application, ApplicationSnapshot
from applications.selectors import application_history
from applications.services import application_submit
from core.errors import WrongState
from core.models import User
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL for real row locks and parallel transactions; "
        "run with DATABASE_URL=postgres://...",
    ),
]

TIMEOUT = 60


def run_together(target, arguments):
    """Run `target(argument)` in one thread per argument, all released at once
    by a barrier; each thread closes its own database connection."""
    barrier = threading.Barrier(len(arguments))
    outcomes: dict = {}

    def worker(index, argument):
        try:
            prepared = target(argument)
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = prepared()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, argument))
        for index, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return [outcomes[index] for index in range(len(arguments))]


def submission_of(application_pk: int, user_pk: int):
    """Load the rows in the thread, return the call to make at the barrier."""
    actor = User.objects.get(pk=user_pk)
    application = Application.objects.get(pk=application_pk)
    return lambda: application_submit(application=application, actor=actor)


def test_twenty_parallel_submissions_are_numbered_1_to_20(competition, group, owner):
    applications = [f.ready_application(competition=competition, group=group) for _ in range(20)]

    outcomes = run_together(
        lambda pk: submission_of(pk, owner.pk), [application.pk for application in applications]
    )

    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert failures == []
    assert sorted(outcome.number for outcome in outcomes) == [
        f"DL/2026/{n:03d}" for n in range(1, 21)
    ]
    stored = Application.objects.filter(competition=competition)
    assert sorted(stored.values_list("sequence", flat=True)) == list(range(1, 21))
    assert set(stored.values_list("status", flat=True)) == {Application.Status.SUBMITTED}
    competition.refresh_from_db()
    assert competition.last_number == 20
    assert ApplicationSnapshot.objects.filter(application__competition=competition).count() == 20


def test_one_application_submitted_twice_at_once_transitions_once(application, owner, editor):
    outcomes = run_together(
        lambda user_pk: submission_of(application.pk, user_pk), [owner.pk, editor.pk]
    )

    successes = [outcome for outcome in outcomes if isinstance(outcome, Application)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, WrongState)]
    assert (len(successes), len(conflicts)) == (1, 1), outcomes
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.number == "DL/2026/001"
    assert ApplicationSnapshot.objects.filter(application=application).count() == 1
    assert application_history(application).count() == 1


def test_the_same_race_over_the_api_answers_200_and_409(api, application, owner, editor):
    def request_from(user_pk):
        client = api(User.objects.get(pk=user_pk))
        url = f"/api/v1/applications/{application.pk}/transitions/submit/"
        return lambda: client.post(url, {}, format="json").status_code

    codes = run_together(request_from, [owner.pk, editor.pk])

    assert sorted(codes) == [200, 409]
    assert ApplicationSnapshot.objects.filter(application=application).count() == 1
    assert application_history(application).count() == 1
