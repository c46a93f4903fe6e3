from decimal import Decimal

import pytest

from reviews.funding import Candidate, Outcome, funding_line

D = Decimal


def line(*candidates, budget, partial=True, grant_min="1000.00"):
    return funding_line(
        [Candidate(i, D(requested), passes) for i, (requested, passes) in enumerate(candidates, 1)],
        budget=D(budget),
        allow_partial=partial,
        grant_min=D(grant_min),
    )


def outcomes(proposal):
    return [(ln.application_id, ln.outcome, ln.amount) for ln in proposal.lines]


def test_budget_used_exactly():
    proposal = line(("4000.00", True), ("6000.00", True), ("1000.00", True), budget="10000.00")
    assert outcomes(proposal) == [
        (1, Outcome.FUNDED, D("4000.00")),
        (2, Outcome.FUNDED, D("6000.00")),
        (3, Outcome.RESERVE, None),
    ]
    assert (proposal.allocated, proposal.remaining) == (D("10000.00"), D("0.00"))


@pytest.mark.parametrize(
    ("partial", "expected_second", "allocated"),
    [
        (True, (2, Outcome.PARTIAL, D("5999.99")), D("9999.99")),
        (False, (2, Outcome.RESERVE, None), D("4000.00")),
    ],
)
def test_one_grosz_short(partial, expected_second, allocated):
    proposal = line(("4000.00", True), ("6000.00", True), budget="9999.99", partial=partial)
    assert outcomes(proposal)[1] == expected_second
    assert proposal.allocated == allocated
    assert proposal.allocated + proposal.remaining == D("9999.99")


def test_partial_award_must_reach_the_minimum_grant():
    at_minimum = line(("4000.00", True), ("6000.00", True), budget="5000.00")
    assert outcomes(at_minimum)[1] == (2, Outcome.PARTIAL, D("1000.00"))
    below = line(("4000.00", True), ("6000.00", True), budget="4999.99")
    assert outcomes(below)[1] == (2, Outcome.RESERVE, None)
    assert below.remaining == D("999.99")


def test_funding_never_skips_down_the_ranking():
    # The 1,000 PLN project would fit in what is left, but funding stops at the
    # first project that does not: the ranking decides, not the price.
    proposal = line(
        ("4000.00", True), ("7000.00", True), ("1000.00", True), budget="10000.00", partial=False
    )
    assert outcomes(proposal) == [
        (1, Outcome.FUNDED, D("4000.00")),
        (2, Outcome.RESERVE, None),
        (3, Outcome.RESERVE, None),
    ]


def test_below_the_threshold_is_rejected_even_with_money_left():
    proposal = line(("4000.00", True), ("2000.00", False), ("3000.00", True), budget="20000.00")
    assert outcomes(proposal) == [
        (1, Outcome.FUNDED, D("4000.00")),
        (2, Outcome.REJECTED, None),
        (3, Outcome.FUNDED, D("3000.00")),
    ]
    assert proposal.remaining == D("13000.00")


def test_nothing_to_fund():
    proposal = line(budget="1000.00")
    assert (proposal.lines, proposal.allocated, proposal.remaining) == ((), D("0"), D("1000.00"))
