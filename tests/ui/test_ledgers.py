"""Pilot tests, keys only at 80×24, of the Ledgers screens: customer ledger (balance,
rows, open-items filter, voucher view, matching, unmatching, payment on account),
receivables overview (ageing buckets, drill-down), general ledger, trial balance,
account register, the cashier's menu, and paging over a few thousand entries.

The ledger (tests/store/ledger_support.py posts through the posting service;
the payment on account through ``services.ledger.record_payment``), business
date 2026-11-23, C0001 Kinshasa Pharma 30 credit days, C0002 Pharmacie du
Fleuve 15 days and a 500 USD limit::

    C0001  260801SI000001  2026-08-01  invoice      100.00  due 08-31  84 days → 61-90
           260901SI000001  2026-09-20  invoice      200.00  due 10-20  34 days → 31-60
           261001RC000001  2026-10-05  receipt      -50.00                       0-30 (credit)
           261101SR000001  2026-11-10  credit note  -80.00                       0-30 (credit)
           261101SI000001  2026-11-15  invoice       80.00  due 12-15  not due → 0-30
           balance 100 + 200 − 50 − 80 + 80 = 250.00; running 100, 300, 250, 170, 250
    C0002  261101SI000002  2026-11-01  invoice      600.00  due 11-16   7 days → 0-30, overdue, over limit

Ageing: C0001 0-30 = 80 − 50 − 80 = −50.00, 31-60 200.00, 61-90 100.00, total 250.00;
C0002 0-30 600.00; total 850.00 (both in "Fleuve Group").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import insert, select
from textual.widgets import Footer, OptionList

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.store import balances
from shopterm.store.models import Customer, LedgerEntry, Location
from tests.store import conftest as store
from tests.store import ledger_support as ls
from tests.ui.waiting import wait_for

DAY = store.DAY


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    """The demo-like shop, the day open, and the ledger of the module docstring."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    store.open_day(svc)
    m = store.actor(svc, "manager")
    ls.invoice(svc, m, "C0001", "100.00", dt.date(2026, 8, 1))
    ls.invoice(svc, m, "C0001", "200.00", dt.date(2026, 9, 20))
    ls.receipt(svc, m, "C0001", "50.00", dt.date(2026, 10, 5))
    ls.credit_note(svc, m, "C0001", "80.00", dt.date(2026, 11, 10))
    ls.invoice(svc, m, "C0001", "80.00", dt.date(2026, 11, 15))
    ls.invoice(svc, m, "C0002", "600.00", dt.date(2026, 11, 1))
    yield svc
    svc.db.dispose()


def manager_app(svc, who: str = "manager") -> ShoptermApp:
    return ShoptermApp(svc, actor=store.actor(svc, who))


async def open_from_menu(pilot, app, key: str):
    """From the home menu, by the entry's key, or with ↓ and Enter when it has none."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home screen")
    registry.discover()
    hotkey = {e.key: k for k, e in registry.hotkeys().items()}.get(key)
    if hotkey is not None:
        await pilot.press(hotkey)
    else:
        # the Ledgers group is last in the menu: from the end, up to the entry
        menu = app.screen.query_one("#home-menu", OptionList)
        await pilot.press("end")
        for _ in range(menu.option_count):
            if menu.get_option_at_index(menu.highlighted).id == key:
                break
            await pilot.press("up")
        await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ != "HomeScreen", f"{key} opened")
    screen = app.screen
    await wait_for(pilot, lambda: screen.is_mounted and bool(screen.query("LedgerView")), f"{key} mounted")
    return screen


async def settled(pilot, view) -> None:
    await wait_for(pilot, lambda: view.page is not None and not view.fetching, "page loaded")
    await pilot.pause()  # the page's rows drawn


def footer(screen) -> str:
    keys = screen.query_one(Footer).query("FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def cells(view) -> list[list[str]]:
    """The shown rows split into their cells (the amounts have no spaces)."""
    return [row.split() for row in view.row_texts()]


def by_number(view) -> dict[str, object]:
    return {r.number: r for r in view.rows}


async def open_ledger_of(pilot, app, code: str):
    screen = await open_from_menu(pilot, app, "customer_ledger")
    assert app.focused.id == "field-customer"
    await pilot.press(*code, "enter")
    await wait_for(pilot, lambda: screen.customer is not None and screen.customer.code == code, "customer loaded")
    await settled(pilot, screen.view)
    return screen


# ---------------------------------------------------------------- customer ledger


async def test_customer_ledger_shows_the_balance_and_every_row_with_running_balance(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        assert text_of(screen, "#ledger-balance") == "Owes us 250.00 USD"
        assert text_of(screen, "#customer-name") == "Kinshasa Pharma"
        view = screen.view
        assert app.focused is view
        assert cells(view) == [
            ["2026-08-01", "Invoice", "260801SI000001", "100.00", "100.00", "100.00"],
            ["2026-09-20", "Invoice", "260901SI000001", "200.00", "300.00", "200.00"],
            ["2026-10-05", "Payment", "261001RC000001", "50.00", "250.00", "-50.00"],
            ["2026-11-10", "Return", "261101SR000001", "80.00", "170.00", "-80.00"],
            ["2026-11-15", "Invoice", "261101SI000001", "80.00", "250.00", "80.00"],
        ]
        # debit and credit stand in their own columns (told apart without colour)
        header = view.visible_text().splitlines()[0]
        assert header.split() == ["Date", "Type", "Number", "Debit", "USD", "Credit", "USD", "Balance", "USD",
                                  "Open", "USD"]
        invoice_line, receipt_line = view.row_texts()[0], view.row_texts()[2]
        assert invoice_line.index("100.00") + len("100.00") == header.index("Debit USD") + len("Debit USD") - 2
        assert receipt_line.index("50.00") + len("50.00") == header.index("Credit USD") + len("Credit USD") - 2
        assert view.status_text() == "Page 1 · all shown · balance 0.00 → 250.00 USD"
        # the detail line: the full type, the due date, what does not fit
        assert view.detail_text().startswith("Sales invoice · due ") or "Sales invoice" in view.detail_text()
        await pilot.press("down", "down")
        assert "Payment received" in view.detail_text()
        for shown in ("Spc Mark", "F6 Open", "F7 Match", "F8 Unmatch", "^R Pay", "^P Stmt", "F9 Vchr", "Esc Back"):
            assert shown in footer(screen)
        assert all(len(line) <= 80 for line in view.visible_text().splitlines())


async def test_ctrl_p_prints_the_customer_statement(shop):
    from pathlib import Path

    from pypdf import PdfReader

    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Printed" in str(screen.message_bar.render()), "printed")
        message = str(screen.message_bar.render())
        path = Path(message.split(" to ", 1)[1].split(" · ")[0].strip())  # then "· ^G emails it"
        assert path.suffix == ".pdf" and path.exists() and message.endswith("^G emails it")
        text = " ".join(page.extract_text() for page in PdfReader(path).pages)
        # the month to the business date: opening 170.00 (before 11-01), the 11-15 invoice, closing 250.00
        assert "Kinshasa Pharma" in text and "250.00" in text and "261101SI000001" in text


async def test_a_credit_balance_is_said_in_words(shop):
    m = store.actor(shop, "manager")
    ls.receipt(shop, m, "C0002", "650.00", DAY)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0002")
        assert text_of(screen, "#ledger-balance") == "Credit 50.00 USD (we owe them)"


async def test_customer_found_by_name_or_phone_with_f2(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "customer_ledger")
        await pilot.press(*"+243810000002", "f2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LookupDialog", "lookup open")
        await wait_for(pilot, lambda: len(app.screen.rows) == 1, "phone found")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.customer is not None, "customer loaded")
        assert screen.customer.code == "C0002"
        # a name typed and Enter: not a code, so the lookup opens on it
        await pilot.press("shift+tab")  # back to the customer field (from the view)
        while app.focused.id != "field-customer":
            await pilot.press("shift+tab")
        await pilot.press("ctrl+u", *"Kinshasa", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LookupDialog", "lookup open on a name")
        await wait_for(pilot, lambda: [r.code for r in app.screen.rows] == ["C0001"], "name found")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.customer.code == "C0001", "C0001 loaded")
        await settled(pilot, screen.view)
        assert text_of(screen, "#ledger-balance") == "Owes us 250.00 USD"


async def test_enter_shows_the_voucher_document_and_match_group(shop):
    m = store.actor(shop, "manager")
    with shop.db.read() as s:
        ids = dict(s.execute(select(LedgerEntry.number, LedgerEntry.id)).all())
    shop.ledger.match(m, "C0001", [(ids["260801SI000001"], None), (ids["261001RC000001"], None)], DAY)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EntryVoucherView", "voucher view")
        text = app.screen.text
        assert "1200  Accounts receivable" in text and "4000  Sales" in text
        assert "balanced" in text
        assert "Sales invoice 260801SI000001 · 2026-08-01 · posted · at AXP" in text
        assert "Match 1 (manual, 2026-11-23)" in text
        assert "260801SI000001  Dr      50.00 USD" in text
        assert "261001RC000001  Cr      50.00 USD" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back")


async def test_open_items_toggle_hides_settled_rows(shop):
    m = store.actor(shop, "manager")
    with shop.db.read() as s:
        ids = dict(s.execute(select(LedgerEntry.number, LedgerEntry.id)).all())
    shop.ledger.match(m, "C0001", [(ids["261101SI000001"], None), (ids["261101SR000001"], None)], DAY)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        assert len(screen.view.rows) == 5
        await pilot.press("f6")
        await wait_for(pilot, lambda: len(screen.view.rows) == 3, "settled rows hidden")
        assert [r.number for r in screen.view.rows] == ["260801SI000001", "260901SI000001", "261001RC000001"]
        assert text_of(screen, "#open-only") == "[x] Open only (F6)"
        # the running balance still counts the hidden rows
        assert [r[4] for r in cells(screen.view)] == ["100.00", "300.00", "250.00"]
        await pilot.press("f6")
        await wait_for(pilot, lambda: len(screen.view.rows) == 5, "all rows again")


async def test_filters_by_type_search_and_date(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        await pilot.press("shift+tab")
        while app.focused.id != "field-types":
            await pilot.press("shift+tab")
        await pilot.press(*"si")
        await wait_for(pilot, lambda: [r.voucher_type for r in screen.view.rows] == ["SI", "SI", "SI"], "invoices only")
        await pilot.press("ctrl+u", *"xx")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "bad type refused")
        assert screen.message_bar.text == "Unknown voucher type 'xx' (use SI, PI, SR, RD, RC or CR)"
        assert app.focused.id == "field-types"
        await pilot.press("ctrl+u", "tab", *"SR0")
        await wait_for(pilot, lambda: [r.number for r in screen.view.rows] == ["261101SR000001"], "search")
        await pilot.press("ctrl+u")
        await wait_for(pilot, lambda: len(screen.view.rows) == 5, "search cleared")
        await pilot.press("tab", *"2030-01-01")  # changed since: nothing changed after that
        await wait_for(pilot, lambda: screen.view.page is not None and not screen.view.rows, "changed since")
        await pilot.press("ctrl+u", *"2026-01-01 00:00")
        await wait_for(pilot, lambda: len(screen.view.rows) == 5, "changed since the start of the year")
        await pilot.press("ctrl+u")
        while app.focused.id != "field-from":
            await pilot.press("shift+tab")
        await pilot.press(*"2026-10-01")
        await wait_for(pilot, lambda: len(screen.view.rows) == 3, "from date")
        assert screen.view.status_text() == "Page 1 · all shown · balance 300.00 → 250.00 USD"
        await pilot.press("ctrl+u", *"2026-13")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "bad date")
        assert screen.message_bar.text.startswith("From date: '2026-13' is not a date")
        assert len(screen.view.rows) == 3  # the last good filters stay


# ---------------------------------------------------------------- matching


async def test_marking_an_invoice_and_a_credit_and_matching_zeroes_their_open_balances(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        view = screen.view
        await pilot.press("f7")
        assert screen.message_bar.text.startswith("Mark the lines to match with Space")
        await pilot.press("down", "down", "down", "space")  # the credit note 80.00 (cursor moves on)
        await pilot.press("space")  # the invoice of 2026-11-15, 80.00
        assert set(view.marked) == {by_number(view)["261101SR000001"].entry_id,
                                    by_number(view)["261101SI000001"].entry_id}
        assert text_of(screen, "#marked-info") == "Marked Dr 80.00 Cr 80.00"
        assert "2 marked" in view.status_text()
        assert view.visible_text().splitlines()[4].startswith(" *2026-11-10")
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MatchDialog", "match dialog")
        dialog = app.screen
        assert dialog.plan.partial.number == "261101SI000001"
        assert app.focused.value == "80.00"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "matched")
        assert screen.message_bar.text == ("Match 1: 80.00 USD (261101SI000001 80.00, 261101SR000001 80.00)")
        await wait_for(pilot, lambda: by_number(view)["261101SI000001"].open_usd == 0, "reloaded")
        rows = by_number(view)
        assert rows["261101SR000001"].open_usd == D("0.00")
        assert rows["261101SR000001"].match_ids == (1,)
        assert view.marked == {}
        assert text_of(screen, "#ledger-balance") == "Owes us 250.00 USD"  # matching does not change the balance
        # a fully matched line cannot be marked
        view.cursor = 3
        await pilot.press("space")
        assert screen.message_bar.text == "261101SR000001 is fully matched: nothing open to match"


async def test_partial_match_asks_the_amount_of_the_larger_one(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        view = screen.view
        await pilot.press("down", "space", "space")  # the 200.00 invoice and the 50.00 receipt
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MatchDialog", "match dialog")
        assert app.screen.plan.partial.number == "260901SI000001"
        assert app.focused.value == "50.00"
        # more than the invoice's open balance: the service refuses, the dialog stays with the amount
        await pilot.press("ctrl+u", *"250", "enter")
        await wait_for(pilot, lambda: app.screen.message_bar.kind == "error", "refused")
        assert app.screen.message_bar.text == "260901SI000001: 250.00 USD is more than its open balance of 200.00 USD"
        assert app.focused.value == "250"
        await pilot.press("ctrl+u", *"20", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "matched")
        await wait_for(pilot, lambda: by_number(view)["260901SI000001"].open_usd == D("180.00"), "reloaded")
        assert by_number(view)["261001RC000001"].open_usd == D("-30.00")
        assert screen.message_bar.text == "Match 1: 20.00 USD (260901SI000001 20.00, 261001RC000001 20.00)"


async def test_unmatch_a_group_after_confirming(shop):
    m = store.actor(shop, "manager")
    with shop.db.read() as s:
        ids = dict(s.execute(select(LedgerEntry.number, LedgerEntry.id)).all())
    shop.ledger.match(m, "C0001", [(ids["260801SI000001"], None), (ids["261001RC000001"], None)], DAY)
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        view = screen.view
        await pilot.press("down")  # 260901SI000001: not matched
        await pilot.press("f8")
        assert screen.message_bar.text == "260901SI000001 is not matched"
        await pilot.press("up", "f8")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnmatchDialog", "unmatch dialog")
        assert app.screen.message_bar.text == "Unmatch match 1? Enter: yes, Esc: no"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "cancelled")
        assert by_number(view)["260801SI000001"].open_usd == D("50.00")
        await pilot.press("f8")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnmatchDialog", "unmatch dialog again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "unmatched")
        await wait_for(pilot, lambda: by_number(view)["260801SI000001"].open_usd == D("100.00"), "open again")
        assert by_number(view)["261001RC000001"].open_usd == D("-50.00")
        assert screen.message_bar.text == "Match 1 undone: 50.00 USD open again"


async def test_record_payment_settles_the_oldest_invoice_first(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        view = screen.view
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PaymentDialog", "payment dialog")
        dialog = app.screen
        assert dialog.query_one("#pay-rate").value == "2850"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.message_bar.kind == "error", "amount required")
        assert dialog.message_bar.text == "Amount: required"
        # 120 USD by mobile money: 100.00 settles the 08-01 invoice, 20.00 the 09-20 one
        await pilot.press(*"120", "enter", "enter", "enter", "m", "enter", *"MP-778", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "recorded")
        assert screen.message_bar.text == ("Payment 261101CR000001: 120.00 USD; settled 260801SI000001 100.00, "
                                           "260901SI000001 20.00")
        await wait_for(pilot, lambda: text_of(screen, "#ledger-balance") == "Owes us 130.00 USD", "new balance")
        await wait_for(pilot, lambda: "261101CR000001" in by_number(view), "payment row shown")
        rows = by_number(view)
        assert rows["260801SI000001"].open_usd == D("0.00")
        assert rows["260901SI000001"].open_usd == D("180.00")
        assert rows["261101CR000001"].open_usd == D("0.00")
        assert rows["261101CR000001"].method == "mobile"
        assert rows["261101CR000001"].reference == "MP-778"
        assert cells(view)[-1] == ["2026-11-23", "On", "acct", "261101CR000001", "120.00", "130.00", "0.00"]


async def test_payment_refusal_keeps_the_dialog_then_a_payment_in_francs(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PaymentDialog", "payment dialog")
        dialog = app.screen
        await pilot.press(*"0.001", "ctrl+s")
        await wait_for(pilot, lambda: dialog.message_bar.kind == "error", "bad amount")
        assert dialog.message_bar.text.startswith("Amount:")
        assert dialog.query_one("#pay-amount").value == "0.001"
        assert shop.ledger.balance(store.actor(shop, "manager"), "C0001") == D("250.00")
        # fixed: 285,000 CDF at 2850 = 100.00 USD, which settles the oldest invoice (08-01) in full
        await pilot.press("ctrl+u", *"285000", "enter", "c", "enter", "enter", "enter", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "recorded")
        assert screen.message_bar.text == "Payment 261101CR000001: 285,000.00 CDF; settled 260801SI000001 100.00"
        await wait_for(pilot, lambda: text_of(screen, "#ledger-balance") == "Owes us 150.00 USD", "new balance")
        await wait_for(pilot, lambda: "261101CR000001" in by_number(screen.view), "payment row")
        row = by_number(screen.view)["261101CR000001"]
        assert (row.currency, row.amount, row.amount_usd, row.method) == ("CDF", D("-285000.00"), D("-100.00"), "cash")
        await pilot.press("end")
        await wait_for(pilot, lambda: screen.view.cursor_row.number == "261101CR000001", "on the payment")
        assert screen.view.detail_text().startswith("Payment on account · 285,000.00 CDF, open 0.00 · cash")


# ---------------------------------------------------------------- receivables


async def test_receivables_show_the_ageing_buckets_and_drill_into_the_ledger(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "receivables")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 3, "ageing loaded")
        assert screen.query_one("#field-at").value == "2026-11-23"
        assert text_of(screen, "#receivables-total") == "Total 850.00 USD"
        rows = cells(view)
        assert rows[0][0] == "C0001" and rows[0][-6:] == ["-50.00", "200.00", "100.00", "0.00", "250.00", "OD"]
        assert rows[1][0] == "C0002" and rows[1][-7:] == ["600.00", "0.00", "0.00", "0.00", "600.00", "OD", "OL"]
        assert rows[2][:2] == ["TOTAL", "Total"]
        assert rows[2][-7:] == ["550.00", "200.00", "100.00", "0.00", "850.00", "OD", "OL"]
        assert view.visible_text().splitlines()[0].split() == ["Code", "Name", "0-30", "31-60", "61-90", "90+",
                                                               "Total", "USD", "Flags"]
        assert app.focused.id == "field-at"  # opens on its filter; Enter goes on to the report
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is view, "in the report")
        await pilot.press("down")
        assert "OVERDUE 600.00 USD" in view.detail_text()
        assert "OVER the credit limit of 500.00" in view.detail_text()
        assert "OD overdue, OL over credit limit" in view.status_text()
        # group totals
        await pilot.press("f6")
        await wait_for(pilot, lambda: [r.code for r in view.rows] == ["Fleuve Group", "TOTAL"], "groups")
        assert cells(view)[0][-7:] == ["550.00", "200.00", "100.00", "0.00", "850.00", "OD", "OL"]
        await pilot.press("enter")  # the group's customers
        await wait_for(pilot, lambda: [r.code for r in view.rows] == ["C0001", "C0002", "TOTAL"], "customers of group")
        # Enter drills into C0002's ledger
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerLedgerScreen", "ledger opened")
        ledger = app.screen
        await wait_for(pilot, lambda: ledger.customer is not None and ledger.view.page is not None, "ledger loaded")
        assert ledger.customer.code == "C0002"
        assert text_of(ledger, "#ledger-balance") == "Owes us 600.00 USD · OVER LIMIT"
        # a payment there, then back: the receivables are read again
        m = store.actor(shop, "manager")
        shop.ledger.record_payment(m, customer="C0002", amount="100")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back")
        await wait_for(pilot, lambda: text_of(screen, "#receivables-total") == "Total 750.00 USD", "re-read")


async def test_receivables_at_an_earlier_date(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "receivables")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 3, "ageing loaded")
        assert app.focused.id == "field-at"
        # at 2026-10-31: SI1 100 (61 days → 61-90), SI2 200 (11 days → 0-30), RC1 −50 → 0-30 = 150
        await pilot.press("ctrl+u", *"2026-10-31")
        # C0002's invoice of 11-01 is not there yet: only C0001 and the total
        await wait_for(pilot, lambda: len(view.rows) == 2 and not view.fetching, "earlier date")
        assert text_of(screen, "#receivables-total") == "Total 250.00 USD"
        assert cells(view)[0][-6:] == ["150.00", "0.00", "100.00", "0.00", "250.00", "OD"]
        assert screen.query_one("#doc-title").render().plain == "Receivables · at 2026-10-31"


# ---------------------------------------------------------------- general ledger, trial balance, register


async def test_general_ledger_shows_payments_by_default_and_all_with_f6(shop):
    m = store.actor(shop, "manager")
    shop.ledger.record_payment(m, customer="C0002", amount="100", method="cheque", reference="CHQ 55")
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "general_ledger")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 1, "payments")
        assert screen.query_one("#field-from").value == "2026-11-01"
        assert cells(view) == [["2026-11-23", "CHQ", "55", "On", "acct", "C0002", "cheque", "100.00", "500.00"]]
        assert view.detail_text() == "Payment on account · Pharmacie du Fleuve · at AXP · Number 261101CR000001"
        await pilot.press("f6")
        await wait_for(pilot, lambda: len(view.rows) == 4, "all transactions of November")
        assert [r.number for r in view.rows] == ["261101SI000002", "261101SR000001", "261101SI000001",
                                                 "261101CR000001"]
        assert [r[-1] for r in cells(view)] == ["600.00", "170.00", "250.00", "500.00"]
        assert text_of(screen, "#show-all") == "[x] Show all (F6)"
        assert app.focused.id == "field-from"
        await pilot.press("enter", "enter", "enter")  # From, To, Location: on to the report
        await wait_for(pilot, lambda: app.focused is view, "in the report")
        await pilot.press("end", "enter")  # the payment's voucher: Dr bank/mobile clearing, Cr receivable
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EntryVoucherView", "voucher")
        assert app.screen.title_text == "Voucher · 261101CR000001"
        assert "Payment on account" in app.screen.text and "CHQ 55" not in app.screen.text.split("\n")[0]


async def test_trial_balance_and_account_register(shop):
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "trial_balance")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and view.rows, "trial balance")
        # 1200: 100 + 200 + 80 + 600 − 50 − 80 = 850 Dr; 4000 Sales 980 Cr; 4010 returns 80 Dr; 1100 cash 50 Dr
        assert [c[:1] + c[-1:] for c in cells(view)] == [["1100", "50.00"], ["1200", "850.00"], ["4000", "980.00"],
                                                         ["4010", "80.00"], ["TOTAL", "980.00"]]
        assert "balanced" in screen.query_one("#doc-title").render().plain
        assert app.focused.id == "field-at"
        await pilot.press("enter")  # At: on to the report
        await wait_for(pilot, lambda: app.focused is view, "in the report")
        await pilot.press("down", "enter")  # 1200's register
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountRegisterScreen", "register")
        reg = app.screen
        await wait_for(pilot, lambda: reg.view.page is not None and reg.view.rows, "register rows")
        assert reg.query_one("#field-to").value == "2026-11-23"
        # November on 1200: opening 100 + 200 − 50 = 250; +600 → 850, −80 → 770, +80 → 850
        assert [r.number for r in reg.view.rows] == ["261101SI000002", "261101SR000001", "261101SI000001"]
        assert [r.balance for r in reg.view.rows] == [D("850.00"), D("770.00"), D("850.00")]
        assert reg.view.status_text() == "Page 1 · all shown · opening 250.00 → 850.00 USD"
        assert reg.query_one("#doc-title").render().plain == "Account Register · 1200 Accounts receivable"


# ---------------------------------------------------------------- who sees the ledgers


async def test_a_cashier_does_not_see_the_ledgers_group(shop):
    app = manager_app(shop, "cashier")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        menu = app.screen.query_one("#home-menu", OptionList)
        ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
        assert "group-Ledgers" not in ids
        for key in ("customer_ledger", "receivables", "general_ledger", "trial_balance", "account_register"):
            assert key not in ids
        app.open_entry("customer_ledger")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
    manager = manager_app(shop)
    async with manager.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(manager.screen).__name__ == "HomeScreen", "home")
        menu = manager.screen.query_one("#home-menu", OptionList)
        ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
        assert "group-Ledgers" in ids and "customer_ledger" in ids and "receivables" in ids


# ---------------------------------------------------------------- paging


def _bulk_entries(svc, code: str, n: int) -> None:
    """``n`` invoices of 1.00 USD for ``code``, one a day back from DAY, written with one Core insert."""
    with svc.db.write() as s:
        cid = s.execute(select(Customer.id).where(Customer.code == code)).scalar_one()
        loc = s.execute(select(Location.id).where(Location.code == "AXP")).scalar_one()
        start = DAY - dt.timedelta(days=n)
        s.execute(insert(LedgerEntry.__table__), [
            {"customer_id": cid, "location_id": loc, "voucher_type": "SI", "number": f"BULK{i:06d}",
             "reference": "", "doc_date": start + dt.timedelta(days=i), "currency": "USD", "amount": D("1.00"),
             "amount_usd": D("1.00"), "open_amount": D("1.00"), "open_usd": D("1.00"), "is_open": True,
             "method": "", "posted_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
             "changed_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}
            for i in range(n)])
        # what the posting keeps with its entries: the sums per customer and month, the open amounts
        days = [start + dt.timedelta(days=i) for i in range(n)]
        balances.add_customer_months(s, [(cid, d, D("1.00")) for d in days])
        balances.add_open(s, [(cid, D("1.00"), None, d, D("1.00")) for d in days], start)


async def test_paging_over_thousands_of_entries(shop):
    _bulk_entries(shop, "C0002", 3000)
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        from shopterm.screens.ledgers import open_customer_ledger

        open_customer_ledger(app, "C0002")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerLedgerScreen", "ledger open")
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query("LedgerView")), "ledger mounted")
        await wait_for(pilot, lambda: screen.view.page is not None and not screen.view.fetching, "first page")
        view = screen.view
        size = len(view.rows)
        assert 8 <= size <= 20  # a screenful, not 3,001 rows
        first = [r.number for r in view.rows]
        assert first[0] == "BULK000000"
        assert view.rows[-1].balance == D(size)
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: view.rows and view.rows[0].number != first[0], "second page")
        assert [r.number for r in view.rows][0] == f"BULK{size:06d}"
        assert view.rows[0].balance == D(size + 1)
        assert view.page_number == 2
        await pilot.press("pageup")
        await wait_for(pilot, lambda: view.rows[0].number == "BULK000000", "back to the first page")
        await pilot.press("end")
        await wait_for(pilot, lambda: view.rows and view.rows[-1].number == "BULK002999", "last page")
        assert view.rows[-1].balance == D("3600.00")
        assert not view.has_next and view.has_previous
        assert view.cursor == len(view.rows) - 1
        await pilot.press("down")  # at the very end: nothing happens
        assert view.cursor == len(view.rows) - 1
        await pilot.press("up")
        assert view.cursor == len(view.rows) - 2
        await pilot.press("home")
        await wait_for(pilot, lambda: view.rows[0].number == "BULK000000", "home")
        # moving down past the bottom row fetches the next page
        for _ in range(size):
            await pilot.press("down")
        await wait_for(pilot, lambda: view.rows[0].number == f"BULK{size:06d}", "next page by arrow")
        assert view.cursor == 0
        assert view.fetch_count < 12


async def test_general_ledger_and_register_page_both_ways(shop):
    """The services' keyset paging backwards (``before_key``) gives the same pages as forwards."""
    m = store.actor(shop, "manager")
    _bulk_entries(shop, "C0002", 40)  # ledger entries only (no journal): the GL shows them with show_all
    everything = shop.ledger.general_ledger(m, None, dt.date(2026, 1, 1), DAY, show_all=True).rows
    forward, after = [], None
    while True:
        page = shop.ledger.general_ledger(m, None, dt.date(2026, 1, 1), DAY, show_all=True, after_key=after, limit=7)
        forward.append([r.number for r in page.rows])
        if page.next_key is None:
            break
        after = page.next_key
    assert sum(forward, []) == [r.number for r in everything]
    backward, before = [], (dt.date(9999, 12, 31), 2**62)
    while True:
        page = shop.ledger.general_ledger(m, None, dt.date(2026, 1, 1), DAY, show_all=True, before_key=before,
                                          limit=7)
        backward.insert(0, [r.number for r in page.rows])
        if page.prev_key is None:
            break
        before = page.prev_key
    assert sum(backward, []) == [r.number for r in everything]
    assert backward[-1] == sum(forward, [])[-7:] and len(backward[0]) < 7  # full pages from the end
    last = shop.ledger.general_ledger(m, None, dt.date(2026, 1, 1), DAY, show_all=True,
                                      before_key=(dt.date(9999, 12, 31), 2**62), limit=7)
    assert last.next_key is None and last.prev_key == last.rows[0].key
    # the register of 1200 from August: 100, 200, −50, −80, 80, 600 (the bulk rows have no journal)
    full = shop.ledger.account_register(m, "1200", dt.date(2026, 8, 1), DAY)
    assert [r.balance for r in full.rows] == [D("100.00"), D("300.00"), D("250.00"), D("850.00"), D("770.00"),
                                              D("850.00")]
    tail = shop.ledger.account_register(m, "1200", dt.date(2026, 8, 1), DAY, before_key=(dt.date(9999, 12, 31), 2**62),
                                        limit=4)
    assert [r.line_id for r in tail.rows] == [r.line_id for r in full.rows[-4:]]
    assert tail.opening_balance == D("300.00") and tail.closing_balance == D("850.00")
    assert tail.next_key is None and tail.prev_key == tail.rows[0].key
    head = shop.ledger.account_register(m, "1200", dt.date(2026, 8, 1), DAY, before_key=tail.prev_key, limit=4)
    assert [r.line_id for r in head.rows] == [r.line_id for r in full.rows[:2]]
    assert head.opening_balance == D("0.00") and head.prev_key is None and head.next_key == head.rows[-1].key


async def test_ledger_view_over_a_forward_only_source():
    """A source that only pages forward: PageUp goes back over the pages seen, End walks to the last page."""
    from dataclasses import dataclass as _dc

    from textual.app import App

    from shopterm.widgets.ledger_view import Column, LedgerView, PageRequest, ViewPage

    @_dc(frozen=True)
    class Row:
        n: int

        @property
        def key(self) -> int:
            return self.n

    calls: list[PageRequest] = []

    def fetch(req: PageRequest) -> ViewPage:
        assert req.before is None and not req.last
        calls.append(req)
        start = 0 if req.after is None else req.after + 1
        rows = tuple(Row(i) for i in range(start, min(2000, start + req.limit)))
        return ViewPage(rows, rows[-1].n if rows and rows[-1].n < 1999 else None)

    class Host(App):
        def compose(self):
            yield LedgerView([Column("n", "No", lambda r: f"{r.n:,}", align="right")], fetch, backward=False)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LedgerView)
        view.focus()
        await wait_for(pilot, lambda: view.page is not None and not view.fetching, "first page")
        size = len(view.rows)
        assert size == 24 - 2 - 2 and [r.n for r in view.rows][:2] == [0, 1]
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: view.rows[0].n == 2 * size and not view.fetching, "third page")
        await pilot.press("pageup")
        await wait_for(pilot, lambda: view.rows[0].n == size and not view.fetching, "back one page")
        await pilot.press("end")
        await wait_for(pilot, lambda: view.rows and view.rows[-1].n == 1999 and not view.fetching, "walked to the end")
        assert len(view.rows) == size and view.cursor == size - 1
        assert "Last page" in view.status_text()
        assert max(r.limit for r in calls) <= 500  # walked in pages, never everything at once
        await pilot.press("home")
        await wait_for(pilot, lambda: view.rows[0].n == 0, "home")


async def test_general_ledger_detail_line_is_whole_at_80_columns(shop):
    m = store.actor(shop, "manager")
    shop.ledger.record_payment(m, customer="C0002", amount="285000", currency="CDF", rate="2850",
                               method="cheque", reference="CHQ 56")
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "general_ledger")
        view = screen.view
        await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 1, "the payment")
        whole = view.detail_text()
        assert "285,000.00 CDF" in whole and "Number 261101CR000001" in whole
        shown = view._detail_text(view.size.width)
        assert " ".join(line.strip() for line in shown) == whole  # nothing cut off
        assert all(len(line) <= 78 for line in shown)


async def test_pay_dialog_reference_shows_its_whole_placeholder(shop):
    from shopterm.screens.ledgers.matching import PaymentDialog

    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PaymentDialog("C0002", "Pharmacie du Fleuve", None, None, None, lambda *a: None))
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog) and app.screen.query("#pay-reference")
                       and app.screen.query_one("#pay-reference").size.width > 0, "the Pay dialog")
        ref = app.screen.query_one("#pay-reference")
        assert ref.size.width >= len(ref.placeholder) + 2, (ref.size.width, ref.placeholder)


# ---------------------------------------------------------------- open items of every customer


async def test_open_items_of_every_customer_a_screenful_at_a_time(shop, tmp_path):
    _bulk_entries(shop, "C0002", 40)  # 40 more open invoices of 1.00 USD: the list runs over several pages
    app = manager_app(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_menu(pilot, app, "open_items")
        view = screen.view
        await settled(pilot, view)
        assert screen.query_one("#field-at").value == "2026-11-23"
        assert view.visible_text().splitlines()[0].split() == ["Customer", "Date", "Number", "Type", "Due", "Days",
                                                               "Open", "USD"]
        rows = cells(view)
        assert len(rows) == 16  # a screenful at 80x24, read from the service a page at a time
        # C0001 (30 credit days) at 2026-11-23: its five entries open, 100 + 200 - 50 - 80 + 80 = 250.00
        assert rows[:5] == [
            ["C0001", "2026-08-01", "260801SI000001", "Invoice", "2026-08-31", "84", "100.00"],
            ["C0001", "2026-09-20", "260901SI000001", "Invoice", "2026-10-20", "34", "200.00"],
            ["C0001", "2026-10-05", "261001RC000001", "Payment", "2026-11-04", "19", "-50.00"],
            ["C0001", "2026-11-10", "261101SR000001", "Return", "2026-12-10", "-17", "-80.00"],
            ["C0001", "2026-11-15", "261101SI000001", "Invoice", "2026-12-15", "-22", "80.00"]]
        # then C0002 (15 credit days): the bulk invoices from 2026-10-14, due 15 days later
        assert rows[5] == ["C0002", "2026-10-14", "BULK000000", "Invoice", "2026-10-29", "25", "1.00"]
        assert rows[15][2] == "BULK000010"
        assert view.detail_text() == "Kinshasa Pharma · Sales invoice 100.00 USD · open 100.00 · 84 days past due"
        assert "PgDn for more" in view.status_text()
        assert "^O Export" in footer(screen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is view, "in the list")
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: view.rows and view.rows[0].number == "BULK000011", "second page")
        rows = cells(view)
        # the 600.00 invoice of 2026-11-01 (due 11-16, 7 days late) before that day's bulk invoice
        assert rows[6:9] == [["C0002", "2026-10-31", "BULK000017", "Invoice", "2026-11-15", "8", "1.00"],
                             ["C0002", "2026-11-01", "261101SI000002", "Invoice", "2026-11-16", "7", "600.00"],
                             ["C0002", "2026-11-01", "BULK000018", "Invoice", "2026-11-16", "7", "1.00"]]
        # Ctrl+O: the whole list in a file, not the page shown
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog", "export dialog")
        assert app.screen.query_one("#export-path").value == "open-items-2026-11-23.csv"
        target = tmp_path / "open.csv"
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "written")
        assert screen.message_bar.text == f"wrote {target}"
        written = target.read_text(encoding="utf-8")
        assert "BULK000039" in written and "261101SI000002" in written and "260801SI000001" in written
        await pilot.press("down", "down", "down", "down", "down", "down", "down")
        assert view.detail_text() == "Pharmacie du Fleuve · Sales invoice 600.00 USD · open 600.00 · 7 days past due"
        await pilot.press("enter")  # the customer's ledger
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerLedgerScreen", "ledger opened")
        ledger = app.screen
        await wait_for(pilot, lambda: ledger.customer is not None, "ledger loaded")
        assert ledger.customer.code == "C0002"


def test_a_payment_received_reads_as_a_payment_in_french_not_money_going_out():
    """The ledgers' short type of a customer's payment was "Décaissement" in French (the shop's
    Receipt/Payment choice shares the English "Payment"), and the General Ledger's detail line kept
    "Payment received" in English."""
    from shopterm.core import i18n
    from shopterm.screens.ledgers._common import short_type
    from shopterm.screens.ledgers.general_ledger import gl_detail
    from shopterm.services.ledger.reports import GLRow

    row = GLRow(1, dt.date(2026, 12, 5), "261201SI000001", "261201RC000001", "Payment received", "RC", "CASH",
                "Walk-In Customer", "cash", "AXP", "USD", D("-33.18"), D("-33.18"), D("0.00"), D("33.18"), D("0.00"))
    assert (short_type("Payment received"), gl_detail(row)) == ("Payment", "Payment received · Walk-In Customer · at AXP")
    with i18n.use("fr"):
        assert short_type("Payment received") == "Paiement"
        assert gl_detail(row) == "Paiement reçu · Walk-In Customer · à AXP"
        assert i18n.gettext("Payment") == "Décaissement"  # the shop's Receipt/Payment choice keeps its word


async def test_the_receivables_legend_is_whole_in_french(shop):
    """The status line's flag legend ran past 80 columns in French ("… OD échu, OL plafond dépass")."""
    from rich.cells import cell_len

    from shopterm.core import i18n

    i18n.set_language("fr")
    try:
        app = manager_app(shop)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_from_menu(pilot, app, "receivables")
            view = screen.view
            await wait_for(pilot, lambda: view.page is not None and len(view.rows) == 3, "ageing loaded")
            assert view.status_text() == "Page 1 · tout est affiché · Entrée : le grand livre · OD échu, OL > plafond"
            assert cell_len(view.status_text()) <= view.content_region.width
    finally:
        i18n.set_language("en")
