"""Sales Return (against an invoice, a provisional invoice or a delivery note) and Direct
Return: amounts shared from the original lines to the cent, the reversal journal,
stock back into the batch, ledger matching, a cash refund through the Sales
Receipt, a CDF original with its cash rounding, every rule's message, headless."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import NotFound, ValidationError
from shopterm.services.headless import post_documents
from shopterm.services.sales.provisional import DeliveryDraft, DeliveryLine
from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine, ReturnDraft, ReturnLine
from shopterm.store.models import Batch, Customer, Item, LedgerEntry, StockMove

from .conftest import DAY


def inv_draft(lines, **kw) -> DocumentDraft:
    args = dict(location="AXP", date=DAY, customer="C0001", sales_type="credit", currency="USD", rate="2850",
                sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


# DESIGN §4's worked example, sold to the cash customer: net 54.86
WORKED = [("PARA500", "B001", "10", "2.50", "10", "0"), ("AMOX250", "A001", "3", "7.99", "0", "1.00"),
          ("BAND01", "D001", "4", "1.25", "0", "0")]


def worked_cash_sale(s, cashier) -> str:
    return s.sales.post_invoice(cashier, inv_draft(WORKED, customer="CASH", sales_type="cash",
                                                   flat_discount_type="percent", flat_discount_value="5")).number


def ret(number, lines, based_on="invoice", narration="Damaged goods", **kw) -> ReturnDraft:
    return ReturnDraft(location="AXP", date=DAY, based_on=based_on, invoice=number, narration=narration,
                       lines=[ReturnLine(*l) for l in lines], **kw)


def stock_of(s, item: str, batch: str) -> D:
    with s.db.read() as ss:
        b = ss.execute(select(Batch).join(Item, Item.id == Batch.item_id)
                       .where(Item.code == item, Batch.code == batch)).scalar_one()
        return s.stock.on_hand(ss, b.item_id, 1, b.id)


def journal(s, number: str) -> list[tuple[str, D]]:
    return [(j.account, j.amount_usd) for j in s.sales.document(number).journal]


def entries(s, customer: str) -> list[tuple[str, D, D]]:
    with s.db.read() as ss:
        cid = ss.execute(select(Customer.id).where(Customer.code == customer)).scalar_one()
        return [(e.voucher_type, e.amount_usd, e.open_usd) for e in ss.execute(
            select(LedgerEntry).where(LedgerEntry.customer_id == cid).order_by(LedgerEntry.id)).scalars()]


def test_partial_return_then_cash_refund_then_the_rest(open_shop, cashier):
    s = open_shop
    si = worked_cash_sale(s, cashier)
    s.cash.post_receipt(cashier, invoice=si, received_usd="54.86")  # paid in full: the invoice is closed
    assert [r.number for r in s.returns.returnable("invoice", "CASH")] == [si]
    assert [(l.line_no, l.item, l.batch, l.balance) for l in s.returns.return_lines("invoice", si)] == [
        (1, "PARA500", "B001", D("10")), (2, "AMOX250", "A001", D("3")), (3, "BAND01", "D001", D("4"))]

    # 4 of line 1 (gross 25.00, disc 2.50, share 1.12, tax 3.42): 10.00, 1.00, 0.45, 1.37 → net 9.92
    # all of line 3 (gross 5.00, share 0.25, no VAT): net 4.75.  Credit 14.67; net sales 13.30.
    p = s.returns.preview(ret(si, [("PARA500", "4"), ("BAND01", "4")]))
    assert p.ok, p.warnings
    assert [(l.gross, l.discount_amount, l.flat_share, l.tax, l.net) for l in p.lines] == [
        (D("10.00"), D("1.00"), D("0.45"), D("1.37"), D("9.92")), (D("5.00"), D("0.00"), D("0.25"), D("0.00"),
                                                                   D("4.75"))]
    assert (p.total_qty, p.gross, p.discount, p.flat_discount, p.tax, p.net, p.credit) == (
        D("8"), D("15.00"), D("1.00"), D("0.70"), D("1.37"), D("14.67"), D("14.67"))
    r = s.returns.post(cashier, ret(si, [("PARA500", "4"), ("BAND01", "4")]))
    assert r.number == "261101SR000001"
    # cost back at the invoice's cost: 4 × 1.60 + 4 × 0.70 = 9.20
    assert journal(s, r.number) == [("1200", D("-14.67")), ("4010", D("13.30")), ("2100", D("1.37")),
                                    ("1300", D("9.20")), ("5000", D("-9.20"))]
    assert (stock_of(s, "PARA500", "B001"), stock_of(s, "BAND01", "D001")) == (D("494"), D("1000"))
    with s.db.read() as ss:
        assert ss.execute(select(StockMove.kind, StockMove.qty).where(StockMove.document_id == r.document_id)
                          .order_by(StockMove.id)).all() == [("return", D("4")), ("return", D("4"))]
    assert [(l.item, l.qty_returned) for l in s.sales.document(si).lines] == [
        ("PARA500", D("4")), ("AMOX250", D("0")), ("BAND01", D("4"))]
    v = s.returns.document(r.number)
    assert (v.extra["based_on"], v.extra["invoice"], v.narration) == ("invoice", si, "Damaged goods")
    # the invoice was paid: the credit stays open, refunded in cash through the Sales Receipt
    assert entries(s, "CASH") == [("SI", D("54.86"), D("0")), ("RC", D("-54.86"), D("0")),
                                  ("SR", D("-14.67"), D("-14.67"))]
    s.cash.post_refund(cashier, sales_return=r.number, returned_usd="14.67")
    assert entries(s, "CASH")[2:] == [("SR", D("-14.67"), D("0")), ("RC", D("14.67"), D("0"))]

    # the rest completes the invoice: line 1's remainder 15.00/1.50/0.67/2.05 → 14.88; line 2 whole → 25.31;
    # credit = 54.86 − 14.67 = 40.19
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "7")]))
    assert e.value.message == "Quantity 7 exceeds the balance 6 of line 1"
    r2 = s.returns.post(cashier, ret(si, [("PARA500", "6"), ("AMOX250", "3")]))
    v2 = s.returns.document(r2.number)
    assert [(l.gross, l.discount_amount, l.line_flat, l.flat_share, l.tax_amount) for l in v2.lines] == [
        (D("15.00"), D("1.50"), D("0.00"), D("0.67"), D("2.05")), (D("23.97"), D("0.00"), D("1.00"), D("1.15"),
                                                                   D("3.49"))]
    assert (v2.totals.net, v2.totals.receivable, v2.extra["final"]) == (D("40.19"), D("40.19"), True)
    assert s.returns.returnable("invoice", "CASH") == []
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "1")]))
    assert e.value.message == f"Invoice No. {si} not in Sales Return: already fully returned or wrong customer"


def test_a_usd_return_reports_the_cdf_rounding_of_its_credit_and_books_none(open_shop, cashier):
    """A USD return shows its credit in francs rounded to the cash increment (Pay FC) and the rounding that
    makes it (Rnd FC), as a USD invoice does; nothing of it is booked (the receivable is in USD)."""
    s = open_shop
    si = worked_cash_sale(s, cashier)  # net 54.86 = 156,351.00 CDF → 156,400 (+49.00), as DESIGN §4
    assert s.sales.document(si).totals.round_off_cdf == D("49.00")
    # credit 14.67 USD = 41,809.50 CDF → 41,800 CDF: Rnd FC −9.50
    p = s.returns.preview(ret(si, [("PARA500", "4"), ("BAND01", "4")]))
    assert (p.credit, p.credit_usd, p.credit_cdf, p.net_cdf, p.round_off) == (
        D("14.67"), D("14.67"), D("41800.00"), D("41809.50"), D("-9.50"))
    r = s.returns.post(cashier, ret(si, [("PARA500", "4"), ("BAND01", "4")]))
    v = s.returns.document(r.number)
    assert (v.totals.net_cdf, v.totals.round_off_cdf, v.totals.payable_cdf) == (
        D("41809.50"), D("-9.50"), D("41800.00"))
    assert "4100" not in [a for a, _ in journal(s, r.number)]
    # the rest (final): credit 40.19 USD = 114,541.50 CDF → 114,500 CDF: −41.50
    r2 = s.returns.post(cashier, ret(si, [("PARA500", "6"), ("AMOX250", "3")]))
    v2 = s.returns.document(r2.number)
    assert (v2.totals.payable, v2.totals.round_off_cdf, v2.totals.payable_cdf) == (
        D("40.19"), D("-41.50"), D("114500.00"))
    assert "4100" not in [a for a, _ in journal(s, r2.number)]


def test_return_on_an_open_credit_invoice_is_matched_against_it(open_shop, cashier):
    s = open_shop
    # C0001: 10 × 2.20 = 22.00 + VAT 3.52 = 25.52 (slab 0 %)
    si = s.sales.post_invoice(cashier, inv_draft([("PARA500", "B001", "10")])).number
    r = s.returns.post(cashier, ret(si, [("PARA500", "5")]))
    assert journal(s, r.number)[:3] == [("1200", D("-12.76")), ("4010", D("11.00")), ("2100", D("1.76"))]
    assert entries(s, "C0001") == [("SI", D("25.52"), D("12.76")), ("SR", D("-12.76"), D("0"))]
    assert s.ledger.balance(s.users.login("manager", "2222"), "C0001") == D("12.76")
    with pytest.raises(ValidationError) as e:  # nothing left to refund: the credit settled the invoice
        s.cash.post_refund(cashier, sales_return=r.number, returned_usd="1")
    assert e.value.message == f"Sales return {r.number} is already fully refunded"


def test_a_cdf_invoice_returned_in_two_parts_keeps_its_cash_rounding(open_shop, cashier):
    s = open_shop
    # BAND01 1.10 USD = 3,135.00 CDF (no VAT); 3 → 9,405.00, receivable 9,400 (round off −5)
    si = s.sales.post_invoice(cashier, inv_draft([("BAND01", "D001", "3")], currency="CDF")).number
    assert entries(s, "C0001") == [("SI", D("3.30"), D("3.30"))]  # 9,400 / 2850
    # 1 returned: net 3,135.00 → credit 3,100 (round off −35.00 CDF in the customer's disfavour… to the shop)
    r1 = s.returns.post(cashier, ret(si, [("BAND01", "1")]))
    v1 = s.returns.document(r1.number)
    assert (v1.totals.net, v1.totals.receivable, v1.totals.round_off_cdf) == (D("3135.00"), D("3100.00"),
                                                                             D("-35.00"))
    assert [(j.account, j.currency, j.amount, j.amount_usd) for j in v1.journal[:3]] == [
        ("1200", "CDF", D("-3100.00"), D("-1.09")), ("4010", "CDF", D("3135.00"), D("1.10")),
        ("4100", "CDF", D("-35.00"), D("-0.01"))]
    # the rest: net 6,270.00, credit = 9,400 − 3,100 = 6,300 (round off +30)
    r2 = s.returns.post(cashier, ret(si, [("BAND01", "2")]))
    v2 = s.returns.document(r2.number)
    assert (v2.totals.net, v2.totals.receivable, v2.totals.round_off_cdf) == (D("6270.00"), D("6300.00"),
                                                                             D("30.00"))
    with s.db.read() as ss:
        rows = ss.execute(select(LedgerEntry.voucher_type, LedgerEntry.amount, LedgerEntry.open_amount)
                          .order_by(LedgerEntry.id)).all()
    assert rows == [("SI", D("9400.00"), D("0")), ("SR", D("-3100.00"), D("0")), ("SR", D("-6300.00"), D("0"))]


def test_return_against_a_delivery_note_and_a_provisional_invoice(open_shop, cashier):
    s = open_shop
    psi = s.provisional.post(cashier, inv_draft([("PARA500", None, "20")], doc_type="PI")).number
    dn1 = s.provisional.post_delivery(cashier, DeliveryDraft(location="AXP", date=DAY, customer="C0001", psi_no=psi,
                                                             lines=[DeliveryLine("PARA500", "8", "B002")])).number
    s.provisional.post_delivery(cashier, DeliveryDraft(location="AXP", date=DAY, customer="C0001", psi_no=psi,
                                                       lines=[DeliveryLine("PARA500", "5", "B001")]))
    assert s.returns.returnable("invoice", "C0001")[0].balance == D("13")  # delivered, not yet returned
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(dn1, [("PARA500", "1")]))
    assert e.value.message == f"Invoice No. {dn1} is a delivery note: choose Return Based On = delivery_note"
    # 3 of the 8 delivered by DN1, back into B002: 20 × 2.20 = 44.00, VAT 7.04 → 3/20: 6.60 + 1.06 = 7.66
    r = s.returns.post(cashier, ret(dn1, [("PARA500", "3")], based_on="delivery_note"))
    assert journal(s, r.number) == [("1200", D("-7.66")), ("4010", D("6.60")), ("2100", D("1.06")),
                                    ("1300", D("4.80")), ("5000", D("-4.80"))]
    assert stock_of(s, "PARA500", "B002") == D("95")  # 100 − 8 + 3
    assert [(l.qty_done, l.qty_returned) for l in s.sales.document(psi).lines] == [(D("13"), D("3"))]
    assert [l.balance for l in s.returns.return_lines("delivery_note", dn1)] == [D("5")]
    # against the PI itself: what is delivered and not returned, batch by batch
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(psi, [("PARA500", "6", "B001")]))
    assert e.value.message == "Quantity 6 exceeds the balance 5 of line 1"
    r2 = s.returns.post(cashier, ret(psi, [("PARA500", "5", "B001")]))
    assert stock_of(s, "PARA500", "B001") == D("500")
    assert [l.balance for l in s.returns.return_lines("invoice", psi)] == [D("5")]  # 13 − 8
    assert s.returns.document(r2.number).lines[0].batch == "B001"
    # 5/20 of the PI: 11.00 + 1.76 = 12.76; the PI is left owing 51.04 − 7.66 − 12.76 = 30.62
    assert entries(s, "C0001") == [("PI", D("51.04"), D("30.62")), ("SR", D("-7.66"), D("0")),
                                   ("SR", D("-12.76"), D("0"))]


def test_sales_return_rules(open_shop, cashier):
    s = open_shop
    si = s.sales.post_invoice(cashier, inv_draft([("PARA500", "B001", "10")])).number
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "1")], narration="  "))
    assert (e.value.message, e.value.field) == ("Narration is required: enter the reason for the return", "narration")
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "1")], customer="C0002"))
    assert e.value.message == f"Invoice No. {si} not in Sales Return: already fully returned or wrong customer"
    assert s.returns.returnable("invoice", "C0002") == []
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "1", "B002")]))
    assert e.value.message == f"Line 1: batch B002 is not the batch of line 1 of {si} (B001)"
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("AMOX250", "1")]))
    assert e.value.message == f"Line 1: AMOX250 is not on sales invoice {si}"
    with pytest.raises(NotFound) as e:
        s.returns.post(cashier, ret("261101SI000099", [("PARA500", "1")]))
    assert e.value.message == "Invoice No. 261101SI000099 not found"
    with pytest.raises(ValidationError) as e:
        s.returns.post(cashier, ret(si, [("PARA500", "1")], based_on="delivery"))
    assert e.value.message == "Return Based On: invoice or delivery_note, not 'delivery'"
    psi = s.provisional.post(cashier, inv_draft([("PARA500", None, "2")], doc_type="PI")).number
    with pytest.raises(ValidationError) as e:  # nothing delivered yet: nothing to return
        s.returns.post(cashier, ret(psi, [("PARA500", "1")]))
    assert e.value.message == f"Invoice No. {psi} not in Sales Return: already fully returned or wrong customer"
    p = s.returns.preview(ret(si, [("PARA500", "11")], narration=""))
    assert p.warnings == ["Narration is required: enter the reason for the return",
                          "Quantity 11 exceeds the balance 10 of line 1"]
    # drafts keep what was typed
    draft_id = s.returns.save_draft(cashier, ret(si, [("PARA500", "2")]))
    back = s.returns.load_draft(draft_id)
    assert (back.invoice, back.lines[0].qty, back.narration) == (si, "2", "Damaged goods")
    r = s.returns.post(cashier, back, draft_id)
    assert r.document_id == draft_id


def test_direct_return_creates_a_batch(open_shop, cashier, manager):
    s = open_shop
    s.masters.create_supplier(manager, code="SUP1", name="Pharma Supplies")

    def rd(lines, **kw):
        args = dict(location="AXP", date=DAY, customer="C0001", address="Av. du Commerce 12, Kinshasa",
                    narration="Returned from an old sale")
        args.update(kw)
        return DirectReturnDraft(lines=[DirectReturnLine(*l) for l in lines], **args)

    new = ("PARA500", "NEW1", "SUP1", "SB-77", "2028-01-31", "2", "2.20", "2026-01-31")
    with pytest.raises(ValidationError) as e:
        s.returns.post_direct(cashier, rd([new], address=""))
    assert (e.value.message, e.value.field) == ("Address is required", "address")
    for bad, message in (
        (("PARA500", "NEW1", "", "SB-77", "2028-01-31", "2", "2.20"), "Line 1: supplier is required"),
        (("PARA500", "NEW1", "SUP1", "", "2028-01-31", "2", "2.20"), "Line 1: supplier batch no is required"),
        (("PARA500", "NEW1", "SUP1", "SB-77", None, "2", "2.20"), "Line 1: expiry date is required"),
        (("PARA500", "", "SUP1", "SB-77", "2028-01-31", "2", "2.20"), "Line 1: batch is required"),
        (("PARA500", "B001", "SUP1", "SB-77", "2028-01-31", "2", "2.20"),
         "Line 1: batch B001 of PARA500 has expiry 2027-06-30, not 2028-01-31"),
    ):
        with pytest.raises(ValidationError) as e:
            s.returns.post_direct(cashier, rd([bad]))
        assert e.value.message == message
    with pytest.raises(NotFound) as e:
        s.returns.post_direct(cashier, rd([("PARA500", "NEW1", "SUP9", "SB-77", "2028-01-31", "2", "2.20")]))
    assert e.value.message == "Line 1: supplier SUP9 not found"

    p = s.returns.preview_direct(rd([new]))
    assert (p.ok, p.new_batches, p.totals.net) == (True, ("NEW1",), D("5.10"))
    r = s.returns.post_direct(cashier, rd([new, ("PARA500", "B001", "SUP1", "SB-1", "2027-06-30", "1", "2.20")]))
    assert r.number == "261101RD000001"
    # 4.40 + 2.20 = 6.60, VAT q2(0.704) + q2(0.352) = 0.70 + 0.35 = 1.05: credit 7.65;
    # stock in at the item's cost 3 × 1.60 = 4.80
    assert journal(s, r.number) == [("1200", D("-7.65")), ("4010", D("6.60")), ("2100", D("1.05")),
                                    ("5000", D("-4.80")), ("1300", D("4.80"))]
    assert (stock_of(s, "PARA500", "NEW1"), stock_of(s, "PARA500", "B001")) == (D("2"), D("501"))
    with s.db.read() as ss:
        b = ss.execute(select(Batch).where(Batch.code == "NEW1")).scalar_one()
        assert (b.expiry, b.mfg_date, b.supplier_batch_no, b.cost_usd) == (
            dt.date(2028, 1, 31), dt.date(2026, 1, 31), "SB-77", D("1.60"))
        assert ss.execute(select(func.count()).select_from(StockMove)
                          .where(StockMove.document_id == r.document_id, StockMove.kind == "direct_return")
                          ).scalar_one() == 2
    assert entries(s, "C0001") == [("RD", D("-7.65"), D("-7.65"))]  # a credit balance on the ledger
    v = s.returns.document(r.number)
    assert (v.extra["address"], v.contact_no) == ("Av. du Commerce 12, Kinshasa", "+243810000001")


def test_headless_returns(open_shop, cashier, manager):
    s = open_shop
    s.masters.create_supplier(manager, code="SUP1", name="Pharma Supplies")
    si = s.sales.post_invoice(cashier, inv_draft([("PARA500", "B001", "10")])).number
    out = post_documents(s, cashier, [
        {"type": "sales_return", "based_on": "invoice", "invoice": si, "narration": "Wrong item",
         "lines": [{"item": "PARA500", "qty": "5"}]},
        {"type": "direct_return", "customer": "C0001", "address": "Kinshasa", "narration": "old stock",
         "lines": [{"item": "BAND01", "batch": "D009", "supplier": "SUP1", "supplier_batch_no": "X1",
                    "expiry": "2030-01-31", "qty": "10", "price": "1.10"}]},
    ])
    assert out.ok, out.error
    assert [(p["number"], p["totals"]["credit"]) for p in out.posted] == [("261101SR000001", "12.76"),
                                                                            ("261101RD000001", "11.00")]
    bad = post_documents(s, cashier, {"type": "sales_return", "based_on": "invoice", "invoice": si,
                                      "lines": [{"item": "PARA500", "qty": "1"}]})
    assert bad.error["error"] == "sales_return: 'narration' is required"


def test_headless_sales_return_without_based_on_is_against_an_invoice(open_shop, cashier):
    """DESIGN §11: omitted fields take the screen's default; the screen's Return Based On is
    "invoice". 5 PARA500 back at 2.20 = 11.00 + VAT 16 % 1.76 = 12.76 credit, as with the field."""
    s = open_shop
    si = s.sales.post_invoice(cashier, inv_draft([("PARA500", "B001", "10")])).number
    out = post_documents(s, cashier, {"type": "sales_return", "invoice": si, "narration": "Wrong item",
                                      "lines": [{"item": "PARA500", "qty": "5"}]})
    assert out.ok, out.error
    assert [(p["number"], p["totals"]["credit"]) for p in out.posted] == [("261101SR000001", "12.76")]
    v = s.returns.document("261101SR000001")
    assert (v.extra["based_on"], v.extra["invoice"]) == ("invoice", si)
    bad = post_documents(s, cashier, {"type": "sales_return", "based_on": "receipt", "invoice": si,
                                      "narration": "x", "lines": [{"item": "PARA500", "qty": "1"}]})
    assert bad.error["field"].endswith("based_on") and "invoice, delivery_note" in bad.error["error"]


def test_direct_return_location_batch_flag_returns_only_into_this_locations_batches(open_shop, cashier, manager):
    """Seed "Location Batch Flag": on, a line's batch must be one AXP holds (B001: stock moves at
    AXP); a new code, or a batch known elsewhere but never at AXP (X9), is refused on its line.
    1 PARA500 at 2.20 + VAT 0.35 = 2.55 credit into B001 (500 → 501)."""
    s = open_shop
    s.masters.create_supplier(manager, code="SUP1", name="Pharma Supplies")
    with s.db.write() as ss:
        item = ss.execute(select(Item).where(Item.code == "PARA500")).scalar_one()
        ss.add(Batch(item_id=item.id, code="X9", expiry=dt.date(2028, 3, 31), cost_usd=D("1.60")))

    def rd(lines, **kw):
        args = dict(location="AXP", date=DAY, customer="C0001", address="Av. du Commerce 12, Kinshasa",
                    narration="Back to its shelf", location_batch=True)
        args.update(kw)
        return DirectReturnDraft(lines=[DirectReturnLine(*l) for l in lines], **args)

    held = ("PARA500", "B001", "SUP1", "SB-1", "2027-06-30", "1", "2.20")
    for line, batch in ((("PARA500", "NEW1", "SUP1", "SB-77", "2028-01-31", "2", "2.20"), "NEW1"),
                        (("PARA500", "X9", "SUP1", "SB-9", "2028-03-31", "2", "2.20"), "X9")):
        with pytest.raises(ValidationError) as e:
            s.returns.post_direct(cashier, rd([held, line]))
        assert (e.value.field, e.value.details.get("line"), e.value.message) == (
            "batch", 2, f"Line 2: batch {batch} of PARA500 is not a batch of AXP: with Location Batch Flag the goods "
                        "go back only into a batch this location holds (F2 lists them)")
    p = s.returns.preview_direct(rd([held, ("PARA500", "X9", "SUP1", "SB-9", "2028-03-31", "2", "2.20")]))
    assert not p.ok and p.warnings[0].startswith("Line 2: batch X9 of PARA500 is not a batch of AXP")
    r = s.returns.post_direct(cashier, rd([held]))
    assert s.returns.document(r.number).extra["location_batch"] is True
    assert journal(s, r.number)[0] == ("1200", D("-2.55"))
    assert stock_of(s, "PARA500", "B001") == D("501")
    # off (the default): the new batch is created as before
    r2 = s.returns.post_direct(cashier, rd([("PARA500", "NEW1", "SUP1", "SB-77", "2028-01-31", "2", "2.20")],
                                           location_batch=False))
    assert s.returns.document(r2.number).extra["location_batch"] is False
    assert stock_of(s, "PARA500", "NEW1") == D("2")
