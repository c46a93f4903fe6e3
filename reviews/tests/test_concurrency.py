"""Races between officials on PostgreSQL: the competition row lock makes
parallel writes queue, so they never double an assignment or a decision."""

from collections import Counter

from applications.models import Application
from competitions.models import Competition
from core.errors import RuleViolation, WrongState
from core.models import User
from reviews.models import Review
from reviews.services import (
    assignments_auto,
    competition_decide,
    decision_record,
    review_reopen,
    scoring_close,
)

from . import factories as rf
from .concurrency import postgres_only, run_together

pytestmark = postgres_only


def test_parallel_automatic_assignment_assigns_once(reviewing, commission, official):
    applications = [rf.in_review_application(reviewing) for _ in range(6)]
    actor = User.objects.get(pk=official.pk)
    competition = Competition.objects.get(pk=reviewing.pk)

    outcomes = run_together(
        [lambda: assignments_auto(competition=competition, actor=actor) for _ in range(4)]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(len(o) for o in outcomes) == [0, 0, 0, 12]
    per_application = Counter(Review.objects.values_list("application_id", flat=True))
    assert per_application == {a.pk: 2 for a in applications}


def test_parallel_decide_decides_once(reviewing, ngo_member, official):
    applications = [rf.in_review_application(reviewing) for _ in range(3)]
    for application in applications:
        rf.scored(application, ngo_member, 20, 30)
    rf.close_scoring(reviewing)
    for application in applications:
        decision_record(application=application, actor=official, outcome="awarded", amount=4000)
    actor = User.objects.get(pk=official.pk)

    outcomes = run_together(
        [
            lambda: competition_decide(
                competition=Competition.objects.get(pk=reviewing.pk), actor=actor
            )
            for _ in range(3)
        ]
    )

    assert sum(isinstance(o, Competition) for o in outcomes) == 1
    assert all(isinstance(o, WrongState) for o in outcomes if not isinstance(o, Competition))
    assert set(Application.objects.values_list("status", flat=True)) == {"awarded"}
    for application in applications:
        assert rf.history(application).filter(transition="award").count() == 1


def test_parallel_reopen_and_close_do_not_interleave(reviewing, in_review, chair, ngo_member):
    """Closing scoring and reopening a review queue on the competition lock:
    either the review is reopened first (and closing is refused), or scoring
    closes first (and the reopening is refused)."""
    first = rf.scored(in_review[0], ngo_member, 1, 1)
    rf.scored(in_review[1], ngo_member, 1, 1)
    actor = User.objects.get(pk=chair.user_id)

    outcomes = run_together(
        [
            lambda: review_reopen(review=Review.objects.get(pk=first.pk), actor=actor, comment="x"),
            lambda: scoring_close(
                competition=Competition.objects.get(pk=reviewing.pk), actor=actor
            ),
        ]
    )

    reopened, closed = outcomes
    assert isinstance(reopened, Exception) != isinstance(closed, Exception)
    if isinstance(reopened, Exception):
        assert isinstance(reopened, WrongState)
    else:
        assert isinstance(closed, RuleViolation)
