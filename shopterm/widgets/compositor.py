"""A frame renders only the widgets under what changed.

Textual's partial update (``Compositor.render_partial_update``) crops the frame
to the box around *every* region that changed, then renders each visible widget
whose container overlaps that box: every cell of every row shown in the item
grid for a one-character change, and the whole screen between a grid cell and
the footer when both changed in one frame (33 widgets for a character in the
item cell, 60–110 for a Qty digit or an Enter; ~0.1 ms each, cached lines or
not). Only the widgets that overlap a changed line span can show in the frame:
:class:`ChangedOnlyCompositor` hands Textual just those, so a frame costs what
changed, not what is on screen. The output is the same bytes.

Built on Textual's private compositor (``_get_renders`` reads
``visible_widgets``): if a Textual release changes it, :func:`install` leaves the
screen's own compositor in place (``tests/ui/test_compositor.py`` checks that the
frames are the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.color import Color
from textual.geometry import Region
from textual.widget import Widget

try:  # Textual's private compositor (see the module docstring)
    from textual._compositor import Compositor
except ImportError:  # pragma: no cover - another Textual
    Compositor = None  # type: ignore[assignment,misc]

__all__ = ["install"]

_RENDER_LINES = Widget.render_lines
_CLEAR = Color(0, 0, 0, 0)


def _supported() -> bool:
    return Compositor is not None and all(
        hasattr(Compositor, name) for name in ("render_partial_update", "_get_renders", "visible_widgets",
                                               "update_widgets", "reflow_visible")) and _lines_cached()


def _lines_cached() -> bool:
    """Textual keeps a widget's drawn lines in ``Widget._styles_cache`` (a StylesCache: ``_cache``,
    ``_dirty_lines``, ``_width``), which :func:`_cached_lines` reads."""
    from textual._styles_cache import StylesCache

    probe = StylesCache()
    return all(hasattr(probe, name) for name in ("_cache", "_dirty_lines", "_width", "render_widget"))


if _supported():

    class ChangedOnlyCompositor(Compositor):  # type: ignore[valid-type,misc]
        """``render_partial_update`` renders only the widgets over the changed spans."""

        _changed: list | None = None

        def reflow_visible(self, parent: Any, size: Any) -> Any:
            """A scroll: Textual compares the new places of the visible widgets with the map of
            the last scroll, and right after a layout (no such map yet) with nothing, so the
            first scroll after each layout repaints the whole screen (6 KB; ~40 ms for the item
            grid's page turn). The map the layout just made is what the screen shows: compared
            with it, only what moved (the rows, the scrollbar) is repainted."""
            if self._visible_map is None and self._full_map and self.size == size:
                self._visible_map = self._full_map
            return super().reflow_visible(parent, size)

        def reflow(self, parent: Any, size: Any) -> Any:
            """A layout: Textual arranges every widget (the full map), but leaves the full map
            marked out of date when a scroll had marked it so before. The next widget that asks
            for its place or size (the scrollbar, as soon as the rows scroll) then has the whole
            screen arranged a second time (~500 widgets with the item grid's spare rows: 5–10 ms
            in the page turn that follows each layout). The map just made is the full map."""
            shown = self._visible_map if self._visible_map is not None else self._full_map
            before = set(self._dirty_regions)
            same_size = self.size == size and bool(shown)
            result = super().reflow(parent, size)
            self._full_map_invalidated = False
            if same_size and size.region not in before:
                # Textual marks dirty every widget whose place *record* changed: a scroll container
                # whose content grew (a spare row mounted below the rows shown: every row repainted),
                # and every widget shown after a scroll (the last layout's map predates it). What
                # the screen shows is compared instead (a widget whose content changed repaints itself)
                self._dirty_regions = before | _shown_differently(shown, self._full_map)
            return result

        def update_widgets(self, widgets: Any) -> None:
            """Widgets to repaint: Textual takes any not shown for new ones and marks its map of
            every widget out of date, so the next widget that asks for its place has the whole
            screen arranged again (~5 ms with the invoice). A widget already in that map (laid out,
            below the rows shown: a spare row mounted, drawn ahead) has not moved by a repaint."""
            current = not self._full_map_invalidated and widgets <= self._full_map.keys()
            super().update_widgets(widgets)
            if current:
                self._full_map_invalidated = False

        def render_partial_update(self) -> Any:
            self._changed = list(self._dirty_regions)
            try:
                return super().render_partial_update()
            finally:
                self._changed = None

        def _get_renders(self, crop: Any = None) -> Iterable[Any]:
            changed = self._changed
            if crop is None or not changed:
                yield from super()._get_renders(crop)
                return
            lines: dict[int, list[tuple[int, int]]] = {}
            for x, y, width, height in changed:
                for line in range(y, y + height):
                    lines.setdefault(line, []).append((x, x + width))
            every = self.visible_widgets
            under: dict = {}
            for widget, (region, clip) in every.items():  # in render order: kept
                x, y, width, height = region.intersection(clip)
                end, bottom = x + width, y + height
                for line, spans in lines.items():
                    if y <= line < bottom and any(a < end and x < b for a, b in spans):
                        under[widget] = (region, clip)
                        break
            self._visible_widgets = under
            try:
                yield from self._renders(crop)
            finally:
                self._visible_widgets = every

        def _renders(self, crop: Any) -> Iterable[Any]:
            """Textual's ``_get_renders`` (each widget's lines over the crop, in render order), but a
            widget whose lines are all drawn already hands them over as they are (:func:`_cached_lines`)
            instead of through ``Widget.render_lines``: that walks the widget's ancestors for its
            background colours and reads its styles on every call, drawn lines or not (~0.15 ms a
            widget: 8–10 ms of a page turn, which moves every row shown)."""
            overlaps, contains, intersection = crop.overlaps, Region.contains_region, Region.intersection
            filters: Any = None
            colors: dict = {}
            for widget, (region, clip) in list(self.visible_widgets.items()):
                if not overlaps(clip):
                    continue
                if contains(clip, region):
                    part = Region(0, 0, region.width, region.height)
                else:
                    x, y, width, height = intersection(region, clip)
                    if not (width and height):
                        continue
                    part = Region(x - region.x, y - region.y, width, height)
                strips = None
                if type(widget).render_lines is _RENDER_LINES and not widget.BLANK:
                    if filters is None:
                        filters = widget.app.get_line_filters()
                    strips = _cached_lines(widget, region.width, part, filters, colors)
                yield region, clip, widget.render_lines(part) if strips is None else strips


def _cached_lines(widget: Any, width: int, crop: Region, filters: Any, colors: dict) -> list | None:
    """The lines ``Widget.render_lines(crop)`` returns when every line of ``crop`` is drawn and none is
    marked for redrawing (Textual then takes each from the widget's StylesCache as it is, whatever
    its background, and passes it through the app's line filters); None when it has to draw.

    Same lines: the cached ones, each through the same filters with the same background (Textual's
    ``background_colors``, worked down from the app once per frame for the widgets' shared ancestors),
    cropped to the same columns; no links hovered."""
    cache = widget._styles_cache
    if cache._width != width:
        return None
    drawn, dirty = cache._cache, cache._dirty_lines
    strips = []
    for y in crop.line_range:
        strip = drawn.get(y)
        if strip is None or y in dirty:
            return None
        strips.append(strip)
    if widget.auto_links and widget.hover_style._link_id:
        return None
    if filters:
        background = _background(widget, colors)
        for line_filter in filters:
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
    x1, x2 = crop.column_span
    if (x1, x2) != (0, width):
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips


def _background(node: Any, colors: dict) -> Any:
    """``node.background_colors[1]``: the same sums in the same order from the app down, each
    ancestor's (opacity, background) kept in ``colors`` for its other descendants in the frame."""
    chain = []
    while node is not None and node not in colors:
        chain.append(node)
        node = node._parent
    opacity, background = colors[node] if node is not None else (1.0, _CLEAR)
    for node in reversed(chain):
        styles = node.styles
        opacity *= styles.opacity
        background += styles.background.tint(styles.background_tint).multiply_alpha(opacity)
        colors[node] = (opacity, background)
    return background


def _shown_differently(before: Any, after: Any) -> set:
    """The screen regions whose widgets show differently between two compositor maps: a widget
    shown, hidden, moved or resized (its part on screen, both where it was and where it is)."""
    dirty = set()
    for widget in before.keys() | after.keys():
        old, new = before.get(widget), after.get(widget)
        if old is not None and new is not None and old.region == new.region and old.clip == new.clip:
            continue
        for geometry in (old, new):
            if geometry is not None:
                part = geometry.clip.intersection(geometry.region)
                if part:
                    dirty.add(part)
    return dirty


def install(screen: Any) -> None:
    """Give a screen that has not been shown yet the compositor above (when this Textual has one)."""
    if _supported() and type(screen._compositor) is Compositor:
        screen._compositor = ChangedOnlyCompositor()
