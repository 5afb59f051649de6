"""A whole counter day, end to end, with every figure worked by hand (DESIGN §4, §5, §7),
and a property: whatever the till does, every voucher balances and the CDF cash
account holds exactly the francs that moved.

The day (AXP, 2026-11-23, system rate 2850, CDF increment 100):

====  =====================================================================  ===================
 #    what                                                                     till
====  =====================================================================  ===================
 1    Shop Open (cashier)
 2    float from head office: 100 USD, 300,000 CDF (shop receipts, 1900)       +100 USD +300,000
 3    SI1 cash, USD, the §4 invoice: net 54.86 USD
 4    RC1 50 USD + 20,000 CDF → change 6,100 CDF                               +50 USD +13,900
 5    SI2 cash, CDF: 10 BAND01 at 1.25 × 2850 = 3,562.50 → 35,625 → 35,600
 6    RC2 20 USD (= 57,000 CDF) → change 21,400 CDF                            +20 USD −21,400
 7    SI3 cash, USD: 2 AMOX250 at 7.99 + 16 % VAT = 18.54
 8    RC3 10 USD + 10,000 CDF: a partial payment, 13.51 settled, 5.03 open      +10 USD +10,000
 9    SI4 credit, C0001: 100 PARA500 at 2.20, slab 3 % → 247.54 (no receipt)
10    shop payment 20,000 CDF (6400, SHOP)                                                −20,000
11    exchange: 50 USD in at 2800 → 140,000 CDF out; 0.88 USD gain             +50 USD −140,000
12    Shop Close (manager): counted 228 USD, 142,000 CDF: short 2 USD, 500 CDF
====  =====================================================================  ===================
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shopterm.core.money import q2
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import InsufficientCash
from shopterm.store.models import Account, Customer, JournalLine, LedgerEntry

from .conftest import DAY, actor
from .test_cash import document, entry_of, float_in, post_test_invoice, voucher_lines


def account_totals(services) -> dict[str, D]:
    with services.db.read() as s:
        return dict(s.execute(
            select(Account.code, func.sum(JournalLine.amount_usd)).join(Account, JournalLine.account_id == Account.id)
            .group_by(Account.code).having(func.sum(JournalLine.amount_usd) != 0).order_by(Account.code)
        ).all())


def customer_balances(services) -> dict[str, D]:
    with services.db.read() as s:
        return dict(s.execute(
            select(Customer.code, func.sum(LedgerEntry.amount_usd)).join(Customer, LedgerEntry.customer_id == Customer.id)
            .group_by(Customer.code).order_by(Customer.code)
        ).all())


def cash_cdf_amount(services) -> D:
    with services.db.read() as s:
        return s.execute(select(func.sum(JournalLine.amount)).join(Account, JournalLine.account_id == Account.id)
                         .where(Account.code == "1110")).scalar() or D("0")


def unbalanced_vouchers(services) -> list:
    with services.db.read() as s:
        return s.execute(select(JournalLine.voucher_id, func.sum(JournalLine.amount_usd))
                         .group_by(JournalLine.voucher_id).having(func.sum(JournalLine.amount_usd) != 0)).all()


def test_a_whole_counter_day(services, cashier, manager):
    sales, cash, day = services.sales, services.cash, services.day
    assert day.open_day(cashier).number == "261101OP000001"
    float_in(services, cashier, "USD", "100")
    float_in(services, cashier, "CDF", "300000")

    # 3–4: the §4 invoice, paid 50 USD + 20,000 CDF
    si1 = sales.post_invoice(cashier, DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP01",
        flat_discount_type="percent", flat_discount_value="5",
        lines=[DraftLine("PARA500", qty="10", price="2.50", discount_pct="10"),
               DraftLine("AMOX250", qty="3", price="7.99", flat_discount="1.00"),
               DraftLine("BAND01", qty="4", price="1.25")])).number
    assert entry_of(services, si1).amount == D("54.86")
    rc1 = cash.post_receipt(cashier, invoice=si1, received_usd="50", received_cdf="20000")
    assert document(services, rc1.number).extra["returned_cdf"] == "6100.00"

    # 5–6: a CDF cash invoice paid with a 20-dollar note, change in francs
    si2 = sales.post_invoice(cashier, DocumentDraft(
        customer="CASH", sales_type="cash", currency="CDF", rate="2850", sales_person="SP01",
        lines=[DraftLine("BAND01", qty="10")])).number
    e2 = entry_of(services, si2)
    assert (e2.currency, e2.amount, e2.amount_usd) == ("CDF", D("35600.00"), D("12.49"))  # 35,600 / 2850 = 12.491
    rc2 = cash.post_receipt(cashier, invoice=si2, received_usd="20")
    # 57,000 − 35,600 = 21,400 change; −21,400 / 2850 = −7.509 → −7.51; 20 − 7.51 = 12.49: nothing to round off
    assert voucher_lines(services, rc2.number) == [
        ("1100", "USD", D("20.00"), D("20.00")),
        ("1110", "CDF", D("-21400.00"), D("-7.51")),
        ("1200", "CDF", D("-35600.00"), D("-12.49")),
    ]

    # 7–8: a partial payment
    si3 = sales.post_invoice(cashier, DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP02",
        lines=[DraftLine("AMOX250", qty="2")])).number
    assert entry_of(services, si3).amount == D("18.54")  # 15.98 + 2.56 VAT
    rc3 = cash.post_receipt(cashier, invoice=si3, received_usd="10", received_cdf="10000")
    # 10 + 10,000 / 2850 (3.51) = 13.51 settled; 5.03 open (14,335.50 CDF → 14,300 shown)
    assert document(services, rc3.number).extra["balance_usd"] == "5.03"
    assert entry_of(services, si3).open_amount == D("5.03")

    # 9: a credit invoice, no receipt
    si4 = sales.post_invoice(cashier, DocumentDraft(
        customer="C0001", sales_type="credit", currency="USD", rate="2850",
        lines=[DraftLine("PARA500", batch="B001", qty="100")])).number
    assert entry_of(services, si4).amount == D("247.54")  # 220 − 3 % (6.60) + 16 % of 213.40 (34.14)

    # 10–11: a till payment and an exchange
    cash.post_shop_entry(cashier, kind="payment", particulars="6400", cost_centre="SHOP", currency="CDF",
                         amount="20000", narration="Cleaning")
    ce = cash.post_exchange(cashier, currency="USD", amount_received="50", exchange_rate="2800")
    assert document(services, ce.number).extra["gain_usd"] == "0.88"  # 50.00 − 140,000 / 2850 (49.12)

    # 12: the close
    s = day.close_figures()
    usd, cdf = s.usd, s.cdf
    assert (usd.opening, usd.cash_sales, usd.cash_returns, usd.receipts, usd.payments, usd.sub_total,
            usd.exchanged_in, usd.exchanged_out, usd.closing) == (
        D("0"), D("80.00"), D("0"), D("100.00"), D("0"), D("180.00"), D("50.00"), D("0"), D("230.00"))
    # CDF cash sales: 13,900 − 21,400 + 10,000 = 2,500
    assert (cdf.opening, cdf.cash_sales, cdf.receipts, cdf.payments, cdf.sub_total, cdf.exchanged_in,
            cdf.exchanged_out, cdf.closing) == (
        D("0"), D("2500.00"), D("300000.00"), D("20000.00"), D("282500.00"), D("0"), D("140000.00"),
        D("142500.00"))
    assert s.exchange_gain_usd == D("0.88")
    assert [(u.number, u.open_amount) for u in s.unpaid_cash_invoices] == [(si3, D("5.03"))]
    assert [(i.item_code, i.batch_code, i.kind, i.qty) for i in s.inventory] == [
        ("AMOX250", "A001", "sale", D("-5")), ("BAND01", "D001", "sale", D("-14")),
        ("PARA500", "B001", "sale", D("-100")), ("PARA500", "B002", "sale", D("-10"))]
    assert {d.doc_type: d.count for d in s.documents} == {"OP": 1, "SI": 4, "RC": 3, "RP": 3, "CE": 1}

    cl = day.close_day(manager, physical_usd="228", physical_cdf="142000")
    assert voucher_lines(services, cl.number) == [
        ("1100", "USD", D("-2.00"), D("-2.00")),
        ("1110", "CDF", D("-500.00"), D("-0.18")),  # 500 / 2850 = 0.175
        ("6900", "CDF", D("500.00"), D("0.18")),
        ("6900", "USD", D("2.00"), D("2.00")),
    ]
    closed = day.summary(date=DAY)
    assert (closed.status, closed.usd.difference, closed.cdf.difference, closed.needs_approval) == (
        "closed", D("2.00"), D("500.00"), False)

    assert account_totals(services) == {
        "1100": D("228.00"),        # 100 + 50 + 20 + 10 + 50 − 2
        "1110": D("49.82"),         # 105.26 + 4.88 − 7.51 + 3.51 − 7.02 − 49.12 − 0.18
        "1200": D("252.57"),        # 5.03 (SI3) + 247.54 (SI4)
        "1300": D("-211.30"),       # cost: 34.10 + 7.00 + 10.20 + 160.00
        "1900": D("-205.26"),       # 100 + 105.26
        "2100": D("-43.61"),        # 6.91 + 2.56 + 34.14
        "4000": D("-289.83"),       # 47.95 + 12.50 + 15.98 + 213.40
        "4100": D("-0.01"),         # SI2 −25 CDF (+0.01 loss), RC1 0.02 gain
        "4200": D("-0.88"),
        "5000": D("211.30"),
        "6400": D("7.02"),          # 20,000 / 2850 = 7.018
        "6900": D("2.18"),
    }
    assert sum(account_totals(services).values()) == 0
    assert cash_cdf_amount(services) == D("142000.00")
    assert cash.cash_balance("AXP", "USD") == D("228.00")
    assert customer_balances(services) == {"C0001": D("247.54"), "CASH": D("5.03")}
    assert unbalanced_vouchers(services) == []

    # the next day opens with the counted cash
    services._today = DAY + dt.timedelta(days=1)  # the clock reaches the next day
    nxt = day.open_day(cashier, date=DAY + dt.timedelta(days=1))
    assert document(services, nxt.number).extra == {"opening_usd": "228.00", "opening_cdf": "142000.00"}
    s2 = day.close_figures(date=DAY + dt.timedelta(days=1))
    assert (s2.usd.opening, s2.cdf.opening, s2.cdf.closing) == (D("228.00"), D("142000.00"), D("142000.00"))


# ---------------------------------------------------------------- property


_op = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 4), st.integers(0, 60), st.integers(0, 400).map(lambda n: n * 500),
              st.sampled_from(["2850", "2900", "2790.5"])),
    st.tuples(st.just("shop"), st.sampled_from(["receipt", "payment"]), st.sampled_from(["USD", "CDF"]),
              st.integers(1, 300_000).map(lambda n: D(n) / 100)),
    st.tuples(st.just("exchange"), st.sampled_from(["USD", "CDF"]), st.integers(1, 200_000).map(lambda n: D(n) / 100),
              st.sampled_from(["2700", "2850", "3000"])),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invoices=st.lists(st.tuples(st.sampled_from(["USD", "CDF"]), st.integers(100, 50_000)), min_size=1,
                         max_size=5),
       ops=st.lists(_op, min_size=1, max_size=10))
def test_any_sequence_keeps_vouchers_balanced_and_the_cdf_till_exact(fresh_services, invoices, ops):
    with fresh_services() as services:
        cashier = actor(services, "cashier")
        services.day.open_day(cashier)
        numbers = []
        for ccy, cents in invoices:
            amount = D(cents) / 100 if ccy == "USD" else D(cents) * 100
            usd = amount if ccy == "USD" else q2(amount / D("2850"))
            numbers.append(post_test_invoice(services, cashier, currency=ccy, amount=str(amount), amount_usd=str(usd)))
        expected = {"USD": D("0"), "CDF": D("0")}
        for op in ops:
            try:
                if op[0] == "receipt":
                    _, i, usd_in, cdf_in, rate = op
                    if usd_in == 0 and cdf_in == 0:
                        continue
                    number = numbers[i % len(numbers)]
                    if not entry_of(services, number).is_open:
                        continue
                    r = services.cash.post_receipt(cashier, invoice=number, rate=rate, received_usd=str(usd_in),
                                                   received_cdf=str(cdf_in))
                    extra = document(services, r.number).extra
                    expected["USD"] += D(extra["received_usd"]) - D(extra["returned_usd"])
                    expected["CDF"] += D(extra["received_cdf"]) - D(extra["returned_cdf"])
                elif op[0] == "shop":
                    _, kind, ccy, amount = op
                    services.cash.post_shop_entry(cashier, kind=kind, particulars="1900", cost_centre="SHOP",
                                                  currency=ccy, amount=str(amount), narration="p")
                    expected[ccy] += amount if kind == "receipt" else -amount
                else:
                    _, ccy, received, rate = op
                    r = services.cash.post_exchange(cashier, currency=ccy, amount_received=str(received),
                                                    exchange_rate=rate)
                    given_ = D(document(services, r.number).extra["amount_given"])
                    other = "CDF" if ccy == "USD" else "USD"
                    expected[ccy] += received
                    expected[other] -= given_
            except InsufficientCash:
                pass
            except Exception as exc:  # noqa: BLE001 - only rule errors with a message are acceptable
                from shopterm.services.errors import ValidationError

                assert isinstance(exc, ValidationError), exc
        assert unbalanced_vouchers(services) == []
        assert cash_cdf_amount(services) == expected["CDF"]
        assert services.cash.cash_balance("AXP", "CDF") == expected["CDF"]
        assert services.cash.cash_balance("AXP", "USD") == expected["USD"]
        assert expected["USD"] >= 0  # payments and exchanges never take the till below zero
        summary = services.day.close_figures()
        assert (summary.usd.closing, summary.cdf.closing) == (expected["USD"], expected["CDF"])
