"""Every frame of a shop screen renders only the widgets under what changed, and is the
same as the frame Textual's own compositor makes (widgets/compositor.py)."""

from __future__ import annotations

from textual._compositor import Compositor

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


def _look(cell) -> tuple:
    parts = {name: styles.css for name, styles in sorted(cell._component_styles.items())}
    return cell.styles.css, parts


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
        looks = [_look(item), _look(qty)]
        assert looks[0][0] != looks[1][0]  # focused and not: two looks
        assert looks[1][1]  # the parts are styled
        app.stylesheet.update_nodes([item, qty])  # Textual's full restyle, parts included
        assert [_look(item), _look(qty)] == looks
