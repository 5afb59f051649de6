"""Loyalty by Customer Category, and a Customer Category linked to its price list (seed masters).

Invoice to C0001 (category WH "WHOLESALE", card Standard): 50 PARA500 at 2.20 wholesale = 110.00,
slab 3 % 3.30 → 106.70, VAT 16 % 17.07 → net 123.77 USD. Standard earns only for retail (10 USD
per point): 0 points. A rule for the category WH at 20 USD per point: floor(123.77 / 20) = 6; a
rule for the wholesale price list at 5 USD per point does not change it (the category's rule
wins): 6. A new category INST on the wholesale price list: its customer, created with no price
category, buys at 2.20; with no INST rule it earns by its price list: floor(123.77 / 5) = 24.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ValidationError
from shopterm.store.models import LoyaltyTransaction

from .conftest import DAY


def sale(s, cashier, customer: str) -> int:
    r = s.sales.post_invoice(cashier, DocumentDraft(
        location="AXP", date=DAY, customer=customer, sales_type="credit", currency="USD", rate="2850",
        sales_person="SP01", lines=[DraftLine("PARA500", "B001", "50")]))
    assert s.sales.document(r.number).totals.net == D("123.77")
    with s.db.read() as ss:
        return int(ss.execute(select(func.coalesce(func.sum(LoyaltyTransaction.points), 0))
                              .where(LoyaltyTransaction.document_id == r.document_id)).scalar())


def test_loyalty_follows_the_customer_category_then_the_price_list(open_shop, cashier, manager):
    s = open_shop
    retail = {"price_category": "retail", "sales_amount_per_point": "10"}
    assert [(c.code, c.price_category) for c in s.masters.list_categories().rows] == [
        ("RE", "retail"), ("WH", "wholesale")]
    assert sale(s, cashier, "C0001") == 0
    card = s.masters.update_loyalty_card(manager, "Standard", categories=[
        retail, {"customer_category": "WH", "sales_amount_per_point": "20"}])
    assert [(c.price_category, c.customer_category, c.sales_amount_per_point) for c in card.categories] == [
        ("retail", None, D("10.00")), ("", "WH", D("20.00"))]
    assert sale(s, cashier, "C0001") == 6
    s.masters.update_loyalty_card(manager, "Standard", categories=[
        retail, {"customer_category": "wholesale", "sales_amount_per_point": "20"},  # by its name too
        {"price_category": "wholesale", "sales_amount_per_point": "5"}])
    assert sale(s, cashier, "C0001") == 6

    inst = s.masters.create_category(manager, name="Institutional", code="INST", price_category="wholesale")
    assert (inst.code, inst.name, inst.price_category) == ("INST", "INSTITUTIONAL", "wholesale")
    c = s.masters.create_customer(manager, name="Hôpital Général", category="INST", group="Fleuve Group",
                                  sales_person="SP01", locations=["AXP"], credit_limit_usd="1000", credit_days="30",
                                  mobile="+243 820 000 222", loyalty_card="Standard")
    assert c.price_category == "wholesale"  # the category's price list
    assert sale(s, cashier, c.code) == 24

    with pytest.raises(ValidationError) as exc:
        s.masters.update_loyalty_card(manager, "Standard", categories=[
            {"customer_category": "WH", "sales_amount_per_point": "20"},
            {"customer_category": "wh", "sales_amount_per_point": "30"}])
    assert (exc.value.field, exc.value.message) == ("categories", "row 2: WH is already on an earlier row")
    with pytest.raises(ValidationError) as exc:
        s.masters.update_loyalty_card(manager, "Standard", categories=[
            {"customer_category": "NOPE", "sales_amount_per_point": "20"}])
    assert exc.value.message == "row 1: Customer category NOPE not found"
    with pytest.raises(ValidationError) as exc:
        s.masters.create_category(manager, name="Gov", code="GOV", price_category="vip")
    assert exc.value.field == "price_category"
