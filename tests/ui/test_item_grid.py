"""The item grid on its own: keys only, fake item search and defaults (no database).

The host screen computes totals with ``core.totals`` from ``line_inputs()``,
as the invoice does; figures are checked by hand against DESIGN §4.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from textual.app import App, ComposeResult
from textual.widgets import Input

from shopterm.core.money import Currency
from shopterm.core.totals import compute_totals
from shopterm.services.sales.invoice import LineDefaults
from shopterm.services.stock import BatchStock
from shopterm.screens.base.document import DocumentScreen
from shopterm.widgets.item_grid import ItemGrid, ItemGridHost
from shopterm.widgets.lookup import LookupDialog
from shopterm.widgets.messages import MessageBar
from tests.ui.waiting import wait_grid_at_rest, wait_until

SIZE = (80, 24)
DAY = dt.date(2026, 11, 23)


class Row:
    def __init__(self, code: str, name: str, detail: str = "") -> None:
        self.code, self.name, self.detail = code, name, detail


ITEMS = {
    "PARA500": ("Paracetamol 500 mg (box 100)", "BOX", "100", "16", "2.50"),
    "PARA1000": ("Paracetamol 1 g (box 50)", "BOX", "50", "16", "4.00"),
    "BAND01": ("Bandage roll 5 cm", "ROLL", "1", "0", "1.25"),
}
BATCHES = {
    "PARA500": (BatchStock(2, "B002", dt.date(2027, 1, 31), D("100")), BatchStock(1, "B001", dt.date(2027, 6, 30), D("500"))),
    "PARA1000": (BatchStock(3, "P001", dt.date(2027, 5, 31), D("40")),),
    "BAND01": (BatchStock(4, "D001", dt.date(2029, 12, 31), D("1000")),),
}


def search(query: str) -> list[Row]:
    q = query.strip().lower()
    return [Row(c, v[0]) for c, v in sorted(ITEMS.items()) if q in c.lower() or q in v[0].lower()]


def defaults(code: str) -> LineDefaults:
    if code not in ITEMS:
        from shopterm.services.errors import NotFound

        raise NotFound(f"Item {code} not found", field="item")
    name, unit, pack, tax, price = ITEMS[code]
    first = BATCHES[code][0]
    return LineDefaults(code, name, unit, D(pack), D(tax), sum((b.qty for b in BATCHES[code]), D(0)), D("0"),
                        first.code, first.expiry, first.qty, D(price), D(price), BATCHES[code])


class GridScreen(ItemGridHost, DocumentScreen):
    DOCUMENT_TITLE = "Grid"
    SUPPORTS = frozenset({"delete_row"})

    def __init__(self) -> None:
        super().__init__()
        self.totals = None
        self.changes: list[int] = []

    def compose_document(self) -> ComposeResult:
        yield ItemGrid(id="grid")
        yield Input(id="after")

    def on_mount(self) -> None:
        grid = self.query_one(ItemGrid)
        grid.item_search = search
        grid.line_defaults = defaults
        grid.batch_search = lambda item: BATCHES[item]
        grid.date = DAY
        grid.focus_cell(1, "item")

    def on_item_grid_lines_changed(self, event: ItemGrid.LinesChanged) -> None:
        self.changes.append(event.line)
        grid = self.query_one(ItemGrid)
        self.totals = compute_totals(grid.line_inputs(), currency=Currency.USD, rate=D("2850"))
        grid.show_totals(self.totals)

    def action_delete_row(self) -> None:
        self.query_one(ItemGrid).delete_row()


class Host(App):
    actor = None
    last_status = None

    @property
    def services(self):
        raise RuntimeError("no services in this test")

    def on_mount(self) -> None:
        self.push_screen(GridScreen())


def cell_values(grid: ItemGrid, line: int) -> dict[str, str]:
    row = grid.rows[line - 1]
    return {k: getattr(w, "value", getattr(w, "text", "")) for k, w in row.cells.items()}


async def test_typing_a_line_fills_defaults_and_moves_cell_by_cell():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"para500", "enter")  # Enter on the item goes straight to Qty
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert screen.focused is grid.cell(1, "qty")
        values = cell_values(grid, 1)
        assert values["item"] == "PARA500" and values["batch"] == "B002" and values["price"] == "2.50"
        assert len(grid.rows) == 2  # a blank row waits at the end
        await pilot.press(*"10")
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "25.00")
        await pilot.press("enter")
        assert screen.focused is grid.cell(1, "price")
        await pilot.press("enter", *"10")
        assert screen.focused is grid.cell(1, "discount_pct")
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "22.50")
        await pilot.press("enter", "enter")  # flat discount, then the next row
        assert screen.focused is grid.cell(2, "item")
        assert screen.totals.net == D("26.10")
        top, bottom = grid.detail_text()
        assert top.startswith("2: code, barcode or name, Enter · 3*CODE qty first")
        await pilot.press("shift+tab")  # back to line 1's last cell
        assert screen.focused is grid.cell(1, "flat_discount")
        top, bottom = grid.detail_text()
        # 78 columns: the name gives way, the batch's expiry stays whole
        assert top == "1: Paracetamol 500 mg (… · BOX×100 · stock 600 res 0 · B002 100 exp 2027-01-31"
        assert bottom == "Price $ 2.50 · Gross 25.00 · Disc 2.50 · Flat share 0.00 · Tax 16% 3.60"
        lines = grid.draft_lines()
        assert len(lines) == 1
        assert (lines[0].item, lines[0].batch, lines[0].qty, lines[0].price, lines[0].discount_pct) == (
            "PARA500", "B002", "10", None, "10")


async def test_tab_visits_the_batch_and_f2_lists_batches_with_stock():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"PARA500", "tab")
        assert screen.focused is grid.cell(1, "batch")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and len(app.screen.rows) == 2)
        dialog = app.screen
        assert [(r.code, r.name, r.detail) for r in dialog.rows] == [
            ("B002", "expires 2027-01-31", "stock 100"), ("B001", "expires 2027-06-30", "stock 500")]
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.screen is screen)
        assert grid.cell(1, "batch").value == "B001"
        assert grid.lines[0].batch_auto is False
        assert screen.focused is grid.cell(1, "batch")
        await pilot.press("tab", *"600")
        await wait_until(pilot, lambda: "only 500 in batch" in grid.detail_text()[1])
        assert grid.draft_lines()[0].batch == "B001"


async def test_part_of_a_name_with_several_matches_opens_the_lookup_prefiltered():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"parac", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog) and len(app.screen.rows) == 2)
        assert app.screen.query_one("#lookup-query").value == "parac"
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert grid.cell(1, "item").value == "PARA500"
        assert screen.focused is grid.cell(1, "qty")


async def test_unknown_item_cancelled_lookup_keeps_the_text_and_says_so():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"zzz", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Item (line 1): nothing chosen for 'zzz'"
        assert grid.cell(1, "item").value == "zzz"
        assert screen.focused is grid.cell(1, "item")


async def test_bad_numbers_name_the_column_and_line_and_keep_the_text():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        bar = screen.query_one(MessageBar)
        await pilot.press(*"BAND01", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        for typed, message in (
            ("abc", "Qty (line 1): 'abc' is not a number"),
            ("-2", "Qty (line 1): must not be negative (-2)"),
            ("1.2345", "Qty (line 1): at most 3 decimal places (1.2345)"),
        ):
            await pilot.press(*typed, "enter")
            await wait_until(pilot, lambda: bar.text == message)
            assert bar.kind == "error"
            assert grid.cell(1, "qty").value == typed  # nothing typed is lost
            assert screen.focused is grid.cell(1, "qty")  # Enter on a bad cell stays there
            assert grid.cell(1, "line_net").text == ""  # the line does not count
        await pilot.press(*"4")  # the cell text was selected on refocus: replaced
        await wait_until(pilot, lambda: bar.kind is None)
        assert grid.cell(1, "line_net").text == "5.00"
        await pilot.press("tab", "tab", *"150", "tab")
        await wait_until(pilot, lambda: bar.text == "Disc % (line 1): a percentage must be between 0 and 100 (150)")


async def test_f8_and_ctrl_del_delete_rows_and_renumber():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        for code, qty in (("PARA500", "1"), ("BAND01", "2"), ("PARA1000", "3")):
            await pilot.press(*code, "enter")
            await wait_until(pilot, lambda: grid.lines[len(grid.draft_lines()) - 1].defaults is not None)
            await pilot.press(*qty, "enter", "enter", "enter", "enter")
        await wait_until(pilot, lambda: screen.totals is not None and screen.totals.total_qty == D("6"))
        assert len(grid.rows) == 4
        grid.focus_cell(1, "qty")
        await pilot.press("f8")
        await wait_until(pilot, lambda: len(grid.rows) == 3)
        assert [ln.item for ln in grid.draft_lines()] == ["BAND01", "PARA1000"]
        assert screen.focused is grid.cell(1, "qty")
        assert grid.rows[0].cells["sno"].text == "1" and grid.rows[1].cells["sno"].text == "2"
        assert grid.cell(2, "qty").label == "Qty (line 2)"
        await wait_until(pilot, lambda: screen.totals.total_qty == D("5"))
        await pilot.press("down")
        assert screen.focused is grid.cell(2, "qty")
        await pilot.press("ctrl+delete")
        await wait_until(pilot, lambda: len(grid.rows) == 2)
        assert [ln.item for ln in grid.draft_lines()] == ["BAND01"]
        await wait_until(pilot, lambda: screen.totals.net == D("2.50"))
        assert grid.touched


async def test_failed_defaults_are_reported_with_the_item_cell_focused():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        grid.item_search = lambda q: [Row("GONE", "A removed item")]
        await pilot.press(*"GONE", "enter")
        bar = screen.query_one(MessageBar)
        await wait_until(pilot, lambda: bar.kind == "error")
        assert bar.text == "Item GONE not found"
        assert screen.focused is grid.cell(1, "item")


async def test_enter_on_a_blank_last_row_leaves_the_grid():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press("enter")
        assert screen.focused is screen.query_one("#after")


async def test_keys_typed_in_one_burst_land_in_their_cells():
    """Over SSH (or from a scanner) a line arrives in one packet: the app handles every
    key before the cells take theirs. Enter/Tab decisions must not lose or misplace any."""
    from textual import events

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        burst = "PARA500\r10\r\r10\r\rBAND01\r4\r\r\r\rPARA1000\r3\r\r\r\rBAND01\r1\r\r\r\r\r"
        for ch in burst:
            app.post_message(events.Key("enter", "\r") if ch == "\r" else events.Key(ch.lower() if ch.isalpha() else ch, ch))
        await wait_until(pilot, lambda: len(grid.draft_lines()) == 4 and all(ln.defaults for ln in grid.lines[:4])
                         and screen.totals is not None and screen.totals.total_qty == D("18"))
        assert [(ln.item, ln.qty, ln.discount_pct) for ln in grid.draft_lines()] == [
            ("PARA500", "10", "10"), ("BAND01", "4", "0"), ("PARA1000", "3", "0"), ("BAND01", "1", "0")]
        # the last Enter, on the empty fifth row, left the grid
        assert screen.focused is screen.query_one("#after")
        # 22.50 × 1.16 + 5.00 + 12.00 × 1.16 + 1.25 = 26.10 + 5.00 + 13.92 + 1.25
        assert screen.totals.net == D("46.27")


async def test_a_list_price_arriving_while_the_cashier_is_in_the_price_cell_is_selected():
    """Typed fast (PARA500 Enter 2 Tab), the cashier reaches Price before the item's
    defaults are back; the list price then filled in is selected, so the price typed
    next replaces it (2,50 gives 2.50, not '2.502,50')."""
    import threading

    gate = threading.Event()

    def slow_defaults(code: str) -> LineDefaults:
        gate.wait(5)
        return defaults(code)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        grid.line_defaults = slow_defaults
        await pilot.press(*"para500", "enter", "2", "tab")
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "price"))
        gate.set()
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert grid.cell(1, "price").value == "2.50"
        await pilot.press("2", ",", "5", "0", "tab")
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "discount_pct"))
        assert grid.cell(1, "price").value == "2.50"  # "2,50" typed, shown as the totals once left
        assert grid.lines[0].values["price"] == D("2.50")


# ---------------------------------------------------------------- what a key costs (issue 13)


def count_layouts(monkeypatch) -> list[int]:
    """Counts the whole-screen layouts (every widget measured and placed again)."""
    from textual.screen import Screen

    calls = [0]
    original = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return calls


async def test_keys_new_rows_and_item_fills_lay_nothing_out(monkeypatch):
    from shopterm.widgets.item_grid import SPARE_POOL, GridRow

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        grid.spare_idle = 3600  # no spare replenished while this test types
        # the pool of spare rows is filled once the grid is shown
        await wait_until(pilot, lambda: len(grid.query(GridRow)) == 1 + SPARE_POOL)
        await wait_grid_at_rest(pilot, grid)  # the pool's own layout and drawing are not counted
        # a used spare is replaced after the frame of the key that ends a line (a mount: one layout,
        # not the key's; test_compositor.py), here only noted
        top_ups: list[int] = []
        monkeypatch.setattr(grid, "_top_up", lambda: top_ups.append(len(grid._spares)))
        layouts = count_layouts(monkeypatch)
        await pilot.press(*"para500", "enter")  # a new blank row, the item resolved and its cells filled
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None and grid.cell(1, "price").value == "2.50")
        await pilot.press(*"10")
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "25.00")
        await pilot.press("tab", "tab", "tab", "tab")  # Price, Disc%, Flat: on to line 2
        assert screen.focused is grid.cell(2, "item")
        await pilot.press(*"band01", "enter", "4")
        await wait_until(pilot, lambda: grid.cell(2, "line_net").text == "5.00")
        await pilot.pause()
        assert layouts[0] == 0
        assert top_ups == [SPARE_POOL - 1]  # line 1 ended (Tab from Flat), once its frame was drawn
        assert len(grid.rows) == 3 and len(grid.query(GridRow)) == 1 + SPARE_POOL
        # once the keys rest, the used spares are replaced (that mount lays out once)
        grid.spare_idle = 0.05
        await pilot.press("tab", "tab", "tab", "tab")
        assert screen.focused is grid.cell(3, "item")
        await pilot.press("p")  # line 4 shown
        await wait_until(pilot, lambda: len(grid.query(GridRow)) == 4 + SPARE_POOL)
        assert [r.number for r in grid.rows] == [1, 2, 3, 4]
        assert all(r.spare for r in list(grid.query(GridRow))[4:])


async def test_spare_rows_are_drawn_empty_and_out_of_the_focus_chain():
    from shopterm.widgets.item_grid import SPARE_POOL, GridRow

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: len(grid.query(GridRow)) == 1 + SPARE_POOL)
        rows = list(grid.query(GridRow))
        assert len(grid.rows) == 1
        spares = rows[1:]
        assert all(r.spare and r.cell("sno").text == "" for r in spares)
        assert all(c.styles.background.a == 0 for r in spares for c in r.editable_cells())  # drawn empty
        chain = screen.focus_chain
        assert not any(grid.row_of(w) in spares for w in chain)
        screen.set_focus(screen.query_one("#after"))
        await pilot.press("shift+tab")  # back into the grid: the last cell of the shown row
        assert screen.focused is grid.cell(1, "flat_discount")
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert screen.focused is grid.cell(1, "item")
        await pilot.press(*"B")  # typing in the last row numbers the next row (a spare taken)
        await wait_until(pilot, lambda: len(grid.rows) == 2)
        assert grid.rows[1] is spares[0] and not spares[0].spare and spares[0].cell("sno").text == "2"
        assert all(c.styles.background.a > 0 for c in spares[0].editable_cells())  # drawn as a row


async def test_a_burst_of_more_lines_than_spare_rows_mounts_rows_as_it_goes():
    from textual import events

    from shopterm.widgets.item_grid import SPARE_ROWS, GridRow

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        grid.spare_pool = SPARE_ROWS  # no more spares than composed: the fallback mounts
        grid.spare_idle = 3600
        await grid.clear()
        grid.focus_cell(1, "item")
        await wait_until(pilot, lambda: len(grid.query(GridRow)) == 1 + SPARE_ROWS)
        burst = "".join(f"{code}\r{n}\t\t\t\t" for n, code in enumerate(
            ("PARA500", "BAND01", "PARA1000", "BAND01", "PARA500", "BAND01"), start=1))
        for ch in burst:
            key = {"\r": ("enter", "\r"), "\t": ("tab", "\t")}.get(ch) or (ch.lower() if ch.isalpha() else ch, ch)
            app.post_message(events.Key(*key))
        await wait_until(pilot, lambda: len(grid.draft_lines()) == 6 and all(ln.defaults for ln in grid.lines[:6])
                         and screen.totals is not None and screen.totals.total_qty == D("21"))
        assert [(ln.item, ln.qty) for ln in grid.draft_lines()] == [
            ("PARA500", "1"), ("BAND01", "2"), ("PARA1000", "3"), ("BAND01", "4"), ("PARA500", "5"), ("BAND01", "6")]
        assert screen.focused is grid.cell(7, "item")
        assert [r.number for r in grid.rows] == [1, 2, 3, 4, 5, 6, 7]


async def test_rows_past_the_bottom_scroll_into_view_at_once_and_up_down_move_rows():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        box = grid.query_one("#grid-rows")
        box.styles.height = 3  # three rows shown
        await pilot.pause()
        for n, code in enumerate(("PARA500", "BAND01", "PARA1000", "BAND01", "PARA500"), start=1):
            await pilot.press(*code, "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab", "tab")
            assert screen.focused is grid.cell(n + 1, "item")
            # the new row is shown with the (blank) row after it at the bottom: scrolled by
            # the least, with no animation
            assert box.scroll_y == max(0, n + 2 - 3)
            assert not app.animator.is_being_animated(box, "scroll_y")
        await pilot.press("up")  # ↑/↓ move between rows even when the rows scroll
        assert screen.focused is grid.cell(5, "item") and box.scroll_y == 4
        await pilot.press("up", "up", "up")
        assert screen.focused is grid.cell(2, "item") and box.scroll_y == 1
        await pilot.press("down")
        assert screen.focused is grid.cell(3, "item") and box.scroll_y == 1
        await pilot.press("down")  # row 4 and row 5 after it: one line down
        assert screen.focused is grid.cell(4, "item") and box.scroll_y == 2
        await pilot.press("up")
        await pilot.press("enter")  # a resolved item: Enter goes to its Qty
        assert screen.focused is grid.cell(3, "qty") and box.scroll_y == 2


async def test_a_known_code_is_read_while_typed_and_filled_by_its_enter_without_a_search():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        searched: list[str] = []
        read: list[str] = []
        grid.item_search = lambda q: searched.append(q) or search(q)
        grid.line_defaults = lambda code: read.append(code) or defaults(code)
        grid.enter_ends_line = True  # the invoice's counter flow: a scan ends its line
        grid.item_codes = lambda: {"PARA500": "PARA500", "PARA1000": "PARA1000", "BAND01": "BAND01",
                                   "4006381333931": "BAND01"}
        grid.load_item_codes()  # once per screen (the invoice's: services.item_codes)
        await wait_until(pilot, lambda: grid.item_code("band01") == "BAND01")
        assert grid.item_code("3*band01") == "BAND01" and grid.item_code("4006381333931") == "BAND01"
        assert grid.item_code("band") is None  # part of a code: the search decides

        await pilot.press(*"band01")  # a known code: its defaults are read before Enter
        await wait_until(pilot, lambda: read == ["BAND01"])
        await pilot.press("enter", "4")
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "5.00")
        assert cell_values(grid, 1)["price"] == "1.25" and cell_values(grid, 1)["batch"] == "D001"
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.press(*"BAND01", "enter", "2")  # the same item again: no second read
        await wait_until(pilot, lambda: grid.cell(2, "line_net").text == "2.50")
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.press(*"4006381333931", "enter")  # a scan: the line of the barcode's item
        await wait_until(pilot, lambda: grid.lines[2].defaults is not None)
        assert grid.lines[2].item == "BAND01"
        await pilot.press(*"para", "enter")  # not a code: searched, two matches → the list
        await wait_until(pilot, lambda: isinstance(app.screen, LookupDialog))
        assert set(searched) == {"para"} and read == ["BAND01"]


async def test_enter_on_a_code_read_ahead_fills_the_line_in_its_own_turn():
    """The fill and the focus move happen in the Enter's own handler (one frame), not
    when the item cell's blur arrives a message later; the host's on_change recomputes
    the totals in that same turn."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        changed: list[int] = []
        grid.on_change = lambda line: changed.append(line) or screen.on_item_grid_lines_changed(
            ItemGrid.LinesChanged(grid, line))
        grid.item_codes = lambda: {"PARA500": "PARA500", "BAND01": "BAND01"}
        grid.load_item_codes()
        await wait_until(pilot, lambda: grid.item_code("band01") == "BAND01")
        await pilot.press(*"band01")
        await wait_until(pilot, lambda: getattr(grid._defaults.get("BAND01"), "item", None) == "BAND01")
        screen.action_form_enter()  # no await: nothing else runs in between
        assert screen.focused is grid.cell(1, "qty")
        assert grid.lines[0].item == "BAND01" and cell_values(grid, 1)["price"] == "1.25"
        assert changed == [1] and screen.totals is not None


async def test_rows_past_the_bottom_turn_a_page():
    """With more than three rows shown, a row past the bottom scrolls the rows by a page:
    the focused row second from the top (the line before it still shown), so the rows
    scroll once every few lines instead of on every line."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        box = grid.query_one("#grid-rows")
        box.styles.height = 6  # six rows shown
        grid.spare_idle = 3600  # no spare row replaced while these keys come: a pool for 9 lines and a page
        grid.spare_pool = 14
        grid._replenish_spares()
        await wait_grid_at_rest(pilot, grid)
        scrolls = []
        for n in range(1, 10):
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab", "tab")
            assert screen.focused is grid.cell(n + 1, "item")
            scrolls.append(box.scroll_y)
        # rows 1–6 shown until row 6 needs the row after it: then rows 5–10 (row 6 second)
        assert scrolls == [0, 0, 0, 0, 4, 4, 4, 4, 8]
        await pilot.press("up")  # back above the top: by the least
        await pilot.press("up", "up", "up", "up", "up")
        assert screen.focused is grid.cell(4, "item") and box.scroll_y == 3


async def test_defaults_read_ahead_follow_a_header_change_and_a_new_document():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        read: list[tuple[str, str]] = []

        def loader(tag: str):
            return lambda code: read.append((tag, code)) or defaults(code)

        grid.line_defaults = loader("retail")
        grid.item_codes = lambda: {"PARA500": "PARA500", "BAND01": "BAND01"}
        grid.load_item_codes()
        await wait_until(pilot, lambda: grid.item_code("para500") == "PARA500")
        await pilot.press(*"para500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        grid.line_defaults = loader("wholesale")  # the header changed (the host reloads the lines)
        grid.reload_defaults()
        await wait_until(pilot, lambda: ("wholesale", "PARA500") in read)
        await pilot.press("tab", "tab", "tab", "tab")
        assert screen.focused is grid.cell(2, "item")
        await pilot.press(*"PARA500", "enter")  # read again for the new header, not taken from before
        await wait_until(pilot, lambda: grid.lines[1].defaults is not None)
        assert read.count(("wholesale", "PARA500")) == 2 and read.count(("retail", "PARA500")) == 1
        await grid.clear()  # a new document: stock is read afresh
        grid.focus_cell(1, "item")
        await pilot.press(*"PARA500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        assert read.count(("wholesale", "PARA500")) == 3


def shown_rows(grid: ItemGrid) -> list[tuple[str, str, str]]:
    """(#, Item, Net) of the rows on screen, top to bottom, as drawn."""
    box = grid.query_one("#grid-rows")
    area = box.scrollable_content_region
    out = []
    for row in box.children:  # the rows, then the blank spares drawn after them
        if area.contains_region(row.region):
            out.append((row.cells["sno"].text, row.cells["item"].value, row.cells["line_net"].text))
    return out


async def test_the_row_draws_its_number_and_figures_under_its_typed_cells():
    """The read-only columns (number, Net) are the row's own line, not widgets: the row's
    children are its typed cells; the number at the left of its column, the Net to the right
    of its own (PARA500 2.50 × 10 = 25.00), repainted in place when the figure changes."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"para500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        await pilot.press(*"10")
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "25.00")
        await pilot.pause()
        row = grid.rows[0]
        assert list(row.children) == row.widgets() == [row.cell(k) for k in grid.editable_keys]
        line = row.render_line(0).text
        assert line[:4] == "1   " and line[66:77] == "      25.00" and line[77:].strip() == ""
        await pilot.press("backspace")  # qty 1: 2.50
        await wait_until(pilot, lambda: grid.cell(1, "line_net").text == "2.50")
        await pilot.pause()
        assert row.render_line(0).text[66:77] == "       2.50"
        spare = grid._spares[0]
        assert spare.render_line(0).text.strip() == ""  # a spare row: no number, no figures


async def test_twenty_six_lines_turn_pages_down_and_up_with_their_numbers_and_totals():
    """26 lines, 7 rows shown (as the invoice shows at 80×24): each page turn shows the new
    row second from the top under the line before it; ↑ back to line 1 turns the pages back. Numbers, items, nets and totals as typed (BAND01 1.25, tax 0: line n is n × 1.25;
    qty 1 + … + 26 = 351, net 351 × 1.25 = 438.75)."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        box = grid.query_one("#grid-rows")
        box.styles.height = 7
        grid.spare_idle = 3600  # the keys never rest: the pool (SPARE_POOL) is kept by the top-ups after each line
        # the new height is laid out at a coming refresh, the spare rows mounted and drawn while the
        # keys rest (one pause was not always enough under load: the rows still 17 high)
        await wait_grid_at_rest(pilot, grid)
        await wait_until(pilot, lambda: box.scrollable_content_region.height == 7)
        height = box.scrollable_content_region.height
        turns = []
        for n in range(1, 27):
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press(*str(n), "tab", "tab", "tab", "tab")
            assert screen.focused is grid.cell(n + 1, "item")
            shown = shown_rows(grid)
            assert len(shown) == height
            numbers = [int(s) for s, _item, _net in shown if s]
            assert str(n + 1) in [s for s, _i, _n in shown]  # the new row is on screen
            if int(shown[0][0]) > 1 and (not turns or turns[-1] != shown[0][0]):
                turns.append(shown[0][0])
                # a page turned: the new row second from the top under the line before it (at the
                # end of the spare rows, as far down as they go)
                assert numbers[numbers.index(n):numbers.index(n) + 2] == [n, n + 1] and numbers.index(n) <= 1
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        assert turns == ["6", "11", "16", "21", "26"]
        await wait_until(pilot, lambda: grid.cell(26, "line_net").text == "32.50")
        shown = shown_rows(grid)
        assert shown[0] == ("26", "BAND01", "32.50") and shown[1] == ("27", "", "")
        assert screen.totals.total_qty == D("351") and screen.totals.net == D("438.75")
        for n in range(26, 0, -1):  # ↑ to line 1: the pages turn back, by the least
            await pilot.press("up")
            assert screen.focused is grid.cell(n, "item")
            shown = shown_rows(grid)
            assert str(n) in [s for s, _i, _net in shown]
        shown = shown_rows(grid)
        assert [s for s, _i, _n in shown] == [str(i) for i in range(1, height + 1)]
        assert shown[:3] == [("1", "BAND01", "1.25"), ("2", "BAND01", "2.50"), ("3", "BAND01", "3.75")]
        assert [ln.qty for ln in grid.draft_lines()] == [str(n) for n in range(1, 27)]
