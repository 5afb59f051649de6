"""The document-screen base: toolbar keys, hidden unsupported actions, errors focus their field."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Footer, Input

from shopterm.services.errors import ValidationError
from shopterm.screens.base.document import DocumentScreen
from shopterm.widgets.inputs import CodeInput, MoneyInput
from tests.ui.waiting import wait_for


class Sample(DocumentScreen):
    DOCUMENT_TITLE = "Sample"
    SUPPORTS = frozenset({"new", "save", "draft", "history"})

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def compose_document(self) -> ComposeResult:
        yield CodeInput(id="field-customer", label="Customer")
        yield MoneyInput(id="field-price", label="Price")

    def action_new(self) -> None:
        self.calls.append("new")

    def action_save(self) -> None:
        self.calls.append(f"save:{self.query_one('#field-price', Input).value}")

    def action_draft(self) -> None:
        self.calls.append(f"draft:{self.query_one('#field-price', Input).value}")

    def action_history(self) -> None:
        self.calls.append("history")


class Host(App):
    actor = None
    last_status = None

    @property
    def services(self):
        raise RuntimeError("no services in this test")

    def on_mount(self) -> None:
        self.push_screen(Sample())


def footer_text(screen) -> str:
    keys = screen.query_one(Footer).query("FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


async def test_supported_keys_run_and_others_are_hidden():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.check_action("save", ()) is True
        assert screen.check_action("list", ()) is False
        assert screen.check_action("voucher", ()) is False
        assert screen.check_action("delete_row", ()) is False
        await pilot.press("ctrl+n", "f4", "f3", "f9", "f8")
        assert screen.calls == ["new", "history"]
        text = footer_text(screen)
        assert text.index("^N New") < text.index("^S Save") < text.index("^D Draft") < text.index("Esc Back")
        for shown in ("^N New", "^S Save", "^D Draft", "F4 Hist", "Esc Back"):
            assert shown in text
        for hidden in ("F3", "F9", "F8", "Print"):
            assert hidden not in text


async def test_save_and_draft_see_what_was_typed_just_before():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.set_focus(screen.query_one("#field-price"))
        await pilot.press(*"12.50", "ctrl+d")
        await pilot.press("ctrl+s")
        assert screen.calls == ["draft:12.50", "save:12.50"]
        # Ctrl+D is Draft here, not the Input's delete-right.
        assert screen.query_one("#field-price", Input).value == "12.50"


async def test_f2_shows_only_on_a_field_with_a_lookup():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.focused.id == "field-customer"
        assert screen.check_action("lookup", ()) is False  # no lookup kind or search given
        screen.query_one("#field-customer", CodeInput).lookup_kind = "customer"
        assert screen.check_action("lookup", ()) is True
        screen.set_focus(screen.query_one("#field-price"))
        await pilot.pause()
        assert screen.check_action("lookup", ()) is False


async def test_shop_error_shows_message_and_focuses_field():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.show_error(ValidationError("Price must be greater than zero", field="price"))
        await pilot.pause()
        assert screen.message_bar.kind == "error"
        assert screen.message_bar.text == "Price must be greater than zero"
        assert screen.focused.id == "field-price"


async def test_run_service_reports_errors_and_results():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        got = []

        def fails():
            raise ValidationError("Customer C9 not found", field="customer")

        screen.run_service(fails, got.append)
        await wait_for(pilot, lambda: not screen.busy, "the service call done")
        assert got == []
        assert screen.message_bar.text == "Customer C9 not found"
        assert screen.focused.id == "field-customer"
        screen.run_service(lambda: 42, got.append)
        await wait_for(pilot, lambda: got, "the result delivered")
        assert got == [42]
        # An unexpected fault is one line, never a traceback on screen.
        screen.run_service(lambda: 1 / 0, got.append)
        await wait_for(pilot, lambda: not screen.busy, "the service call done")
        assert "Unexpected problem (ZeroDivisionError)" in screen.message_bar.text


async def test_escape_warns_once_when_there_is_unsaved_typing():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"C0001")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert "Unsaved changes" in screen.message_bar.text
        assert "Ctrl+D" in screen.message_bar.text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


def test_subclass_must_implement_what_it_supports():
    with pytest.raises(TypeError, match="action_save"):

        class Broken(DocumentScreen):
            SUPPORTS = frozenset({"save"})

    with pytest.raises(TypeError, match="unknown actions"):

        class Typo(DocumentScreen):
            SUPPORTS = frozenset({"svae"})


async def test_document_title_line():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert "Sample · New" in str(screen.query_one("#doc-title").render())
        screen.set_document("261101SI000001", "Posted")
        await pilot.pause()
        assert "Sample 261101SI000001 · Posted" in str(screen.query_one("#doc-title").render())


async def test_layout_fits_80x24_without_overlap():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.show_error("Price must be greater than zero")
        await pilot.pause()
        status = screen.query_one("#status-bar").region
        title = screen.query_one("#doc-title").region
        message = screen.message_bar.region
        footer = screen.query_one(Footer).region
        assert status.y == 0 and title.y == 1
        assert message.height >= 1 and message.bottom <= footer.y == 23
        assert footer.width == 80


async def test_escape_warns_even_when_keys_arrive_in_one_burst():
    from textual import events

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        for key in ["tab", "1", "2", "tab"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_for(pilot, lambda: screen.is_dirty(), "the burst typed into a field")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert "Unsaved changes" in screen.message_bar.text
        screen.mark_clean()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_dirty_false_after_programmatic_fill_means_clean():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        screen.query_one("#field-customer", Input).value = "CASH"  # e.g. defaults loaded later
        assert screen.dirty
        screen.dirty = False
        assert not screen.dirty
        screen.dirty = True  # e.g. a grid row changed
        assert screen.dirty
        screen.mark_clean()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_a_focus_move_repaints_only_its_fields_and_the_footer_only_when_its_keys_change():
    """Every ShopScreen: Textual would repaint the whole screen on each focus move and
    rebuild the key footer (a mount and a layout) on each binding refresh."""
    from shopterm.screens.base.document import QuietFooter

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        footer = screen.query_one(Footer)
        assert isinstance(footer, QuietFooter)
        assert screen.focused.id == "field-customer"
        whole_screen: list[tuple] = []
        refresh = screen.refresh

        def spy(*regions, **kwargs):
            if not regions:
                whole_screen.append(kwargs)
            return refresh(*regions, **kwargs)

        screen.refresh = spy
        published: list[object] = []
        screen.bindings_updated_signal.subscribe(screen, published.append)
        keys_before = list(footer.query("FooterKey"))
        await pilot.press("tab")
        assert screen.focused.id == "field-price"
        await pilot.pause()
        assert whole_screen == [] and published == []  # the same keys: nothing rebuilt
        screen.query_one("#field-customer", CodeInput).lookup_kind = "customer"
        await pilot.press("shift+tab")  # back on a field with a list: F2 appears
        assert screen.focused.id == "field-customer"
        await pilot.pause()
        assert len(published) == 1
        await wait_for(pilot, lambda: "F2" in footer_text(screen), "F2 in the footer")
        assert "F2 Find" in footer_text(screen)
        assert list(footer.query("FooterKey")) != keys_before
        assert whole_screen == []
