"""The menu lists every screen without importing the screen modules (``screens/menu.json``), and opens a
screen by importing its module then."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shopterm.app import ShoptermApp
from shopterm.screens.home import HomeScreen
from tests.ui.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: what the menu imports, its entries and keys; then every module imported
# (the old way) and the same again.
PROBE = """
import json, sys
from shopterm.screens import registry
before = set(sys.modules)
registry.discover()
imported = sorted(m for m in set(sys.modules) - before if m.startswith("shopterm.screens."))
lazy = {"imported": imported, "rows": registry.menu_rows(),
        "keys": {k: e.key for k, e in registry.hotkeys().items()},
        "roles": {r: [e.key for e in registry.entries(r)] for r in ("cashier", "manager", "admin")}}
errors = registry.discover_all()
full = {"rows": registry.menu_rows(), "keys": {k: e.key for k, e in registry.hotkeys().items()},
        "roles": {r: [e.key for e in registry.entries(r)] for r in ("cashier", "manager", "admin")},
        "lazy_left": [e.key for e in registry.all_entries() if getattr(e.factory, "lazy_module", None)]}
print(json.dumps({"lazy": lazy, "full": full, "errors": errors}))
"""


def test_the_generated_menu_is_what_the_screen_modules_register():
    """``menu.json`` equals what importing every screen module registers (else: run the script)."""
    done = subprocess.run([sys.executable, "scripts/regen_screen_menu.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + "\nrun: .venv/bin/python scripts/regen_screen_menu.py"


def test_the_menu_imports_no_screen_module_and_shows_the_same_entries_and_keys():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    lazy, full = out["lazy"], out["full"]
    assert out["errors"] == {}
    # the menu read the list: no screen module (it read menu.json)
    assert lazy["imported"] == []
    # every entry, key (Sales Invoice is "3" for everyone) and role's menu as with every module imported
    assert lazy["rows"] == full["rows"]
    assert lazy["keys"] == full["keys"]
    assert lazy["roles"] == full["roles"]
    assert lazy["keys"]["3"] == "sales_invoice"
    assert len(lazy["keys"]) == len(lazy["rows"]) == 41
    assert full["lazy_left"] == []  # each module registered its real entry in the listed one's place


async def test_a_screen_opens_from_the_menu_and_keeps_its_key(services, monkeypatch):
    """From a fresh registry (the list only), the menu's key opens the screen: its module registers the
    real entry in the same place, with the same key."""
    from shopterm.screens import registry
    from shopterm.screens.sales_invoice import SalesInvoiceScreen

    monkeypatch.setattr(registry, "_ENTRIES", {})
    monkeypatch.setattr(registry, "_MODULES", {})
    monkeypatch.setattr(registry, "_import_errors", {})
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.delitem(sys.modules, "shopterm.screens.sales_invoice")  # imported again when opened
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.keys, "the menu")
        entry = registry.get("sales_invoice")
        assert entry.factory.lazy_module == "shopterm.screens.sales_invoice"
        assert app.screen.keys["3"].key == "sales_invoice"
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SalesInvoiceScreen", "the invoice")
        real = registry.get("sales_invoice")
        assert not hasattr(real.factory, "lazy_module")
        assert (real.order, real.title, real.roles) == (entry.order, entry.title, entry.roles)
        assert {k: e.key for k, e in registry.hotkeys().items()}["3"] == "sales_invoice"
    assert SalesInvoiceScreen is not None


async def test_a_screen_whose_module_fails_says_so_when_opened(services, monkeypatch):
    from shopterm.screens import registry

    monkeypatch.setattr(registry, "_ENTRIES", {})
    monkeypatch.setattr(registry, "_MODULES", {})
    monkeypatch.setattr(registry, "_import_errors", {})
    monkeypatch.setattr(registry, "_discovered", False)
    monkeypatch.setitem(sys.modules, "shopterm.screens.shop_open", None)  # import fails
    actor = services.users.login("cashier", "1111")
    app = ShoptermApp(services, actor=actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.keys, "the menu")
        await pilot.press("1")
        await wait_for(pilot, lambda: any(n.message.startswith("Shop Open could not open")
                                          for n in app._notifications), "the error")
        assert isinstance(app.screen, HomeScreen)
        assert "shopterm.screens.shop_open" in registry.import_errors()
