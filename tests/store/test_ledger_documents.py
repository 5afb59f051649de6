"""The customer ledger with real documents: sales invoices, a sales receipt, payments on account.

Figures (C0002, wholesale, 15 credit days, rate 2850):
- SI1: 10 × PARA500 at 2.50 USD = 25.00 + VAT 16 % 4.00 = 29.00 USD, due 2026-12-08.
- SI2: 10 × BAND01 at 3,000 CDF = 30,000 CDF (no VAT) = 10.53 USD at 2850.
- RC: 10.00 USD on SI1 → SI1 open 19.00.
- CR: 57,000 CDF at 2850 = 20.00 USD → SI1 19.00 USD (oldest first; same due date and date: SI1 first)
  = 54,150 CDF of it at the payment's rate; the other 2,850 CDF settle SI2 in its own currency
  (DESIGN §8), booked share q2(10.53 × 2,850 / 30,000) = 1.00 USD → SI2 open exactly 27,150.00 CDF /
  9.53 USD (not the 27,151 a USD-derived match left).
- CR: 20.00 USD by mobile money → SI2 9.53, 10.47 left as a credit.
- SI3: 29.00 USD again; the credit is used on it → SI3 open 18.53. Balance 18.53.
"""

from __future__ import annotations

from decimal import Decimal as D

from shopterm.services.headless import post_one
from shopterm.services.ledger.entries import apply_credit

from .ledger_support import DAY, customer_id

USD_INVOICE = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "C0002",
               "sales_type": "credit", "currency": "USD", "rate": "2850",
               "lines": [{"item": "PARA500", "batch": "B001", "qty": "10", "price": "2.50"}]}
CDF_INVOICE = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "C0002",
               "sales_type": "credit", "currency": "CDF", "rate": "2850",
               "lines": [{"item": "BAND01", "batch": "D001", "qty": "10", "price": "3000"}]}


def payment(amount: str, currency: str, method: str = "cash") -> dict:
    return {"type": "customer_payment", "location": "AXP", "date": "2026-11-23", "customer": "C0002",
            "currency": currency, "rate": "2850", "amount": amount, "method": method}


def test_invoices_receipt_and_payments_on_account(open_shop, cashier, manager):
    services = open_shop
    si1 = post_one(services, cashier, USD_INVOICE)
    si2 = post_one(services, cashier, CDF_INVOICE)
    assert (si1["totals"]["receivable_usd"], si2["totals"]["receivable_usd"]) == ("29.00", "10.53")
    post_one(services, cashier, {"type": "sales_receipt", "invoice": si1["number"], "rate": "2850",
                                 "received_usd": "10"})
    p1 = post_one(services, cashier, payment("57000", "CDF"))
    assert p1["settled"] == [{"number": si1["number"], "amount_usd": "19.00"},
                             {"number": si2["number"], "amount_usd": "1.00"}]
    rows = {r.number: r for r in services.ledger.entries(manager, "C0002").rows}
    assert (rows[si1["number"]].open_usd, rows[si1["number"]].due_date.isoformat()) == (D("0.00"), "2026-12-08")
    assert (rows[si2["number"]].open_usd, rows[si2["number"]].open_amount) == (D("9.53"), D("27150.00"))
    assert rows[p1["number"]].type_label == "Payment on account" and rows[p1["number"]].currency == "CDF"
    assert services.ledger.balance(manager, "C0002") == D("9.53")

    p2 = post_one(services, cashier, payment("20", "USD", "mobile"))
    assert p2["totals"]["unapplied_usd"] == "10.47"
    si3 = post_one(services, cashier, USD_INVOICE)
    page = services.ledger.entries(manager, "C0002", search=si3["number"])
    [row] = page.rows
    # posting the invoice used the 10.47 credit on it (DESIGN §8): nothing left to apply
    assert row.open_usd == D("18.53")
    with services.db.write() as s:
        assert apply_credit(s, customer_id(services, "C0002"), row.entry_id, actor=cashier) is None
    [item] = services.ledger.open_items(manager, DAY).rows
    assert (item.number, item.open_usd) == (si3["number"], D("18.53"))
    assert services.ledger.balance(manager, "C0002") == D("18.53")
    st = services.ledger.statement(manager, DAY, DAY, customer="C0002").sections[0]
    assert st.opening_balance + sum(r.amount_usd for r in st.rows) == st.closing_balance == D("18.53")
    [gl_total] = [services.ledger.general_ledger(manager, "AXP", DAY, DAY).total_credit]
    assert gl_total == D("50.00")  # the receipt 10 + payments 20 + 20
