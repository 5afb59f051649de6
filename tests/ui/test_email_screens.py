"""^G emails a posted invoice (Sales Invoice) and a statement (Customer Ledger) through a
local SMTP server the test starts; the dialog starts on the customer's email."""

from __future__ import annotations

from aiosmtpd.controller import Controller

import pytest

from shopterm.app import ShoptermApp
from shopterm.screens.email_dialog import EmailDialog
from shopterm.widgets.item_grid import ItemGrid
from tests.store.conftest import actor
from tests.store.test_email import Inbox, _free_port, mail_setup, pdf_words, attachment
from tests.ui.test_ledgers import manager_app, open_ledger_of, shop as ledger_shop  # noqa: F401
from tests.ui.test_sales_invoice import figures, line, shop, start, to_client  # noqa: F401
from tests.ui.waiting import wait_until

SIZE = (80, 24)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


async def test_ctrl_g_emails_the_posted_invoice(shop, smtp):  # noqa: F811
    inbox, port = smtp
    mail_setup(shop, port)
    shop.masters.update_customer(actor(shop, "manager"), "C0002", email="achats@fleuve.example")
    app = ShoptermApp(shop, actor=actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert screen.check_action("email", ()) is False  # nothing posted yet: no dead key
        await to_client(pilot, screen)
        await pilot.press(*"C0002", "enter")
        await wait_until(pilot, lambda: screen.customer is not None and screen.customer.code == "C0002")
        grid = screen.query_one(ItemGrid)
        grid.cell(1, "item").focus()
        await wait_until(pilot, lambda: screen.focused is grid.cell(1, "item"))
        await line(pilot, screen, 1, "PARA500", *"10", "enter")
        await wait_until(pilot, lambda: figures(screen)["net"] == "25.52")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.view is not None)
        number = screen.view.number
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, EmailDialog))
        dialog = app.screen
        assert dialog.query_one("#email-to").value == "achats@fleuve.example"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: "Sent" in screen.message_bar.text)
        assert screen.message_bar.text == f"Sent {number}.pdf to achats@fleuve.example through 127.0.0.1:{port}"
    _, rcpts, msg = inbox.received[0]
    assert rcpts == ["achats@fleuve.example"] and msg["Subject"] == f"Invoice {number} — Axpert"
    assert "25.52" in pdf_words(attachment(msg)[1])


async def test_ctrl_g_emails_the_statement_and_a_failure_stays_in_the_dialog(ledger_shop, smtp):  # noqa: F811
    inbox, port = smtp
    mail_setup(ledger_shop, port)
    app = manager_app(ledger_shop)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ledger_of(pilot, app, "C0001")
        await wait_until(pilot, lambda: screen.customer is not None)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, EmailDialog))
        dialog = app.screen
        assert dialog.query_one("#email-to").value == ""  # C0001 has no email: typed
        await pilot.press(*"x@refused.example", "enter")
        await wait_until(pilot, lambda: "Nothing was sent" in dialog.message_bar.text)
        assert app.screen is dialog and inbox.received == []
        field = dialog.query_one("#email-to")
        field.value = ""
        await pilot.press(*"compta@kinpharma.example", "enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: "Sent statement-C0001" in screen.message_bar.text)
    _, rcpts, msg = inbox.received[0]
    assert rcpts == ["compta@kinpharma.example"] and msg["Subject"].startswith("Statement C0001 ")
    assert "Kinshasa Pharma" in pdf_words(attachment(msg)[1])
