"""Shop Close reconciliation (DESIGN §5, seed "Shop Close Details Tab")."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.close import (
    DENOMINATIONS,
    CloseError,
    DenominationError,
    close_figures,
    count_denominations,
    difference_usd_value,
    shortage_needs_approval,
    summarize_close,
)
from shopterm.core.money import Currency, MoneyError

USD, CDF = Currency.USD, Currency.CDF


def usd_day(physical="249.80"):
    return close_figures(
        USD,
        opening=D("100"),
        cash_sales=D("54.86"),
        cash_returns=D("10"),
        receipts=D("30"),
        payments=D("5"),
        exchanged_in=D("100"),
        exchanged_out=D("20"),
        physical=D(physical),
    )


def test_usd_figures_by_hand():
    f = usd_day()
    assert f.currency is USD
    assert f.sub_total == D("169.86")  # 100 + 54.86 − 10 + 30 − 5
    assert f.closing == D("249.86")  # 169.86 + 100 − 20 + 0
    assert f.physical == D("249.80")
    assert f.difference == D("0.06")  # closing − physical: a shortage
    assert f.excess_shortage == D("-0.06")
    assert f.shortage == D("0.06") and f.excess == D("0")
    assert (f.opening, f.cash_sales, f.cash_returns, f.receipts, f.payments) == (
        D("100"), D("54.86"), D("10"), D("30"), D("5"),
    )
    assert (f.exchanged_in, f.exchanged_out, f.other_transfers) == (D("100"), D("20"), D("0"))


def test_cdf_figures_with_excess_and_other_transfers():
    f = close_figures(
        CDF,
        opening=D("250000"),
        cash_sales=D("19500"),
        receipts=D("13900"),
        exchanged_in=D("300000"),
        exchanged_out=D("270000"),
        other_transfers=D("-50000"),
        physical=D("264000"),
    )
    assert f.sub_total == D("283400")
    assert f.closing == D("263400")  # 283,400 + 300,000 − 270,000 − 50,000
    assert f.difference == D("-600")  # more cash than expected
    assert f.excess_shortage == D("600")
    assert f.excess == D("600") and f.shortage == D("0")


def test_exact_count_has_no_difference():
    f = usd_day(physical="249.86")
    assert f.difference == 0 and f.excess_shortage == 0


def test_negative_movements_refused_opening_may_be_negative():
    with pytest.raises(CloseError, match="cash sales must not be negative"):
        close_figures(USD, opening=D("0"), cash_sales=D("-1"))
    with pytest.raises(CloseError, match=r"physical cash \(CDF\) must not be negative"):
        close_figures(CDF, opening=D("0"), physical=D("-1"))
    assert close_figures(USD, opening=D("-5")).closing == D("-5")


def test_count_usd_notes():
    assert count_denominations({D("100"): 2, D("20"): 1, D("1"): 3}, USD) == D("223")
    assert count_denominations({}, USD) == 0
    assert count_denominations({D("5"): 0}, USD) == 0


def test_count_cdf_notes():
    assert count_denominations({D("20000"): 27, D("50"): 1}, CDF) == D("540050")
    total = count_denominations({d: 1 for d in DENOMINATIONS[CDF]}, CDF)
    assert total == D("36850")  # 50+100+200+500+1000+5000+10000+20000


def test_denomination_lists():
    assert DENOMINATIONS[USD] == tuple(D(n) for n in (1, 2, 5, 10, 20, 50, 100))
    assert DENOMINATIONS[CDF] == tuple(D(n) for n in (50, 100, 200, 500, 1000, 5000, 10000, 20000))


def test_count_errors():
    with pytest.raises(DenominationError, match="USD has no 3 note"):
        count_denominations({D("3"): 1}, USD)
    with pytest.raises(DenominationError, match="CDF has no 1 note"):
        count_denominations({D("1"): 1}, CDF)  # a dollar note is not a franc note
    with pytest.raises(DenominationError, match="must not be negative"):
        count_denominations({D("10"): -1}, USD)
    with pytest.raises(DenominationError, match="whole number"):
        count_denominations({D("10"): D("1.5")}, USD)  # type: ignore[dict-item]


def test_count_refuses_floats():
    with pytest.raises(MoneyError):
        count_denominations({10.0: 1}, USD)  # type: ignore[dict-item]
    with pytest.raises(MoneyError):
        count_denominations({D("10"): 1.0}, USD)  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "diff_usd, diff_cdf, expected",
    [
        ("5.00", "0", False),  # at the maximum: allowed
        ("5.01", "0", True),  # strictly above
        ("0", "10000", False),
        ("0", "10001", True),
        ("-50", "-50000", False),  # an excess never needs approval
        ("5.01", "-50000", True),  # either currency
        ("0", "0", False),
    ],
)
def test_shortage_needs_approval(diff_usd, diff_cdf, expected):
    assert shortage_needs_approval(D(diff_usd), D(diff_cdf), D("5"), D("10000")) is expected


def test_unset_maximum_means_no_tolerance():
    assert shortage_needs_approval(D("0.01"), D("0"), None, None) is True
    assert shortage_needs_approval(D("0"), D("50"), None, D("100")) is False
    assert shortage_needs_approval(D("0"), D("0"), None, None) is False
    with pytest.raises(CloseError):
        shortage_needs_approval(D("0"), D("0"), D("-1"), None)


def test_difference_usd_value():
    assert difference_usd_value(D("0.06"), D("2850"), D("2850")) == D("1.06")
    assert difference_usd_value(D("-1"), D("-1425"), D("2850")) == D("-1.50")
    assert difference_usd_value(D("0"), D("100"), D("2850")) == D("0.04")  # 0.0351


def test_summarize_close():
    usd = usd_day()
    cdf = close_figures(CDF, opening=D("0"), cash_sales=D("28500"), physical=D("0"))
    s = summarize_close(usd, cdf, D("2850"), max_shortage_usd=D("5"), max_shortage_cdf=D("10000"), exchange_gain_usd=D("5.26"))
    assert s.difference_usd_value == D("10.06")  # 0.06 + 28,500 / 2850
    assert s.needs_approval is True  # 28,500 CDF short > 10,000
    assert s.exchange_gain_usd == D("5.26")
    with pytest.raises(CloseError, match="currency mismatch"):
        summarize_close(cdf, usd, D("2850"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: close_figures(USD, opening=100.0),
        lambda: close_figures(USD, opening=D("1"), physical=1.0),
        lambda: shortage_needs_approval(1.0, D("0"), D("5"), D("1")),
        lambda: shortage_needs_approval(D("1"), D("0"), 5.0, D("1")),
        lambda: difference_usd_value(D("1"), 1.0, D("2850")),
        lambda: difference_usd_value(D("1"), D("1"), 2850.0),
        lambda: summarize_close(usd_day(), close_figures(CDF, opening=D("0")), 2850.0),
    ],
)
def test_refuses_floats(call):
    with pytest.raises(MoneyError):
        call()


money = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(opening=money, sales=money, returns=money, receipts=money, payments=money, ex_in=money, ex_out=money, physical=money)
def test_closing_identity(opening, sales, returns, receipts, payments, ex_in, ex_out, physical):
    f = close_figures(
        CDF, opening=opening, cash_sales=sales, cash_returns=returns, receipts=receipts,
        payments=payments, exchanged_in=ex_in, exchanged_out=ex_out, physical=physical,
    )
    assert f.closing == f.sub_total + ex_in - ex_out
    assert f.physical + f.difference == f.closing
    assert f.shortage - f.excess == f.difference
    assert f.excess_shortage == -f.difference


def test_difference_words_say_short_over_balanced_or_not_counted():
    """closing − physical (DESIGN §5): + is short, − is over; the words carry no sign."""
    from shopterm.core import i18n
    from shopterm.core.close import difference_words

    assert [difference_words(D(v)) for v in ("37580", "-2.5", "0")] == [
        "37,580.00 short", "2.50 over", "0.00 balanced"]
    assert difference_words(D("0"), counted=False) == "not counted"
    i18n.set_language("fr")
    try:
        assert [difference_words(D(v)) for v in ("37580", "-2.5")] == ["37\u00a0580,00 manque", "2,50 excédent"]
        assert difference_words(D("0"), counted=False) == "non compté"
    finally:
        i18n.set_language("en")


def test_a_counted_stock_difference_reads_as_the_cash_difference():
    """on hand − counted, + = short (as closing − physical): 500 on hand, 497 counted at 1.60 → +3, 4.80;
    1,000 on hand, 1,002 counted at 0.70 → −2, −1.40. The direction alone: short / over / balanced."""
    from shopterm.core import i18n
    from shopterm.core.close import difference_word, signed_qty, stock_short

    assert stock_short(D("500"), D("497"), D("1.60")) == (D("3"), D("4.80"))
    assert stock_short(D("1000"), D("1002"), D("0.70")) == (D("-2"), D("-1.40"))
    assert [signed_qty(D(v)) for v in ("3", "-2", "0", "1250.5")] == ["+3", "-2", "0", "+1,250.5"]
    assert [difference_word(D(v)) for v in ("0.01", "-150000", "0")] == ["short", "over", "balanced"]
    i18n.set_language("fr")
    try:
        assert [difference_word(D(v)) for v in ("0.01", "-150000", "0")] == ["manque", "excédent", "juste"]
        assert signed_qty(D("1250.5")) == "+1\u00a0250,5"
    finally:
        i18n.set_language("en")
