"""Proportional allocation of a flat discount over lines (DESIGN §4 step 4)."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.allocation import AllocationError, allocate
from shopterm.core.money import MoneyError


def test_worked_example_shares():
    assert allocate(D("2.52"), [D("22.50"), D("22.97"), D("5.00")]) == [D("1.12"), D("1.15"), D("0.25")]


def test_ties_go_to_the_earlier_index():
    assert allocate(D("0.02"), [D(1), D(1), D(1)]) == [D("0.01"), D("0.01"), D("0.00")]
    assert allocate(D("0.01"), [D(5), D(5)]) == [D("0.01"), D("0.00")]


def test_largest_remainder_wins_over_index():
    # exact shares 0.333.., 0.666.. cents → floors 0, 0; the 1 cent goes to the larger remainder
    assert allocate(D("0.01"), [D(1), D(2)]) == [D("0.00"), D("0.01")]


def test_exact_split_needs_no_leftover():
    assert allocate(D("10.00"), [D(1), D(3)]) == [D("2.50"), D("7.50")]


def test_zero_weight_gets_nothing():
    assert allocate(D("1.00"), [D(0), D(3), D(0)]) == [D("0.00"), D("1.00"), D("0.00")]


def test_zero_total_and_zero_weights():
    assert allocate(D("0"), [D(0), D(0)]) == [D("0.00"), D("0.00")]
    assert allocate(D("0"), []) == []
    assert allocate(D("0.00"), [D(2), D(3)]) == [D("0.00"), D("0.00")]


def test_positive_total_with_nothing_to_carry_it():
    with pytest.raises(AllocationError, match="nothing to allocate"):
        allocate(D("1.00"), [D(0), D(0)])
    with pytest.raises(AllocationError):
        allocate(D("1.00"), [])


def test_refuses_negative_total_weight_and_sub_cent_total():
    with pytest.raises(AllocationError, match="negative"):
        allocate(D("-1.00"), [D(1)])
    with pytest.raises(AllocationError, match="weight 2 is negative"):
        allocate(D("1.00"), [D(1), D(-1)])
    with pytest.raises(AllocationError, match="2 decimal places"):
        allocate(D("1.005"), [D(1)])


def test_refuses_floats():
    with pytest.raises(MoneyError):
        allocate(1.0, [D(1)])  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        allocate(D(1), [D(1), 0.5])  # type: ignore[list-item]


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(amounts, min_size=1, max_size=30).filter(lambda ws: sum(ws) > 0),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_shares_add_up_and_are_never_negative(weights, fraction):
    subtotal = sum(weights)
    total = (D(fraction.numerator) * subtotal / D(fraction.denominator)).quantize(D("0.01"), rounding="ROUND_DOWN")
    shares = allocate(total, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == total
    assert all(s >= 0 for s in shares)
    # each share is within one cent above the exact proportional amount's floor
    weight_sum = sum(Fraction(w) for w in weights)
    for w, s in zip(weights, shares):
        exact = Fraction(total) * Fraction(w) / weight_sum
        assert exact - Fraction(1, 100) < Fraction(s) < exact + Fraction(1, 100)
        if w == 0:
            assert s == 0
