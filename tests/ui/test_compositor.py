"""Every frame of a shop screen renders only the widgets under what changed, and is the
same as the frame Textual's own compositor makes (widgets/compositor.py)."""

from __future__ import annotations

from decimal import Decimal as D

from textual._compositor import Compositor
from textual.screen import Screen

from shopterm.widgets import compositor
from shopterm.widgets.item_grid import ItemGrid
from tests.ui.test_item_grid import SIZE, Host
from tests.ui.waiting import wait_until


async def test_each_frame_is_textuals_frame_with_fewer_widgets_rendered(monkeypatch):
    frames: list[tuple[str | None, str | None]] = []
    rendered = {"ours": 0, "textual": 0}
    mine = compositor.ChangedOnlyCompositor

    def counting(self, crop=None):
        key = "textual" if self._changed is None else "ours"
        for render in mine._get_renders_counted(self, crop):
            rendered[key] += 1
            yield render

    def checked(self):
        changed = set(self._dirty_regions)
        ours = mine._render_partial_checked(self)
        self._dirty_regions.update(changed)
        textual = Compositor.render_partial_update(self)  # the same changes, every widget in the box
        console = app.console
        frames.append((ours and ours.render_segments(console), textual and textual.render_segments(console)))
        return ours

    cached_lines = compositor._cached_lines
    handed_over = []

    def counting_cached(widget, *args):
        lines = cached_lines(widget, *args)
        if lines is not None:
            handed_over.append(widget)
        return lines

    monkeypatch.setattr(compositor, "_cached_lines", counting_cached)
    monkeypatch.setattr(mine, "_get_renders_counted", mine._get_renders, raising=False)
    monkeypatch.setattr(mine, "_render_partial_checked", mine.render_partial_update, raising=False)
    monkeypatch.setattr(mine, "_get_renders", counting)
    monkeypatch.setattr(mine, "render_partial_update", checked)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert type(screen._compositor) is mine
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"para500", "enter")
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        await pilot.press(*"12", "enter", "enter", "enter", "enter")  # Qty, Price, Disc %, Flat: the next row
        await wait_until(pilot, lambda: screen.focused is grid.cell(2, "item"))
        await pilot.press(*"band01", "enter")
        await wait_until(pilot, lambda: grid.lines[1].defaults is not None)
        await pilot.press("3", "up", "down")
        await wait_until(pilot, lambda: screen.focused is grid.cell(2, "qty") and grid.cell(2, "qty").value == "3")
        await pilot.pause()

    assert len(frames) >= 10
    assert all(ours == textual for ours, textual in frames)
    assert rendered["ours"] < rendered["textual"] / 2
    # most widgets of a frame hand over the lines they drew before (Textual draws each frame itself:
    # the same bytes, through its line filters, with each widget's background)
    assert len(handed_over) > rendered["ours"] / 2
    assert app.get_line_filters()  # (the truecolor filter: the background path is taken)


async def test_the_background_worked_down_from_the_app_is_textuals_for_every_widget():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"para500", "enter")
        grid = app.screen.query_one(ItemGrid)
        await wait_until(pilot, lambda: grid.lines[0].defaults is not None)
        colors: dict = {}
        widgets = list(app.screen.walk_children(with_self=True))
        assert len(widgets) > 50
        for widget in widgets:  # (shared ancestors worked once, kept in colors)
            assert compositor._background(widget, colors) == widget.background_colors[1], widget


def look_of(widget) -> tuple:
    """A widget's look: its styles and its parts' (cursor, selection…), as CSS text."""
    parts = {name: styles.css for name, styles in sorted(widget._component_styles.items())}
    return widget.styles.css, parts


async def test_a_cell_restyled_for_the_focus_looks_as_a_full_restyle_would_make_it():
    """A grid cell's focus restyle skips its parts (cursor, selection…): the same look."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        grid = screen.query_one(ItemGrid)
        await pilot.press(*"para500", "enter")
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "qty") and grid.lines[0].defaults is not None)
        await pilot.pause()
        item, qty = grid.cell(1, "item"), grid.cell(1, "qty")
        looks = [look_of(item), look_of(qty)]
        assert looks[0][0] != looks[1][0]  # focused and not: two looks
        assert looks[1][1]  # the parts are styled
        app.stylesheet.update_nodes([item, qty])  # Textual's full restyle, parts included
        assert [look_of(item), look_of(qty)] == looks


def _grid_rows(app, height: int, spare_idle: float):
    """The screen, its grid and the grid's rows box, the rows box ``height`` lines high."""
    screen = app.screen
    grid = screen.query_one(ItemGrid)
    box = grid.query_one("#grid-rows")
    box.styles.height = height
    grid.spare_idle = spare_idle  # seconds of rest before the used spare rows are replaced
    if spare_idle > 60:  # keys that never rest: as many spares as the lines these tests type
        grid.spare_pool = 30
        grid._replenish_spares()
    return screen, grid, box


def _record_frames(monkeypatch) -> list:
    """The frames the app writes from now on (Textual's ``App._display``, not while frames are held)."""
    from textual.app import App

    frames: list = []
    original = App._display

    def display(self, screen, renderable):
        if renderable is not None and not self._batch_count:
            frames.append(renderable)
        return original(self, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    return frames


class _Terminal:
    """The cells a terminal shows after the frames the app wrote (text and style per cell)."""

    def __init__(self, console, width: int, height: int) -> None:
        self.console, self.width = console, width
        self.cells = [[None] * width for _ in range(height)]

    def write(self, update) -> None:
        from rich.segment import ControlType

        x = y = 0
        for segment in update.__rich_console__(self.console, self.console.options):
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = control[1], control[2]
                continue
            if segment.text == "\n":
                continue
            for char in segment.text:
                if 0 <= x < self.width:
                    self.cells[y][x] = (char, segment.style)
                x += 1


def _replayed(app, frames: list) -> list:
    """The cells a terminal shows after ``frames``."""
    shown = _Terminal(app.console, *SIZE)
    for frame in frames:
        shown.write(frame)
    return shown.cells


def _repainted(app, screen) -> list:
    """The cells a terminal shows after a full repaint of ``screen``."""
    full = _Terminal(app.console, *SIZE)
    full.write(screen._compositor.render_full_update())
    return full.cells


async def test_a_page_turn_after_a_layout_repaints_the_rows_only_and_the_screen_is_right(monkeypatch):
    """The first scroll after a layout used to repaint the whole screen (Textual compares the
    places with no map); it now repaints what moved. Every frame the app writes, replayed on a
    terminal, gives exactly the screen a full repaint gives; the page turn draws no cell of the
    spare rows it shows for the first time (drawn ahead while the keys rested)."""
    frames = _record_frames(monkeypatch)
    from textual._styles_cache import StylesCache

    drawn: list = []  # widgets whose lines were drawn anew (not all in their line cache)
    render_widget = StylesCache.render_widget

    def drawing(self, widget, crop):
        if any(y not in self._cache or y in self._dirty_lines for y in crop.line_range):
            drawn.append(widget)
        return render_widget(self, widget, crop)

    monkeypatch.setattr(StylesCache, "render_widget", drawing)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen, grid, box = _grid_rows(app, 5, 0.05)
        await pilot.pause()
        for n in range(1, 5):
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab")
            await wait_until(pilot, lambda: screen.focused is grid.cell(n, "flat_discount"))
            if n < 4:
                await pilot.press("tab")
        # the keys rest: the used spares are replaced (a layout) and the spares drawn ahead
        await wait_until(pilot, lambda: len(grid._spares) == grid.spare_pool
                         and all(r.drawn_ahead for r in grid._spares))
        await pilot.pause()
        assert box.scroll_y == 0
        spares = {w for row in grid._spares[1:] for w in (row, *row.cells.values())}  # (the first becomes line 6)
        before, drawn[:] = len(frames), []
        await pilot.press("tab")  # line 5, past the bottom: the page turns (line 5 second from the top)
        await wait_until(pilot, lambda: screen.focused is grid.cell(5, "item") and box.scroll_y == 3)
        await pilot.pause()
        turn = frames[before:]
        assert turn and not any(type(f).__name__ == "LayoutUpdate" for f in turn)  # no full repaint
        assert not [cell for cell in drawn if cell in spares]  # the rows shown anew come from the cache
        await pilot.press("up", "up", "up", "down")  # and back up: scrolls by the least
        await pilot.pause()

        assert _replayed(app, frames) == _repainted(app, screen)
        assert any(type(f).__name__ == "LayoutUpdate" for f in frames)  # the first frame, at least


async def test_page_turns_arrange_only_the_rows_shown_and_the_scrollbar_follows(monkeypatch):
    """A page turn places only the widgets shown (Textual's scroll), never the whole screen with
    every row and spare row again: not while the scrollbar is still hidden (moving a scrollbar
    that is not drawn asked the compositor for a place only the whole screen's map has), and not
    on the first turn after a layout (the layout's map was left marked out of date). The
    scrollbar, shown once the rows overflow, stands where the rows are."""
    whole: list[bool] = []  # arrangements of the whole screen while lines are typed (in a layout?)
    counting, laying_out = [False], [False]
    arrange = Compositor._arrange_root

    def counted(self, root, size, visible_only=True):
        if not visible_only and counting[0]:
            whole.append(laying_out[0])
        return arrange(self, root, size, visible_only)

    monkeypatch.setattr(Compositor, "_arrange_root", counted)
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen, grid, box = _grid_rows(app, 5, 3600)  # no layout between the lines (the keys never rest)
        # nor a used spare replaced after each line (a mount: test_a_used_spare_row_...); a pool of 30
        monkeypatch.setattr(grid, "_top_up", lambda: None)
        await wait_until(pilot, lambda: len(grid._spares) == grid.spare_pool
                         and all(r.drawn_ahead for r in grid._spares))
        await pilot.pause()

        async def line(n: int) -> int:
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab", "tab")  # Price, Disc %, Flat, the next row
            await wait_until(pilot, lambda: screen.focused is grid.cell(n + 1, "item")
                             and grid.cell(n, "line_net").text == "1.25")
            await pilot.pause()
            return round(box.scroll_y)

        counting[0] = True
        tops = [await line(n) for n in range(1, 11)]
        counting[0] = False
        assert tops == [0, 0, 0, 3, 3, 3, 6, 6, 6, 9]  # four page turns, the scrollbar hidden
        assert box.styles.scrollbar_visibility == "hidden"
        assert whole == []
        layouts: list[int] = []
        refresh_layout = Screen._refresh_layout

        def laid_out(self, size=None, scroll=False):
            layouts.append(scroll)
            laying_out[0] = True
            try:
                return refresh_layout(self, size, scroll)
            finally:
                laying_out[0] = False

        monkeypatch.setattr(Screen, "_refresh_layout", laid_out)
        counting[0] = True
        grid._replenish_spares()  # what the rest's timer does: spares mounted, the scrollbar shown
        await wait_until(pilot, lambda: box.styles.scrollbar_visibility == "visible"
                         and all(r.drawn_ahead for r in grid._spares))
        await pilot.pause()
        counting[0] = False
        # each layout arranges the screen once (Textual arranged it a second time right after,
        # the full map left marked out of date by the last scroll), and nothing between them: a
        # spare row's cells mounting do not repaint the row (Textual's repaint asked for the place
        # of a row below those shown, in no map after the turns: the whole screen arranged)
        assert layouts and not any(layouts) and whole.count(True) == len(layouts)
        assert False not in whole
        whole.clear()
        assert box.vertical_scrollbar.position == box.scroll_y == 9
        counting[0] = True
        tops = [await line(n) for n in range(11, 14)]  # line 14: the first turn after the layout
        counting[0] = False
        assert tops == [9, 9, 12]
        assert whole == []
        assert box.vertical_scrollbar.position == box.scroll_y == 12
        assert screen.totals.total_qty == D("13") and screen.totals.net == D("16.25")


async def test_a_used_spare_row_is_replaced_after_the_lines_frame_writes_nothing_and_the_screen_is_right(
        monkeypatch):
    """The grid keeps a small pool of spare rows (SPARE_POOL) and replaces the one a line used right
    after the frame of the key that ended the line (``ItemGrid._top_up``: the frames are no longer
    held, the focus is in the new row and that frame is written). That mount lays the screen out but
    changes nothing shown (the rows below those shown; the scrollbar measures the lines, not the
    spares): it writes no frame, before and after the rows scroll. Every frame written, replayed on
    a terminal, gives the screen a full repaint gives."""
    from shopterm.app import STYLESHEET
    from shopterm.widgets.item_grid import SPARE_POOL
    from tests.ui.waiting import wait_grid_at_rest

    frames = _record_frames(monkeypatch)

    class Styled(Host):  # the grid as the app draws it (its stylesheet: cells one line, no border)
        CSS_PATH = str(STYLESHEET)

    app = Styled()
    async with app.run_test(size=SIZE) as pilot:
        screen, grid, box = _grid_rows(app, 5, 50)  # the rest's timer: this test's call below
        grid.spare_pool = SPARE_POOL
        await wait_grid_at_rest(pilot, grid)
        starts: list = []
        top_up = grid._top_up
        layouts: list[bool] = []  # Screen._refresh_layout calls (True: a scroll's)
        refresh_layout = Screen._refresh_layout
        monkeypatch.setattr(Screen, "_refresh_layout", lambda self, size=None, scroll=False: (
            layouts.append(scroll), refresh_layout(self, size, scroll))[1])

        arranged: list[bool] = []  # arrangements of the whole screen
        arrange = Compositor._arrange_root
        monkeypatch.setattr(Compositor, "_arrange_root", lambda self, root, size, visible_only=True: (
            arranged.append(visible_only), arrange(self, root, size, visible_only))[1])

        def watched() -> None:
            starts.append((len(frames), app._batch_count, grid._holding, screen.focused, len(layouts),
                           len(arranged)))
            top_up()

        monkeypatch.setattr(grid, "_top_up", watched)
        quiet = []
        for n in range(1, 10):
            await pilot.press(*"BAND01", "enter")
            await wait_until(pilot, lambda: grid.lines[n - 1].defaults is not None)
            await pilot.press("1", "tab", "tab", "tab")
            await wait_until(pilot, lambda: screen.focused is grid.cell(n, "flat_discount")
                             and grid.cell(n, "line_net").text == "1.25")
            await wait_until(pilot, lambda: not (screen._dirty_widgets or screen._layout_required
                                                 or screen._repaint_required or screen._scroll_required))
            await pilot.pause()
            mark = len(frames)
            await pilot.press("tab")  # the line ends: the next row's item cell
            await wait_until(pilot, lambda: len(starts) == n)
            await wait_grid_at_rest(pilot, grid)
            await pilot.pause()
            written, held, holding, focused, laid, whole = starts[-1]
            assert written > mark and held == 0 and not holding  # after the line's frame, drawn
            assert layouts[laid:].count(False) == 1  # the row and its cells in one layout
            # that layout's arrangement only: the cells mounting do not repaint their spare row (its
            # repaint asked where a row below those shown is: after a turn, the whole screen arranged)
            assert arranged[whole:].count(False) == 1
            assert focused is grid.cell(n + 1, "item") and len(grid._spares) == SPARE_POOL
            quiet.append((round(box.scroll_y), len(frames) - written))
        assert [written for _top, written in quiet] == [0] * len(quiet)
        assert {top for top, _written in quiet} >= {0, 3, 6}  # before and after the rows scroll
        assert box.styles.scrollbar_visibility == "hidden"  # the keys did not rest
        grid._replenish_spares()  # what the rest's timer does: the scrollbar shown
        await wait_until(pilot, lambda: box.styles.scrollbar_visibility == "visible")
        await wait_grid_at_rest(pilot, grid)
        await pilot.pause()
        assert _replayed(app, frames) == _repainted(app, screen)
