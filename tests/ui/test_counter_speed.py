"""The counter at full speed: a split-tender cash sale, keys only, at 80×24 (issue 11, DESIGN §12).

The regression guard of the whole counter flow. Signed in as the cashier (whose
own sales person is SP02), the AXP day 2026-11-23 open, from the home menu;
each step's keys are sent as ONE burst (posted to the driver at once, no pause
between keys, as over SSH or from a scanner); between steps the test waits for
a state (a worker done, a screen up), never for time.

The keys (``"…"`` = data: item codes, quantities, percentages, cash amounts;
the others are counted, budget 14)::

    step 1  <hotkey>                                  open Sales Invoice
    step 2  "PARA500" enter "3" enter                 line 1
            "AMOX250" enter "2" % "10" enter          line 2 (% jumps to Disc %)
            "BAND01" enter "4" enter                  line 3
    step 3  ctrl+s                                    post; a cash sale: tendering opens
    step 4  "30000" enter "20" ctrl+s                 CDF then USD received; post
    non-data keys: 11

Figures, worked by hand from the demo prices (retail: the walk-in customer
CASH; USD document; rate 2850; CDF cash increment 100; slab 0–99: 0 %)::

    line  item     batch  qty  price  disc%  gross  disc   net    tax%  tax
    1     PARA500  B002   3    2.50   0      7.50   0.00   7.50   16    1.20
    2     AMOX250  A001   2    7.99   10     15.98  1.60   14.38  16    2.30  (2.3008)
    3     BAND01   D001   4    1.25   0      5.00   0.00   5.00    0    0.00
    subtotal 26.88 (under 100 USD: slab 0 %, flat 0.00) · tax 3.50 · net = payable 30.38 USD
    net in CDF 30.38 × 2850 = 86,583.00 → the CDF payable rounded to 100: 86,600

    received 20 USD × 2850 = 57,000 + 30,000 CDF = 87,000.00 CDF
    change = 87,000 − 86,600 = 400.00 CDF (a multiple of 100)
    the till: +20.00 USD and +30,000 − 400 = +29,600.00 CDF

PARA500's batch is B002: first expiry first (2027-01-31 before B001's 2027-06-30).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal as D

import pytest
from textual import events
from textual.keys import _character_to_key, _get_unicode_name_from_key

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.home import HomeScreen
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.screens.sales_receipt import SalesReceiptScreen
from shopterm.widgets.item_grid import ItemGrid
from shopterm.widgets.totals_footer import TotalsFooter
from tests.store.conftest import _copy_services, _template, actor, open_day
from tests.ui.waiting import wait_until

SIZE = (80, 24)
BUDGET = 14


class Data(str):
    """Characters that are data (item codes, quantities, percentages, cash amounts)."""


def script(hotkey: str) -> list[list[str]]:
    """The steps; a ``Data`` string is typed character by character, anything else is one key."""
    return [
        [hotkey],
        [Data("PARA500"), "enter", Data("3"), "enter",
         Data("AMOX250"), "enter", Data("2"), "%", Data("10"), "enter",
         Data("BAND01"), "enter", Data("4"), "enter"],
        ["ctrl+s"],
        [Data("30000"), "enter", Data("20"), "ctrl+s"],
    ]


def non_data_keys(steps: list[list[str]]) -> list[str]:
    return [k for step in steps for k in step if not isinstance(k, Data)]


def burst(app, step: list[str]) -> None:
    """Send a step's keys to the app at once, as a terminal delivers a burst (no waits)."""
    keys: list[str] = []
    for k in step:
        keys.extend(list(k) if isinstance(k, Data) else [k])
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    svc = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(svc)
    admin = svc.users.login("admin", "9999")
    svc.users.update(admin, "cashier", sales_person="SP02")  # the cashier's own sales person
    yield svc
    svc.db.dispose()


def lines_shown(grid) -> list[tuple]:
    return [(l.item, l.text("item"), l.text("batch"), l.text("qty"), l.text("price"), l.text("discount_pct"),
             l.defaults is not None) for l in grid.lines]


def figures(screen) -> dict[str, str]:
    footer = screen.query_one(TotalsFooter)
    keys = ("total_qty", "total_gross", "total_discount", "flat_amount", "tax", "net", "payable", "payable_cdf")
    return {k: footer.figure(k) for k in keys}


def menu_key() -> str:
    registry.discover()
    return next(k for k, e in registry.hotkeys().items() if e.key == "sales_invoice")


async def open_invoice(pilot, app, steps) -> SalesInvoiceScreen:
    """From the home menu, step 1 (the menu key) as a burst: the invoice with the counter's defaults."""
    await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.keys)
    burst(app, steps[0])
    await wait_until(pilot, lambda: isinstance(app.screen, SalesInvoiceScreen) and app.screen.customer is not None)
    return app.screen


def test_the_key_list_in_the_docstring_is_the_one_sent():
    steps = script("<hotkey>")
    assert len(non_data_keys(steps)) == 11 <= BUDGET
    assert f"non-data keys: {len(non_data_keys(steps))}" in __doc__


async def test_split_tender_cash_sale_within_the_key_budget(shop):
    steps = script(menu_key())
    counted = non_data_keys(steps)
    assert len(counted) <= BUDGET, f"{len(counted)} non-data keys: {counted}"

    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        # step 1: the menu key; the counter's defaults are there, the focus in row 1's item cell
        screen = await open_invoice(pilot, app, steps)
        grid = screen.query_one(ItemGrid)
        assert screen.focused is grid.cell(1, "item")
        assert screen.query_one("#field-customer").value == "CASH"
        assert screen.query_one("#field-sales-type").value == "cash"
        assert screen.query_one("#field-currency").value == "USD"
        assert screen.query_one("#field-sales-person").value == "SP02"
        assert "Walk-In Customer" in str(screen.query_one("#inv-customer-name").render())

        # step 2: three lines in one burst
        burst(app, steps[1])
        await wait_until(pilot, lambda: len(grid.lines) >= 4 and all(l.defaults is not None for l in grid.lines[:3])
                         and figures(screen)["net"] == "30.38",
                         show=lambda: (lines_shown(grid), figures(screen), screen.message_bar.text, screen.focused))
        assert screen.focused is grid.cell(4, "item")
        assert [(l.item, l.text("batch"), l.text("qty"), l.text("price"), l.text("discount_pct"))
                for l in grid.lines[:3]] == [
            ("PARA500", "B002", "3", "2.50", ""), ("AMOX250", "A001", "2", "7.99", "10"),
            ("BAND01", "D001", "4", "1.25", "")]
        assert figures(screen) == {
            "total_qty": "9", "total_gross": "28.48", "total_discount": "1.60", "flat_amount": "0% 0.00",
            "tax": "3.50", "net": "30.38", "payable": "30.38", "payable_cdf": "86,600.00"}

        # step 3: save; a cash sale goes straight to tendering, the focus in the first amount
        burst(app, steps[2])
        await wait_until(pilot, lambda: isinstance(app.screen, SalesReceiptScreen)
                         and app.screen.loaded_number is not None and app.screen.calc is not None)
        tender = app.screen
        invoice = screen.last_post.number
        assert invoice == "261101SI000001"
        assert tender.loaded_number == invoice
        assert tender.focused is tender.query_one("#field-received-cdf")

        # step 4: 30,000 CDF, Enter, 20 USD: the change shows as typed; then save
        burst(app, steps[3][:-1])
        await wait_until(pilot, lambda: tender.calc is not None and tender.calc.received_total_cdf == D("87000"))
        assert tender.query_one("#receipt-note").text == "Paid in full: give 400.00 CDF change."
        burst(app, steps[3][-1:])
        await wait_until(pilot, lambda: app.screen is screen and screen.last_receipt is not None
                         and screen.view is None and screen.customer is not None)

        # a new, empty invoice for the next customer, the change on screen
        receipt = screen.last_receipt
        assert receipt.receipt == "261101RC000001" and receipt.change_cdf == D("400.00")
        assert screen.message_bar.text == "Receipt 261101RC000001 posted · give 400.00 CDF change · next customer"
        assert screen.document_state == "New" and screen.document_number is None
        assert [l.item for l in grid.lines] == [""]
        assert screen.focused is grid.cell(1, "item")
        assert (screen.query_one("#field-customer").value, screen.query_one("#field-sales-person").value) == (
            "CASH", "SP02")

    # the posted invoice
    view = shop.sales.document(invoice)
    t = view.totals
    assert (view.customer, view.sales_type, view.currency, view.sales_person, view.posted_by) == (
        "CASH", "cash", "USD", "SP02", "cashier")
    assert [(l.item, l.batch, l.qty, l.price, l.discount_amount, l.line_net, l.tax_amount) for l in view.lines] == [
        ("PARA500", "B002", D("3"), D("2.50"), D("0.00"), D("7.50"), D("1.20")),
        ("AMOX250", "A001", D("2"), D("7.99"), D("1.60"), D("14.38"), D("2.30")),
        ("BAND01", "D001", D("4"), D("1.25"), D("0.00"), D("5.00"), D("0.00"))]
    assert (t.subtotal, t.flat_amount, t.tax, t.net, t.payable) == (
        D("26.88"), D("0.00"), D("3.50"), D("30.38"), D("30.38"))
    # the receipt: settles it, 400 CDF change
    rc = shop.sales.document("261101RC000001")
    extra = rc.extra
    assert (D(extra["received_usd"]), D(extra["received_cdf"]), D(extra["returned_cdf"])) == (
        D("20"), D("30000"), D("400"))
    assert extra["fully_settled"] is True
    # the till: the day's cash sales in each currency, and its expected closing balance
    day = shop.day.summary("AXP")
    assert (day.usd.opening, day.usd.cash_sales, day.usd.closing) == (D("0.00"), D("20.00"), D("20.00"))
    assert (day.cdf.opening, day.cdf.cash_sales, day.cdf.closing) == (D("0.00"), D("29600.00"), D("29600.00"))
    assert day.unpaid_cash_invoices == ()


async def test_scanner_bursts_quantity_first_and_the_f2_list_with_price_and_stock(shop):
    """A scanner sends code + Enter: each scan is a line (qty 1) and the next row takes the next
    scan; ``3*CODE`` and ``2*<barcode>`` set the quantity first; F2 lists price and available stock."""
    admin = shop.users.login("admin", "9999")
    shop.masters.update_item(admin, "BAND01", barcode="6001234500028")
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesInvoiceScreen())
        await wait_until(pilot, lambda: isinstance(app.screen, SalesInvoiceScreen) and app.screen.customer is not None)
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        assert screen.focused is grid.cell(1, "item")
        burst(app, [Data("6001234500028"), "enter", Data("3*PARA500"), "enter", Data("2*6001234500028"), "enter"])
        await wait_until(pilot, lambda: len(grid.lines) >= 4 and all(l.defaults is not None for l in grid.lines[:3])
                         and figures(screen)["net"] == "12.45",
                         show=lambda: (lines_shown(grid), figures(screen), screen.message_bar.text))
        assert [(l.item, l.text("qty"), l.text("price")) for l in grid.lines[:3]] == [
            ("BAND01", "1", "1.25"), ("PARA500", "3", "2.50"), ("BAND01", "2", "1.25")]
        # 1.25 + 7.50 (+1.20 tax) + 2.50 = 12.45
        assert screen.focused is grid.cell(4, "item")

        from shopterm.widgets.lookup import LookupDialog

        burst(app, [Data("AMOX"), "f2"])
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and app.screen.rows)
        assert [(r.code, r.detail) for r in app.screen.rows] == [("AMOX250", "7.99 USD · avail 200 BOX")]
        burst(app, ["enter"])
        await wait_until(pilot, lambda: app.screen is screen and grid.lines[3].defaults is not None)
        assert screen.focused is grid.cell(4, "qty")


async def test_the_cash_typed_in_the_same_burst_as_ctrl_s_reaches_the_tender(shop):
    """Ctrl+S and '30000' Enter '20' in ONE burst (a cashier who does not wait for the tender screen):
    the first digit reached the posted invoice before tendering opened and the till took '0000'
    CDF. Every key now waits for the tender screen: 30,000 CDF and 20 USD, change 400.00 CDF."""
    steps = script(menu_key())
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_invoice(pilot, app, steps)
        burst(app, steps[1])
        await wait_until(pilot, lambda: figures(screen)["net"] == "30.38")
        burst(app, ["ctrl+s", *steps[3][:-1]])
        await wait_until(pilot, lambda: isinstance(app.screen, SalesReceiptScreen) and app.screen.calc is not None
                         and app.screen.calc.received_total_cdf == D("87000"),
                         show=lambda: [w.value for w in app.screen.query("Input")])
        tender = app.screen
        assert (tender.query_one("#field-received-cdf").value, tender.query_one("#field-received-usd").value) == (
            "30,000.00", "20")  # the CDF left by Enter reads as its figure; the USD still being typed
        assert tender.query_one("#receipt-note").text == "Paid in full: give 400.00 CDF change."
