"""Sales Return and Sales Return (Direct) screens, keys only, at 80×24 (day 2026-11-23 open).

The invoice returned against: C0001 Kinshasa Pharma (wholesale), PARA500 10 × 2.20
with 10 % off (gross 22.00, discount 2.20, net 19.80, tax 16 % 3.17) and BAND01
4 × 1.10 (4.40, no tax); subtotal 24.20 is under the first slab (0 %).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.direct_return import DirectReturnScreen
from shopterm.screens.sales_return import SalesReturnScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.sales.returns import ReturnDraft, ReturnLine, not_returnable
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.lookup import LookupDialog
from shopterm.widgets.totals_footer import TotalsFooter
from shopterm.widgets.voucher_view import VoucherView
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.test_orders_screens import SIZE, bar, figures, open_screen, retype, text_of, wait_until


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    yield svc
    svc.db.dispose()


def invoice(shop) -> str:
    return shop.sales.post_invoice(actor(shop, "cashier"), DocumentDraft(
        customer="C0001", lines=[DraftLine(item="PARA500", qty="10", discount_pct="10"),
                                 DraftLine(item="BAND01", qty="4")])).number


async def return_of(pilot, app, number: str, key: str, qty: str) -> SalesReturnScreen:
    """The Sales Return on invoice ``number`` (typed, then ``key``), ``qty`` typed in line 1's Qty."""
    sr = await open_screen(pilot, app, SalesReturnScreen, lambda s: s.location_code is not None)
    await pilot.press(*number, key)
    grid = sr.query_one(ItemGrid)
    await wait_until(pilot, lambda: sr.source == number and sr.focused is grid.cell(1, "qty"))
    await pilot.press(qty)
    return sr


async def test_partial_sales_return_needs_its_narration_and_shows_the_balance_left(shop):
    number = invoice(shop)
    assert number == "261101SI000001"
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await open_screen(pilot, app, SalesReturnScreen, lambda s: s.location_code is not None)
        assert sr.focused.id == "field-invoice" and sr.based_on == "invoice"  # Shift+Tab: based on
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [r.code for r in app.screen.rows] == [number]
        await pilot.press("enter")
        grid = sr.query_one(ItemGrid)
        await wait_until(pilot, lambda: sr.source == number and grid.lines[0].defaults is not None
                         and sr.focused is grid.cell(1, "qty"))  # the focus moves once the invoice's lines are in
        # customer, currency, rate, credit sale, mobile: from the invoice
        assert text_of(sr, "#sr-customer") == "C0001 Kinshasa Pharma"
        assert text_of(sr, "#sr-original") == "2026-11-23 USD 2850 credit"
        assert sr.query_one("#field-mobile").value == "+243810000001"
        assert text_of(sr, "#ld-info") == "Sales invoice · Card Standard · 0 points · Address -"
        assert sr.focused is grid.cell(1, "qty")
        assert [(grid.cell(n, "item").value, grid.cell(n, "balance_qty").text, grid.cell(n, "batch").value,
                 grid.cell(n, "price").text) for n in (1, 2)] == [
            ("PARA500", "10", "B002", "2.20"), ("BAND01", "4", "D001", "1.10")]
        # 4 of the 10 PARA500: gross 8.80, discount 0.88, tax 4/10 of 3.17 = 1.27 → credit 9.19
        await pilot.press("4")
        await wait_until(pilot, lambda: figures(sr)["net"] == "9.19")
        assert (figures(sr)["total_gross"], figures(sr)["total_discount"], figures(sr)["tax"]) == (
            "8.80", "0.88", "1.27")
        # a USD return: its credit in francs, 9.19 × 2850 = 26,191.50 → 26,200 (the CDF rounding, +8.50, as on
        # a USD invoice: reported, not booked)
        footer = sr.query_one(TotalsFooter)
        assert tuple(footer.figure(k) for k in ("net_cdf", "round_off_cdf", "payable_cdf")) == (
            "26,191.50", "+8.50", "26,200.00")
        # a return credits the customer: its footer says Credited / Cr FC / Cr $, not Payable / Pay FC / Pay $
        labels = [str(w.render()) for w in footer.query(".tf-label")]
        assert {"Credited", "Cr FC", "Cr $"} <= set(labels) and not {"Payable", "Pay FC", "Pay $"} & set(labels)
        assert (grid.cell(1, "gross").text, grid.cell(1, "discount_amount").text, grid.cell(1, "line_net").text) == (
            "8.80", "0.88", "7.92")
        assert text_of(sr, "#ld-extra") == "Paid qty 4 · Free qty 0 · Loyalty points reversed 0 · Credit 9.19 USD"
        # more than the balance is refused with the service's message
        await retype(pilot, grid.cell(1, "qty"), "12")
        await wait_until(pilot, lambda: bar(sr).text.startswith("Quantity 12 exceeds"))
        await retype(pilot, grid.cell(1, "qty"), "4")
        # the narration is required
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar(sr).kind == "error")
        assert bar(sr).text == "Narration is required: enter the reason for the return"
        assert sr.focused.id == "field-narration"
        await pilot.press(*"Damaged boxes")
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, VoucherView))
        assert [(r.account, r.debit, r.credit) for r in app.screen.rows] == [
            ("4010", D("7.92"), D("0.00")), ("2100", D("1.27"), D("0.00")), ("1200", D("0.00"), D("9.19")),
            ("1300", D("6.40"), D("0.00")), ("5000", D("0.00"), D("6.40"))]
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: sr.view is not None)
        assert bar(sr).text == "Sales return 261101SR000001 saved: credit 9.19 USD to C0001"
        assert "261101SR000001 · Posted" in text_of(sr, "#doc-title")
        # the invoice returned against is its original: not named twice (in French it pushed the line out)
        await wait_until(pilot, lambda: text_of(sr, "#sr-original").startswith("USD"))
        assert text_of(sr, "#sr-original") == "USD 2850 credit"
        await wait_until(pilot, lambda: grid.cell(1, "balance_qty").text == "6")
        assert (footer.figure("round_off_cdf"), footer.figure("payable_cdf")) == ("+8.50", "26,200.00")
        # the posted summary says what is left to return (6 PARA500 + 4 BAND01) within its line
        await wait_until(pilot, lambda: " left" in text_of(sr, "#ld-extra"))
        assert text_of(sr, "#ld-extra") == "Paid qty 4 · Free qty 0 · Credit 9.19 USD · 10 left"
        assert len(text_of(sr, "#ld-extra")) <= sr.query_one("#ld-extra").size.width
        view = shop.returns.document("261101SR000001")
        assert view.narration == "Damaged boxes" and view.extra["invoice"] == number
        assert [(l.item, l.batch, l.qty) for l in view.lines] == [("PARA500", "B002", D("4"))]
        assert shop.stock.item_stock("PARA500", "AXP").batches[0].qty == D("94")  # B002: 100 − 10 + 4


async def test_a_fully_returned_invoice_is_not_in_sales_return(shop):
    number = invoice(shop)
    shop.returns.post(actor(shop, "cashier"), ReturnDraft(
        based_on="invoice", invoice=number, narration="all back",
        lines=[ReturnLine(item="PARA500", qty="10"), ReturnLine(item="BAND01", qty="4")]))
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await open_screen(pilot, app, SalesReturnScreen, lambda s: s.location_code is not None)
        await pilot.press("f2")
        await wait_until(pilot, lambda: bar(sr).kind == "error")
        assert bar(sr).text == ("Invoice No. not in Sales Return: no invoice with anything left to return at AXP "
                                "(already fully returned)")
        await pilot.press(*number, "tab")
        await wait_until(pilot, lambda: bar(sr).text == not_returnable(number))
        assert bar(sr).text == ("Invoice No. 261101SI000001 not in Sales Return: already fully returned or wrong "
                                "customer")
        assert sr.source is None and sr.focused.id == "field-invoice"


async def test_direct_return_creates_the_batch_it_returns_into(shop):
    admin = actor(shop, "admin")
    shop.masters.create_supplier(admin, code="SUP01", name="Pharma Supplies")
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        rd = await open_screen(pilot, app, DirectReturnScreen, lambda s: s.context is not None)
        assert rd.focused.id == "field-customer"
        assert (rd.query_one("#field-rate").value, rd.query_one("#field-currency").value) == ("2850", "USD")
        await pilot.press(*"C0001", "tab")
        await wait_until(pilot, lambda: rd.customer is not None)
        assert rd.focused.id == "field-sales-person"
        assert rd.query_one("#field-sales-person").value == "SP01"
        assert rd.query_one("#field-mobile").value == "+243810000001"
        assert rd.query_one("#field-credit-sale").value == "yes"
        assert rd.query_one("#field-location-batch").value == "no"  # Location Batch Flag: off by default
        assert rd.query_one("#field-location-batch").region.right <= 80
        assert text_of(rd, "#ld-info") == "Card Standard · 0 points held"
        # the address is required: C0001 has none on file
        grid = rd.query_one(ItemGrid)
        rd.set_focus(grid.cell(1, "item"))
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert grid.cell(1, "price").value == "2.20"  # the wholesale list price
        await pilot.press(*"5", "tab", "tab", *"R001", "enter",  # Tab past Price to the batch
                          *"SUP01", "enter", *"LOT-77", "enter", "enter", *"2027-12-31", "enter")
        await wait_until(pilot, lambda: rd.focused is grid.cell(2, "item"))
        # 5 × 2.20 = 11.00 + tax 16 % 1.76 = 12.76
        await wait_until(pilot, lambda: figures(rd)["net"] == "12.76")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bar(rd).kind == "error")
        assert bar(rd).text == "Address is required"
        assert rd.focused.id == "field-address"
        await pilot.press(*"12 av. du Fleuve")
        await wait_until(pilot, lambda: "new batch R001" in text_of(rd, "#ld-extra"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: rd.view is not None)
        assert bar(rd).text == "Direct return 261101RD000001 saved: credit 12.76 USD to C0001"
        await wait_until(pilot, lambda: grid.cell(1, "supplier").value == "SUP01")
        assert (grid.cell(1, "batch").value, grid.cell(1, "supplier_batch_no").value,
                grid.cell(1, "expiry").value) == ("R001", "LOT-77", "2027-12-31")

    batch = next(b for b in shop.masters.batches("PARA500", location="AXP") if b.code == "R001")
    assert (batch.supplier, batch.supplier_batch_no, batch.expiry.isoformat(), batch.stock) == (
        "SUP01", "LOT-77", "2027-12-31", D("5"))
    view = shop.returns.document("261101RD000001")
    assert view.extra["address"] == "12 av. du Fleuve" and view.totals.payable == D("12.76")


async def test_the_return_footer_says_credit_and_fits_80_columns_in_french(shop):
    """'Avoir', 'Av. FC', 'Av. $' (not 'À payer', 'Dû FC', 'Dû $') and every figure inside 80 columns."""
    from shopterm.core import i18n
    from shopterm.widgets.totals_footer import Figure

    number = invoice(shop)
    i18n.set_language("fr")
    try:
        app = ShoptermApp(shop, actor=actor(shop, "cashier"))
        async with app.run_test(size=SIZE) as pilot:
            sr = await return_of(pilot, app, number, "enter", "4")
            footer = sr.query_one(TotalsFooter)
            await wait_until(pilot, lambda: footer.figure("payable") == "9,19")
            labels = [str(w.render()) for w in footer.query(".tf-label")]
            assert {"Avoir", "Av. FC", "Av. $"} <= set(labels), labels
            assert all(f.region.right <= SIZE[0] for f in footer.query(Figure)), [
                (f.id, f.region) for f in footer.query(Figure)]
    finally:
        i18n.set_language("en")
