"""Ctrl+O "PDF" on Sales Return, Sales Return (Direct) and Sales Receipt: the A4 PDF of the
posted document is written to the print folder even when the shop prints 48-column text on a
thermal printer (Shop Setup "Print layout: text"), and the print command is not run.

Figures by hand: DESIGN §4's invoice nets 54.86 USD. The sales return takes back 4 of 10
PARA500 at 2.20 less 10 % (8.80 − 0.88 = 7.92, tax 16 % 1.27): credit 9.19 USD. The direct
return: 5 PARA500 at 2.20 = 11.00 + tax 1.76 = 12.76 USD.
"""

from __future__ import annotations

from sqlalchemy import select

from shopterm.app import ShoptermApp
from shopterm.screens.direct_return import DirectReturnScreen
from shopterm.screens.sales_return import SalesReturnScreen
from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine, ReturnDraft, ReturnLine
from shopterm.store.models import AuditLog, ShopSetup
from shopterm.widgets.document_list import DocumentListDialog
from tests.store import conftest as store
from tests.ui.test_cash_screens import post_design_invoice
from tests.ui.test_day_screens import footer, open_screen, text, wait_for
from tests.ui.test_orders_screens import SIZE
from tests.ui.test_orders_screens import open_screen as open_cls
from tests.ui.test_print_keys import footer_fits, pdf_text, shop  # noqa: F401 - the fixture
from tests.ui.test_returns_screens import invoice


def thermal(svc, tmp_path) -> None:
    """The shop prints 48-column text through a command that would fail if it ran."""
    with svc.db.write() as s:
        for setup in s.execute(select(ShopSetup)).scalars():
            setup.print_format = "text"
            setup.print_command = f"false {tmp_path}/never"


async def test_receipt_ctrl_o_writes_the_invoice_pdf_with_a_text_print_layout(shop, tmp_path):
    thermal(shop, tmp_path)
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        assert "^O" not in footer(screen) and screen.check_action("pdf", ()) is False  # nothing posted yet
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "54.86", "invoice loaded")
        await pilot.press("enter", "enter", *"20000", "enter", *"50")
        await wait_for(pilot, lambda: text(screen, "returned-cdf") == "6,100.00", "change computed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.posted, "receipt posted")
        await pilot.pause()
        assert "^O PDF" in footer(screen) and footer_fits(screen)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("PDF of"), screen.message_bar.text)
        written = next((tmp_path / "prints").rglob(f"{number}.pdf"))
        assert screen.message_bar.text == f"PDF of {number} written to {written.resolve()}"
        assert written.read_bytes().startswith(b"%PDF")
        assert "Net amount USD 54.86" in pdf_text(written)
    assert not (tmp_path / "never").exists()
    with shop.db.read() as s:
        rows = s.execute(select(AuditLog).where(AuditLog.action == "print")).scalars().all()
        assert [(r.after["format"], r.after.get("command", "")) for r in rows] == [("pdf", "")]


async def open_posted(pilot, app, cls, number: str):
    screen = await open_cls(pilot, app, cls, lambda s: s.location_code is not None)
    assert "^O" not in footer(screen)
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(app.screen, DocumentListDialog) and app.screen.rows, "list")
    assert app.screen.rows[0].number == number
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.view is not None and screen.document_number == number, "opened")
    await pilot.pause()
    return screen


async def test_sales_return_ctrl_o_writes_the_a4_pdf(shop, tmp_path):
    thermal(shop, tmp_path)
    cashier = store.actor(shop, "cashier")
    inv = invoice(shop)
    number = shop.returns.post(cashier, ReturnDraft(based_on="invoice", invoice=inv, narration="Damaged",
                                                    lines=[ReturnLine(item="PARA500", qty="4")])).number
    assert number == "261101SR000001"
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_posted(pilot, app, SalesReturnScreen, number)
        assert "^O PDF" in footer(screen) and footer_fits(screen)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("PDF of"), screen.message_bar.text)
        written = next((tmp_path / "prints").rglob(f"{number}.pdf"))
        assert "9.19" in pdf_text(written)
    assert not (tmp_path / "never").exists()


async def test_direct_return_ctrl_o_writes_the_a4_pdf(shop, tmp_path):
    thermal(shop, tmp_path)
    admin = store.actor(shop, "admin")
    shop.masters.create_supplier(admin, code="SUP01", name="Pharma Supplies")
    cashier = store.actor(shop, "cashier")
    number = shop.returns.post_direct(cashier, DirectReturnDraft(
        customer="C0001", address="12 av. du Fleuve", narration="Back from the clinic",
        lines=[DirectReturnLine(item="PARA500", batch="R001", supplier="SUP01", supplier_batch_no="LOT-77",
                                expiry="2027-12-31", qty="5", price="2.20")])).number
    assert number == "261101RD000001"
    app = ShoptermApp(shop, actor=cashier)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_posted(pilot, app, DirectReturnScreen, number)
        assert "^O PDF" in footer(screen) and footer_fits(screen)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen.message_bar.text.startswith("PDF of"), screen.message_bar.text)
        written = next((tmp_path / "prints").rglob(f"{number}.pdf"))
        assert "12.76" in pdf_text(written)
