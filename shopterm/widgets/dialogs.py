"""What the dialogs share: the titled frame, the row keys, and the pick-a-row list.

* :func:`titled_box` — the bordered frame of a dialog: its title on the top edge and its keys
  on the bottom one (``with titled_box(title, _("Enter pick · Esc cancel"), id="lookup-box"):``).
* :func:`row_keys` — ↓ ↑ PgDn PgUp as hidden bindings of one action (``move``, ``scroll``…).
* :class:`PickListDialog` — the lookup, document list and master list: a search answered by
  :class:`~shopterm.widgets.workers.Loaded` / :class:`~shopterm.widgets.workers.Failed`, the rows
  in an option list, the highlighted row, Esc closes with nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList

from shopterm.core.i18n import N_
from shopterm.widgets.workers import Failed, Loaded

__all__ = ["PickListDialog", "move_highlight", "pick_keys", "row_keys", "titled_box"]


def titled_box(title: str, keys: str, *, id: str | None = None, classes: str | None = None) -> Vertical:
    """A dialog's frame: ``title`` on its top border, ``keys`` (what the keys do) on the bottom one."""
    box = Vertical(id=id, classes=classes)
    box.border_title = title
    box.border_subtitle = keys
    return box


def row_keys(action: str, *, step: int = 10, page: str | None = None, priority: bool = False,
             named: bool = False) -> list[Binding]:
    """↓ ↑ as ``action(1)`` / ``action(-1)``; PgDn PgUp as ``action(±step)`` (or ``page(±1)``
    when the list pages itself). None shows in the footer; ``named`` gives ↓ ↑ their names."""
    down, up = (N_("Down"), N_("Up")) if named else ("", "")
    paging = f"{page}(1)" if page else f"{action}({step})"
    paging_back = f"{page}(-1)" if page else f"{action}(-{step})"
    return [
        Binding("down", f"{action}(1)", down, show=False, priority=priority),
        Binding("up", f"{action}(-1)", up, show=False, priority=priority),
        Binding("pagedown", paging, show=False, priority=priority),
        Binding("pageup", paging_back, show=False, priority=priority),
    ]


def pick_keys(scope: str, pick: str, *, close: str = N_("Cancel"), page: str | None = None,
              named: bool = True) -> list[Binding]:
    """The keys of a pick list: Esc ``close``, Enter ``pick`` (ids ``<scope>.cancel``, ``<scope>.pick``;
    Enter a priority, so the search box's keys go first), and ↓ ↑ PgDn PgUp (:func:`row_keys`)."""
    return [
        Binding("escape", "cancel", close, id=f"{scope}.cancel"),
        Binding("enter", "pick", pick, id=f"{scope}.pick", priority=True),
        *row_keys("move", page=page, priority=True, named=named),
    ]


def move_highlight(options: OptionList, count: int, delta: int) -> None:
    """Move the option list's highlight ``delta`` rows, staying within its ``count`` rows."""
    if count:
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(count - 1, current + delta))


class PickListDialog(ModalScreen[Any]):
    """A dialog that picks one of ``rows`` listed in the option list ``ROWS`` (a CSS selector)."""

    ROWS: ClassVar[str] = ""

    Loaded = Loaded  # the search's answer (widgets.workers)
    Failed = Failed

    rows: list[Any]

    @property
    def highlighted_row(self) -> Any:
        options = self.query_one(self.ROWS, OptionList)
        if options.highlighted is None or not self.rows:
            return None
        return self.rows[options.highlighted]

    def action_cancel(self) -> None:
        self.dismiss(None)
