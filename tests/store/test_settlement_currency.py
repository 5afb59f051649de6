"""Settlement in the invoice's currency (issue 10 item 3, DESIGN §7, §8).

A customer paying francs on a franc invoice owes exactly the francs left; the
USD difference between what the invoice booked and what the settlement booked
goes to 4200 exchange gain/loss in the settling voucher.

The invoice of every test: C0001 (credit), 100 × BAND01 (no VAT) at 2,500 CDF =
250,000.00 CDF at rate 2,850 → booked q2(250,000 / 2,850) = q2(87.7193) = 87.72 USD.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.services.headless import post_one
from shopterm.store.models import Account, JournalLine, JournalVoucher, LedgerEntry

from .ledger_support import DAY

CDF_INVOICE = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "C0001",
               "sales_type": "credit", "currency": "CDF", "rate": "2850",
               "lines": [{"item": "BAND01", "batch": "D001", "qty": "100", "price": "2500"}]}


def payment(amount: str, currency: str, rate: str) -> dict:
    return {"type": "customer_payment", "location": "AXP", "date": "2026-11-23", "customer": "C0001",
            "currency": currency, "rate": rate, "amount": amount, "method": "cash"}


def voucher_lines(services, number: str) -> list[tuple[str, str, D, D]]:
    """(account, currency, amount, amount_usd) of every journal line of the vouchers numbered ``number``."""
    with services.db.read() as s:
        rows = s.exec(select(Account.code, JournalLine.currency, JournalLine.amount, JournalLine.amount_usd,
                             JournalVoucher.id)
                      .join(Account, Account.id == JournalLine.account_id)
                      .join(JournalVoucher, JournalVoucher.id == JournalLine.voucher_id)
                      .where(JournalVoucher.number == number).order_by(JournalLine.id)).all()
    return [(a, c, amt, usd) for a, c, amt, usd, _ in rows]


def vouchers(services, number: str) -> int:
    with services.db.read() as s:
        return len(s.exec(select(JournalVoucher.id).where(JournalVoucher.number == number)).all())


def entry_of(services, number: str) -> LedgerEntry:
    with services.db.read() as s:
        return s.exec(select(LedgerEntry).where(LedgerEntry.number == number).order_by(LedgerEntry.id)).first()


def test_a_franc_payment_on_account_leaves_exactly_the_francs_open(open_shop, cashier, manager):
    """250,000 CDF invoice at 2,850 (87.72 USD); the customer pays 90,000 CDF on account at 2,900.

    - settled in the invoice's currency: 90,000.00 CDF → open 250,000 − 90,000 = **160,000.00 CDF**
    - the invoice's booked USD of it: q2(87.72 × 90,000 / 250,000) = q2(31.5792) = 31.58 USD;
      open USD 87.72 − 31.58 = 56.14
    - the cash: q2(90,000 / 2,900) = q2(31.0345) = 31.03 USD
    - 4200: 31.58 − 31.03 = 0.55 USD exchange loss (Dr), in the payment's own voucher:
      Dr 1110 31.03 (90,000 CDF); Cr 1200 31.03 (90,000 CDF, the payment's entry);
      Cr 1200 0.55 (0 CDF, the exchange difference's entry); Dr 4200 0.55 — balances. The match
      nets to zero: invoice +31.58, payment −31.03, difference −0.55.
    On today's main the match was in USD and left 250,000 × (87.72 − 31.03) / 87.72 = 161,565.30 CDF.
    """
    services = open_shop
    si = post_one(services, cashier, CDF_INVOICE)
    assert si["totals"]["receivable_usd"] == "87.72"
    p = post_one(services, cashier, payment("90000", "CDF", "2900"))
    assert p["totals"] == {"amount": "90000.00", "currency": "CDF", "amount_usd": "31.03", "settled_usd": "31.58",
                           "unapplied_usd": "0.00", "exchange_usd": "-0.55"}
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("160000.00"), D("56.14"))
    assert vouchers(services, p["number"]) == 1
    assert sorted(voucher_lines(services, p["number"])) == sorted([
        ("1110", "CDF", D("90000.00"), D("31.03")),
        ("1200", "CDF", D("-90000.00"), D("-31.03")),
        ("1200", "CDF", D("0.00"), D("-0.55")),
        ("4200", "USD", D("0.55"), D("0.55")),
    ])
    # open items, balances and the statement agree to the franc with the CDF postings
    [item] = services.ledger.open_items(manager, DAY, customer="C0001").rows
    assert (item.number, item.open_amount, item.open_usd) == (si["number"], D("160000.00"), D("56.14"))
    bal = services.ledger.balances(manager, DAY, customer="C0001").rows[0]
    assert (bal.balance_usd, bal.by_currency) == (D("56.14"), {"CDF": D("160000.00")})
    ageing = services.ledger.ageing(manager, DAY, customer="C0001")
    assert ageing.total.total == D("56.14")


def test_a_dollar_payment_on_a_franc_invoice_converts_at_the_payment_rate(open_shop, cashier, manager):
    """20 USD on account at 2,900 against the 250,000 CDF invoice (87.72 USD at 2,850).

    - 20 USD at the payment's rate = 58,000.00 CDF settled → open 192,000.00 CDF
    - booked USD of 58,000 CDF: q2(87.72 × 58,000 / 250,000) = q2(20.35104) = 20.35; open 87.72 − 20.35 = 67.37
    - 4200: 20.00 received − 20.35 = 0.35 USD loss.
    """
    services = open_shop
    si = post_one(services, cashier, CDF_INVOICE)
    p = post_one(services, cashier, payment("20", "USD", "2900"))
    assert (p["totals"]["settled_usd"], p["totals"]["exchange_usd"]) == ("20.35", "-0.35")
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("192000.00"), D("67.37"))
    assert sorted(voucher_lines(services, p["number"])) == sorted([
        ("1100", "USD", D("20.00"), D("20.00")),
        ("1200", "USD", D("-20.00"), D("-20.00")),
        ("1200", "CDF", D("0.00"), D("-0.35")),
        ("4200", "USD", D("0.35"), D("0.35")),
    ])


def test_franc_credit_is_used_on_the_next_franc_invoice_in_francs(open_shop, cashier, manager):
    """90,000 CDF paid on account at 2,900 with nothing open: a credit of 90,000 CDF / q2(31.0345) = 31.03 USD.
    The 250,000 CDF invoice (87.72 USD) then uses it (DESIGN §8, "credit used on the next invoice"):

    - 90,000 CDF of the invoice settled → open **160,000.00 CDF**, booked share 31.58 → open 56.14 USD
    - exchange difference 31.58 − 31.03 = 0.55 USD loss: Dr 4200 0.55 / Cr 1200 0.55 (0 CDF), in the
      invoice's own voucher (the invoice is what settles the credit here).
    """
    services = open_shop
    p = post_one(services, cashier, payment("90000", "CDF", "2900"))
    assert (p["totals"]["unapplied_usd"], p["match_id"]) == ("31.03", None)
    si = post_one(services, cashier, CDF_INVOICE)
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("160000.00"), D("56.14"))
    cr = entry_of(services, p["number"])
    assert (cr.open_amount, cr.open_usd, cr.is_open) == (D("0.00"), D("0.00"), False)
    assert vouchers(services, si["number"]) == 1
    assert ("4200", "USD", D("0.55"), D("0.55")) in voucher_lines(services, si["number"])
    assert ("1200", "CDF", D("0.00"), D("-0.55")) in voucher_lines(services, si["number"])
    [item] = services.ledger.open_items(manager, DAY, customer="C0001").rows
    assert (item.open_amount, item.open_usd) == (D("160000.00"), D("56.14"))
    assert services.ledger.balance(manager, "C0001") == D("56.14")  # 87.72 − 31.03 − 0.55


def test_manual_match_books_the_difference_and_unmatch_reverses_it(open_shop, cashier, manager):
    """A 90,000 CDF receipt posted unmatched (booked 31.03 USD) matched by hand with the 250,000 CDF invoice:

    - the invoice settles 90,000.00 CDF → open 160,000.00 CDF / 56.14 USD; 4200 Dr 0.55 (31.58 − 31.03)
      in a voucher of the receipt (the settlement), with a 1200 line of 0 CDF / −0.55 USD in the match;
    - unmatching reverses it (4200 Cr 0.55, dated the unmatch), the invoice is open for its 250,000 CDF /
      87.72 USD again, the receipt for −90,000 CDF / −31.03 USD, and the customer's balance is
      87.72 − 31.03 = 56.69 USD.
    """
    from .ledger_support import receipt

    services = open_shop
    si = post_one(services, cashier, CDF_INVOICE)
    rc = receipt(services, manager, "C0001", "31.03", DAY, currency="CDF", amount="90000")
    inv_id, rc_id = entry_of(services, si["number"]).id, rc.ledger_entry_ids[0]
    m = services.ledger.match(manager, "C0001", [inv_id, rc_id], DAY)
    assert m.exchange_usd == D("0.55") and m.total_usd == D("31.58")
    assert [(l.amount, l.amount_usd) for l in m.lines] == [
        (D("90000.00"), D("31.58")), (D("-90000.00"), D("-31.03")), (D("0.00"), D("-0.55"))]
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("160000.00"), D("56.14"))
    assert ("4200", "USD", D("0.55"), D("0.55")) in voucher_lines(services, rc.number)
    services.ledger.unmatch(manager, m.match_id, DAY)
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("250000.00"), D("87.72"))
    with services.db.read() as s:
        r = s.get(LedgerEntry, rc_id)
        assert (r.open_amount, r.open_usd) == (D("-90000.00"), D("-31.03"))
        fx = s.exec(select(JournalLine.amount_usd).join(Account, Account.id == JournalLine.account_id)
                    .where(Account.code == "4200")).all()
    assert sorted(fx) == [D("-0.55"), D("0.55")]
    assert services.ledger.balance(manager, "C0001") == D("56.69")
    assert sum(r.open_usd for r in services.ledger.open_items(manager, DAY, customer="C0001").rows) == D("56.69")


def test_a_return_settles_the_franc_invoice_in_francs(open_shop, cashier, manager):
    """The 250,000 CDF invoice, 90,000 CDF paid on account at 2,900 (open 160,000.00 CDF / 56.14 USD),
    then 40 rolls returned at the invoice's 2,500 CDF = 100,000.00 CDF credit at the invoice rate 2,850,
    booked q2(100,000 / 2,850) = q2(35.0877) = 35.09 USD:

    - the return settles 100,000 CDF of the invoice → open exactly **60,000.00 CDF**;
      booked share q2(56.14 × 100,000 / 160,000) = q2(35.0875) = 35.09 → open 21.05 USD; no difference.
    """
    services = open_shop
    si = post_one(services, cashier, CDF_INVOICE)
    post_one(services, cashier, payment("90000", "CDF", "2900"))
    sr = post_one(services, cashier, {"type": "sales_return", "based_on": "invoice", "invoice": si["number"],
                                      "narration": "Damaged rolls",
                                      "lines": [{"item": "BAND01", "qty": "40"}]})
    ret = entry_of(services, sr["number"])
    assert (ret.amount, ret.amount_usd, ret.open_amount) == (D("-100000.00"), D("-35.09"), D("0.00"))
    inv = entry_of(services, si["number"])
    assert (inv.open_amount, inv.open_usd) == (D("60000.00"), D("21.05"))
    assert vouchers(services, sr["number"]) == 1  # no exchange difference to book
    [item] = services.ledger.open_items(manager, DAY, customer="C0001").rows
    assert (item.open_amount, item.open_usd) == (D("60000.00"), D("21.05"))
