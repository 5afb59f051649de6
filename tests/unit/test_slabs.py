"""Discount slabs (DESIGN §4 step 3, seed "Discount Slabs")."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.money import MoneyError
from shopterm.core.slabs import SlabError, SlabOverlapError, SlabRange, slab_pct, validate_ranges

DEMO = [
    SlabRange(D("0"), D("99"), D("0")),
    SlabRange(D("100"), D("499"), D("3")),
    SlabRange(D("500"), D("999"), D("5")),
    SlabRange(D("1000"), None, D("8")),
]


@pytest.mark.parametrize(
    "subtotal, expected",
    [
        ("0", "0"),
        ("0.01", "0"),
        ("99", "0"),
        ("99.50", "0"),  # between 0–99 and 100–499: the lower
        ("99.99", "0"),
        ("100", "3"),
        ("250", "3"),
        ("499", "3"),
        ("499.01", "3"),
        ("500", "5"),
        ("999", "5"),
        ("999.50", "5"),
        ("1000", "8"),
        ("1000000", "8"),
    ],
)
def test_demo_slabs(subtotal, expected):
    assert slab_pct(DEMO, D(subtotal)) == D(expected)


def test_order_of_rows_does_not_matter():
    assert slab_pct(list(reversed(DEMO)), D("99.50")) == D("0")
    assert slab_pct(list(reversed(DEMO)), D("750")) == D("5")


def test_below_every_range_is_none():
    ranges = [SlabRange(D("100"), D("499"), D("3"))]
    assert slab_pct(ranges, D("99.99")) is None
    assert slab_pct(ranges, D("100")) == D("3")
    assert slab_pct([], D("50")) is None


def test_above_the_last_bounded_range_is_none():
    ranges = DEMO[:2]
    assert slab_pct(ranges, D("499")) == D("3")
    assert slab_pct(ranges, D("499.50")) is None
    assert slab_pct(ranges, D("600")) is None


def test_overlap_names_both_rows():
    ranges = [SlabRange(D("0"), D("99"), D("0")), SlabRange(D("500"), None, D("5")), SlabRange(D("99"), D("499"), D("3"))]
    with pytest.raises(SlabOverlapError, match=r"^rows 1 and 3 overlap"):
        validate_ranges(ranges)


def test_open_ended_row_overlaps_any_later_row():
    with pytest.raises(SlabOverlapError, match="rows 1 and 2 overlap"):
        validate_ranges([SlabRange(D("1000"), None, D("8")), SlabRange(D("2000"), D("3000"), D("9"))])


def test_from_above_to_is_refused():
    with pytest.raises(SlabError, match=r"^row 2: the from value 500.00 is above the to value 100.00"):
        validate_ranges([DEMO[0], SlabRange(D("500"), D("100"), D("3"))])


def test_bad_percent_and_negative_from():
    with pytest.raises(SlabError, match="row 1: the discount"):
        validate_ranges([SlabRange(D("0"), D("99"), D("101"))])
    with pytest.raises(SlabError, match="row 1: the from value must not be negative"):
        validate_ranges([SlabRange(D("-1"), D("99"), D("1"))])


def test_slab_pct_validates_first():
    with pytest.raises(SlabOverlapError):
        slab_pct([SlabRange(D("0"), D("100"), D("0")), SlabRange(D("100"), D("499"), D("3"))], D("50"))


def test_single_point_range_is_valid():
    validate_ranges([SlabRange(D("5"), D("5"), D("1")), SlabRange(D("6"), D("6"), D("2"))])
    assert slab_pct([SlabRange(D("5"), D("5"), D("1"))], D("5")) == D("1")


def test_floats_refused():
    with pytest.raises(MoneyError):
        SlabRange(0.0, D("99"), D("0"))  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        SlabRange(D("0"), 99.0, D("0"))  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        SlabRange(D("0"), D("99"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        slab_pct(DEMO, 99.5)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_demo_table_always_gives_a_percent_monotonic(subtotal):
    pct = slab_pct(DEMO, subtotal)
    assert pct is not None
    assert slab_pct(DEMO, subtotal + D("0.01")) >= pct
