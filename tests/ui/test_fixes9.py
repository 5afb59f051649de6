"""Pilot tests of the defects the eighth session noticed and left, at 80×24 with the cashier's keys."""

from __future__ import annotations

from shopterm.app import ShoptermApp
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.item_grid import ItemGrid
from tests.store import conftest as store
from tests.ui.test_orders_screens import open_screen
from tests.ui.test_tour7 import open_shop  # noqa: F401 (fixture: the service tests' shop, its day open)
from tests.ui.waiting import wait_for

SIZE = (80, 24)


async def test_the_grids_stock_warning_counts_every_line_of_the_item_as_posting_does(open_shop):
    """C0001's order reserves 80 PARA500 and C0002's 450: a walk-in may take 600 − 530 = 70. Two lines
    of 40 (B002 holds 100: no batch warning) ask 80: posting refuses them ("70 available; 80 asked"),
    and the grid, which checked each line alone, said nothing. Now the second line says "only 70
    available", the first too once back on it; 30 on the second (70 in all) clears it."""
    cashier = store.actor(open_shop, "cashier")
    for customer, qty in (("C0001", "80"), ("C0002", "450")):
        open_shop.orders.confirm(cashier, DocumentDraft(
            doc_type="SO", customer=customer, lines=[DraftLine(item="PARA500", qty=qty)]))
    app = ShoptermApp(open_shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        inv = await open_screen(pilot, app, SalesInvoiceScreen, lambda s: s.context is not None)
        grid = inv.query_one(ItemGrid)
        await wait_for(pilot, lambda: inv.customer is not None and inv.customer.code == "CASH", "the walk-in")
        for row in (1, 2):
            grid.focus_cell(row, "item")
            await pilot.press(*"PARA500", "enter")
            await wait_for(pilot, lambda: len(grid.lines) >= row and grid.lines[row - 1].defaults is not None,
                           "the item")
            grid.focus_cell(row, "qty")
            await pilot.press(*"40")
            await wait_for(pilot, lambda: grid.cell(row, "qty").value == "40", "40 typed")
        assert grid.lines[1].defaults.available_stock == 70
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("only 70 available · "),
                       lambda: f"detail: {grid.detail_text()!r}")
        grid.focus_cell(1, "qty")
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("only 70 available · "),
                       lambda: f"line 1: {grid.detail_text()!r}")
        grid.focus_cell(2, "qty")
        await pilot.press("backspace", "backspace", *"30")
        await wait_for(pilot, lambda: grid.cell(2, "qty").value == "30", "30 typed")
        await wait_for(pilot, lambda: grid.detail_text()[1].startswith("Price $"),
                       lambda: f"detail: {grid.detail_text()!r}")


def test_the_rule_sums_item_and_batch_over_the_lines():
    from decimal import Decimal as D

    from shopterm.services.stock import asked_together

    items, batches = asked_together([("PARA500", "B002", D("40")), ("PARA500", "B002", D("40")),
                                     ("PARA500", "B001", D("5")), ("BAND01", None, D("4")), ("AMOX250", None, None)])
    assert items == {"PARA500": D("85"), "BAND01": D("4")}
    assert batches == {("PARA500", "B002"): D("80"), ("PARA500", "B001"): D("5")}


async def test_ctrl_k_finds_the_customer_statement_by_its_name_in_both_languages(services):
    """A manager typing "relevé" (or "statement") in Ctrl+K found no screen ("Aucun écran trouvé"): the
    statement is printed from the customer ledger (Ctrl+P), whose help now says so."""
    from textual.command import CommandList, CommandPalette

    from shopterm.core import i18n

    for lang, typed, title in (("en", "statement", "Customer ledger"), ("fr", "relevé", "Grand livre client")):
        services.users.update(services.users.login("admin", "9999"), "manager", language=lang)
        i18n.set_language(lang)
        try:
            app = ShoptermApp(services, actor=services.users.login("manager", "2222"))
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                await pilot.press("ctrl+k")
                await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
                await pilot.press(*typed)
                hits = app.screen.query_one(CommandList)
                await wait_for(pilot, lambda: hits.option_count >= 1 and hits.highlighted is not None and str(
                    hits.get_option_at_index(hits.highlighted).prompt).startswith(title),
                    lambda: (app.screen.query_one("CommandInput").value,
                             [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]))
        finally:
            i18n.set_language("en")
