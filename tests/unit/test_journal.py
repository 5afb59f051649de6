"""core/journal.py: journal lines, the balance rule, helpers (DESIGN §7)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.core.journal import (
    CASH_CDF,
    CASH_USD,
    DEFAULT_CHART,
    EXCHANGE,
    RECEIVABLE,
    ROUND_OFF,
    SALES,
    VAT,
    JLine,
    UnbalancedJournalError,
    balance_into,
    check_balanced,
    credit,
    debit,
    merge_same,
    total_usd,
    without_zero,
)
from shopterm.core.money import Currency, MoneyError


def test_usd_line_amount_defaults_to_usd_amount():
    line = JLine(CASH_USD, D("12.5"))
    assert line.amount == D("12.50")
    assert line.amount_usd == D("12.50")
    assert line.currency is Currency.USD
    assert line.is_debit


def test_amounts_are_rounded_to_the_cent_half_up():
    line = JLine(CASH_USD, D("1.005"))
    assert line.amount_usd == D("1.01")
    assert JLine(CASH_USD, D("-1.005")).amount_usd == D("-1.01")


def test_cdf_line_needs_its_cdf_amount():
    with pytest.raises(MoneyError, match="a CDF journal line needs its CDF amount"):
        JLine(CASH_CDF, D("10"), Currency.CDF)
    line = JLine(CASH_CDF, D("10.00"), "CDF", D("28500"))
    assert line.currency is Currency.CDF
    assert line.amount == D("28500.00")


def test_floats_are_refused():
    with pytest.raises(MoneyError, match="journal amounts must be Decimal"):
        JLine(CASH_USD, 1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="journal amounts must be Decimal"):
        JLine(CASH_CDF, D("1"), Currency.CDF, 2850.0)  # type: ignore[arg-type]


def test_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="unknown currency 'EUR'"):
        JLine(CASH_USD, D("1"), "EUR", D("1"))


def test_debit_and_credit_signs():
    d = debit(RECEIVABLE, D("54.86"), customer_id=7)
    c = credit(SALES, D("47.95"))
    assert d.amount_usd == D("54.86") and d.amount == D("54.86") and d.customer_id == 7
    assert c.amount_usd == D("-47.95") and c.amount == D("-47.95")
    assert not c.is_debit
    cdf = credit(CASH_CDF, D("2.14"), Currency.CDF, D("6100"))
    assert cdf.amount_usd == D("-2.14") and cdf.amount == D("-6100.00")


def test_design_section_4_invoice_balances():
    # DESIGN §4 worked example: net 54.86 = sales 47.95 (subtotal 50.47 − flat 2.52) + VAT 6.91
    journal = [debit(RECEIVABLE, D("54.86"), customer_id=1), credit(SALES, D("47.95")), credit(VAT, D("6.91"))]
    assert total_usd(journal) == D("0.00")
    check_balanced(journal)  # no error


def test_unbalanced_journal_names_the_difference_and_the_lines():
    journal = [debit(RECEIVABLE, D("54.86")), credit(SALES, D("47.95")), credit(VAT, D("6.90"))]
    with pytest.raises(UnbalancedJournalError) as err:
        check_balanced(journal)
    assert str(err.value) == "journal does not balance: off by 0.01 USD (1200 +54.86, 4000 -47.95, 2100 -6.90)"
    assert isinstance(err.value, MoneyError)


def test_without_zero_drops_empty_lines_only():
    journal = [debit(CASH_USD, D("10")), credit(VAT, D("0")), credit(SALES, D("10")),
               JLine(CASH_CDF, D("0"), Currency.CDF, D("1"))]  # 1 CDF worth 0.00 USD is kept: the till holds it
    kept = without_zero(journal)
    assert [l.account for l in kept] == [CASH_USD, SALES, CASH_CDF]


def test_balance_into_absorbs_conversion_cents():
    journal = [debit(CASH_CDF, D("10.53"), Currency.CDF, D("30000")), credit(RECEIVABLE, D("10.52"))]
    out = balance_into(journal, ROUND_OFF)
    assert out[-1] == JLine(ROUND_OFF, D("-0.01"), memo="conversion rounding")
    check_balanced(out)
    # balanced input comes back unchanged
    assert balance_into(out, ROUND_OFF) == out


def test_balance_into_refuses_a_large_residual():
    journal = [debit(CASH_USD, D("10.00")), credit(SALES, D("9.90"))]
    with pytest.raises(UnbalancedJournalError, match="off by 0.10 USD"):
        balance_into(journal, EXCHANGE)
    assert balance_into(journal, EXCHANGE, limit=D("0.10"))[-1].amount_usd == D("-0.10")


def test_merge_same_adds_amounts_of_identical_keys():
    journal = [credit(SALES, D("10")), credit(SALES, D("5.50")), credit(SALES, D("1"), memo="other"),
               credit(CASH_CDF, D("1"), Currency.CDF, D("2850")), credit(CASH_CDF, D("2"), Currency.CDF, D("5700"))]
    merged = merge_same(journal)
    assert merged == [
        JLine(SALES, D("-15.50")),
        JLine(SALES, D("-1.00"), memo="other"),
        JLine(CASH_CDF, D("-3.00"), Currency.CDF, D("-8550")),
    ]


def test_default_chart_codes_are_unique_and_cash_accounts_have_currency():
    codes = [code for code, *_ in DEFAULT_CHART]
    assert len(codes) == len(set(codes))
    chart = {code: (name, kind, ccy) for code, name, kind, ccy in DEFAULT_CHART}
    assert chart[CASH_USD][2] == "USD" and chart[CASH_CDF][2] == "CDF"
    for code in (RECEIVABLE, SALES, VAT, ROUND_OFF, EXCHANGE):
        assert code in chart
    assert all(kind in {"asset", "liability", "equity", "income", "expense"} for _, kind, _ in chart.values())
