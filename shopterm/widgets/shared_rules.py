"""The stylesheet matched once for every grid row and cell that stands where another stood.

Textual matches its whole stylesheet against a widget whenever the widget mounts or its
classes or pseudo-classes change (``Stylesheet.apply``): every rule whose selector names the
widget is checked along the widget's path from the app. The item grid's cells do this on
every focus move (the cell left, the cell entered: ~30 % of an Enter's CPU) and each spare
row mounted after a line (its row and six cells with their parts: 32 matches, 12–29 ms).
Yet the cells of one column are alike on every row: the same types, classes and states
along the same path. Textual's own cache of the result is kept for one restyle only and
keyed by the parent widget (another row: another key).

:func:`install` keeps the rules matched for a widget that opts in (``SHARED_RULES = True``:
the grid's rows and cells) under its path's *description*: for each node from the app down,
its type, id, classes and the pseudo-class states Textual keys its own cache by (hover,
focus, disabled), with the app's own pseudo-classes (theme, focus, colour mode). A match
that used rules depending on the widget's place or descendants (``:first-child``, ``:odd``,
``:focus-within``, ``:empty``…: Textual's own cache leaves those out) is not kept. A new
parse of the stylesheet (a theme's variables, a CSS change) starts an empty cache. The rules
given are the same ones Textual would match (``tests/ui/test_shared_rules.py``).
"""

from __future__ import annotations

from types import MethodType
from typing import Any

from textual.widget import Widget

__all__ = ["install"]


def _key(node: Any) -> tuple | None:
    """The description of ``node``'s path (module docstring), or None when it does not share: a
    widget that opts in, or one of its parts (the nodes Textual makes to style a cursor, a
    placeholder...)."""
    if not getattr(node, "SHARED_RULES", False) and not getattr(node._parent, "SHARED_RULES", False):
        return None
    path = []
    for n in node.css_path_nodes:
        if isinstance(n, Widget):  # (what Textual keys its own cache by, and :can-focus)
            path.append((type(n), n._id, frozenset(n._classes), n._pseudo_classes_cache_key, n.allow_focus()))
        else:
            path.append((type(n), n._id, frozenset(n._classes)))
    return frozenset(node.app.pseudo_classes), tuple(path)


def install(app: Any) -> None:
    """Give the app's stylesheet the shared matches (above); a stylesheet Textual replaces later
    (a CSS file reloaded) matches as Textual's."""
    stylesheet = app.stylesheet
    if getattr(stylesheet, "_shared_rules", None) is not None:
        return
    base_apply, base_replace = stylesheet.apply, stylesheet.replace_rules
    shared: dict = {}
    stylesheet._shared_rules = shared
    state = {"rules": None, "node": None, "got": None}

    def replace_rules(self: Any, node: Any, rules: Any, animate: bool = False) -> None:
        if node is state["node"]:
            state["got"] = rules
        base_replace(node, rules, animate=animate)

    def apply(self: Any, node: Any, *, animate: bool = False, cache: dict | None = None) -> None:
        key = _key(node)
        if key is None:
            base_apply(node, animate=animate, cache=cache)
            return
        if state["rules"] is not self._rules:  # parsed again: what was matched may not hold
            shared.clear()
            state["rules"] = self._rules
        hit = shared.get(key)
        if hit is not None:
            rules, flags = hit
            (node._has_hover_style, node._has_focus_within, node._has_order_style,
             node._has_odd_or_even) = flags
            base_replace(node, rules, animate=animate)
            self._process_component_classes(node)
            return
        outer = state["node"], state["got"]
        state["node"], state["got"] = node, None
        try:
            base_apply(node, animate=animate, cache=cache)
            got = state["got"]
        finally:
            state["node"], state["got"] = outer
        flags = (node._has_hover_style, node._has_focus_within, node._has_order_style, node._has_odd_or_even)
        if got is not None and not any(flags[1:]):
            shared[key] = (got, flags)

    stylesheet.replace_rules = MethodType(replace_rules, stylesheet)
    stylesheet.apply = MethodType(apply, stylesheet)
