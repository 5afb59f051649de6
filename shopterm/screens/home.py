"""The home menu: every registered screen the user may open, grouped.

Each entry shows its key (``1``…``9``, then letters) — typing it opens the
screen; arrows + Enter work too. Only screens that exist are listed (see
:mod:`shopterm.screens.registry`); an empty group is left out.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core.i18n import N_, _
from shopterm.screens import registry
from shopterm.screens.base.document import ShopScreen


class HomeScreen(ShopScreen):
    """The menu. Opens screens through ``app.open_entry(key)``."""

    SHOW_PALETTE_KEY = True
    AUTO_FOCUS = "#home-menu"
    BINDINGS = [
        Binding("ctrl+l", "app.logout", N_("Log out"), id="home.logout", key_display="^L"),
        Binding("ctrl+q", "app.quit", N_("Quit"), id="home.quit", key_display="^Q", priority=True),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.menu: list[registry.ScreenEntry] = []
        self.keys: dict[str, registry.ScreenEntry] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", id="home-title", markup=False)
        yield OptionList(id="home-menu")

    def on_mount(self) -> None:
        errors = registry.discover()
        self.build_menu()
        if errors:
            names = ", ".join(m.rsplit(".", 1)[-1] for m in errors)
            self.show_error(_("Some screens failed to load ({names}); see the log").format(names=names))

    def build_menu(self) -> None:
        role = getattr(self.actor, "role", None)
        self.menu = registry.entries(role)
        visible = {e.key for e in self.menu}
        self.keys = {k: e for k, e in registry.hotkeys().items() if e.key in visible}
        key_of = {e.key: k for k, e in self.keys.items()}
        user = getattr(self.actor, "name", "")
        title = self.query_one("#home-title", Static)
        menu = self.query_one("#home-menu", OptionList)
        if not self.menu:
            title.update(_("Menu for {user}: no screens are available to you yet.").format(user=user))
            menu.clear_options()
            return
        title.update(_("Menu for {user}: type a key, or ↑↓ then Enter").format(user=user))
        options: list[Option] = []
        group = None
        for entry in self.menu:
            if entry.group != group:
                group = entry.group
                options.append(Option(Text(f"── {_(group)} ──", style="bold"), disabled=True, id=f"group-{group}"))
            label = Text(no_wrap=True)
            label.append(f" {key_of.get(entry.key, ' ')} ", style="bold reverse")
            label.append(f"  {entry.shown_title}")
            options.append(Option(label, id=entry.key))
        menu.set_options(options)
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        menu.highlighted = first

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self.is_mounted:
            self.refresh_status()

    def on_key(self, event: events.Key) -> None:
        if self.app.screen is not self:
            return  # a key typed ahead after a screen was opened: not a menu key
        char = event.character or ""
        if char not in self.keys and char.isalpha():
            # Caps Lock on: a capital that is not a menu key means its lower case
            char = char.lower()
        if char and char in self.keys:
            event.stop()
            event.prevent_default()
            self.open(self.keys[char].key)
            return
        hidden = registry.hotkeys().get(char) if char else None
        if hidden is not None:
            # A screen this user may not open: say who may, never a dead key.
            event.stop()
            event.prevent_default()
            self.show_error(_who_may(hidden.roles).format(title=hidden.shown_title))

    @on(OptionList.OptionSelected, "#home-menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.open(event.option.id)

    def action_open_highlighted(self) -> None:
        menu = self.query_one("#home-menu", OptionList)
        if menu.highlighted is None:
            return
        option = menu.get_option_at_index(menu.highlighted)
        if option.id and not option.disabled:
            self.open(option.id)

    def open(self, key: str) -> None:
        opener: Any = getattr(self.app, "open_entry", None)
        if opener is not None:
            opener(key)


def _who_may(roles: frozenset[str]) -> str:
    """The refusal, a template with ``{title}``."""
    if "manager" in roles:
        return _("{title} needs a manager")
    if "admin" in roles:
        return _("{title} needs an admin")
    if roles:
        return _("{title} needs {roles}").format(title="{title}", roles=" / ".join(_(r) for r in sorted(roles)))
    return _("{title} needs another user")
