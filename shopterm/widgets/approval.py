"""The manager-approval dialog (DESIGN §10).

``ApprovalDialog(action, reason)`` asks for a manager's name and PIN, checks
them with ``services.users.approve(name, pin, action)`` in a worker and
dismisses with an :class:`Approval` (or ``None`` on Esc). A refusal is shown
in the dialog, the PIN is cleared and the manager may try again.

The screen then passes ``approval.name`` / ``approval.pin`` to the service
call that needed it, which checks them again inside its own transaction and
records the approver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from shopterm.core.i18n import N_, _
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.inputs import FORM_BINDINGS, FormNavigation
from shopterm.widgets.messages import MessageBar, describe_error


@dataclass(frozen=True)
class Approval:
    """A manager's approval: who approved, and the PIN to pass to the service."""

    name: str
    pin: str = field(repr=False)
    action: str
    approver: Any = None  # the Actor returned by services.users.approve


class ApprovalDialog(FormNavigation, ModalScreen[Approval | None]):
    """Ask for a manager's name + PIN.

    Args:
        action: what is being approved, as the service names it
            (``"credit_limit"``, ``"shortage"``, ``"cancel"``…).
        reason: the sentence shown to the manager ("Credit limit of
            Kinshasa Pharma exceeded by 120.00 USD").
        approve: ``approve(name, pin, action) -> Actor``; defaults to
            ``app.services.users.approve``. Runs in a worker thread.
    """

    BINDINGS = [*FORM_BINDINGS, Binding("escape", "cancel", N_("Cancel"), id="approval.cancel")]

    class Checked(Message):
        def __init__(self, approval: Approval | None, error: BaseException | None) -> None:
            super().__init__()
            self.approval = approval
            self.error = error

    def __init__(
        self,
        action: str,
        reason: str,
        *,
        approve: Callable[[str, str, str], Any] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.action = action
        self.reason = reason
        self._approve = approve
        self.busy = False

    def compose(self) -> ComposeResult:
        with titled_box(_("Manager approval"), _("Enter confirm · Esc cancel"), id="approval-box"):
            yield Static(self.reason, id="approval-reason", markup=False)
            yield Label(_("Manager"), classes="field-label")
            yield Input(placeholder=_("manager name"), id="approval-name")
            yield Label(_("PIN"), classes="field-label")
            yield Input(placeholder=_("PIN"), password=True, id="approval-pin")
            yield MessageBar(id="approval-message")

    def on_mount(self) -> None:
        self.query_one("#approval-name", Input).focus()

    @on(Input.Submitted, "#approval-name")
    def _name_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.query_one("#approval-message", MessageBar).show_error(_("Manager: type the manager's name"))
            self.set_focus(self.query_one("#approval-name", Input))
        elif self.focused is event.input:
            self.set_focus(self.query_one("#approval-pin", Input))

    @on(Input.Submitted, "#approval-pin")
    def _pin_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        name = self.query_one("#approval-name", Input).value.strip()
        pin = self.query_one("#approval-pin", Input).value
        bar = self.query_one("#approval-message", MessageBar)
        if not name:
            bar.show_error(_("Manager: type the manager's name"))
            self.query_one("#approval-name", Input).focus()
            return
        if not pin:
            bar.show_error(_("PIN: type the manager's PIN"))
            self.query_one("#approval-pin", Input).focus()
            return
        self.busy = True
        bar.show_info(_("Checking…"))
        self._check(name, pin)

    @work(thread=True, exclusive=True, group="approval")
    def _check(self, name: str, pin: str) -> None:
        try:
            approve = self._approve or self.app.services.users.approve  # type: ignore[attr-defined]
            approver = approve(name, pin, self.action)
        except Exception as exc:
            self.post_message(self.Checked(None, exc))
            return
        self.post_message(self.Checked(Approval(name=name, pin=pin, action=self.action, approver=approver), None))

    @on(Checked)
    def _checked(self, event: Checked) -> None:
        self.busy = False
        if event.approval is not None:
            self.dismiss(event.approval)
            return
        message, _field = describe_error(event.error)  # type: ignore[arg-type]
        self.query_one("#approval-message", MessageBar).show_error(message)
        pin = self.query_one("#approval-pin", Input)
        pin.value = ""
        pin.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
