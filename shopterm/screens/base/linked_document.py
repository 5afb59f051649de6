"""The base of the screens whose lines come from another document, the *source*
(:class:`LinkedDocumentScreen`: delivery note from a provisional invoice, sales
return from an invoice or a delivery note, direct return)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _

from shopterm.screens.base.document import DocumentScreen
from shopterm.screens.base.counter import flag_unknown_code
from shopterm.screens.base.mixins import (Background, DebouncedPreview, DocumentDialogs, GridForm, PostedDocument,
                                          ShopDay, list_filters)
from shopterm.widgets.document_list import ListQuery
from shopterm.widgets.inputs import CodeInput
from shopterm.widgets.item_grid import GridColumn, ItemGrid, ItemGridHost
from shopterm.widgets.totals_footer import TotalsFooter

if TYPE_CHECKING:
    from shopterm.core.draft_line import Number
    from shopterm.services import Services, Status
    from shopterm.services.context import Actor
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.drafts import DraftLine
    from shopterm.services.documents.views import DocumentRow, DocumentView
    from shopterm.services.sales.invoice import LineDefaults
    from shopterm.services.sales.provisional import DeliveryPreview, DeliveryPreviewLine, PSILine
    from shopterm.services.sales.returns import ReturnableLine, ReturnPreview, ReturnPreviewLine

_T = TypeVar("_T")

__all__ = ["FooterFigures", "LinkedDocumentScreen", "SourceInput", "SourceRow", "line_figures", "qty_text"]

ZERO = Decimal(0)

#: A return's footer: what it credits the customer, not a payable (the figures are the same keys).
CREDIT_LABELS = (N_("Credited"), N_("Cr FC"), N_("Cr $"))


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A row of the F2 list of source documents (PSI No, Invoice No)."""

    code: str
    name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FooterFigures:
    """The footer's figures from a service preview (what ``TotalsFooter.show`` reads)."""

    total_qty: Decimal
    total_gross: Decimal
    total_discount: Decimal
    flat_amount: Decimal
    tax: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    round_off_cdf: Decimal | None
    payable: Decimal
    payable_usd: Decimal
    payable_cdf: Decimal
    lines: tuple[_LineFigures | None, ...] = ()  # per grid row (None: a row not sent), for ItemGrid.show_totals


@dataclass(frozen=True, slots=True)
class _LineFigures:
    """A preview line as ``ItemGrid.show_totals`` reads it (``line_net``: after the line's
    own discounts, before the document's flat discount and tax, as on the invoice)."""

    gross: Decimal
    discount_amount: Decimal
    line_flat: Decimal
    line_net: Decimal
    flat_share: Decimal
    tax: Decimal


def line_figures(pl: DeliveryPreviewLine | ReturnPreviewLine) -> _LineFigures:
    """A service preview line (delivery or return) for the grid's Net cell and detail strip.
    (A return's ``discount_amount`` already holds its line flat discount.)"""
    flat = getattr(pl, "line_flat", ZERO)
    return _LineFigures(pl.gross, pl.discount_amount, flat, pl.gross - pl.discount_amount - flat, pl.flat_share,
                        pl.tax)


class SourceInput(CodeInput):
    """The source document field (PSI No, Invoice No): F2 asks the screen, which knows
    the customer or the basis and lists only the documents that qualify."""

    @property
    def can_lookup(self) -> bool:
        return not self.disabled

    def action_lookup(self) -> None:
        self.screen.source_lookup()  # type: ignore[attr-defined]


class LinkedDocumentScreen(GridForm, PostedDocument, DocumentDialogs, ShopDay, ItemGridHost, Background,
                           DebouncedPreview, DocumentScreen):
    """A document whose lines come from another one (the *source*: PSI No, Invoice No).

    Subclasses compose the header (``compose_header``; ids ``field-…``), say
    which field holds the source (``SOURCE_FIELD``) and which service methods
    preview, post, save and load its drafts (``SERVICE_CALLS``), and implement
    :meth:`load_source`, :meth:`source_loaded`, :meth:`source_rows`,
    :meth:`build_draft`, :meth:`footer_figures`, :meth:`fill_from_draft`,
    :meth:`draft_lines_of` and :meth:`fill_from_view`.
    """

    NUMBER_WIDGET = "#ld-number"
    HEADER = "#ld-header"
    DOC_TYPE: ClassVar[str] = ""
    DOC_WORD: ClassVar[str] = N_("Document")  # (these three: marked with N_, shown translated)
    LIST_TITLE: ClassVar[str] = N_("Documents")
    SOURCE_FIELD: ClassVar[str | None] = "source"  # the id suffix of the source field (None: no source)
    SOURCE_LABEL: ClassVar[str] = N_("Source")
    PAYABLE_LABELS: ClassVar[tuple[str, str, str] | None] = None  # the footer's Payable / Pay FC / Pay $ (None: so)
    GRID_COLUMNS: ClassVar[tuple[GridColumn, ...]] = ()
    FIXED_ROWS: ClassVar[bool] = True  # the lines come from the source (no item typed)
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "voucher", "delete_row"})

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.view: DocumentView | None = None  # the posted document shown
        self.source: str | None = None  # the source number whose lines are in the grid
        self.source_view: DocumentView | None = None
        self.preview: Any = None
        self.last_post: PostResult | None = None
        self._loading: str | None = None
        self._warning: str | None = None

    # -- layout -------------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with Vertical(id="ld-header"):
            yield from self.compose_header()
        yield Static("", id="ld-info", markup=False)
        grid = ItemGrid(self.GRID_COLUMNS, id="grid")
        grid.fixed_rows = self.FIXED_ROWS
        grid.enter_ends_line = True  # a typed item's Enter in Qty ends the line (fixed rows: down the column)
        yield grid
        yield TotalsFooter(id="totals", payable_labels=self.PAYABLE_LABELS)
        yield Static("", id="ld-extra", markup=False)

    def compose_header(self) -> ComposeResult:
        yield from ()

    def field(self, name: str) -> Any:
        return self.query_one(f"#field-{name}")

    def info(self, text: str | Text) -> None:
        self.query_one("#ld-info", Static).update(text)

    def extra(self, text: str) -> None:
        self.query_one("#ld-extra", Static).update(text)

    # -- start ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        footer = self.footer_totals
        footer.flat_type_field.disabled = True  # the flat discount is the source's share
        footer.flat_value_field.disabled = True
        footer.flat_value_field.placeholder = ""
        if self.NARRATION_HINT:  # a narration the save requires says so before, not 'free text'
            footer.narration_field.placeholder = _(self.NARRATION_HINT)
        self.load_shop_day()
        super().on_mount()

    def shop_day_loaded(self, status: Status) -> None:
        self._set_loader()
        self.defaults_loaded(status)

    def defaults_loaded(self, status: Status) -> None:
        """After the location, date and rate are known (subclasses fill more)."""

    def _set_loader(self) -> None:
        location = self.location_typed()
        date = self.field("date").date_value or self.business_date
        app: Any = self.app
        strip_batch = self.FEFO_BATCH is False
        # the source's currency and rate: a line's USD price (the detail strip) is read from them
        source = self.source_view
        money_of = {"currency": source.currency, "rate": source.rate} if source is not None else {}

        def load(code: str) -> LineDefaults:
            d = app.services.sales.line_defaults(code, location, date=date, **money_of)
            if strip_batch:
                from dataclasses import replace

                d = replace(d, batch=None)
            return d

        self.grid.line_defaults = load
        self.grid.location = location
        self.grid.date = date

    #: the narration's hint when the document requires one (marked with N_); None: 'free text'
    NARRATION_HINT: ClassVar[str | None] = None

    #: preview warnings not shown while typing (the save says them): nothing typed yet
    QUIET_WARNINGS: ClassVar[tuple[str, ...]] = ("Add at least one item line", "Narration is required")

    #: the grid fills the first-expiry batch of a line with none (delivery notes)
    FEFO_BATCH: ClassVar[bool] = True

    def location_typed(self) -> str | None:
        text = self.field("location").value.strip().upper()
        return text or self.location_code

    # -- the source document ---------------------------------------------------------------

    def source_field(self) -> CodeInput | None:
        if self.SOURCE_FIELD is None:
            return None
        return self.query_one(f"#field-{self.SOURCE_FIELD}", CodeInput)

    def needs_source(self) -> bool:
        """True (and the error shown) when the source document is required and missing."""
        if self.SOURCE_FIELD is not None and not self.source:
            self.show_error(_("{field} is required").format(field=_(self.SOURCE_LABEL)),
                            field=self.SOURCE_FIELD.replace("-", "_"))
            return True
        return False

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        if self.view is not None:
            return
        if widget is not None and widget is self.source_field():
            text = widget.value.strip().upper()
            if text and text != self.source and text != self._loading:
                self._load(text)
        elif getattr(widget, "id", "") == "field-date":
            self._set_loader()
        elif getattr(widget, "id", "") == "field-sales-person":
            flag_unknown_code(self, widget, "sales_person")
        self.header_left(widget)

    def header_left(self, widget: Any) -> None:
        """A header field was left (subclasses: the customer)."""

    @on(CodeInput.Picked)
    def _picked(self, event: CodeInput.Picked) -> None:
        if self.SOURCE_FIELD is not None and event.input is self.source_field():
            event.stop()
            self._load(str(event.row.code))
        else:
            self.header_picked(event)

    def header_picked(self, event: CodeInput.Picked) -> None:
        """A header code was picked with F2: the customer's is read (:meth:`resolve_customer`)."""
        if event.input.id == "field-customer":
            event.stop()
            self.resolve_customer(str(event.row.code))

    def resolve_customer(self, code: str) -> None:
        """The customer ``code`` was typed or picked (the screens with a Client field)."""

    def source_lookup(self) -> None:
        """F2 in the source field: the qualifying documents, or the seed's message when none."""
        if self.view is not None:
            return
        problem = self.source_problem()
        if problem:
            self.show_error(problem[0], field=problem[1])
            return
        field = self.source_field()
        fetch = self.source_rows
        services = lambda: self.services  # noqa: E731 - read in the worker

        def done(rows: list[SourceRow]) -> None:
            if not rows:
                self.show_error(self.empty_message(), field=self.SOURCE_FIELD.replace("-", "_"))
                return
            from shopterm.widgets.lookup import LookupDialog

            def search(query: str) -> list[SourceRow]:
                q = query.strip().upper()
                return [r for r in rows if not q or q in r.code or q in r.name.upper()]

            def picked(row: SourceRow | None) -> None:
                # At once, not field.focus(): that waits on the app's queue, and under load it ran
                # after the source's lines were in, taking the focus back from their first Qty.
                self.set_focus(field)
                if row is not None:
                    field.value = row.code
                    self._load(row.code)

            self.app.push_screen(LookupDialog(_("{field}: {count} open").format(
                field=_(self.SOURCE_LABEL), count=len(rows)), search), picked)

        self.background(lambda: fetch(services()), done)

    def source_problem(self) -> tuple[str, str] | None:
        """Why F2 cannot list yet (e.g. no customer): (message, field) or None."""
        return None

    def source_rows(self, services: Services) -> list[SourceRow]:
        """(worker) The documents the source field may take."""
        raise NotImplementedError

    def empty_message(self) -> str:
        return _("{field}: nothing open").format(field=_(self.SOURCE_LABEL))

    def _load(self, number: str) -> None:
        self._loading = number
        date = self.field("date").date_value

        def failed(exc: BaseException) -> bool:
            self._loading = None
            return False  # shown, the source field focused

        self.background(lambda: self.load_source(self.services, number, date),
                        lambda loaded: self.call_later(self._loaded, number, loaded), on_error=failed)

    async def _loaded(self, number: str, loaded: Any) -> None:
        if self._loading != number:
            return
        self._loading = None
        self.source = number
        lines, infos = await self.source_loaded(loaded)
        await self._put_lines(lines, infos)
        self.grid.touched = True
        self.schedule_preview()
        rows = self.grid.rows
        if rows:
            cell = rows[0].cell("qty")
            if cell is not None and cell.focusable:
                self.set_focus(cell)

    async def _put_lines(self, lines: list[DraftLine], infos: list[dict]) -> None:
        """The grid's lines and each line's info (balance, stock…), their defaults loaded again."""
        await self.grid.set_lines(lines)
        for line, info in zip(self.grid.lines, infos):
            line.info.update(info)
        self.grid.repaint_info()
        self._set_loader()
        self.grid.reload_defaults()

    async def source_loaded(self, loaded: Any) -> tuple[list[Any], list[dict]]:
        """Fill the header from the loaded source; the grid's DraftLines and each line's info."""
        raise NotImplementedError

    def load_source(self, services: Services, number: str, date: dt.date | None) -> Any:
        """(worker) Read the source document and its lines."""
        raise NotImplementedError

    # -- the preview (figures) ---------------------------------------------------------------

    @on(ItemGrid.LinesChanged)
    def _lines_changed(self, event: ItemGrid.LinesChanged) -> None:
        event.stop()
        if self.view is None:
            self.schedule_preview()

    def preview_job(self) -> Callable[[], Any] | None:
        if self.SOURCE_FIELD is not None and not self.source:
            return None
        draft = self.build_draft(for_post=True)
        actor = self.actor
        return lambda: self.preview_call(self.services, draft, actor)

    def preview_failed(self, exc: BaseException) -> None:
        self.preview = None
        self.preview_warnings([str(getattr(exc, "message", exc))])

    def preview_shown(self, preview: Any) -> None:
        figures = self.footer_figures(preview)
        self.footer_totals.show(figures)
        self.grid.show_totals(figures)
        self.preview_warnings(getattr(preview, "warnings", ()) or ())

    def preview_warnings(self, warnings: Iterable[str]) -> None:
        """The first broken rule of the preview as a warning; an error on screen (a refused
        save, a bad field) stays until the cashier acts."""
        quiet = self.QUIET_WARNINGS + tuple(_(w) for w in self.QUIET_WARNINGS)  # the services speak the reader's
        warnings = [w for w in warnings if not w.startswith(quiet)]
        bar = self.message_bar
        if bar.kind == "error":
            return
        if warnings:
            more = " " + _("(+{count} more)").format(count=len(warnings) - 1) if len(warnings) > 1 else ""
            bar.show_warning(warnings[0] + more)
            self._warning = bar.text
        elif self._warning is not None:
            if bar.text == self._warning:
                bar.clear()
            self._warning = None

    def grid_figures(self, preview: DeliveryPreview | ReturnPreview) -> tuple[_LineFigures | None, ...]:
        """The preview's lines in grid-row order (a row not sent: None)."""
        by_row = {pl.line: line_figures(pl) for pl in preview.lines}
        return tuple(by_row.get(i) for i in range(1, len(self.grid.rows) + 1))

    # -- the draft and the services ------------------------------------------------------------

    def grid_rows(self, *, for_post: bool) -> list[tuple[Any, dict]]:
        """(row texts, row info) of every grid row: ``item``, ``batch``, ``qty`` as typed."""
        out = []
        for row in self.grid.rows:
            line = row.line
            t = line.texts
            item = line.item or t.get("item", "").strip().upper()
            qty = t.get("qty", "").strip()
            out.append(({"item": item, "batch": t.get("batch", "").strip().upper() or None, "qty": qty or None},
                        line.info))
        return out

    def build_draft(self, *, for_post: bool = False) -> Any:
        raise NotImplementedError

    #: the service and its preview, post, save-draft and load-draft methods
    SERVICE_CALLS: ClassVar[tuple[str, str, str, str, str]] = ("", "", "", "", "")

    def _call(self, services: Services, which: int) -> Callable[..., Any]:
        return getattr(getattr(services, self.SERVICE_CALLS[0]), self.SERVICE_CALLS[which])

    def preview_call(self, services: Services, draft: Any, actor: Actor | None) -> Any:
        return self._call(services, 1)(draft, actor)

    def load_draft_call(self, services: Services, draft_id: int) -> Any:
        return self._call(services, 4)(draft_id)

    def list_call(self, services: Services, q: ListQuery, location: str | None) -> list[DocumentRow]:
        return services.sales.list_documents(self.DOC_TYPE, **list_filters(q, location))

    def footer_figures(self, preview: Any) -> FooterFigures:
        raise NotImplementedError

    # -- toolbar ---------------------------------------------------------------------------------

    def action_state(self, action: str) -> bool | None:
        if self.view is not None and action in ("save", "draft", "delete_row"):
            return False  # posted is final: Ctrl+N for the next one
        return True

    def post_call(self, services: Services, actor: Actor | None, draft: Any, draft_id: int | None) -> PostResult:
        return self._call(services, 2)(actor, draft, draft_id)

    def post_draft(self) -> Any:
        return self.build_draft(for_post=True)

    def ready_to_post(self) -> bool:
        return not self.needs_source()

    def save_draft_call(self, services: Services, actor: Actor | None, draft: Any, draft_id: int | None) -> int:
        return self._call(services, 3)(actor, draft, draft_id)

    def draft_to_keep(self) -> Any:
        return self.build_draft(for_post=False)

    async def reset(self) -> None:
        """A blank document with the header defaults."""
        self.view = None
        self.draft_id = None
        self.source = self.source_view = self.preview = None
        self._loading = None
        self._warning = None
        self._set_enabled(True)
        self.clear_header()
        if self.location_code:
            self.field("location").value = self.location_code
        if self.business_date:
            self.field("date").set_value(self.business_date)
        self.query_one("#ld-number", Static).update("—")
        footer = self.footer_totals
        footer.set_narration("")
        footer.narration_field.disabled = False
        footer.show(None)
        self.info("")
        self.extra("")
        self.grid.fixed_rows = self.FIXED_ROWS
        await self.grid.clear()
        self._set_loader()
        self.set_document(None, "New")
        self.mark_clean()
        self.first_field().focus()

    def clear_header(self) -> None:
        """Empty the header fields (subclasses)."""

    def first_field(self) -> Any:
        return self.source_field()

    def _set_enabled(self, enabled: bool) -> None:
        self._set_header_enabled(enabled)
        self.footer_totals.narration_field.disabled = not enabled

    def action_list(self) -> None:
        location = self.location_typed()
        self.open_documents(self.LIST_TITLE, lambda q: self.list_call(self.services, q, location),
                            lambda draft_id: self.load_draft_call(self.services, draft_id),
                            lambda doc_id: self.services.sales.document(doc_id))

    def voucher_draft(self) -> Any:
        return None if self.needs_source() else self.build_draft(for_post=True)

    # -- showing a posted document or a draft ----------------------------------------------------

    async def _show_view(self, view: DocumentView) -> None:
        """A posted document, read-only (posted is final)."""
        self.view = view
        self.draft_id = None
        self.preview = None
        self._warning = None
        self.fill_from_view(view)
        self.query_one("#ld-number", Static).update(view.number or _("Draft #{id}").format(id=view.id))
        footer = self.footer_totals
        footer.set_narration(view.narration)
        self._set_enabled(False)
        await self.grid.set_lines(view.lines, read_only=True)
        footer.show(view.totals)
        self.mark_clean()
        self.set_document(view.number, "Posted" if view.status == "posted" else view.status.capitalize())
        self.set_focus(None)
        self.refresh_bindings()
        self.view_shown(view)

    def show_balances_left(self, source_lines: Iterable[PSILine | ReturnableLine]) -> dict[str, Decimal]:
        """After a posted document: each grid line's Balance qty is what the source still has open
        of its item (summed over the source's lines of the item). Returns that, per item."""
        left: dict[str, Decimal] = {}
        for source_line in source_lines:
            left[source_line.item] = left.get(source_line.item, ZERO) + source_line.balance
        for line in self.grid.lines:
            line.info["balance_qty"] = left.get(line.item)
        return left

    def fill_from_view(self, view: DocumentView) -> None:
        """Header fields from a posted document (subclasses)."""

    def view_shown(self, view: DocumentView) -> None:
        """After a posted document is shown (subclasses: balances after it)."""

    async def _show_draft(self, draft_id: int, draft: Any) -> None:
        """A saved draft, editable: its source is read again, then the lines typed are put back."""
        await self.reset()
        self.draft_id = draft_id
        self.fill_from_draft(draft)
        self.query_one("#ld-number", Static).update(_("Draft #{id}").format(id=draft_id))
        self.set_document(None, _("Draft #{id}").format(id=draft_id))
        field = self.source_field()
        number = field.value.strip().upper() if field is not None else ""
        if not number:
            await self.after_draft_shown(draft)
            self.mark_clean()
            return
        date = self.field("date").date_value
        try:
            loaded = await self._in_thread(lambda: self.load_source(self.services, number, date))
        except Exception as exc:  # the source changed since (e.g. fully delivered)
            self.show_error(exc)
            return
        self.source = number
        _lines, infos = await self.source_loaded(loaded)
        self.fill_from_draft(draft)  # the draft's own header values win over the source's
        await self._put_lines(*self.draft_lines_of(draft, infos))
        self.schedule_preview()
        self.mark_clean()

    async def after_draft_shown(self, draft: Any) -> None:
        """A draft without a source was put back (the direct return's lines)."""

    async def _in_thread(self, call: Callable[[], _T]) -> _T:
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, call)

    def fill_from_draft(self, draft: Any) -> None:
        raise NotImplementedError

    def draft_lines_of(self, draft: Any, infos: list[dict]) -> tuple[list[Any], list[dict]]:
        raise NotImplementedError

    # -- errors: a line's field focuses its grid cell ---------------------------------------------

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        line = (getattr(error, "details", None) or {}).get("line") if isinstance(error, BaseException) else None
        err_field = field or getattr(error, "field", None)
        if line and err_field:
            super().show_error(error, field="__none__")
            self.grid.focus_cell(int(line), err_field if err_field in self.grid.editable_keys else "qty")
            return
        super().show_error(error, field)


def qty_text(value: Number) -> str:
    """A quantity as typed in a grid cell: ``100.000`` → ``100``; ``2.5`` → ``2,5`` in French."""
    if isinstance(value, Decimal):
        return money.format_qty(value).replace(i18n.group_mark(), "")
    return "" if value is None else str(value)
