"""Deadline rush: many complete applications submitted at the same moment.

    python bench/submission_rush.py [--applications N] [--threads T] [--keepdb]

Creates a published competition and N applications that pass every rule,
then submits them from T threads released together, as in the last minutes
before a deadline. Prints the throughput (submissions per second), the p50 and
p95 latency of one submission, and checks that the numbers given out are
exactly 1..N: no gaps, no duplicates.

It runs against the database DATABASE_URL names, but in a throwaway copy
(Django's test database, `test_<name>`), created and dropped by the script,
so real data is never touched. Meant for PostgreSQL; SQLite serialises every
write, so its figures say little about a real installation.
"""

import argparse
import os
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Confirmations are rendered as in real use but kept in memory, not written out.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", "-n", type=int, default=200, metavar="N")
    parser.add_argument("--threads", "-t", type=int, default=8, metavar="T")
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the benchmark database for the next run"
    )
    return parser.parse_args()


def prepare(count: int):
    """A published competition and `count` ready applications, each of its
    own group with its owner."""
    from django.db import transaction

    from core.models import User
    from tests import factories as f

    with transaction.atomic():
        competition = f.CompetitionFactory(title="Działaj Lokalnie: szczyt przed terminem")
        f.CriterionFactory(competition=competition)
        owners = User.objects.bulk_create(
            User(email=f"rush{i}@example.org", full_name=f"Wnioskodawca {i}") for i in range(count)
        )
        work = []
        for owner in owners:
            group = f.GroupFactory()
            f.MembershipFactory(group=group, user=owner, role="owner")
            work.append((f.ready_application(competition=competition, group=group), owner))
    return competition, work


def rush(work, threads: int):
    from django.db import connection

    from applications.services import application_submit

    lock = threading.Lock()
    pending = list(reversed(work))
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(threads + 1)

    def submitter():
        start.wait()
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    application, owner = pending.pop()
                began = time.perf_counter()
                try:
                    application_submit(application=application, actor=owner)
                except Exception:
                    with lock:
                        errors.append(traceback.format_exc(limit=3))
                    continue
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
        finally:
            connection.close()

    workers = [threading.Thread(target=submitter) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began, latencies, errors


def report(competition, count: int, threads: int, wall: float, latencies, errors) -> bool:
    from applications.models import Application

    sequences = sorted(
        Application.objects.filter(competition=competition)
        .exclude(sequence=None)
        .values_list("sequence", flat=True)
    )
    numbers = set(
        Application.objects.filter(competition=competition)
        .exclude(number="")
        .values_list("number", flat=True)
    )
    competition.refresh_from_db()
    complete = (
        sequences == list(range(1, count + 1))
        and len(numbers) == count
        and competition.last_number == count
    )

    print(f"submissions:  {len(latencies)} of {count} from {threads} threads in {wall:.2f} s")
    print(f"throughput:   {len(latencies) / wall:.1f} submissions/s")
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"latency p50:  {cuts[49] * 1000:.1f} ms")
        print(f"latency p95:  {cuts[94] * 1000:.1f} ms")
        print(f"latency max:  {max(latencies) * 1000:.1f} ms")
    if errors:
        print(f"errors:       {len(errors)}; the first:\n{errors[0]}")
    verdict = "OK" if complete else "FAILED"
    print(f"numbers 1..{count} without gaps or duplicates: {verdict}")
    if not complete:
        missing = sorted(set(range(1, count + 1)) - set(sequences))[:10]
        print(
            f"  got {len(sequences)} sequences, {len(numbers)} distinct numbers; missing {missing}"
        )
    return complete and not errors


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        print(
            f"note: running on {connection.vendor}; set DATABASE_URL to PostgreSQL for "
            "meaningful figures",
            file=sys.stderr,
        )
    names = setup_databases(
        verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=()
    )
    try:
        print(
            f"database:     {connection.vendor} ({connection.settings_dict['NAME']}), "
            f"preparing {args.applications} applications..."
        )
        competition, work = prepare(args.applications)
        connection.close()
        wall, latencies, errors = rush(work, args.threads)
        ok = report(competition, args.applications, args.threads, wall, latencies, errors)
    finally:
        teardown_databases(names, verbosity=0, keepdb=args.keepdb)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
