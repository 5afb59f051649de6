"""Shop Close (seed "Shop Close"; its intro text is under the seed's "Sales
Commission Payment" heading, DESIGN §13; DESIGN §5).

The manager reconciles the till at the end of the day. Header (seed table)::

    Doc date*  [2026-11-23  ]  Location*  [AXP   ]  Doc No  (assigned on save)
    Rate CDF*  [2850       ]  Cash CDF*  [1110   ]  Cash USD*  [1100   ]  USD/CDF

Doc Date*, Location*, Document No (auto), Exchange Rate (to CDF)* (typed; the
day's system rate by default; further from it than the Shop Setup tolerance
needs a manager's approval), Cash Ledger (CDF)* and (USD)* (typed or F2, which
lists the cash accounts of that currency; the Shop Setup's by default: the
ledgers whose cash is reconciled and take the shortage/excess), Currency
(auto). Tabs, switched with F5/F6 (F9 jumps to the voucher):

* Details — opening balance, cash sales (+), cash sales return (−), receipt
  (+), payment (−), sub total, money exchanged (+)/(−), other transfers,
  closing balance, per currency in two columns USD | CDF; the manager types
  the physical cash; difference, excess/shortage and the day's exchange
  gain/loss follow at once (``services.day.close_figures`` in a worker).
* Cash Denomination — a count per note; the totals fill the physical cash.
* Inventory — Inventory Posting: every batch on hand with a "Counted" cell; the
  manager types the quantity counted (blank = not counted, no adjustment; Enter
  moves down) and sees the difference and its value at cost per line and in
  total, read as the cash's (on hand − counted, + = short; the total in words,
  "4.80 short"); the close moves each counted batch to its count and posts the value
  (Dr 5100 shrinkage / Cr 1300 inventory; a surplus the reverse). The day's
  stock movements are listed under the count.
* Summary — the day's documents by type, with count and total; unpaid cash
  invoices are listed in words.
* Voucher — what the close will post: the cash shortage/excess at the rate typed
  and the Inventory Posting lines of the counts typed (the posted voucher once
  closed).

A closed day (opened from F3, or after Ctrl+S) shows what was posted, read-only:
its rate and ledgers, the cash typed and counted by note, the Inventory Posting
counts (on hand then, counted, difference, value), the voucher.

Ctrl+S closes the day (``services.day.close_day``); a shortage above the
location's tolerance opens the manager-approval dialog and retries with the
approver.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane, Tabs

from shopterm.core.close import DENOMINATIONS, count_denominations, difference_words, read_count, signed_qty, stock_short
from shopterm.core.doctypes import move_kind_name
from shopterm.core.errors import CloseError
from shopterm.core.i18n import N_, _
from shopterm.core.money import Currency, format_qty, format_rate
from shopterm.screens.base.counter import (
    NOT_YET,
    AutoValue,
    CounterScreen,
    Defaults,
    amount,
    amount_text,
    gain_text,
    open_document_list,
    run_preview,
)
from shopterm.screens.registry import MANAGER, ScreenEntry, register, register_first
from shopterm.widgets.inputs import CodeInput, DateInput, MoneyInput, RateInput
from shopterm.widgets.messages import describe_error

if TYPE_CHECKING:
    import datetime as dt

    from shopterm.services.cash.day import CloseSummary, CountedBatch, CountLine
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView

USD, CDF = Currency.USD, Currency.CDF

#: The Details rows: (label, CloseFigures attribute).
DETAIL_ROWS: tuple[tuple[str, str], ...] = (
    (N_("Opening balance"), "opening"),
    (N_("Cash sales (+)"), "cash_sales"),
    (N_("Cash sales return (-)"), "cash_returns"),
    (N_("Receipt (+)"), "receipts"),
    (N_("Payment (-)"), "payments"),
    (N_("Sub total cash received"), "sub_total"),
    (N_("Money exchanged (+)"), "exchanged_in"),
    (N_("Money exchanged (-)"), "exchanged_out"),
    (N_("Other transfers/exch."), "other_transfers"),
    (N_("Closing balance"), "closing"),
)

#: The Inventory Posting heads (Item, Name, Batch, On hand, Counted, Difference, Value USD). The difference reads
#: as the cash's (DESIGN §5, closing − physical, + = short): on hand − counted, + = short (core.close.stock_short).
COUNT_HEADS = (N_("Item"), N_("Name"), N_("Batch"), N_("On hand"), N_("Counted"), N_("Diff. (+short)"),
               N_("Value USD"))

TABS = ("tab-details", "tab-denominations", "tab-inventory", "tab-summary", "tab-voucher")


def _note_id(ccy: Currency, note: Decimal) -> str:
    return f"count-{ccy.value.lower()}-{note}"


def close_description(view: DocumentView) -> str:
    """A close in the F3 list: ``2,800 1100/1110`` — its rate (CDF per USD) and its USD/CDF cash ledgers."""
    extra = getattr(view, "extra", None) or {}
    return f"{format_rate(view.rate)} {extra.get('cash_ledger_usd', '')}/{extra.get('cash_ledger_cdf', '')}"


@dataclass(frozen=True)
class _VoucherRow:
    """A close voucher line in the shape ``voucher_view.render_voucher`` draws."""

    account: str
    account_name: str
    debit: Decimal
    credit: Decimal
    currency: str
    amount: Decimal
    customer: str | None = None
    memo: str = ""


class ShopCloseScreen(CounterScreen):
    """Count the till, see the day, close it."""

    DOCUMENT_TITLE = N_("Shop Close")
    SUPPORTS = frozenset({"new", "save", "save_print", "reprint", "list", "history", "voucher"})
    LIST_TITLE = N_("Shop Close records")
    DOC_TYPE = "CL"
    AUTO_FOCUS = "#field-physical-usd"

    BINDINGS = [
        Binding("f5", "tab(-1)", N_("◂Tab"), id="close.prev_tab", key_display="F5"),
        Binding("f6", "tab(1)", N_("Tab▸"), id="close.next_tab", key_display="F6"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summary: CloseSummary | None = None  # the last CloseSummary shown
        self.loaded_key: tuple[str, dt.date] | None = None  # (location, date) the figures are for
        self._tab = TABS[0]
        self._tables_shown: tuple | None = None
        self._voucher_shown: tuple | None = None
        self.count_lines: tuple[CountLine, ...] = ()  # the batches on the Inventory tab (services.day.count_sheet)
        self._header_pending = False  # the rate and cash ledgers wait for the day's defaults
        self._posted_counts_shown: tuple | None = None  # a closed day's counts on the Inventory tab

    # -- layout -----------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with Horizontal(classes="cf-row"):
            yield Label(_("Doc date*"), classes="cl-label")
            yield DateInput(id="field-date", label=_("Doc date"), required=True, classes="cl-date")
            yield Label(_("Location*"), classes="cf-label2")
            yield CodeInput(id="field-location", label=_("Location"), required=True, lookup_kind="location",
                            classes="cl-code")
            yield Label(_("Doc No"), classes="cf-label2")
            yield AutoValue(_(NOT_YET), id="document-no")
        with Horizontal(classes="cf-row"):
            yield Label(_("Rate CDF*"), classes="cl-label")
            yield RateInput(id="field-rate", label=_("Exchange rate (to CDF)"), field_name="rate", required=True,
                            max_length=14, classes="cl-rate")
            yield Label(_("Cash CDF*"), classes="cf-label2")
            yield CodeInput(id="field-cash-cdf", label=_("Cash Ledger (CDF)"), field_name="cash_ledger_cdf",
                            required=True, lookup_kind="cash_account:CDF", lookup_title=_("Cash accounts (CDF)"),
                            max_length=20, classes="cl-code")
            yield Label(_("Cash USD*"), classes="cf-label2")
            yield CodeInput(id="field-cash-usd", label=_("Cash Ledger (USD)"), field_name="cash_ledger_usd",
                            required=True, lookup_kind="cash_account:USD", lookup_title=_("Cash accounts (USD)"),
                            max_length=20, classes="cl-code")
            yield AutoValue("USD/CDF", id="close-currency", classes="cl-auto")
        with TabbedContent(id="close-tabs"):
            with TabPane(_("Details"), id="tab-details"):
                yield from self._compose_details()
            with TabPane(_("Denomination"), id="tab-denominations"):
                yield from self._compose_denominations()
            with TabPane(_("Inventory"), id="tab-inventory"):
                yield from self._compose_count()
            with TabPane(_("Summary"), id="tab-summary"):
                yield DataTable(id="summary-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="unpaid-invoices", markup=False)
            with TabPane(_("Voucher"), id="tab-voucher"):
                with VerticalScroll(id="voucher-scroll"):
                    yield Static("", id="voucher-text", markup=False)

    def _compose_details(self) -> ComposeResult:
        with Grid(id="details-grid"):
            yield Label("", classes="dg-label")
            yield Label("USD", classes="dg-head")
            yield Label("CDF", classes="dg-head")
            for label, attr in DETAIL_ROWS:
                bold = " dg-total" if attr in ("sub_total", "closing") else ""
                yield Label(_(label), classes=f"dg-label{bold}")
                yield AutoValue("", id=f"usd-{attr}", classes=f"dg-num{bold}")
                yield AutoValue("", id=f"cdf-{attr}", classes=f"dg-num{bold}")
            yield Label(_("Physical cash*"), classes="dg-label dg-total")
            # right-aligned under the figures of their currency
            with Horizontal(classes="dg-right"):
                yield MoneyInput(id="field-physical-usd", label=_("Physical cash (USD)"), field_name="physical_usd",
                                 classes="dg-input")
            with Horizontal(classes="dg-right"):
                yield MoneyInput(id="field-physical-cdf", label=_("Physical cash (CDF)"), field_name="physical_cdf",
                                 classes="dg-input")
            yield Label(_("Difference (+short)"), classes="dg-label")
            yield AutoValue("", id="usd-difference", classes="dg-num")
            yield AutoValue("", id="cdf-difference", classes="dg-num")
            yield Label(_("Cash excess/shortage"), classes="dg-label")
            yield AutoValue("", id="usd-excess", classes="dg-num")
            yield AutoValue("", id="cdf-excess", classes="dg-num")
            yield Label(_("Gain / Loss (in USD)"), classes="dg-label")
            yield AutoValue("", id="gain-usd", classes="dg-num")
            yield AutoValue("", id="close-verdict", classes="dg-note")

    def _compose_denominations(self) -> ComposeResult:
        with Horizontal(id="denom-box"):
            for ccy in (USD, CDF):
                with Vertical(classes="denom-col"):
                    with Grid(classes="denom-grid"):
                        for text in (_("{currency} note").format(currency=ccy.value), _("Count"), _("Total")):
                            yield Label(text, classes="denom-head")
                        for note in DENOMINATIONS[ccy]:
                            yield Label(format_qty(Decimal(note)), classes="denom-note")
                            yield Input(id=_note_id(ccy, note), restrict=r"\d*", max_length=6,
                                        classes="denom-count")
                            yield AutoValue("", id=f"total-{_note_id(ccy, note)}", classes="denom-num")
                        yield Label(_("Total {currency}").format(currency=ccy.value), classes="denom-note dg-total")
                        yield Label("")
                        yield AutoValue("", id=f"denom-total-{ccy.value.lower()}", classes="denom-num dg-total")

    def _compose_count(self) -> ComposeResult:
        with VerticalScroll(id="count-scroll"):
            with Grid(id="count-grid"):
                for head in COUNT_HEADS:
                    yield Label(_(head), classes="count-head")
            yield DataTable(id="inventory-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="count-total-row"):
            yield Label(_("Counted difference at cost (USD)"), classes="dg-label dg-total")
            yield AutoValue("", id="count-total", classes="dg-num dg-total")

    # -- defaults and loading ------------------------------------------------------

    def on_mount(self) -> None:
        # (CounterScreen.on_mount runs too and reads the defaults)
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # F5/F6 switch the tab; Tab/Enter go from the header to the tab's fields
        for table_id, columns in (("#inventory-table", (_("Item"), _("Name"), _("Batch"), _("Movement"), _("Qty"))),
                                  ("#summary-table", (_("Type"), _("Document"), _("Count"), _("Total USD"),
                                                      _("Cancelled")))):
            self.query_one(table_id, DataTable).add_columns(*columns)

    def form_fields(self) -> list[Any]:
        return list(self.query(Input))

    def apply_defaults(self, defaults: Defaults) -> None:
        date = self.query_one("#field-date", DateInput)
        if not date.value:
            date.set_value(defaults.today)  # the open day (the business date)
        location = self.query_one("#field-location", CodeInput)
        if not location.value:
            location.value = defaults.location
        self._load()

    @on(Input.Submitted, "#field-date, #field-location")
    def _header_entered(self, event: Input.Submitted) -> None:
        self._load()

    def on_descendant_blur(self, event: Any) -> None:
        widget_id = getattr(event.widget, "id", None)
        if widget_id in ("field-date", "field-location"):
            self._load()
        elif widget_id in ("field-cash-cdf", "field-cash-usd") and not self.posted:
            self._preview()

    def _key(self) -> tuple[str, dt.date] | None:
        date = self.query_one("#field-date", DateInput).date_value
        location = self.query_one("#field-location", CodeInput).code
        if date is None or location is None:
            return None
        return location, date

    def _load(self, *, force: bool = False) -> None:
        """(Re)read the day's figures for the header's location and date."""
        if self.posted and not force:
            return
        key = self._key()
        if key is None or (key == self.loaded_key and not force):
            return
        self.loaded_key = key
        # a new day: its rate and the Shop Setup's cash ledgers come with its figures
        self._header_pending = True
        for widget_id in ("#field-rate", "#field-cash-cdf", "#field-cash-usd"):
            self.query_one(widget_id, Input).value = ""
        self._preview(key)
        if not self.posted:
            self._load_count_sheet(key[0])

    # -- live figures ------------------------------------------------------------------

    def _counts(self) -> dict[str, dict[str, int]] | None | bool:
        """The denomination counts typed (``{"USD": {"20": 2}}``); None when none; False if unreadable."""
        counts: dict[str, dict[str, int]] = {}
        for ccy in (USD, CDF):
            for note in DENOMINATIONS[ccy]:
                text = self.query_one(f"#{_note_id(ccy, note)}", Input).value.strip()
                if not text:
                    continue
                if not text.isdigit():
                    return False
                if int(text):
                    counts.setdefault(ccy.value, {})[format(note, "f")] = int(text)
        return counts or None

    def _physical(self, ccy: Currency) -> Decimal | None | bool:
        widget = self.query_one(f"#field-physical-{ccy.value.lower()}", MoneyInput)
        if not widget.value.strip():
            return None
        value = widget.decimal_value
        return False if value is None else value

    def _rate(self) -> Decimal | None | bool:
        """The rate typed: None when blank (the day's rate), False while unreadable."""
        widget = self.query_one("#field-rate", RateInput)
        if not widget.value.strip():
            return None
        value = widget.decimal_value
        return False if value is None else value

    def _ledgers(self) -> tuple[str | None, str | None]:
        """The Cash Ledger (USD) and (CDF) typed (None when blank: the Shop Setup's)."""
        return tuple(self.query_one(i, CodeInput).value.strip() or None  # type: ignore[return-value]
                     for i in ("#field-cash-usd", "#field-cash-cdf"))

    def _preview(self, key: tuple[str, dt.date] | None = None) -> None:
        key = key or self.loaded_key
        if key is None:
            return
        usd, cdf = self._physical(USD), self._physical(CDF)
        counts = self._counts()
        rate = self._rate()
        if usd is False or cdf is False or counts is False or rate is False:
            return  # unfinished typing: keep the last figures
        ledger_usd, ledger_cdf = self._ledgers()
        stock_counts = None if self.posted else (self._read_counts()[0] or None)
        location, date = key
        services = lambda: self.services  # noqa: E731 - read in the worker thread

        def call() -> CloseSummary:
            return services().day.close_figures(location, date, physical_usd=usd, physical_cdf=cdf,
                                                denominations=counts, rate=rate, cash_ledger_usd=ledger_usd,
                                                cash_ledger_cdf=ledger_cdf, counts=stock_counts)

        run_preview(self, call, self._show_summary, self._preview_failed)

    @on(Input.Changed, "#field-rate")
    def _rate_typed(self, event: Input.Changed) -> None:
        if not self.posted and not self._header_pending:
            self._preview()

    @on(Input.Submitted, "#field-cash-cdf, #field-cash-usd")
    @on(CodeInput.Picked, "#field-cash-cdf, #field-cash-usd")
    def _ledger_entered(self, event: Any) -> None:
        if not self.posted:
            self._preview()

    @on(Input.Changed, "#field-physical-usd, #field-physical-cdf")
    def _physical_typed(self, event: Input.Changed) -> None:
        if not self.posted:
            self._preview()

    @on(Input.Changed, ".denom-count")
    def _count_typed(self, event: Input.Changed) -> None:
        if self.posted:
            return
        for ccy, total in self._show_denomination_totals().items():
            if total is not None:
                # the count fills the physical cash of its currency
                physical = self.query_one(f"#field-physical-{ccy.value.lower()}", MoneyInput)
                physical.value = amount_text(total)
        self._preview()

    def _show_denomination_totals(self) -> dict[Currency, Decimal | None]:
        """Each note's amount and each currency's total from the counts shown (None: nothing counted)."""
        totals: dict[Currency, Decimal | None] = {}
        for ccy in (USD, CDF):
            counts: dict[Decimal, int] = {}
            for note in DENOMINATIONS[ccy]:
                text = self.query_one(f"#{_note_id(ccy, note)}", Input).value.strip()
                count = int(text) if text.isdigit() else 0
                line = count_denominations({note: count}, ccy) if count else None
                self.query_one(f"#total-{_note_id(ccy, note)}", AutoValue).set(amount(line))
                counts[note] = count
            total = count_denominations(counts, ccy) if any(counts.values()) else None
            self.query_one(f"#denom-total-{ccy.value.lower()}", AutoValue).set(amount(total))
            totals[ccy] = total
        return totals

    # -- Inventory Posting ---------------------------------------------------------------

    def _load_count_sheet(self, location: str) -> None:
        services = lambda: self.services  # noqa: E731 - read in the worker thread
        run_preview(self, lambda: services().day.count_sheet(location), self._show_count_sheet,
                    self._preview_failed, group="count-sheet")

    def _show_count_sheet(self, lines: tuple[CountLine, ...]) -> None:
        if self.posted:
            return  # a closed day shows its posted counts
        if lines == self.count_lines and self.query(".count-cell"):
            return
        self.count_lines = lines
        self.call_later(self._rebuild_count_sheet, lines)

    async def _rebuild_count_sheet(self, lines: tuple[CountLine, ...]) -> None:
        """The count cells for ``lines`` (the old ones gone first: the new ones reuse their ids)."""
        if lines != self.count_lines or self.posted:
            return  # a newer sheet is on its way, or the day is closed
        grid = self.query_one("#count-grid", Grid)
        await grid.remove_children(".count-cell")
        cells: list[Any] = []
        for n, line in enumerate(lines):
            cells += [
                Label(line.item_code, classes="count-cell"),
                Label(line.item_name[:20], classes="count-cell count-name"),
                Label(line.batch_code, classes="count-cell"),
                Label(format_qty(line.on_hand), classes="count-cell count-num"),
                Input(id=f"counted-{n}", max_length=12, classes="count-cell stock-count", disabled=self.posted),
                AutoValue("", id=f"count-diff-{n}", classes="count-cell count-num"),
                AutoValue("", id=f"count-value-{n}", classes="count-cell count-num"),
            ]
        if not lines:
            cells = [Label(_("No stock on hand at this location"), classes="count-cell count-none")]
        await grid.mount_all(cells)
        if not self.posted:
            self.query_one("#count-total", AutoValue).set("")

    def _read_counts(self) -> tuple[list[dict[str, str]], Decimal, int | None, str | None]:
        """(counts for the service, total value short (+) / over (−), first bad line, its message) from the
        cells typed."""
        counts: list[dict[str, str]] = []
        total = Decimal("0.00")
        bad: int | None = None
        message: str | None = None
        for n, line in enumerate(self.count_lines):
            cells = self.query(f"#counted-{n}")
            if not cells:
                continue
            try:
                qty = read_count(cells.first(Input).value, line.unit)
            except CloseError as exc:
                if bad is None:
                    bad, message = n, _("Inventory line {n} ({item} {batch}): {error}").format(
                        n=n + 1, item=line.item_code, batch=line.batch_code, error=str(exc))
                continue
            if qty is None:
                continue
            total += stock_short(line.on_hand, qty, line.unit_cost_usd)[1]
            counts.append({"item": line.item_code, "batch": line.batch_code, "qty": format(qty, "f")})
        return counts, total, bad, message

    @on(Input.Changed, ".stock-count")
    def _stock_count_typed(self, event: Input.Changed) -> None:
        if self.posted or not event.input.id or not self.count_lines:
            return
        n = int(event.input.id.rsplit("-", 1)[1])
        line = self.count_lines[n]
        try:
            qty = read_count(event.value, line.unit)
        except CloseError:
            qty = None  # unfinished or wrong: said on Enter and on Ctrl+S
        if qty is None:
            diff_text = value_text = ""
        else:
            short, value = stock_short(line.on_hand, qty, line.unit_cost_usd)
            diff_text, value_text = signed_qty(short), amount(value, signed=True)
        self.query_one(f"#count-diff-{n}", AutoValue).set(diff_text)
        self.query_one(f"#count-value-{n}", AutoValue).set(value_text)
        counts, total, _bad, _message = self._read_counts()
        self.query_one("#count-total", AutoValue).set(difference_words(total) if counts else "")
        self._preview()  # the Voucher tab shows the count's lines

    @on(Input.Submitted, ".stock-count")
    def _stock_count_entered(self, event: Input.Submitted) -> None:
        if self.posted:
            return
        _counts, _total, bad, message = self._read_counts()
        if message is not None:
            self.show_error(message)
        elif self.message_bar.kind == "error":
            self.clear_message()

    def _preview_failed(self, exc: BaseException) -> None:
        message, field = describe_error(exc)
        self.query_one("#close-verdict", AutoValue).set(_("Error: {error}").format(error=message))
        self.message_bar.show_error(message)

    def _show_summary(self, s: CloseSummary) -> None:
        self.summary = s
        if self.message_bar.kind == "error":
            self.clear_message()
        if self._header_pending or s.status == "closed":
            self._fill_header(s)
        for ccy, fig in (("usd", s.usd), ("cdf", s.cdf)):
            for _label, attr in DETAIL_ROWS:
                self.query_one(f"#{ccy}-{attr}", AutoValue).set(amount(getattr(fig, attr)))
            # closing − physical (+ short, DESIGN §5) and the same in words; nothing counted: no figure
            self.query_one(f"#{ccy}-difference", AutoValue).set(amount(fig.difference) if s.counted else "")
            self.query_one(f"#{ccy}-excess", AutoValue).set(difference_words(fig.difference, counted=s.counted))
        self.query_one("#gain-usd", AutoValue).set(gain_text(s.exchange_gain_usd))
        self.query_one("#close-verdict", AutoValue).set(self._verdict(s))
        if s.status == "closed":
            # the day is closed: show it as it was closed, read-only
            self._show_closed(s)
        # the tables change with the day, not with the count: redraw them only when they differ
        tables = (s.inventory, s.documents, s.unpaid_cash_invoices)
        if tables != self._tables_shown:
            self._tables_shown = tables
            self._fill_inventory(s)
            self._fill_summary(s)
        # the same rows read "posted" once the close is saved: the number is part of what is shown
        if (s.voucher, s.close_number) != self._voucher_shown:
            self._voucher_shown = (s.voucher, s.close_number)
            self._fill_voucher(s)

    def _fill_header(self, s: CloseSummary) -> None:
        """The day's rate and cash ledgers (its defaults; a closed day's own) into the header."""
        self._header_pending = False
        was_clean = not self.dirty
        self.query_one("#field-rate", RateInput).set_value(s.rate)
        self.query_one("#field-cash-cdf", CodeInput).value = s.cash_cdf_account
        self.query_one("#field-cash-usd", CodeInput).value = s.cash_usd_account
        if was_clean or self.posted:
            self.mark_clean()  # defaults are nothing typed

    def _verdict(self, s: CloseSummary) -> str:
        if s.status == "closed":
            return _("Closed: {number}").format(number=s.close_number)
        if s.status == "not_open":
            return _("This day was never opened")
        if s.rate_needs_approval:
            return _("Rate: needs approval")
        if not s.counted:
            return _("Type or count the cash")
        if s.needs_approval:
            return _("Shortage: needs approval")  # fits its column at 80 columns
        if s.usd.difference == 0 and s.cdf.difference == 0:
            return _("Cash matches")
        return _("Within tolerance")

    def _show_closed(self, s: CloseSummary) -> None:
        """A closed day as it was posted, read-only: the cash typed and counted by note, the counts."""
        self.posted = True
        self.query_one("#field-physical-usd", MoneyInput).set_value(s.usd.physical)
        self.query_one("#field-physical-cdf", MoneyInput).set_value(s.cdf.physical)
        for ccy in (USD, CDF):
            notes = (s.denominations or {}).get(ccy.value, {})
            for note in DENOMINATIONS[ccy]:
                count = notes.get(format(note, "f"))
                widget = self.query_one(f"#{_note_id(ccy, note)}", Input)
                widget.value = str(count) if count else ""
        self._show_denomination_totals()
        self.show_posted(s.close_number, "Closed")
        if s.stock_count != self._posted_counts_shown:
            self._posted_counts_shown = s.stock_count
            self.count_lines = ()
            self.call_later(self._rebuild_posted_counts, s.stock_count)

    async def _rebuild_posted_counts(self, counted: tuple[CountedBatch, ...]) -> None:
        """The Inventory tab of a closed day: each batch counted, as posted (nothing to type)."""
        if counted != self._posted_counts_shown:
            return  # another closed day is on its way
        grid = self.query_one("#count-grid", Grid)
        await grid.remove_children(".count-cell")
        cells: list[Any] = []
        for n, c in enumerate(counted):
            cells += [
                Label(c.item_code, classes="count-cell"),
                Label(c.item_name[:20], classes="count-cell count-name"),
                Label(c.batch_code, classes="count-cell"),
                Label(format_qty(c.on_hand), classes="count-cell count-num"),
                Input(format_qty(c.counted), id=f"counted-{n}", classes="count-cell stock-count", disabled=True),
                AutoValue(signed_qty(-c.difference), id=f"count-diff-{n}", classes="count-cell count-num"),
                AutoValue(amount(-c.value_usd, signed=True), id=f"count-value-{n}", classes="count-cell count-num"),
            ]
        if not counted:
            cells = [Label(_("No stock was counted at this close"), classes="count-cell count-none")]
        await grid.mount_all(cells)
        short = -sum((c.value_usd for c in counted), Decimal("0.00"))  # stored counted − on hand: + short here
        self.query_one("#count-total", AutoValue).set(difference_words(short) if counted else "")
        if self.posted:
            self.mark_clean()  # what is shown is what was posted

    def _fill_inventory(self, s: CloseSummary) -> None:
        """The day's stock movements, under the count."""
        table = self.query_one("#inventory-table", DataTable)
        table.clear()
        for line in s.inventory:
            table.add_row(line.item_code, line.item_name[:24], line.batch_code, move_kind_name(line.kind),
                          Text(format_qty(line.qty), justify="right"))
        if not s.inventory:
            table.add_row("", _("No stock moved on this day"), "", "", "")

    def _fill_summary(self, s: CloseSummary) -> None:
        table = self.query_one("#summary-table", DataTable)
        table.clear()
        for d in s.documents:
            table.add_row(d.doc_type, _(d.name), Text(str(d.count), justify="right"),
                          Text(amount(d.total_usd), justify="right"), Text(str(d.cancelled or ""), justify="right"))
        if not s.documents:
            table.add_row("", _("No documents on this day"), "", "", "")
        lines = []
        for u in s.unpaid_cash_invoices:
            lines.append(_("UNPAID cash invoice {number} {customer}: {amount} {currency} still open").format(
                number=u.number, customer=u.customer_name[:18], amount=amount(u.open_amount), currency=u.currency))
        if not lines:
            lines.append(_("Every cash invoice of the day is paid."))
        self.query_one("#unpaid-invoices", Static).update(Text("\n".join(lines)))

    def _fill_voucher(self, s: CloseSummary) -> None:
        rows = [
            _VoucherRow(v.account, v.account_name, v.amount_usd if v.amount_usd > 0 else Decimal("0.00"),
                        -v.amount_usd if v.amount_usd < 0 else Decimal("0.00"), v.currency, v.amount)
            for v in s.voucher
        ]
        widget = self.query_one("#voucher-text", Static)
        if not rows:
            widget.update(Text(_("No voucher: the counted cash matches the closing balance in both currencies "
                                 "and no stock count differs.")))
            return
        try:
            from shopterm.widgets.voucher_view import render_voucher
        except ImportError:  # the shared renderer is not there: a plain list
            widget.update(Text("\n".join(f"{r.account} {r.account_name} Dr {amount(r.debit)} Cr {amount(r.credit)}"
                                         for r in rows)))
            return
        note = _("posted") if s.close_number else _("to be posted on Ctrl+S")
        text = render_voucher(rows, width=74)
        text.append(f"\n({note})", style="dim")
        widget.update(text)

    # -- tabs -----------------------------------------------------------------------

    def action_list(self) -> None:
        """F3: the closes, each with its rate and cash ledgers (USD/CDF) in the name column."""
        open_document_list(self, self.DOC_TYPE, self.LIST_TITLE, self._listed, describe=close_description)

    def action_tab(self, step: int) -> None:
        self.show_tab(TABS[(TABS.index(self.tab) + step) % len(TABS)])

    def action_voucher(self) -> None:
        """F9: the voucher the close posts, in its tab."""
        self.show_tab("tab-voucher")

    @property
    def tab(self) -> str:
        """The tab on show (kept here: keys typed ahead must not read a tab still switching)."""
        return self._tab

    def show_tab(self, tab: str) -> None:
        self._tab = tab
        self.query_one("#close-tabs", TabbedContent).active = tab
        self._focus_tab(tab)

    @on(TabbedContent.TabActivated, "#close-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id if event.pane is not None else None
        if pane in TABS:
            self._tab = pane

    def _focus_tab(self, tab: str) -> None:
        target = {
            "tab-details": "#field-physical-usd",
            "tab-denominations": f"#{_note_id(USD, DENOMINATIONS[USD][0])}",
            "tab-inventory": "#counted-0" if self.query("#counted-0") else "#inventory-table",
            "tab-summary": "#summary-table",
            "tab-voucher": "#voucher-scroll",
        }[tab]
        widget = self.query_one(target)
        if widget.focusable:
            widget.focus()
        else:
            self.set_focus(None)

    # -- toolbar ------------------------------------------------------------------------

    def action_state(self, action: str) -> bool | None:
        if action == "voucher":
            return True
        # Keys that do nothing in this state are not shown (rather than greyed), so the French
        # footer fits 80 columns with F2 (a lookup field) or F12 (a closed day) in it.
        if action == "save" and self.posted:
            return False  # the day is closed: Ctrl+N for another
        if action == "history" and not self.document_number:
            return False  # nothing posted yet: no history
        return super().action_state(action)

    def action_new(self) -> None:
        self.start_new()
        for widget in self.query(".denom-num"):
            if isinstance(widget, AutoValue):
                widget.set("")
        self.loaded_key = None
        self.count_lines = ()
        self._posted_counts_shown = None
        self.finish_new()
        self.show_tab("tab-details")

    def action_save(self) -> None:
        if self.posted:
            self.show_info(_("This day is closed; Ctrl+N for another"))
            return
        if not self.check_fields(list(self.query(DateInput)) + list(self.query(CodeInput))
                                 + list(self.query(RateInput)) + list(self.query(MoneyInput))):
            return
        key = self._key()
        counts = self._counts()
        if key is None or counts is False:
            self.show_error(_("Denomination: a count must be a whole number"))
            return
        location, date = key
        stock_counts, _total, bad, message = self._read_counts()
        if message is not None:
            self.show_tab("tab-inventory")
            self.query_one(f"#counted-{bad}", Input).focus()
            self.show_error(message)
            return
        usd, cdf = self._physical(USD), self._physical(CDF)
        rate = self._rate()
        ledger_usd, ledger_cdf = self._ledgers()
        for ccy, value in ((USD, usd), (CDF, cdf)):
            if value is None and not (counts and ccy.value in counts):
                self.show_tab("tab-details")
                self.show_error(_("Physical cash ({currency}) is required: type it or count it by denomination")
                                .format(currency=ccy.value),
                                field=f"physical_{ccy.value.lower()}")
                return
        actor = self.actor
        services = lambda: self.services  # noqa: E731 - read in the worker thread

        def close(approver: str | None = None, pin: str | None = None) -> PostResult:
            return services().day.close_day(actor, location=location, date=date, physical_usd=usd,
                                            physical_cdf=cdf, denominations=counts, approver=approver,
                                            approver_pin=pin, counts=stock_counts or None, rate=rate,
                                            cash_ledger_usd=ledger_usd, cash_ledger_cdf=ledger_cdf)

        self.run_service(close, self._day_closed, busy_text=_("Closing the day…"),
                         with_approval=lambda approval: (lambda: close(approval.name, approval.pin)))

    def _day_closed(self, result: PostResult) -> None:
        self.show_posted(result.number, "Closed", result.document_id)
        self.show_ok(_("Day closed: {number}. No more transactions on this date").format(number=result.number))
        self.refresh_status()
        self._load(force=True)
        self.print_if_asked()

    def show_document(self, view: DocumentView) -> None:
        """A Shop Close chosen in the F3 list: its day, as closed."""
        self.posted = True  # no previews while its fields are put back
        for widget in self.query(".denom-count, .dg-input"):
            if isinstance(widget, Input):
                widget.value = ""
        self.query_one("#field-date", DateInput).set_value(view.date)
        self.query_one("#field-location", CodeInput).value = view.location
        self.show_posted(view.number, view.status.capitalize(), view.id)
        self.loaded_key = (view.location, view.date)
        self._preview(self.loaded_key)


# The Day menu: Shop Open, then Close.
register_first("shop_open")
register(ScreenEntry(
    key="shop_close", title=N_("Shop Close"), group="Day", factory=lambda app: ShopCloseScreen(), roles=MANAGER,
    help=N_("Count the till and close the day"),
))
