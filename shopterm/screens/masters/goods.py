"""Goods masters: Items, Batches (per item, with stock; read-mostly) and Suppliers (DESIGN §9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core import money
from shopterm.screens.base.counter import AutoValue
from shopterm.screens.masters.base import STATUS_COLUMN, CodeNameScreen, F, MasterScreen, RefInput, fmt
from shopterm.screens.base.document import DocumentScreen
from shopterm.widgets.dialogs import move_highlight
from shopterm.widgets.master_list import ListColumn
from shopterm.core.i18n import N_, _, pgettext

if TYPE_CHECKING:
    from shopterm.services.masters.goods import BatchInfo

__all__ = ["BatchesScreen", "ItemScreen", "SupplierScreen"]


class ItemScreen(MasterScreen):
    """Item master: unit, pack size, tax rate, last purchase cost, barcode."""

    DOCUMENT_TITLE = N_("Item")
    ENTITY, NOUN = "item", N_("Item")
    IMPORT_KIND = "items"
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("e.g. PARA500")),
        F("unit", N_("Unit"), default="PCS", max_length=10),
        F("name", N_("Item name"), required=True, wide=True),
        F("pack_size", N_("Pack size"), "qty", default="1"),
        F("tax_rate", N_("Tax %"), "percent", default="16"),
        F("cost_usd", N_("Last cost $"), "money", default="0.00"),
        F("barcode", N_("Barcode"), max_length=40, placeholder=N_("scan or type")),
        F("inactive", N_("Inactive?"), "flag", default=False),
    )
    HINT = N_("F5 on a saved item shows its batches and stock (Batches screen). A barcode scanned at the counter picks the item.")
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 10), ListColumn(N_("Item name"), "name", 30), ListColumn(N_("Unit"), "unit", 5),
                    ListColumn(N_("Tax %"), "tax_rate", 6, ">"), ListColumn(N_("Cost $"), "cost_usd", 9, ">"), STATUS_COLUMN)
    HAS_DETAILS = True

    def action_details(self) -> None:
        if self.key is not None:
            self.app.push_screen(BatchesScreen(self.key))


class SupplierScreen(CodeNameScreen):
    DOCUMENT_TITLE = N_("Supplier")
    ENTITY, NOUN = "supplier", N_("Supplier")
    IMPORT_KIND = "suppliers"


def batch_line(b: BatchInfo) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{b.code:<10}", style="bold")
    text.append(f"{fmt('date', b.expiry) or '—':<11}{fmt('date', b.mfg_date) or '—':<11}{(b.supplier or ''):<9}"
                f"{(b.supplier_batch_no or '')[:10]:<11}{money.format_amount(b.cost_usd):>9}"
                f"{money.format_qty(b.stock):>11}")
    return text


def batch_header() -> str:
    """The batch list's column heads in the reader's language (short forms: they fit the columns)."""
    def head(word: str, width: int, right: bool = False) -> str:
        word = word[:width - 1]
        return f"{word:>{width}}" if right else f"{word:<{width}}"

    return (head(pgettext("batch column", "Batch"), 10) + head(pgettext("batch column", "Expiry"), 11)
            + head(pgettext("batch column", "Mfg"), 11) + head(pgettext("batch column", "Supplier"), 9)
            + head(pgettext("batch column", "Supp. no"), 11) + head(pgettext("batch column", "Cost $"), 9, True)
            + head(pgettext("batch column", "Stock"), 11, True))


class BatchesScreen(DocumentScreen):
    """The batches of an item with their stock (Σ stock moves), first expiry first; read-only.

    Batches are created by stock receipts (GRN) and direct returns; F4 shows the
    history of the highlighted batch.
    """

    DOCUMENT_TITLE = N_("Batches")
    SUPPORTS = frozenset({"history"})
    BINDINGS = [Binding("down", "move(1)", show=False), Binding("up", "move(-1)", show=False)]

    def __init__(self, item: str = "") -> None:
        super().__init__()
        self.item = item
        self.rows: list[BatchInfo] = []

    def compose_document(self) -> ComposeResult:
        with Horizontal(classes="mf-row"):
            with Horizontal(classes="mf-cell"):
                yield Label(_("Item") + "*", classes="mf-label")
                yield RefInput(self.item, field_name="item", label=_("Item"), lookup="item", id="mf-item",
                               classes="mf-ref")
                yield AutoValue("", id="mf-item-hint", classes="mf-hint-value")
            with Horizontal(classes="mf-cell"):
                yield Label(_("Location"), classes="mf-label")
                yield RefInput("", field_name="location", label=_("Location"), lookup="location", id="mf-location",
                               classes="mf-ref", placeholder=pgettext("every location", "all"))
        yield Static(Text(batch_header(), style="bold"), id="batch-header", classes="eg-header", markup=False)
        yield OptionList(id="batch-rows", classes="details-list")
        yield Static(_("Enter on the item or location shows its batches · F4 history of the highlighted batch"),
                     classes="mf-hint", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#batch-rows", OptionList).can_focus = False
        self.query_one("#mf-item", RefInput).focus()
        if self.item:
            self.load()

    @on(RefInput.Picked)
    def _picked(self, event: RefInput.Picked) -> None:
        if event.input.id == "mf-item":
            self.query_one("#mf-item-hint", AutoValue).set(event.row.name)
        self.load()

    @on(RefInput.Submitted)
    def _submitted(self, event: RefInput.Submitted) -> None:
        self.load()

    def load(self) -> None:
        item = self.query_one("#mf-item", RefInput).value.strip()
        location = self.query_one("#mf-location", RefInput).value.strip() or None
        if not item:
            return
        self.run_service(lambda: self.services.masters.batches(item, location=location), self._loaded,
                         busy_text=_("Loading…"))

    def _loaded(self, rows: list[BatchInfo]) -> None:
        self.rows = list(rows)
        options = self.query_one("#batch-rows", OptionList)
        options.set_options(Option(batch_line(b)) for b in self.rows)
        if self.rows:
            options.highlighted = 0
            total = sum((b.stock for b in self.rows), start=type(self.rows[0].stock)(0))
            self.show_info(_("{count} batch(es), stock {qty}").format(count=len(self.rows), qty=money.format_qty(total)))
        else:
            self.show_info(_("No batch: stock is received with a Stock Receipt (GRN)"))
        self.dirty = False
        self.refresh_bindings()

    def action_move(self, delta: int) -> None:
        move_highlight(self.query_one("#batch-rows", OptionList), len(self.rows), delta)

    def action_state(self, action: str) -> bool | None:
        if action == "history":
            return bool(self.rows) or None
        return True

    def action_history(self) -> None:
        options = self.query_one("#batch-rows", OptionList)
        if not self.rows or options.highlighted is None:
            return
        batch = self.rows[options.highlighted]
        self.open_history(lambda: self.services.masters.history("batch", batch.id), title=_("History · batch {code}").format(code=batch.code))
