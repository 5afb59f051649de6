"""Stock never leaves without its cost (issue 10 item 5, DESIGN §6): every stock move books its cost
(Dr 5000 COGS / Cr 1300 Inventory, the reverse for a return) in the same voucher, whatever the
sales value — the cost of a document is Σ qty × unit cost over its lines, rounded once.

GAUZE (sold by the metre, no VAT, cost 0.33 USD/m, price 0.50 USD/m) is received: 100 m in batch G001
(Dr 1300 33.00 / Cr 1900 33.00).
"""

from __future__ import annotations

from decimal import Decimal as D

import datetime as dt

from sqlalchemy import func, select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.sales.provisional import DeliveryDraft, DeliveryLine
from shopterm.store import models as m

from .conftest import DAY


def _gauze(s, manager) -> None:
    with s.db.write() as ss:
        item = m.Item(code="GAUZE", name="Gauze (per metre)", unit="M", pack_size=D("1"), tax_rate=D("0"),
                      cost_usd=D("0.33"))
        ss.add(item)
        ss.flush()
        loc = ss.execute(select(m.Location).where(m.Location.code == "AXP")).scalar_one()
        ss.add(m.Price(location_id=loc.id, item_id=item.id, currency="USD", retail_price=D("0.50"),
                       wholesale_price=D("0.50"), effective_from=dt.date(2026, 1, 1), update_no="TEST"))
    s.stock.receive(manager, location="AXP", date=DAY,
                    lines=[{"item": "GAUZE", "batch": "G001", "qty": "100", "cost_usd": "0.33",
                            "expiry": "2030-12-31"}])


def _account(s, number: str, code: str) -> D:
    with s.db.read() as ss:
        return ss.execute(select(func.coalesce(func.sum(m.JournalLine.amount_usd), 0))
                          .join(m.JournalVoucher, m.JournalVoucher.id == m.JournalLine.voucher_id)
                          .join(m.Account, m.Account.id == m.JournalLine.account_id)
                          .where(m.JournalVoucher.number == number, m.Account.code == code)).scalar_one()


def _on_hand(s) -> D:
    return s.stock.item_stock("GAUZE", "AXP").current


def test_many_tiny_lines_book_their_cost_together(open_shop, cashier, manager):
    """200 lines of 0.01 m at 0.50: each line sells q2(0.005) = 0.01 (2.00 in all) and costs
    0.01 × 0.33 = 0.0033 USD — 0.00 when each line is rounded, as today's main did, so 2 m left the
    shelf with no COGS. Together they cost 200 × 0.0033 = 0.66 USD: Dr 5000 0.66 / Cr 1300 0.66.
    A delivery of a provisional invoice for 200 × 0.01 m books the same 0.66; a return of the first
    invoice's 200 lines puts 0.66 back (Dr 1300 / Cr 5000). On hand: 100 − 2 − 2 + 2 = 98 m."""
    s = open_shop
    _gauze(s, manager)
    lines = [DraftLine("GAUZE", "G001", "0.01")] * 200
    si = s.sales.post_invoice(cashier, DocumentDraft(location="AXP", doc_type="SI", date=DAY, customer="C0001",
                                                     currency="USD", rate="2850", sales_person="SP01", lines=lines))
    assert s.sales.document(si.number).totals.net == D("2.00")
    assert (_account(s, si.number, "5000"), _account(s, si.number, "1300")) == (D("0.66"), D("-0.66"))
    assert _on_hand(s) == D("98")

    pi = s.provisional.post(cashier, DocumentDraft(location="AXP", doc_type="PI", date=DAY, customer="C0001",
                                                   currency="USD", rate="2850", sales_person="SP01",
                                                   lines=[DraftLine("GAUZE", None, "0.01")] * 200))
    dn = s.provisional.post_delivery(cashier, DeliveryDraft(
        location="AXP", date=DAY, customer="C0001", psi_no=pi.number,
        lines=[DeliveryLine("GAUZE", "0.01", "G001")] * 200))
    assert (_account(s, dn.number, "5000"), _account(s, dn.number, "1300")) == (D("0.66"), D("-0.66"))
    assert _on_hand(s) == D("96")

    from shopterm.services.sales.returns import ReturnDraft, ReturnLine

    sr = s.returns.post(cashier, ReturnDraft(location="AXP", date=DAY, based_on="invoice", invoice=si.number,
                                             narration="cut wrong",
                                             lines=[ReturnLine("GAUZE", "0.01", line=n) for n in range(1, 201)]))
    assert (_account(s, sr.number, "5000"), _account(s, sr.number, "1300")) == (D("-0.66"), D("0.66"))
    assert _on_hand(s) == D("98")
    # the inventory account follows the shelf: 33.00 received − 0.66 − 0.66 + 0.66 = 32.34 = 98 × 0.33
    with s.db.read() as ss:
        inv = ss.execute(select(func.sum(m.JournalLine.amount_usd)).join(m.Account, m.Account.id ==
                                                                         m.JournalLine.account_id)
                         .where(m.Account.code == "1300")).scalar_one()
    assert inv == D("32.34")


def test_posting_refuses_stock_moves_without_their_cost(open_shop, manager):
    """The posting framework's guard: a plan moving 2 m of GAUZE (0.66 USD at cost) with no 1300 line
    is refused and writes nothing."""
    import pytest

    from shopterm.services.errors import UnbalancedJournal
    from shopterm.services.documents.posting import PostingPlan, StockSpec

    s = open_shop
    _gauze(s, manager)
    with s.db.read() as ss:
        item = ss.execute(select(m.Item).where(m.Item.code == "GAUZE")).scalar_one()
        batch = ss.execute(select(m.Batch).where(m.Batch.code == "G001")).scalar_one()
    with pytest.raises(UnbalancedJournal) as e:
        with s.db.write() as ss:
            doc = m.Document(doc_type="SI", location_id=1, doc_date=DAY)
            s.posting.post(ss, manager, PostingPlan(doc=doc, stock=[
                StockSpec(item.id, batch.id, D("-2"), D("0.33"), "sale")]))
    assert e.value.message == "SI: stock moves worth 0.66 USD at cost, but no 1300 Inventory line in its journal"
    assert _on_hand(s) == D("100")
