"""Sales promotions: free quantity by quantity range (seed "Sales Promotion")."""

from decimal import Decimal as D

import pytest

from shopterm.core.money import MoneyError
from shopterm.core.promotions import PromoOverlapError, PromoRange, PromotionError, free_qty, validate_ranges

RANGES = [
    PromoRange(D("10"), D("20"), D("1")),
    PromoRange(D("21"), D("50"), D("3")),
    PromoRange(D("51"), None, D("6")),
]


@pytest.mark.parametrize(
    "qty, expected",
    [
        ("0", "0"),
        ("9", "0"),
        ("9.999", "0"),
        ("10", "1"),  # lower edge of row 1
        ("15", "1"),
        ("20", "1"),  # upper edge of row 1
        ("20.5", "0"),  # in the gap: outside every range
        ("21", "3"),  # lower edge of row 2
        ("50", "3"),  # upper edge of row 2
        ("50.001", "0"),
        ("51", "6"),  # open-ended row
        ("100000", "6"),
    ],
)
def test_every_range_edge(qty, expected):
    assert free_qty(RANGES, D(qty)) == D(expected)


def test_no_ranges_means_nothing_free():
    assert free_qty([], D("100")) == D("0")


def test_unsorted_rows_work():
    assert free_qty(list(reversed(RANGES)), D("21")) == D("3")


def test_overlap_refused_with_row_numbers():
    with pytest.raises(PromoOverlapError, match=r"^rows 1 and 2 overlap \(10–20 and 20–30\)"):
        validate_ranges([PromoRange(D("10"), D("20"), D("1")), PromoRange(D("20"), D("30"), D("2"))])
    with pytest.raises(PromoOverlapError, match="rows 2 and 3 overlap"):
        validate_ranges([RANGES[0], PromoRange(D("60"), None, D("9")), RANGES[2]])


def test_min_above_max_refused():
    with pytest.raises(PromotionError, match=r"^row 2: the minimum qty 30 is above the maximum qty 25"):
        validate_ranges([RANGES[0], PromoRange(D("30"), D("25"), D("1"))])


def test_negative_free_or_min_refused():
    with pytest.raises(PromotionError, match="row 1: the free qty must not be negative"):
        validate_ranges([PromoRange(D("1"), D("5"), D("-1"))])
    with pytest.raises(PromotionError, match="row 1: the minimum qty must not be negative"):
        validate_ranges([PromoRange(D("-1"), D("5"), D("1"))])


def test_zero_free_and_single_point_ranges_are_valid():
    ranges = [PromoRange(D("1"), D("1"), D("0")), PromoRange(D("2"), D("2"), D("1"))]
    validate_ranges(ranges)
    assert free_qty(ranges, D("1")) == D("0")
    assert free_qty(ranges, D("2")) == D("1")


def test_free_qty_validates_first():
    with pytest.raises(PromoOverlapError):
        free_qty([PromoRange(D("1"), D("10"), D("1")), PromoRange(D("5"), D("20"), D("2"))], D("3"))


def test_floats_refused():
    with pytest.raises(MoneyError):
        PromoRange(10.0, D("20"), D("1"))  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        PromoRange(D("10"), D("20"), 1.0)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        free_qty(RANGES, 12.0)  # type: ignore[arg-type]
