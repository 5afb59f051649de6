"""Sales Order / Proforma: confirm (numbered, no journal, reserves), slabs, drafts,
conversion into invoices (partial, then the rest loaded from the order), the
order's remaining quantities and state, cancellation with approval, headless.
Figures worked by hand in the comments."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ApprovalDenied, ApprovalRequired, DayNotOpen, InsufficientStock, NotFound, PostedIsFinal, ValidationError
from shopterm.services.headless import post_documents
from shopterm.store.models import AuditLog, Document, JournalVoucher, StockMove

from .conftest import DAY


def order(lines, doc_type="SO", **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type=doc_type, date=DAY, customer="C0001", currency="USD", rate="2850",
                sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def reserved(s, item: str) -> D:
    return s.stock.item_stock(item, "AXP").reserved


def remaining(s, number: str) -> list[tuple[str, D, D, D]]:
    return [(l.item, l.qty, l.invoiced, l.remaining) for l in s.orders.order_lines(number)]


# C0001 is wholesale: PARA500 2.20, AMOX250 7.20 (16 % VAT).
# 30 × 2.20 = 66.00, 10 × 7.20 = 72.00, subtotal 138.00 → slab 100–499: 3 % → flat 4.14,
# shares 1.98 / 2.16 (exact), tax q2(64.02 × .16) = 10.24 + q2(69.84 × .16) = 11.17 = 21.41,
# net 138.00 − 4.14 + 21.41 = 155.27.
ORDER_LINES = [("PARA500", None, "30"), ("AMOX250", None, "10")]


def test_confirmed_order_is_numbered_reserves_and_posts_no_journal(open_shop, cashier):
    s = open_shop
    p = s.orders.preview(order(ORDER_LINES))
    assert p.ok and p.journal == []
    t = p.totals
    assert (t.subtotal, t.flat_pct, t.flat_amount, t.flat_from_slab, t.tax, t.net) == (
        D("138.00"), D("3"), D("4.14"), True, D("21.41"), D("155.27"))
    assert [l.totals.flat_share for l in p.lines] == [D("1.98"), D("2.16")]
    r = s.orders.confirm(cashier, order(ORDER_LINES))
    assert r.number == "261101SO000001" and r.voucher_id is None and r.ledger_entry_ids == ()
    v = s.orders.document(r.number)
    assert (v.status, v.extra["state"], v.totals.net, v.journal) == ("posted", "open", D("155.27"), ())
    assert [(l.item, l.batch, l.qty, l.qty_done) for l in v.lines] == [
        ("PARA500", None, D("30"), D("0")), ("AMOX250", None, D("10"), D("0"))]
    with s.db.read() as ss:
        assert ss.execute(select(func.count()).select_from(StockMove).where(StockMove.document_id == r.document_id)
                          ).scalar_one() == 0
        assert ss.execute(select(func.count()).select_from(JournalVoucher)).scalar_one() == 0
    assert (reserved(s, "PARA500"), reserved(s, "AMOX250")) == (D("30"), D("10"))
    assert s.stock.item_stock("PARA500", "AXP").available == D("570")  # 600 on hand − 30


def test_order_converts_partly_then_fully_and_closes(open_shop, cashier):
    s = open_shop
    number = s.orders.confirm(cashier, order(ORDER_LINES)).number
    inv = s.orders.to_invoice(number)
    assert (inv.doc_type, inv.order, inv.customer, inv.sales_person, inv.flat_discount_type) == (
        "SI", number, "C0001", "SP01", None)  # the slab was not typed: it applies again on the invoice
    assert [(l.item, l.qty, l.price) for l in inv.lines] == [("PARA500", D("30"), D("2.20")),
                                                              ("AMOX250", D("10"), D("7.20"))]
    # invoice part: 10 PARA500 + 4 AMOX250 → 22.00 + 28.80 = 50.80 (slab 0 %), tax 3.52 + 4.61, net 58.93
    inv.lines[0].qty, inv.lines[1].qty = "10", "4"
    r1 = s.sales.post_invoice(cashier, inv)
    assert s.sales.document(r1.number).totals.net == D("58.93")
    assert remaining(s, number) == [("PARA500", D("30"), D("10"), D("20")), ("AMOX250", D("10"), D("4"), D("6"))]
    assert s.orders.state(number) == "partial"
    assert (reserved(s, "PARA500"), reserved(s, "AMOX250")) == (D("20"), D("6"))
    assert [o.number for o in s.orders.open_orders("C0001")] == [number]

    # the rest, headless, lines taken from the order: 20 × 2.20 + 6 × 7.20 = 44.00 + 43.20 = 87.20,
    # tax 7.04 + q2(6.912) = 6.91 → net 101.15
    out = post_documents(s, cashier, {"type": "sales_invoice", "customer": "C0001", "order": number})
    assert out.ok, out.error
    assert out.posted[0]["totals"]["net"] == "101.15"
    assert remaining(s, number) == [("PARA500", D("30"), D("30"), D("0")), ("AMOX250", D("10"), D("10"), D("0"))]
    assert s.orders.state(number) == "closed"
    assert s.orders.open_orders("C0001") == []
    assert (reserved(s, "PARA500"), reserved(s, "AMOX250")) == (D("0"), D("0"))

    with pytest.raises(ValidationError) as e:
        s.sales.post_invoice(cashier, s.orders.to_invoice(number))
    assert e.value.message == f"Order/proforma {number} is fully invoiced"
    with pytest.raises(ValidationError) as e:
        s.orders.cancel(cashier, number, approver="manager", approver_pin="2222")
    assert e.value.message == f"Order/proforma {number} is fully invoiced: nothing left to cancel"


def test_cancel_needs_a_manager_and_releases_the_reservation(open_shop, cashier, manager):
    s = open_shop
    number = s.orders.confirm(cashier, order(ORDER_LINES)).number
    with pytest.raises(ApprovalRequired) as e:
        s.orders.cancel(cashier, number)
    assert e.value.message == "Cancelling a sales order needs a manager's approval"
    with pytest.raises(ApprovalDenied) as e:
        s.orders.cancel(cashier, number, approver="manager", approver_pin="9999")
    assert e.value.message == "Approval refused: unknown manager or wrong PIN"
    assert s.orders.state(number) == "open"
    assert s.orders.cancel(cashier, number, approver="manager", approver_pin="2222", reason="customer changed mind") \
        == number
    assert s.orders.state(number) == "cancelled"
    assert (reserved(s, "PARA500"), reserved(s, "AMOX250")) == (D("0"), D("0"))
    with s.db.read() as ss:
        doc = ss.execute(select(Document).where(Document.number == number)).scalar_one()
        assert (doc.cancelled_by, doc.approved_by) == (cashier.user_id, manager.user_id)
        row = ss.execute(select(AuditLog).where(AuditLog.entity == "document", AuditLog.entity_id == doc.id,
                                                AuditLog.action == "cancel")).scalar_one()
        assert row.summary == f"cancelled SO {number}: customer changed mind" and row.approver_id == manager.user_id
    with pytest.raises(PostedIsFinal) as e:
        s.orders.cancel(manager, number)
    assert e.value.message == f"Order/proforma {number} is already cancelled"
    with pytest.raises(ValidationError) as e:
        s.sales.post_invoice(cashier, order([("PARA500", "B001", "1")], doc_type="SI", order=number))
    assert e.value.message == f"Order/proforma {number} is cancelled: only a confirmed one can be invoiced"
    # a manager cancels without a PIN; a partly invoiced order releases what is left
    n2 = s.orders.confirm(cashier, order(ORDER_LINES)).number
    s.sales.post_invoice(cashier, order([("PARA500", "B001", "5")], doc_type="SI", order=n2))
    assert reserved(s, "PARA500") == D("25")
    s.orders.cancel(manager, n2)
    assert (reserved(s, "PARA500"), reserved(s, "AMOX250")) == (D("0"), D("0"))


def test_drafts_proformas_and_the_rules(services, cashier):
    s = services
    # a draft needs no open day; confirming does
    draft_id = s.orders.save_draft(cashier, order([("PARA500", None, "5000")], doc_type="PF"))
    d = s.orders.load_draft(draft_id)
    assert (d.doc_type, d.lines[0].qty) == ("PF", "5000")
    with pytest.raises(DayNotOpen) as e:
        s.orders.confirm(cashier, d, draft_id)
    assert e.value.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    assert "Shop is not open for AXP on 2026-11-23: run Shop Open first" in s.orders.preview(d).warnings
    from .conftest import open_day

    open_day(s)
    # an order reserves only what is available (600 held, none reserved: DESIGN §6), and needs no batch
    with pytest.raises(InsufficientStock) as e:
        s.orders.confirm(cashier, d, draft_id)
    assert e.value.message == "Insufficient stock: PARA500 has 600 on hand, 0 reserved, 600 available; 5,000 asked"
    d.lines[0].qty = "500"
    r = s.orders.confirm(cashier, d, draft_id)
    assert (r.number, r.document_id) == ("261101PF000001", draft_id)
    assert reserved(s, "PARA500") == D("500")
    assert [row.number for row in s.orders.list_documents()] == ["261101PF000001"]
    assert s.orders.list_documents("SO") == []

    with pytest.raises(ValidationError) as e:
        s.orders.confirm(cashier, order([("PARA500", None, "1")], doc_type="SI"))
    assert e.value.message == "Type: sales order (SO) or proforma (PF), not SI"
    with pytest.raises(ValidationError) as e:
        s.orders.confirm(cashier, order([("PARA500", None, "1")], redemption_points=5))
    assert e.value.message == "Redemption points: points are redeemed on a sales or provisional invoice"
    with pytest.raises(NotFound) as e:
        s.orders.confirm(cashier, order([("NOPE", None, "1")]))
    assert e.value.message == "Line 1: item NOPE not found"
    with pytest.raises(NotFound) as e:
        s.orders.order_lines("261101SO000077")
    assert e.value.message == "Order/proforma 261101SO000077 not found"
    # an explicit flat discount of 0 overrides the slab
    p = s.orders.preview(order(ORDER_LINES, flat_discount_type="amount", flat_discount_value="0"))
    assert (p.totals.flat_amount, p.totals.net) == (D("0.00"), D("160.08"))  # 138.00 + 10.56 + 11.52


def test_a_provisional_invoice_converts_an_order(open_shop, cashier):
    s = open_shop
    number = s.orders.confirm(cashier, order(ORDER_LINES)).number
    pi = s.orders.to_invoice(number, "PI")
    pi.lines = pi.lines[:1]
    r = s.provisional.post(cashier, pi)
    assert s.sales.document(r.number).order == number
    # the PI reserves what it took from the order: PARA500 still 30 reserved (order 0 left + PI 30)
    assert remaining(s, number)[0] == ("PARA500", D("30"), D("30"), D("0"))
    assert reserved(s, "PARA500") == D("30")
    # cancelling the PI gives the order its quantity back
    s.provisional.cancel(cashier, r.number, approver="manager", approver_pin="2222")
    assert remaining(s, number)[0] == ("PARA500", D("30"), D("0"), D("30"))
    assert s.orders.state(number) == "open"


def test_headless_sales_order_and_proforma(open_shop, cashier):
    doc = {"type": "sales_order", "location": "AXP", "date": "2026-11-23", "customer": "C0001",
           "currency": "USD", "rate": "2850", "sales_person": "SP01",
           "lines": [{"item": "PARA500", "qty": "30"}, {"item": "AMOX250", "qty": "10"}]}
    out = post_documents(open_shop, cashier, [doc, {**doc, "type": "proforma"}, {**doc, "draft": True}])
    assert out.ok, out.error
    assert [(p["type"], p["number"], p["totals"]["net"]) for p in out.posted] == [
        ("sales_order", "261101SO000001", "155.27"), ("proforma", "261101PF000001", "155.27"),
        ("sales_order", None, "155.27")]
    bad = post_documents(open_shop, cashier, {**doc, "order": "261101SO000001"})
    assert bad.error["error"] == "unknown field 'order' in sales_order"
    assert reserved(open_shop, "PARA500") == D("60")
