"""Sales Receipt / Refund (DESIGN §7): change in CDF, partial payments,
round off, exchange difference, and the USD balance of the receipt journal."""

from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shopterm.core.cash import ReceiptCalc, ReceiptError, RefundExceedsDueError, receipt, refund
from shopterm.core.money import Currency, MoneyError, q2

USD, CDF = Currency.USD, Currency.CDF
RATE = D("2850")


def pay_worked(usd="0", cdf="0", **kw) -> ReceiptCalc:
    """The §4 invoice: USD, open 54.86, booked 54.86, invoice rate 2850."""
    return receipt(USD, D("54.86"), D("54.86"), kw.pop("rate", RATE), RATE, D(usd), D(cdf), **kw)


def balances(r) -> bool:
    lhs = r.cash_usd_in + q2(r.cash_cdf_in / r.rate)
    return lhs == r.settled_usd + r.exchange_diff_usd + r.round_off_usd


def test_design_worked_receipt():
    # 50 USD + 20,000 CDF at 2850 = 162,500 CDF against 156,400 → 6,100 change
    r = pay_worked("50", "20000")
    assert r.invoice_cdf == D("156400")
    assert r.invoice_usd == D("54.86")
    assert r.taux_difference == D("0")
    assert r.received_total_cdf == D("162500")
    assert r.returned_cdf == D("6100")
    assert r.returned_usd == D("0")
    assert r.balance_cdf == D("0") and r.balance_usd == D("0")
    assert r.settled_amount == D("54.86")
    assert r.settled_usd == D("54.86")
    assert r.cash_usd_in == D("50")
    assert r.cash_cdf_in == D("13900")
    assert r.exchange_diff_usd == D("0")
    # 50 + q2(13,900 / 2850 = 4.877) = 54.88; the 49 CDF rounding is a 0.02 gain
    assert r.round_off_usd == D("0.02")
    assert r.fully_settled is True
    assert balances(r)


def test_paying_the_rounded_cdf_exactly():
    r = pay_worked(cdf="156400")
    assert r.returned_cdf == 0 and r.fully_settled
    assert r.cash_cdf_in == D("156400") and r.cash_usd_in == 0
    assert r.round_off_usd == D("0.02")  # 156,400 / 2850 = 54.877 → 54.88 − 54.86
    assert balances(r)


def test_remainder_below_half_an_increment_is_written_off():
    # invoice 54.84 USD = 156,294 CDF → shown 156,300. Paying 156,250 leaves 44 CDF (< 50): written off.
    r = receipt(USD, D("54.84"), D("54.84"), RATE, RATE, D("0"), D("156250"))
    assert r.invoice_cdf == D("156300")
    assert r.fully_settled and r.balance_cdf == 0 and r.balance_usd == 0
    assert r.settled_amount == D("54.84") and r.returned_cdf == 0
    assert r.round_off_usd == D("-0.02")  # 156,250 / 2850 = 54.8246 → 54.82 − 54.84: a loss
    assert balances(r)


def test_underpayment_of_half_an_increment_or_more_stays_open():
    # §4 invoice (156,351 CDF exact) paid 156,300: 51 CDF short → partial payment
    r = pay_worked(cdf="156300")
    assert not r.fully_settled
    assert r.settled_amount == D("54.84")  # q2(156,300 / 2850 = 54.842)
    assert r.settled_usd == D("54.84")
    assert r.balance_usd == D("0.02")
    assert r.balance_cdf == D("100")  # 51 CDF brought to the increment
    assert r.returned_cdf == 0
    assert r.round_off_usd == 0 and r.exchange_diff_usd == 0
    assert balances(r)


def test_overpayment_surplus_below_increment_is_kept_as_round_off():
    # 50 USD + 20,050 CDF = 162,550 → surplus 6,150 → 6,100 given, 50 CDF kept
    r = pay_worked("50", "20050")
    assert r.returned_cdf == D("6100")
    assert r.cash_cdf_in == D("13950")
    # kept: 49 (rounding of the due) + 50 (surplus) = 99 CDF; 50 + q2(13,950/2850 = 4.8947) − 54.86 = 0.03
    assert r.round_off_usd == D("0.03")
    assert balances(r)


def test_change_larger_than_cdf_received_makes_cdf_negative():
    # 100 USD alone: 285,000 − 156,400 = 128,600 CDF change
    r = pay_worked("100")
    assert r.returned_cdf == D("128600")
    assert r.cash_usd_in == D("100") and r.cash_cdf_in == D("-128600")
    assert r.round_off_usd == D("0.02")  # 100 − q2(128,600/2850 = 45.1228) = 54.88
    assert balances(r)


def test_partial_payment_in_usd():
    r = pay_worked("30")
    assert not r.fully_settled
    assert r.settled_amount == D("30.00") and r.settled_usd == D("30.00")
    assert r.balance_usd == D("24.86")
    assert r.balance_cdf == D("70900")  # 156,351 − 85,500 = 70,851 → 70,900
    assert r.round_off_usd == 0 and r.exchange_diff_usd == 0
    assert balances(r)


def test_change_in_usd_when_requested():
    r = pay_worked("60", change_in=USD)
    assert r.returned_usd == D("5.14") and r.returned_cdf == 0
    assert r.cash_usd_in == D("54.86")
    assert r.round_off_usd == 0
    assert balances(r)


def test_cdf_invoice_paid_at_a_higher_rate_books_an_exchange_loss():
    # CDF invoice 19,500 booked 6.84 USD at 2850; paid in full at 3000
    r = receipt(CDF, D("19500"), D("6.84"), D("3000"), RATE, D("0"), D("19500"))
    assert r.invoice_cdf == D("19500") and r.invoice_usd == D("6.50")
    assert r.taux_difference == D("150")
    assert r.fully_settled and r.settled_usd == D("6.84")
    assert r.exchange_diff_usd == D("-0.34")  # 6.50 − 6.84
    assert r.round_off_usd == D("0.00")
    assert balances(r)


def test_cdf_invoice_partial_payment_settles_booked_usd_proportionally():
    r = receipt(CDF, D("19500"), D("6.84"), RATE, RATE, D("0"), D("10000"))
    assert not r.fully_settled
    assert r.settled_amount == D("10000")
    assert r.settled_usd == D("3.51")  # 6.84 × 10,000 / 19,500 = 3.5077
    assert r.balance_cdf == D("9500") and r.balance_usd == D("3.33")
    assert r.exchange_diff_usd == D("0.00")  # q2(10,000 / 2850) = 3.51
    assert balances(r)


def test_usd_invoice_paid_at_a_different_rate_has_no_exchange_difference():
    # the receivable is in dollars; the customer pays more francs at 2900
    r = pay_worked(cdf="159100", rate=D("2900"))
    assert r.invoice_cdf == D("159100")  # 54.86 × 2900 = 159,094
    assert r.taux_difference == D("50")
    assert r.fully_settled and r.exchange_diff_usd == 0
    assert r.round_off_usd == D("0.00")  # q2(159,100/2900 = 54.862) = 54.86
    assert balances(r)


def test_receipt_errors():
    with pytest.raises(ReceiptError, match="nothing left to pay"):
        receipt(USD, D("0"), D("0"), RATE, RATE, D("1"), D("0"))
    with pytest.raises(MoneyError, match="must not be negative"):
        pay_worked("-1")
    with pytest.raises(MoneyError, match="greater than zero"):
        pay_worked("1", rate=D("0"))
    with pytest.raises(ReceiptError, match="increment"):
        pay_worked("1", cdf_increment=D("0"))


@pytest.mark.parametrize(
    "args",
    [
        (USD, 54.86, D("54.86"), RATE, RATE, D("50"), D("0")),
        (USD, D("54.86"), 54.86, RATE, RATE, D("50"), D("0")),
        (USD, D("54.86"), D("54.86"), 2850.0, RATE, D("50"), D("0")),
        (USD, D("54.86"), D("54.86"), RATE, 2850.0, D("50"), D("0")),
        (USD, D("54.86"), D("54.86"), RATE, RATE, 50.0, D("0")),
        (USD, D("54.86"), D("54.86"), RATE, RATE, D("50"), 20000.0),
        (USD, D("54.86"), D("54.86"), RATE, RATE, D("50"), D("0"), 100.0),
    ],
)
def test_receipt_refuses_floats(args):
    with pytest.raises(MoneyError):
        receipt(*args)


# refunds -----------------------------------------------------------------


def refund_balances(f) -> bool:
    lhs = f.cash_usd_in + q2(f.cash_cdf_in / f.rate)
    return lhs == -f.settled_usd + f.exchange_diff_usd + f.round_off_usd


def test_refund_in_usd():
    f = refund(D("54.86"), USD, RATE, D("54.86"))
    assert f.refund_due == D("54.86") and f.refund_usd == D("54.86") and f.refund_cdf == D("156400")
    assert f.received_usd == 0 and f.received_cdf == 0
    assert f.fully_settled and f.balance_usd == 0 and f.balance_cdf == 0
    assert f.cash_usd_in == D("-54.86") and f.cash_cdf_in == 0
    assert f.settled_usd == D("54.86") and f.round_off_usd == 0 and f.exchange_diff_usd == 0
    assert refund_balances(f)


def test_refund_mixed_rounded_up_costs_round_off():
    f = refund(D("54.86"), USD, RATE, D("50"), D("13900"))
    assert f.returned_total_cdf == D("156400")
    assert f.fully_settled
    assert f.cash_usd_in == D("-50") and f.cash_cdf_in == D("-13900")
    assert f.round_off_usd == D("-0.02")
    assert refund_balances(f)


def test_refund_more_than_due_is_refused():
    with pytest.raises(RefundExceedsDueError, match=r"\(54.87 USD\) exceeds the refund due \(54.86 USD\)"):
        refund(D("54.86"), USD, RATE, D("54.87"))
    with pytest.raises(RefundExceedsDueError, match=r"\(156,500.00 CDF\) exceeds the refund due \(156,400.00 CDF\)"):
        refund(D("54.86"), USD, RATE, D("50"), D("14000"))


def test_partial_refund_leaves_credit():
    f = refund(D("54.86"), USD, RATE, D("20"))
    assert not f.fully_settled
    assert f.settled_amount == D("20.00") and f.settled_usd == D("20.00")
    assert f.balance_usd == D("34.86")
    assert f.balance_cdf == D("99400")  # 156,351 − 57,000 = 99,351 → 99,400
    assert refund_balances(f)


def test_cdf_refund_at_a_higher_rate_is_a_gain():
    # credit 19,500 CDF booked 6.84 USD; refunded at 3000 (worth 6.50 USD now)
    f = refund(D("19500"), CDF, D("3000"), D("0"), D("19500"), return_usd=D("6.84"))
    assert f.fully_settled and f.settled_usd == D("6.84")
    assert f.exchange_diff_usd == D("0.34")
    assert f.round_off_usd == D("0.00")
    assert refund_balances(f)


def test_refund_errors_and_floats():
    with pytest.raises(ReceiptError, match="nothing left to refund"):
        refund(D("0"), USD, RATE, D("1"))
    for args in [(54.86, USD, RATE), (D("54.86"), USD, 2850.0), (D("54.86"), USD, RATE, 1.0), (D("54.86"), USD, RATE, D(0), 1.0)]:
        with pytest.raises(MoneyError):
            refund(*args)


# properties --------------------------------------------------------------

rates = st.decimals(min_value=1, max_value=10000, places=2, allow_nan=False, allow_infinity=False)
increments = st.sampled_from([D("50"), D("100"), D("500"), D("1000")])


@settings(max_examples=200, deadline=None)
@given(
    ccy=st.sampled_from([USD, CDF]),
    open_amount=st.decimals(min_value="0.01", max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    booked_factor=st.decimals(min_value="0.5", max_value="1.5", places=3, allow_nan=False, allow_infinity=False),
    rate=rates,
    invoice_rate=rates,
    received_usd=st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
    received_cdf=st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
    inc=increments,
)
def test_receipt_journal_balances_in_usd(ccy, open_amount, booked_factor, rate, invoice_rate, received_usd, received_cdf, inc):
    open_usd = q2(open_amount * booked_factor) if ccy is USD else q2(open_amount / invoice_rate * booked_factor)
    r = receipt(ccy, open_amount, open_usd, rate, invoice_rate, received_usd, received_cdf, inc)
    assert balances(r)
    assert r.returned_cdf >= 0 and r.returned_cdf % inc == 0
    assert r.returned_cdf <= max(r.received_total_cdf - r.invoice_cdf, D(0))
    assert r.returned_usd == 0
    assert r.balance_cdf >= 0 and r.balance_usd >= 0
    assert r.fully_settled == (r.balance_cdf == 0)
    assert 0 <= r.settled_amount <= open_amount
    if r.fully_settled:
        assert r.settled_amount == open_amount and r.settled_usd == open_usd
        # what the shop keeps or gives up is less than 1.5 increments (+ a cent of valuation)
        assert abs(r.round_off_usd) <= q2(inc * D("1.5") / rate) + D("0.02")
    else:
        assert r.returned_cdf == 0
        assert r.balance_cdf >= inc
        assert abs(r.round_off_usd) <= D("0.01")
        if ccy is USD:
            assert r.settled_amount + r.balance_usd == open_amount


@settings(max_examples=200, deadline=None)
@given(
    ccy=st.sampled_from([USD, CDF]),
    amount=st.decimals(min_value="0.01", max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    rate=rates,
    share=st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False),
    usd_part=st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False),
    inc=increments,
)
def test_refund_journal_balances_in_usd(ccy, amount, rate, share, usd_part, inc):
    # hand out `share` of the refund due, `usd_part` of it in dollars, the rest in francs (floored)
    due_usd = amount if ccy is USD else q2(amount / rate)
    returned_usd = q2(due_usd * share * usd_part).quantize(D("0.01"), rounding="ROUND_DOWN")
    due_cdf = amount if ccy is CDF else q2(amount * rate)
    rest_cdf = due_cdf * share - q2(returned_usd * rate)
    returned_cdf = max(D(0), (rest_cdf / inc).to_integral_value(rounding="ROUND_FLOOR") * inc)
    assume(returned_usd > 0 or returned_cdf > 0 or share == 0)
    f = refund(amount, ccy, rate, returned_usd, returned_cdf, cdf_increment=inc)
    assert refund_balances(f)
    assert f.cash_usd_in <= 0 and f.cash_cdf_in <= 0
    assert f.balance_cdf >= 0 and f.balance_usd >= 0
    assert f.fully_settled == (f.balance_cdf == 0)


def test_refund_limit_is_the_exact_due_when_rounding_goes_down():
    # 1.00 USD at 309.29 = 309.29 CDF due, shown rounded to 50 as 300: handing out
    # 0.17 USD + 250 CDF (302.58 CDF) does not exceed what is owed.
    f = refund(D("1.00"), USD, D("309.29"), D("0.17"), D("250"), cdf_increment=D("50"))
    assert f.refund_cdf == D("300") and f.returned_total_cdf == D("302.58")
    assert f.fully_settled  # 6.71 CDF left: below half an increment
    assert refund_balances(f)
    with pytest.raises(RefundExceedsDueError, match=r"exceeds the refund due \(309.29 CDF\)"):
        refund(D("1.00"), USD, D("309.29"), D("0.17"), D("300"), cdf_increment=D("50"))
