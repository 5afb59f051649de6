"""Typed inputs refuse bad values with a message naming the field, and keep what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.app import App, ComposeResult

from shopterm.screens.base.document import ShopScreen
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, PercentInput, QtyInput, RateInput

DAY = dt.date(2026, 11, 23)


class FormScreen(ShopScreen):
    def compose_body(self) -> ComposeResult:
        yield MoneyInput(id="field-price", label="Price")
        yield QtyInput(id="field-qty", label="Qty")
        yield RateInput(id="field-rate", label="Rate")
        yield PercentInput(id="field-discount", label="Disc %")
        yield DateInput(id="field-doc-date", label="Doc date", today=lambda: DAY)
        yield CodeInput(id="field-customer", label="Customer")


class FormApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.actor = None
        self.last_status = None

    @property
    def services(self):  # the status bar asks; no database here
        raise RuntimeError("no services in this test")

    def on_mount(self) -> None:
        self.push_screen(FormScreen())


async def fill(pilot, widget_id: str, text: str) -> None:
    screen = pilot.app.screen
    screen.set_focus(screen.query_one(f"#{widget_id}"))
    await pilot.pause()
    await pilot.press(*list(text))
    await pilot.press("tab")
    await pilot.pause()


async def test_money_input_refuses_text_and_names_the_field():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        price = screen.query_one("#field-price", MoneyInput)
        await fill(pilot, "field-price", "abc")
        assert price.value == "abc"  # nothing typed is lost
        assert price.decimal_value is None
        assert price.has_class("-invalid")
        assert screen.message_bar.kind == "error"
        assert screen.message_bar.text.startswith("Price:")
        assert "not a number" in screen.message_bar.text
        # Fixing it clears the message as the cashier types.
        screen.set_focus(price)
        await pilot.pause()
        price.value = ""
        await pilot.press(*"2.50")
        await pilot.pause()
        assert price.decimal_value == Decimal("2.50")
        assert isinstance(price.decimal_value, Decimal)
        assert screen.message_bar.kind is None
        assert not price.has_class("-invalid")


async def test_money_input_refuses_three_decimals_and_negatives():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await fill(pilot, "field-price", "1.005")
        assert "Price: at most 2 decimal places" in screen.message_bar.text
        price = screen.query_one("#field-price", MoneyInput)
        price.value = "-3"
        assert not price.check()
        assert "Price: must not be negative" in price.error


async def test_qty_rate_percent_limits():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await fill(pilot, "field-qty", "1.2345")
        assert "Qty: at most 3 decimal places" in screen.message_bar.text
        await fill(pilot, "field-rate", "0")
        assert "Rate: the exchange rate must be greater than zero" in screen.message_bar.text
        await fill(pilot, "field-discount", "150")
        assert "Disc %: a percentage must be between 0 and 100" in screen.message_bar.text
        qty = screen.query_one("#field-qty", QtyInput)
        qty.value = "2.5"
        assert qty.check() and qty.decimal_value == Decimal("2.5")
        pct = screen.query_one("#field-discount", PercentInput)
        pct.value = "12.5%"
        assert pct.decimal_value == Decimal("12.5")


async def test_date_input_shortcuts_and_errors():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        date_in = screen.query_one("#field-doc-date", DateInput)
        await fill(pilot, "field-doc-date", "t")
        assert date_in.value == "2026-11-23"  # expanded when the field is left
        assert date_in.date_value == DAY
        date_in.value = ""
        await fill(pilot, "field-doc-date", "+1")
        assert date_in.date_value == dt.date(2026, 11, 24)
        date_in.value = ""
        await fill(pilot, "field-doc-date", "-7")
        assert date_in.date_value == dt.date(2026, 11, 16)
        date_in.value = ""
        await fill(pilot, "field-doc-date", "2026-13-01")
        assert date_in.value == "2026-13-01"
        assert date_in.date_value is None
        assert screen.message_bar.kind == "error"
        assert screen.message_bar.text.startswith("Doc date:")


async def test_code_input_upper_cases_and_refuses_spaces():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        code = screen.query_one("#field-customer", CodeInput)
        await fill(pilot, "field-customer", "c0001")
        assert code.code == "C0001"
        code.value = "a b"
        assert not code.check()
        assert code.error.startswith("Customer:")


async def test_required_field_and_field_name():
    price = MoneyInput(id="field-unit-price", required=True)
    assert price.field_name == "unit_price"
    assert price.label == "Unit price"
    assert price.parsed_value is None  # empty + required → not a value


async def test_check_fields_reports_the_first_bad_field():
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#field-qty", QtyInput).value = "x"
        screen.query_one("#field-rate", RateInput).value = "-1"
        assert screen.check_fields() is False
        await pilot.pause()
        assert screen.focused is screen.query_one("#field-qty")
        assert "Qty:" in screen.message_bar.text


async def test_a_money_field_left_shows_its_figure_and_reads_back_the_same():
    """Typed "102000" stayed "102000" beside totals reading "102,000.00" until the document was posted:
    left, the field shows the figure in the reader's language (once, on leaving), and back in it the
    cashier finds that same text, which reads back the same figure."""
    from shopterm.core import i18n

    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        price = screen.query_one("#field-price", MoneyInput)
        await fill(pilot, "field-price", "102000")
        assert (price.value, price.decimal_value) == ("102,000.00", Decimal("102000.00"))
        assert not price.has_focus and not price.has_class("-invalid")
        screen.set_focus(price)
        await pilot.pause()
        assert (price.value, price.decimal_value) == ("102,000.00", Decimal("102000.00"))
        await pilot.press("end", *"5", "tab")  # typing on: "102,000.005" is refused, left as typed
        await pilot.pause()
        assert price.value == "102,000.005" and price.has_class("-invalid")
        i18n.set_language("fr")
        try:
            price.value = ""
            await fill(pilot, "field-price", "2500,5")
            assert (price.value, price.decimal_value) == ("2\u00a0500,50", Decimal("2500.50"))
        finally:
            i18n.set_language("en")
