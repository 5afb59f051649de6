"""Currency exchange at the counter (DESIGN §7, §11) and USD↔CDF conversion."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopterm.core.exchange import ExchangeCalc, ExchangeError, compute_exchange, exchange
from shopterm.core.money import Currency, MoneyError, q2, to_cdf, to_usd

USD, CDF = Currency.USD, Currency.CDF


def test_design_example_cdf_in_usd_out():
    # 300,000 CDF received at an actual rate of 3000, 100 USD given, system rate 2850
    x = exchange(CDF, D("300000"), D("2850"), D("3000"), D("100"))
    assert x.amount_received == D("300000") and x.currency_received is CDF
    assert x.amount_given == D("100") and x.currency_given is USD
    assert x.received_usd_value == D("105.26")  # 300,000 / 2850 = 105.263
    assert x.given_usd_value == D("100.00")
    assert x.gain_usd == D("5.26")
    # CDF gain computed in francs at the system rate: 300,000 − 100 × 2850
    assert x.gain_cdf == D("15000.00")
    assert x.expected_given == D("100.00")  # 300,000 / 3000
    assert x.cash_usd_in == D("-100") and x.cash_cdf_in == D("300000")


def test_usd_in_cdf_out():
    # 100 USD received, 270,000 CDF given at 2700; system rate 2850
    x = exchange(USD, D("100"), D("2850"), D("2700"), D("270000"))
    assert x.received_usd_value == D("100.00")
    assert x.given_usd_value == D("94.74")  # 270,000 / 2850 = 94.737
    assert x.gain_usd == D("5.26")
    assert x.gain_cdf == D("15000.00")  # 285,000 − 270,000
    assert x.expected_given == D("270000.00")
    assert x.cash_usd_in == D("100") and x.cash_cdf_in == D("-270000")


def test_loss_when_shop_gives_more_than_system_rate():
    # 100 USD received, 290,000 CDF given; system 2850
    x = exchange(USD, D("100"), D("2850"), D("2900"), D("290000"))
    assert x.given_usd_value == D("101.75")  # 290,000 / 2850 = 101.754
    assert x.gain_usd == D("-1.75")
    assert x.gain_cdf == D("-5000.00")


def test_at_system_rate_no_gain():
    x = exchange(CDF, D("285000"), D("2850"), D("2850"))
    assert x.amount_given == D("100.00")  # defaulted from the actual rate
    assert x.gain_usd == 0 and x.gain_cdf == 0


def test_alias():
    assert compute_exchange is exchange
    assert isinstance(compute_exchange(CDF, D("1000"), D("2850"), D("2850")), ExchangeCalc)


def test_errors():
    with pytest.raises(ExchangeError, match="amount received"):
        exchange(CDF, D("0"), D("2850"), D("2850"), D("1"))
    with pytest.raises(ExchangeError, match="amount given"):
        exchange(CDF, D("1000"), D("2850"), D("2850"), D("0"))
    with pytest.raises(MoneyError, match="greater than zero"):
        exchange(CDF, D("1000"), D("2850"), D("0"), D("1"))
    with pytest.raises(MoneyError):
        exchange("EUR", D("1000"), D("2850"), D("2850"), D("1"))


@pytest.mark.parametrize(
    "args",
    [
        (CDF, 300000.0, D("2850"), D("3000"), D("100")),
        (CDF, D("300000"), 2850.0, D("3000"), D("100")),
        (CDF, D("300000"), D("2850"), 3000.0, D("100")),
        (CDF, D("300000"), D("2850"), D("3000"), 100.0),
    ],
)
def test_refuses_floats(args):
    with pytest.raises(MoneyError):
        exchange(*args)


@settings(max_examples=200, deadline=None)
@given(
    ccy=st.sampled_from([USD, CDF]),
    amount=st.decimals(min_value="0.01", max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    system=st.decimals(min_value=1, max_value=10000, places=2, allow_nan=False, allow_infinity=False),
    actual=st.decimals(min_value=1, max_value=10000, places=2, allow_nan=False, allow_infinity=False),
)
def test_exchange_journal_balances(ccy, amount, system, actual):
    given_amt = q2(amount * actual) if ccy is USD else q2(amount / actual)
    if given_amt == 0:
        return
    x = exchange(ccy, amount, system, actual, given_amt)
    # Dr cash received = Cr cash given + Cr gain
    assert x.received_usd_value == x.given_usd_value + x.gain_usd
    # the gain has the sign of the rate difference, in both currencies
    if x.gain_cdf > 0:
        assert x.gain_usd >= 0
    if x.gain_cdf < 0:
        assert x.gain_usd <= 0


# USD ↔ CDF conversion round trips -----------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
conv_rates = st.decimals(min_value=1, max_value=10000, places=6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(usd=amounts, rate=conv_rates)
def test_usd_to_cdf_and_back_within_a_cent(usd, rate):
    assert abs(to_usd(to_cdf(usd, USD, rate), CDF, rate) - usd) <= D("0.01")


@settings(max_examples=200, deadline=None)
@given(cdf=amounts, rate=conv_rates)
def test_cdf_to_usd_and_back_within_a_usd_cent(cdf, rate):
    back = to_cdf(to_usd(cdf, CDF, rate), USD, rate)
    # the USD leg is rounded to the cent, so the CDF error is at most half a cent's worth of francs
    assert abs(back - cdf) <= rate * D("0.005") + D("0.01")
    assert abs(to_usd(back, CDF, rate) - to_usd(cdf, CDF, rate)) <= D("0.01")
