"""Sales promotions, discount slabs, loyalty cards and sales targets (seed Sales Masters 08–12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.core.journal import RECEIVABLE, SALES, SALES_RETURNS, credit, debit
from shopterm.core.promotions import PromoRange
from shopterm.core.slabs import SlabRange
from shopterm.services.schemes import pricing
from shopterm.services.errors import Duplicate, InactiveRecord, NotFound, ValidationError
from shopterm.services.headless import post_one
from shopterm.services.documents.posting import PostingPlan
from shopterm.store import models as m

from .conftest import DAY, open_day

PROMO = dict(item="PARA500", reason="Supplier offer", cost_centre="SHOP", scheme_date="2026-11-01",
             ranges=[{"min_qty": "10", "max_qty": "20", "free_qty": "1"},
                     {"min_qty": "21", "max_qty": "50", "free_qty": "3"}],
             locations=["AXP"])


# ---------------------------------------------------------------- promotions


def test_promotion_create_numbered_and_read_by_pricing(services, manager):
    masters = services.masters
    p = masters.create_promotion(manager, **PROMO)
    assert (p.scheme_no, p.item, p.unit, p.reason, p.reason_name, p.expense_account, p.cost_centre,
            p.scheme_date) == ("SP000001", "PARA500", "BOX", "SUPP", "Supplier offer", "6200", "SHOP",
                               dt.date(2026, 11, 1))
    assert p.ranges == (PromoRange(D("10"), D("20"), D("1")), PromoRange(D("21"), D("50"), D("3")))
    assert p.locations == ("AXP",)
    p2 = masters.create_promotion(manager, **{**PROMO, "item": "BAND01",
                                              "ranges": [{"min_qty": "100", "max_qty": "", "free_qty": "10"}]})
    assert p2.scheme_no == "SP000002"
    assert p2.ranges == (PromoRange(D("100"), None, D("10")),)  # open-ended: "100+"
    with services.db.read() as s:
        found = pricing.promotion_for(s, 3, 1, DAY)  # BAND01 at AXP
        assert found.scheme_no == "SP000002" and found.free_qty(D("250")) == D("10")
        assert pricing.promotion_for(s, 1, 1, DAY).free_qty(D("25")) == D("3")
        assert pricing.promotion_for(s, 1, 1, dt.date(2026, 10, 31)) is None  # before the scheme date
    masters.deactivate(manager, "promotion", "sp000001")
    with services.db.read() as s:
        assert pricing.promotion_for(s, 1, 1, DAY) is None
    assert [x.scheme_no for x in masters.list_promotions(status="all", search="band").rows] == ["SP000002"]


def test_promotion_ranges_refused_with_their_rows(services, manager):
    masters = services.masters
    overlapping = [{"min_qty": "10", "max_qty": "20", "free_qty": "1"},
                   {"min_qty": "30", "max_qty": "40", "free_qty": "2"},
                   {"min_qty": "20", "max_qty": "25", "free_qty": "2"}]
    with pytest.raises(ValidationError) as exc:
        masters.create_promotion(manager, **{**PROMO, "ranges": overlapping})
    assert (exc.value.field, exc.value.message) == ("ranges", "rows 1 and 3 overlap (10–20 and 20–25)")
    cases = [
        ([{"min_qty": "20", "max_qty": "10", "free_qty": "1"}], "row 1: the minimum qty 20 is above the maximum qty 10"),
        ([{"min_qty": "1", "max_qty": "5", "free_qty": "1"}, {"min_qty": "6", "max_qty": "9", "free_qty": "0"}],
         "row 2: free_qty: must be greater than zero (0.000)"),
        ([{"min_qty": "x", "max_qty": "5", "free_qty": "1"}], "row 1: min_qty: 'x' is not a number"),
        ([], "Add at least one quantity range"),
    ]
    for ranges, message in cases:
        with pytest.raises(ValidationError) as exc:
            masters.create_promotion(manager, **{**PROMO, "ranges": ranges})
        assert exc.value.message == message
    for change, field, message in (
            (dict(reason=""), "reason", "Reason is required"),
            (dict(cost_centre=""), "cost_centre", "Cost centre is required"),
            (dict(locations=[]), "locations", "Select at least one location"),
            (dict(scheme_date=""), "scheme_date", "scheme_date: a date is required (YYYY-MM-DD)"),
            (dict(reason="Gift"), "reason",
             "Reason Gift is not in the Promotion Reason master (F2 lists the reasons)"),
            (dict(expense_account="9999"), "expense_account",
             "Expense account comes from the reason: SUPP posts to 6200")):
        with pytest.raises((ValidationError, NotFound)) as exc:
            masters.create_promotion(manager, **{**PROMO, **change})
        assert (exc.value.field, exc.value.message) == (field, message)
    with services.db.read() as s:
        assert s.exec(select(m.Promotion)).first() is None  # nothing written, no number used


def test_promotion_update_replaces_ranges_and_is_audited(services, manager):
    masters = services.masters
    masters.create_promotion(manager, **PROMO)
    up = masters.update_promotion(manager, "SP000001", ranges=[("5", "9", "1")], reason="Clearance")
    assert up.ranges == (PromoRange(D("5"), D("9"), D("1")),) and (up.reason, up.reason_name) == ("CLEAR", "Clearance")
    with services.db.read() as s:
        assert len(s.exec(select(m.PromotionRange)).all()) == 1
    history = masters.history("promotion", "SP000001")
    assert [h.action for h in history] == ["create", "update"]
    changes = {k: (b, a) for k, b, a in history[1].changes()}
    assert changes["reason"] == ("SUPP", "CLEAR")
    assert changes["ranges"][1] == [["5.000", "9.000", "1.000"]]


# ---------------------------------------------------------------- discount slabs


def test_discount_slab(services, manager):
    masters = services.masters
    slab = masters.create_discount_slab(manager, doc_date="2026-12-01", locations=["AXP"], ranges=[
        {"from_value": "0", "to_value": "199", "pct": "0"},
        {"from_value": "200", "to_value": "", "pct": "4"}])
    assert slab.doc_no == "DS0002"  # after the shop's DS0001
    assert slab.ranges == (SlabRange(D("0"), D("199"), D("0")), SlabRange(D("200"), None, D("4")))
    with services.db.read() as s:
        assert pricing.slab_pct(s, 1, DAY, D("250")) == D("3")  # the old table until December
        assert pricing.slab_pct(s, 1, dt.date(2026, 12, 1), D("250")) == D("4")
    masters.deactivate(manager, "discount_slab", "DS0002")
    with services.db.read() as s:
        assert pricing.slab_pct(s, 1, dt.date(2026, 12, 1), D("250")) == D("3")
    assert [x.doc_no for x in masters.list_discount_slabs(status="all", location="AXP").rows] == ["DS0002", "DS0001"]


def test_overlapping_slabs_refused(services, manager):
    masters = services.masters
    with pytest.raises(ValidationError) as exc:
        masters.create_discount_slab(manager, doc_date=DAY, locations=["AXP"], ranges=[
            ("0", "99", "0"), ("100", "500", "3"), ("500", "999", "5")])
    assert (exc.value.field, exc.value.message) == ("ranges", "rows 2 and 3 overlap (100.00–500.00 and 500.00–999.00)")
    with pytest.raises(ValidationError, match=r"^rows 1 and 2 overlap \(0.00\+ and 100.00–200.00\)$"):
        masters.create_discount_slab(manager, doc_date=DAY, locations=["AXP"], ranges=[
            ("0", None, "1"), ("100", "200", "2")])
    with pytest.raises(ValidationError, match=r"^row 1: pct: a percentage must be between 0 and 100 \(120\)$"):
        masters.create_discount_slab(manager, doc_date=DAY, locations=["AXP"], ranges=[("0", "99", "120")])
    with pytest.raises(ValidationError, match=r"^row 1: the from value 99.00 is above the to value 10.00$"):
        masters.create_discount_slab(manager, doc_date=DAY, locations=["AXP"], ranges=[("99", "10", "1")])
    assert masters.list_discount_slabs().total == 1


# ---------------------------------------------------------------- loyalty cards


def test_loyalty_card(services, manager):
    masters = services.masters
    card = masters.create_loyalty_card(manager, name="Gold", doc_date="2026-11-01", value_per_point_usd="0.25",
                                       redemption_frequency_days="15", categories=[
                                           {"price_category": "retail", "sales_amount_per_point": "5"},
                                           {"price_category": "Wholesale", "sales_amount_per_point": "20"}])
    assert (card.name, card.redemption_frequency_days, card.value_per_point_usd) == ("Gold", 15, D("0.25"))
    assert [(c.price_category, c.sales_amount_per_point) for c in card.categories] == [
        ("retail", D("5.00")), ("wholesale", D("20.00"))]
    with pytest.raises(Duplicate, match="Loyalty card standard already exists"):
        masters.create_loyalty_card(manager, name="standard", doc_date=DAY, value_per_point_usd="1",
                                    categories=[("retail", "1")])
    for change, message in (
            (dict(categories=[("retail", "1"), ("retail", "2")]), "row 2: retail is already on an earlier row"),
            (dict(categories=[("vip", "1")]), "row 1: Loyalty category: one of retail, wholesale ('vip')"),
            (dict(categories=[("retail", "0")]), "row 1: sales_amount_per_point: must be greater than zero (0.00)"),
            (dict(categories=[]), "Add at least one loyalty category"),
            (dict(value_per_point_usd="0"), "value_per_point_usd: must be greater than zero (0.00)"),
            (dict(redemption_frequency_days="-3"), "redemption_frequency_days: must be at least 0 (-3)")):
        with pytest.raises(ValidationError) as exc:
            masters.create_loyalty_card(manager, **{"name": "Silver", "doc_date": DAY, "value_per_point_usd": "0.1",
                                                    "categories": [("retail", "10")], **change})
        assert exc.value.message == message
    up = masters.update_loyalty_card(manager, "gold", categories=[("retail", "4")])
    assert [(c.price_category, c.sales_amount_per_point) for c in up.categories] == [("retail", D("4.00"))]
    # a customer may hold it; an inactive card cannot be given
    assert masters.update_customer(manager, "C0002", loyalty_card="GOLD").loyalty_card == "Gold"
    masters.deactivate(manager, "loyalty_card", "Gold")
    with pytest.raises(InactiveRecord, match="Loyalty card Gold is inactive"):
        masters.update_customer(manager, "C0001", loyalty_card="Gold")
    # …while a customer already holding it can still be edited
    assert masters.update_customer(manager, "C0002", address="Limete").loyalty_card == "Gold"
    assert [c.name for c in masters.list_loyalty_cards(status="all")] == ["Gold", "Standard"]


# ---------------------------------------------------------------- sales targets


def _sale(services, actor, customer, item, qty, *, date="2026-11-23", currency="USD") -> dict:
    return post_one(services, actor, {"type": "sales_invoice", "location": "AXP", "date": date, "customer": customer,
                                      "sales_type": "credit", "currency": currency, "rate": "2850",
                                      "lines": [{"item": item, "qty": qty}]})


def _return(services, actor, customer: str, sales_person: str, qty: str, usd: str, date: dt.date) -> None:
    """A posted sales return (SR) header with its qty and net (the return screen is another service)."""
    with services.db.write() as s:
        c = s.exec(select(m.Customer).where(m.Customer.code == customer)).one()
        sp = s.exec(select(m.SalesPerson).where(m.SalesPerson.code == sales_person)).one()
        doc = m.Document(doc_type="SR", location_id=1, doc_date=date, customer_id=c.id, sales_person_id=sp.id,
                         total_qty=D(qty), net_amount=D(usd), net_usd=D(usd))
        services.posting.post(s, actor, PostingPlan(doc=doc, journal=[
            debit(SALES_RETURNS, D(usd)), credit(RECEIVABLE, D(usd), customer_id=c.id)]))


def _other_year_sale(services, actor) -> None:
    with services.db.write() as s:
        doc = m.Document(doc_type="SI", location_id=1, doc_date=dt.date(2025, 11, 10), customer_id=2,
                         sales_person_id=1, total_qty=D("99"), net_amount=D("999"), net_usd=D("999"))
        services.posting.post(s, actor, PostingPlan(doc=doc, journal=[debit(RECEIVABLE, D("999"), customer_id=2),
                                                                     credit(SALES, D("999"))]))
        s.add(m.Document(doc_type="SI", location_id=1, doc_date=DAY, customer_id=2, sales_person_id=1,
                         total_qty=D("50"), net_amount=D("500"), net_usd=D("500")))  # a draft: not a sale


def test_target_progress_with_actual_sales(services, manager):
    masters = services.masters
    months = [("0", "0")] * 9 + [("20", "50"), ("100", "142.44"), ("0", "0")]
    target = masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=months)
    assert [(t.month_name, t.target_qty, t.target_amount) for t in target.months][9:11] == [
        ("October", D("20.000"), D("50.00")), ("November", D("100.000"), D("142.44"))]
    masters.save_target(manager, kind="delegate", financial_year=2026, sales_person="SP02",
                        months=[{"target_qty": "10", "target_amount": "100"}] * 12)

    open_day(services, dt.date(2026, 10, 15))
    _sale(services, manager, "C0001", "PARA500", "10", date="2026-10-15")  # SP01: 10 × 2.20 + 16 % = 25.52
    open_day(services, DAY)
    _sale(services, manager, "C0002", "AMOX250", "10")  # SP02: 72.00 + 11.52 = 83.52
    _sale(services, manager, "C0001", "BAND01", "4", currency="CDF")  # SP01: 12,540 CDF = 4.40 USD
    _return(services, manager, "C0002", "SP02", "2", "16.70", DAY)  # SP02 returns 2 AMOX250
    _other_year_sale(services, manager)

    rows = masters.target_progress("location", 2026, location="AXP")
    assert len(rows) == 12 and [r.month for r in rows] == list(range(1, 13))
    oct_, nov, dec = rows[9], rows[10], rows[11]
    assert (oct_.target_qty, oct_.actual_qty, oct_.target_amount, oct_.actual_amount_usd, oct_.pct_achieved) == (
        D("20.000"), D("10.000"), D("50.00"), D("25.52"), D("51.04"))
    # November: 10 + 4 − 2 = 12; 83.52 + 4.40 − 16.70 = 71.22 of 142.44 = 50 %
    assert (nov.actual_qty, nov.actual_amount_usd, nov.pct_achieved) == (D("12.000"), D("71.22"), D("50.00"))
    assert (dec.actual_qty, dec.actual_amount_usd, dec.pct_achieved) == (D("0.000"), D("0.00"), None)
    assert rows[0].month_name == "January" and rows[0].actual_amount_usd == D("0.00")

    sp01 = masters.target_progress("delegate", 2026, sales_person="SP01")  # no target saved: zeros
    assert [(r.month, r.actual_qty, r.actual_amount_usd) for r in sp01 if r.actual_qty] == [
        (10, D("10.000"), D("25.52")), (11, D("4.000"), D("4.40"))]
    assert sp01[10].target_amount == D("0.00") and sp01[10].pct_achieved is None
    sp02 = masters.target_progress("delegate", 2026, sales_person="SP02")
    assert (sp02[10].actual_qty, sp02[10].actual_amount_usd, sp02[10].pct_achieved) == (
        D("8.000"), D("66.82"), D("66.82"))
    assert masters.target_progress("delegate", 2025, sales_person="SP01")[10].actual_amount_usd == D("999.00")


def test_target_tasks_copy_a_year_to_the_next_and_export_with_actuals(services, manager, cashier):
    """Copy: AXP's 2026 months become 2027's (once). Export: a row per owner and month; November 2026 at AXP
    sold 10 AMOX250 to C0002 at the wholesale 7.20 + 16 % = 83.52 USD against a target of 167.04 → 50.00 %."""
    masters = services.masters
    months = [("0", "0")] * 10 + [("10", "167.04"), ("5", "20")]
    masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=months)
    copied = masters.copy_target(manager, kind="location", financial_year=2026, location="AXP")
    assert (copied.financial_year, copied.location) == (2027, "AXP")
    assert [(t.target_qty, t.target_amount) for t in copied.months][10:] == [(D("10.000"), D("167.04")),
                                                                              (D("5.000"), D("20.00"))]
    with pytest.raises(Duplicate, match="Targets for 2027 exist already: open them to change them"):
        masters.copy_target(manager, kind="location", financial_year=2026, location="AXP")
    with pytest.raises(NotFound, match="No delegate target for 2026 to copy"):
        masters.copy_target(manager, kind="delegate", financial_year=2026, sales_person="SP01")

    open_day(services, DAY)
    _sale(services, manager, "C0002", "AMOX250", "10")
    text = masters.export_targets(manager, kind="location", financial_year=2026).decode()
    lines = text.splitlines()
    assert lines[0] == ("kind,financial_year,owner,month,month_name,target_qty,target_amount_usd,actual_qty,"
                        "actual_amount_usd,pct_achieved")
    assert len(lines) == 1 + 12
    assert lines[11] == "location,2026,AXP,11,November,10.000,167.04,10.000,83.52,50.00"
    assert lines[12] == "location,2026,AXP,12,December,5.000,20.00,0.000,0.00,0.00"
    assert lines[1] == "location,2026,AXP,1,January,0.000,0.00,0.000,0.00,"  # no target: no percentage
    assert masters.export_targets(manager, kind="location", financial_year=2026, fmt="xlsx")[:2] == b"PK"
    with pytest.raises(ValidationError, match="format: one of csv, xlsx, got 'pdf'"):
        masters.export_targets(manager, kind="location", financial_year=2026, fmt="pdf")
    with pytest.raises(Exception, match="(?i)manager|permission|not allowed"):
        masters.export_targets(cashier, kind="location", financial_year=2026)


def test_target_rules(services, manager):
    masters = services.masters
    with pytest.raises(ValidationError, match=r"Enter the targets of all 12 months \(3 given\)"):
        masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=[("1", "1")] * 3)
    with pytest.raises(ValidationError, match="Location is required"):
        masters.save_target(manager, kind="location", financial_year=2026, months=[("1", "1")] * 12)
    with pytest.raises(ValidationError, match="Sales person is required"):
        masters.save_target(manager, kind="delegate", financial_year=2026, months=[("1", "1")] * 12)
    bad = [("1", "1")] * 4 + [("1", "-5")] + [("1", "1")] * 7
    with pytest.raises(ValidationError, match=r"^May: target_amount: must not be negative \(-5\)$"):
        masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=bad)
    with pytest.raises(ValidationError, match=r"financial_year: must be at least 2000 \(26\)"):
        masters.save_target(manager, kind="location", financial_year="26", location="AXP", months=[("1", "1")] * 12)
    first = masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=[("1", "1")] * 12)
    again = masters.save_target(manager, kind="location", financial_year=2026, location="AXP", months=[("2", "3")] * 12)
    assert again.id == first.id and again.months[0].target_amount == D("3.00")
    with services.db.read() as s:
        assert len(s.exec(select(m.SalesTargetMonth)).all()) == 12
    assert [h.action for h in masters.history("sales_target", first.id)] == ["create", "update"]
    assert masters.get_target(kind="location", financial_year=2026, location="AXP").months[5].target_qty == D("2.000")
    with pytest.raises(NotFound, match="No location target for 2027"):
        masters.get_target(kind="location", financial_year=2027, location="AXP")
