"""Shop Close by keys at 80×24: the header's Exchange Rate (to CDF)* and Cash Ledger (CDF)*/(USD)*,
the Voucher tab with the Inventory Posting lines before the close, and a closed day opened again
showing what was posted, read-only.

The till of ``sold`` (tests/ui/test_day_screens.py): the §4 invoice paid 50 USD + 20,000 CDF with
6,100 CDF change: closing 50.00 USD and 13,900.00 CDF. Counted 45 USD and 12,500 CDF: 5.00 USD
short (the setup's maximum: inside tolerance) and 1,400 CDF short; at the typed rate 2,800 the
francs are 1,400 / 2,800 = 0.50 USD (0.49 at the system rate 2,850): 5.50 USD in all.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopterm.app import ShoptermApp
from shopterm.core import i18n
from shopterm.core.money import format_qty
from tests.store import conftest as store
from tests.store.test_cash import document, voucher_lines
from tests.ui.test_day_screens import DAY, count_line, open_screen, shop, sold, text  # noqa: F401 - fixtures
from tests.ui.waiting import wait_for


def value(screen, widget_id: str) -> str:
    return screen.query_one(f"#{widget_id}").value


def voucher(screen) -> str:
    return screen.query_one("#voucher-text").render().plain


async def to_field(pilot, screen, widget_id: str) -> None:
    """Shift+Tab back from the physical cash until ``widget_id`` has the focus."""
    for _ in range(12):
        if screen.focused is not None and screen.focused.id == widget_id:
            return
        await pilot.press("shift+tab")
    assert screen.focused.id == widget_id


async def test_the_rate_and_cash_ledgers_typed_are_checked_and_posted(sold):
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: value(screen, "field-rate") == "2850" and text(screen, "usd-closing") == "50.00",
                       "the day's rate and figures")
        await pilot.press(*"45", "enter", *"12500")
        await wait_for(pilot, lambda: text(screen, "cdf-difference") == "1,400.00", "live difference")
        # a ledger that is not a cash account: said at once, naming the field
        await to_field(pilot, screen, "field-cash-usd")
        await pilot.press("ctrl+u", *"4000", "enter")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert screen.message_bar.text == ("Cash Ledger (USD): account 4000 Sales is not a cash account "
                                           "(F2 lists the cash accounts)")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.focused.id == "field-cash-usd" and not screen.busy, "field focused")
        assert not screen.posted and value(screen, "field-cash-usd") == "4000"  # nothing lost
        # F2 lists the USD cash accounts: 1100 picked
        await pilot.press("f2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LookupDialog", "the cash accounts")
        await pilot.press("ctrl+u")
        await wait_for(pilot, lambda: [r.code for r in app.screen.rows] == ["1100"], "1100 listed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and value(screen, "field-cash-usd") == "1100", "picked")
        # after the header, on to the cash counted (the tab bar is not in the way: F5/F6 switch tabs)
        await wait_for(pilot, lambda: screen.focused.id == "field-physical-usd", "on to the physical cash")
        # the rate: 0 is refused naming the field; 2 800 values the francs
        await to_field(pilot, screen, "field-rate")
        await pilot.press("ctrl+u", "0", "enter")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "rate refused")
        assert screen.message_bar.text == "Exchange rate (to CDF): the exchange rate must be greater than zero"
        await to_field(pilot, screen, "field-rate")
        await pilot.press("ctrl+u", *"2 800")
        await wait_for(pilot, lambda: screen.summary.rate == D("2800") and screen.message_bar.kind != "error",
                       "figures at 2,800")
        assert screen.summary.difference_usd_value == D("5.50")
        assert text(screen, "close-verdict") == "Within tolerance"
        await pilot.press("f9")
        shown = voucher(screen)
        assert "6900" in shown and "1110" in shown and "0.50" in shown and "to be posted on Ctrl+S" in shown
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "closed")
        number = screen.document_number
        assert screen.query_one("#field-rate").disabled
    assert voucher_lines(sold, number) == [
        ("1100", "USD", D("-5.00"), D("-5.00")), ("1110", "CDF", D("-1400.00"), D("-0.50")),
        ("6900", "CDF", D("1400.00"), D("0.50")), ("6900", "USD", D("5.00"), D("5.00"))]
    doc = document(sold, number)
    assert (doc.rate, doc.extra["cash_ledger_usd"], doc.extra["cash_ledger_cdf"]) == (D("2800"), "1100", "1110")


async def test_the_voucher_tab_shows_the_stock_count_before_the_close(shop):
    """PARA500 B001 counted 496 (500 on hand, cost 1.60): −6.40 — the Voucher tab shows Dr 5100
    inventory shrinkage 6.40 / Cr 1300 inventory 6.40 before Ctrl+S (the cash matches: no cash line)."""
    shop.day.open_day(store.actor(shop, "cashier"), location="AXP", date=DAY)
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "0.00", "figures")
        await pilot.press("0", "enter", "0", "f6", "f6")
        await wait_for(pilot, lambda: screen.query("#counted-0") and screen.focused.id == "counted-0", "count sheet")
        para = count_line(screen, "PARA500", "B001")
        await pilot.press(*["enter"] * para, *"496")
        await wait_for(pilot, lambda: any(v.account == "5100" for v in screen.summary.voucher), "stock lines")
        assert [(v.account, v.amount_usd) for v in screen.summary.voucher] == [
            ("1300", D("-6.40")), ("5100", D("6.40"))]
        await pilot.press("f9")
        await wait_for(pilot, lambda: "5100" in voucher(screen), "voucher tab")
        shown = voucher(screen)
        assert "1300" in shown and "Inventory shrinkage" in shown and "6.40" in shown
        assert "to be posted on Ctrl+S" in shown


async def test_a_closed_day_opened_again_shows_what_was_posted_read_only(sold):
    """Closed by note (USD 2 × 20 + 1 × 5 = 45; CDF 1 × 10,000 + 5 × 500 = 12,500) at 2,800 with
    PARA500 B001 counted one less than on hand (1 short × 1.60 = 1.60 short: +1, +1.60, as the cash's + short);
    a new session on the screen shows the day as posted: the rate and ledgers, the counts by
    note and their totals, the Inventory Posting count, all read-only."""
    manager = store.actor(sold, "manager")
    para_before = next(b.qty for b in sold.stock.item_stock("PARA500", "AXP").batches if b.code == "B001")
    number = sold.day.close_day(manager, rate="2800", denominations={"USD": {"20": 2, "5": 1},
                                                                     "CDF": {"10000": 1, "500": 5}},
                                counts=[{"item": "PARA500", "batch": "B001", "qty": str(para_before - 1)}]).number
    app = ShoptermApp(sold, actor=manager)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: screen.posted and screen.document_number == number, "the closed day")
        await wait_for(pilot, lambda: value(screen, "field-rate") == "2800", "its rate")
        assert (value(screen, "field-cash-cdf"), value(screen, "field-cash-usd")) == ("1110", "1100")
        assert (value(screen, "field-physical-usd"), value(screen, "field-physical-cdf")) == ("45.00", "12,500.00")
        assert (value(screen, "count-usd-20"), value(screen, "count-usd-5"), value(screen, "count-cdf-500")) == (
            "2", "1", "5")
        assert (text(screen, "total-count-usd-20"), text(screen, "denom-total-usd"),
                text(screen, "denom-total-cdf")) == ("40.00", "45.00", "12,500.00")
        await pilot.press("f6", "f6")
        assert screen.tab == "tab-inventory"
        await wait_for(pilot, lambda: screen.query("#counted-0") and text(screen, "count-total") == "1.60 short",
                       "the posted count")
        assert (value(screen, "counted-0"), text(screen, "count-diff-0"), text(screen, "count-value-0")) == (
            format_qty(para_before - 1), "+1", "+1.60")
        assert all(w.disabled for w in screen.query("Input"))  # read-only
        assert not screen.dirty
        await pilot.press("f3")  # the list: each close with its rate and USD/CDF cash ledgers
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DocumentListDialog" and app.screen.rows,
                       "the list of closes")
        assert [(r.number, r.customer_name) for r in app.screen.rows] == [(number, "2800 1100/1110")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back on the close")
        await pilot.press("escape")  # nothing to lose: back at once
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "back home")


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


async def test_the_header_in_french_fits_80_columns(sold, french):
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: value(screen, "field-rate") == "2850" and screen.summary is not None, "loaded")
        labels = [str(w.render()) for w in screen.query("Label") if w.region.y == screen.query_one("#field-rate").region.y]
        assert labels == ["Taux CDF*", "Caisse CDF*", "Caisse USD*"]
        for widget_id in ("field-rate", "field-cash-cdf", "field-cash-usd", "close-currency"):
            assert screen.query_one(f"#{widget_id}").region.right <= 80
        await to_field(pilot, screen, "field-rate")
        await pilot.press("ctrl+u", "0", "enter")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "rate refused")
        assert screen.message_bar.text.startswith("Taux de change (en CDF)")


async def test_a_far_rate_asks_a_manager_and_posts_at_that_rate(sold):
    """3,500 is 22.81 % over 2,850 (tolerance 10 %); the Shop Setup asks for a PIN even from the
    manager closing: the verdict says so, Ctrl+S opens the approval dialog naming the rate, and the
    close posts at 3,500 once boss approves (1,400 CDF short = 0.40 USD)."""
    store.ask_pin_always(sold)
    sold.users.create(store.actor(sold, "admin"), "boss", "4444", "manager", location="AXP")
    app = ShoptermApp(sold, actor=store.actor(sold, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        await wait_for(pilot, lambda: value(screen, "field-rate") == "2850" and text(screen, "usd-closing") == "50.00",
                       "the day's rate and figures")
        await pilot.press(*"50", "enter", *"12500")
        await to_field(pilot, screen, "field-rate")
        await pilot.press("ctrl+u", *"3500")
        await wait_for(pilot, lambda: text(screen, "close-verdict") == "Rate: needs approval", "verdict")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ApprovalDialog", "approval asked")
        assert "Exchange rate 3500 is 22.81 % from the system rate 2850" in app.screen.reason
        await pilot.press(*"boss", "enter", *"4444", "enter")
        await wait_for(pilot, lambda: screen.posted, "closed with approval")
        number = screen.document_number
    view = sold.sales.document(number)
    assert (view.approved_by, view.rate) == ("boss", D("3500"))
    assert voucher_lines(sold, number) == [
        ("1110", "CDF", D("-1400.00"), D("-0.40")), ("6900", "CDF", D("1400.00"), D("0.40"))]
