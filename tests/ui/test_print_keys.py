"""Pilot tests, keys only at 80×24, of the print keys on the counter screens:
Ctrl+P saves and prints, F12 re-prints (F12, not Ctrl+R: Ctrl+R is the customer
ledger's "Pay"), and F12 is never shown before the document is posted.

Figures by hand (DESIGN §4): the §4 invoice nets 54.86 USD; paid with 50 USD +
20,000 CDF at 2850 the change is 6,100 CDF. The receipt screen prints the invoice
(seed: "the invoice is printed directly from this screen").
"""

from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import select
from textual.widgets import Footer

from shopterm.app import ShoptermApp
from shopterm.store.models import ShopSetup
from tests.store import conftest as store
from tests.ui.test_cash_screens import float_in, post_design_invoice
from tests.ui.test_day_screens import footer, open_screen, text, wait_for

DAY = store.DAY


@pytest.fixture
def shop(tmp_path_factory, tmp_path):
    """The demo-like shop, day open, printing to ``tmp_path/prints``."""
    svc = store._copy_services(store._template(tmp_path_factory), tmp_path / "db")
    with svc.db.write() as s:
        for setup in s.execute(select(ShopSetup)).scalars():
            setup.print_dir = str(tmp_path / "prints")
            setup.print_command = ""
    svc.day.open_day(store.actor(svc, "cashier"), location="AXP", date=DAY)
    yield svc
    svc.db.dispose()


def pdf_text(path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def footer_fits(screen, width: int = 80) -> bool:
    keys = list(screen.query_one(Footer).query("FooterKey"))
    return all(k.region.right <= width for k in keys) and len(footer(screen)) <= width


async def test_receipt_ctrl_p_prints_the_invoice_and_f12_reprints_a_duplicate(shop, tmp_path):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        assert "^P Print" in footer(screen)
        assert "F12" not in footer(screen)  # nothing posted: no re-print key shown
        assert screen.check_action("reprint", ()) is False
        assert footer_fits(screen)
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "54.86", "invoice loaded")
        await pilot.press("enter", "enter", *"20000", "enter", *"50")
        await wait_for(pilot, lambda: text(screen, "returned-cdf") == "6,100.00", "change computed")
        assert "F12" not in footer(screen)
        await pilot.press("ctrl+p")
        first = tmp_path / "prints" / f"{number}.pdf"
        await wait_for(pilot, lambda: first.exists() and "Printed" in screen.message_bar.text, "printed")
        assert screen.document_number == "261101RC000001"
        assert screen.message_bar.text == (
            f"Receipt 261101RC000001 posted; give 6,100.00 CDF change (Ctrl+N: next) · Printed {number} to {first}")
        printed = pdf_text(first)
        assert "Net amount USD 54.86" in printed
        assert "DUPLICATE" not in printed
        await pilot.pause()
        assert "F12 Dup" in footer(screen)  # posted: the re-print key is there now
        assert footer_fits(screen)
        await pilot.press("f12")
        second = tmp_path / "prints" / f"{number}-copy1.pdf"
        await wait_for(pilot, lambda: second.exists() and "re-print" in screen.message_bar.text, "re-printed")
        assert screen.message_bar.text == f"Printed {number} (re-print 1) to {second}"
        assert "DUPLICATE" in pdf_text(second)
        assert "Net amount USD 54.86" in pdf_text(second)
        # Ctrl+N: a new receipt has no re-print key again
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.posted, "new receipt")
        await pilot.pause()
        assert "F12" not in footer(screen)


async def test_receipt_print_in_usd_prints_the_invoice_in_usd(shop, tmp_path):
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "54.86", "invoice loaded")
        # rate → Print in USD? (y) → CDF received → USD received
        await pilot.press("enter", "y", "enter", *"20000", "enter", *"50")
        await wait_for(pilot, lambda: text(screen, "returned-cdf") == "6,100.00", "change computed")
        assert screen.query_one("#field-print-usd").value == "yes"
        await pilot.press("ctrl+p")
        first = tmp_path / "prints" / f"{number}.pdf"
        await wait_for(pilot, lambda: first.exists() and "Printed" in screen.message_bar.text, "printed")
    audit = shop.printing.render(number, format="text")
    assert audit.duplicate  # printed once already
    with shop.db.read() as s:
        from shopterm.store.models import AuditLog
        rows = s.execute(select(AuditLog).where(AuditLog.action == "print")).scalars().all()
        assert [r.after["usd"] for r in rows] == [True]


async def test_a_refused_save_prints_nothing(shop, tmp_path):
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen.message_bar.kind == "error", "refused")
        assert not screen.print_after_save
        assert not screen.posted
        assert not (tmp_path / "prints").exists()


async def test_shop_entry_and_exchange_ctrl_p_and_f12(shop, tmp_path):
    float_in(shop, "USD", "200")  # dollars in the till to give for francs
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_entry")
        assert "F12" not in footer(screen) and footer_fits(screen)
        # particulars (kind Receipt is Shift+Tab away) → cost centre → currency (CDF) → rate → amount → narration
        await pilot.press(*"1900", "enter", *"SHOP", "enter", "enter", "enter", *"100000", "enter")
        await wait_for(pilot, lambda: text(screen, "amount-usd") == "35.09", "equivalents")
        await pilot.press(*"Float from head office", "ctrl+p")
        await wait_for(pilot, lambda: "Printed" in screen.message_bar.text, "entry printed")
        entry = screen.document_number
        assert (tmp_path / "prints" / f"{entry}.pdf").exists()
        await pilot.pause()
        assert "F12 Dup" in footer(screen) and footer_fits(screen)
        await pilot.press("f12")
        copy = tmp_path / "prints" / f"{entry}-copy1.pdf"
        await wait_for(pilot, lambda: copy.exists() and "re-print" in screen.message_bar.text, "entry re-printed")
        assert "DUPLICATE" in pdf_text(copy)
        await pilot.press("escape", "escape")

        screen = await open_screen(pilot, app, "currency_exchange")
        assert "F12" not in footer(screen) and footer_fits(screen)
        # amount received (currency CDF is Shift+Tab away) → exchange rate → (given filled in)
        await pilot.press(*"300000", "enter", "ctrl+u", *"3000", "enter")
        await wait_for(pilot, lambda: screen.query_one("#field-amount-given").value == "100.00", "given filled")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Printed" in screen.message_bar.text, screen.message_bar.text)
        exchange = screen.document_number
        assert screen.message_bar.text.startswith(f"Exchange {exchange} posted")
        assert (tmp_path / "prints" / f"{exchange}.pdf").exists()
        await pilot.pause()
        assert "F12 Dup" in footer(screen) and footer_fits(screen)
        await pilot.press("f12")
        copy = tmp_path / "prints" / f"{exchange}-copy1.pdf"
        await wait_for(pilot, lambda: copy.exists(), "exchange re-printed")
        assert "DUPLICATE" in pdf_text(copy)


async def test_shop_close_ctrl_p_closes_and_prints_the_summary(shop, tmp_path):
    float_in(shop, "USD", "100")
    float_in(shop, "CDF", "13900")
    app = ShoptermApp(shop, actor=store.actor(shop, "manager"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "shop_close")
        assert "F12" not in footer(screen) and footer_fits(screen)
        await wait_for(pilot, lambda: text(screen, "usd-closing") == "100.00", "figures")
        assert screen.focused.id == "field-physical-usd"
        await pilot.press(*"100", "enter", *"13900")
        await wait_for(pilot, lambda: text(screen, "cdf-difference") == "0.00", "counted")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Printed" in screen.message_bar.text or screen.message_bar.kind == "error",
                       "closed and printed")
        assert screen.message_bar.text.startswith(f"Day closed: {screen.document_number}"), screen.message_bar.text
        closed = tmp_path / "prints" / f"{screen.document_number}.pdf"
        assert closed.exists()
        await pilot.pause()
        assert "F12 Dup" in footer(screen) and footer_fits(screen)
        await pilot.press("f12")
        copy = tmp_path / "prints" / f"{screen.document_number}-copy1.pdf"
        await wait_for(pilot, lambda: copy.exists(), "close re-printed")
        assert "DUPLICATE" in pdf_text(copy)


async def test_invoice_ctrl_p_saves_and_prints_the_facture_then_delivery_and_f12(shop, tmp_path):
    from tests.ui.test_sales_invoice import figures, header_cash_sp01, leave_tendering, line, start

    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start(pilot, app)
        await pilot.pause()
        assert "^P Print" in footer(screen)
        assert "F12" not in footer(screen) and "^T" not in footer(screen)  # nothing posted yet
        await header_cash_sp01(pilot, screen)
        # BAND01 4 × 1.25, no tax: net 5.00 USD
        await line(pilot, screen, 1, "BAND01", *"4", "enter")
        await wait_for(pilot, lambda: figures(screen)["net"] == "5.00", "totals")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: "Printed" in screen.message_bar.text or screen.message_bar.kind == "error",
                       "posted and printed")
        number = screen.view.number
        facture = tmp_path / "prints" / f"{number}.pdf"
        assert screen.message_bar.text.startswith(f"Invoice {number} posted"), screen.message_bar.text
        assert screen.message_bar.text.endswith(f"Printed {number} to {facture}")
        assert "Net amount USD 5.00" in pdf_text(facture) and "DUPLICATE" not in pdf_text(facture)
        await leave_tendering(pilot, app, screen)  # a cash sale: tendering opened; Esc leaves it unpaid
        await pilot.pause()
        assert "F12 Dup" in footer(screen) and "^T Dlv" in footer(screen)
        assert footer_fits(screen), footer(screen)
        await pilot.press("ctrl+t")
        delivery = tmp_path / "prints" / f"{number}-delivery.pdf"
        await wait_for(pilot, lambda: delivery.exists() and "Printed" in screen.message_bar.text, "delivery")
        assert "DUPLICATE" not in pdf_text(delivery)  # the first delivery copy is an original
        await pilot.press("f12")
        copy = tmp_path / "prints" / f"{number}-copy1.pdf"
        await wait_for(pilot, lambda: copy.exists() and "re-print" in screen.message_bar.text, "re-printed")
        assert "DUPLICATE" in pdf_text(copy)


async def test_a_thermal_counter_prints_48_column_text_from_the_screen(shop, tmp_path):
    """Shop Setup "Print layout: 80 mm text": Ctrl+P on the receipt writes the 48-column text."""
    admin = store.actor(shop, "admin")
    shop.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", print_format="text")
    assert shop.masters.get_shop_setup("AXP").print_format == "text"
    number = post_design_invoice(shop)
    app = ShoptermApp(shop, actor=store.actor(shop, "cashier"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app, "sales_receipt")
        await pilot.press(*number, "enter")
        await wait_for(pilot, lambda: text(screen, "invoice-usd") == "54.86", "invoice loaded")
        await pilot.press("enter", "enter", *"20000", "enter", *"50")
        await wait_for(pilot, lambda: text(screen, "returned-cdf") == "6,100.00", "change computed")
        await pilot.press("ctrl+p")
        first = tmp_path / "prints" / f"{number}.txt"
        await wait_for(pilot, lambda: first.exists() and "Printed" in screen.message_bar.text, "printed")
    lines = first.read_text().splitlines()
    assert all(len(line) <= 48 for line in lines)
    assert any("54.86" in line for line in lines) and any("6,100.00" in line for line in lines)


def test_print_format_is_checked(shop):
    from shopterm.services.errors import ValidationError

    with pytest.raises(ValidationError, match="Print format: pdf or text"):
        shop.masters.save_shop_setup(store.actor(shop, "admin"), "AXP", cash_customer="CASH", print_format="html")
