"""Running service calls in parallel threads on PostgreSQL, for the tests of
races. SQLite admits one writer at a time, so it cannot show them; those tests
skip there (CI runs PostgreSQL and allows no skips)."""

import threading

import pytest
from django.db import connection

TIMEOUT = 60

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL for real row locks; run with DATABASE_URL=postgres://...",
    ),
]


def run_together(calls):
    """Run each zero-argument call in its own thread, released at once by a
    barrier; returns each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: dict = {}

    def worker(index, call):
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return [outcomes[index] for index in range(len(calls))]
