"""The Merge dialog of the Customer screens (^B on a customer shown): type the duplicate code(s)
to merge into the customer shown; Enter merges (a manager's), Esc cancels.

::

    ┌ Merge into C0001 Kinshasa Pharma ──────────────────────┐
    │ Their documents, drafts, ledger, matches and loyalty    │
    │ move here; each duplicate becomes inactive, pointing    │
    │ to C0001.                                               │
    │ Duplicate(s)*  C0009 C0011                              │
    │ (message bar: the refusal and its reason)               │
    └────────────────────────────── Enter merge · Esc cancel ┘
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from shopterm.core.i18n import N_, _
from shopterm.screens.ledgers.matching import _ServiceDialog
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.messages import MessageBar


class MergeDialog(_ServiceDialog):
    """Result: the service's ``MergeResult`` (None on Esc)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("enter,ctrl+s", "submit", N_("Merge"), id="dialog.submit", priority=True),
    ]

    def __init__(self, code: str, name: str, merge: Callable[[list[str]], Any]) -> None:
        super().__init__()
        self.code, self.name_ = code, name
        self._merge = merge

    def compose(self) -> ComposeResult:
        title = _("Merge into {code} {name}").format(code=self.code, name=self.name_)
        with titled_box(title[:60], _("Enter merge · Esc cancel"), classes="lg-dialog"):
            yield Static(_("Their documents, drafts, ledger, matches and loyalty move here; each duplicate "
                           "becomes inactive, pointing to {code}.").format(code=self.code),
                         classes="lg-dialog-body", markup=False)
            field = Input(id="merge-codes", placeholder=_("codes, e.g. C0009 C0011"), max_length=200,
                          classes="lg-dialog-input")
            field.field_name = "duplicates"  # type: ignore[attr-defined]
            yield self.row(_("Duplicate(s)*"), field)
            yield MessageBar(classes="lg-dialog-message")

    def on_mount(self) -> None:
        self.query_one("#merge-codes", Input).focus()

    def _submit(self) -> None:
        codes = [c for c in self.query_one("#merge-codes", Input).value.replace(",", " ").split() if c]
        if not codes:
            self.message_bar.show_error(_("Duplicate(s): type the code of the customer to merge"))
            return
        self.run_post(lambda: self._merge(codes))
