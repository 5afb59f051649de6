"""Login, status bar and home screen at 80×24, keys only."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from shopterm.app import ShoptermApp
from shopterm.screens.home import HomeScreen
from shopterm.screens.login import LoginScreen
from shopterm.widgets.messages import MessageBar
from shopterm.widgets.status_bar import StatusBar
from tests.ui.waiting import wait_until

SIZE = (80, 24)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))


async def test_cashier_logs_in_with_keys_and_sees_status(services, clean_registry):
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await type_text(pilot, "cashier")
        await pilot.press("enter")
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        bar = app.screen.query_one(StatusBar)
        await wait_until(pilot, lambda: bar.status is not None)
        assert "AXP" in bar.text and "Axpert" in bar.text
        assert "cashier (cashier)" in bar.text
        assert "2026-11-23" in bar.text
        assert "DAY CLOSED" in bar.text  # said in words, not only in colour
        assert "2,850" in bar.text
        assert app.actor.name == "cashier"


async def test_typed_ahead_login_lands_in_the_right_fields(services, clean_registry):
    """Keys arriving in one burst (SSH packet, scanner) must not spill into the user field."""
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        for ch in "cashier":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("enter", "\r"))
        for ch in "1111":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.actor.name == "cashier"


async def test_wrong_pin_shows_message_and_keeps_name(services, clean_registry):
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "cashier")
        await pilot.press("enter")
        await type_text(pilot, "9999")
        await pilot.press("enter")
        screen = app.screen
        bar = screen.query_one("#login-message", MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert "wrong PIN" in bar.text
        assert screen.query_one("#login-user", Input).value == "cashier"
        assert screen.query_one("#login-pin", Input).value == ""
        assert screen.query_one("#login-pin", Input).has_focus
        assert isinstance(app.screen, LoginScreen)


async def test_three_wrong_pins_pause_login(services, clean_registry):
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bar = screen.query_one("#login-message", MessageBar)
        await type_text(pilot, "cashier")
        await pilot.press("enter")
        for attempt in range(3):
            await type_text(pilot, "0000")
            await pilot.press("enter")
            await wait_until(pilot, lambda: bar.kind == "error" and not screen.busy)
            if attempt < 2:
                assert "wrong PIN" in bar.text
        assert screen.seconds_left > 0
        assert "Wait 30 s" in bar.text
        assert all(w.disabled for w in screen.query(Input))
        # Even the right PIN is refused during the pause (the service enforces it).
        screen.query_one("#login-pin", Input).value = "1111"
        screen.submit()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)


async def test_home_without_screens_says_so(services, clean_registry):
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        title = str(app.screen.query_one("#home-title").render())
        assert "no screens" in title


async def test_lazy_services_factory(services, clean_registry):
    """The app may be given a factory; it is opened in a worker while the login waits."""
    app = ShoptermApp(lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "manager")
        await pilot.press("enter")
        await type_text(pilot, "2222")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.actor.role == "manager"


async def test_logout_returns_to_login(services, clean_registry):
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.actor is None


async def test_a_menu_key_typed_with_the_pin_opens_its_screen_after_sign_in(services, clean_registry):
    """'cashier⏎1111⏎1' in one burst: the 1 is not appended to the PIN; it opens the menu's screen 1."""
    from shopterm.screens.registry import ScreenEntry
    from shopterm.screens.base.document import DocumentScreen

    class One(DocumentScreen):
        pass

    clean_registry.register(ScreenEntry("one", "Screen One", "Day", factory=lambda app: One(), hotkey="1"))
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        for key, char in [*((c, c) for c in "cashier"), ("enter", "\r"), *((c, c) for c in "1111"),
                          ("enter", "\r"), ("1", "1")]:
            app.post_message(events.Key(key, char))
        await wait_until(pilot, lambda: isinstance(app.screen, One))
        assert app.actor.name == "cashier"
