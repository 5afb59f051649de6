"""Every master and ledger screen opens in French at 80×24 with nothing cut (issue 14): the
footer's keys fit 80 columns, every field label fits its 15 columns, every choice shows all its
options, grid and list column heads fit their columns; the title line is French."""

from __future__ import annotations

import pytest
from textual.widgets import Label

from shopterm.core import i18n
from shopterm.screens import registry
from shopterm.screens.base.counter import ChoiceField
from shopterm.screens.masters.base import MasterScreen
from tests.ui.test_masters_customers import app_for, shop, wait_for
from tests.ui.test_masters_screens import footer_width

__all__ = ["shop"]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def cut_pieces(screen) -> list[str]:
    """What does not fit on the screen as laid out: labels, choices, column heads."""
    out = []
    for label in screen.query(Label).filter(".mf-label"):
        text = str(label.render())
        if len(text) > label.size.width:
            out.append(f"label {text!r} in {label.size.width}")
    for choice in screen.query(ChoiceField):
        text = str(choice.render())
        if choice.size.width and len(text.rstrip()) > choice.size.width:
            out.append(f"choice {text!r} in {choice.size.width}")
    if isinstance(screen, MasterScreen):
        for spec in screen.GRIDS:
            for col in spec.columns:
                if len(i18n._(col.label)) > col.width:
                    out.append(f"grid head {i18n._(col.label)!r} in {col.width}")
        for col in screen.LIST_COLUMNS:
            if len(i18n._(col.header)) > col.width:
                out.append(f"list head {i18n._(col.header)!r} in {col.width}")
    return out


async def test_every_master_and_ledger_screen_fits_80x24_in_french(shop):
    admin = shop.users.login("admin", "9999")
    shop.users.update(admin, "admin", language="fr")
    app = app_for(shop, "admin")
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
        assert i18n.current() == "fr"
        registry.discover()
        keys = [e.key for e in registry.entries("admin") if e.group in ("Masters", "Ledgers")]
        assert len(keys) > 20
        for key in keys:
            app.open_entry(key)
            await wait_for(pilot, lambda: type(app.screen).__name__ != "HomeScreen" and app.screen.focused is not None,
                           key)
            await pilot.pause()
            screen = app.screen
            assert screen.message_bar.kind != "error", (key, screen.message_bar.text)
            found = cut_pieces(screen)
            if footer_width(screen) > 80:
                found.append(f"footer {footer_width(screen)} columns")
            title = str(screen.query_one("#doc-title").render()) if screen.query("#doc-title") else ""
            entry = registry.get(key)
            if title and i18n._(entry.title) == entry.title and i18n._(screen.DOCUMENT_TITLE) == screen.DOCUMENT_TITLE:
                found.append(f"title not French: {title!r}")
            if found:
                problems[key] = found
            app.pop_screen()
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "back home")
    assert not problems, problems
