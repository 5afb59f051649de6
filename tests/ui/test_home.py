"""The registry, the home menu (keys and arrows) and the Ctrl+K palette."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, Static

from shopterm.app import ShoptermApp
from shopterm.screens.home import HomeScreen
from shopterm.screens.registry import ADMIN, CASHIER, MANAGER, ScreenEntry
from shopterm.screens.base.document import DocumentScreen
from tests.ui.waiting import wait_for


class Dummy(DocumentScreen):
    """A stand-in screen for the registry tests (registered only inside tests)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_shown = title


def entry(key, title, group, roles=CASHIER, hotkey=None):
    return ScreenEntry(key, title, group, factory=lambda app, t=title: Dummy(t), roles=roles, hotkey=hotkey)


def test_entries_are_grouped_in_order_and_filtered_by_role(clean_registry):
    reg = clean_registry
    reg.register(entry("ledger", "Customer Ledger", "Ledgers", MANAGER))
    reg.register(entry("invoice", "Sales Invoice", "Sales"))
    reg.register(entry("open", "Shop Open", "Day"))
    reg.register(entry("users", "Users", "Masters", ADMIN))
    assert [e.key for e in reg.entries("cashier")] == ["open", "invoice"]
    assert [e.key for e in reg.entries("manager")] == ["open", "invoice", "ledger"]
    assert [e.key for e in reg.entries("admin")] == ["open", "invoice", "users", "ledger"]
    assert reg.entries(None) == []
    # Keys do not depend on the role: the same screen has the same key for everyone.
    keys = {e.key: k for k, e in reg.hotkeys().items()}
    assert keys == {"open": "1", "invoice": "2", "users": "3", "ledger": "4"}


def test_chosen_hotkeys_win_and_bad_entries_are_refused(clean_registry):
    reg = clean_registry
    reg.register(entry("a", "A", "Day"))
    reg.register(entry("b", "B", "Day", hotkey="1"))
    keys = {e.key: k for k, e in reg.hotkeys().items()}
    assert keys == {"b": "1", "a": "2"}
    with pytest.raises(ValueError, match="group"):
        entry("x", "X", "Nowhere")
    with pytest.raises(ValueError, match="hotkey"):
        entry("x", "X", "Day", hotkey="ab")


async def test_home_menu_lists_groups_and_opens_by_key_and_arrows(services, clean_registry):
    reg = clean_registry
    reg.register(entry("open", "Shop Open", "Day"))
    reg.register(entry("invoice", "Sales Invoice", "Sales"))
    reg.register(entry("ledger", "Customer Ledger", "Ledgers", MANAGER))
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        menu = home.query_one("#home-menu", OptionList)
        prompts = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        assert prompts == ["── Day ──", " 1   Shop Open", "── Sales ──", " 2   Sales Invoice"]
        assert "Ledger" not in " ".join(prompts)  # a cashier does not see manager screens
        # A key opens its screen.
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, Dummy))
        assert app.screen.title_shown == "Sales Invoice"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home)
        # Arrows + Enter (the headings are skipped).
        menu.highlighted = 1
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Dummy))
        assert app.screen.title_shown == "Sales Invoice"


async def test_palette_jumps_to_a_screen_by_name(services, clean_registry):
    reg = clean_registry
    reg.register(entry("open", "Shop Open", "Day"))
    reg.register(entry("receipt", "Sales Receipt", "Cash"))
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"receipt")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count >= 1 and hits.highlighted is not None
                       and "Sales Receipt" in str(hits.get_option_at_index(hits.highlighted).prompt), "the hit listed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Dummy))
        assert app.screen.title_shown == "Sales Receipt"


async def test_a_broken_screen_module_is_reported(services, clean_registry, monkeypatch):
    monkeypatch.setattr(clean_registry, "_import_errors", {"shopterm.screens.broken": "SyntaxError: x"})
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "failed to load (broken)" in app.screen.message_bar.text


def test_every_registered_screen_has_a_menu_key():
    """With every screen module loaded, no menu entry is left without a key."""
    from shopterm.screens import registry

    registry.discover()
    keys = registry.hotkeys()
    assert {e.key for e in keys.values()} == {e.key for e in registry.all_entries()}
    assert len(keys) == len(registry.all_entries()) > 34  # more than digits and lower-case letters
