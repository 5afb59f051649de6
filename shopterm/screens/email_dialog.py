"""The Email dialog: a posted invoice (Sales Invoice, Provisional Invoice) or a customer's
statement (Customer Ledger) sent as its A4 PDF through Shop Setup's mail server.

::

    ┌ Email · 261101SI000001 ────────────────────────────────┐
    │ The A4 PDF is sent through the Shop Setup's mail server.│
    │ To*           achats@fleuve.example                     │
    │ (message bar)                                           │
    └──────────────────────────── Enter send · Esc cancel ───┘

The address starts as the customer's email; Enter sends (in a worker) and closes with the
service's ``Sent``; a failure stays in the dialog with its reason (nothing was sent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from shopterm.core.i18n import N_, _
from shopterm.screens.ledgers.matching import _ServiceDialog
from shopterm.widgets.messages import MessageBar


class EmailDialog(_ServiceDialog):
    """Result: the service's ``Sent`` (None on Esc)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("enter,ctrl+s", "submit", N_("Send"), id="dialog.submit", priority=True),
    ]

    def __init__(self, title: str, to: str, send: Callable[[str], Any], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.to = to or ""
        self._send = send
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="lg-dialog") as box:
            box.border_title = (_("Email") + " · " + self.title_text)[:60]
            box.border_subtitle = _("Enter send · Esc cancel")
            yield Static(self.note or _("The A4 PDF is sent through the Shop Setup's mail server."),
                         classes="lg-dialog-body", markup=False)
            with Horizontal(classes="lg-dialog-row"):
                yield Label(_("To*"), classes="lg-dialog-label")
                field = Input(self.to, id="email-to", placeholder="name@example.com", max_length=120,
                              classes="lg-dialog-input")
                field.field_name = "to"  # type: ignore[attr-defined] - an error naming "to" focuses it
                yield field
            yield MessageBar(classes="lg-dialog-message")

    def on_mount(self) -> None:
        self.query_one("#email-to", Input).focus()
        if not self.to:
            self.message_bar.show_warning(_("The customer has no email on file: type the address"))

    def _submit(self) -> None:
        to = self.query_one("#email-to", Input).value.strip()
        if not to:
            self.message_bar.show_error(_("To: type the address to send to"))
            return
        self.message_bar.show_info(_("Sending…"))
        self.run_post(lambda: self._send(to))
