"""Stock (services/stock.py): on-hand, reserved, FEFO batches, batch checks with their
messages, and the stock receipt (GRN) with its journal, on the demo-like shop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.errors import (
    ExpiredBatch,
    InactiveRecord,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from shopterm.services.headless import post_documents
from shopterm.services.stock import BatchStock
from shopterm.store.models import (
    AuditLog,
    Batch,
    Document,
    DocumentLine,
    Item,
    JournalLine,
    Location,
    NumberSequence,
    StockMove,
    Supplier,
)

from .conftest import DAY


def ids(services, item: str, batch: str | None = None) -> tuple[int, int | None]:
    with services.db.read() as s:
        item_id = s.execute(select(Item.id).where(Item.code == item)).scalar_one()
        batch_id = None
        if batch:
            batch_id = s.execute(select(Batch.id).where(Batch.item_id == item_id, Batch.code == batch)).scalar_one()
        return item_id, batch_id


def rows(services) -> dict:
    with services.db.read() as s:
        out = {m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()
               for m in (Document, DocumentLine, JournalLine, StockMove, Batch, NumberSequence, AuditLog)}
        out["cost"] = s.execute(select(Item.cost_usd).where(Item.code == "PARA500")).scalar_one()
        return out


# ---------------------------------------------------------------- queries


def test_on_hand_and_fefo_batches(services):
    para, b001 = ids(services, "PARA500", "B001")
    _, b002 = ids(services, "PARA500", "B002")
    with services.db.read() as s:
        assert services.stock.on_hand(s, para, 1) == D("600")
        assert services.stock.on_hand(s, para, 1, b001) == D("500")
        assert services.stock.batches(s, para, 1, DAY) == [
            BatchStock(b002, "B002", dt.date(2027, 1, 31), D("100")),
            BatchStock(b001, "B001", dt.date(2027, 6, 30), D("500")),
        ]
        assert services.stock.default_batch(s, para, 1, DAY).code == "B002"
        # on 2027-02-01 B002 has expired: flagged, and the default is B001
        later = services.stock.batches(s, para, 1, dt.date(2027, 2, 1))
        assert [(b.code, b.expired) for b in later] == [("B002", True), ("B001", False)]
        assert services.stock.default_batch(s, para, 1, dt.date(2027, 2, 1)).code == "B001"
        assert services.stock.default_batch(s, para, 1, dt.date(2027, 7, 1)) is None


def test_empty_batches_are_not_offered(services):
    para, b002 = ids(services, "PARA500", "B002")
    with services.db.write() as s:
        s.add(StockMove(location_id=1, item_id=para, batch_id=b002, date=DAY, qty=D("-100"), kind="adjust"))
    with services.db.read() as s:
        assert [b.code for b in services.stock.batches(s, para, 1, DAY)] == ["B001"]


def test_check_batch_messages(services):
    with services.db.read() as s:
        item = s.execute(select(Item).where(Item.code == "PARA500")).scalar_one()
        b002 = s.execute(select(Batch).where(Batch.code == "B002")).scalar_one()
        loc = s.get(Location, 1)
        assert services.stock.check_batch(s, item, b002, loc, D("100"), DAY) == D("100")
        with pytest.raises(InsufficientStock) as e:
            services.stock.check_batch(s, item, b002, loc, D("150"), DAY)
        assert e.value.message == "Insufficient stock: batch B002 of PARA500 holds 100, 150 asked"
        assert e.value.field == "qty"
        with pytest.raises(InsufficientStock) as e:
            services.stock.check_batch(s, item, b002, loc, D("100.5"), DAY)
        assert e.value.message == "Insufficient stock: batch B002 of PARA500 holds 100, 100.5 asked"
        # sellable on its expiry date, not the day after
        services.stock.check_batch(s, item, b002, loc, D("1"), dt.date(2027, 1, 31))
        with pytest.raises(ExpiredBatch) as e:
            services.stock.check_batch(s, item, b002, loc, D("1"), dt.date(2027, 2, 1))
        assert e.value.message == "Batch B002 of PARA500 expired on 2027-01-31"
        assert e.value.field == "batch"


def _order(services, doc_type: str, status: str, qty: str, done: str = "0", item: str = "PARA500") -> None:
    item_id, _ = ids(services, item)
    with services.db.write() as s:
        doc = Document(doc_type=doc_type, status=status, location_id=1, doc_date=DAY)
        s.add(doc)
        s.flush()
        s.add(DocumentLine(document_id=doc.id, line_no=1, item_id=item_id, qty=D(qty), qty_done=D(done)))


def test_reserved_counts_open_orders_proformas_and_provisional_invoices(services):
    _order(services, "SO", "posted", "30", "10")  # 20 still reserved
    _order(services, "PF", "posted", "5")
    _order(services, "PI", "posted", "7", "2")  # 5 not yet delivered
    _order(services, "SO", "draft", "100")  # a draft reserves nothing
    _order(services, "SO", "cancelled", "100")  # nor does a cancelled order
    _order(services, "SI", "posted", "100")  # an invoice is not a reservation
    _order(services, "SO", "posted", "9", item="BAND01")  # another item
    para, _ = ids(services, "PARA500")
    with services.db.read() as s:
        assert services.stock.reserved(s, para, 1) == D("30")
    st = services.stock.item_stock("para500", "AXP")
    assert (st.item_code, st.current, st.reserved, st.available) == ("PARA500", D("600"), D("30"), D("570"))
    assert [b.code for b in st.batches] == ["B002", "B001"]
    with pytest.raises(NotFound) as e:
        services.stock.item_stock("NOPE", "AXP")
    assert e.value.message == "Item NOPE not found"


# ---------------------------------------------------------------- the stock receipt (GRN)


def test_receive_posts_stock_and_the_inventory_journal(services, manager):
    s = services
    with s.db.write() as ss:
        ss.add(Supplier(code="SUP01", name="Pharma Import"))
    # no shop day is open: a GRN does not need one
    r = s.stock.receive(manager, location="AXP", date=DAY, supplier="sup01", narration="weekly delivery", lines=[
        {"item": "PARA500", "batch": "B003", "qty": "50", "cost_usd": "1.55", "expiry": "2028-01-31",
         "supplier_batch": "PX-778", "mfg_date": "2026-01-31"},
        {"item": "PARA500", "batch": "B001", "qty": "20", "cost_usd": "1.62"},  # known batch: keeps its data
        {"item": "BAND01", "batch": "d001", "qty": "10", "cost_usd": "0.70", "expiry": "2029-12-31"},
    ])
    assert r.number == "261101GR000001" and r.ledger_entry_ids == ()
    para, b003 = ids(s, "PARA500", "B003")
    _, b001 = ids(s, "PARA500", "B001")
    with s.db.read() as ss:
        b = ss.get(Batch, b003)
        assert (b.expiry, b.mfg_date, b.supplier_batch_no, b.cost_usd) == (
            dt.date(2028, 1, 31), dt.date(2026, 1, 31), "PX-778", D("1.55"))
        assert ss.get(Supplier, b.supplier_id).code == "SUP01"
        old = ss.get(Batch, b001)
        assert (old.expiry, old.cost_usd) == (dt.date(2027, 6, 30), D("1.60"))
        assert s.stock.on_hand(ss, para, 1, b003) == D("50")
        assert s.stock.on_hand(ss, para, 1, b001) == D("520")
        # the last purchase cost
        assert ss.execute(select(Item.cost_usd).where(Item.code == "PARA500")).scalar_one() == D("1.62")
        moves = ss.execute(select(StockMove.kind, StockMove.qty, StockMove.unit_cost_usd)
                           .where(StockMove.document_id == r.document_id).order_by(StockMove.id)).all()
        assert moves == [("receipt", D("50"), D("1.55")), ("receipt", D("20"), D("1.62")),
                         ("receipt", D("10"), D("0.70"))]
        doc = ss.get(Document, r.document_id)
        # 50 × 1.55 + 20 × 1.62 + 10 × 0.70 = 77.50 + 32.40 + 7.00 = 116.90
        assert (doc.doc_type, doc.status, doc.amount_usd, doc.total_qty, doc.narration, doc.extra) == (
            "GR", "posted", D("116.90"), D("80"), "weekly delivery", {"supplier": "SUP01"})
        assert ss.execute(select(AuditLog.summary).where(AuditLog.entity == "batch")).scalars().all() == [
            "batch B003 of PARA500 by 261101GR000001"]
    v = s.sales.document(r.number)
    assert [(j.account, j.debit, j.credit) for j in v.journal] == [("1300", D("116.90"), D("0")),
                                                                    ("1900", D("0"), D("116.90"))]
    assert [(l.item, l.batch, l.qty, l.price, l.gross) for l in v.lines] == [
        ("PARA500", "B003", D("50"), D("1.55"), D("77.50")), ("PARA500", "B001", D("20"), D("1.62"), D("32.40")),
        ("BAND01", "D001", D("10"), D("0.70"), D("7.00"))]
    again = s.stock.receive(manager, location="AXP", date=DAY, lines=[
        {"item": "AMOX250", "batch": "A002", "qty": "1", "cost_usd": "5"}])
    assert again.number == "261101GR000002"


def test_one_receipt_can_bring_a_new_batch_on_two_lines(services, manager):
    services.stock.receive(manager, location="AXP", date=DAY, lines=[
        {"item": "AMOX250", "batch": "A009", "qty": "3", "cost_usd": "5.00", "expiry": "2028-05-31"},
        {"item": "AMOX250", "batch": "A009", "qty": "4", "cost_usd": "5.00", "expiry": "2028-05-31"},
    ])
    amox, a009 = ids(services, "AMOX250", "A009")
    with services.db.read() as s:
        assert services.stock.on_hand(s, amox, 1, a009) == D("7")


RECEIPT_ERRORS = [
    ("conflicting-expiry",
     [{"item": "PARA500", "batch": "B009", "qty": "1", "cost_usd": "1"},
      {"item": "PARA500", "batch": "B001", "qty": "1", "cost_usd": "1", "expiry": "2027-07-31"}],
     ValidationError, "Line 2: batch B001 of PARA500 has expiry 2027-06-30, not 2027-07-31", "expiry"),
    ("unknown-item", [{"item": "NOPE", "batch": "X", "qty": "1", "cost_usd": "1"}], NotFound,
     "Line 1: item NOPE not found", "item"),
    ("zero-qty", [{"item": "PARA500", "batch": "B001", "qty": "0", "cost_usd": "1"}], ValidationError,
     "Line 1: the quantity must be greater than zero", "qty"),
    ("bad-qty", [{"item": "PARA500", "batch": "B001", "qty": "1.2345", "cost_usd": "1"}], ValidationError,
     "Line 1: qty: at most 3 decimal places (1.2345)", "qty"),
    ("negative-cost", [{"item": "PARA500", "batch": "B001", "qty": "1", "cost_usd": "-1"}], ValidationError,
     "Line 1: cost_usd: must not be negative (-1)", "cost_usd"),
    ("no-batch", [{"item": "PARA500", "qty": "1", "cost_usd": "1"}], ValidationError,
     "Line 1: batch is required", "batch"),
    ("bad-expiry", [{"item": "PARA500", "batch": "B7", "qty": "1", "cost_usd": "1", "expiry": "31/01/2028"}],
     ValidationError, "Line 1: expiry: '31/01/2028' is not a date (YYYY-MM-DD)", "expiry"),
    ("unknown-field", [{"item": "PARA500", "batch": "B7", "qty": "1", "cost_usd": "1", "expiri": "2028-01-01"}],
     ValidationError, "Line 1: unknown field 'expiri'", "expiri"),
    ("no-lines", [], ValidationError, "Add at least one line to receive", "lines"),
]


@pytest.mark.parametrize("lines, exc, message, field", [e[1:] for e in RECEIPT_ERRORS],
                         ids=[e[0] for e in RECEIPT_ERRORS])
def test_receive_refuses_bad_lines_and_writes_nothing(services, manager, lines, exc, message, field):
    before = rows(services)
    with pytest.raises(exc) as e:
        services.stock.receive(manager, location="AXP", date=DAY, lines=lines)
    assert (e.value.message, e.value.field) == (message, field)
    assert rows(services) == before


def test_receive_refuses_unknown_supplier_inactive_item_and_a_cashier(services, manager, cashier):
    line = [{"item": "PARA500", "batch": "B001", "qty": "1", "cost_usd": "1.60"}]
    with pytest.raises(NotFound) as e:
        services.stock.receive(manager, location="AXP", supplier="SUP9", lines=line)
    assert e.value.message == "Supplier SUP9 not found"
    with pytest.raises(PermissionDenied) as e:
        services.stock.receive(cashier, location="AXP", lines=line)
    assert e.value.message == "Receiving stock needs a manager; cashier is a cashier"
    with services.db.write() as s:
        item = s.execute(select(Item).where(Item.code == "PARA500")).scalar_one()
        item.inactive = True
        s.add(item)
    with pytest.raises(InactiveRecord) as e:
        services.stock.receive(manager, location="AXP", lines=line)
    assert e.value.message == "Line 1: item PARA500 is inactive"


def test_headless_stock_receipt(services, manager):
    out = post_documents(services, manager, {
        "type": "stock_receipt", "location": "AXP", "date": "2026-11-23",
        "lines": [{"item": "BAND01", "batch": "D002", "qty": "100", "cost_usd": "0.65", "expiry": "2030-06-30"}]})
    assert out.ok, out.error
    assert out.posted == [{"type": "stock_receipt", "number": "261101GR000001",
                           "totals": {"total_qty": "100.000", "value_usd": "65.00"}}]
    bad = post_documents(services, manager, {"type": "stock_receipt", "lines": [
        {"item": "BAND01", "batch": "D002", "qty": 100, "cost_usd": "0.65"}]})
    assert bad.error["field"] == "lines[0].qty"
