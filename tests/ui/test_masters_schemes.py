"""Pilot tests, keys only at 80×24: Discount Slabs (overlaps refused naming the rows), Sales Target
progress bar chart, Users (admin only), Exchange Rate, customer details with purchase history.

Figures by hand: DESIGN §4's invoice to C0001 (10 × 2.50 −10 %, 3 × 7.99 − 1.00, 4 × 1.25; 5 % flat)
is 54.86 USD; against a November target of 100.00 USD that is 54.86 % → 55 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from shopterm.screens import registry
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.bar_chart import render_bars
from tests.store import conftest as store
from tests.ui.test_masters_customers import app_for, focused_field, footer, open_master, shop, type_in, wait_for

__all__ = ["shop"]


def post_invoice_to_c0001(svc) -> str:
    store.open_day(svc)
    result = svc.sales.post_invoice(store.actor(svc, "cashier"), DocumentDraft(
        customer="C0001", sales_type="credit", currency="USD", rate="2850", sales_person="SP01",
        flat_discount_type="percent", flat_discount_value="5",
        lines=[DraftLine("PARA500", qty="10", price="2.50", discount_pct="10"),
               DraftLine("AMOX250", qty="3", price="7.99", flat_discount="1.00"),
               DraftLine("BAND01", qty="4", price="1.25")]))
    return result.number


async def test_overlapping_slabs_are_refused_naming_the_rows(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "discount_slab")
        await pilot.press("enter", "enter")  # today, active
        assert focused_field(screen) == "ranges"
        await type_in(pilot, "0", "199", "0", "100", "", "4")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert screen.message_bar.text == "rows 1 and 2 overlap (0.00–199.00 and 100.00+)"
        grid = screen.grid("ranges")
        assert grid.index_of(screen.focused) == 1  # the later row of the two
        await pilot.press(*"200", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert screen.key == "DS0002"
    slab = shop.masters.get_discount_slab("DS0002")
    assert [(r.from_value, r.to_value, r.pct) for r in slab.ranges] == [
        (D("0.00"), D("199.00"), D("0.0000")), (D("200.00"), None, D("4.0000"))]
    assert slab.locations == ("AXP",)


def test_bar_chart_reads_without_colour():
    # width 60: label 5 + space, bar 33, " " + figures 15, " " + percent 4; scale 120 (Feb's actual)
    lines = render_bars([("Jan", D("60"), D("100")), ("Feb", D("120"), D("100")), ("Mar", D("0"), D("0"))],
                        width=60).plain.splitlines()
    # Jan: 60/120 × 33 = 16.5 → 17 cells sold, target 100/120 × 33 = 27.5 → 28 cells
    assert lines[1] == "Jan   " + "█" * 17 + "░" * 11 + " " * 5 + "  60.00 / 100.00  60%"
    assert lines[2] == "Feb   " + "█" * 28 + "▓" * 5 + " 120.00 / 100.00 120%"
    assert lines[3] == "Mar   " + " " * 33 + "        0.00 / —    —"
    assert lines[-1] == "█ actual  ▓ above target  ░ target not reached"


async def test_location_target_progress_chart(shop):
    post_invoice_to_c0001(shop)
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "target_location")
        assert "F5 Progress" in footer(screen)
        await pilot.press("enter", "enter")  # 2026, AXP
        assert focused_field(screen) == "months"
        await pilot.press(*["tab"] * 20)  # January … October: two cells each
        await type_in(pilot, "5", "100")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        await pilot.press("f5")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ProgressDialog", "progress")
        lines = app.screen.text.splitlines()
        nov = next(line for line in lines if line.startswith("Nov"))
        assert nov.endswith(" 54.86 / 100.00  55%")
        assert "█" in nov and "░" in nov
        assert lines[-1] == "Year: 54.86 of 100.00 USD (55%) · qty 17 of 5"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back")
        # Sales Target Tasks: F6 copies the year to the next and opens it; Ctrl+T exports with the actuals
        assert "F6 Copy→next" in footer(screen) and "^T Export" in footer(screen)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.info is not None and screen.info.financial_year == 2027,
                       lambda: f"copied: {screen.message_bar.text!r}")
        assert screen.message_bar.text == "Targets 2026 copied to 2027: change them and Ctrl+S"
        assert screen.widget("financial_year").value == "2027"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("Exported to"),
                       lambda: f"exported: {screen.message_bar.text!r}")
        exported = Path(screen.message_bar.text.removeprefix("Exported to ").split(" and ")[0])
    assert exported.name == "targets-location-2027.csv"
    assert exported.read_text().splitlines()[11] == "location,2027,AXP,11,November,5.000,100.00,0.000,0.00,0.00"
    target = shop.masters.get_target(kind="location", financial_year=2026, location="AXP")
    assert (target.months[10].target_qty, target.months[10].target_amount) == (D("5.000"), D("100.00"))
    assert shop.masters.get_target(kind="location", financial_year=2027, location="AXP").months == target.months


async def open_customer_details(pilot, app):
    """The customer list (F3), then F5: the details of its first customer (C0001, 54.86 USD bought)."""
    await open_master(pilot, app, "customer")
    await pilot.press("f3")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
    assert app.screen.rows[0].total_purchases_usd == D("54.86")
    await pilot.press("f5")  # details of the highlighted customer, from the list
    await wait_for(pilot, lambda: getattr(app.screen, "details", None) is not None, "details")
    return app.screen


async def test_customer_details_show_purchases_and_open_the_invoice(shop):
    number = post_invoice_to_c0001(shop)
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        details = await open_customer_details(pilot, app)
        d = details.details
        assert (d.total_purchases_usd, d.outstanding_usd, d.credit_limit_usd, d.available_credit_usd) == (
            D("54.86"), D("54.86"), D("5000.00"), D("4945.14"))
        summary = str(details.query_one("#details-summary").render())
        assert "Outstanding     54.86 USD" in summary and "Available cr.   4,945.14 USD" in summary
        [row] = d.purchases
        assert (row.number, row.payment_status) == (number, "unpaid")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DocumentDialog", "document")
        assert f"Number          {number}" in app.screen.text and "Net             54.86 USD" in app.screen.text
        await pilot.press("escape")
        await pilot.press("4")
        assert "Credit limit $  5000.00" in str(details.query_one("#details-info-text").render())
        # 5: the customer's ledger on top (GPOS shows it from the customer); Esc comes back
        await pilot.press("5")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerLedgerScreen"
                       and str(app.screen.query_one("#ledger-balance").render()) == "Owes us 54.86 USD", "ledger")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is details, "back to the details")


async def test_users_are_admin_only_and_the_exchange_rate(shop):
    registry.discover()
    assert "user" not in [e.key for e in registry.entries("manager")]
    assert "user" in [e.key for e in registry.entries("admin")]
    app = app_for(shop, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "user")
        await type_in(pilot, "clerk")
        await pilot.press("m", "enter")  # role: manager
        await type_in(pilot, "Clerk Two", "4321")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert screen.widget("pin").value == ""  # never shown back
        await pilot.press("escape")
        screen = await open_master(pilot, app, "exchange_rate")
        assert screen.widget("date").value == "2026-11-23"
        await pilot.press(*"+1", "enter", *"2900.5")  # typing replaces the selected date; +1 = tomorrow
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        await pilot.press("f4")  # the rate's history from the audit log
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryDialog", "history shown")
        await wait_for(pilot, lambda: "1 entry" in " ".join(str(w.render()) for w in app.screen.query("Static")),
                       "the rate created just now in its history")
        await pilot.press("escape")
    actor = shop.users.login("clerk", "4321")
    assert (actor.role, actor.location_id is not None) == ("manager", True)
    assert shop.setup.rate_on(dt.date(2026, 11, 24)) == D("2900.5")
    assert shop.setup.rate_on(dt.date(2026, 11, 23)) == D("2850")


async def test_discount_slab_summary_f5_shows_what_it_gave(shop):
    """50 PARA500 to C0001 at 2.20 = 110.00 falls in DS0001's 100–499 row: 3 % = 3.30 USD given."""
    store.open_day(shop)
    shop.sales.post_invoice(store.actor(shop, "cashier"), DocumentDraft(
        customer="C0001", sales_type="credit", currency="USD", rate="2850", sales_person="SP01",
        lines=[DraftLine("PARA500", batch="B001", qty="50")]))
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "discount_slab")
        assert "F5" not in footer(screen)  # nothing open: no summary key
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.key == "DS0001", "opened")
        await pilot.pause()
        assert "F5 Summary" in footer(screen) and len(footer(screen)) <= 80
        await pilot.press("f5")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SummaryDialog", "summary")
        table = str(app.screen.query_one("#summary-table").render()).splitlines()
        assert table[1].split() == ["Sales", "invoices", "1", "50", "3.30"]
        assert table[-1].split() == ["Total", "1", "50", "3.30"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "closed")


async def test_discount_slab_attachments_ctrl_g_attach_save_out(shop, tmp_path):
    """Ctrl+G on DS0001: a bad path is refused in the dialog; a good one is attached (22 B), listed
    with its hash, and F6 saves it out beside the database."""
    sheet = tmp_path / "slabs.csv"
    sheet.write_text("from,to,pct\n100,499,3\n")
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "discount_slab")
        assert "^G" not in footer(screen)
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MasterListDialog" and app.screen.rows, "list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.key == "DS0001", "opened")
        await pilot.pause()
        assert "^G Files" in footer(screen) and len(footer(screen)) <= 80, footer(screen)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AttachmentsDialog", "dialog")
        dialog = app.screen
        await wait_for(pilot, lambda: "No file attached yet" in dialog.bar.text, "empty list")
        await pilot.press(*str(tmp_path / "nope.csv"), "enter")
        await wait_for(pilot, lambda: dialog.bar.kind == "error", "refused")
        assert dialog.bar.text == f"File {tmp_path / 'nope.csv'} not found"
        dialog.query_one("#attach-path").value = str(sheet)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.bar.text == "Attached slabs.csv (22 B)", lambda: dialog.bar.text)
        assert [(a.name, a.size) for a in dialog.rows] == [("slabs.csv", 22)]
        await pilot.press("f6")
        await wait_for(pilot, lambda: dialog.bar.text.startswith("Saved slabs.csv to "), lambda: dialog.bar.text)
        saved = dialog.bar.text.split(" to ", 1)[1]
        assert saved.endswith("attachments/discount_slab-DS0001/slabs.csv")
        assert Path(saved).read_text() == "from,to,pct\n100,499,3\n"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "closed")
