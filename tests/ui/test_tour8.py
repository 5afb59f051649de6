"""Pilot tests of what the counter tour of the seventh and eighth sessions found wrong, each at
80×24 with the keys a cashier presses. Figures by hand are in each test's docstring.
"""

from __future__ import annotations

import pytest

from shopterm.app import ShoptermApp
from shopterm.core import i18n
from shopterm.core.i18n import _
from shopterm.screens.ledgers._common import document_text
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.sales.returns import ReturnDraft, ReturnLine
from shopterm.widgets.item_grid import ItemGrid
from tests.store import conftest as store
from tests.ui.test_cash_screens import float_in
from tests.ui.test_cash_screens import shop as cash_shop  # noqa: F401 (fixture: the shop, its day open)
from tests.ui.test_close_header_screen import french  # noqa: F401 (fixture)
from tests.ui.test_day_screens import open_screen as open_menu_screen
from tests.ui.test_day_screens import shop, sold  # noqa: F401 (fixtures: the §4 invoice sold and paid)
from tests.ui.test_orders_screens import open_screen
from tests.ui.test_returns_screens import return_of
from tests.ui.test_screens_in_both_languages import screen_text
from tests.ui.test_tour7 import open_shop  # noqa: F401 (fixture: the service tests' shop, its day open)
from tests.ui.waiting import wait_for

SIZE = (80, 24)


async def test_the_grid_warns_at_the_line_beyond_the_stock_left_by_reservations(open_shop):
    """C0001's order reserves 80 PARA500, C0002's 450: a walk-in may take 600 − 530 = 70. Typing 80
    (B002 holds 100: no batch warning) the line says "only 70 available", as Ctrl+S would refuse it.
    The invoice of C0001's own order may take 600 − 450 = 150: its 80 copied lines say nothing."""
    cashier = store.actor(open_shop, "cashier")
    mine = open_shop.orders.confirm(cashier, DocumentDraft(
        doc_type="SO", customer="C0001", lines=[DraftLine(item="PARA500", qty="80")])).number
    open_shop.orders.confirm(cashier, DocumentDraft(
        doc_type="SO", customer="C0002", lines=[DraftLine(item="PARA500", qty="450")]))
    app = ShoptermApp(open_shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        await wait_for(pilot, lambda: inv.customer is not None and inv.customer.code == "CASH", "the walk-in")
        grid.focus_cell(1, "item")
        await pilot.press(*"PARA500", "enter")
        await wait_for(pilot, lambda: grid.lines[0].defaults is not None, "the item")
        grid.focus_cell(1, "qty")
        await pilot.press(*"80")
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("only 70 available · "),
                       lambda: f"detail: {grid.detail_text()!r}")
        await pilot.press("backspace", "backspace", *"70")
        await wait_for(pilot, lambda: grid.cell(1, "qty").value == "70", "70 typed")
        await wait_for(pilot, lambda: not grid.detail_text()[1].startswith("only"),
                       lambda: f"detail: {grid.detail_text()!r}")

    app = ShoptermApp(open_shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        await wait_for(pilot, lambda: inv.customer is not None and inv.customer.code == "CASH", "the walk-in")
        inv.query_one("#field-order").focus()
        await pilot.press(*mine, "tab")
        await wait_for(pilot, lambda: grid.lines and grid.lines[0].item == "PARA500"
                       and grid.lines[0].defaults is not None
                       and grid.lines[0].defaults.available_stock == 150, "the order's line")
        grid.focus_cell(1, "qty")
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("Price $"),
                       lambda: f"detail: {grid.detail_text()!r}")
        assert grid.cell(1, "qty").value == "80"


def test_a_receipts_and_a_refunds_usd_figure_says_it_is_the_cash(sold):
    """The §4 invoice (54.86 USD) paid 50 USD + 20,000 CDF at 2850, 6,100 CDF change: the till kept
    50 USD + 13,900 CDF = 50 + 4.877… = 54.88 USD. The voucher said "Amount 54.86 USD (54.88 USD)",
    read as a second total. The 4 BAND01 returned (5.00 less the 0.25 flat share = 4.75 USD) are
    refunded 13,500 CDF (13,537.50 to the 100 CDF increment) = 4.7368… = 4.74 USD paid out."""
    cashier = store.actor(sold, "cashier")
    receipt = sold.sales.list_documents("RC")[0].number
    invoice = sold.sales.list_documents("SI")[0].number
    sr = sold.returns.post(cashier, ReturnDraft(invoice=invoice, narration="Wrong size",
                                                lines=[ReturnLine("BAND01", qty="4")])).number
    refund = sold.cash.post_refund(cashier, sales_return=sr, returned_cdf="13500").number
    said = lambda number: document_text(sold.sales.document(number)).splitlines()[2]  # noqa: E731
    assert said(receipt) == "Settles 54.86 USD · cash taken in, less change, worth 54.88 USD"
    assert said(refund) == "Refunds 4.75 USD · cash paid out worth 4.74 USD"
    # and the refund says it is one (it said 'Sales receipt 261101RC000002')
    assert document_text(sold.sales.document(refund)).startswith(f"Refund {refund} · ")
    assert document_text(sold.sales.document(receipt)).startswith(f"Sales receipt {receipt} · ")
    i18n.set_language("fr")
    try:
        assert said(receipt) == "Règle 54,86 USD · espèces encaissées, monnaie déduite : 54,88 USD"
        assert said(refund) == "Rembourse 4,75 USD · espèces décaissées : 4,74 USD"
        assert document_text(sold.sales.document(refund)).startswith(f"Remboursement {refund} · ")
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("lang, hint", [("en", "optional"), ("fr", "facultatif")])
async def test_a_posted_shop_open_shows_no_typing_hint_in_its_empty_remarks(shop, lang, hint):
    """New, the empty Remarks say they are optional; posted (read-only), they show nothing."""
    i18n.set_language(lang)
    try:
        app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_menu_screen(pilot, app, "shop_open")
            remarks = screen.query_one("#field-remarks")
            assert remarks.render_line(0).text.strip() == hint
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.posted, "opened")
            assert remarks.disabled and remarks.value == ""
            assert remarks.render_line(0).text.strip() == ""
            assert hint not in screen_text(app)
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("lang, received", [("en", "20,000.00"), ("fr", "20\u00a0000,00")])
async def test_a_posted_receipt_shows_the_cash_received_as_its_other_figures(sold, lang, received):
    """The §4 receipt took 50 USD + 20,000 CDF: shown again from F3, the CDF received read
    '20000.00' beside '6,100.00' change (as typed, not as the figures are shown). The list of one
    says '1 affiché' in French."""
    i18n.set_language(lang)
    try:
        app = ShoptermApp(sold, actor=store.actor(sold, "cashier"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_menu_screen(pilot, app, "sales_receipt")
            await pilot.press("f3")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "DocumentListDialog" and app.screen.rows,
                           "the list")
            said = app.screen.query_one("#doclist-message").text
            assert said == ("1 shown" if lang == "en" else "1 affiché")  # it said '1 affichés'
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.posted, "the posted receipt")
            assert (screen.query_one("#field-received-cdf").value, screen.query_one("#field-received-usd").value) == (
                received, "50.00" if lang == "en" else "50,00")
    finally:
        i18n.set_language("en")


def test_the_french_says_delegue_for_the_sales_person_it_asks_for():
    """The header field is 'Délégué'; Ctrl+S without one said 'Le vendeur est obligatoire'."""
    from shopterm.services.errors import ValidationError

    i18n.set_language("fr")
    try:
        assert ValidationError("Sales person is required", field="sales_person").message == "Le délégué est obligatoire"
        assert _("Sales person is required for a credit customer") == "Le délégué est obligatoire pour un client à crédit"
    finally:
        i18n.set_language("en")


async def test_in_french_the_grid_hint_and_a_posted_returns_line_fit_80_columns(open_shop, french):
    """The empty line's hint lost the word after F2 ('F2 liste'). C0002 (wholesale, 2.20 USD) bought
    80 PARA500 on a CDF invoice at 2850: 6,270.00 CDF a box, slab 3 %. 30 returned: gross 188,100.00,
    flat share 3 % = 5,643.00, tax 16 % of 182,457.00 = 29,193.12. Posted, the line's detail ran
    past 80 columns ('· Taxe 16% 2…'): it takes the short labels as the typed line does."""
    number = open_shop.sales.post_invoice(store.actor(open_shop, "cashier"), DocumentDraft(
        customer="C0002", sales_type="credit", currency="CDF", rate="2850",
        lines=[DraftLine(item="PARA500", qty="80")])).number
    app = ShoptermApp(open_shop, actor=store.actor(open_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        grid.focus_cell(1, "item")
        await wait_for(pilot, lambda: grid.detail_text()[0].startswith("1 : "), lambda: repr(grid.detail_text()))
        assert grid.detail_text()[0] == "1 : code, code-barres ou nom, Entrée · 3*CODE : qté · Qté % → Rem · F2 liste"
        app.pop_screen()
        sr = await return_of(pilot, app, number, "enter", "3")
        grid = sr.query_one(ItemGrid)
        await pilot.press("0")
        await wait_for(pilot, lambda: grid.cell(1, "qty").value == "30", "30 typed")
        await pilot.press("enter", "enter", *"Boites abimees", "ctrl+s")
        await wait_for(pilot, lambda: sr.view is not None, "saved")
        await wait_for(pilot, lambda: grid.read_only and grid.detail_text()[1].startswith("Prix $ 2,20"),
                       lambda: repr(grid.detail_text()))
        nb = "\u00a0"  # 'Part glob' gives way to 'Glob'; the tax stays whole
        assert grid.detail_text()[1] == f"Prix $ 2,20 · Brut 188{nb}100,00 · Rem. 0,00 · Glob 5{nb}643,00 · Taxe 16% 29{nb}193,12"
        assert len(grid.detail_text()[1]) <= 78


async def test_a_return_of_a_franc_invoice_shows_its_figures_whole(open_shop):
    """3 AMOX250 sold to the walk-in customer in CDF at 2850: 7.99 USD = 22,771.50 CDF a box, gross
    68,314.50. On the Sales Return the price column showed '22,771.5' (8 columns) and a 9-figure
    net ran into the discount beside it ('0.0035,625.00')."""
    number = open_shop.sales.post_invoice(store.actor(open_shop, "cashier"), DocumentDraft(
        customer="CASH", sales_type="cash", currency="CDF", rate="2850", sales_person="SP01",
        lines=[DraftLine(item="AMOX250", qty="3")])).number
    app = ShoptermApp(open_shop, actor=store.actor(open_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await return_of(pilot, app, number, "enter", "3")
        grid = sr.query_one(ItemGrid)
        await wait_for(pilot, lambda: grid.cell(1, "gross").text == "68,314.50", lambda: grid.cell(1, "gross").text)
        cells = grid.rows[0].cells
        shown = {k: cells[k].cell_text() for k in ("price", "gross", "discount_amount", "line_net")}
        assert {k: v.strip() for k, v in shown.items()} == {
            "price": "22,771.50", "gross": "68,314.50", "discount_amount": "0.00", "line_net": "68,314.50"}
        assert shown["line_net"].startswith(" ") and shown["gross"].startswith(" ")


async def test_a_posted_exchange_shows_the_amount_received_as_its_figures(cash_shop):
    """300,000 CDF typed as '300000' at 3000 for 100 USD: once posted the field reads 300,000.00
    as the gain beside it (+15,000.00) does; it kept '300000' as typed (and, since the field reads
so as soon as the cashier leaves it, before the save too)."""
    float_in(cash_shop, "USD", "200")
    app = ShoptermApp(cash_shop, actor=store.actor(cash_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_menu_screen(pilot, app, "currency_exchange")
        received = screen.query_one("#field-amount-received")
        await pilot.press(*"300000", "enter", "ctrl+u", *"3000", "enter")
        await wait_for(pilot, lambda: screen.query_one("#gain-cdf").text == "+15,000.00 gain", "gain")
        assert received.value == "300,000.00"  # left: shown as its figures while still open (it kept "300000")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted and received.disabled, "exchange posted")
        assert (received.value, screen.query_one("#field-amount-given").value) == ("300,000.00", "100.00")


async def test_a_sales_returns_narration_says_it_is_required_before_the_save(open_shop, french):
    """The Sales Return refuses a save without its narration; the empty field said 'texte libre'."""
    number = open_shop.sales.post_invoice(store.actor(open_shop, "cashier"), DocumentDraft(
        customer="C0002", sales_type="credit", lines=[DraftLine(item="PARA500", qty="10")])).number
    app = ShoptermApp(open_shop, actor=store.actor(open_shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        sr = await return_of(pilot, app, number, "enter", "1")
        narration = sr.footer_totals.narration_field
        assert narration.render_line(0).text.strip() == "obligatoire : le motif du retour"
