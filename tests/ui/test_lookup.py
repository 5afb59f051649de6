"""The F2 lookup dialog: filters as you type, arrows move, Enter picks, Esc cancels."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.widgets import OptionList

from shopterm.screens.base.document import ShopScreen
from shopterm.widgets.inputs import CodeInput
from shopterm.widgets.lookup import LookupDialog
from tests.ui.waiting import wait_for


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    detail: str = ""


ROWS = [
    Row("PARA500", "Paracetamol 500 mg (box 100)", "box"),
    Row("AMOX250", "Amoxicillin 250 mg (box 20)", "box"),
    Row("BAND01", "Bandage roll 5 cm", "roll"),
    Row("PARA1000", "Paracetamol 1 g (box 50)", "box"),
]


def fake_search(query: str) -> list[Row]:
    q = query.lower()
    return [r for r in ROWS if q in r.code.lower() or q in r.name.lower()]


class DialogApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.result = "unset"

    def on_mount(self) -> None:
        def done(row) -> None:
            self.result = row

        self.push_screen(LookupDialog("Find item", fake_search), done)


async def wait_rows(pilot, dialog: LookupDialog, count: int) -> None:
    await wait_for(pilot, lambda: len(dialog.rows) == count, lambda: f"{count} rows, not {len(dialog.rows)}")


async def test_lookup_filters_and_returns_the_chosen_row():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        await wait_rows(pilot, dialog, 4)
        await pilot.press(*"para")
        await wait_for(pilot, lambda: dialog.loaded_query == "para", "the rows for 'para'")
        await wait_rows(pilot, dialog, 2)
        options = dialog.query_one("#lookup-rows", OptionList)
        assert options.option_count == 2
        assert dialog.highlighted_row.code == "PARA500"
        await pilot.press("down")
        assert dialog.highlighted_row.code == "PARA1000"
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == Row("PARA1000", "Paracetamol 1 g (box 50)", "box")


async def test_lookup_escape_cancels():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_rows(pilot, app.screen, 4)
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


async def test_enter_right_after_typing_picks_the_new_first_match():
    """Enter pressed before the debounced search ran still picks from the new query."""
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_rows(pilot, dialog, 4)
        await pilot.press(*"band", "enter")
        await wait_for(pilot, lambda: app.result != "unset", "a row picked")
        assert app.result.code == "BAND01"


async def test_nothing_found_says_so():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_rows(pilot, dialog, 4)
        await pilot.press(*"zzz")
        bar = dialog.query_one("#lookup-message")
        await wait_for(pilot, lambda: "'zzz'" in bar.text, "the nothing-found message")
        assert "Nothing matches 'zzz'" in bar.text
        assert dialog.rows == []
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "unset"  # nothing to pick; the dialog stays


class FieldScreen(ShopScreen):
    def compose_body(self) -> ComposeResult:
        yield CodeInput(id="field-item", label="Item", search=fake_search)

    def on_code_input_picked(self, event: CodeInput.Picked) -> None:
        self.picked = event.row


class FieldApp(App):
    actor = None
    last_status = None

    @property
    def services(self):
        raise RuntimeError("no services in this test")

    def on_mount(self) -> None:
        self.push_screen(FieldScreen())


async def test_f2_on_a_code_field_fills_it():
    app = FieldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        field = screen.query_one("#field-item", CodeInput)
        assert field.has_focus
        await pilot.press(*"amox")
        await pilot.press("f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LookupDialog)
        await wait_rows(pilot, dialog, 1)  # seeded with what was typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert field.value == "AMOX250"
        assert screen.picked.name.startswith("Amoxicillin")
        assert field.has_focus


async def test_lookup_search_error_is_shown_not_raised():
    def broken(query: str):
        raise RuntimeError("database is locked")

    class BrokenApp(App):
        def on_mount(self) -> None:
            self.push_screen(LookupDialog("Find", broken))

    app = BrokenApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#lookup-message").kind == "error", "the error shown")
        assert "database is locked" in app.screen.query_one("#lookup-message").text


async def test_a_long_detail_is_read_whole_at_80_columns():
    """The Sales Receipt's open invoices: '… CDF open' was cut to '… CDF ope'."""
    rows = [Row("261201SI000002", "Kinshasa Pharma", "credit 47,600.00 CDF open"),
            Row("261201SI000001", "Walk-In Customer", "cash 1.71 USD open")]

    class App80(App):
        def on_mount(self) -> None:
            self.push_screen(LookupDialog("Open invoices (cash first)", lambda q: rows))

    app = App80()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await wait_rows(pilot, dialog, 2)
        options = dialog.query_one("#lookup-rows", OptionList)
        first = options.get_option_at_index(0).prompt.plain
        assert first.startswith("261201SI000002  Kinshasa Pharma")
        assert first.endswith("  credit 47,600.00 CDF open")
        assert len(first) <= options.size.width


async def test_the_name_column_keeps_its_width_from_one_search_to_the_next():
    """The F2 item finder at 80 columns (the demo's rows, as the tour saw them): the name column followed
    each row's detail (BAND01's name ended 3 columns before AMOX250's, ORS01's 6), and it moved again as
    the cashier typed. Now every row's detail starts in the same column, in every search: the widest
    detail ('0.35 USD · avail 2,000 SACHET', 29) whole, the name the 31 columns left of 74."""
    items = [Row("ALCO70", "Alcohol 70 % (bottle 500 ml)", "2.10 USD · avail 300 BTL"),
             Row("AMOX250", "Amoxicillin 250 mg (box 20)", "7.99 USD · avail 200 BOX"),
             Row("BAND01", "Bandage roll 5 cm", "1.25 USD · avail 1,000 ROLL"),
             Row("ORS01", "Oral rehydration salts (sachet)", "0.35 USD · avail 2,000 SACHET"),
             Row("SALB100", "Salbutamol inhaler 100 mcg", "4.99 USD · avail 80 PCS")]

    def search(query: str) -> list[Row]:
        q = query.lower()
        return [r for r in items if q in r.code.lower() or q in r.name.lower()]

    class App80(App):
        def on_mount(self) -> None:
            self.push_screen(LookupDialog("Find item (line 1)", search))

    app = App80()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        options = dialog.query_one("#lookup-rows", OptionList)
        starts = {}
        for query, count, keys in (("", 5, ()), ("a", 5, ("a",)), ("am", 2, ("m",)), ("ba", 1, ("backspace", "backspace", "b", "a"))):
            await pilot.press(*keys)
            await wait_for(pilot, lambda: dialog.loaded_query == query and len(dialog.rows) == count, query)
            shown = [options.get_option_at_index(i).prompt.plain for i in range(count)]
            starts[query] = {line.index(r.detail) for line, r in zip(shown, dialog.rows)}
            assert all(len(line) <= options.size.width for line in shown)
        assert starts == {"": {45}, "a": {45}, "am": {45}, "ba": {45}}  # 12 code + 31 name + 2 (74 wide)
        assert shown == ["BAND01      Bandage roll 5 cm                1.25 USD · avail 1,000 ROLL"]


async def test_the_count_reads_right_in_french_for_one_row_and_many():
    """'1 trouvés' (a plural for one row) read wrong: 'Résultats : 1' / 'Résultats : 4'."""
    from shopterm.core import i18n

    i18n.set_language("fr")
    try:
        app = DialogApp()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = app.screen
            await wait_rows(pilot, dialog, 4)
            bar = dialog.query_one("#lookup-message")
            await wait_for(pilot, lambda: bar.text == "Résultats : 4", lambda: bar.text)
            await pilot.press(*"band")
            await wait_rows(pilot, dialog, 1)
            await wait_for(pilot, lambda: bar.text == "Résultats : 1", lambda: bar.text)
        assert i18n._("{field}: {count} open").format(field="N° facture", count=1) == "N° facture : 1 en cours"
    finally:
        i18n.set_language("en")
