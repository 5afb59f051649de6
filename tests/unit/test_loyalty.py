"""Loyalty points (DESIGN §9; demo card: 10 USD per point, 1 point = 0.10 USD, every 30 days)."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.loyalty import (
    InsufficientPointsError,
    LoyaltyError,
    RedemptionTooSoonError,
    check_redemption,
    next_redemption_date,
    points_earned,
    points_kept,
    points_reversed,
    redemption_value,
)
from shopterm.core.money import MoneyError

PER_POINT = D("10")
VALUE = D("0.10")


@pytest.mark.parametrize(
    "sales, points",
    [("0", 0), ("9.99", 0), ("10", 1), ("54.86", 5), ("99.99", 9), ("100", 10), ("1234.56", 123)],
)
def test_points_earned_rounds_down(sales, points):
    assert points_earned(D(sales), PER_POINT) == points


def test_points_earned_errors():
    with pytest.raises(LoyaltyError, match="greater than zero"):
        points_earned(D("10"), D("0"))
    with pytest.raises(LoyaltyError, match="must not be negative"):
        points_earned(D("-1"), PER_POINT)


def test_redemption_value():
    assert redemption_value(12, VALUE) == D("1.20")
    assert redemption_value(0, VALUE) == D("0.00")
    assert redemption_value(5, D("0.125")) == D("0.63")  # 0.625 half up
    with pytest.raises(LoyaltyError, match="whole number"):
        redemption_value(D("1.5"), VALUE)  # type: ignore[arg-type]
    with pytest.raises(LoyaltyError, match="must not be negative"):
        redemption_value(-1, VALUE)


def test_check_redemption_more_than_held():
    with pytest.raises(InsufficientPointsError, match="^only 12 points held$"):
        check_redemption(13, 12, None, date(2026, 11, 23), 30)
    with pytest.raises(InsufficientPointsError, match="^only 1 point held$"):
        check_redemption(2, 1, None, date(2026, 11, 23), 30)


def test_check_redemption_too_soon():
    last = date(2026, 11, 20)
    with pytest.raises(RedemptionTooSoonError, match="^points can be redeemed again on 2026-12-20$"):
        check_redemption(5, 12, last, date(2026, 12, 19), 30)
    check_redemption(5, 12, last, date(2026, 12, 20), 30)  # exactly 30 days later: allowed
    check_redemption(12, 12, last, date(2027, 1, 1), 30)


def test_check_redemption_without_history_or_frequency():
    check_redemption(12, 12, None, date(2026, 11, 23), 30)
    check_redemption(1, 12, date(2026, 11, 23), date(2026, 11, 23), 0)
    check_redemption(1, 12, date(2026, 11, 23), date(2026, 11, 23), None)


def test_check_redemption_zero_or_bad_points():
    with pytest.raises(LoyaltyError, match="number of points"):
        check_redemption(0, 12, None, date(2026, 11, 23), 30)
    with pytest.raises(LoyaltyError):
        check_redemption(-1, 12, None, date(2026, 11, 23), 30)
    with pytest.raises(MoneyError):
        check_redemption(1.0, 12, None, date(2026, 11, 23), 30)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        check_redemption(1, 12.0, None, date(2026, 11, 23), 30)  # type: ignore[arg-type]


def test_next_redemption_date():
    assert next_redemption_date(date(2026, 11, 20), 30) == date(2026, 12, 20)
    assert next_redemption_date(None, 30) is None
    assert next_redemption_date(date(2026, 11, 20), 0) is None


@pytest.mark.parametrize(
    "earned, returned, original, expected",
    [
        (5, "54.86", "54.86", 5),  # everything returned
        (5, "27.43", "54.86", 3),  # 2.5 → 3, half up
        (5, "10", "54.86", 1),  # 0.911 → 1
        (5, "5", "54.86", 0),  # 0.456 → 0
        (5, "0", "54.86", 0),
        (5, "60", "54.86", 5),  # never more than earned
        (0, "10", "54.86", 0),
    ],
)
def test_points_reversed(earned, returned, original, expected):
    assert points_reversed(earned, D(returned), D(original)) == expected


def test_points_reversed_errors():
    with pytest.raises(LoyaltyError, match="must not be negative"):
        points_reversed(5, D("-1"), D("10"))
    with pytest.raises(LoyaltyError, match="greater than zero"):
        points_reversed(5, D("1"), D("0"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: points_earned(54.86, PER_POINT),
        lambda: points_earned(D("54.86"), 10.0),
        lambda: redemption_value(1.0, VALUE),
        lambda: redemption_value(1, 0.1),
        lambda: points_reversed(5.0, D("1"), D("2")),
        lambda: points_reversed(5, 1.0, D("2")),
        lambda: points_reversed(5, D("1"), 2.0),
    ],
)
def test_refuses_floats(call):
    with pytest.raises(MoneyError):
        call()


@settings(max_examples=200, deadline=None)
@given(
    original=st.decimals(min_value="0.01", max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    fraction=st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False),
)
def test_reversal_is_bounded_and_monotonic(original, fraction):
    earned = points_earned(original, PER_POINT)
    returned = (original * fraction).quantize(D("0.01"))
    rev = points_reversed(earned, returned, original)
    assert 0 <= rev <= earned
    assert points_reversed(earned, original, original) == earned
    assert points_reversed(earned, min(original, returned + D("0.01")), original) >= rev


@pytest.mark.parametrize(
    "earned, left, expected",
    [
        (19, "190.62", 19),  # 198.04 earned 19; 7.42 returned: the rest still earns 19
        (19, "183.20", 18),
        (19, "0", 0),  # everything returned
        (1, "6.60", 0),
        (5, "60", 5),  # never more than earned
    ],
)
def test_points_kept(earned, left, expected):
    assert points_kept(earned, D(left), PER_POINT) == expected


def test_points_kept_refuses_a_negative_amount_left():
    with pytest.raises(LoyaltyError, match="must not be negative"):
        points_kept(5, D("-0.01"), PER_POINT)
