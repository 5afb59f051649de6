"""Items, batches, suppliers and the price list (seed Sales Masters 05–06)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.services.errors import Duplicate, InactiveRecord, InUse, NotFound, ValidationError
from shopterm.services.masters.service import price_from_markup
from shopterm.store import models as m

from .conftest import DAY

LATER = dt.date(2026, 12, 1)


# ---------------------------------------------------------------- items


def test_item_create_defaults_and_rules(services, manager):
    masters = services.masters
    it = masters.create_item(manager, code="gauze10", name="Gauze 10 cm")
    assert (it.code, it.unit, it.pack_size, it.tax_rate, it.cost_usd, it.inactive) == (
        "GAUZE10", "PCS", D("1.000"), D("16.0000"), D("0.00"), False)
    with pytest.raises(Duplicate, match=r"Item code PARA500 already exists \(Paracetamol 500 mg \(box 100\)\)"):
        masters.create_item(manager, code="PARA500", name="x")
    cases = [
        (dict(pack_size="0"), "pack_size", "pack_size: must be greater than zero (0.000)"),
        (dict(pack_size="x"), "pack_size", "pack_size: 'x' is not a number"),
        (dict(tax_rate="101"), "tax_rate", "tax_rate: a percentage must be between 0 and 100 (101)"),
        (dict(tax_rate="-1"), "tax_rate", "tax_rate: a percentage must be between 0 and 100 (-1)"),
        (dict(cost_usd="-0.01"), "cost_usd", "cost_usd: must not be negative (-0.01)"),
        (dict(cost_usd="1.005"), "cost_usd", "cost_usd: at most 2 decimal places (1.005)"),
        (dict(name=""), "name", "Item name is required"),
        (dict(code="a b"), "code", "Item code: letters, digits, - _ . / only (A B)"),
    ]
    for change, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            masters.create_item(manager, **{"code": "NEW1", "name": "New", **change})
        assert (exc.value.field, exc.value.message) == (field, message)
    up = masters.update_item(manager, "gauze10", tax_rate="0", cost_usd="0.35", unit="roll")
    assert (up.tax_rate, up.cost_usd, up.unit, up.name) == (D("0.0000"), D("0.35"), "ROLL", "Gauze 10 cm")
    assert [h.action for h in masters.history("item", "GAUZE10")] == ["create", "update"]
    assert [i.code for i in masters.list_items(search="para").rows] == ["PARA500"]
    masters.deactivate(manager, "item", "GAUZE10")
    assert [i.code for i in masters.list_items(status="inactive").rows] == ["GAUZE10"]


def test_used_item_cannot_be_deleted(services, manager):
    with pytest.raises(InUse, match=r"Item PARA500 is used \(batches, prices, stock moves\): deactivate it instead"):
        services.masters.delete(manager, "item", "PARA500")
    services.masters.create_item(manager, code="TMP", name="Temporary")
    services.masters.delete(manager, "item", "TMP")
    with pytest.raises(NotFound, match="Item TMP not found"):
        services.masters.get_item("TMP")


def test_batches_with_stock_by_sql_sum(services, manager):
    with services.db.write() as s:  # sell 30 of B002
        b2 = s.exec(select(m.Batch).where(m.Batch.code == "B002")).one()
        s.add(m.StockMove(location_id=1, item_id=b2.item_id, batch_id=b2.id, date=DAY, qty=D("-30"),
                          unit_cost_usd=D("1.60"), kind="sale"))
    rows = services.masters.batches("para500")
    assert [(b.code, b.expiry, b.stock, b.cost_usd) for b in rows] == [
        ("B002", dt.date(2027, 1, 31), D("70.000"), D("1.60")),  # first expiry first
        ("B001", dt.date(2027, 6, 30), D("500.000"), D("1.60")),
    ]
    assert [b.stock for b in services.masters.batches("PARA500", location="AXP")] == [D("70.000"), D("500.000")]
    with pytest.raises(NotFound, match="Item NOPE not found"):
        services.masters.batches("NOPE")


def test_suppliers(services, manager):
    masters = services.masters
    sup = masters.create_supplier(manager, code="pk", name="Pharmakina")
    assert (sup.code, sup.name) == ("PK", "Pharmakina")
    with pytest.raises(Duplicate, match=r"Supplier code PK already exists \(Pharmakina\)"):
        masters.create_supplier(manager, code="PK", name="Other")
    assert masters.update_supplier(manager, "pk", name="Pharmakina SA").name == "Pharmakina SA"
    assert [s.code for s in masters.list_suppliers(search="kina").rows] == ["PK"]


# ---------------------------------------------------------------- prices


def test_markup_formula():
    assert price_from_markup(D("1.60"), D("50"), "USD", None) == D("2.40")
    assert price_from_markup(D("1.60"), D("50"), "CDF", D("2850")) == D("6840.00")
    assert price_from_markup(D("5.10"), D("12.5"), "USD", None) == D("5.74")  # 5.7375 half up


def test_price_update_single_from_markups(services, manager):
    masters = services.masters
    form = masters.price_form(location="AXP", item="AMOX250", currency="CDF")
    assert (form.unit, form.last_purchase_usd, form.rate) == ("BOX", D("5.10"), D("2850.000000"))
    # no CDF row: the current price is the USD one converted at the system rate (services.pricing)
    assert (form.current.retail, form.current.wholesale) == (D("22771.50"), D("20520.00"))
    row = masters.update_price(manager, location="AXP", item="AMOX250", currency="CDF", retail_pct="60",
                               wholesale_pct="45")
    # 5.10 × 1.60 = 8.16 USD × 2850 = 23,256.00; 5.10 × 1.45 = 7.395 → 7.40 × 2850 = 21,090.00
    assert (row.retail_price, row.wholesale_price, row.effective_from, row.update_no, row.replaced) == (
        D("23256.00"), D("21090.00"), DAY, "", False)
    assert masters.current_price(location="AXP", item="AMOX250", currency="CDF") == D("23256.00")
    assert masters.current_price(location="AXP", item="AMOX250", currency="CDF",
                                 price_category="wholesale") == D("21090.00")
    # a typed price wins over its markup
    row = masters.update_price(manager, location="AXP", item="AMOX250", currency="USD", retail_pct="60",
                               retail_price="8.50", wholesale_price="7.50")
    assert (row.retail_price, row.wholesale_price) == (D("8.50"), D("7.50"))


def test_price_update_errors(services, manager):
    masters = services.masters
    cases = [
        (dict(), "retail_price", "retail_price: enter the retail price or a retail %"),
        (dict(retail_price="2"), "wholesale_price", "wholesale_price: enter the wholesale price or a wholesale %"),
        (dict(retail_price="0", wholesale_price="1"), "retail_price", "retail_price: must be greater than zero (0.00)"),
        (dict(retail_price="abc", wholesale_price="1"), "retail_price", "retail_price: 'abc' is not a number"),
        (dict(retail_pct="x", wholesale_price="1"), "retail_pct", "retail_pct: 'x' is not a number"),
        (dict(retail_pct="-100", wholesale_price="1"), "retail_pct", "retail_pct: a markup must be above -100 % (-100)"),
        (dict(currency="EUR", retail_price="1", wholesale_price="1"), "currency", "currency: 'EUR' is not USD or CDF"),
        (dict(item="NOPE", retail_price="1", wholesale_price="1"), "item", "Item NOPE not found"),
        (dict(location="ZZ", retail_price="1", wholesale_price="1"), "location", "Location ZZ not found"),
        (dict(effective_from="23/11/2026", retail_price="1", wholesale_price="1"), "effective_from",
         "effective_from: '23/11/2026' is not a date (YYYY-MM-DD)"),
    ]
    for change, field, message in cases:
        with pytest.raises((ValidationError, NotFound)) as exc:
            masters.update_price(manager, **{"location": "AXP", "item": "PARA500", "currency": "USD", **change})
        assert (exc.value.field, exc.value.message) == (field, message)
    masters.create_item(manager, code="NEWI", name="New item")  # no last purchase price
    with pytest.raises(ValidationError, match="retail_pct: item NEWI has no last purchase price; enter the price"):
        masters.update_price(manager, location="AXP", item="NEWI", retail_pct="20", wholesale_price="1")
    masters.deactivate(manager, "item", "NEWI")
    with pytest.raises(InactiveRecord, match="Item NEWI is inactive"):
        masters.update_price(manager, location="AXP", item="NEWI", retail_price="1", wholesale_price="1")


def test_same_effective_date_replaces_the_row(services, manager):
    masters = services.masters
    first = masters.update_price(manager, location="AXP", item="PARA500", currency="USD", retail_price="2.60",
                                 wholesale_price="2.30")
    second = masters.update_price(manager, location="AXP", item="PARA500", currency="USD", retail_price="2.70",
                                  wholesale_price="2.35", effective_from=DAY)
    assert second.id == first.id and second.replaced is True
    with services.db.read() as s:
        rows = s.exec(select(m.Price).where(m.Price.item_id == 1, m.Price.effective_from == DAY)).all()
        assert [(r.retail_price, r.wholesale_price) for r in rows] == [(D("2.70"), D("2.35"))]
    history = masters.history("price", first.id)
    assert [h.action for h in history] == ["create", "update"]
    assert dict((k, (b, a)) for k, b, a in history[1].changes())["retail_price"] == ("2.60", "2.70")


def test_price_update_multiple_scheduled(services, manager):
    masters = services.masters
    result = masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER, rows=[
        {"item": "PARA500", "retail_price": "2.75", "wholesale_price": "2.40"},
        {"item": "AMOX250", "retail_pct": "70", "wholesale_pct": "50"},  # 5.10 → 8.67 / 7.65
        {"item": "band01", "retail_price": "1.30", "wholesale_pct": "60"},  # 0.70 × 1.6 = 1.12
    ])
    assert result.update_no == "261201PU000001"
    assert [(r.item, r.retail_price, r.wholesale_price, r.update_no) for r in result.rows] == [
        ("PARA500", D("2.75"), D("2.40"), "261201PU000001"),
        ("AMOX250", D("8.67"), D("7.65"), "261201PU000001"),
        ("BAND01", D("1.30"), D("1.12"), "261201PU000001"),
    ]
    assert (result.created, result.updated) == (3, 0)
    # scheduled: not in force today, in force from 1 December
    assert masters.current_price(location="AXP", item="PARA500", currency="USD") == D("2.50")
    assert masters.current_price(location="AXP", item="PARA500", currency="USD", on=dt.date(2026, 11, 30)) == D("2.50")
    assert masters.current_price(location="AXP", item="PARA500", currency="USD", on=LATER) == D("2.75")
    assert masters.current_price(location="AXP", item="PARA500", currency="USD", price_category="wholesale",
                                 on=LATER) == D("2.40")
    # the next update of the same month takes the next number
    nxt = masters.update_prices(manager, location="AXP", currency="USD", effective_from=dt.date(2026, 12, 15),
                                rows=[{"item": "PARA500", "retail_price": "2.80", "wholesale_price": "2.45"}])
    assert nxt.update_no == "261201PU000002"
    # F4 on the first update: its creation and its three price rows, from the audit log
    history = masters.price_update_history("261201pu000001")
    assert [(h.action, h.user_name) for h in history] == [("create", "manager")] * 4
    assert history[-1].summary == "price update 261201PU000001: 3 items from 2026-12-01"
    with pytest.raises(ValidationError, match="Price update 261201PU000009 not found"):
        masters.price_update_history("261201PU000009")
    assert [p[0] for p in masters.price_updates()][:2] == ["261201PU000002", "261201PU000001"]
    listed = masters.list_prices(item="PARA500")
    assert [(p.effective_from, p.retail_price) for p in listed.rows] == [
        (dt.date(2026, 12, 15), D("2.80")), (LATER, D("2.75")), (dt.date(2026, 1, 1), D("2.50"))]


def test_price_update_multiple_errors_name_the_row_and_write_nothing(services, manager):
    masters = services.masters
    with pytest.raises(ValidationError, match=r"^row 2: retail_price: 'x' is not a number$"):
        masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER, rows=[
            {"item": "PARA500", "retail_price": "2.75", "wholesale_price": "2.40"},
            {"item": "AMOX250", "retail_price": "x", "wholesale_price": "7"}])
    with pytest.raises(NotFound, match=r"^row 1: Item XX not found$"):
        masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER,
                              rows=[{"item": "XX", "retail_price": "1", "wholesale_price": "1"}])
    with pytest.raises(ValidationError, match=r"^row 2: item PARA500 is already on row 1$"):
        masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER, rows=[
            {"item": "PARA500", "retail_price": "1", "wholesale_price": "1"},
            {"item": "para500", "retail_price": "1", "wholesale_price": "1"}])
    with pytest.raises(ValidationError, match="Add at least one item row"):
        masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER, rows=[])
    with services.db.read() as s:
        assert s.exec(select(m.Price).where(m.Price.effective_from == LATER)).first() is None
        assert s.exec(select(m.NumberSequence).where(m.NumberSequence.doc_type == "PU")).first() is None


def test_price_resolution_by_category_location_currency_and_date(services, manager, admin):
    """What a document gets (services.pricing.price_for), fed by the price updates."""
    from shopterm.services.schemes import pricing

    masters = services.masters
    masters.create_location(admin, code="BRA", name="Branch", number=2)
    masters.update_price(manager, location="BRA", item="PARA500", currency="USD", retail_price="2.90",
                         wholesale_price="2.60", effective_from=dt.date(2026, 6, 1))
    masters.update_price(manager, location="AXP", item="PARA500", currency="CDF", retail_price="7200",
                         wholesale_price="6300", effective_from=dt.date(2026, 6, 1))
    masters.update_prices(manager, location="AXP", currency="USD", effective_from=LATER,
                          rows=[{"item": "PARA500", "retail_price": "2.75", "wholesale_price": "2.40"}])
    with services.db.read() as s:
        axp, bra, para = 1, s.exec(select(m.Location.id).where(m.Location.code == "BRA")).one(), 1

        def price(loc, ccy, cat, on):
            return pricing.price_for(s, para, loc, ccy, cat, on, rate=D("2850"))

        assert price(axp, "USD", "retail", DAY) == D("2.50")
        assert price(axp, "USD", "wholesale", DAY) == D("2.20")
        assert price(bra, "USD", "retail", DAY) == D("2.90")  # by location
        assert price(bra, "USD", "wholesale", DAY) == D("2.60")
        assert price(axp, "CDF", "retail", DAY) == D("7200.00")  # by currency: the CDF row itself
        assert price(axp, "CDF", "wholesale", DAY) == D("6300.00")
        assert price(axp, "USD", "retail", dt.date(2026, 5, 31)) == D("2.50")
        assert price(bra, "USD", "retail", dt.date(2026, 5, 31)) is None  # before the branch's first price
        assert price(axp, "USD", "retail", LATER - dt.timedelta(days=1)) == D("2.50")  # scheduled, not in force
        assert price(axp, "USD", "retail", LATER) == D("2.75")
        assert price(axp, "USD", "wholesale", LATER) == D("2.40")
