"""The settlement of a grant, as arithmetic on Decimal and nothing else.

No database, no clock: the services feed it the agreed budget, the spending
of the final report and the tranches paid, and store what comes out.

The rules (DESIGN section 2, "Contract" and "Reports"):

* A budget line may use more of the grant than planned by at most the
  contract's allowed shift, a percentage of the line's planned grant amount.
  Whatever goes beyond that is ineligible, unless the operator approved a
  change for the line: `approved_over` is then the amount above the plan the
  line may use (the larger of the two limits applies).
* Eligible grant spending is the sum of the lines' eligible parts, never more
  than the amount awarded (the shift moves money between lines; it does not
  raise the grant).
* Refund = grant paid (tranches actually paid) - eligible grant spending,
  never negative. When eligible spending is higher than what was paid, the
  difference is what the operator may still pay out (`still_payable`).
* No interest is computed: the refund is the principal only. Interest for a
  late refund is charged, if ever, outside this system.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def as_money(value) -> Decimal:
    """An amount in PLN with two places. Floats are refused: a binary fraction
    is never an amount of money."""
    if isinstance(value, float | bool):
        raise TypeError(f"Money must be Decimal, not {type(value).__name__}")
    amount = Decimal(value if value is not None else 0)
    if not amount.is_finite():
        raise ValueError("Money must be a finite amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def shift_allowance(planned: Decimal, shift_pct: Decimal) -> Decimal:
    """How much more of the grant a line may use without anyone's approval.

    Rounded down to the grosz: a share like 10% of 333.33 PLN (33.333 PLN) is
    exceeded by 33.34 PLN, so only 33.33 PLN may be used on top.
    """
    planned = as_money(planned)
    if planned <= 0:
        return ZERO
    return (planned * Decimal(shift_pct) / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)


def line_limit(planned: Decimal, shift_pct: Decimal, approved_over: Decimal = ZERO) -> Decimal:
    """The most grant spending on a line that can be eligible."""
    planned = as_money(planned)
    return planned + max(shift_allowance(planned, shift_pct), as_money(approved_over))


@dataclass(frozen=True)
class LineSpending:
    """One line of the agreed budget with what the final report says was spent."""

    key: int | str
    name: str
    planned_grant: Decimal
    spent_grant: Decimal
    approved_over: Decimal = ZERO


@dataclass(frozen=True)
class LineSettlement:
    key: int | str
    name: str
    planned_grant: Decimal
    spent_grant: Decimal
    approved_over: Decimal
    limit: Decimal
    eligible: Decimal
    ineligible: Decimal

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "planned_grant": self.planned_grant,
            "spent_grant": self.spent_grant,
            "approved_over": self.approved_over,
            "limit": self.limit,
            "eligible": self.eligible,
            "ineligible": self.ineligible,
        }


@dataclass(frozen=True)
class Settlement:
    awarded: Decimal
    paid: Decimal
    shift_pct: Decimal
    spent_grant: Decimal
    eligible_spending: Decimal
    ineligible_spending: Decimal
    refund: Decimal
    still_payable: Decimal
    lines: tuple[LineSettlement, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "awarded": self.awarded,
            "paid": self.paid,
            "shift_pct": self.shift_pct,
            "spent_grant": self.spent_grant,
            "eligible_spending": self.eligible_spending,
            "ineligible_spending": self.ineligible_spending,
            "refund": self.refund,
            "still_payable": self.still_payable,
            "lines": [line.as_dict() for line in self.lines],
        }


def settle_line(line: LineSpending, shift_pct: Decimal) -> LineSettlement:
    planned = as_money(line.planned_grant)
    spent = as_money(line.spent_grant)
    approved = as_money(line.approved_over)
    if planned < 0 or spent < 0 or approved < 0:
        raise ValueError("Planned, spent and approved amounts cannot be negative")
    limit = line_limit(planned, shift_pct, approved)
    eligible = min(spent, limit)
    return LineSettlement(
        key=line.key,
        name=line.name,
        planned_grant=planned,
        spent_grant=spent,
        approved_over=approved,
        limit=limit,
        eligible=eligible,
        ineligible=spent - eligible,
    )


def refund_amount(*, paid: Decimal, eligible_spending: Decimal) -> Decimal:
    """What the grantee returns: paid minus eligible, and never below zero."""
    return max(ZERO, as_money(paid) - as_money(eligible_spending))


def compute_settlement(
    *,
    lines: Iterable[LineSpending],
    shift_pct: Decimal,
    awarded: Decimal,
    paid: Decimal,
    refunded: Decimal = ZERO,
) -> Settlement:
    shift_pct = Decimal(shift_pct)
    if not ZERO <= shift_pct <= HUNDRED:
        raise ValueError("The allowed shift is a percentage between 0 and 100")
    awarded = as_money(awarded)
    paid = as_money(paid)
    if awarded <= 0 or paid < 0:
        raise ValueError("The award must be positive and the amount paid not negative")
    settled = tuple(settle_line(line, shift_pct) for line in lines)
    spent = sum((line.spent_grant for line in settled), ZERO)
    eligible = min(sum((line.eligible for line in settled), ZERO), awarded)
    return Settlement(
        awarded=awarded,
        paid=paid,
        shift_pct=shift_pct,
        spent_grant=spent,
        eligible_spending=eligible,
        ineligible_spending=spent - eligible,
        refund=refund_amount(paid=paid, eligible_spending=eligible),
        # Money the group already returned counts against what it received:
        # with 8,000 paid, 2,000 returned early and 9,000 eligible, 3,000 more
        # may be paid. The refund stays gross; `refund_paid` is subtracted
        # from it where the outstanding amount is shown.
        still_payable=max(ZERO, eligible - (paid - as_money(refunded))),
        lines=settled,
    )
