"""Free offers inside documents: the range that applies at each edge, free lines on the
Free Offers tab, posting (stock kind ``free`` from the first-expiry batch, Dr 6200 with
the scheme's cost centre / Cr 1300), the "Free offer not applying" hints, free lines
reserved by orders and provisional invoices, delivered by a delivery note, returned;
discount slabs on orders and provisional invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.schemes.promotions import NO_SCHEME_HINT
from shopterm.services.sales.returns import ReturnDraft, ReturnLine
from shopterm.store.models import Account, Batch, CostCentre, Customer, Item, JournalLine, StockMove

from .conftest import DAY


@pytest.fixture
def shop(open_shop, manager):
    """PARA500 at AXP: 10–19 → 1 free, 20–49 → 3, 50 and more → 6; C0001 has "Free offer Applicable?"."""
    s = open_shop
    info = s.masters.create_promotion(manager, item="PARA500", reason="Volume", cost_centre="SHOP",
                                      scheme_date=dt.date(2026, 1, 1), locations=["AXP"],
                                      ranges=[{"min_qty": "10", "max_qty": "19", "free_qty": "1"},
                                              {"min_qty": "20", "max_qty": "49", "free_qty": "3"},
                                              {"min_qty": "50", "max_qty": None, "free_qty": "6"}])
    assert info.scheme_no == "SP000001"
    with s.db.write() as ss:
        c = ss.execute(select(Customer).where(Customer.code == "C0001")).scalar_one()
        c.free_offer = True
        ss.add(c)
    return s


def doc(lines, doc_type="SI", **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type=doc_type, date=DAY, customer="C0001", sales_type="credit",
                currency="USD", rate="2850", sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def stock_of(s, item: str, batch: str) -> D:
    with s.db.read() as ss:
        b = ss.execute(select(Batch).join(Item, Item.id == Batch.item_id)
                       .where(Item.code == item, Batch.code == batch)).scalar_one()
        return s.stock.on_hand(ss, b.item_id, 1, b.id)


@pytest.mark.parametrize("qty, free", [("9", None), ("10", "1"), ("19", "1"), ("20", "3"), ("49", "3"), ("50", "6"),
                                       ("120", "6")])  # (19.999 BOX, between two ranges, is refused: a BOX is whole)
def test_the_range_holding_the_quantity_gives_the_free_quantity(shop, qty, free):
    lines = shop.promotions.free_lines(doc([("PARA500", None, qty)]))
    assert [(l.item, l.batch, l.qty, l.price) for l in lines] == (
        [] if free is None else [("PARA500", "B002", D(free), D("0.00"))])


def test_free_lines_follow_the_item_total_and_show_on_the_preview(shop):
    s = shop
    p = s.sales.preview(doc([("PARA500", "B001", "8"), ("BAND01", None, "2"), ("PARA500", "B001", "12")]))
    assert [(f.line, f.item, f.batch, f.qty, f.paid_qty, f.scheme_no, f.cost_usd) for f in p.free_lines] == [
        (1, "PARA500", "B002", D("3"), D("20"), "SP000001", D("4.80"))]
    assert p.hints == ()
    # free goods take no part in the totals: 20 × 2.20 + 2 × 1.10 = 46.20, VAT 7.04
    assert (p.totals.subtotal, p.totals.net) == (D("46.20"), D("53.24"))


def test_posting_free_goods_on_an_invoice(shop, cashier):
    s = shop
    r = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "20")]))
    v = s.sales.document(r.number)
    assert [(l.line_no, l.item, l.batch, l.qty, l.is_free, l.price, l.unit_cost_usd) for l in v.lines] == [
        (1, "PARA500", "B001", D("20"), False, D("2.20"), D("1.60")),
        (2, "PARA500", "B002", D("3"), True, D("0.00"), D("1.60"))]
    # 44.00 + VAT 7.04 = 51.04; COGS 20 × 1.60 = 32.00; free goods 3 × 1.60 = 4.80 to 6200
    assert [(j.account, j.amount_usd) for j in v.journal] == [
        ("1200", D("51.04")), ("4000", D("-44.00")), ("2100", D("-7.04")), ("5000", D("32.00")),
        ("1300", D("-32.00")), ("6200", D("4.80")), ("1300", D("-4.80"))]
    with s.db.read() as ss:
        centre = ss.execute(select(CostCentre.code).join(JournalLine, JournalLine.cost_centre_id == CostCentre.id)
                            .join(Account, Account.id == JournalLine.account_id)
                            .where(Account.code == "6200")).scalar_one()
        assert centre == "SHOP"
        moves = ss.execute(select(StockMove.kind, StockMove.qty).where(StockMove.document_id == r.document_id)
                           .order_by(StockMove.id)).all()
    assert moves == [("sale", D("-20")), ("free", D("-3"))]
    assert (stock_of(s, "PARA500", "B001"), stock_of(s, "PARA500", "B002")) == (D("480"), D("97"))

    # the free goods come back with a return of the free line: Dr 1300 / Cr 6200 at cost, no credit
    rr = s.returns.post(cashier, ReturnDraft(location="AXP", date=DAY, invoice=r.number, narration="unwanted",
                                             lines=[ReturnLine("PARA500", "3", line=2)]))
    rv = s.returns.document(rr.number)
    assert [(j.account, j.amount_usd) for j in rv.journal] == [("6200", D("-4.80")), ("1300", D("4.80"))]
    assert (rv.totals.total_qty, rv.lines[0].is_free, rv.totals.receivable) == (D("0"), True, D("0.00"))
    assert stock_of(s, "PARA500", "B002") == D("100")


def test_free_offer_not_applying_hints(shop):
    s = shop
    p = s.sales.preview(doc([("PARA500", "B001", "20")], customer="C0002", sales_person="SP02"))
    assert p.free_lines == ()
    assert p.hints == ('Free offer not applying: customer C0002 has "Free offer Applicable?" not checked '
                       "(scheme SP000001 on PARA500) — check the customer master flag",)
    assert p.ok  # a hint, not a broken rule
    p = s.sales.preview(doc([("BAND01", "D001", "20")], free_offer=True))
    assert p.hints == (NO_SCHEME_HINT,)
    assert NO_SCHEME_HINT == ("Free offer not applying: no active Sales Promotion for these items — verify the Sales "
                              "Promotion scheme is active")
    # an inactive scheme gives nothing
    s.masters.update_promotion(s.users.login("manager", "2222"), "SP000001", inactive=True)
    assert s.promotions.free_lines(doc([("PARA500", "B001", "20")])) == []


def test_orders_reserve_free_lines_and_the_invoice_consumes_them(shop, cashier):
    s = shop
    so = s.orders.confirm(cashier, doc([("PARA500", None, "20")], "SO")).number
    assert [(l.item, l.qty, l.is_free) for l in s.orders.order_lines(so)] == [("PARA500", D("20"), False),
                                                                               ("PARA500", D("3"), True)]
    assert s.stock.item_stock("PARA500", "AXP").reserved == D("23")
    s.sales.post_invoice(cashier, s.orders.to_invoice(so))
    assert [(l.invoiced, l.remaining) for l in s.orders.order_lines(so)] == [(D("20"), D("0")), (D("3"), D("0"))]
    assert (s.orders.state(so), s.stock.item_stock("PARA500", "AXP").reserved) == ("closed", D("0"))


def test_provisional_invoice_free_lines_are_delivered_at_cost(shop, cashier):
    s = shop
    # slab on a PI: 50 × 2.20 = 110.00 → 3 % = 3.30; VAT q2(106.70 × .16) = 17.07; net 123.77; 6 free
    p = s.provisional.preview(doc([("PARA500", None, "50")], "PI"))
    assert (p.totals.flat_from_slab, p.totals.flat_amount, p.totals.net) == (True, D("3.30"), D("123.77"))
    assert [(f.qty, f.batch) for f in p.free_lines] == [(D("6"), None)]  # no batch until delivered
    psi = s.provisional.post(cashier, doc([("PARA500", None, "50")], "PI")).number
    assert s.stock.item_stock("PARA500", "AXP").reserved == D("56")
    dn = s.provisional.delivery_draft(psi)
    assert [(l.item, l.qty, l.line) for l in dn.lines] == [("PARA500", D("50"), 1), ("PARA500", D("6"), 2)]
    d = s.provisional.post_delivery(cashier, dn)
    # cost of the paid goods 50 × 1.60 = 80.00 to 5000; the free 6 × 1.60 = 9.60 to 6200
    assert [(j.account, j.amount_usd) for j in s.sales.document(d.number).journal] == [
        ("5000", D("80.00")), ("1300", D("-80.00")), ("6200", D("9.60")), ("1300", D("-9.60"))]
    with s.db.read() as ss:
        assert ss.execute(select(StockMove.kind, StockMove.qty).where(StockMove.document_id == d.document_id)
                          .order_by(StockMove.id)).all() == [("delivery", D("-50")), ("free", D("-6"))]
    assert (s.provisional.state(psi), s.stock.item_stock("PARA500", "AXP").reserved) == ("closed", D("0"))


def test_free_goods_consume_only_free_order_lines(shop, cashier):
    s = shop
    # ordered by a customer without the flag: no free line on the order
    so = s.orders.confirm(cashier, doc([("PARA500", None, "30")], "SO", customer="C0002",
                                       sales_person="SP02")).number
    with s.db.write() as ss:
        c = ss.execute(select(Customer).where(Customer.code == "C0002")).scalar_one()
        c.free_offer = True
        ss.add(c)
    d = s.orders.to_invoice(so)
    d.lines[0].qty = "20"
    r = s.sales.post_invoice(cashier, d)
    assert [l.qty for l in s.sales.document(r.number).lines if l.is_free] == [D("3")]
    # the 3 free goods do not eat into the 10 still ordered
    assert [(l.invoiced, l.remaining) for l in s.orders.order_lines(so)] == [(D("20"), D("10"))]
    assert s.stock.item_stock("PARA500", "AXP").reserved == D("10")

    # an order with a free line, invoiced in full by an invoice that gives none: the free line is released
    so2 = s.orders.confirm(cashier, doc([("PARA500", None, "20")], "SO")).number
    with s.db.write() as ss:
        c = ss.execute(select(Customer).where(Customer.code == "C0001")).scalar_one()
        c.free_offer = False
        ss.add(c)
    s.sales.post_invoice(cashier, s.orders.to_invoice(so2))
    assert [(l.is_free, l.remaining) for l in s.orders.order_lines(so2)] == [(False, D("0")), (True, D("0"))]
    assert s.orders.state(so2) == "closed"
    assert s.stock.item_stock("PARA500", "AXP").reserved == D("10")


def test_the_promotion_reason_sets_the_expense_account_the_free_goods_post_to(shop, cashier, manager):
    """A reason "Free samples" on 6250 (a new expense account): the scheme chosen with it posts its
    free goods' cost there — 20 paid → 3 free × 1.60 = 4.80 Dr 6250 / Cr 1300; renaming the reason's
    account moves the scheme's next free goods with it."""
    s = shop
    admin = s.users.login("admin", "9999")
    s.masters.create_account(admin, code="6250", name="Samples given away", kind="expense")
    with pytest.raises(Exception) as exc:
        s.masters.create_promotion_reason(manager, code="BAD", name="Wrong", expense_account="1300")
    assert (exc.value.field, exc.value.message) == (
        "expense_account", "Expense account 1300 is not an expense account (asset): choose an expense account")
    reason = s.masters.create_promotion_reason(manager, code="SMPL", name="Samples", expense_account="6250")
    assert (reason.code, reason.name, reason.expense_account, reason.expense_account_name) == (
        "SMPL", "Samples", "6250", "Samples given away")
    promo = s.masters.update_promotion(manager, "SP000001", reason="smpl")
    assert (promo.reason, promo.reason_name, promo.expense_account) == ("SMPL", "Samples", "6250")
    assert [(r.code, r.name) for r in s.lookup("promotion_reason", "samp")] == [("SAMPLE", "Free samples"),
                                                                              ("SMPL", "Samples")]
    r = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "20")]))
    v = s.sales.document(r.number)
    assert [(j.account, j.amount_usd) for j in v.journal][-2:] == [("6250", D("4.80")), ("1300", D("-4.80"))]
    assert sum(j.amount_usd for j in v.journal) == 0
    # the reason's account changes: the scheme follows
    s.masters.update_promotion_reason(manager, "SMPL", name="Samples", expense_account="6200")
    assert s.masters.get_promotion("SP000001").expense_account == "6200"
    r2 = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "20")]))
    assert [(j.account, j.amount_usd) for j in s.sales.document(r2.number).journal][-2:] == [
        ("6200", D("4.80")), ("1300", D("-4.80"))]
    history = s.masters.history("promotion_reason", "SMPL")
    assert [h.action for h in history] == ["create", "update"]
