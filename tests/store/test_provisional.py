"""Provisional invoice → two partial delivery notes → closed, with the balance after
each; the PSI No. rules with their exact messages; reserved stock through orders,
invoices, provisional invoices and deliveries; cancellation; headless."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ApprovalRequired, InsufficientStock, NotFound, ValidationError
from shopterm.services.headless import post_documents
from shopterm.services.sales.provisional import PSI_EMPTY, DeliveryDraft, DeliveryLine
from shopterm.store.models import Batch, Document, Item, LedgerEntry, StockMove

from .conftest import DAY


def pi_draft(lines, **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type="PI", date=DAY, customer="C0001", currency="USD", rate="2850",
                sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def dn(psi, lines, customer="C0001") -> DeliveryDraft:
    return DeliveryDraft(location="AXP", date=DAY, customer=customer, psi_no=psi,
                         lines=[DeliveryLine(*l) for l in lines])


def stock_of(s, item: str, batch: str) -> D:
    with s.db.read() as ss:
        b = ss.execute(select(Batch).join(Item, Item.id == Batch.item_id)
                       .where(Item.code == item, Batch.code == batch)).scalar_one()
        return s.stock.on_hand(ss, b.item_id, 1, b.id)


def reserved(s, item: str) -> D:
    return s.stock.item_stock(item, "AXP").reserved


def journal(s, number: str) -> list[tuple[str, D]]:
    return [(j.account, j.amount_usd) for j in s.sales.document(number).journal]


def balances(s, psi: str) -> list[tuple[str, D, D]]:
    return [(l.item, l.delivered, l.balance) for l in s.provisional.psi_lines(psi)]


# C0001 (wholesale): PARA500 20 × 2.20 = 44.00 (VAT 16 % → 7.04), BAND01 10 × 1.10 = 11.00 (no VAT);
# subtotal 55.00 → slab 0 %; net 62.04.
PI_LINES = [("PARA500", None, "20"), ("BAND01", None, "10")]


def test_provisional_invoice_then_two_partial_deliveries_close_it(open_shop, cashier):
    s = open_shop
    p = s.provisional.preview(pi_draft(PI_LINES))
    assert (p.totals.net, p.totals.payable, p.ok) == (D("62.04"), D("62.04"), True)
    r = s.provisional.post(cashier, pi_draft(PI_LINES))
    psi = r.number
    assert psi == "261101PI000001"
    # receivable and revenue like an invoice; no stock out, no cost yet
    assert journal(s, psi) == [("1200", D("62.04")), ("4000", D("-55.00")), ("2100", D("-7.04"))]
    with s.db.read() as ss:
        assert ss.execute(select(StockMove).where(StockMove.document_id == r.document_id)).first() is None
    assert (reserved(s, "PARA500"), reserved(s, "BAND01")) == (D("20"), D("10"))
    assert [(o.number, o.balance) for o in s.provisional.open_psi("C0001")] == [(psi, D("30"))]

    # first delivery: 8 PARA500 from B002, all 10 BAND01 (first expiry D001)
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "25", "B002")]))
    assert (e.value.message, e.value.field) == ("Quantity 25 exceeds the balance 20 of line 1", "qty")
    pv = s.provisional.preview_delivery(dn(psi, [("PARA500", "8", "B002"), ("BAND01", "10")]))
    assert pv.ok
    assert [(l.item, l.batch, l.balance, l.qty) for l in pv.lines] == [("PARA500", "B002", D("20"), D("8")),
                                                                       ("BAND01", "D001", D("10"), D("10"))]
    # delivered share of the PI: PARA500 44.00 × 8/20 = 17.60, tax q2(7.04 × .4) = 2.82; BAND01 11.00
    assert (pv.gross, pv.tax, pv.net, pv.cost_usd) == (D("28.60"), D("2.82"), D("31.42"), D("19.80"))
    d1 = s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "8", "B002"), ("BAND01", "10")]))
    assert d1.number == "261101DN000001"
    # cost only: 8 × 1.60 + 10 × 0.70 = 19.80; no customer-ledger entry
    assert journal(s, d1.number) == [("5000", D("19.80")), ("1300", D("-19.80"))]
    assert d1.ledger_entry_ids == ()
    assert (stock_of(s, "PARA500", "B002"), stock_of(s, "BAND01", "D001")) == (D("92"), D("990"))
    assert balances(s, psi) == [("PARA500", D("8"), D("12")), ("BAND01", D("10"), D("0"))]
    assert s.provisional.state(psi) == "partial"
    assert (reserved(s, "PARA500"), reserved(s, "BAND01")) == (D("12"), D("0"))
    v = s.provisional.document(d1.number)
    assert (v.extra["psi_no"], v.totals.net, [l.qty for l in v.lines]) == (psi, D("31.42"), [D("8"), D("10")])
    with s.db.read() as ss:
        kinds = ss.execute(select(StockMove.kind, StockMove.qty).where(StockMove.document_id == d1.document_id)
                           .order_by(StockMove.id)).all()
    assert kinds == [("delivery", D("-8")), ("delivery", D("-10"))]

    # second delivery: the balance 12 (13 refused), first expiry B002 again
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "13")]))
    assert e.value.message == "Quantity 13 exceeds the balance 12 of line 1"
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("BAND01", "1")]))
    assert e.value.message == "Quantity 1 exceeds the balance 0 of line 1"
    d2 = s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "12")]))
    assert journal(s, d2.number) == [("5000", D("19.20")), ("1300", D("-19.20"))]
    assert stock_of(s, "PARA500", "B002") == D("80")
    assert balances(s, psi) == [("PARA500", D("20"), D("0")), ("BAND01", D("10"), D("0"))]
    assert s.provisional.state(psi) == "closed"
    assert (reserved(s, "PARA500"), reserved(s, "BAND01")) == (D("0"), D("0"))
    assert s.provisional.open_psi("C0001") == []
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "1")]))
    assert e.value.message == f"PSI No. {psi} is fully delivered"
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn("", [("PARA500", "1")]))
    assert e.value.message == PSI_EMPTY
    # the receivable stays the PI's: one entry of 62.04
    with s.db.read() as ss:
        assert ss.execute(select(LedgerEntry.voucher_type, LedgerEntry.amount_usd)).all() == [("PI", D("62.04"))]


def test_psi_no_rules(open_shop, cashier):
    s = open_shop
    assert s.provisional.open_psi("C0002") == []
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn("", [("PARA500", "1")], customer="C0002"))
    assert (e.value.message, e.value.field) == (
        "PSI No. dropdown empty: no open Provisional Invoice for this customer — raise a Provisional Invoice first",
        "psi_no")
    psi = s.provisional.post(cashier, pi_draft(PI_LINES)).number
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn("", [("PARA500", "1")]))
    assert e.value.message == "PSI No. is required: choose one of the customer's open provisional invoices"
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "1")], customer="C0002"))
    assert e.value.message == f"PSI No. {psi} is for C0001, not C0002"
    with pytest.raises(NotFound) as e:
        s.provisional.post_delivery(cashier, dn("261101PI000099", [("PARA500", "1")]))
    assert e.value.message == "Provisional invoice 261101PI000099 not found"
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("AMOX250", "1")]))
    assert e.value.message == f"Line 1: AMOX250 is not on provisional invoice {psi}"
    with pytest.raises(NotFound) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "1", "ZZZ")]))
    assert e.value.message == "Line 1: batch ZZZ of PARA500 not found"
    with pytest.raises(ValidationError) as e:  # two lines on the same PI line share its balance
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "15"), ("PARA500", "6")]))
    assert e.value.message == "Quantity 6 exceeds the balance 5 of line 2"
    assert "Quantity 6 exceeds the balance 5 of line 2" in s.provisional.preview_delivery(
        dn(psi, [("PARA500", "15"), ("PARA500", "6")])).warnings


def test_a_provisional_invoice_reserves_what_is_available_and_its_delivery_takes_it(open_shop, cashier):
    s = open_shop
    with pytest.raises(InsufficientStock) as e:  # 200 held, none reserved: 250 cannot be reserved (DESIGN §6)
        s.provisional.post(cashier, pi_draft([("AMOX250", None, "250")]))
    assert e.value.message == "Insufficient stock: AMOX250 has 200 on hand, 0 reserved, 200 available; 250 asked"
    psi = s.provisional.post(cashier, pi_draft([("AMOX250", None, "200")])).number
    assert reserved(s, "AMOX250") == D("200")
    assert s.stock.item_stock("AMOX250", "AXP").available == D("0")
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("AMOX250", "201", "A001")]))
    assert e.value.message == "Quantity 201 exceeds the balance 200 of line 1"
    s.provisional.post_delivery(cashier, dn(psi, [("AMOX250", "200", "A001")]))  # its own reservation
    assert (reserved(s, "AMOX250"), stock_of(s, "AMOX250", "A001")) == (D("0"), D("0"))


def test_reserved_stock_rises_and_falls_through_every_document(open_shop, cashier):
    s = open_shop
    assert reserved(s, "PARA500") == D("0")
    so = s.orders.confirm(cashier, pi_draft([("PARA500", None, "40")], doc_type="SO")).number
    assert reserved(s, "PARA500") == D("40")
    s.sales.post_invoice(cashier, pi_draft([("PARA500", "B001", "15")], doc_type="SI", order=so))
    assert reserved(s, "PARA500") == D("25")  # the invoice took 15 of the order
    psi = s.provisional.post(cashier, pi_draft([("PARA500", None, "30")])).number
    assert reserved(s, "PARA500") == D("55")
    s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "10")]))
    assert reserved(s, "PARA500") == D("45")
    s.sales.post_invoice(cashier, pi_draft([], doc_type="SI", order=so))  # the order's remaining 25
    assert reserved(s, "PARA500") == D("20")
    s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "20")]))
    assert reserved(s, "PARA500") == D("0")
    # 600 − 15 − 10 − 25 − 20 = 530 on hand
    assert s.stock.item_stock("PARA500", "AXP").current == D("530")


def test_cancel_a_provisional_invoice(open_shop, cashier, manager):
    s = open_shop
    psi = s.provisional.post(cashier, pi_draft(PI_LINES)).number
    with pytest.raises(ApprovalRequired) as e:
        s.provisional.cancel(cashier, psi)
    assert e.value.message == "Cancelling a provisional invoice needs a manager's approval"
    assert s.provisional.cancel(manager, psi, reason="wrong customer") == psi
    assert s.provisional.state(psi) == "cancelled"
    assert (reserved(s, "PARA500"), reserved(s, "BAND01")) == (D("0"), D("0"))
    # the reversal voucher, its ledger entry matched against the invoice's: nothing open, nothing owed
    assert journal(s, psi) == [("1200", D("62.04")), ("4000", D("-55.00")), ("2100", D("-7.04")),
                               ("1200", D("-62.04")), ("4000", D("55.00")), ("2100", D("7.04"))]
    with s.db.read() as ss:
        rows = ss.execute(select(LedgerEntry.amount_usd, LedgerEntry.open_usd, LedgerEntry.is_open)
                          .order_by(LedgerEntry.id)).all()
    assert rows == [(D("62.04"), D("0"), False), (D("-62.04"), D("0"), False)]
    with pytest.raises(ValidationError) as e:
        s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "1")]))
    assert e.value.message == f"PSI No. {psi} is cancelled"

    # delivered or paid: no longer
    p2 = s.provisional.post(cashier, pi_draft(PI_LINES)).number
    d = s.provisional.post_delivery(cashier, dn(p2, [("BAND01", "1")]))
    with pytest.raises(ValidationError) as e:
        s.provisional.cancel(manager, p2)
    assert e.value.message == f"Provisional invoice {p2} is delivered ({d.number}): it can no longer be cancelled"
    p3 = s.provisional.post(cashier, pi_draft(PI_LINES, customer="CASH", sales_person="SP02")).number
    s.cash.post_receipt(cashier, invoice=p3, received_usd="10")
    with pytest.raises(ValidationError) as e:
        s.provisional.cancel(manager, p3)
    assert e.value.message == (f"Provisional invoice {p3} has receipts or credits matched to it: it can no longer "
                               "be cancelled")


def test_delivery_note_drafts_and_headless(open_shop, cashier):
    s = open_shop
    out = post_documents(s, cashier, {"type": "provisional_invoice", "customer": "C0001", "sales_person": "SP01",
                                      "lines": [{"item": "PARA500", "qty": "20"}, {"item": "BAND01", "qty": "10"}]})
    assert out.ok, out.error
    psi = out.posted[0]["number"]
    assert out.posted[0]["totals"]["net"] == "62.04"
    draft_id = s.provisional.save_delivery_draft(cashier, dn(psi, [("PARA500", "5")]))
    back = s.provisional.load_delivery_draft(draft_id)
    assert (back.psi_no, back.lines[0].item, back.lines[0].qty) == (psi, "PARA500", "5")
    r = s.provisional.post_delivery(cashier, back, draft_id)
    assert (r.document_id, r.number) == (draft_id, "261101DN000001")
    # headless, lines omitted: everything left
    out = post_documents(s, cashier, {"type": "delivery_note", "psi_no": psi})
    assert out.ok, out.error
    assert (out.posted[0]["totals"]["total_qty"], out.posted[0]["psi_state"]) == ("25.000", "closed")
    bad = post_documents(s, cashier, {"type": "delivery_note", "psi_no": psi, "lines": [{"item": "PARA500",
                                                                                        "qty": 1}]})
    assert bad.error["error"].startswith("delivery_note lines[0]: 'qty' must be a string")
    with s.db.read() as ss:
        assert ss.execute(select(Document.status).where(Document.doc_type == "DN")).scalars().all() == [
            "posted", "posted"]


def test_a_cdf_delivery_note_rounds_its_payable_to_the_cash_increment(open_shop, cashier):
    """Seed DN footer "Total Round Off": a CDF provisional invoice of 10 PARA500 at 6,270 CDF
    (2.20 USD × 2850) = 62,700 + VAT 16 % 10,032 = 72,732.00 CDF. Delivering 3: gross 18,810,
    tax q2(10,032 × 3/10) = 3,009.60, net 21,819.60 CDF → payable 21,800 (increment 100), round
    off −19.60 CDF; in USD 21,819.60 / 2850 = 7.66."""
    s = open_shop
    psi = s.provisional.post(cashier, pi_draft([("PARA500", "B002", "10")], currency="CDF")).number
    pv = s.provisional.preview_delivery(dn(psi, [("PARA500", "3", "B002")]))
    assert (pv.currency, pv.rate) == ("CDF", D("2850"))
    assert (pv.gross, pv.tax, pv.net, pv.net_usd) == (D("18810.00"), D("3009.60"), D("21819.60"), D("7.66"))
    assert (pv.payable, pv.payable_cdf, pv.round_off_cdf) == (D("21819.60"), D("21800.00"), D("-19.60"))
    number = s.provisional.post_delivery(cashier, dn(psi, [("PARA500", "3", "B002")])).number
    view = s.provisional.document(number)
    assert (view.currency, view.totals.payable_cdf, view.totals.round_off_cdf) == ("CDF", D("21800.00"),
                                                                                   D("-19.60"))
    # a USD note rounds its CDF equivalent the same way: 3 × 2.20 + 16 % = 7.66 USD = 21,831.00 → 21,800
    psi2 = s.provisional.post(cashier, pi_draft([("PARA500", "B002", "10")])).number
    pv2 = s.provisional.preview_delivery(dn(psi2, [("PARA500", "3", "B002")]))
    assert (pv2.payable, pv2.payable_cdf, pv2.round_off_cdf) == (D("7.66"), D("21800.00"), D("-31.00"))
