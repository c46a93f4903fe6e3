"""Export benchmark: the decisions list of a large competition.

    python bench/export_decisions.py [--applications N] [--reviews R] [--kind KIND] [--keepdb]

Builds a competition in review with N applications (default 10,000), each
scored by R members (default 3) on three criteria, scoring closed, a
recommendation and a decision on every application; then builds the
decisions list (or another export, --kind) as an official downloads it and
prints the wall time, the number of queries, the peak memory of the export
(traced by tracemalloc, in a second run so the tracing does not slow the
timed one), the process's peak resident size, and the file's size.

It runs against the database DATABASE_URL names, but in a throwaway copy
(Django's test database, `test_<name>`), created and dropped by the script,
so real data is never touched. The data is written with bulk inserts: the
benchmark measures the export, not the services that would normally write it.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BATCH = 2000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", "-n", type=int, default=10_000, metavar="N")
    parser.add_argument("--reviews", "-r", type=int, default=3, metavar="R")
    parser.add_argument("--members", "-m", type=int, default=15, metavar="M")
    parser.add_argument(
        "--kind",
        default="decisions",
        choices=["decisions", "scoring_matrix", "formal", "grants"],
        help="which export to build (default: decisions)",
    )
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the benchmark database for the next run"
    )
    return parser.parse_args()


def prepare(count: int, reviews_per_application: int, member_count: int):
    """A competition in review, scored and decided on paper (decisions
    recorded, not yet applied), and an official of its operator."""
    from django.db import transaction
    from django.utils import timezone

    from applications.models import ApplicantGroup, Application, BudgetLine
    from competitions.models import Competition, StaffMembership
    from core.models import User
    from reviews.models import (
        CommissionMember,
        Decision,
        Declaration,
        Recommendation,
        Review,
        ReviewSettings,
        Score,
    )
    from tests import factories as f

    now = timezone.now()
    with transaction.atomic():
        operator = f.OperatorFactory(name="Urząd Miasta Benchmarkowo")
        official = User.objects.create_user(
            "bench-official@example.org", full_name="Urzędniczka Benchmarkowa", language="pl"
        )
        StaffMembership.objects.create(operator=operator, user=official)
        competition = f.CompetitionFactory(
            operator=operator,
            title="Działaj Lokalnie: benchmark",
            budget_total=Decimal("9999999.00"),
        )
        Competition.objects.filter(pk=competition.pk).update(
            status=Competition.Status.IN_REVIEW, last_number=count
        )
        competition.refresh_from_db()
        criteria = [
            f.CriterionFactory(competition=competition, name=name, max_points=points, position=i)
            for i, (name, points) in enumerate(
                [("Trafność", 20), ("Budżet", 35), ("Rezultaty", 45)], start=1
            )
        ]
        users = User.objects.bulk_create(
            User(email=f"member{i}@example.org", full_name=f"Członek Komisji {i:02d}")
            for i in range(member_count)
        )
        members = CommissionMember.objects.bulk_create(
            CommissionMember(
                competition=competition,
                user=user,
                affiliation=CommissionMember.Affiliation.NGO_REPRESENTATIVE,
            )
            for user in users
        )
        Declaration.objects.bulk_create(
            Declaration(member=member, statement="Oświadczam.") for member in members
        )
        groups = ApplicantGroup.objects.bulk_create(
            (
                ApplicantGroup(
                    name=f"Stowarzyszenie Benchmarkowe {i}",
                    kind=ApplicantGroup.Kind.NGO,
                    krs=f"{i:010d}",
                )
                for i in range(count)
            ),
            batch_size=BATCH,
        )
        applications = Application.objects.bulk_create(
            (
                Application(
                    competition=competition,
                    group=group,
                    status=Application.Status.IN_REVIEW,
                    sequence=i,
                    number=competition.format_number(i),
                    title=f"Projekt sąsiedzki numer {i}",
                    amount_requested=Decimal(1000 + (i * 37) % 5000),
                    submitted_at=now - timedelta(seconds=i),
                    last_submitted_at=now - timedelta(seconds=i),
                )
                for i, group in enumerate(groups, start=1)
            ),
            batch_size=BATCH,
        )
        BudgetLine.objects.bulk_create(
            (
                line
                for application in applications
                for line in (
                    BudgetLine(
                        application=application,
                        name="Materiały",
                        quantity=Decimal("1"),
                        unit_cost=application.amount_requested + Decimal("400"),
                        grant_amount=application.amount_requested,
                        own_financial=Decimal("400"),
                    ),
                    BudgetLine(
                        application=application,
                        name="Praca wolontariuszy",
                        quantity=Decimal("20"),
                        unit_cost=Decimal("25"),
                        own_non_financial=Decimal("500"),
                        is_volunteer_work=True,
                    ),
                )
            ),
            batch_size=BATCH,
        )
        reviews = Review.objects.bulk_create(
            (
                Review(
                    application=application,
                    member=members[(index * reviews_per_application + k) % len(members)],
                    status=Review.Status.SUBMITTED,
                    submitted_at=now,
                    comment="Komentarz ogólny",
                )
                for index, application in enumerate(applications)
                for k in range(reviews_per_application)
            ),
            batch_size=BATCH,
        )
        Score.objects.bulk_create(
            (
                Score(
                    review=review,
                    criterion=criterion,
                    points=Decimal((review.pk * 7 + criterion.pk * 3) % int(criterion.max_points)),
                )
                for review in reviews
                for criterion in criteria
            ),
            batch_size=BATCH * 2,
        )
        ReviewSettings.objects.create(
            competition=competition, scoring_closed_at=now, scoring_closed_by=official
        )
        Recommendation.objects.bulk_create(
            (
                Recommendation(
                    application=application,
                    amount=application.amount_requested if i % 3 == 0 else Decimal("0"),
                    recorded_by=official,
                )
                for i, application in enumerate(applications)
            ),
            batch_size=BATCH,
        )
        Decision.objects.bulk_create(
            (
                Decision(
                    application=application,
                    outcome=Decision.Outcome.AWARDED if i % 3 == 0 else Decision.Outcome.REJECTED,
                    amount=application.amount_requested if i % 3 == 0 else None,
                    reason="" if i % 3 == 0 else "Poniżej progu",
                    decided_by=official,
                )
                for i, application in enumerate(applications)
            ),
            batch_size=BATCH,
        )
    return competition, official


def measure(kind: str, competition, official) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.roles import forget_roles, roles_for
    from worker.exports.builders import build_xlsx

    def run():
        forget_roles(official)
        roles_for(official)
        with tempfile.TemporaryFile() as handle:
            build_xlsx(kind, user=official, competition=competition, target=handle)
            return handle.seek(0, os.SEEK_END)

    # Timed without tracing, with the queries counted.
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        size = run()
        seconds = time.perf_counter() - began
    # Traced separately: tracemalloc slows Python down several times.
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "queries": len(queries),
        "peak_traced": peak,
        "size": size,
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def mib(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MiB"


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
            f"database:     {connection.vendor} ({connection.settings_dict['NAME']}), preparing "
            f"{args.applications} applications x {args.reviews} reviews..."
        )
        began = time.perf_counter()
        competition, official = prepare(args.applications, args.reviews, args.members)
        print(f"prepared in:  {time.perf_counter() - began:.1f} s")
        figures = measure(args.kind, competition, official)
    finally:
        teardown_databases(names, verbosity=0, keepdb=args.keepdb)
    print(f"export:       {args.kind}, {args.applications} rows")
    print(f"time:         {figures['seconds']:.2f} s ({figures['queries']} queries)")
    print(f"peak memory:  {mib(figures['peak_traced'])} traced during the export")
    print(
        f"max RSS:      {mib(figures['max_rss'])} for the whole process, data preparation included"
    )
    print(f"file size:    {mib(figures['size'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
