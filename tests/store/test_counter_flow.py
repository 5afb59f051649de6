"""The counter flow's rules in the services (DESIGN §10, §12 "Counter flow").

* a new invoice's defaults: the walk-in cash customer and the currency from Shop
  Setup, the signed-in user's own sales person (the user master's link);
* the F2 item list with each item's price and available stock, and the exact
  code or barcode that picks one item;
* an approval the signed-in manager may give is not asked again, unless Shop
  Setup says "ask for the PIN even when a manager is signed in".
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.masters.imports import ImportService
from shopterm.services.errors import CreditLimitExceeded, NotFound, ValidationError
from shopterm.store.models import Item

from .conftest import DAY, actor, ask_pin_always


def set_barcode(services, code: str, barcode: str) -> None:
    admin = services.users.login("admin", "9999")
    services.masters.update_item(admin, code, barcode=barcode)


def test_new_invoice_defaults_walk_in_customer_currency_and_own_sales_person(services, cashier, admin):
    d = services.sales.new_invoice_defaults(cashier)
    assert (d.location, d.customer.code, d.customer.name, d.sales_type, d.currency, d.sales_person) == (
        "AXP", "CASH", "Walk-In Customer", "cash", "USD", None)
    info = services.users.update(admin, "cashier", sales_person="sp02")
    assert info.sales_person == "SP02"
    st = services.masters.get_shop_setup("AXP")
    services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", max_shortage_usd=st.max_shortage_usd,
                                     max_shortage_cdf=st.max_shortage_cdf, default_currency="cdf")
    d = services.sales.new_invoice_defaults(cashier)
    assert (d.customer.code, d.sales_type, d.currency, d.sales_person) == ("CASH", "cash", "CDF", "SP02")
    assert services.masters.get_shop_setup("AXP").default_currency == "CDF"
    # unlinking, and refusals naming the field
    assert services.users.update(admin, "cashier", sales_person="").sales_person is None
    with pytest.raises(NotFound) as err:
        services.users.update(admin, "cashier", sales_person="SP99")
    assert (err.value.message, err.value.field) == ("Sales person: SP99 not found", "sales_person")
    with pytest.raises(ValidationError) as err:
        services.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", default_currency="EUR")
    assert err.value.field == "default_currency"
    created = services.users.create(admin, "cashier2", "4444", "cashier", location="AXP", sales_person="SP03")
    assert created.sales_person == "SP03"


def test_item_choices_show_price_and_available_stock(open_shop, cashier):
    s = open_shop
    # 30 PARA500 reserved by a confirmed order: available = 600 on hand - 30
    s.orders.confirm(cashier, DocumentDraft(location="AXP", doc_type="SO", date=DAY, customer="C0001",
                                               sales_type="credit", currency="USD", sales_person="SP01",
                                               lines=[DraftLine(item="PARA500", qty="30")]))
    rows = s.sales.item_choices("a", "AXP", customer_code="CASH", currency="USD")
    by_code = {r.code: r for r in rows}
    assert by_code["PARA500"].price == D("2.50") and by_code["PARA500"].available == D("570")
    assert by_code["PARA500"].detail == "2.50 USD · avail 570 BOX"
    assert by_code["AMOX250"].detail == "7.99 USD · avail 200 BOX"
    # wholesale customer, CDF at the system rate 2850
    rows = s.sales.item_choices("BAND01", "AXP", customer_code="C0001", currency="CDF")
    assert [(r.code, r.detail) for r in rows] == [("BAND01", "3,135.00 CDF · avail 1,000 ROLL")]


def test_exact_code_first_and_barcode_picks_one_item(services):
    set_barcode(services, "BAND01", "6001234567890")
    with services.db.read() as s:
        assert s.exec(select(Item.barcode).where(Item.code == "BAND01")).one() == "6001234567890"
    rows = services.sales.item_choices("6001234567890", "AXP")
    assert [r.code for r in rows] == ["BAND01"]
    assert [r.code for r in services.lookup("item", "6001234567890")] == ["BAND01"]
    rows = services.sales.item_choices("AMOX250", "AXP")
    assert rows[0].code == "AMOX250"


def test_item_map_of_the_grids_holds_codes_and_barcodes(services):
    """services.item_codes (read once per grid): every active item's code and barcode, upper
    case, to its code. It raised NameError, so the grids resolved every code by a search."""
    set_barcode(services, "BAND01", "6001234567890")
    codes = services.item_codes()
    assert codes["BAND01"] == "BAND01" and codes["6001234567890"] == "BAND01"
    assert codes["PARA500"] == "PARA500" and codes["AMOX250"] == "AMOX250"
    assert all(k == k.upper() for k in codes)


def _band(qty: str) -> DocumentDraft:
    """BAND01 (no tax) at 1.25 for C0002 (limit 500), no flat discount: net = qty × 1.25."""
    return DocumentDraft(location="AXP", doc_type="SI", date=DAY, customer="C0002", sales_type="credit",
                         currency="USD", sales_person="SP02", flat_discount_type="amount", flat_discount_value="0",
                         lines=[DraftLine(item="BAND01", qty=qty, price="1.25")])


def _over_limit(services, cashier) -> DocumentDraft:
    services.sales.post_invoice(cashier, _band("360"))  # 450.00 owed of 500
    return _band("96")  # 120.00 more


def test_signed_in_manager_is_not_asked_for_the_credit_approval(open_shop, cashier, manager):
    over = _over_limit(open_shop, cashier)
    with pytest.raises(CreditLimitExceeded):
        open_shop.sales.post_invoice(cashier, over)
    assert open_shop.sales.preview(over, manager).warnings == []
    result = open_shop.sales.post_invoice(manager, over)
    view = open_shop.sales.document(result.number)
    assert (view.posted_by, view.approved_by) == ("manager", "manager")


def test_shop_setup_can_ask_the_pin_even_from_a_manager(open_shop, cashier, manager):
    over = _over_limit(open_shop, cashier)
    ask_pin_always(open_shop)
    assert open_shop.masters.get_shop_setup("AXP").approval_pin_always is True
    with pytest.raises(CreditLimitExceeded):
        open_shop.sales.post_invoice(manager, over)
    from dataclasses import replace

    result = open_shop.sales.post_invoice(manager, replace(over, approver="manager", approver_pin="2222"))
    assert open_shop.sales.document(result.number).approved_by == "manager"


def test_items_csv_imports_barcodes(services, tmp_path):
    admin = services.users.login("admin", "9999")
    path = tmp_path / "items.csv"
    path.write_text("code,name,unit,pack_size,tax_rate,cost_usd,barcode\n"
                    "GAUZE1,Gauze 10 cm,PCS,1,0,0.30,6001234500011\n"
                    "BAND01,Bandage roll 5 cm,ROLL,1,0,0.70,6001234500028\n", encoding="utf-8")
    result = ImportService(services).run(admin, "items", path)
    assert result.ok, result.errors
    assert services.masters.get_item("GAUZE1").barcode == "6001234500011"
    assert services.masters.get_item("BAND01").barcode == "6001234500028"
    # one item per barcode: the whole file is refused, the row named
    path.write_text("code,name,unit,pack_size,tax_rate,cost_usd,barcode\n"
                    "SYR5,Syringe 5 ml,PCS,1,16,0.10,6001234500011\n", encoding="utf-8")
    result = ImportService(services).run(admin, "items", path)
    assert not result.ok
    assert [(e.row, e.reason) for e in result.errors] == [
        (2, "Barcode 6001234500011 is already item GAUZE1 (Gauze 10 cm)")]
    # the documented columns alone still import (and keep the barcode)
    path.write_text("code,name,unit,pack_size,tax_rate,cost_usd\nBAND01,Bandage roll 5 cm,ROLL,1,0,0.75\n",
                    encoding="utf-8")
    assert ImportService(services).run(admin, "items", path).ok
    assert services.masters.get_item("BAND01").barcode == "6001234500028"


def test_cancelling_asks_a_managers_pin_only_when_shop_setup_says_so(open_shop, cashier, manager):
    from shopterm.services.errors import ApprovalRequired

    def order() -> str:
        return open_shop.orders.confirm(cashier, DocumentDraft(
            location="AXP", doc_type="SO", date=DAY, customer="C0001", sales_type="credit", currency="USD",
            sales_person="SP01", lines=[DraftLine(item="PARA500", qty="5")])).number

    first, second = order(), order()
    with pytest.raises(ApprovalRequired):
        open_shop.orders.cancel(cashier, first)  # a cashier needs a manager
    open_shop.orders.cancel(manager, first)  # the signed-in manager approves it themselves
    assert open_shop.sales.document(first).status == "cancelled"
    ask_pin_always(open_shop)
    with pytest.raises(ApprovalRequired) as err:
        open_shop.orders.cancel(manager, second)
    assert err.value.field == "approver"
    open_shop.orders.cancel(manager, second, approver="manager", approver_pin="2222")
    assert open_shop.sales.document(second).status == "cancelled"


def test_headless_uses_the_same_approval_check(open_shop, cashier, manager):
    """``shopterm post`` as a manager: the credit-limit approval is theirs; as a cashier it is asked."""
    from shopterm.services.headless import post_documents

    open_shop.sales.post_invoice(cashier, _band("360"))  # 450.00 owed of 500
    doc = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "C0002",
           "sales_type": "credit", "currency": "USD", "sales_person": "SP02",
           "flat_discount": {"type": "amount", "value": "0"},
           "lines": [{"item": "BAND01", "qty": "96", "price": "1.25"}]}  # 120.00 more
    refused = post_documents(open_shop, cashier, doc)
    assert refused.error["field"] == "customer" and "a manager's approval is needed" in refused.error["error"]
    out = post_documents(open_shop, manager, doc)
    assert out.ok, out.error
    assert open_shop.sales.document(out.posted[0]["number"]).approved_by == "manager"


def test_headless_invoice_takes_the_counter_defaults(open_shop, cashier, admin):
    """``shopterm post`` without customer, currency or sales person: the walk-in customer, the shop's
    currency and the acting user's own sales person, as on screen. BAND01 4 × 1.25 = 5.00, no tax."""
    from shopterm.services.headless import post_documents

    open_shop.users.update(admin, "cashier", sales_person="SP02")
    doc = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23",
           "lines": [{"item": "BAND01", "qty": "4"}]}
    out = post_documents(open_shop, actor(open_shop, "cashier"), doc)
    assert out.ok, out.error
    view = open_shop.sales.document(out.posted[0]["number"])
    assert (view.customer, view.sales_type, view.currency, view.sales_person, view.totals.net) == (
        "CASH", "cash", "USD", "SP02", D("5.00"))
    # a customer given: its own price category; the user's sales person still the default
    out = post_documents(open_shop, actor(open_shop, "cashier"), {**doc, "customer": "C0001", "sales_type": "credit"})
    assert out.ok, out.error
    view = open_shop.sales.document(out.posted[0]["number"])
    assert (view.customer, view.sales_person, view.totals.net) == ("C0001", "SP02", D("4.40"))


def test_headless_invoice_replies_with_the_stored_totals(open_shop, cashier):
    """``shopterm post`` answers from the header it just wrote, without reading the invoice back: the
    reply is exactly what the stored invoice shows, each figure at its column's scale. BAND01 4 × 1.25
    = 5.00 USD, no tax; in CDF at 2850 the same 5.00 USD is 14,250.00 CDF."""
    from shopterm.services.documents.fields import totals_out
    from shopterm.services.headless import jsonable, post_documents

    doc = {"type": "sales_invoice", "location": "AXP", "date": "2026-11-23", "customer": "CASH",
           "sales_type": "cash", "currency": "USD", "sales_person": "SP02",
           "lines": [{"item": "BAND01", "qty": "4"}]}
    out = post_documents(open_shop, cashier, [doc, {**doc, "currency": "CDF", "rate": "2850"}])
    assert out.ok, out.error
    for posted in out.posted:
        view = open_shop.sales.document(posted["number"])
        assert posted["totals"] == jsonable(totals_out(view.totals, view.currency))
    usd, cdf = (p["totals"] for p in out.posted)
    assert (usd["currency"], usd["total_qty"], usd["net"], usd["net_usd"], usd["tax"]) == ("USD", "4.000", "5.00", "5.00", "0.00")
    assert (cdf["currency"], cdf["net_usd"], cdf["net_cdf"]) == ("CDF", "5.00", "14250.00")
