"""Results against values computed by hand. Criteria: Trafność 0-20 and
Budżet 0-35 (weights 1), so the maximum total is 55, the threshold (60%) 33
and the disagreement line (30%) 16.5 points."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import ReviewSettings
from reviews.ranking import ReviewTotal, normalised_scores, shown, summarise
from reviews.results import competition_results
from tests import factories as f

from . import factories as rf

D = Decimal


@pytest.fixture
def three(reviewing, chair, ngo_member, second_member):
    """P, Q, R scored by A (ngo_member), B (second_member), C (chair):

    P: A 18+30=48, B 15+25=40      mean 44, σ 4
    Q: A 10+20=30, C 19+33=52      mean 41, σ 11, spread 22 > 16.5
    R: B 12.5+20=32.5, C 10+22.25=32.25   mean 32.375, σ 0.125
    """
    p, q, r = (rf.in_review_application(reviewing) for _ in range(3))
    a, b, c = ngo_member, second_member, chair
    rf.scored(p, a, 18, 30)
    rf.scored(p, b, 15, 25)
    rf.scored(q, a, 10, 20)
    rf.scored(q, c, 19, 33)
    rf.scored(r, b, "12.5", 20)
    rf.scored(r, c, 10, "22.25")
    # Drafts and recused reviews never count.
    rf.scored(r, rf.signed_member(reviewing), 0, 0, submitted=False)
    return p, q, r


def test_aggregates_by_hand(reviewing, three):
    p, q, r = three
    results = competition_results(reviewing)

    assert (results.max_total, results.threshold) == (D("55"), D("33"))
    rows = {row.application_id: row for row in results.rows}
    expected = {
        # reviews, mean, min, max, σ (population), disagreement, passes
        p.pk: (2, D("44.00"), D("40.00"), D("48.00"), D("4.00"), False, True),
        q.pk: (2, D("41.00"), D("30.00"), D("52.00"), D("11.00"), True, True),
        r.pk: (2, D("32.38"), D("32.25"), D("32.50"), D("0.13"), False, False),
    }
    for pk, values in expected.items():
        row = rows[pk]
        assert (
            row.reviews,
            row.mean,
            row.minimum,
            row.maximum,
            row.std_dev,
            row.disagreement,
            row.passes_threshold,
        ) == values
    assert [c.mean for c in rows[p.pk].criteria] == [D("16.50"), D("27.50")]
    assert [c.mean for c in rows[r.pk].criteria] == [D("11.25"), D("21.13")]
    assert rows[q.pk].spread == D("22.00")
    assert [row.application_id for row in results.rows] == [p.pk, q.pk, r.pk]
    assert [row.rank for row in results.rows] == [1, 2, 3]
    for row in results.rows:
        for value in (row.mean, row.std_dev, row.normalised):
            assert isinstance(value, Decimal) and value.as_tuple().exponent == -2


def test_normalised_scores_by_hand(reviewing, three):
    """Every reviewer scored two applications, one above and one below their
    own mean, so every z is ±1. Over all six totals the mean is 39.125 and σ
    sqrt(69.953125) = 8.3637984...: P (z +1, +1) → 47.49, Q (−1, +1) → 39.125
    → 39.13, R (−1, −1) → 30.76. The raw mean stays as it was."""
    p, q, r = three
    rows = {row.application_id: row for row in competition_results(reviewing).rows}
    assert [rows[a.pk].normalised for a in (p, q, r)] == [D("47.49"), D("39.13"), D("30.76")]
    assert [rows[a.pk].mean for a in (p, q, r)] == [D("44.00"), D("41.00"), D("32.38")]


def test_normalisation_unit():
    """Reviewer 1 gave 40 and 20 (z = +1 and −1); reviewer 2 scored one
    application only, which says nothing about relative quality (z = 0).
    Overall: mean 95/3 = 31.667, σ = sqrt(3225/3 − (95/3)²) = 8.498.
    Application 11: 31.667 − 8.498 = 23.17; application 10: the mean of
    31.667 + 8.498 and 31.667 = 35.92."""
    result = normalised_scores(
        [ReviewTotal(1, 10, D("40")), ReviewTotal(1, 11, D("20")), ReviewTotal(2, 10, D("35"))]
    )
    assert {a: shown(v) for a, v in result.items()} == {10: D("35.92"), 11: D("23.17")}
    assert normalised_scores([]) == {}


def test_population_not_sample_standard_deviation():
    # 40 and 48: population σ = 4; the sample σ would be 5.657.
    summary = summarise(
        count=2, total=D("88"), total_of_squares=D("3904"), minimum=D("40"), maximum=D("48")
    )
    assert (summary.mean, summary.std_dev) == (D("44"), D("4"))
    single = summarise(
        count=1, total=D("40"), total_of_squares=D("1600"), minimum=D("40"), maximum=D("40")
    )
    assert single.std_dev == 0
    assert (
        summarise(count=0, total=None, total_of_squares=None, minimum=None, maximum=None).mean
        is None
    )


def test_weighted_totals(reviewing, ngo_member, second_member):
    """Budżet weighs 2: maximum 20 + 2·35 = 90, threshold 54, disagreement
    line 27. Totals 10 + 2·20 = 50 and 15.5 + 2·30.25 = 76: mean 63, σ 13,
    spread 26 (not flagged). Criterion means stay in that criterion's points."""
    reviewing.criteria.filter(name="Budżet").update(weight=D("2"))
    app = rf.in_review_application(reviewing)
    rf.scored(app, ngo_member, 10, 20)
    rf.scored(app, second_member, "15.5", "30.25")

    results = competition_results(reviewing)
    row = results.row_for(app.pk)

    assert (results.max_total, results.threshold) == (D("90"), D("54"))
    assert (row.mean, row.std_dev, row.disagreement, row.passes_threshold) == (
        D("63.00"),
        D("13.00"),
        False,
        True,
    )
    assert [c.mean for c in row.criteria] == [D("12.75"), D("25.13")]


@pytest.mark.parametrize(
    ("totals", "passes"),
    [
        (("33", "33"), True),  # exactly the threshold
        (("33", "32.99"), True),  # 32.995 is shown as 33.00: what is shown decides
        (("32.99", "32.99"), False),
    ],
)
def test_threshold_edges(reviewing, ngo_member, second_member, totals, passes):
    app = rf.in_review_application(reviewing)
    for member, total in zip((ngo_member, second_member), totals, strict=True):
        rf.scored(app, member, 20, D(total) - 20)
    assert competition_results(reviewing).row_for(app.pk).passes_threshold is passes


@pytest.mark.parametrize(("low", "flagged"), [("20", False), ("19.99", True)])
def test_disagreement_edge(reviewing, ngo_member, second_member, low, flagged):
    # 36.5 − 20 = 16.5 is exactly the line (not flagged); 16.51 is over.
    app = rf.in_review_application(reviewing)
    rf.scored(app, ngo_member, 20, "16.5")
    rf.scored(app, second_member, 0, low)
    assert competition_results(reviewing).row_for(app.pk).disagreement is flagged


def test_disagreement_share_comes_from_the_settings(reviewing, ngo_member, second_member):
    ReviewSettings.objects.create(competition=reviewing, disagreement_pct=D("10"))
    app = rf.in_review_application(reviewing)
    rf.scored(app, ngo_member, 20, 20)
    rf.scored(app, second_member, 20, 14)  # spread 6 > 5.5
    assert competition_results(reviewing).row_for(app.pk).disagreement is True


def test_ties_break_on_own_share_then_submission_time(reviewing, commission):
    """Four applications with the same shown mean 40.00:

    T: own share 55% → first;
    S: 30%, submitted 120 minutes ago → second;
    W: 30%, 45 minutes ago, exact mean 40.0033 (40, 40, 40.01) → third: the
       mean counts as shown, so its extra 0.0033 does not lift it above S;
    U: 30%, 30 minutes ago → fourth.
    """
    chair, ngo_member, second_member, _expert = commission
    s = rf.in_review_application(reviewing, submitted_minutes_ago=120)
    t = rf.in_review_application(reviewing, submitted_minutes_ago=150)
    w = rf.in_review_application(reviewing, submitted_minutes_ago=45)
    u = rf.in_review_application(reviewing, submitted_minutes_ago=30)
    # Volunteer work worth 1,800 instead of 800: own 2,200 of 4,000 = 55%.
    t.budget_lines.filter(is_volunteer_work=True).update(own_non_financial=D("1800"))
    t.budget_lines.filter(is_volunteer_work=True).update(quantity=D("90"))
    for app in (s, t, u):
        rf.scored(app, ngo_member, 15, 25)
    for member, points in ((ngo_member, "25"), (second_member, "25"), (chair, "25.01")):
        rf.scored(w, member, 15, points)
    # T was submitted first anyway; make S earlier than T to show that the own
    # share outranks the submission time.
    type(s).objects.filter(pk=s.pk).update(submitted_at=t.submitted_at - timedelta(minutes=1))

    rows = competition_results(reviewing).rows

    assert [r.application_id for r in rows] == [t.pk, s.pk, w.pk, u.pk]
    assert {r.mean for r in rows} == {D("40.00")}
    assert [r.own_share_pct for r in rows] == [D("55.00"), D("30.00"), D("30.00"), D("30.00")]
    assert [r.rank for r in rows] == [1, 2, 3, 4]


def test_applications_without_reviews_come_last(reviewing, ngo_member):
    scored = rf.in_review_application(reviewing, submitted_minutes_ago=10)
    unscored = rf.in_review_application(reviewing, submitted_minutes_ago=500)
    rf.scored(scored, ngo_member, 0, 0)
    rows = competition_results(reviewing).rows
    assert [r.application_id for r in rows] == [scored.pk, unscored.pk]
    assert (rows[1].mean, rows[1].reviews, rows[1].passes_threshold) == (None, 0, False)


def test_withdrawn_and_other_competitions_are_left_out(reviewing, ngo_member):
    kept = rf.in_review_application(reviewing)
    withdrawn = rf.in_review_application(reviewing, status="withdrawn")
    rf.scored(kept, ngo_member, 1, 1)
    rf.scored(withdrawn, ngo_member, 20, 35)
    other = f.CompetitionFactory(operator=reviewing.operator, status="in_review")
    f.CriterionFactory(competition=other, max_points=20)
    f.CriterionFactory(competition=other, max_points=35)
    elsewhere = rf.in_review_application(other)
    rf.scored(elsewhere, rf.signed_member(other), 20, 35)
    assert [r.application_id for r in competition_results(reviewing).rows] == [kept.pk]


def test_a_fixed_number_of_queries(reviewing, commission):
    _chair, ngo_member, second_member, _expert = commission

    def add(n):
        for _ in range(n):
            app = rf.in_review_application(reviewing)
            rf.scored(app, ngo_member, 10, 20)
            rf.scored(app, second_member, 12, 22)

    add(2)
    with CaptureQueriesContext(connection) as few:
        competition_results(reviewing)
    add(8)
    with CaptureQueriesContext(connection) as many:
        assert len(competition_results(reviewing).rows) == 10
    assert len(many) == len(few) <= 8
