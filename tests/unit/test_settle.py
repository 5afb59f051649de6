"""core.settle: a debit is settled in its own currency, the rest is an exchange difference (DESIGN §8)."""

from decimal import Decimal as D

from shopterm.core.money import Currency
from shopterm.core.settle import OpenEntry, settle

CDF, USD = Currency.CDF, Currency.USD


def test_ninety_thousand_francs_on_a_quarter_million_franc_invoice():
    """Invoice 250,000 CDF booked 87.72 USD (at 2,850); payment 90,000 CDF booked 31.03 USD (at 2,900).
    Settled 90,000 CDF of each; the invoice's share q2(87.72 × 0.36) = 31.58; difference 0.55 (a loss)."""
    inv = OpenEntry(1, CDF, D("250000.00"), D("87.72"), D("2850"))
    pay = OpenEntry(2, CDF, D("90000.00"), D("31.03"), D("2900"))
    r = settle([inv], [pay])
    assert r.debits == {1: (D("90000.00"), D("31.58"))}
    assert r.credits == {2: (D("90000.00"), D("31.03"))}
    assert r.exchange_usd == D("0.55")


def test_a_payment_spanning_a_dollar_and_a_franc_invoice():
    """57,000 CDF at 2,850: the 19.00 USD invoice takes 19 × 2,850 = 54,150 CDF of it, the franc invoice
    (30,000 CDF, 10.53 USD) the other 2,850 CDF exactly, booked q2(10.53 × 2,850 / 30,000) = 1.00."""
    usd_inv = OpenEntry(1, USD, D("19.00"), D("19.00"), D("2850"))
    cdf_inv = OpenEntry(2, CDF, D("30000.00"), D("10.53"), D("2850"))
    pay = OpenEntry(3, CDF, D("57000.00"), D("20.00"), D("2850"))
    r = settle([usd_inv, cdf_inv], [pay])
    assert r.debits == {1: (D("19.00"), D("19.00")), 2: (D("2850.00"), D("1.00"))}
    assert r.credits == {3: (D("57000.00"), D("20.00"))}
    assert r.exchange_usd == 0


def test_the_smaller_side_is_used_up():
    """A 100 USD credit on a 60 USD invoice: 60 settled, 40 USD of the credit left."""
    r = settle([OpenEntry(1, USD, D("60"), D("60"), D("2850"))], [OpenEntry(2, USD, D("100"), D("100"), D("2850"))])
    assert r.debits == {1: (D("60"), D("60"))} and r.credits == {2: (D("60"), D("60.00"))}
