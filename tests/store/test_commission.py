"""Sales Commission Payment: candidates, Save (draft, nothing posted, the seed's hint),
Approve_Save (manager or approval; Dr 6100 / Cr cash), double payment needing a
confirmation, the till's cash, CDF payments, every rule's message, headless."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.sales.commission import NOT_POSTING_HINT, CommissionAlreadyPaid, CommissionDraft, CommissionLine
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ApprovalRequired, InsufficientCash, NotFound, ValidationError
from shopterm.services.headless import post_documents
from shopterm.store.models import Document, JournalVoucher

from .conftest import DAY


def invoice(s, cashier, qty="10", customer="C0001", sp="SP01", agent=True) -> str:
    d = DocumentDraft(location="AXP", date=DAY, customer=customer, sales_type="credit", sales_person=sp,
                      agent_commission=agent, lines=[DraftLine("PARA500", "B001", qty)])
    return s.sales.post_invoice(cashier, d).number


def cp(lines, **kw) -> CommissionDraft:
    args = dict(location="AXP", date=DAY, sales_person="SP01", narration="November commission")
    args.update(kw)
    return CommissionDraft(lines=[CommissionLine(*l) for l in lines], **args)


def float_in(s, cashier, currency="USD", amount="100"):
    s.cash.post_shop_entry(cashier, kind="receipt", particulars="1900", cost_centre="SHOP", currency=currency,
                           amount=amount, narration="float from head office")


def test_candidates_save_and_approve(open_shop, cashier, manager):
    s = open_shop
    si1 = invoice(s, cashier)  # 10 × 2.20 = 22.00 + VAT 3.52 = 25.52 USD = 72,732 CDF
    si2 = invoice(s, cashier, "5", customer="C0002", sp="SP02")
    cands = s.commission.commission_candidates("SP01")
    assert [(c.number, c.customer, c.base_usd, c.local_cdf, c.paid_by) for c in cands] == [
        (si1, "C0001", D("25.52"), D("72732.00"), ())]
    float_in(s, cashier)

    draft_id = s.commission.save(cashier, cp([(si1, "2.50")]))
    view = s.commission.document(draft_id)
    assert (view.approved, view.hint, view.lines, view.total, view.document.number) == (
        False, NOT_POSTING_HINT, ((si1, D("2.50")),), D("2.50"), None)
    assert view.hint == ("Commission not posting: used Save instead of Approve_Save — use Approve_Save to confirm "
                         "and post")
    with s.db.read() as ss:
        assert ss.execute(select(func.count()).select_from(JournalVoucher)
                          .where(JournalVoucher.voucher_type == "CP")).scalar_one() == 0
    assert s.cash.cash_balance("AXP", "USD") == D("100.00")

    with pytest.raises(ApprovalRequired) as e:
        s.commission.approve(cashier, draft_id)
    assert e.value.message == "Approve_Save needs a manager's approval"
    r = s.commission.approve(cashier, draft_id, approver="manager", approver_pin="2222")
    assert (r.number, r.document_id) == ("261101CP000001", draft_id)
    view = s.commission.document(r.number)
    assert (view.approved, view.hint, view.total) == (True, None, D("2.50"))
    assert [(j.account, j.amount_usd) for j in view.document.journal] == [("6100", D("2.50")), ("1100", D("-2.50"))]
    assert view.document.approved_by == "manager"
    assert s.cash.cash_balance("AXP", "USD") == D("97.50")
    assert s.commission.commission_candidates("SP01")[0].paid_by == (r.number,)
    assert s.commission.commission_candidates("SP01", unpaid_only=True) == []

    # paying twice on the same invoice: a warning in the preview, a confirmation to post
    p = s.commission.preview(cp([(si1, "1.00")]))
    assert p.repeats == [f"Commission on {si1} was already paid by 261101CP000001 (2.50 USD) — confirm to pay it "
                         "again"]
    assert p.ok and p.lines[0].paid_by == ("261101CP000001",)
    with pytest.raises(CommissionAlreadyPaid) as e:
        s.commission.approve_save(manager, cp([(si1, "1.00")]))
    assert e.value.message == p.repeats[0]
    r2 = s.commission.approve_save(manager, cp([(si1, "1.00")]), confirm_repeat=True)
    assert r2.number == "261101CP000002"
    with s.db.read() as ss:
        doc = ss.execute(select(Document).where(Document.number == r2.number)).scalar_one()
        assert doc.extra["repeat_confirmed"] == p.repeats and doc.approved
    # the other sales person's invoice
    with pytest.raises(ValidationError) as e:
        s.commission.approve_save(manager, cp([(si2, "1.00")]))
    assert e.value.message == f"Line 1: invoice {si2} was raised by SP02, not SP01"


def test_commission_rules(open_shop, cashier, manager):
    s = open_shop
    si = invoice(s, cashier)
    float_in(s, cashier, amount="10")
    with pytest.raises(InsufficientCash) as e:
        s.commission.approve_save(manager, cp([(si, "12.00")]))
    assert e.value.message == "Not enough USD in the till: 10.00 held, 12.00 asked"
    p = s.commission.preview(cp([(si, "12.00")]))
    assert (p.enough_cash, p.balance_cash, p.cash_account, p.expense_account) == (False, D("10.00"), "1100", "6100")
    with pytest.raises(NotFound) as e:
        s.commission.approve_save(manager, cp([("261101SI000099", "1")]))
    assert e.value.message == "Line 1: invoice 261101SI000099 not found"
    with pytest.raises(ValidationError) as e:
        s.commission.approve_save(manager, cp([(si, "0")]))
    assert e.value.message == "Line 1: the amount payable must be greater than zero"
    with pytest.raises(ValidationError) as e:
        s.commission.approve_save(manager, cp([(si, "1"), (si, "1")]))
    assert e.value.message == f"Line 2: invoice {si} is already on line 1"
    with pytest.raises(ValidationError) as e:
        s.commission.approve_save(manager, cp([(si, "1")], sales_person=""))
    assert e.value.message == "Sales person is required"
    with pytest.raises(NotFound) as e:
        s.commission.commission_candidates("SP09")
    assert e.value.message == "Sales person SP09 not found"

    # in francs: 14,250 CDF at 2850 = 5.00 USD, paid from the CDF till
    float_in(s, cashier, "CDF", "20000")
    r = s.commission.approve_save(manager, cp([(si, "14250")], currency="CDF"))
    assert [(j.account, j.currency, j.amount, j.amount_usd) for j in s.commission.document(r.number).document.journal] \
        == [("6100", "CDF", D("14250.00"), D("5.00")), ("1110", "CDF", D("-14250.00"), D("-5.00"))]
    assert s.cash.cash_balance("AXP", "CDF") == D("5750.00")


def test_headless_commission_payment(open_shop, cashier):
    s = open_shop
    si = invoice(s, cashier)
    float_in(s, cashier)
    doc = {"type": "commission_payment", "sales_person": "SP01", "lines": [{"invoice": si,
                                                                           "amount_payable": "2.50"}]}
    out = post_documents(s, cashier, doc)
    assert out.ok, out.error
    assert (out.posted[0]["number"], out.posted[0]["approved"], out.posted[0]["hint"]) == (None, False,
                                                                                          NOT_POSTING_HINT)
    out = post_documents(s, cashier, {**doc, "approve": True, "approver": "manager", "approver_pin": "2222"})
    assert out.ok, out.error
    assert (out.posted[0]["number"], out.posted[0]["totals"]["total"]) == ("261101CP000001", "2.50")
    bad = post_documents(s, cashier, {**doc, "approve": True, "approver": "manager", "approver_pin": "2222"})
    assert bad.error["code"] == "commission_repeat"
    out = post_documents(s, cashier, {**doc, "approve": True, "confirm_repeat": True, "approver": "manager",
                                      "approver_pin": "2222"})
    assert out.ok and out.posted[0]["number"] == "261101CP000002"


def test_only_invoices_marked_agent_commission_earn_one(open_shop, cashier, manager):
    """Agent Commission? on the invoice decides: an invoice without it is not listed and is refused."""
    s = open_shop
    marked = invoice(s, cashier)  # 25.52 USD
    plain = invoice(s, cashier, "5", agent=False)
    assert s.sales.document(marked).agent_commission and not s.sales.document(plain).agent_commission
    assert [c.number for c in s.commission.commission_candidates("SP01")] == [marked]
    float_in(s, cashier)
    with pytest.raises(ValidationError) as e:
        s.commission.approve_save(manager, cp([(plain, "1.00")]))
    assert e.value.message == f"Line 1: invoice {plain} is not marked Agent Commission?, so it earns no commission"
    assert e.value.field == "invoice"
    assert s.commission.approve_save(manager, cp([(marked, "1.00")])).number == "261101CP000001"
