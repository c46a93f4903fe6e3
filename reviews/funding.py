"""The funding line: which applications the budget covers, in ranking order.

Applications above the threshold are funded at the amount requested, in rank
order, while the budget lasts. The first one that no longer fits gets what is
left when partial awards are allowed and what is left is at least the
competition's minimum grant; funding stops there, because skipping to a
cheaper application further down would break the ranking. Everyone else above
the threshold goes to the reserve list in rank order; below the threshold (or
without a submitted review) is rejected.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

ZERO = Decimal("0.00")


class Outcome:
    FUNDED = "funded"
    PARTIAL = "partial"
    RESERVE = "reserve"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Candidate:
    application_id: int
    requested: Decimal
    passes_threshold: bool


@dataclass(frozen=True)
class ProposalLine:
    application_id: int
    outcome: str
    requested: Decimal
    amount: Decimal | None  # None unless funded or partial


@dataclass(frozen=True)
class FundingProposal:
    lines: tuple[ProposalLine, ...]
    budget: Decimal
    allocated: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.allocated

    @cached_property
    def _by_application(self) -> dict[int, ProposalLine]:
        return {line.application_id: line for line in self.lines}

    def outcome_of(self, application_id: int) -> ProposalLine | None:
        # A lookup per application of the sheet: a scan here made the decision
        # sheet quadratic in the number of applications.
        return self._by_application.get(application_id)


def funding_line(
    ranking: Iterable[Candidate],
    *,
    budget: Decimal,
    allow_partial: bool,
    grant_min: Decimal,
) -> FundingProposal:
    """`ranking` is in rank order (best first)."""
    remaining = budget
    funding = True
    lines = []
    for candidate in ranking:
        if not candidate.passes_threshold:
            lines.append(
                ProposalLine(candidate.application_id, Outcome.REJECTED, candidate.requested, None)
            )
            continue
        if funding and candidate.requested <= remaining:
            remaining -= candidate.requested
            lines.append(
                ProposalLine(
                    candidate.application_id,
                    Outcome.FUNDED,
                    candidate.requested,
                    candidate.requested,
                )
            )
            continue
        if funding and allow_partial and remaining > ZERO and remaining >= grant_min:
            lines.append(
                ProposalLine(
                    candidate.application_id, Outcome.PARTIAL, candidate.requested, remaining
                )
            )
            remaining = ZERO
            funding = False
            continue
        funding = False
        lines.append(
            ProposalLine(candidate.application_id, Outcome.RESERVE, candidate.requested, None)
        )
    return FundingProposal(lines=tuple(lines), budget=budget, allocated=budget - remaining)
