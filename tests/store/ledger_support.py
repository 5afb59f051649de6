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
from shopterm.services.posting import PostingPlan, PostResult
from shopterm.store.models import Customer, Document, Location

DAY = dt.date(2026, 11, 23)


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
                       net_amount=abs(amt), net_usd=abs(usd), amount=abs(amt), amount_usd=abs(usd), status="draft")
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
