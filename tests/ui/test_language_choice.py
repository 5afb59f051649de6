"""Choosing languages in the masters at 80×24, keys only (issue 14): a user's own language,
the Shop Setup's, a customer's (prints); a user who reads French signs in to French screens."""

from __future__ import annotations

import pytest

from shopterm.core import i18n
from tests.ui.test_masters_customers import app_for, focused_field, open_master, shop, type_in, wait_for
from tests.ui.test_masters_screens import footer_width

__all__ = ["shop"]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


async def test_user_shop_setup_and_customer_languages_with_keys(shop):
    app = app_for(shop, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "user")
        await type_in(pilot, "marie")
        await pilot.press("enter")  # role: cashier
        await type_in(pilot, "Marie K", "4321", "")  # full name, PIN, location (AXP)
        screen.widget("language").focus()
        assert screen.widget("language").value == ""  # the shop's
        await pilot.press("f")
        assert screen.widget("language").value == "fr"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert footer_width(screen) <= 80
        # the cashier, opened after marie, shows the shop's (blank) language, not marie's
        await wait_for(pilot, lambda: not screen.busy, "the user form ready")
        screen.open_key("cashier")
        await wait_for(pilot, lambda: screen.opened_key == "cashier", "cashier shown")
        assert screen.widget("language").value == ""
        await pilot.press("escape")

        screen = await open_master(pilot, app, "shop_setup")
        await wait_for(pilot, lambda: screen.key == "AXP", "AXP's setup shown")
        assert screen.widget("language").value == "en"
        screen.widget("language").focus()
        await pilot.press("f", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        await pilot.press("escape")

        screen = await open_master(pilot, app, "customer")
        await wait_for(pilot, lambda: not screen.busy, "the customer form ready")
        screen.open_key("C0002")
        await wait_for(pilot, lambda: screen.opened_key == "C0002", "C0002 shown")
        screen.widget("language").focus()
        await pilot.press("e", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
    admin = shop.users.login("admin", "9999")
    assert next(u for u in shop.users.list(admin) if u.name == "marie").language == "fr"
    assert shop.masters.get_shop_setup("AXP").language == "fr"
    assert shop.masters.get_customer("C0002").language == "en"
    assert shop.users.login("cashier", "1111").language == "fr"  # the shop's now


async def test_a_user_who_reads_french_signs_in_to_french_screens(shop):
    admin = shop.users.login("admin", "9999")
    shop.users.update(admin, "cashier", language="fr")
    from shopterm.app import ShoptermApp

    app = ShoptermApp(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        await pilot.press(*"cashier", "enter", *"1111", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        assert i18n.current() == "fr"


async def test_a_master_in_french_labels_choices_and_messages(shop):
    from textual.widgets import Label

    admin = shop.users.login("admin", "9999")
    shop.users.update(admin, "manager", language="fr")
    app = app_for(shop, "manager")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_master(pilot, app, "customer_category")
        labels = [str(label.render()) for label in screen.query(Label).filter(".mf-label")]
        assert labels == ["Nom catégorie*", "Code*", "Liste prix", "Statut"]
        assert str(screen.query_one("#doc-title").render()).startswith("Catégorie de clients")
        await type_in(pilot, "Hôpitaux", "HOP")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved == 1, f"saved {screen.message_bar.text}")
        assert screen.message_bar.text == "Catégorie HOP : création enregistrée"
        await pilot.press("escape")
        screen = await open_master(pilot, app, "customer")
        assert str(screen.widget("price_category").render()) == "[Détail]  Gros "
        assert str(screen.widget("language").render()).startswith("[Du magasin]")
    assert shop.masters.get_category("HOP").name == "HÔPITAUX"  # category names are kept upper case


async def test_the_sign_in_screen_reads_the_shops_language_when_no_lang_is_given(shop):
    """No --lang / SHOPTERM_LANG: the sign-in screen opens at once (English, the database not open
    yet) and reads in Shop Setup's French as soon as the services are; what was typed stays. With
    --lang en it stays English."""
    from sqlalchemy import update
    from textual.widgets import Input, Static

    from shopterm.app import ShoptermApp
    from shopterm.store.models import ShopSetup

    with shop.db.write() as ss:
        ss.execute(update(ShopSetup).values(language="fr"))
    assert shop.setup.shop_language() == "fr"

    def text(app, selector):
        return str(app.screen.query_one(selector, Static).render())

    app = ShoptermApp(lambda: shop, shop_language=True)  # `shopterm` with no --lang
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        await pilot.press(*"cash")
        await wait_for(pilot, lambda: text(app, "#login-intro") == "Connectez-vous pour ouvrir la caisse.",
                       lambda: text(app, "#login-intro"))
        assert text(app, "#login-user-label") == "Utilisateur"
        assert app.screen.query_one("#login-user", Input).value == "cash"
        await pilot.press(*"ier", "enter", *"1111", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        assert i18n.current() == "fr"  # the cashier has no language: the shop's
    i18n.set_language("en")
    app = ShoptermApp(lambda: shop, shop_language=False)  # --lang en (or SHOPTERM_LANG) given
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
        await wait_for(pilot, lambda: app._services_ready.is_set(), "services open")
        await pilot.pause()
        assert text(app, "#login-intro") == "Sign in to open the till."


async def test_a_language_given_for_the_run_wins_over_the_shops_not_over_the_users_own(shop):
    """`shopterm --lang fr demo` on an English shop: the cashier (no language of their own) reads
    French after signing in, not the shop's English; a manager whose own language is English reads
    English whatever was given (issue 13 tour: every screen after sign-in was English)."""
    from textual.widgets import Static

    from shopterm.app import ShoptermApp
    from shopterm.screens.home import HomeScreen
    from tests.store import conftest as store

    assert shop.setup.shop_language() == "en"
    shop.users.update(store.actor(shop, "admin"), "manager", language="en")
    for user, pin, reads, menu in (("cashier", "1111", "fr", "Menu de cashier"),
                                   ("manager", "2222", "en", "Menu for manager")):
        i18n.set_language("fr")
        app = ShoptermApp(lambda: shop, shop_language=False)  # --lang fr (or SHOPTERM_LANG=fr) given
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", "login")
            await pilot.press(*user, "enter", *pin, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
            assert i18n.current() == reads, user
            shown = " ".join(str(s.render()) for s in app.screen.query(Static))
            assert menu in shown, (user, shown)
