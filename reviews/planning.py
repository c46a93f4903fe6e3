"""Who reviews what: a pure function over ids, so the official can preview a
plan before applying it and the rules can be checked exhaustively.

The rules, in order of strength:

1. every application gets `k` reviewers in all (existing assignments count);
2. never a member conflicted with the application, never an advisory expert,
   never the same member twice on one application;
3. balanced load: no member gets an application while another member who
   could have taken that same application has two or more fewer in all.
   Without conflicts this is the plain rule that loads differ by at most one;
   conflicts can make that impossible (a member conflicted with most
   applications cannot carry an equal share), and the rule then holds among
   the members able to take each application.

Rules 1 and 2 are hard: when an application has too few members able to take
it, `PlanImpossible` says which and why. Rule 3 is reached by assigning the
most constrained applications first to the least loaded members, then moving
single assignments from a heavier to a lighter member while any such move
exists; each move lowers the sum of squared loads, so this ends.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import RuleViolation


@dataclass(frozen=True)
class PlanMember:
    id: int
    scores: bool = True  # False: an expert with an advisory voice


@dataclass(frozen=True)
class Shortfall:
    application: int
    needed: int  # more reviewers than it has
    available: int  # members able to take it
    conflicted: int
    already: int


class PlanImpossible(RuleViolation):
    """No plan meets the hard rules; `shortfalls` lists the applications."""

    def __init__(self, messages: list[str], shortfalls: list[Shortfall]):
        super().__init__(errors={"plan": messages})
        self.shortfalls = shortfalls


Plan = dict[int, tuple[int, ...]]


def _label(labels: Mapping[int, str] | None, application: int) -> str:
    return (labels or {}).get(application) or f"#{application}"


def _shortfall_message(s: Shortfall, label: str) -> str:
    return _(
        "Application %(application)s needs %(needed)s more reviewer(s), but only %(available)s "
        "member(s) can take it (%(conflicted)s conflicted, %(already)s already assigned)."
    ) % {
        "application": label,
        "needed": s.needed,
        "available": s.available,
        "conflicted": s.conflicted,
        "already": s.already,
    }


def plan_assignments(
    applications: Iterable[int],
    members: Iterable[PlanMember],
    conflicts: Collection[tuple[int, int]],
    k: int,
    existing: Mapping[int, Collection[int]] | None = None,
    *,
    labels: Mapping[int, str] | None = None,
) -> Plan:
    """New assignments that bring every application to `k` reviewers.

    `conflicts` holds (member id, application id) pairs; `existing` maps an
    application to the members already reviewing it (recused ones excluded:
    their recusal is a conflict). Returns {application: new member ids} for
    the applications that need more reviewers, or raises PlanImpossible.
    """
    if k < 1:
        raise PlanImpossible([_("Each application needs at least one reviewer.")], [])
    applications = list(dict.fromkeys(applications))
    scoring = sorted({m.id for m in members if m.scores})
    existing = {a: set(ms) for a, ms in (existing or {}).items()}
    conflicted = set(conflicts)

    load: dict[int, int] = defaultdict(int)
    for assigned in existing.values():
        for member in assigned:
            load[member] += 1

    eligible: dict[int, list[int]] = {}
    needed: dict[int, int] = {}
    shortfalls = []
    for application in applications:
        have = existing.get(application, set())
        needed[application] = max(0, k - len(have))
        eligible[application] = [
            m for m in scoring if m not in have and (m, application) not in conflicted
        ]
        if len(eligible[application]) < needed[application]:
            shortfalls.append(
                Shortfall(
                    application=application,
                    needed=needed[application],
                    available=len(eligible[application]),
                    conflicted=sum(1 for m in scoring if (m, application) in conflicted),
                    already=sum(1 for m in scoring if m in have),
                )
            )
    if shortfalls:
        messages = []
        if len(scoring) < k:
            messages.append(
                ngettext(
                    "Each application needs %(k)s reviewers, but the commission has only "
                    "%(n)s member who scores (experts have an advisory voice only).",
                    "Each application needs %(k)s reviewers, but the commission has only "
                    "%(n)s members who score (experts have an advisory voice only).",
                    len(scoring),
                )
                % {"k": k, "n": len(scoring)}
            )
        messages.extend(_shortfall_message(s, _label(labels, s.application)) for s in shortfalls)
        raise PlanImpossible(messages, shortfalls)

    chosen: dict[int, set[int]] = {a: set() for a in applications}
    # The applications with the least room to spare go first, so that the
    # members they depend on are still light when they are placed.
    order = sorted(applications, key=lambda a: (len(eligible[a]) - needed[a], a))
    for application in order:
        for _slot in range(needed[application]):
            member = min(
                (m for m in eligible[application] if m not in chosen[application]),
                key=lambda m: (load[m], m),
            )
            chosen[application].add(member)
            load[member] += 1

    moved = True
    while moved:
        moved = False
        for application in order:
            for member in sorted(chosen[application]):
                lighter = [
                    m
                    for m in eligible[application]
                    if m not in chosen[application] and load[m] <= load[member] - 2
                ]
                if lighter:
                    target = min(lighter, key=lambda m: (load[m], m))
                    chosen[application].remove(member)
                    chosen[application].add(target)
                    load[member] -= 1
                    load[target] += 1
                    moved = True
    return {a: tuple(sorted(chosen[a])) for a in applications if chosen[a]}


def plan_problems(
    plan: Mapping[int, Iterable[int]],
    members: Iterable[PlanMember],
    conflicts: Collection[tuple[int, int]],
    k: int,
    existing: Mapping[int, Collection[int]] | None = None,
    *,
    applications: Collection[int],
    labels: Mapping[int, str] | None = None,
    member_labels: Mapping[int, str] | None = None,
) -> list[str]:
    """What breaks the hard rules in a plan given by hand or previewed earlier
    (the data may have changed since). Balance is not required of a manual plan."""
    scoring = {m.id for m in members if m.scores}
    known = {m.id for m in members}
    existing = existing or {}
    conflicted = set(conflicts)
    problems = []
    for application, new in plan.items():
        label = _label(labels, application)
        if application not in applications:
            problems.append(
                _("Application %(application)s is not in review.") % {"application": label}
            )
            continue
        new = list(new)
        have = set(existing.get(application, ()))
        if len(set(new)) != len(new):
            problems.append(
                _("Application %(application)s lists the same member twice.")
                % {"application": label}
            )
        for member in dict.fromkeys(new):
            who = (member_labels or {}).get(member) or f"#{member}"
            if member not in known:
                problems.append(_("%(member)s is not on this commission.") % {"member": who})
            elif member not in scoring:
                problems.append(
                    _("%(member)s is an expert with an advisory voice and does not score.")
                    % {"member": who}
                )
            elif (member, application) in conflicted:
                problems.append(
                    _("%(member)s has a conflict with application %(application)s.")
                    % {"member": who, "application": label}
                )
            elif member in have:
                problems.append(
                    _("%(member)s already reviews application %(application)s.")
                    % {"member": who, "application": label}
                )
        if len(have | set(new)) > k:
            problems.append(
                _("Application %(application)s would have more than %(k)s reviewers.")
                % {"application": label, "k": k}
            )
    return problems
