"""The master screens no other test drives open at 80×24 with a footer that fits, and a
two-grid master (Sales Promotion: ranges and locations) saves with keys only."""

from __future__ import annotations

from decimal import Decimal as D

from textual.widgets import Footer

from shopterm.screens.masters import SCREENS
from tests.ui.test_masters_customers import app_for, focused_field, open_master, shop, type_in, wait_for

__all__ = ["shop"]


def footer_width(screen) -> int:
    keys = [k for k in screen.query_one(Footer).query("FooterKey")]
    return sum(len(k.key_display) + 1 + len(k.description) for k in keys) + len(keys) - 1


#: Screens opened by the other test_masters_* modules.
DRIVEN = {"customer", "customer_cash", "price_single", "price_multiple", "stock_receipt", "discount_slab",
          "target_location", "customer_group", "customer_category", "user", "exchange_rate", "promotion",
          "sales_person"}


async def test_the_other_master_screens_open_and_their_footer_fits(shop):
    app = app_for(shop, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        for key, title, cls, _roles, _help in SCREENS:
            if key in DRIVEN:
                continue
            app.open_entry(key)
            await wait_for(pilot, lambda: type(app.screen) is cls and app.screen.focused is not None, key)
            screen = app.screen
            assert screen.message_bar.kind != "error", (key, screen.message_bar.text)
            assert footer_width(screen) <= 80, (key, footer_width(screen))
            assert str(screen.query_one("#doc-title").render()).startswith(title), key
            app.pop_screen()


async def test_promotion_with_ranges_and_locations(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "promotion")
        await type_in(pilot, "PARA500", "", "", "Supplier offer")  # the reason by its name (or code SUPP, F2)
        assert focused_field(screen) == "cost_centre" and screen.widget("cost_centre").value == "SHOP"
        await pilot.press("enter", "enter")  # SHOP, active (the expense account is the reason's)
        assert focused_field(screen) == "ranges"
        await type_in(pilot, "10", "19", "1", "20", "", "3")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert screen.key == "SP000001"
        await wait_for(pilot, lambda: str(screen.widget("expense_account").render()) == "6200", "the reason's account")
        assert screen.widget("reason").value == "SUPP"
    promo = shop.masters.get_promotion("SP000001")
    assert (promo.item, promo.unit, promo.reason, promo.cost_centre, promo.expense_account, promo.locations) == (
        "PARA500", "BOX", "SUPP", "SHOP", "6200", ("AXP",))
    assert [(r.min_qty, r.max_qty, r.free_qty) for r in promo.ranges] == [
        (D("10.000"), D("19.000"), D("1.000")), (D("20.000"), None, D("3.000"))]
