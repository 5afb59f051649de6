"""Issue 10 items 3 and 4 (helper A): prices that need a manager, quantities that follow the unit,
rates far from the system rate.

The shop (tests/store/conftest.py): AXP day 2026-11-23 open, system rate 2850, Shop Setup rate
tolerance 10 % (the default); PARA500 unit BOX, retail 2.50 USD, cost 1.60 USD, tax 16 %;
BAND01 unit ROLL, 1.25 USD, cost 0.70, no tax. ``cashier`` cannot approve; ``manager``/2222 can.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.core.units import check_qty_for_unit, qty_places
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import ApprovalDenied, PriceNeedsApproval, RateNeedsApproval, ValidationError
from shopterm.store import models as m

from .conftest import DAY


def cash_sale(lines, **kw) -> DocumentDraft:
    args = dict(location="AXP", date=DAY, customer="CASH", sales_type="cash", currency="USD", rate="2850",
                sales_person="SP01", flat_discount_type="amount", flat_discount_value="0")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*l) for l in lines], **args)


def documents(services) -> int:
    with services.db.read() as s:
        return s.execute(select(func.count()).select_from(m.Document)).scalar_one()


# ---------------------------------------------------------------- item 3: zero and below-cost prices

def test_a_price_below_cost_needs_a_manager(open_shop, cashier):
    """2 × PARA500 at 1.50 < cost 1.60: refused for the cashier, nothing written. With the manager's
    PIN it posts: gross 3.00, tax 16 % = 0.48, net 3.48, approved by the manager."""
    d = cash_sale([("PARA500", "B001", "2", "1.50")])
    with pytest.raises(PriceNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, d)
    assert (exc.value.message, exc.value.field) == (
        "Line 1: PARA500 at 1.50 USD is below its cost 1.60 USD — a manager's approval is needed", "price")
    assert documents(open_shop) == 0
    d.approver, d.approver_pin = "manager", "2222"
    r = open_shop.sales.post_invoice(cashier, d)
    view = open_shop.sales.document(r.number)
    assert view.totals.net == D("3.48") and view.approved_by == "manager"


def test_a_zero_price_needs_a_manager(open_shop, cashier):
    """PARA500 × 5 at 0: the stock (5 × 1.60 = 8.00 of cost) would leave for nothing."""
    with pytest.raises(PriceNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("PARA500", "B001", "5", "0")]))
    assert exc.value.message == "Line 1: PARA500 at a price of 0.00 USD — a manager's approval is needed"
    assert documents(open_shop) == 0


def test_a_typed_usd_price_kept_on_a_cdf_invoice_needs_a_manager(open_shop, cashier):
    """The issue's invoice: 2.20 typed for BAND01, then the currency switched to CDF. 2 × 2.20 CDF =
    4.40 CDF, payable rounded to the 100 FC increment = 0.00. 2.20 CDF is 0.00 USD (2.20 / 2850 =
    0.00077): below the 0.70 cost. Main posted "payable 0.00 CDF"."""
    d = cash_sale([("BAND01", "D001", "2", "2.20")], currency="CDF")
    with pytest.raises(PriceNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, d)
    assert exc.value.message == ("Line 1: BAND01 at 2.20 CDF (0.00 USD) is below its cost 0.70 USD — "
                                 "a manager's approval is needed")


def test_a_full_discount_to_a_zero_payable_needs_a_manager(open_shop, cashier):
    """BAND01 × 2 at 1.25 with 100 % line discount: gross 2.50, discount 2.50, payable 0.00."""
    with pytest.raises(PriceNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25", "100")]))
    assert exc.value.message == "The lines come to a payable of 0.00 USD — a manager's approval is needed"


def test_the_signed_in_manager_approves_a_price_by_selling(open_shop, manager):
    """As for the credit limit: a manager at the counter is the approval (Shop Setup may ask a PIN)."""
    r = open_shop.sales.post_invoice(manager, cash_sale([("PARA500", "B001", "1", "1.00")]))
    assert open_shop.sales.document(r.number).approved_by == "manager"


# ---------------------------------------------------------------- item 3: quantity follows the unit

def test_units_counted_whole_and_measured():
    assert (qty_places("BOX"), qty_places("roll"), qty_places("KG"), qty_places("L"), qty_places("m")) == (0, 0, 3, 3, 3)
    assert check_qty_for_unit(D("1.5"), "BOX") == "1.5 is not a whole number of BOX (a BOX is counted whole)"
    assert check_qty_for_unit(D("2.000"), "BOX") is None
    assert check_qty_for_unit(D("1.250"), "KG") is None


def test_a_box_is_whole(open_shop, cashier):
    """1.5 BOX of PARA500 is refused (main posted it); 0.001 ROLL too (main took 5 rolls out of stock
    with 5,000 lines of 0.001 at a price that rounded to 0.00, with no voucher)."""
    with pytest.raises(ValidationError) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("PARA500", "B001", "1.5", "2.50")]))
    assert (exc.value.message, exc.value.field) == (
        "Line 1: PARA500: 1.5 is not a whole number of BOX (a BOX is counted whole)", "qty")
    with pytest.raises(ValidationError) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "0.001", "1.25")]))
    assert exc.value.message == "Line 1: BAND01: 0.001 is not a whole number of ROLL (a ROLL is counted whole)"
    assert documents(open_shop) == 0


# ---------------------------------------------------------------- item 4: rate far from the system rate

def test_a_rate_beyond_the_tolerance_needs_a_manager(open_shop, cashier):
    """System rate 2850, tolerance 10 %: 3135 is 285 / 2850 = 10.00 % off → allowed;
    3136 is 286 / 2850 = 10.035 % → 10.04 %, refused; "0.000001" (the issue's) is 100.00 % off."""
    r = open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25")], rate="3135"))
    assert r.number
    with pytest.raises(RateNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25")], rate="3136"))
    assert (exc.value.message, exc.value.field) == (
        "Exchange rate 3136 is 10.04 % from the system rate 2850 (tolerance 10 %) — "
        "a manager's approval is needed", "rate")
    with pytest.raises(RateNeedsApproval) as exc:
        open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25")], rate="0.000001"))
    assert "is 100.00 % from the system rate 2850" in exc.value.message
    assert documents(open_shop) == 1
    d = cash_sale([("BAND01", "D001", "2", "1.25")], rate="3136", approver="manager", approver_pin="2222")
    assert open_shop.sales.document(open_shop.sales.post_invoice(cashier, d).number).approved_by == "manager"


def test_the_tolerance_is_a_shop_setup_field(open_shop, cashier, admin):
    """Tolerance lowered to 5 %: 3000 is 150 / 2850 = 5.26 % off → needs a manager; 2950 (3.51 %) not."""
    setup = open_shop.masters.get_shop_setup("AXP")
    assert setup.rate_tolerance_pct == D("10")
    open_shop.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", rate_tolerance_pct="5")
    assert open_shop.masters.get_shop_setup("AXP").rate_tolerance_pct == D("5")
    with pytest.raises(RateNeedsApproval, match=r"3000 is 5.26 % from the system rate 2850 \(tolerance 5 %\)"):
        open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25")], rate="3000"))
    assert open_shop.sales.post_invoice(cashier, cash_sale([("BAND01", "D001", "2", "1.25")], rate="2950")).number


# ---------------------------------------------------------------- item 5: a wrong PIN is never ignored

def test_a_wrong_approver_pin_is_refused_when_nothing_needed_it(open_shop, cashier):
    d = cash_sale([("BAND01", "D001", "2", "1.25")], approver="manager", approver_pin="0000")
    with pytest.raises(ApprovalDenied):
        open_shop.sales.post_invoice(cashier, d)
    assert documents(open_shop) == 0


def test_every_document_that_moves_stock_counts_a_box_whole(open_shop, manager, cashier):
    """A stock receipt of 1.5 BOX of PARA500 and a direct return of 0.5 ROLL of BAND01 are refused
    like the invoice's 1.5 BOX; 2 BOX received passes."""
    from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine

    open_shop.masters.create_supplier(manager, code="SUP", name="Pharma Supplies")
    with pytest.raises(ValidationError) as exc:
        open_shop.stock.receive(manager, location="AXP", date=DAY, lines=[
            {"item": "PARA500", "batch": "B077", "qty": "1.5", "cost_usd": "1.60", "expiry": "2028-01-31"}])
    assert (exc.value.message, exc.value.field) == (
        "Line 1: PARA500: 1.5 is not a whole number of BOX (a BOX is counted whole)", "qty")
    with pytest.raises(ValidationError) as exc:
        open_shop.returns.post_direct(cashier, DirectReturnDraft(
            location="AXP", date=DAY, customer="C0001", currency="USD", rate="2850", narration="old",
            mobile="+243810000001", address="Kinshasa",
            lines=[DirectReturnLine(item="BAND01", batch="D001", supplier="SUP", supplier_batch_no="X1",
                                    expiry=DAY.replace(year=2029, month=12, day=31), qty="0.5", price="1.10")]))
    assert exc.value.message == "Line 1: BAND01: 0.5 is not a whole number of ROLL (a ROLL is counted whole)"
    assert documents(open_shop) == 0
    r = open_shop.stock.receive(manager, location="AXP", date=DAY, lines=[
        {"item": "PARA500", "batch": "B077", "qty": "2", "cost_usd": "1.60", "expiry": "2028-01-31"}])
    assert r.number
