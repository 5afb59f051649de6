"""What a French tour of the demo found (80×24, the language set and reset by a fixture):

* a payment on account stores the reference "On account" and the method code "cash": the General
  Ledger, the customer ledger's statement page, its voucher and the printed report showed them as
  stored; now "En compte" and "Espèces" (the stored values, CSV and JSON keep the codes);
* the grid's detail line read "1: Paracetamol…" with no French space before the colon;
* the open items' detail line lost its due date at 80 columns ("… · échéance").

The ledger is tests/ui/test_ledgers.py's: C0002 Pharmacie du Fleuve owes 600.00 USD (2026-11-01,
due 2026-11-16, 7 days late at 2026-11-23); a payment of 100 USD in cash, no reference typed,
leaves 500.00.
"""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len

from shopterm.core import i18n
from shopterm.printing.reports import to_csv, to_json, to_text
from shopterm.screens.sales_invoice import SalesInvoiceScreen
from shopterm.widgets.item_grid import ItemGrid
from tests.store import conftest as store
from tests.ui.test_day_in_french import hotkey
from tests.ui.test_ledgers import cells, manager_app, open_from_menu, open_ledger_of, shop  # noqa: F401  (the fixture)
from tests.ui.waiting import wait_for


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def pay_cash_on_account(svc):
    svc.ledger.record_payment(store.actor(svc, "manager"), customer="C0002", amount="100", method="cash")


async def open_payment_voucher(pilot, app):
    """The General Ledger's one line (the payment on account), then its voucher (Enter); the ledger's view."""
    screen = await open_from_menu(pilot, app, "general_ledger")
    view = screen.view
    await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 1, "the payment")
    await pilot.press("enter", "enter", "enter", "end", "enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "EntryVoucherView", "voucher")
    return view


async def test_a_payment_on_account_reads_in_french_in_the_general_ledger(shop, french):
    pay_cash_on_account(shop)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_payment_voucher(pilot, app)
        row = view.rows[0]
        assert (row.reference, row.method) == ("On account", "cash")  # stored as the codes
        assert cells(view) == [["23/11/2026", "En", "compte", "En", "cpte", "C0002", "Espèces", "100,00", "500,00"]]
        assert "Montant 100,00 USD · Espèces" in app.screen.text.splitlines()  # a USD amount: no USD value beside it


async def test_a_payment_on_account_reads_in_french_on_the_statement_page(shop, french):
    pay_cash_on_account(shop)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0002")
        view = screen.view
        await wait_for(pilot, lambda: len(view.rows) == 2, "the invoice and the payment")
        await pilot.press("end")
        await wait_for(pilot, lambda: view.cursor_row is view.rows[-1], "the payment selected")
        detail = view.detail_text()
        assert "Espèces" in detail and "Réf En compte" in detail, detail
        assert "cash" not in detail and "On account" not in detail


def test_the_printed_general_ledger_says_en_compte_and_the_csv_keeps_the_codes(shop, french):
    pay_cash_on_account(shop)
    m = store.actor(shop, "manager")
    report = shop.ledger.general_ledger(m)
    text = to_text(report)
    assert "En compte" in text and "On account" not in text
    csv = to_csv(report)
    assert "On account" in csv and ",cash," in csv and "Espèces" not in csv
    rows = json.loads(to_json(report))["rows"]
    assert (rows[0]["reference"], rows[0]["method"]) == ("On account", "cash")


async def test_the_grid_detail_line_has_the_french_space_before_the_colon(shop, french):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home screen")
        await pilot.press(hotkey("sales_invoice"))
        await wait_for(pilot, lambda: isinstance(app.screen, SalesInvoiceScreen) and app.keys_ready(), "invoice")
        invoice = app.screen
        await wait_for(pilot, lambda: invoice.customer is not None, "the counter's defaults")
        grid = invoice.query_one(ItemGrid)
        await pilot.press(*"PARA500", "enter")
        await wait_for(pilot, lambda: grid.detail_text()[0].startswith("1 : Paracetamol"), lambda: grid.detail_text())
        i18n.set_language("en")
        assert grid.lines[0].item == "PARA500"


async def test_the_open_items_detail_keeps_its_due_date_in_french(shop, french):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "open_items")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and not view.fetching and view.rows, "open items")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is view, "in the list")
        for _ in range(len(view.rows)):
            shown = view._detail_text(view.size.width)
            row = view.cursor_row
            assert all(cell_len(line) <= view.size.width for line in shown)
            want = (f"{row.days_past_due} jours de retard" if row.days_past_due > 0
                    else f"échéance {i18n.format_date(row.due_date)}")
            assert want in " ".join(shown), (want, shown)
            await pilot.press("down")


def test_the_printed_statement_and_payment_say_en_compte_and_especes(shop):
    """The customer statement (text) and the printed payment, in French and (unchanged) in English."""
    pay_cash_on_account(shop)
    m = store.actor(shop, "manager")
    fr = shop.printing.statement(m, "C0002", format="text", write=False, lang="fr").text
    en = shop.printing.statement(m, "C0002", format="text", write=False, lang="en").text
    assert "261101CR000001 En compte" in fr and "On account" not in fr
    assert "261101CR000001 On account" in en
    fr = shop.printing.render("261101CR000001", format="text", lang="fr").text
    en = shop.printing.render("261101CR000001", format="text", lang="en").text
    assert "Mode     Espèces" in fr.splitlines()  # it read "Mode     cash"
    assert any(line.split() == ["Method", "cash"] for line in en.splitlines())


# -- a generated journal memo / narration (stored in English) reads in French -------------------------------


async def test_a_vouchers_generated_memo_reads_in_french_in_the_general_ledger(shop, french):
    """The payment on account's journal lines carry the memo 'Payment on account (cash)' (stored); the
    voucher opened from the General Ledger shows it as 'Paiement en compte (Espèces)' under each line."""
    pay_cash_on_account(shop)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_payment_voucher(pilot, app)
        lines = [line.strip() for line in app.screen.text.splitlines()]
        assert lines.count("Paiement en compte (Espèces)") == 2, lines
        # the default chart's accounts read in French too (their stored names are English)
        assert any(line.startswith("1100  Caisse USD") for line in lines), lines
        assert any(line.startswith("1200  Clients (créances)") for line in lines), lines
        assert "Payment on account (cash)" not in app.screen.text
    with shop.db.read() as s:
        from sqlalchemy import select

        from shopterm.store.models import JournalLine
        assert "Payment on account (cash)" in set(s.execute(select(JournalLine.memo)).scalars())  # as stored


def test_a_refunds_generated_narration_prints_in_french_and_the_register_csv_keeps_the_memo(shop):
    """A 10.00 USD return refunded in cash with no narration typed: the refund's narration 'Refund for …'
    prints 'Remboursement pour …' in French (English unchanged); the 1100 register's text says 'espèces
    remboursées', its CSV 'cash refunded' as stored."""
    from tests.store.test_cash import float_in, post_test_return

    cashier = store.actor(shop, "cashier")
    float_in(shop, cashier, "USD", "50")
    sr = post_test_return(shop, cashier, amount="10.00")
    rf = shop.cash.post_refund(cashier, sales_return=sr, returned_usd="10").number
    fr = [" ".join(line.split()) for line in shop.printing.render(rf, format="text", lang="fr").text.splitlines()]
    en = [" ".join(line.split()) for line in shop.printing.render(rf, format="text", lang="en").text.splitlines()]
    assert f"Remboursement pour {sr}" in fr and f"Refund for {sr}" in en
    register = shop.ledger.account_register(store.actor(shop, "manager"), "1100", store.DAY, store.DAY)
    i18n.set_language("fr")
    try:
        from shopterm.printing.reports import to_pdf
        from shopterm.screens.ledgers.account_register import COLUMNS
        from tests.store.test_printing import pdf_text

        text = " ".join(pdf_text(to_pdf(register)).split())
        assert "espèces remboursées" in text and "cash refunded" not in text
        memo = next(c for c in COLUMNS if c.key == "memo")  # the register screen's Memo column
        assert "espèces remboursées" in [memo.cell(r) for r in register.rows]
        assert "cash refunded" in to_csv(register) and "espèces" not in to_csv(register)
    finally:
        i18n.set_language("en")


def test_the_default_accounts_read_in_french_and_a_name_the_shop_gave_as_typed(shop):
    """The trial balance in French: 'Caisse USD' for the default 1100 'Cash USD'; an account the shop renamed
    keeps its name; the CSV keeps the stored names."""
    pay_cash_on_account(shop)
    m = store.actor(shop, "manager")
    shop.masters.update_account(store.actor(shop, "admin"), "1200", name="Débiteurs Kinshasa")
    report = shop.ledger.trial_balance(m)
    i18n.set_language("fr")
    try:
        text = to_text(report)
        assert "Caisse USD" in text and "Débiteurs Kinshasa" in text and "Cash USD" not in text
        csv = to_csv(report)
        assert "Cash USD" in csv and "Caisse USD" not in csv
    finally:
        i18n.set_language("en")
