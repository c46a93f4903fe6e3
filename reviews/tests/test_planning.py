"""`plan_assignments` over random commissions: every rule holds, or the error
names an application that truly lacks eligible members."""

from collections import Counter

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import RuleViolation
from reviews.planning import PlanImpossible, PlanMember, plan_assignments, plan_problems


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in their source language.
    with translation.override("en"):
        yield


@st.composite
def commissions(draw, *, with_conflicts=True, with_existing=True):
    n_members = draw(st.integers(min_value=0, max_value=8))
    members = [
        PlanMember(id=100 + i, scores=draw(st.sampled_from([True, True, True, False])))
        for i in range(n_members)
    ]
    applications = list(range(1, draw(st.integers(min_value=0, max_value=12)) + 1))
    k = draw(st.integers(min_value=1, max_value=4))
    pairs = [(m.id, a) for m in members for a in applications]
    conflicts = set()
    if with_conflicts and pairs:
        conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) // 2)))
    existing: dict[int, set[int]] = {}
    if with_existing:
        for application in applications:
            allowed = [m.id for m in members if m.scores and (m.id, application) not in conflicts]
            if allowed:
                chosen = draw(st.lists(st.sampled_from(allowed), max_size=k, unique=True))
                if chosen:
                    existing[application] = set(chosen)
    return applications, members, conflicts, k, existing


def eligible(application, members, conflicts, assigned):
    return [
        m.id
        for m in members
        if m.scores and (m.id, application) not in conflicts and m.id not in assigned
    ]


def check_plan(applications, members, conflicts, k, existing, plan):
    scoring = {m.id for m in members if m.scores}
    final = {a: set(existing.get(a, ())) | set(plan.get(a, ())) for a in applications}
    load = Counter({m: 0 for m in scoring})
    for assigned in final.values():
        load.update(assigned)
    for application in applications:
        new = plan.get(application, ())
        # k reviewers in all; never twice; never an expert; never conflicted.
        assert len(final[application]) == max(k, len(existing.get(application, ())))
        assert len(set(new)) == len(new)
        assert not set(new) & set(existing.get(application, ()))
        assert set(new) <= scoring
        assert not {(m, application) for m in new} & conflicts
        # Balance: nobody got this application while someone else able to
        # take it carries two or more fewer.
        for member in new:
            for other in eligible(application, members, conflicts, final[application]):
                assert load[member] - load[other] <= 1, (application, member, other, load)
    assert not set(plan) - set(applications)
    return load


@settings(max_examples=150, deadline=None)
@given(commissions())
def test_every_rule_holds_or_the_error_says_why(case):
    applications, members, conflicts, k, existing = case
    labels = {a: f"DL/2026/{a:03d}" for a in applications}
    try:
        plan = plan_assignments(applications, members, conflicts, k, existing, labels=labels)
    except PlanImpossible as exc:
        assert exc.shortfalls
        for shortfall in exc.shortfalls:
            have = existing.get(shortfall.application, set())
            able = eligible(shortfall.application, members, conflicts, have)
            assert len(able) == shortfall.available < shortfall.needed == k - len(have)
            assert any(labels[shortfall.application] in m for m in exc.messages)
        # The error is complete: every application not listed could be staffed.
        listed = {s.application for s in exc.shortfalls}
        for application in set(applications) - listed:
            have = existing.get(application, set())
            assert len(eligible(application, members, conflicts, have)) >= k - len(have)
        return
    check_plan(applications, members, conflicts, k, existing, plan)
    assert (
        plan_problems(plan, members, conflicts, k, existing, applications=set(applications)) == []
    )


@settings(max_examples=100, deadline=None)
@given(commissions(with_conflicts=False, with_existing=False))
def test_without_conflicts_loads_differ_by_at_most_one(case):
    applications, members, conflicts, k, existing = case
    scoring = [m for m in members if m.scores]
    if len(scoring) < k and applications:
        with pytest.raises(PlanImpossible):
            plan_assignments(applications, members, conflicts, k, existing)
        return
    plan = plan_assignments(applications, members, conflicts, k, existing)
    load = check_plan(applications, members, conflicts, k, existing, plan)
    if scoring:
        assert max(load.values()) - min(load.values()) <= 1


def test_a_worked_example():
    members = [PlanMember(1), PlanMember(2), PlanMember(3), PlanMember(4, scores=False)]
    # Member 1 is conflicted with application 10; 2 already reviews 11.
    plan = plan_assignments([10, 11, 12], members, {(1, 10)}, 2, {11: {2}})
    assert plan == {10: (2, 3), 11: (1,), 12: (1, 3)}


def test_the_error_explains_each_shortfall():
    members = [PlanMember(1), PlanMember(2, scores=False)]
    with pytest.raises(PlanImpossible) as caught:
        plan_assignments([10, 11], members, {(1, 11)}, 2, labels={10: "DL/2026/001"})
    messages = caught.value.messages
    assert "only 1 member who scores" in messages[0]
    assert "DL/2026/001" in messages[1] and "needs 2 more" in messages[1]
    assert "#11" in messages[2] and "1 conflicted" in messages[2]
    assert isinstance(caught.value, RuleViolation)


def test_k_below_one_is_refused():
    with pytest.raises(PlanImpossible):
        plan_assignments([1], [PlanMember(1)], set(), 0)


def test_plan_problems_lists_every_broken_rule():
    members = [PlanMember(1), PlanMember(2), PlanMember(3, scores=False)]
    problems = plan_problems(
        {10: [1, 1, 3], 11: [2, 9], 12: [1]},
        members,
        {(2, 11)},
        2,
        {10: {2}},
        applications={10, 11},
        member_labels={3: "Ekspert"},
    )
    assert any("twice" in p for p in problems)
    assert any("Ekspert is an expert" in p for p in problems)
    assert any("#2 has a conflict" in p for p in problems)
    assert any("#9 is not on this commission" in p for p in problems)
    assert any("more than 2 reviewers" in p for p in problems)
    assert any("#12 is not in review" in p for p in problems)
