"""Which screens exist: the home menu and the command palette list only these.

A screen module registers itself at import time::

    from shopterm.screens.registry import register_screen

    register_screen(ShopOpenScreen, "shop_open", "Day", N_("Open the shop for the day"))

(the title is the screen's ``DOCUMENT_TITLE``; ``register(ScreenEntry(...))`` for
anything else).

The menu does not import the screens: :func:`discover` (the home screen and the palette call it)
registers every entry from ``shopterm/screens/menu.json``, a list generated from the modules themselves
(``scripts/regen_screen_menu.py``; a test fails while it differs from what importing every module
registers). An entry's module is imported when the screen is first opened, and then registers the real
entry in the same place. Importing all ~40 screen modules at the first menu cost ~140 ms CPU and
~3.6 MiB that a till which only invoices never used. A screen module the list does not know yet (a new
one, before the list is generated again) is imported by :func:`discover` as before, so a new screen
still needs no other wiring; :func:`discover_all` imports every module. A module that fails to import
is reported (on the home screen, or when its screen is opened), never hidden.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from textual.screen import Screen

log = logging.getLogger(__name__)

#: Menu groups, in the order the home screen and the palette show them.
GROUPS: tuple[str, ...] = (N_("Day"), N_("Sales"), N_("Cash"), N_("Returns"), N_("Masters"), N_("Ledgers"))

CASHIER = frozenset({"cashier", "manager", "admin"})
MANAGER = frozenset({"manager", "admin"})
ADMIN = frozenset({"admin"})

#: Keys handed out to entries that do not choose their own, in order: digits,
#: lower-case letters, then capitals (Shift+letter) once those run out. "q" is
#: left out so that a stray q never opens a screen where Ctrl+Q was meant.
HOTKEY_POOL = "123456789abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ"

#: Modules of the screens package that are not menu screens.
_NOT_SCREENS = {"registry", "login", "home"}


@dataclass(frozen=True)
class ScreenEntry:
    """One menu entry.

    key: unique id (``"sales_invoice"``), also used by the palette.
    title: what the cashier reads (``N_("Sales Invoice")``: marked, shown translated by
        :attr:`shown_title`).
    group: one of :data:`GROUPS`.
    factory: ``factory(app) -> Screen``, a new screen each time.
    roles: roles that see it (:data:`CASHIER`, :data:`MANAGER`, :data:`ADMIN`).
    hotkey: one character typed on the home screen; assigned if omitted.
    help: one line shown in the palette (marked with ``N_`` too).
    """

    key: str
    title: str
    group: str
    factory: Callable[[Any], "Screen"]
    roles: frozenset[str] = CASHIER
    hotkey: str | None = None
    help: str = ""
    order: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"screen {self.key!r}: group must be one of {GROUPS}, not {self.group!r}")
        if self.hotkey is not None and (len(self.hotkey) != 1 or self.hotkey != self.hotkey.lower()):
            raise ValueError(f"screen {self.key!r}: hotkey must be one lower-case character")

    @property
    def shown_title(self) -> str:
        """The title in the language of the user signed in."""
        return _(self.title)

    @property
    def shown_help(self) -> str:
        """The palette's line: the help, else the group, in the user's language."""
        return _(self.help) if self.help else _(self.group)


_ENTRIES: dict[str, ScreenEntry] = {}
_counter = 0
_import_errors: dict[str, str] = {}
_discovered = False
#: key → the module that registered the entry (what ``menu.json`` records).
_MODULES: dict[str, str] = {}


def register(entry: ScreenEntry) -> ScreenEntry:
    """Add (or replace, by ``key``) a menu entry. Returns the entry."""
    global _counter
    old = _ENTRIES.get(entry.key)
    if old is not None:
        order = old.order
    else:
        _counter += 1
        order = _counter
    entry = ScreenEntry(**{**entry.__dict__, "order": order})
    _ENTRIES[entry.key] = entry
    if not _lazy(entry):
        _MODULES[entry.key] = _caller_module()
    return entry


def _caller_module() -> str:
    """The module whose code called :func:`register` (through :func:`register_screen` or not)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""


def _lazy(entry: ScreenEntry) -> bool:
    return getattr(entry.factory, "lazy_module", None) is not None


def register_screen(screen: Callable[[], "Screen"], key: str, group: str, help: str = "", *,
                    roles: frozenset[str] = CASHIER, hotkey: str | None = None) -> ScreenEntry:
    """Register a document screen class under its own title (its ``DOCUMENT_TITLE``), a new
    screen each time it is opened::

        register_screen(ShopOpenScreen, "shop_open", "Day", N_("Open the shop for the day"))
    """
    title: str = getattr(screen, "DOCUMENT_TITLE")
    return register(ScreenEntry(key=key, title=title, group=group, factory=lambda app: screen(), roles=roles,
                                hotkey=hotkey, help=help))


def unregister(key: str) -> None:
    _ENTRIES.pop(key, None)


def all_entries() -> list[ScreenEntry]:
    """Every registered entry, grouped in :data:`GROUPS` order, then registration order."""
    return sorted(_ENTRIES.values(), key=lambda e: (GROUPS.index(e.group), e.order))


def entries(role: str | None) -> list[ScreenEntry]:
    """The entries a user of ``role`` may open, in menu order."""
    if role is None:
        return []
    return [e for e in all_entries() if role in e.roles]


def get(key: str) -> ScreenEntry | None:
    return _ENTRIES.get(key)


def hotkeys() -> dict[str, ScreenEntry]:
    """``{character: entry}`` over *all* entries, so a screen's key does not
    depend on who is logged in. Chosen hotkeys win; the rest get the next
    free character of :data:`HOTKEY_POOL`."""
    result: dict[str, ScreenEntry] = {}
    ordered = all_entries()
    for e in ordered:
        if e.hotkey and e.hotkey not in result:
            result[e.hotkey] = e
    pool = iter(c for c in HOTKEY_POOL if c not in result)
    taken = {id(e) for e in result.values()}
    for e in ordered:
        if id(e) in taken:
            continue
        c = next(pool, None)
        if c is None:
            break
        result[c] = e
    return result


def register_first(*modules: str) -> None:
    """Import these screen modules of ``shopterm.screens`` now, so their entries take the menu places
    before the caller's (a module registers when it is imported; :func:`discover` goes alphabetically)."""
    for name in modules:
        importlib.import_module(f"shopterm.screens.{name}")


def discover(package: str = "shopterm.screens") -> dict[str, str]:
    """Register every screen of the menu (once), importing none of the modules ``menu.json`` lists.

    Returns ``{module: error}`` for modules that failed to import.
    """
    global _discovered
    if _discovered:
        return dict(_import_errors)
    _discovered = True
    menu = read_menu()
    MENU = menu.get("menu", ())
    known = {module for _key, module, *_rest in MENU} | set(menu.get("no_entry", ()))
    for i, (key, module, title, group, roles, hotkey, help) in enumerate(MENU):
        if key in _ENTRIES:  # its module is imported already: only its place
            _ENTRIES[key] = ScreenEntry(**{**_ENTRIES[key].__dict__, "order": -len(MENU) + i})
            continue
        _ENTRIES[key] = ScreenEntry(key=key, title=title, group=group, factory=_opener(key, module),
                                    roles=frozenset(roles), hotkey=hotkey, help=help, order=-len(MENU) + i)
        _MODULES[key] = module
    _import_all(package, skip=lambda qualified: any(m == qualified or m.startswith(qualified + ".") for m in known))
    return dict(_import_errors)


#: The menu's screens as importing every screen module registers them (``scripts/regen_screen_menu.py``).
MENU_FILE = Path(__file__).with_name("menu.json")


def read_menu() -> dict[str, Any]:
    """``{"menu": [[key, module, title, group, roles, hotkey, help], …], "no_entry": [module, …]}`` in menu
    order; titles and help are the English message ids (shown translated). ``{}`` without the file (the
    script that writes it)."""
    try:
        return json.loads(MENU_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def discover_all(package: str = "shopterm.screens") -> dict[str, str]:
    """Import every screen module so it registers itself (what ``menu.json`` is generated from)."""
    global _discovered
    _discovered = True
    _import_all(package, skip=lambda qualified: False)
    for key, entry in list(_ENTRIES.items()):
        if _lazy(entry):
            _open_module(key, _MODULES[key])
    return dict(_import_errors)


def _import_all(package: str, skip: Callable[[str], bool]) -> None:
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name in _NOT_SCREENS or info.name.startswith("_"):
            continue
        qualified = f"{package}.{info.name}"
        if skip(qualified):
            continue
        try:
            importlib.import_module(qualified)
        except Exception as exc:  # reported on the home screen
            log.exception("screen module %s failed to import", qualified)
            _import_errors[qualified] = f"{type(exc).__name__}: {exc}"


def _open_module(key: str, module: str) -> ScreenEntry:
    """Import ``module``; it registers ``key``'s real entry (keeping the menu place). A module that fails
    to import, or no longer registers ``key``, is an error (recorded like :func:`discover`'s)."""
    try:
        importlib.import_module(module)
    except Exception as exc:
        log.exception("screen module %s failed to import", module)
        _import_errors[module] = f"{type(exc).__name__}: {exc}"
        raise
    entry = _ENTRIES.get(key)
    if entry is None or _lazy(entry):
        raise LookupError(f"{module} does not register the screen {key!r}: run scripts/regen_screen_menu.py")
    return entry


def _opener(key: str, module: str) -> Callable[[Any], "Screen"]:
    def factory(app: Any) -> "Screen":
        return _open_module(key, module).factory(app)

    factory.lazy_module = module  # type: ignore[attr-defined]
    return factory


def modules_without_entry(package: str = "shopterm.screens") -> list[str]:
    """The package's modules (as :func:`discover` finds them) that register no entry: after
    :func:`discover_all`, what ``menu.json`` lists as ``no_entry`` (the menu need not import them)."""
    pkg = importlib.import_module(package)
    registering = set(_MODULES.values())
    return [qualified for info in pkgutil.iter_modules(pkg.__path__)
            if not (info.name in _NOT_SCREENS or info.name.startswith("_"))
            for qualified in [f"{package}.{info.name}"]
            if not any(m == qualified or m.startswith(qualified + ".") for m in registering)]


def menu_rows() -> list[tuple[str, str, str, str, tuple[str, ...], str | None, str]]:
    """Every entry as ``menu.json`` lists it, in menu order: (key, module, title, group, roles, hotkey,
    help)."""
    return [(e.key, _MODULES.get(e.key, ""), e.title, e.group, tuple(sorted(e.roles)), e.hotkey, e.help)
            for e in all_entries()]


def import_errors() -> dict[str, str]:
    return dict(_import_errors)
