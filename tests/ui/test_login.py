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


async def test_the_stylesheet_below_the_sign_in_part_matches_no_sign_in_widget(services, clean_registry):
    """Start-up parses only the stylesheet's part above the sign-in marker (``stylesheet_parts``). No
    rule of the rest, in any state (focus, hover: pseudo-classes left out), matches a widget of the
    sign-in screen, so it looks the same before and after the rest is read; once signed in, every rule
    of the file is in, once."""
    from collections import Counter
    from dataclasses import replace

    from textual.css.match import _check_selectors
    from textual.css.stylesheet import Stylesheet

    from shopterm.app import SIGN_IN_CSS_END, STYLESHEET, stylesheet_parts

    head, rest = stylesheet_parts()
    assert rest.lstrip("\n").startswith("$st-") and "#login-box" not in rest
    assert rest[: rest.index(SIGN_IN_CSS_END)].count("\n") == head.count("\n")  # errors name the file's lines
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen))
        variables = app.get_css_variables()

        def rules(css: str) -> list:
            sheet = Stylesheet(variables=variables)
            sheet.add_source(css, read_from=(str(STYLESHEET), ""))
            return sheet.rules

        nodes = list(app.screen.walk_children(with_self=True))
        assert len(nodes) > 10
        matched = [(selector_set.css, node) for rule in rules(rest) for selector_set in rule.selector_set
                   for node in nodes
                   if _check_selectors([replace(s, pseudo_classes=set()) for s in selector_set.selectors],
                                       node.css_path_nodes)]
        assert matched == []
        assert rules(head), "the sign-in part has rules"

        await type_text(pilot, "cashier")
        await pilot.press("enter")
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        whole = Counter(r.css for r in rules(STYLESHEET.read_text(encoding="utf-8")))
        assert Counter(r.css for r in app.stylesheet.rules if not r.is_default_rules) == whole
        menu = app.screen.query_one("#home-menu")
        assert (menu.styles.padding.left, menu.styles.border_top[0]) == (1, "")  # "#home-menu" of the rest


async def test_a_long_lockout_says_until_when_and_lets_another_user_sign_in(services, clean_registry):
    """An admin's lockout of the cashier till 2099 said "Wait 2274389698 s" and counted down, the fields
    disabled for every user: it now says the date and time it ends, and the manager signs in."""
    import datetime as dt

    from sqlalchemy import text

    with services.db.write() as session:
        session.execute(text('UPDATE "user" SET locked_until = ' "'2099-01-01 00:00:00' WHERE name = 'cashier'"))
    until = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc).astimezone()
    app = ShoptermApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _sign_in(pilot, "cashier", "1111")
        bar = screen.query_one("#login-message", MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error" and not screen.busy)
        assert bar.text == f"Too many wrong PINs: locked until {until:%Y-%m-%d} at {until:%H:%M}"
        assert screen.seconds_left == 0 and not any(w.disabled for w in screen.query(Input))
        assert screen.query_one("#login-pin", Input).has_focus
        await pilot.press("shift+tab")
        screen.query_one("#login-user", Input).value = ""
        await _sign_in(pilot, "manager", "2222")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.actor.name == "manager"


async def _sign_in(pilot, name: str, pin: str) -> None:
    for text in (name, pin):
        await type_text(pilot, text)
        await pilot.press("enter")
