"""Every menu entry opens and fits 80×24 in both languages (issue 14: "every screen fits 80×24
in both languages"; French is 20–30 % longer than English).

For each language, one app on the demo shop (day open, signed in as admin: every entry) opens
each registered screen from the menu, waits for it to settle, and checks:

* nothing is cut at 80 columns: every footer key lies inside the screen (a compact footer
  that overflows pushes its last keys off the right edge), and no label — field labels,
  column and tab heads, the title line, a placeholder in an empty field — is longer than
  the room it has (its text would be cropped);
* in French, no English word of the user interface is left on the screen (a list of common
  UI words: Save, Customer, Item, Price, Amount, Cancel, Print, Search, Quantity…; words
  that are the same in French — Total, Date, Net, Type, Client, Document — are not in it).
  The demo shop's own data is English ("Walk-In Customer"); those names are data, not the
  interface, and are taken out of the screen's text before the check.

Failures are collected over all the screens and reported at once.

Two allowance lists, both empty now and kept for a screen found wanting later, each entry
named with its reason (the test fails when one no longer applies, so the lists only shrink):
:data:`OTHER_PART` (English words on the screen only warned about) and :data:`KNOWN_CUT`
(a cut found and left).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, Label, Static, Tab
from textual.widgets._footer import FooterKey
from textual.worker import WorkerState

from shopterm.app import ShoptermApp
from shopterm.core import i18n
from shopterm.screens import registry
from shopterm.screens.home import HomeScreen
from tests.ui.waiting import wait_for

TODAY = dt.date(2026, 11, 23)
WIDTH, HEIGHT = 80, 24

registry.discover()
ENTRIES = [e.key for e in registry.all_entries()]

#: English words of the interface that French never shows as they are.
ENGLISH_WORDS = {
    "Save", "Customer", "Customers", "Item", "Items", "Price", "Prices", "Amount", "Cancel", "Print",
    "Search", "Quantity", "Qty", "Find", "New", "Back", "Draft", "List", "Posted", "Receipt", "Invoice",
    "Payment", "Balance", "Location", "Rate", "Discount", "Disc", "Cash", "Credit", "Yes", "Sales",
    "Return", "Close", "Delete", "Name", "Narration", "Currency", "Batch", "Remarks", "Available",
    "Supplier", "Tax", "Gross", "Payable", "Account", "Opening", "Closing", "Shop", "Order", "Orders",
    "Delivery", "Refund", "Exchange", "Received", "Returned", "Loading", "Working", "Details", "Voucher",
    "Summary", "Inventory", "Difference", "Physical", "Count", "Line", "Lines", "Free", "Offer", "Person",
    "Address", "Mobile", "Phone", "Due", "Paid", "Open", "Status", "Active", "Inactive", "Unit", "Code",
    "Expiry", "Stock", "From", "Until", "Period", "Month", "Year", "Debit", "Ledger", "Trial", "Ageing",
    "Statement", "Match", "Unmatch", "Report", "Filter", "Show", "Hide", "Type", "Choose", "Press", "Enter",
    "Esc", "Help", "Menu", "Day", "Week", "Limit", "Days", "Outstanding", "Category", "Group", "Target",
    "Actual", "Scheme", "Promotion", "Reason", "Commission", "Approve", "Approved", "Cancelled", "Users",
    "User", "Role", "Language", "Setup", "Settings", "Tolerance", "Number", "Next", "Previous", "Page",
}
#: Words the same (or accepted as is) in French, or key names kept in French (PROTOCOL: key names).
#: "Balance" is the French trial balance too.
SAME_IN_FRENCH = {"Type", "Stock", "Code", "Page", "Menu", "Enter", "Esc", "Commission", "Promotion", "Tolerance",
                  "Mobile", "Balance"}
CHECKED_WORDS = ENGLISH_WORDS - SAME_IN_FRENCH

#: Kinds of master data whose names the demo shop was built with, in English (data, not the interface).
DATA_KINDS = ("customer", "item", "location", "account", "sales_person", "supplier", "cost_centre",
              "promotion_reason", "category", "group")

#: Menu entries whose French is another part of issue 14 (screens/masters, screens/ledgers).
OTHER_PART: set[str] = set()  # every screen is held to the same check now

#: (language, entry) → the problem found and left (see the module docstring).
KNOWN_CUT: dict = {}

LABEL_CLASSES = {"inv-label", "cf-label", "cf-label2", "cl-label", "tf-label", "dg-label", "dg-head", "rf-head",
                 "rf-ccy", "denom-head", "doclist-label", "mlist-label", "field-label"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo shop, day open (nothing here saves)."""
    from shopterm.services import Services
    from shopterm.services.admin.demo import build_demo

    path = tmp_path_factory.mktemp("langs") / "demo.db"
    s = Services.open(f"sqlite:///{path}", today=TODAY)
    build_demo(s, TODAY)
    admin = s.users.login("admin", "9999")
    s.day.open_day(admin)
    s.data_names = sorted({row.name for kind in DATA_KINDS for row in s.lookup(kind, "", limit=1000) if row.name},
                          key=len, reverse=True)
    yield s
    s.db.dispose()


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


def screen_text(app) -> str:
    console = Console(width=WIDTH, height=HEIGHT, file=io.StringIO(), record=True, legacy_windows=False,
                      safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def _plain(widget) -> str | None:
    rendered = widget.render()
    if isinstance(rendered, Text):
        return rendered.plain
    if isinstance(rendered, str):
        return rendered
    return None


def cut_at_80(screen) -> list[str]:
    """What does not fit: footer keys off the edge, labels longer than their room."""
    found = []
    for widget in screen.query("*"):
        if not widget.display or not widget.visible:
            continue
        region = widget.region
        if region.width == 0 or region.height == 0:
            continue
        if isinstance(widget, FooterKey):
            if region.right > WIDTH:
                found.append(f"footer key {widget.key_display} {widget.description!r} at columns "
                             f"{region.x}–{region.right}")
            continue
        is_label = (isinstance(widget, (Label, Tab)) or widget.id == "doc-title"
                    or (isinstance(widget, Static) and bool(LABEL_CLASSES & set(widget.classes))))
        if is_label and region.height == 1:
            text = _plain(widget)
            if text is None or "\n" in text.strip():
                continue
            room = widget.content_region.width
            if cell_len(text.rstrip()) > room:
                found.append(f"label {text.strip()!r} needs {cell_len(text.rstrip())} columns, has {room}")
            elif region.right > WIDTH:
                found.append(f"label {text.strip()!r} ends at column {region.right}")
        elif isinstance(widget, Input) and not widget.value and widget.placeholder and region.height == 1:
            room = widget.content_region.width
            if room and cell_len(widget.placeholder) > room:
                found.append(f"placeholder {widget.placeholder!r} needs {cell_len(widget.placeholder)} columns, "
                             f"has {room}")
    return found


def english_left(text: str, data_names: list[str]) -> list[str]:
    text = re.sub(r"\s+", " ", text)
    for name in data_names:  # longest first; a name cut on screen ("Accounts rec…") still shows its start
        text = text.replace(name, "")
        if len(name) > 12:
            text = text.replace(name[:12], "")
    words = set(re.findall(r"[^\W\d_]+", text))
    return sorted(words & CHECKED_WORDS)


def settled(app) -> bool:
    busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers
               if w.group not in ("open-services",))
    return app.typeahead_pending == 0 and app.keys_ready() and not busy


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_every_menu_entry_fits_80_columns(demo, lang):
    actor = demo.users.login("admin", "9999")
    app = ShoptermApp(demo, actor=actor)
    i18n.set_language(lang)
    keys = {e.key: k for k, e in registry.hotkeys().items()}
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.keys and settled(app),
                       "the menu")
        home = app.screen
        found = cut_at_80(home)
        if lang == "fr":  # the titles of the other part's entries are theirs
            others = [e.shown_title for e in registry.all_entries() if e.key in OTHER_PART]
            found += [f"English: {w}" for w in english_left(screen_text(app), demo.data_names + others)]
        if found:
            problems["home"] = found
        for key in ENTRIES:
            await pilot.press(keys[key])
            await wait_for(pilot, lambda: app.screen is not home and settled(app), f"{key} open")
            await pilot.pause(0.1)
            await wait_for(pilot, lambda: settled(app), f"{key} settled")
            found = cut_at_80(app.screen)
            if KNOWN_CUT.get((lang, key)) == found:
                found = []
            if lang == "fr":
                english = [f"English: {w}" for w in english_left(screen_text(app), demo.data_names)]
                if key in OTHER_PART:
                    if english:
                        warnings.warn(f"{key}: {', '.join(english)} (another part of issue 14)")
                else:
                    found += english
            if found:
                problems[key] = found
            await app.go_home()
            await wait_for(pilot, lambda: app.screen is home and settled(app), f"back from {key}")
    report = "\n".join(f"{key}:\n  " + "\n  ".join(found) for key, found in problems.items())
    assert not problems, f"{len(problems)} screens do not fit or are not translated ({lang}):\n{report}"
