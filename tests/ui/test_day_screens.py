"""Pilot tests, keys only at 80×24, of Shop Open and Shop Close on the demo-like
shop of tests/store/conftest.py with the real services.

The close figures by hand: the §4 invoice (54.86 USD) paid with 50 USD +
20,000 CDF with 6,100 CDF change leaves the till +50 USD and +13,900 CDF.
Counting 45 USD is a 5.00 USD shortage: at the setup's maximum (5 USD), so
inside tolerance; 40 USD (10.00 short) needs a manager's approval.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from textual.widgets import Footer

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.widgets.status_bar import StatusBar
from tests.store import conftest as store
from tests.ui.waiting import wait_for

DAY = store.DAY


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    """The demo-like shop; no day open."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path)
    yield svc
    svc.db.dispose()


@pytest.fixture
def sold(shop):
    """The day open, the §4 invoice sold for cash and paid 50 USD + 20,000 CDF."""
    cashier = store.actor(shop, "cashier")
    shop.day.open_day(cashier, location="AXP", date=DAY)
    number = shop.sales.post_invoice(cashier, DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP01",
        flat_discount_type="percent", flat_discount_value="5",
        lines=[DraftLine("PARA500", qty="10", price="2.50", discount_pct="10"),
               DraftLine("AMOX250", qty="3", price="7.99", flat_discount="1.00"),
               DraftLine("BAND01", qty="4", price="1.25")])).number
    shop.cash.post_receipt(cashier, invoice=number, received_usd="50", received_cdf="20000")
    return shop


async def open_screen(pilot, app, key: str):
    await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home screen")
    registry.discover()
    hotkey = {e.key: k for k, e in registry.hotkeys().items()}[key]
    await pilot.press(hotkey)
    await wait_for(pilot, lambda: getattr(app.screen, "defaults", None) is not None, f"{key} defaults")
    return app.screen


def text(screen, widget_id: str) -> str:
    return screen.query_one(f"#{widget_id}").text


async def count_cash(pilot, app, usd: str, cdf: str, difference: tuple[str, str]):
    """Open Shop Close on the sold day (50.00 USD / 13,900.00 CDF expected), type the physical cash
    counted and wait for the live difference (USD, CDF); the screen."""
    screen = await open_screen(pilot, app, "shop_close")
    await wait_for(pilot, lambda: text(screen, "usd-closing") == "50.00", "figures")
    await pilot.press(*usd, "enter", *cdf)
    await wait_for(pilot, lambda: (text(screen, "usd-difference"), text(screen, "cdf-difference")) == difference,
                   "live difference")
    return screen


def footer(screen) -> str:
    keys = screen.query_one(Footer).query("FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


def status(screen) -> str:
    return screen.query_one(StatusBar).text


# -- Shop Open --------------------------------------------------------------------------


async def test_shop_open_by_keys_opens_the_day(shop):
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_open")
        await wait_for(pilot, lambda: "DAY CLOSED" in status(screen), "closed before")
        assert screen.query_one("#field-date").value == "2026-11-23"
        assert screen.query_one("#field-location").value == "AXP"
        assert text(screen, "document-no") == "(assigned on save)"
        shown = ("^N New", "^S Save", "F3 List", "Esc Back")
        await wait_for(pilot, lambda: all(k in footer(screen) for k in shown), f"footer {footer(screen)!r}")
        await pilot.press("tab", "tab", *"Morning float counted")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "opened")
        assert screen.document_number == "261101OP000001"
        assert text(screen, "document-no") == "261101OP000001"
        assert screen.message_bar.text == "Shop open for 2026-11-23: 261101OP000001"
        await wait_for(pilot, lambda: "DAY OPEN" in status(screen), "status bar says open")
        assert "F4 Hist" in footer(screen)
    assert shop.day.is_open("AXP", DAY)
    assert shop.sales.document("261101OP000001").narration == "Morning float counted"


async def test_shop_open_twice_is_refused_with_the_date_focused(shop):
    shop.day.open_day(store.actor(shop, "cashier"), location="AXP", date=DAY)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_open")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error" and not screen.busy, "refused")
        assert screen.message_bar.text == "The shop AXP is already open for 2026-11-23"
        assert screen.focused.id == "field-date"
        assert not screen.posted


async def test_shop_close_is_for_managers_only(shop):
    registry.discover()
    assert "shop_close" not in {e.key for e in registry.entries("cashier")}
    day = [e.key for e in registry.entries("manager") if e.group == "Day"]
    assert day[:2] == ["shop_open", "shop_close"]


# -- Shop Close -------------------------------------------------------------------------


async def test_close_with_a_shortage_inside_tolerance(sold):
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "50.00", "figures")
        await wait_for(pilot, lambda: screen.query_one("#field-rate").value == "2850", "the day's rate")
        assert (screen.query_one("#field-cash-cdf").value, screen.query_one("#field-cash-usd").value) == (
            "1110", "1100")
        assert not screen.dirty  # the defaults are nothing typed
        assert (text(screen, "usd-opening"), text(screen, "usd-cash_sales")) == ("0.00", "50.00")
        assert (text(screen, "cdf-cash_sales"), text(screen, "cdf-closing")) == ("13,900.00", "13,900.00")
        assert text(screen, "close-verdict") == "Type or count the cash"
        # nothing counted yet: no difference figure, and the words do not claim "balanced"
        assert [text(screen, f"{c}-{row}") for c in ("usd", "cdf") for row in ("difference", "excess")] == [
            "", "not counted", "", "not counted"]
        shown = ("F5 ◂Tab", "F6 Tab▸", "^S Save", "F9 Vchr", "Esc Back")
        await wait_for(pilot, lambda: all(k in footer(screen) for k in shown), f"footer {footer(screen)!r}")
        assert screen.focused.id == "field-physical-usd"
        await pilot.press(*"45", "enter", *"13900")
        # both currencies counted (not a preview of the CDF still being typed)
        await wait_for(pilot, lambda: (text(screen, "usd-difference"), text(screen, "cdf-difference"))
                       == ("5.00", "0.00"), "live difference")
        # DESIGN §5: difference = closing − physical = 50.00 − 45.00 = +5.00, i.e. 5.00 short; same sign, a word
        assert text(screen, "usd-excess") == "5.00 short"
        assert text(screen, "cdf-excess") == "0.00 balanced"
        assert text(screen, "close-verdict") == "Within tolerance"
        await pilot.press("f9")  # the voucher to be posted
        assert screen.tab == "tab-voucher"
        voucher = screen.query_one("#voucher-text").render().plain
        assert "6900" in voucher and "1100" in voucher and "balanced" in voucher
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        assert screen.document_number == "261101CL000001"
        assert screen.document_state == "Closed"
        assert screen.message_bar.text == "Day closed: 261101CL000001. No more transactions on this date"
        await wait_for(pilot, lambda: "DAY CLOSED" in status(screen), "status bar says closed")
    summary = sold.day.summary("AXP", DAY)
    assert summary.status == "closed"
    assert (summary.usd.physical, summary.usd.difference) == (D("45.00"), D("5.00"))
    assert not sold.day.is_open("AXP", DAY)


async def test_close_with_cash_over_reads_over_on_the_screen_the_print_and_the_summary(sold):
    """More cash than expected: USD 50.00 expected, 52.00 counted: 50.00 − 52.00 = −2.00, 2.00 over;
    CDF 13,900.00 expected, 14,000.00 counted: −100.00, 100.00 over. The posted figures keep
    DESIGN's sign (difference −2.00 / −100.00) and the close posts the excess (no approval)."""
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await count_cash(pilot, app, "52", "14000", ("-2.00", "-100.00"))
        assert (text(screen, "usd-excess"), text(screen, "cdf-excess")) == ("2.00 over", "100.00 over")
        assert text(screen, "close-verdict") == "Within tolerance"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        # the closed day shows the same words
        assert (text(screen, "usd-excess"), text(screen, "cdf-excess")) == ("2.00 over", "100.00 over")
    summary = sold.day.summary("AXP", DAY)
    assert (summary.usd.difference, summary.cdf.difference) == (D("-2.00"), D("-100.00"))
    printed = " ".join(sold.printing.render("261101CL000001", format="text").text.split())
    assert "DIFFERENCE (+SHORT) -2.00 -100.00" in printed
    assert "DIFFERENCE (+SHORT) -2.00 -100.00 Excess/shortage over over" in printed, printed
    # 2.00 + 100.00 / 2,850 = 2.00 + 0.035… → 2.04 USD over in all
    assert "DIFFERENCE (USD VALUE) 2.04 over" in printed, printed


async def test_close_above_tolerance_by_the_signed_in_manager_is_not_asked_again(sold):
    """DESIGN §10: the manager closing may approve the shortage: no PIN dialog, approved by them."""
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await count_cash(pilot, app, "40", "13900", ("10.00", "0.00"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        assert type(app.screen).__name__ != "ApprovalDialog"
    assert sold.sales.document("261101CL000001").approved_by == "manager"


async def test_close_above_tolerance_asks_a_manager_and_retries(sold):
    store.ask_pin_always(sold)  # Shop Setup: "ask for the PIN even when a manager is signed in"
    sold.users.create(store.actor(sold, "admin"), "boss", "4444", "manager", location="AXP")
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await count_cash(pilot, app, "40", "13900", ("10.00", "0.00"))
        assert text(screen, "close-verdict") == "Shortage: needs approval"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ApprovalDialog", "approval asked")
        assert "10.00 USD is above the maximum allowed of 5.00 USD" in app.screen.reason
        await pilot.press(*"boss", "enter", *"4444", "enter")
        await wait_for(pilot, lambda: screen.posted, "closed with approval")
        assert screen.document_number == "261101CL000001"
    view = sold.sales.document("261101CL000001")
    assert view.approved_by == "boss"


async def test_denominations_fill_the_physical_cash(sold):
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "50.00", "figures")
        await pilot.press("f6")
        assert screen.tab == "tab-denominations"
        assert screen.focused.id == "count-usd-1"
        # USD: 1 × 50 = 50 (the 5th note); CDF: 1 × 10,000 (the 7th CDF note) = 10,000, i.e. 3,900 short
        await pilot.press(*["enter"] * 5, "1")
        await wait_for(pilot, lambda: text(screen, "denom-total-usd") == "50.00", "USD total")
        assert text(screen, "total-count-usd-50") == "50.00"
        await pilot.press(*["enter"] * 8, "1")
        await wait_for(pilot, lambda: text(screen, "denom-total-cdf") == "10,000.00", "CDF total")
        assert screen.query_one("#field-physical-usd").value == "50.00"
        assert screen.query_one("#field-physical-cdf").value == "10000.00"
        await wait_for(pilot, lambda: text(screen, "cdf-difference") == "3,900.00", "live difference")
        assert text(screen, "close-verdict") == "Within tolerance"
        await pilot.press("f5")
        assert screen.tab == "tab-details"
        await pilot.press("f6", "f6")
        assert screen.tab == "tab-inventory"
        await pilot.press("f6")
        unpaid = screen.query_one("#unpaid-invoices").render().plain
        assert unpaid == "Every cash invoice of the day is paid."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
    closed = sold.sales.document("261101CL000001")
    assert closed.extra["denominations"] == {"USD": {"50": 1}, "CDF": {"10000": 1}}
    assert (closed.extra["physical_usd"], closed.extra["physical_cdf"]) == ("50.00", "10000.00")


async def test_summary_flags_unpaid_cash_invoices_in_words(shop):
    cashier = store.actor(shop, "cashier")
    shop.day.open_day(cashier, location="AXP", date=DAY)
    number = shop.sales.post_invoice(cashier, DocumentDraft(
        customer="CASH", sales_type="cash", currency="USD", rate="2850", sales_person="SP01",
        lines=[DraftLine("BAND01", qty="4", price="1.25")])).number
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: screen.summary is not None, "figures")
        await pilot.press("f5", "f5")
        assert screen.tab == "tab-summary"
        unpaid = screen.query_one("#unpaid-invoices").render().plain
        assert unpaid == f"UNPAID cash invoice {number} Walk-In Customer: 5.00 USD still open"


# -- Shop Close: Inventory Posting ------------------------------------------------------


def count_line(screen, item: str, batch: str) -> int:
    return next(n for n, line in enumerate(screen.count_lines) if (line.item_code, line.batch_code) == (item, batch))


async def test_inventory_posting_counts_batches_and_posts_the_difference_at_cost(shop):
    """PARA500 B001 counted 496 (500 on hand, cost 1.60): 4 short, 4 × 1.60 = 6.40; BAND01 D001 counted
    1,001 (1,000, cost 0.70): 1 over, 0.70; total 5.70 short. The difference reads as the cash's
    (DESIGN §5: expected − counted, + = short): Diff. +4 / -1, Value USD +6.40 / -0.70. The close posts Dr 5100 6.40 /
    Cr 1300 6.40 and Dr 1300 0.70 / Cr 5100 0.70; the batches now hold the counts; the other
    batches (blank: not counted) are untouched. A letter in a count is refused naming the line."""
    from tests.store.test_cash import document, voucher_lines

    shop.day.open_day(store.actor(shop, "cashier"), location="AXP", date=DAY)
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "0.00", "figures")
        await pilot.press("0", "enter", "0")  # the till is empty, as the books say
        await pilot.press("f6", "f6")
        assert screen.tab == "tab-inventory"
        await wait_for(pilot, lambda: screen.query("#counted-0") and screen.focused.id == "counted-0", "count sheet")
        para, band = count_line(screen, "PARA500", "B001"), count_line(screen, "BAND01", "D001")
        assert band < para
        await pilot.press(*["enter"] * band, *"1001", *["enter"] * (para - band), *"49x")
        await pilot.press("enter")
        line = para + 1
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert screen.message_bar.text == f"Inventory line {line} (PARA500 B001): Counted: '49x' is not a number"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.focused.id == f"counted-{para}" and not screen.busy, "bad line focused")
        assert not screen.posted and screen.focused.value == "49x"  # nothing lost
        await pilot.press("end", "backspace", "6")
        await wait_for(pilot, lambda: text(screen, f"count-value-{para}") == "+6.40", "PARA500 figures")
        assert text(screen, f"count-diff-{para}") == "+4"
        assert (text(screen, f"count-diff-{band}"), text(screen, f"count-value-{band}")) == ("-1", "-0.70")
        assert text(screen, "count-total") == "5.70 short"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        assert type(app.screen).__name__ != "ApprovalDialog"  # the manager closing approves
        number = screen.document_number
        # the closed day shows its counts as posted, read-only (on hand then, counted, difference, value)
        await wait_for(pilot, lambda: [(l.item_code, l.batch_code, l.on_hand, l.counted)
                                       for l in (screen.summary.stock_count if screen.summary else ())]
                       == [("BAND01", "D001", D("1000"), D("1001")), ("PARA500", "B001", D("500"), D("496"))],
                       "the counts as posted")
        await wait_for(pilot, lambda: text(screen, "count-total") == "5.70 short" and screen.query("#counted-1"),
                       "posted counts shown")
        assert [(screen.query_one(f"#counted-{n}").value, screen.query_one(f"#counted-{n}").disabled,
                 text(screen, f"count-diff-{n}"), text(screen, f"count-value-{n}")) for n in (0, 1)] == [
            ("1,001", True, "-1", "-0.70"), ("496", True, "+4", "+6.40")]
    assert sorted(voucher_lines(shop, number)) == [
        ("1300", "USD", D("-6.40"), D("-6.40")), ("1300", "USD", D("0.70"), D("0.70")),
        ("5100", "USD", D("-0.70"), D("-0.70")), ("5100", "USD", D("6.40"), D("6.40"))]
    assert sorted(b.qty for b in shop.stock.item_stock("PARA500", "AXP").batches) == [D("100"), D("496")]
    assert [b.qty for b in shop.stock.item_stock("BAND01", "AXP").batches] == [D("1001")]
    doc = document(shop, number)
    assert doc.approved and [(c["item"], c["batch"], c["counted"], c["difference"], c["value_usd"])
                             for c in doc.extra["stock_count"]] == [
        ("BAND01", "D001", "1001", "1.000", "0.70"), ("PARA500", "B001", "496", "-4.000", "-6.40")]


async def test_inventory_posting_asks_for_a_managers_pin_when_the_setup_says_so(shop):
    """Shop Setup "ask for the PIN even when a manager is signed in": a counted difference (the cash
    matching) opens the approval dialog naming it; the close goes through with the approver."""
    store.ask_pin_always(shop)
    shop.users.create(store.actor(shop, "admin"), "boss", "4444", "manager", location="AXP")
    shop.day.open_day(store.actor(shop, "cashier"), location="AXP", date=DAY)
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "0.00", "figures")
        await pilot.press("0", "enter", "0", "f6", "f6")
        await wait_for(pilot, lambda: screen.query("#counted-0") and screen.focused.id == "counted-0", "count sheet")
        para = count_line(screen, "PARA500", "B001")
        await pilot.press(*["enter"] * para, *"496")
        await wait_for(pilot, lambda: text(screen, "count-total") == "6.40 short", "total")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ApprovalDialog", "approval asked")
        assert "PARA500 B001 4 short" in app.screen.reason  # as the Inventory tab reads it (+ = short)
        await pilot.press(*"boss", "enter", *"4444", "enter")
        await wait_for(pilot, lambda: screen.posted, "closed with approval")
        number = screen.document_number
    assert shop.sales.document(number).approved_by == "boss"
    assert sorted(b.qty for b in shop.stock.item_stock("PARA500", "AXP").batches) == [D("100"), D("496")]
