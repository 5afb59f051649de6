"""The Summary tabs of Sales Promotion, Discount Slabs and Loyalty Card: what each gave on posted
documents (documents, quantities, value), figures worked by hand.

Scheme SP000001 on PARA500 (10–19 → 1 free, 20+ → 3 free) for C0001 (free offers on); the card
"Standard" also earns for wholesale customers at 20 USD per point; slab DS0001 (100–499: 3 %).

Invoice 1: 50 PARA500 at 2.20 wholesale = 110.00; slab 3 % = 3.30 → 106.70; VAT 16 % 17.07
→ net 123.77 USD; 3 free PARA500 at cost 1.60 = 4.80; points floor(123.77 / 20) = 6.
Provisional invoice: 10 PARA500 = 22.00 (slab 0 %), VAT 3.52 → 25.52; 1 free = 1.60; 1 point.
Invoice 2, CDF: 100 BAND01 at 1.10 × 2850 = 3,135 CDF = 313,500.00 CDF (110.00 USD: slab 3 %
9,405.00 CDF = 3.30 USD), no VAT → 304,095.00 CDF = 106.70 USD → 5 points. Slab: 2 invoices,
150 sold, 3.30 + 3.30 = 6.60 USD of discount; card: 6 + 1 + 5 = 12 points on 3 documents.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.store.models import Customer

from .conftest import DAY


def doc(lines, doc_type="SI", **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type=doc_type, date=DAY, customer="C0001", sales_type="credit",
                currency="USD", rate="2850", sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


@pytest.fixture
def shop(open_shop, manager):
    s = open_shop
    s.masters.create_promotion(manager, item="PARA500", reason="VOL", cost_centre="SHOP",
                               scheme_date=dt.date(2026, 1, 1), locations=["AXP"],
                               ranges=[{"min_qty": "10", "max_qty": "19", "free_qty": "1"},
                                       {"min_qty": "20", "max_qty": None, "free_qty": "3"}])
    s.masters.update_loyalty_card(manager, "Standard", categories=[
        {"price_category": "retail", "sales_amount_per_point": "10"},
        {"price_category": "wholesale", "sales_amount_per_point": "20"}])
    with s.db.write() as ss:
        c = ss.execute(select(Customer).where(Customer.code == "C0001")).scalar_one()
        c.free_offer = True
        ss.add(c)
    return s


def rows(summary):
    return [(r.label, r.documents, r.qty, r.value_usd) for r in summary.rows]


def test_summaries_of_a_promotion_a_slab_table_and_a_loyalty_card(shop, cashier):
    s = shop
    nothing = s.masters.promotion_summary("SP000001")
    assert (nothing.total_documents, nothing.total_qty, nothing.total_value_usd) == (0, D("0"), D("0.00"))
    inv = s.sales.post_invoice(cashier, doc([("PARA500", "B001", "50")]))
    v = s.sales.document(inv.number)
    assert (v.totals.flat_amount, v.totals.net) == (D("3.30"), D("123.77"))
    s.provisional.post(cashier, doc([("PARA500", "B001", "10")], doc_type="PI"))
    cdf = s.sales.post_invoice(cashier, doc([("BAND01", "D001", "100")], currency="CDF"))
    assert s.sales.document(cdf.number).totals.flat_amount == D("9405.00")

    promo = s.masters.promotion_summary("SP000001")
    assert rows(promo) == [("Sales invoices", 1, D("3"), D("4.80")), ("Provisional invoices", 1, D("1"), D("1.60"))]
    assert (promo.total_documents, promo.total_qty, promo.total_value_usd) == (2, D("4"), D("6.40"))

    slab = s.masters.slab_summary("DS0001")
    assert rows(slab) == [("Sales invoices", 2, D("150"), D("6.60")), ("Provisional invoices", 0, D("0"), D("0.00"))]
    assert (slab.total_documents, slab.total_value_usd) == (2, D("6.60"))

    card = s.masters.loyalty_card_summary("Standard")
    assert rows(card) == [("Points earned", 3, D("12"), D("0.00")), ("Points redeemed", 0, D("0"), D("0.00")),
                          ("Points reversed", 0, D("0"), D("0.00"))]
    assert (card.total_documents, card.total_qty) == (3, D("12"))
