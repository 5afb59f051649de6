"""No key lost, no key in the wrong place: keys typed in one burst (SSH packet,
paste, barcode scanner) while a screen opens land in its fields, in order.

Every menu entry of the registry is tried (parametrised): the menu key and the
data for the screen's first two fields are posted at once, with nothing waited
for in between, and the values must be where a slow typist would have put them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events
from textual.widgets import Input

from shopterm.app import ShoptermApp
from shopterm.screens import registry
from shopterm.screens.base.counter import ChoiceField
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, PercentInput, QtyInput, RateInput
from shopterm.widgets.totals_footer import CompactChoice
from tests.ui import waiting

TODAY = dt.date(2026, 11, 23)

registry.discover()
ENTRIES = [e.key for e in registry.all_entries()]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo shop, day open, shared by the burst tests (nothing here saves)."""
    from shopterm.services import Services
    from shopterm.services.admin.demo import build_demo

    path = tmp_path_factory.mktemp("burst") / "demo.db"
    s = Services.open(f"sqlite:///{path}", today=TODAY)
    build_demo(s, TODAY)
    admin = s.users.login("admin", "9999")
    s.day.open_day(admin)
    return s


async def wait_for(pilot, condition):
    await waiting.wait_for(pilot, condition, "the keys taken")


def settled(app) -> bool:
    # A ledger report still being read counts as not settled: Esc then cancels the read (the
    # screen stays) instead of going back.
    return (app.typeahead_pending == 0 and app.keys_ready() and app.screen.is_mounted
            and not getattr(app.screen, "reading", False))


def key_events(text: str) -> list[events.Key]:
    """Key events for ``text``; ``\\t`` is Tab, ``\\b`` Shift+Tab, ``\\r`` Enter, `` `` Space."""
    names = {"\t": ("tab", None), "\b": ("shift+tab", None), "\r": ("enter", "\r"), " ": ("space", " ")}
    out = []
    for ch in text:
        key, char = names.get(ch, (ch, ch))
        out.append(events.Key(key, char))
    return out


def burst(app, text: str) -> None:
    for event in key_events(text):
        app.post_message(event)


def sample(widget, services, actor) -> tuple[str, object]:
    """What to type into ``widget`` (as a cashier would) and the value it must then hold."""
    if isinstance(widget, (ChoiceField, CompactChoice)):
        values = [v for v, _ in getattr(widget, "options", None) or widget.choices]
        return " ", values[(values.index(widget.value) + 1) % len(values)]
    if isinstance(widget, DateInput):
        return "2026-11-23", "2026-11-23"
    if isinstance(widget, (MoneyInput, QtyInput, RateInput, PercentInput)) or type(widget).__name__ == "IntInput":
        return "7", "7"
    kind = "item" if type(widget).__name__ == "ItemCell" else getattr(widget, "lookup_kind", None)
    if isinstance(widget, Input) and kind:
        rows = services.lookup(kind, "", limit=1, actor=actor)
        code = rows[0].code if rows else "ZZ9"
        return code, code
    if isinstance(widget, CodeInput):
        return "ZZ9", "ZZ9"
    if isinstance(widget, Input):
        return "ABC", "ABC"
    return "", None


def value_of(widget) -> object:
    return widget.value


def next_field(screen, widget):
    chain = screen.focus_chain
    i = chain.index(widget)
    return chain[i + 1] if i + 1 < len(chain) else None


@pytest.mark.parametrize("key", ENTRIES)
async def test_a_burst_typed_while_a_screen_opens_lands_in_its_first_fields(demo, key):
    actor = demo.users.login("admin", "9999")
    hotkey = {e.key: k for k, e in registry.hotkeys().items()}[key]
    app = ShoptermApp(demo, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: settled(app) and len(app.screen_stack) == 2)
        home = app.screen
        # Look at the screen once, calmly: which fields come first.
        await pilot.press(hotkey)
        await wait_for(pilot, lambda: app.screen is not home and settled(app))
        screen = app.screen
        first = screen.focused
        assert first is not None, f"{key}: nothing has the focus when the screen opens"
        prefix = ""  # every screen, reports too, opens on its first field that takes typing
        assert isinstance(first, Input), (
            f"{key}: opens on {type(first).__name__}#{first.id}, not a field that takes typing"
        )
        typed1, want1 = sample(first, demo, actor)
        second = next_field(screen, first)
        typed2, want2 = sample(second, demo, actor) if second is not None else ("", None)
        if isinstance(first, MoneyInput) and want2 is not None:
            want1 = "7.00"  # left by the Tab: an amount then reads as its figure
        chain = screen.focus_chain
        where = (chain.index(first), chain.index(second) if second is not None else None)
        screen.action_back()
        await wait_for(pilot, lambda: app.screen is home and settled(app))

        # Now the same, in one burst: menu key, field 1, Tab, field 2.
        text = hotkey + prefix + typed1 + ("\t" + typed2 if want2 is not None else "")
        burst(app, text)
        await wait_for(pilot, lambda: app.screen is not home and settled(app))
        screen = app.screen
        chain = screen.focus_chain
        field1 = chain[where[0]]
        got1 = value_of(field1)
        assert got1 == want1, f"{key}: {typed1!r} typed into {field1!r} at once gave {got1!r}"
        if want2 is not None:
            field2 = chain[where[1]]
            got2 = value_of(field2)
            assert got2 == want2, f"{key}: {typed2!r} typed into {field2!r} after Tab gave {got2!r}"
