"""F4 history and F9 voucher dialogs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from textual.app import App

from shopterm.widgets.history import HistoryDialog, VoucherDialog
from tests.ui.waiting import wait_for


@dataclass
class Line:
    account: str
    name: str
    currency: str
    amount: Decimal
    amount_usd: Decimal
    memo: str = ""


class Host(App):
    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.closed = False

    def on_mount(self) -> None:
        self.push_screen(self.dialog, lambda _: setattr(self, "closed", True))


def as_text(renderable) -> str:
    from rich.console import Console

    console = Console(width=76, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


async def test_voucher_dialog_shows_debits_credits_and_balance():
    lines = [
        Line("1200", "Accounts receivable", "USD", Decimal("54.86"), Decimal("54.86")),
        Line("4000", "Sales", "USD", Decimal("-47.95"), Decimal("-47.95")),
        Line("2100", "VAT payable", "USD", Decimal("-6.91"), Decimal("-6.91")),
    ]
    app = Host(VoucherDialog("Voucher 261101SI000001", lambda: lines))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        bar = dialog.query_one(".readonly-message")
        await wait_for(pilot, lambda: dialog.rows)
        assert bar.text == "3 lines, balanced"
        text = as_text(dialog.render_rows(dialog.rows))
        assert "54.86" in text and "Total USD" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.closed)


async def test_history_dialog_with_real_audit_rows(services):
    admin = services.users.login("admin", "9999")
    # An unused record (the wholesale category), so no business rule stands in the way.
    services.masters.deactivate(admin, "customer_category", "WH")
    services.masters.reactivate(admin, "customer_category", "WH")
    app = Host(HistoryDialog("History of WH", lambda: services.masters.history("customer_category", "WH")))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.rows)
        assert dialog.query_one(".readonly-message").text == "2 entries"
        body = as_text(dialog.render_rows(dialog.rows))
        assert "deactivate" in body and "inactive: False → True" in body
        assert "admin" in body


async def test_history_dialog_renders_changes_and_errors():
    @dataclass
    class Row:
        at: dt.datetime
        user_name: str
        action: str
        summary: str

        def changes(self):
            return [("credit_limit", "500.00", "750.00")]

    rows = [Row(dt.datetime(2026, 11, 23, 9, 30), "manager", "update", "customer C0002")]
    app = Host(HistoryDialog("History of C0002", lambda: rows))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.rows)
        assert dialog.query_one(".readonly-message").text == "1 entry"

    def broken():
        raise RuntimeError("disk I/O error")

    app = Host(HistoryDialog("History", broken))
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(".readonly-message")
        await wait_for(pilot, lambda: bar.kind == "error")
        assert "disk I/O error" in bar.text
