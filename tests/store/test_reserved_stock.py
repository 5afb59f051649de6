"""Reserved stock (issue 10 item 4, DESIGN §6): available = on hand − reserved by others.

Stock at AXP (conftest): PARA500 B001 500 + B002 100 = 600 on hand; nothing reserved at the start.
Confirmed orders and provisional invoices reserve (qty − qty_done); a line naming a batch reserves
on that batch too. A document uses its own reservation (an order it invoices, the provisional invoice
it delivers), never someone else's.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import InsufficientStock
from shopterm.services.sales.provisional import DeliveryDraft, DeliveryLine

from .conftest import DAY


def draft(doc_type: str, lines, **kw) -> DocumentDraft:
    args = dict(location="AXP", doc_type=doc_type, date=DAY, customer="C0001", currency="USD", rate="2850",
                sales_person="SP01")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def dn(psi: str, lines) -> DeliveryDraft:
    return DeliveryDraft(location="AXP", date=DAY, customer="C0001", psi_no=psi,
                         lines=[DeliveryLine(*l) for l in lines])


def stock(s, item: str = "PARA500"):
    st = s.stock.item_stock(item, "AXP")
    return st.current, st.reserved, st.available


def test_an_invoice_cannot_take_what_a_provisional_invoice_reserves(open_shop, cashier):
    """PI for 550 of the 600 PARA500: reserved 550, available 600 − 550 = 50.
    An invoice for 500 from B001 (which holds 500) is refused on the item: 500 > 50 available.
    50 posts: on hand 550, reserved 550, available 0; then even 1 more is refused.
    (On today's main the 500 posted and left 100 on hand for a 550 reservation.)"""
    s = open_shop
    s.provisional.post(cashier, draft("PI", [("PARA500", None, "550")]))
    assert stock(s) == (D("600"), D("550"), D("50"))
    with pytest.raises(InsufficientStock) as e:
        s.sales.post_invoice(cashier, draft("SI", [("PARA500", "B001", "500")]))
    assert e.value.message == "Insufficient stock: PARA500 has 600 on hand, 550 reserved, 50 available; 500 asked"
    assert e.value.field == "qty"
    assert stock(s) == (D("600"), D("550"), D("50"))  # nothing written
    preview = s.sales.preview(draft("SI", [("PARA500", "B001", "500")]))
    assert "Insufficient stock: PARA500 has 600 on hand, 550 reserved, 50 available; 500 asked" in preview.warnings
    s.sales.post_invoice(cashier, draft("SI", [("PARA500", "B001", "50")]))
    assert stock(s) == (D("550"), D("550"), D("0"))
    with pytest.raises(InsufficientStock) as e:
        s.sales.post_invoice(cashier, draft("SI", [("PARA500", "B002", "1")]))
    assert e.value.message == "Insufficient stock: PARA500 has 550 on hand, 550 reserved, 0 available; 1 asked"


def test_an_order_reserves_only_what_is_available_and_its_invoice_uses_it(open_shop, cashier):
    """SO for 450: reserved 450, available 150. A second SO for 200 is refused (200 > 150);
    an order for 150 is accepted (available 0). Invoicing the first order for 450 (400 B001 + 50 B002)
    uses its own reservation: on hand 600 − 450 = 150, reserved 150 (the second order), available 0."""
    s = open_shop
    so = s.orders.confirm(cashier, draft("SO", [("PARA500", None, "450")])).number
    with pytest.raises(InsufficientStock) as e:
        s.orders.confirm(cashier, draft("SO", [("PARA500", None, "200")]))
    assert e.value.message == "Insufficient stock: PARA500 has 600 on hand, 450 reserved, 150 available; 200 asked"
    s.orders.confirm(cashier, draft("PF", [("PARA500", None, "150")]))
    assert stock(s) == (D("600"), D("600"), D("0"))
    s.sales.post_invoice(cashier, draft("SI", [("PARA500", "B001", "400"), ("PARA500", "B002", "50")], order=so))
    assert stock(s) == (D("150"), D("150"), D("0"))


def test_a_delivery_takes_its_own_reserved_batch_but_not_another(open_shop, cashier):
    """PI-1 reserves 100 PARA500 on batch B002 (all it holds); PI-2 reserves 50 without a batch:
    reserved 150, available 450. Delivering PI-2 from B002 is refused: B002 holds 100, 100 reserved by
    PI-1, 0 available. PI-2 delivered from B001 and PI-1 from B002 (its own) both post: on hand 450,
    reserved 0."""
    s = open_shop
    pi1 = s.provisional.post(cashier, draft("PI", [("PARA500", "B002", "100")])).number
    pi2 = s.provisional.post(cashier, draft("PI", [("PARA500", None, "50")])).number
    assert stock(s) == (D("600"), D("150"), D("450"))
    with pytest.raises(InsufficientStock) as e:
        s.provisional.post_delivery(cashier, dn(pi2, [("PARA500", "50", "B002")]))
    assert e.value.message == ("Insufficient stock: batch B002 of PARA500 holds 100, 100 reserved, 0 available; "
                               "50 asked")
    with pytest.raises(InsufficientStock):  # an invoice cannot take the reserved batch either
        s.sales.post_invoice(cashier, draft("SI", [("PARA500", "B002", "1")]))
    s.provisional.post_delivery(cashier, dn(pi2, [("PARA500", "50", "B001")]))
    s.provisional.post_delivery(cashier, dn(pi1, [("PARA500", "100", "B002")]))
    assert stock(s) == (D("450"), D("0"), D("450"))
