"""Document totals (DESIGN §4): every figure of the worked example, a CDF
document computed by hand, flat discounts and slabs, errors, properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.money import Currency, MoneyError, round_to_increment
from shopterm.core.slabs import SlabRange
from shopterm.core.totals import (
    DocumentTotals,
    LineInput,
    LineTotals,
    TotalsError,
    compute_totals,
    default_price,
)

USD, CDF = Currency.USD, Currency.CDF

WORKED_LINES = [
    LineInput(qty=D("10"), price=D("2.50"), discount_pct=D("10")),
    LineInput(qty=D("3"), price=D("7.99"), flat_discount=D("1.00")),
    LineInput(qty=D("4"), price=D("1.25"), tax_rate=D("0")),
]

DEMO_SLABS = [
    SlabRange(D("0"), D("99"), D("0")),
    SlabRange(D("100"), D("499"), D("3")),
    SlabRange(D("500"), D("999"), D("5")),
    SlabRange(D("1000"), None, D("8")),
]


def worked(**kw) -> DocumentTotals:
    args = dict(currency=USD, rate=D("2850"), flat_type="percent", flat_value=D("5"))
    args.update(kw)
    return compute_totals(WORKED_LINES, **args)


def test_design_worked_example_every_figure():
    t = worked()
    l1, l2, l3 = t.lines
    # line 1: 10 × 2.50, 10 %
    assert l1 == LineTotals(
        gross=D("25.00"), discount_amount=D("2.50"), line_flat=D("0.00"), line_net=D("22.50"),
        flat_share=D("1.12"), taxable=D("21.38"), tax=D("3.42"),
    )
    # line 2: 3 × 7.99, flat 1.00
    assert l2 == LineTotals(
        gross=D("23.97"), discount_amount=D("0.00"), line_flat=D("1.00"), line_net=D("22.97"),
        flat_share=D("1.15"), taxable=D("21.82"), tax=D("3.49"),
    )
    # line 3: 4 × 1.25, tax 0 %
    assert l3 == LineTotals(
        gross=D("5.00"), discount_amount=D("0.00"), line_flat=D("0.00"), line_net=D("5.00"),
        flat_share=D("0.25"), taxable=D("4.75"), tax=D("0.00"),
    )
    assert t.total_qty == D("17")
    assert t.total_gross == D("53.97")
    assert t.total_discount == D("3.50")  # 2.50 line % + 1.00 line flat
    assert t.subtotal == D("50.47")
    assert t.flat_type == "percent"
    assert t.flat_pct == D("5")
    assert t.flat_amount == D("2.52")
    assert t.flat_from_slab is False
    assert t.tax == D("6.91")
    assert t.net == D("54.86")
    assert t.net_sales == D("47.95")
    assert t.net_usd == D("54.86")
    assert t.net_cdf == D("156351.00")
    assert t.round_off_cdf == D("49.00")
    assert t.receivable == D("54.86")
    assert t.receivable_usd == D("54.86")
    assert t.redemption_value == D("0.00")
    assert t.payable == D("54.86")
    assert t.payable_usd == D("54.86")
    assert t.payable_cdf == D("156400")
    assert t.currency is USD and t.rate == D("2850")


def test_flat_amount_gives_the_same_figures():
    t = worked(flat_type="amount", flat_value=D("2.52"))
    assert t.flat_type == "amount" and t.flat_pct is None and t.flat_amount == D("2.52")
    assert [lt.flat_share for lt in t.lines] == [D("1.12"), D("1.15"), D("0.25")]
    assert t.tax == D("6.91") and t.net == D("54.86")


def test_cdf_document_by_hand():
    # CDF document at 2850, flat 3 %, loyalty redemption 0.50 USD.
    # line 1: 2 × 7,125.00 = 14,250.00, tax 16 %; line 2: 1 × 3,562.50, tax 0 %
    # subtotal 17,812.50; flat = 534.375 → 534.38
    # shares: 534.38 × 0.8 = 427.504 → 427.50 (rem .004); × 0.2 = 106.876 → 106.87 (rem .006)
    #         1 cent left → line 2 → 106.88
    # tax line 1: (14,250.00 − 427.50) × 16 % = 13,822.50 × 0.16 = 2,211.60
    # net = 17,812.50 − 534.38 + 2,211.60 = 19,489.72 CDF = 6.8385 → 6.84 USD
    # rounded to 100: 19,500 (round off +10.28); receivable 19,500 = 6.842 → 6.84 USD
    # redemption 0.50 USD = 1,425 CDF → payable 18,075 = 6.342 → 6.34 USD; in cash 18,100
    t = compute_totals(
        [LineInput(D("2"), D("7125.00")), LineInput(D("1"), D("3562.50"), tax_rate=D("0"))],
        currency=CDF, rate=D("2850"), flat_type="percent", flat_value=D("3"), redemption_value=D("0.50"),
    )
    assert [lt.gross for lt in t.lines] == [D("14250.00"), D("3562.50")]
    assert [lt.line_net for lt in t.lines] == [D("14250.00"), D("3562.50")]
    assert [lt.flat_share for lt in t.lines] == [D("427.50"), D("106.88")]
    assert [lt.taxable for lt in t.lines] == [D("13822.50"), D("3455.62")]
    assert [lt.tax for lt in t.lines] == [D("2211.60"), D("0.00")]
    assert t.total_qty == D("3")
    assert t.total_gross == D("17812.50")
    assert t.total_discount == D("0.00")
    assert t.subtotal == D("17812.50")
    assert t.flat_amount == D("534.38")
    assert t.tax == D("2211.60")
    assert t.net == D("19489.72")
    assert t.net_cdf == D("19489.72")
    assert t.net_usd == D("6.84")
    assert t.round_off_cdf == D("10.28")
    assert t.receivable == D("19500.00")
    assert t.receivable_usd == D("6.84")
    assert t.redemption_value == D("0.50")
    assert t.payable == D("18075.00")
    assert t.payable_usd == D("6.34")
    assert t.payable_cdf == D("18100.00")


def test_cdf_document_rounds_down_when_below_half():
    # 1 × 1,049.99 CDF, no tax: rounds to 1,000 (round off −49.99)
    t = compute_totals([LineInput(D("1"), D("1049.99"), tax_rate=D("0"))], currency=CDF, rate=D("2850"))
    assert t.net_cdf == D("1049.99")
    assert t.receivable == D("1000.00")
    assert t.round_off_cdf == D("-49.99")
    assert t.receivable_usd == D("0.35")  # 1000 / 2850 = 0.3509


def test_usd_document_with_redemption():
    # 5 points × 0.10 = 0.50 USD off: payable 54.36 = 154,926 CDF → 154,900
    t = worked(redemption_value=D("0.50"))
    assert t.receivable == D("54.86")
    assert t.payable == D("54.36")
    assert t.payable_usd == D("54.36")
    assert t.payable_cdf == D("154900.00")
    assert t.round_off_cdf == D("49.00")  # still the rounding of net_cdf


def test_redemption_above_amount_due_is_refused():
    with pytest.raises(TotalsError, match="redemption"):
        worked(redemption_value=D("60.00"))


def test_slab_percent_supplied_by_caller():
    t = worked(flat_type=None, flat_value=None, slab_pct=D("5"))
    assert t.flat_from_slab is True
    assert t.flat_type == "percent" and t.flat_pct == D("5") and t.flat_amount == D("2.52")
    assert t.net == D("54.86")


def test_slab_looked_up_from_the_table_in_usd():
    # 50 × 2.50 = 125.00 USD → slab 100–499 → 3 % → 3.75
    t = compute_totals([LineInput(D("50"), D("2.50"), tax_rate=D("0"))], currency=USD, rate=D("2850"), slabs=DEMO_SLABS)
    assert t.flat_from_slab and t.flat_pct == D("3") and t.flat_amount == D("3.75")
    assert t.net == D("121.25")
    # the same 125 USD as a CDF document (356,250 CDF) finds the same slab
    t = compute_totals([LineInput(D("50"), D("7125"), tax_rate=D("0"))], currency=CDF, rate=D("2850"), slabs=DEMO_SLABS)
    assert t.flat_pct == D("3") and t.flat_amount == D("10687.50")


def test_slab_between_two_rows_takes_the_lower():
    # 99.50 USD: between 0–99 and 100–499 → 0 %
    t = compute_totals([LineInput(D("1"), D("99.50"), tax_rate=D("0"))], currency=USD, rate=D("2850"), slabs=DEMO_SLABS)
    assert t.flat_from_slab and t.flat_pct == D("0") and t.flat_amount == D("0.00")


def test_typed_discount_overrides_slab_even_zero():
    t = worked(flat_value=D("0"), slab_pct=D("5"))
    assert t.flat_from_slab is False and t.flat_amount == D("0.00")
    assert t.net == D("50.47") + D("3.60") + D("3.68")  # taxes on undiscounted lines: 3.60 + 3.68


def test_no_flat_discount_at_all():
    t = worked(flat_type=None, flat_value=None)
    assert t.flat_type is None and t.flat_pct is None and t.flat_amount == D("0.00")
    assert not t.flat_from_slab
    assert [lt.flat_share for lt in t.lines] == [D("0.00")] * 3


def test_type_without_value_means_none_given():
    t = worked(flat_type="percent", flat_value=None, slab_pct=D("5"))
    assert t.flat_from_slab and t.flat_amount == D("2.52")


def test_tax_exempt():
    t = worked(tax_exempt=True)
    assert t.tax == D("0.00")
    assert all(lt.tax == D("0.00") for lt in t.lines)
    assert [lt.taxable for lt in t.lines] == [D("21.38"), D("21.82"), D("4.75")]
    assert t.net == D("47.95")


def test_empty_document():
    t = compute_totals([], currency=USD, rate=D("2850"))
    assert t.lines == () and t.subtotal == 0 and t.net == 0 and t.payable_cdf == 0 and t.total_qty == 0


def test_negative_line_net_names_the_line():
    lines = [LineInput(D("1"), D("5.00")), LineInput(D("1"), D("5.00"), discount_pct=D("50"), flat_discount=D("2.51"))]
    with pytest.raises(TotalsError, match="^line 2: discounts exceed the gross amount$"):
        compute_totals(lines, currency=USD, rate=D("2850"))
    # exactly zero is allowed
    lines[1] = LineInput(D("1"), D("5.00"), discount_pct=D("50"), flat_discount=D("2.50"))
    assert compute_totals(lines, currency=USD, rate=D("2850")).lines[1].line_net == D("0.00")


def test_flat_above_subtotal_is_refused():
    with pytest.raises(TotalsError, match="exceeds the subtotal 50.47"):
        worked(flat_type="amount", flat_value=D("50.48"))
    assert worked(flat_type="amount", flat_value=D("50.47")).net == D("0.00")


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(flat_type="percent", flat_value=D("101")), "between 0 and 100"),
        (dict(flat_type="amount", flat_value=D("-1")), "must not be negative"),
        (dict(flat_type="amount", flat_value=D("1.005")), "2 decimal places"),
        (dict(flat_type="fixed", flat_value=D("1")), "'percent' or 'amount'"),
        (dict(flat_type=None, flat_value=D("1")), "choose a type"),
        (dict(flat_type=None, flat_value=None, slab_pct=D("1"), slabs=DEMO_SLABS), "not both"),
        (dict(cdf_increment=D("0")), "increment"),
        (dict(redemption_value=D("-1")), "must not be negative"),
    ],
)
def test_bad_document_inputs(kw, message):
    with pytest.raises(TotalsError, match=message):
        worked(**kw)


@pytest.mark.parametrize(
    "line, message",
    [
        (LineInput(D("-1"), D("1")), "line 1: the quantity"),
        (LineInput(D("1"), D("-1")), "line 1: the price"),
        (LineInput(D("1"), D("1"), discount_pct=D("100.01")), "line 1: the discount"),
        (LineInput(D("1"), D("1"), flat_discount=D("-0.01")), "line 1: the flat discount"),
        (LineInput(D("1"), D("1"), tax_rate=D("-1")), "line 1: the tax rate"),
    ],
)
def test_bad_lines(line, message):
    with pytest.raises(TotalsError, match=message):
        compute_totals([line], currency=USD, rate=D("2850"))


def test_bad_rate_is_refused():
    with pytest.raises(MoneyError):
        worked(rate=D("0"))


def test_lineinput_accepts_ints_and_strings_but_not_floats():
    line = LineInput(3, "7.99")
    assert line.qty == D(3) and line.price == D("7.99") and line.tax_rate == D("16")
    with pytest.raises(MoneyError):
        LineInput(D("1"), 2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kw",
    [
        dict(rate=2850.0),
        dict(flat_value=5.0),
        dict(flat_type=None, flat_value=None, slab_pct=5.0),
        dict(cdf_increment=100.0),
        dict(redemption_value=0.5),
    ],
)
def test_compute_totals_refuses_floats(kw):
    with pytest.raises(MoneyError):
        worked(**kw)


def test_totals_error_is_a_money_and_value_error():
    assert issubclass(TotalsError, MoneyError) and issubclass(TotalsError, ValueError)


# default price -----------------------------------------------------------


def test_default_price_same_currency():
    assert default_price(D("2.50"), USD, USD, D("2850")) == D("2.50")
    assert default_price(D("2.50"), USD, USD, D("2850"), D("10")) == D("2.75")


def test_default_price_converted_then_loaded_once():
    assert default_price(D("2.50"), USD, CDF, D("2850")) == D("7125.00")
    assert default_price(D("2.50"), USD, CDF, D("2850"), D("10")) == D("7837.50")
    assert default_price(D("7125"), CDF, USD, D("2850")) == D("2.50")
    # 7.99 × 2850.5 = 22,775.495 → one rounding: 22,775.50
    assert default_price(D("7.99"), USD, CDF, D("2850.5")) == D("22775.50")
    # 1000 CDF / 2850 × 1.05 = 0.368421… → 0.37
    assert default_price(D("1000"), CDF, USD, D("2850"), D("5")) == D("0.37")


def test_default_price_errors_and_floats():
    with pytest.raises(TotalsError):
        default_price(D("-1"), USD, USD, D("2850"))
    with pytest.raises(TotalsError):
        default_price(D("1"), USD, USD, D("2850"), D("-101"))
    with pytest.raises(MoneyError):
        default_price(2.5, USD, CDF, D("2850"))  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        default_price(D("2.5"), USD, CDF, 2850.0)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        default_price(D("2.5"), USD, CDF, D("2850"), 1.0)  # type: ignore[arg-type]


# properties --------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False)
qty = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
pct = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=1, max_value=10000, places=4, allow_nan=False, allow_infinity=False)
line_inputs = st.builds(
    LineInput,
    qty=qty,
    price=money,
    discount_pct=pct,
    flat_discount=st.just(D(0)),
    tax_rate=st.sampled_from([D(0), D(16), D("8.5")]),
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(line_inputs, max_size=12),
    currency=st.sampled_from([USD, CDF]),
    rate=rates,
    flat_pct=pct,
    exempt=st.booleans(),
    inc=st.sampled_from([D("50"), D("100"), D("500")]),
)
def test_total_properties(lines, currency, rate, flat_pct, exempt, inc):
    t = compute_totals(
        lines, currency=currency, rate=rate, flat_type="percent", flat_value=flat_pct, tax_exempt=exempt, cdf_increment=inc
    )
    shares = [lt.flat_share for lt in t.lines]
    assert sum(shares) == t.flat_amount
    assert all(s >= 0 for s in shares)
    assert all(lt.taxable >= 0 for lt in t.lines)
    assert 0 <= t.flat_amount <= t.subtotal
    assert t.subtotal == sum(lt.line_net for lt in t.lines)
    assert t.tax == sum(lt.tax for lt in t.lines)
    assert t.net == t.subtotal - t.flat_amount + t.tax
    assert t.net == sum(lt.total for lt in t.lines)
    assert t.total_gross - t.total_discount == t.subtotal
    assert t.payable_cdf % inc == 0
    assert abs(t.round_off_cdf) <= inc / 2
    assert round_to_increment(t.net_cdf, inc) == t.net_cdf + t.round_off_cdf
    if currency is CDF:
        assert t.receivable == t.net_cdf + t.round_off_cdf
    else:
        assert t.receivable == t.net == t.net_usd
    if exempt:
        assert t.tax == 0
