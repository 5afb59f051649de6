"""The manager-approval dialog against the real user service."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input

from shopterm.widgets.approval import Approval, ApprovalDialog
from tests.ui.waiting import wait_for


class Host(App):
    def __init__(self, services) -> None:
        super().__init__()
        self.services = services
        self.result = "unset"

    def on_mount(self) -> None:
        def done(result) -> None:
            self.result = result

        self.push_screen(ApprovalDialog("credit_limit", "Credit limit exceeded by 120.00 USD"), done)


async def test_denied_then_approved(services):
    app = Host(services)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert "Credit limit exceeded" in str(dialog.query_one("#approval-reason").render())
        bar = dialog.query_one("#approval-message")
        # A cashier cannot approve.
        await pilot.press(*"cashier", "enter", *"1111", "enter")
        await wait_for(pilot, lambda: bar.kind == "error")
        assert "not a manager" in bar.text
        assert dialog.query_one("#approval-pin", Input).value == ""
        # Wrong PIN.
        name = dialog.query_one("#approval-name", Input)
        name.value = "manager"
        await pilot.press(*"0000", "enter")
        await wait_for(pilot, lambda: "wrong PIN" in bar.text)
        # Right PIN.
        await pilot.press(*"2222", "enter")
        await wait_for(pilot, lambda: app.result != "unset")
        assert isinstance(app.result, Approval)
        assert app.result.name == "manager" and app.result.pin == "2222"
        assert app.result.approver.role == "manager"
        assert "2222" not in repr(app.result)


async def test_escape_cancels(services):
    app = Host(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.result != "unset")
        assert app.result is None
