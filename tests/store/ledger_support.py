"""Helpers for the customer-ledger tests: post invoices and receipts through the posting framework.

Until every document service exists, the ledger tests build their ledgers by
posting plans directly: an invoice is Dr 1200 (customer) / Cr 4000, a payment
Dr 1100 / Cr 1200 (DESIGN §7).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlmodel import select

from shopterm.core.journal import CASH_USD, RECEIVABLE, SALES, SALES_RETURNS, credit, debit
from shopterm.core.money import Currency
from shopterm.services.documents.posting import PostingPlan, PostResult
from shopterm.store.models import Customer, Document, Location

DAY = dt.date(2026, 11, 23)
D1 = dt.date(2026, 9, 1)
D2 = dt.date(2026, 10, 1)
D3 = dt.date(2026, 10, 15)
D4 = dt.date(2026, 10, 20)
D5 = dt.date(2026, 11, 20)
D6 = dt.date(2026, 11, 22)
RATE = D("2850")  # CDF per USD on every document these helpers post (a settlement converts at its rate)


def customer_id(services, code: str) -> int:
    with services.db.read() as s:
        return s.exec(select(Customer.id).where(Customer.code == code)).one()


def _post(services, actor, doc_type: str, code: str, usd: D, date: dt.date, *, currency: str = "USD",
          amount: D | None = None, due: dt.date | None = None, reference: str = "", method: str = "",
          other_account: str = SALES) -> PostResult:
    """A document whose journal is ±usd on the customer's receivable against ``other_account``."""
    ccy = Currency(currency)
    amt = usd if amount is None else amount
    with services.db.write() as s:
        c = s.exec(select(Customer).where(Customer.code == code)).one()
        loc = s.exec(select(Location).where(Location.code == "AXP")).one()
        doc = Document(doc_type=doc_type, location_id=loc.id, doc_date=date, customer_id=c.id, currency=currency,
                       rate=RATE, net_amount=abs(amt), net_usd=abs(usd), amount=abs(amt), amount_usd=abs(usd), status="draft")
        journal = [debit(RECEIVABLE, usd, ccy, amt, customer_id=c.id, memo=doc_type),
                   credit(other_account, usd, ccy, amt)]
        return services.posting.post(s, actor, PostingPlan(doc=doc, journal=journal, due_date=due,
                                                             reference=reference, method=method))


def invoice(services, actor, code: str, usd: str, date: dt.date = DAY, *, due: dt.date | None = None,
            currency: str = "USD", amount: str | None = None) -> PostResult:
    return _post(services, actor, "SI", code, D(usd), date, currency=currency,
                 amount=None if amount is None else D(amount), due=due)


def receipt(services, actor, code: str, usd: str, date: dt.date = DAY, *, reference: str = "",
            currency: str = "USD", amount: str | None = None) -> PostResult:
    """A receipt (RC): Dr cash / Cr receivable; not matched (the caller matches)."""
    return _post(services, actor, "RC", code, -D(usd), date, currency=currency,
                 amount=None if amount is None else -D(amount), reference=reference, method="cash",
                 other_account=CASH_USD)


def credit_note(services, actor, code: str, usd: str, date: dt.date = DAY) -> PostResult:
    return _post(services, actor, "SR", code, -D(usd), date, other_account=SALES_RETURNS)


def entry(services, result: PostResult) -> int:
    return result.ledger_entry_ids[0]


def build_case(services, manager) -> dict:
    """C0001 (30 credit days): SI1 100 (09-01), SI2 200 (10-01), RC1 150 (10-15) matched on 10-20 with SI1
    fully and SI2 for 50; SI3 80 (11-20); RC2 30 (11-22) matched on 11-23 with SI2 for 30.
    C0002 (15 days): SI4 500 (08-01), SR1 credit note 40 (08-10), unmatched."""
    e = {}
    e["SI1"] = entry(services, invoice(services, manager, "C0001", "100.00", D1))
    e["SI2"] = entry(services, invoice(services, manager, "C0001", "200.00", D2))
    e["RC1"] = entry(services, receipt(services, manager, "C0001", "150.00", D3))
    e["M1"] = services.ledger.match(manager, "C0001", [(e["SI1"], None), (e["SI2"], None), (e["RC1"], None)], D4)
    e["SI3"] = entry(services, invoice(services, manager, "C0001", "80.00", D5))
    e["RC2"] = entry(services, receipt(services, manager, "C0001", "30.00", D6))
    e["M2"] = services.ledger.match(manager, "C0001", [(e["SI2"], D("30")), (e["RC2"], D("30"))], DAY)
    e["SI4"] = entry(services, invoice(services, manager, "C0002", "500.00", dt.date(2026, 8, 1)))
    e["SR1"] = entry(services, credit_note(services, manager, "C0002", "40.00", dt.date(2026, 8, 10)))
    return e
