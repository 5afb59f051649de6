"""Loyalty points inside documents, to the point: earned on invoices (net USD / 10 per
point), reversed by returns down to what the net left earns (cumulative), redeemed on a provisional
invoice (0.10 USD a point, Dr 6300, payable lowered) within the points held and the
30-day frequency, a return sharing the redemption, a cancellation restoring it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ValidationError
from shopterm.services.headless import post_documents
from shopterm.services.sales.provisional import DeliveryDraft, DeliveryLine
from shopterm.services.sales.returns import ReturnDraft, ReturnLine
from shopterm.store.models import LoyaltyCard, LoyaltyCardCategory

from .conftest import DAY

WORKED = [("PARA500", "B001", "10", "2.50", "10", "0"), ("AMOX250", "A001", "3", "7.99", "0", "1.00"),
          ("BAND01", "D001", "4", "1.25", "0", "0")]


@pytest.fixture
def shop(open_shop):
    """The demo card earns for wholesale customers too (as ``shopterm demo`` sets it up): 10 USD a point."""
    with open_shop.db.write() as ss:
        card = ss.execute(select(LoyaltyCard).where(LoyaltyCard.name == "Standard")).scalar_one()
        ss.add(LoyaltyCardCategory(card_id=card.id, price_category="wholesale", sales_amount_per_point=D("10")))
    return open_shop


def doc(lines, doc_type="SI", **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type=doc_type, date=DAY, customer="C0001", sales_type="credit",
                currency="USD", rate="2850", sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def ret(number, lines, based_on="invoice") -> ReturnDraft:
    return ReturnDraft(location="AXP", date=DAY, based_on=based_on, invoice=number, narration="returned",
                       lines=[ReturnLine(*l) for l in lines])


def test_earn_reverse_redeem_to_the_point(shop, cashier):
    s = shop
    # 54.86 USD → floor(5.486) = 5 points
    si1 = s.sales.post_invoice(cashier, doc(WORKED, flat_discount_type="percent", flat_discount_value="5")).number
    assert s.loyalty.points("C0001") == 5
    # 100 × 2.20 = 220.00, slab 3 % → 6.60, VAT q2(213.40 × .16) = 34.14 → net 247.54 → 24 points
    si2 = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "100")])).number
    assert s.sales.document(si2).totals.net == D("247.54")
    assert s.loyalty.points("C0001") == 29
    with s.db.read() as ss:
        from shopterm.store.models import Document

        assert ss.execute(select(Document.loyalty_points).where(Document.number == si2)).scalar_one() == 24

    # 40 returned: 88.00 − 2.64 + 13.66 = 99.02; the 148.52 left earn floor(14.852) = 14: 10 taken back
    r1 = s.returns.post(cashier, ret(si2, [("PARA500", "40")]))
    assert s.returns.document(r1.number).totals.net == D("99.02")
    assert s.loyalty.points("C0001") == 19
    # the other 60: the invoice's 24 points are reversed in all, 14 now
    assert s.returns.preview(ret(si2, [("PARA500", "60")])).loyalty_points == 14
    s.returns.post(cashier, ret(si2, [("PARA500", "60")]))
    assert s.loyalty.points("C0001") == 5

    # redemption on a provisional invoice: BAND01 10 × 1.10 = 11.00 (no VAT); 5 points × 0.10 = 0.50
    p = s.provisional.preview(doc([("BAND01", None, "10")], "PI", redemption_points="5"))
    assert p.ok, p.warnings
    lo = p.loyalty
    assert (lo.card, lo.points_held, lo.redemption_points, lo.value_per_point, lo.redemption_value,
            lo.points_earned, lo.points_after) == ("Standard", 5, 5, D("0.10"), D("0.50"), 1, 1)
    assert (p.totals.net, p.totals.redemption_value, p.totals.payable, p.totals.payable_usd,
            p.totals.payable_cdf) == (D("11.00"), D("0.50"), D("10.50"), D("10.50"), D("29900.00"))
    psi = s.provisional.post(cashier, doc([("BAND01", None, "10")], "PI", redemption_points="5")).number
    assert [(j.account, j.amount_usd) for j in s.sales.document(psi).journal] == [
        ("1200", D("10.50")), ("6300", D("0.50")), ("4000", D("-11.00"))]
    assert s.loyalty.points("C0001") == 1

    # only what is held; once every 30 days
    with pytest.raises(ValidationError) as e:
        s.provisional.post(cashier, doc([("BAND01", None, "1")], "PI", redemption_points="2"))
    assert (e.value.message, e.value.field) == ("Redemption points: only 1 point held", "redemption_points")
    with pytest.raises(ValidationError) as e:
        s.sales.post_invoice(cashier, doc([("BAND01", "D001", "1")], redemption_points="1"))
    assert e.value.message == "Redemption points: points can be redeemed again on 2026-12-23"
    st = s.loyalty.status("C0001")
    assert (st.card, st.points, st.value_usd, st.last_redemption, st.next_redemption) == (
        "Standard", 1, D("0.10"), DAY, dt.date(2026, 12, 23))

    # deliver it all, return 4 against the delivery note: 4.40 net, redemption share q2(0.50 × 4.40/11.00) = 0.20,
    # credit 4.20; the 1 point earned on 11.00 goes: the 6.60 left earn floor(0.66) = 0
    dn = s.provisional.post_delivery(cashier, DeliveryDraft(location="AXP", date=DAY, customer="C0001", psi_no=psi,
                                                            lines=[DeliveryLine("BAND01", "10")])).number
    r = s.returns.post(cashier, ret(dn, [("BAND01", "4")], "delivery_note"))
    v = s.returns.document(r.number)
    assert (v.totals.net, v.totals.receivable) == (D("4.40"), D("4.20"))
    assert [(j.account, j.amount_usd) for j in v.journal] == [
        ("1200", D("-4.20")), ("4010", D("4.40")), ("6300", D("-0.20")), ("1300", D("2.80")), ("5000", D("-2.80"))]
    assert s.loyalty.points("C0001") == 0

    hist = s.loyalty.history("C0001")
    assert [(h.kind, h.points, h.value_usd, h.number, h.balance) for h in hist] == [
        ("earn", 5, D("0"), si1, 5), ("earn", 24, D("0"), si2, 29), ("reverse", -10, D("0"), r1.number, 19),
        ("reverse", -14, D("0"), "261101SR000002", 5), ("earn", 1, D("0"), psi, 6),
        ("redeem", -5, D("0.50"), psi, 1), ("reverse", -1, D("0"), r.number, 0)]
    assert [h.balance for h in s.loyalty.history("C0001", limit=2, offset=2)] == [19, 5]


def test_a_partial_return_takes_back_only_the_points_the_net_left_no_longer_earns(shop, cashier):
    """80 PARA500 to C0001 (wholesale 2.20): 176.00, slab 3 % = 5.28, VAT q2(170.72 × 0.16) = 27.32,
    net 198.04 USD: floor(19.804) = 19 points. 3 returned: 6.60 − flat share 0.20 = 6.40 + VAT 1.02
    = 7.42; the 190.62 left still earn 19: none taken back (it took round(19 × 7.42 / 198.04 =
    0.71) = 1). 3 more: 183.20 left earn 18, 1 taken back. The other 74: all 19 gone, 18 now."""
    s = shop
    si = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "80")])).number
    assert (s.sales.document(si).totals.net, s.loyalty.points("C0001")) == (D("198.04"), 19)
    r1 = s.returns.post(cashier, ret(si, [("PARA500", "3")]))
    assert (s.returns.document(r1.number).totals.net, s.loyalty.points("C0001")) == (D("7.42"), 19)
    r2 = s.returns.post(cashier, ret(si, [("PARA500", "3")]))
    assert (s.returns.document(r2.number).totals.net, s.loyalty.points("C0001")) == (D("7.42"), 18)
    assert s.returns.preview(ret(si, [("PARA500", "74")])).loyalty_points == 18
    s.returns.post(cashier, ret(si, [("PARA500", "74")]))
    assert s.loyalty.points("C0001") == 0


def test_a_return_after_the_cards_terms_changed_takes_points_back_in_proportion(shop, cashier):
    """The invoice's 19 points (198.04 USD at 10 USD a point); the card now asks 20 USD a point, which
    would not give the invoice its 19: the 3 returned (7.42) take back round(19 × 7.42 / 198.04 =
    0.712) = 1."""
    s = shop
    si = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "80")])).number
    with s.db.write() as ss:
        row = ss.execute(select(LoyaltyCardCategory).where(LoyaltyCardCategory.price_category == "wholesale")).scalar_one()
        row.sales_amount_per_point = D("20")
    s.returns.post(cashier, ret(si, [("PARA500", "3")]))
    assert s.loyalty.points("C0001") == 18


def test_redemption_rules(shop, cashier):
    s = shop
    s.sales.post_invoice(cashier, doc([("PARA500", "B001", "100")]))  # 24 points
    with pytest.raises(ValidationError) as e:  # 24 × 0.10 = 2.40 > 1.10 due
        s.provisional.post(cashier, doc([("BAND01", None, "1")], "PI", redemption_points=24))
    assert (e.value.message, e.value.field) == (
        "The loyalty redemption (2.40 USD) exceeds the amount due (1.10 USD)", "redemption_points")
    with pytest.raises(ValidationError) as e:
        s.provisional.post(cashier, doc([("BAND01", None, "1")], "PI", customer="CASH", sales_type="cash",
                                        redemption_points=1))
    assert e.value.message == "Redemption points: CASH has no loyalty card"
    with pytest.raises(ValidationError) as e:
        s.provisional.post(cashier, doc([("BAND01", None, "1")], "PI", redemption_points="1.5"))
    assert e.value.message == "Redemption points: a whole number of points, not '1.5'"
    # a preview warns and leaves the redemption out of the totals
    p = s.provisional.preview(doc([("BAND01", None, "1")], "PI", redemption_points=30))
    assert p.warnings == ["Redemption points: only 24 points held"]
    assert (p.totals.payable, p.loyalty.redemption_points) == (D("1.10"), 0)


def test_cancelling_the_provisional_invoice_restores_points(shop, cashier, manager):
    s = shop
    s.sales.post_invoice(cashier, doc([("PARA500", "B001", "100")]))  # 24 points
    out = post_documents(s, cashier, {"type": "provisional_invoice", "customer": "C0001", "sales_person": "SP01",
                                      "redemption_points": "20", "lines": [{"item": "PARA500", "qty": "10"}]})
    assert out.ok, out.error
    psi = out.posted[0]["number"]
    # 10 × 2.20 = 22.00 + 3.52 = 25.52 → 2 points; 20 redeemed = 2.00 → payable 23.52
    t = out.posted[0]["totals"]
    assert (t["payable"], t["loyalty_points"], t["redemption_points"], t["redemption_value_usd"]) == (
        "23.52", 2, 20, "2.00")
    assert s.loyalty.points("C0001") == 6
    s.provisional.cancel(manager, psi)
    assert s.loyalty.points("C0001") == 24
    assert [(h.kind, h.points) for h in s.loyalty.history("C0001")][-2:] == [("reverse", -2), ("restore", 20)]
    # the cancelled redemption no longer counts for the 30 days
    assert s.loyalty.status("C0001").next_redemption is None
    p = s.provisional.preview(doc([("PARA500", None, "10")], "PI", redemption_points=24))
    assert p.ok and p.totals.payable == D("23.12")
