"""The masters behind the counter flow, keys only at 80×24 (DESIGN §12 "Counter flow", §10):
an item's barcode (Item master), a user's own sales person (User master), and Shop
Setup's invoice currency and "ask for the PIN even when a manager is signed in"."""

from __future__ import annotations

from tests.ui.test_masters_customers import app_for, focused_field, open_master, shop, type_in, wait_for
from tests.ui.test_masters_screens import footer_width

__all__ = ["shop"]


async def test_item_barcode_typed_in_the_item_master(shop):
    app = app_for(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "item")
        assert focused_field(screen) == "code"
        # code, unit (PCS), name, pack size (1), tax %, last cost, barcode
        await type_in(pilot, "GAUZE1", "", "Gauze 10 cm", "", "0", "0.30")
        assert focused_field(screen) == "barcode"
        await pilot.press(*"6001234500011")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert footer_width(screen) <= 80
        # one item per barcode: the field is named, nothing saved
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: focused_field(screen) == "code", "new item")
        await type_in(pilot, "SYR5", "", "Syringe 5 ml", "", "", "0.10")
        await pilot.press(*"6001234500011", "ctrl+s")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert screen.message_bar.text == "Barcode 6001234500011 is already item GAUZE1 (Gauze 10 cm)"
        assert focused_field(screen) == "barcode"
    assert shop.masters.get_item("GAUZE1").barcode == "6001234500011"
    assert shop.lookup("item", "SYR5") == []


async def test_user_sales_person_and_shop_setup_counter_options(shop):
    app = app_for(shop, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "user")
        await type_in(pilot, "clerk")
        await pilot.press("enter")  # role: cashier
        await type_in(pilot, "Clerk Two", "4321", "")  # full name, PIN, location (AXP)
        assert focused_field(screen) == "sales_person"
        await pilot.press(*"sp03")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        await pilot.press("escape")

        screen = await open_master(pilot, app, "shop_setup")
        await wait_for(pilot, lambda: screen.key == "AXP", "AXP's setup shown")
        screen.widget("default_currency").focus()
        await pilot.press("c", "enter", "y")  # invoice currency CDF; PIN if mgr? yes
        assert focused_field(screen) == "approval_pin_always"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert footer_width(screen) <= 80
    clerk = [u for u in shop.users.list(shop.users.login("admin", "9999")) if u.name == "clerk"][0]
    assert clerk.sales_person == "SP03"
    st = shop.masters.get_shop_setup("AXP")
    assert (st.default_currency, st.approval_pin_always, st.cash_customer) == ("CDF", True, "CASH")
    d = shop.sales.new_invoice_defaults(shop.users.login("clerk", "4321"))
    assert (d.customer.code, d.currency, d.sales_person) == ("CASH", "CDF", "SP03")
