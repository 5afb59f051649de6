"""Sales Order / Proforma (seed screen 02), and the base of the provisional invoice screen.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Sales Order / Proforma · New
    Loc AXP    Type Sales Order  Date 2026-11-23  No —
    Client C0001      Kinshasa Pharma    Tel +243810000001
    Ccy USD Rate 2850     Sales person SP01   Free No  Tax exempt No
    Limit 5,000.00 · 30 days · Outstanding $ 0.00 · Available 5,000.00
    Items  Free Offers                                 (F5 switches the tab)
     #  Item         Avail   Left     Qty     Price    Disc% Flat       Net
     1  PARA500        600           10      2.20     10            19.80
     …                                     (the item grid, 7 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · …
    Price $ 2.20 · Gross 22.00 · Disc 2.20 · Flat share 0.00 · Tax 16% 3.17
    Qty …  Gross …  Disc …  Flat % [slab] …          (the totals footer, 4 lines)

Fields (seed): Location, Type (Sales Order / Proforma: Space or the first
letter), Order/Proforma Date, Order/Proforma No (auto, on Save), Customer
(F2), Contact No, Currency, Exchange Rate, Sales Person (F2), Free offer
Applicable, Tax Exempted; the grid's S No, Item (F2), Unit, Packsize, Price
USD, Gross, Discount Amount (in the detail strip), Available Stock ("Avail":
current − reserved), Quantity, Price, Discount %, Flat Discount, Net; the
footer's totals, flat discount type/%/amount, round off, net USD/CDF and
narration. "Left" shows, on a confirmed order, what remains to invoice.

Keys: Ctrl+S confirms (numbered, reserves stock; no journal), Ctrl+P confirms
and prints (on a confirmed one: re-print), Ctrl+D keeps a
numberless draft, F7 cancels a confirmed order (releases what is not
invoiced: a manager at once, anyone else with a manager's approval; press F7
twice), F5 switches Items / Free Offers (the promotion's free lines for the
order as typed), F3 list (orders and proformas), F4 history, F6 flat
discount percent/amount, Ctrl+N new, Esc back. A confirmed order is turned
into an invoice from the Sales Invoice screen ("SO/PF" field).

The screen is the Sales Invoice screen with another header and grid: the
per-keystroke totals come from ``core.totals`` the same way; the Free Offers
tab and the order's rules from ``services.orders`` / ``services.promotions``.
:class:`SalesDocumentScreen` is shared with the Provisional Invoice screen.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs

from shopterm.core import money
from shopterm.screens.registry import CASHIER, ScreenEntry, register
from shopterm.screens.sales_invoice import ClientInput, SalesInvoiceScreen
from shopterm.widgets.document_list import DocumentListDialog, ListQuery
from shopterm.widgets.inputs import CodeInput, DateInput, RateInput
from shopterm.widgets.item_grid import GridColumn, ItemGrid
from shopterm.widgets.print_action import print_document
from shopterm.widgets.totals_footer import CompactChoice, TotalsFooter, fmt_qty

__all__ = ["Background", "DebouncedPreview", "ORDER_COLUMNS", "SalesDocumentScreen", "SalesOrderScreen",
           "free_offers_text", "list_filters"]

YES_NO = [("no", "No"), ("yes", "Yes")]
ZERO = Decimal(0)

ORDER_COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("sno", "#", 3, "sno"),
    GridColumn("item", "Item", 12, "item"),
    GridColumn("available_stock", "Avail", 7, "info", "Available stock"),
    GridColumn("balance_qty", "Left", 7, "info", "Left to invoice"),
    GridColumn("qty", "Qty", 7, "qty"),
    GridColumn("price", "Price", 9, "money"),
    GridColumn("discount_pct", "Disc%", 5, "pct", "Disc %"),
    GridColumn("flat_discount", "Flat", 7, "money", "Flat discount"),
    GridColumn("line_net", "Net", 10, "figure"),
)


def list_filters(q: ListQuery, location: str | None) -> dict[str, Any]:
    """The F3 dialog's query as the services' ``list_documents`` keywords."""
    return dict(location=location, date_from=q.date_from, date_to=q.date_to, number=q.number or None,
                customer=q.customer or None, status=q.status, limit=q.limit, offset=q.offset)


class Background:
    """Screen mixin: ``background(work, done, on_error=)`` runs ``work()`` in a thread (a
    read that must not block Save's single-flight ``run_service``) and ``done(result)`` back on
    the event loop; an error is shown (``show_error``) unless ``on_error(exc)`` returns True.
    ``hold_keys=True``: keys typed meanwhile wait until ``done`` has filled the form (a
    customer's defaults), so they land after it, not under it."""

    def background(self, work: Any, done: Any, *, on_error: Any = None, hold_keys: bool = False) -> None:
        app: Any = self.app  # type: ignore[attr-defined]
        reason = f"background-{id(work)}"
        if hold_keys:
            self.hold_keys(reason)  # type: ignore[attr-defined]

        def finished(fn: Any, *args: Any) -> None:
            try:
                fn(*args)
            finally:
                if hold_keys:
                    self.release_keys(reason)  # type: ignore[attr-defined]

        def in_thread() -> None:
            try:
                result = work()
            except Exception as exc:  # shown in the message bar, never a traceback
                app.call_from_thread(finished, self._background_failed, exc, on_error)
                return
            app.call_from_thread(finished, done, result)

        self.run_worker(in_thread, thread=True, group="background", exit_on_error=False)  # type: ignore[attr-defined]

    def _background_failed(self, exc: BaseException, on_error: Any) -> None:
        if on_error is not None and on_error(exc):
            return
        self.show_error(exc)  # type: ignore[attr-defined]


class DebouncedPreview:
    """Screen mixin: the services preview a moment after the typing stops.

    ``schedule_preview()`` after each change; the host says whether a preview is
    wanted now (:meth:`preview_wanted`), gives the call to run in a worker
    (:meth:`preview_job`, None: nothing to preview) and shows the answer
    (:meth:`preview_shown`); a stale answer (the typing went on) is dropped.
    Needs ``background`` (:class:`Background`, or the invoice screen's).
    """

    PREVIEW_DELAY: ClassVar[float] = 0.3
    _preview_timer: Any = None
    _preview_seq: int = 0
    preview: Any = None

    def preview_wanted(self) -> bool:
        return getattr(self, "view", None) is None and self.is_mounted  # type: ignore[attr-defined]

    def schedule_preview(self) -> None:
        if not self.preview_wanted():
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(self.PREVIEW_DELAY, self._run_preview)  # type: ignore[attr-defined]

    def _run_preview(self) -> None:
        self._preview_timer = None
        if not self.preview_wanted():
            return
        job = self.preview_job()
        if job is None:
            return
        self._preview_seq += 1
        seq = self._preview_seq

        def done(preview: Any) -> None:
            if seq == self._preview_seq and self.preview_wanted():
                self.preview = preview
                self.preview_shown(preview)

        def failed(exc: BaseException) -> bool:
            if seq == self._preview_seq:
                self.preview_failed(exc)
            return True

        self.background(job, done, on_error=failed)  # type: ignore[attr-defined]

    def preview_job(self) -> Any:
        """The zero-argument call to run in the worker (read the screen here), or None."""
        return None

    def preview_shown(self, preview: Any) -> None:
        pass

    def preview_failed(self, exc: BaseException) -> None:
        """A preview that raised (a rule that stops the arithmetic): nothing shown by default."""


class _Absent:
    """A field of the invoice header this document does not have: reads empty, ignores writes."""

    value = ""
    decimal_value = None
    date_value = None
    disabled = False

    def set_value(self, *args: Any, **kwargs: Any) -> None:
        pass

    def focus(self) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


_ABSENT = _Absent()


def free_offers_text(lines: Any, hints: Any = (), *, empty: str = "No free offer for these lines.") -> Text:
    """The Free Offers tab: one row per free line (paid line, item, name, free qty, scheme)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{'Line':<5}{'Item':<10}{'Name':<30}{'Paid':>8}{'Free':>8}  Scheme\n", style="bold")
    rows = list(lines or ())
    for f in rows:
        name = str(getattr(f, "name", "") or "")
        if len(name) > 29:
            name = name[:28] + "…"
        paid = getattr(f, "paid_qty", None)
        text.append(f"{str(getattr(f, 'line', '') or ''):<5}{str(f.item):<10}{name:<30}"
                    f"{fmt_qty(paid) if paid is not None else '':>8}{fmt_qty(f.qty):>8}  "
                    f"{getattr(f, 'scheme_no', '') or ''}\n")
    if not rows:
        text.append(empty + "\n", style="italic")
    for hint in hints or ():
        text.append(f"{hint}\n", style="dim")
    return text


class SalesDocumentScreen(DebouncedPreview, SalesInvoiceScreen):
    """The invoice screen re-configured for another sales document (SO/PF, PI).

    Subclasses compose their header (``compose_header``) with the invoice's ids
    (``inv-header``, ``field-…``, ``inv-customer-name``, ``inv-credit``,
    ``inv-number``); a header field of the invoice they do not have reads as
    empty. They implement :meth:`post_document`, :meth:`preview_document` and
    :meth:`cancel_document`, and may add footer rows (``compose_footer_extra``).
    """

    GRID_COLUMNS: ClassVar[tuple[GridColumn, ...]] = ORDER_COLUMNS
    DOC_WORD: ClassVar[str] = "Document"  # "Order", "Provisional invoice" (messages)
    LIST_TITLE: ClassVar[str] = "Documents"
    CANCEL_WHAT: ClassVar[str] = "document"

    BINDINGS = [
        Binding("f5", "switch_tab", "Tabs", id="salesdoc.tabs", key_display="F5", show=False),
        Binding("f7", "cancel_document", "Cancel", id="salesdoc.cancel", key_display="F7"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.preview: Any = None  # the last services preview (Free Offers, loyalty, warnings)
        self._confirm_cancel = False
        self._print_after_save = False

    # -- the invoice's fields this document may lack ------------------------------------

    def _input(self, name: str) -> Any:
        found = list(self.query(f"#field-{name}"))
        return found[0] if found else _ABSENT

    def _choice(self, name: str) -> Any:
        found = list(self.query(f"#field-{name}"))
        return found[0] if found else _ABSENT

    # -- layout ------------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with Vertical(id="inv-header"):
            yield from self.compose_header()
            yield Static("", id="inv-credit", markup=False)
        with TabbedContent(id="doc-tabs"):
            with TabPane("Items (F5: Free Offers)", id="tab-items"):
                yield ItemGrid(self.GRID_COLUMNS, id="grid")
            with TabPane("Free Offers", id="tab-free"):
                yield Static(free_offers_text(()), id="free-offers")
        yield TotalsFooter(id="totals")
        yield from self.compose_footer_extra()

    def compose_header(self) -> ComposeResult:
        yield from ()

    def compose_footer_extra(self) -> ComposeResult:
        yield from ()

    def client_row(self) -> ComposeResult:
        """Header row: Customer (F2), its name, Contact No."""
        with Horizontal(classes="inv-row"):
            yield Static("Client", classes="inv-label")
            yield ClientInput(id="field-customer", label="Customer", lookup_kind="customer",
                              lookup_title="Find customer", max_length=40)
            yield Static("", id="inv-customer-name", markup=False)
            yield Static("Tel", classes="inv-label")
            yield Input(id="field-contact-no", max_length=40)

    def currency_row(self, flag: tuple[str, str, str]) -> ComposeResult:
        """Header row: Currency, Rate, Sales person (F2), Free offer, and one more Yes/No
        ``flag`` = (label, id suffix, name in messages)."""
        short, suffix, name = flag
        with Horizontal(classes="inv-row"):
            yield Static("Ccy", classes="inv-label")
            yield CompactChoice([("USD", "USD"), ("CDF", "CDF")], id="field-currency", field_name="currency",
                                label="Currency")
            yield Static("Rate", classes="inv-label")
            yield RateInput(id="field-rate", label="Exchange rate")
            yield Static("Sales person", classes="inv-label")
            yield CodeInput(id="field-sales-person", label="Sales person", lookup_kind="sales_person",
                            lookup_title="Find sales person")
            yield Static("Free", classes="inv-label")
            yield CompactChoice(YES_NO, id="field-free-offer", label="Free offer applicable", classes="inv-yn")
            yield Static(short, classes="inv-label")
            yield CompactChoice(YES_NO, id=f"field-{suffix}", label=name, classes="inv-yn")

    def on_mount(self) -> None:
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # F5 switches the tab; Tab/Enter stay in the form
        super().on_mount()

    def action_switch_tab(self) -> None:
        tabs = self.query_one("#doc-tabs", TabbedContent)
        if tabs.active == "tab-items":
            tabs.active = "tab-free"
            self.set_focus(None)
            self.show_info("Free Offers: the promotion's free lines (F5: back to the items)")
        else:
            tabs.active = "tab-items"
            row = self.grid.current_row() or (self.grid.rows[-1] if self.grid.rows else None)
            cell = row.cell("item") if row is not None else None
            if cell is not None and cell.focusable:
                self.set_focus(cell)

    # -- hooks for the subclasses ------------------------------------------------------------

    def tax_exempt_now(self) -> bool:
        """Tax exempt as on screen: the header's Tax Exempted? or the customer's flag."""
        field = self._choice("tax-exempt")
        return field.value == "yes" or bool(self.customer is not None and self.customer.tax_exempt)

    def redemption_value_usd(self) -> Decimal:
        return ZERO

    def post_document(self, services: Any, actor: Any, draft: Any, draft_id: int | None) -> Any:
        raise NotImplementedError

    def preview_document(self, services: Any, draft: Any, actor: Any) -> Any:
        raise NotImplementedError

    def cancel_document(self, services: Any, actor: Any, number: str, approval: Any = None) -> Any:
        raise NotImplementedError

    def list_rows(self, services: Any, q: ListQuery, location: str | None) -> Any:
        return services.sales.list_documents(self.DOC_TYPE, **list_filters(q, location))

    def action_state(self, action: str) -> bool | None:
        if self.view is not None and action in ("save", "draft", "delete_row"):
            return False  # posted is final: Ctrl+N starts the next one
        return super().action_state(action)

    def can_cancel(self) -> bool:
        view = self.view
        return bool(view is not None and view.number and view.status == "posted"
                    and (view.extra or {}).get("state") != "closed")

    # -- totals per keystroke (core), the services preview debounced ----------------------------

    def after_recompute(self, totals: Any) -> None:
        """After the per-keystroke core totals: the PI's loyalty line, then the services preview
        (Free Offers, loyalty) a moment after the typing stops."""
        self.totals_shown(totals)
        self.schedule_preview()

    def totals_shown(self, totals: Any) -> None:
        """After each recompute (the PI's loyalty line)."""

    def preview_job(self) -> Any:
        if not any(line.item for line in self.grid.lines):
            self.preview_shown(None)
            return None
        draft = self.build_draft()
        actor = self.actor
        return lambda: self.preview_document(self.services, draft, actor)

    def preview_shown(self, preview: Any) -> None:
        """The services preview arrived (None: nothing to preview): the Free Offers tab."""
        if preview is None:
            self.query_one("#free-offers", Static).update(free_offers_text(()))
            self._free_tab_label(0)
            return
        free = list(getattr(preview, "free_lines", ()) or ())
        self.query_one("#free-offers", Static).update(free_offers_text(free, getattr(preview, "hints", ())))
        self._free_tab_label(len(free))

    def _free_tab_label(self, count: int) -> None:
        try:
            tab = self.query_one("#doc-tabs", TabbedContent).get_tab("tab-free")
        except Exception:  # not mounted yet
            return
        tab.label = f"Free Offers ({count})" if count else "Free Offers"

    @on(CompactChoice.Changed, "#field-free-offer, #field-tax-exempt")
    def _flag_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is None:
            self.recompute()

    # -- header ------------------------------------------------------------------------------

    def _apply_customer(self, info: Any, *, mark_dirty: bool = True) -> None:
        tax = self._choice("tax-exempt")
        if info is not None and tax is not _ABSENT:
            tax.set_value("yes" if info.tax_exempt else "no")
        super()._apply_customer(info, mark_dirty=mark_dirty)

    def build_draft(self) -> Any:
        draft = super().build_draft()
        tax = self._choice("tax-exempt")
        return replace(draft, doc_type=self.DOC_TYPE, tax_exempt=tax.value == "yes", order=None,
                       agent_commission=False, invoice_type=self.INVOICE_TYPE, **self.draft_extra())

    INVOICE_TYPE: ClassVar[str] = ""

    def draft_extra(self) -> dict[str, Any]:
        return {}

    # -- toolbar -------------------------------------------------------------------------------

    def _posted_is_final(self) -> bool:
        if self.view is not None:
            self.message_bar.show_warning(
                f"{self.view.number or 'This document'} is {self.view.status}: posted documents are final. "
                "Ctrl+N for a new one")
            return True
        return False

    def action_save(self) -> None:
        self._save(print_after=False)

    def action_save_print(self) -> None:
        """Ctrl+P: save and print; on a saved document, a re-print."""
        if self.view is not None and self.view.number:
            print_document(self, self.view.number, reprint=True)
            return
        self._save(print_after=True)

    def _save(self, *, print_after: bool) -> None:
        if self._posted_is_final() or not self.check_fields():
            return
        self._print_after_save = print_after
        draft = self.build_draft()
        draft_id = self.draft_id
        actor = self.actor

        def post(d: Any) -> Any:
            services = self.services
            result = self.post_document(services, actor, d, draft_id)
            return result, services.sales.document(result.document_id)

        def with_approval(approval: Any) -> Any:
            return lambda: post(replace(draft, approver=approval.name, approver_pin=approval.pin))

        self.run_service(lambda: post(draft), self._posted, busy_text="Saving…", with_approval=with_approval)

    def _posted(self, result: tuple[Any, Any]) -> None:
        post, view = result
        self.last_post = post
        self.call_later(self._show_view, view)
        self.refresh_status()
        self.show_ok(self.saved_message(post, view))
        if self._print_after_save:
            self._print_after_save = False
            print_document(self, post.number)

    def saved_message(self, post: Any, view: Any) -> str:
        return f"{self.DOC_WORD} {post.number} saved. Ctrl+N for the next one"

    def action_list(self) -> None:
        if not self._confirmed("list", "F3"):
            return
        location = self.location_code_typed()
        services_of = lambda: self.services  # noqa: E731 - read in the worker

        def search(q: ListQuery) -> Any:
            return self.list_rows(services_of(), q, location)

        def picked(row: Any) -> None:
            if row is None:
                return
            if row.status == "draft":
                self.run_service(lambda: self.services.sales.load_draft(row.id),
                                 lambda d: self.call_later(self._show_draft, row.id, d), busy_text="Opening…")
            else:
                self.run_service(lambda: self.services.sales.document(row.id),
                                 lambda v: self.call_later(self._show_view, v), busy_text="Opening…")

        self.app.push_screen(DocumentListDialog(self.LIST_TITLE, search, today=self.business_date), picked)

    # -- cancel (F7) ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_document":
            return True if self.can_cancel() else False
        return super().check_action(action, parameters)

    def action_cancel_document(self) -> None:
        if not self.can_cancel():
            return
        number = self.view.number
        if not self._confirm_cancel:
            self._confirm_cancel = True
            self.message_bar.show_warning(f"Press F7 again to cancel {number} (a manager's approval)")
            return
        self._confirm_cancel = False
        actor = self.actor

        def work(approval: Any = None) -> Any:
            services = self.services
            self.cancel_document(services, actor, number, approval)
            return services.sales.document(number)

        def retry(approval: Any) -> Any:
            return lambda: work(approval)

        def done(view: Any) -> None:
            self.call_later(self._show_view, view)
            self.show_ok(self.cancelled_message(view))

        self.run_service(work, done, busy_text="Cancelling…", with_approval=retry)

    def cancelled_message(self, view: Any) -> str:
        return f"{self.DOC_WORD} {view.number} cancelled"

    def on_descendant_focus(self, event: Any) -> None:
        self._confirm_cancel = False
        super().on_descendant_focus(event)

    # -- showing documents -------------------------------------------------------------------------

    async def reset(self) -> None:
        self.preview = None
        self._confirm_cancel = False
        tax = self._choice("tax-exempt")
        tax.set_value("no")
        await super().reset()
        self.preview_shown(None)
        self.query_one("#doc-tabs", TabbedContent).active = "tab-items"

    async def _show_view(self, view: Any) -> None:
        self.preview = None
        self._confirm_cancel = False
        self.show_type(view.doc_type)
        self._choice("tax-exempt").set_value("yes" if view.tax_exempt else "no")
        await super()._show_view(view)
        self.view_shown(view)
        free = [l for l in view.lines if l.is_free]
        rows = [_FreeRow(l.line_no, l.item or "", l.name, None, l.qty, "") for l in free]
        self.query_one("#free-offers", Static).update(free_offers_text(rows, empty="No free lines."))
        self._free_tab_label(len(rows))
        self.refresh_bindings()

    def view_shown(self, view: Any) -> None:
        """After a posted document is shown (state line, info columns)."""

    def show_type(self, doc_type: str) -> None:
        """Show the document type (the SO/PF toggle)."""

    async def _show_draft(self, draft_id: int, draft: Any) -> None:
        self.show_type(draft.doc_type)
        self._choice("tax-exempt").set_value("yes" if draft.tax_exempt else "no")
        await super()._show_draft(draft_id, draft)
        self.refresh_bindings()


class _FreeRow:
    __slots__ = ("line", "item", "name", "paid_qty", "qty", "scheme_no")

    def __init__(self, line: int, item: str, name: str, paid_qty: Any, qty: Decimal, scheme_no: str) -> None:
        self.line, self.item, self.name, self.paid_qty, self.qty, self.scheme_no = (
            line, item, name, paid_qty, qty, scheme_no)


def order_state_text(view: Any) -> str:
    """The info line of a confirmed order: state and what is invoiced / left."""
    state = "cancelled" if view.status == "cancelled" else (view.extra or {}).get("state", "open")
    paid = [l for l in view.lines if not l.is_free]
    ordered = sum((l.qty for l in paid), ZERO)
    done = sum((l.qty_done for l in paid), ZERO)
    words = {"open": "Confirmed, nothing invoiced yet", "partial": "Partly invoiced", "closed": "Fully invoiced",
             "cancelled": "Cancelled"}
    return (f"{words.get(state, state)} · ordered {fmt_qty(ordered)} · invoiced {fmt_qty(done)} · "
            f"left {fmt_qty(ordered - done)}")


class SalesOrderScreen(SalesDocumentScreen):
    """The Sales Order / Proforma entry screen (module docstring)."""

    DOCUMENT_TITLE = "Sales Order / Proforma"
    DOC_TYPE = "SO"
    DOC_WORD = "Order"
    LIST_TITLE = "Sales orders and proformas"
    CANCEL_WHAT = "order"
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "delete_row"})
    AUTO_FOCUS = "#field-customer"
    INVOICE_TYPE = ""

    def compose_header(self) -> ComposeResult:
        with Horizontal(classes="inv-row"):
            yield Static("Loc", classes="inv-label")
            yield CodeInput(id="field-location", label="Location", lookup_kind="location")
            yield Static("Type", classes="inv-label")
            yield CompactChoice([("SO", "Sales Order"), ("PF", "Proforma")], id="field-doc-type",
                                field_name="doc_type", label="Type", classes="so-type")
            yield Static("Date", classes="inv-label")
            yield DateInput(id="field-date", label="Order/Proforma date", required=True)
            yield Static("No", classes="inv-label")
            yield Static("—", id="inv-number", markup=False)
        yield from self.client_row()
        yield from self.currency_row(("Tax exempt", "tax-exempt", "Tax exempted"))

    # -- type -----------------------------------------------------------------------------

    @on(CompactChoice.Changed, "#field-doc-type")
    def _type_changed(self, event: CompactChoice.Changed) -> None:
        self.DOC_TYPE = event.value  # type: ignore[misc]  # per instance: what Save/Draft send

    def show_type(self, doc_type: str) -> None:
        if doc_type in ("SO", "PF"):
            self.DOC_TYPE = doc_type  # type: ignore[misc]
            self._choice("doc-type").set_value(doc_type)

    # -- services -------------------------------------------------------------------------

    def post_document(self, services: Any, actor: Any, draft: Any, draft_id: int | None) -> Any:
        return services.orders.confirm(actor, draft, draft_id)

    def preview_document(self, services: Any, draft: Any, actor: Any) -> Any:
        return services.orders.preview(draft, actor)

    def cancel_document(self, services: Any, actor: Any, number: str, approval: Any = None) -> Any:
        if approval is None:
            return services.orders.cancel(actor, number)
        return services.orders.cancel(actor, number, approver=approval.name, approver_pin=approval.pin)

    def list_rows(self, services: Any, q: ListQuery, location: str | None) -> Any:
        return services.orders.list_documents(None, **list_filters(q, location))

    def saved_message(self, post: Any, view: Any) -> str:
        kind = "Proforma" if view.doc_type == "PF" else "Sales order"
        return f"{kind} {post.number} confirmed: {money.format_amount(view.totals.net)} {view.currency}, stock reserved"

    def cancelled_message(self, view: Any) -> str:
        return f"{view.number} cancelled: its reserved stock is released"

    def view_shown(self, view: Any) -> None:
        for line, lv in zip(self.grid.lines, view.lines):
            line.info["balance_qty"] = max(lv.qty - lv.qty_done, ZERO) if view.status == "posted" else None
            line.info["available_stock"] = None
        self.grid.repaint_info()
        self.query_one("#inv-credit", Static).update(order_state_text(view))
        if view.status == "cancelled":
            self.set_document(view.number, "Cancelled")
        elif view.status == "posted":
            self.set_document(view.number, "Confirmed")


register(ScreenEntry(
    key="sales_order",
    title="Sales Order / Proforma",
    group="Sales",
    factory=lambda app: SalesOrderScreen(),
    roles=CASHIER,
    help="Take an order or give a proforma: reserves stock, invoiced later",
))
