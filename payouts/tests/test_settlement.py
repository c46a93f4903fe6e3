"""The settlement's arithmetic at its edges, in Decimal, with no database."""

from decimal import Decimal

import pytest

from payouts.settlement import (
    LineSpending,
    as_money,
    compute_settlement,
    line_limit,
    refund_amount,
    shift_allowance,
)

D = Decimal
TEN = D("10")


def settle(*lines, paid, awarded=None, shift=TEN):
    lines = [
        line
        if isinstance(line, LineSpending)
        else LineSpending(i, f"line {i}", D(line[0]), D(line[1]))
        for i, line in enumerate(lines)
    ]
    if awarded is None:
        awarded = sum((line.planned_grant for line in lines), D("0"))
    return compute_settlement(lines=lines, shift_pct=shift, awarded=D(awarded), paid=D(paid))


class TestShift:
    def test_exactly_the_allowed_share_is_eligible(self):
        # 1,000 planned, 10% allowed: 1,100.00 spent is all eligible.
        result = settle(("1000.00", "1100.00"), ("1000.00", "900.00"), paid="2000.00")
        first = result.lines[0]
        assert first.limit == D("1100.00")
        assert first.eligible == D("1100.00")
        assert first.ineligible == D("0.00")
        assert result.eligible_spending == D("2000.00")
        assert result.refund == D("0.00")

    def test_one_grosz_more_is_ineligible(self):
        result = settle(("1000.00", "1100.01"), ("1000.00", "899.99"), paid="2000.00")
        first = result.lines[0]
        assert first.eligible == D("1100.00")
        assert first.ineligible == D("0.01")
        assert result.eligible_spending == D("1999.99")
        assert result.ineligible_spending == D("0.01")
        assert result.refund == D("0.01")

    def test_share_that_is_not_a_whole_grosz_rounds_down(self):
        # 10% of 333.33 is 33.333: 33.33 on top is within, 33.34 is not.
        assert shift_allowance(D("333.33"), TEN) == D("33.33")
        assert (
            settle(("333.33", "366.66"), paid="333.33", awarded="400.00").lines[0].ineligible == 0
        )
        assert settle(("333.33", "366.67"), paid="333.33", awarded="400.00").lines[
            0
        ].ineligible == D("0.01")

    def test_line_without_planned_grant_takes_nothing_without_approval(self):
        result = settle(("0.00", "50.00"), ("1000.00", "950.00"), paid="1000.00")
        assert result.lines[0].eligible == D("0.00")
        assert result.lines[0].ineligible == D("50.00")
        assert result.refund == D("50.00")

    def test_approved_change_lifts_the_limit(self):
        line = LineSpending(1, "materials", D("1000.00"), D("1300.00"), approved_over=D("300.00"))
        other = LineSpending(2, "rent", D("1000.00"), D("700.00"))
        result = settle(line, other, paid="2000.00")
        assert result.lines[0].limit == D("1300.00")
        assert result.lines[0].ineligible == D("0.00")
        assert result.refund == D("0.00")
        # One grosz above the approved amount is ineligible again.
        over = LineSpending(1, "materials", D("1000.00"), D("1300.01"), approved_over=D("300.00"))
        assert settle(over, other, paid="2000.00").lines[0].ineligible == D("0.01")

    def test_approval_smaller_than_the_shift_does_not_lower_the_limit(self):
        assert line_limit(D("1000.00"), TEN, D("20.00")) == D("1100.00")

    def test_zero_shift_allows_nothing_above_the_plan(self):
        result = settle(("1000.00", "1000.01"), ("1000.00", "999.99"), paid="2000.00", shift=D("0"))
        assert result.lines[0].ineligible == D("0.01")

    def test_eligible_spending_never_exceeds_the_award(self):
        # Both lines within their shift, together above the award.
        result = settle(("1000.00", "1100.00"), ("1000.00", "1100.00"), paid="2000.00")
        assert result.eligible_spending == D("2000.00")
        assert result.ineligible_spending == D("200.00")
        assert result.refund == D("0.00")


class TestRefund:
    def test_refund_with_several_tranches(self):
        # 4,000 awarded in three tranches, all paid; 3,456.78 spent as planned.
        paid = D("1600.00") + D("1600.00") + D("800.00")
        result = settle(("3700.00", "3156.78"), ("300.00", "300.00"), paid=paid)
        assert result.paid == D("4000.00")
        assert result.eligible_spending == D("3456.78")
        assert result.refund == D("543.22")
        assert result.still_payable == D("0.00")

    def test_last_tranche_not_paid_yet(self):
        # 3,200 of 4,000 paid, 3,900 eligible: nothing to refund, 700 still payable.
        result = settle(("3700.00", "3600.00"), ("300.00", "300.00"), paid="3200.00")
        assert result.refund == D("0.00")
        assert result.still_payable == D("700.00")

    def test_nothing_paid_yet_means_no_refund_not_a_negative_one(self):
        result = settle(("3700.00", "3700.00"), ("300.00", "300.00"), paid="0.00")
        assert result.refund == D("0.00")
        assert result.still_payable == D("4000.00")
        assert refund_amount(paid=D("0"), eligible_spending=D("4000.00")) == D("0.00")

    def test_nothing_spent_refunds_everything_paid(self):
        result = settle(("3700.00", "0.00"), ("300.00", "0.00"), paid="4000.00")
        assert result.refund == D("4000.00")

    def test_results_are_decimal_with_two_places(self):
        result = settle(("1000.00", "1000"), paid="999.5", awarded="1000")
        for amount in (result.paid, result.eligible_spending, result.refund, result.awarded):
            assert isinstance(amount, Decimal)
            assert amount.as_tuple().exponent == -2
        assert result.as_dict()["lines"][0]["eligible"] == D("1000.00")


class TestInputs:
    def test_float_is_refused(self):
        with pytest.raises(TypeError):
            as_money(0.1)
        with pytest.raises(TypeError):
            compute_settlement(
                lines=[LineSpending(1, "line", D("1000.00"), D("1000.00"))],
                shift_pct=TEN,
                awarded=D("1000.00"),
                paid=1000.0,
            )

    def test_negative_spending_is_refused(self):
        with pytest.raises(ValueError):
            settle(("1000.00", "-1.00"), paid="0")

    def test_shift_must_be_a_percentage(self):
        with pytest.raises(ValueError):
            settle(("1000.00", "1000.00"), paid="0", shift=D("101"))
