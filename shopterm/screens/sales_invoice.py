"""Sales Invoice (Facture): the counter's main screen (seed "Sales Invoice (Facture)").

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Sales Invoice (Facture) · New
    Loc AXP     Type DIRECT Date 2026-11-23 Sale credit  No —
    Client C0001    Kinshasa Pharma      Tel +243810000001  SO/PF
    Ccy USD Rate 2850    Delegue SP01   Add% 0    Agent No  Free No  $Print No
    Limit 5,000.00 · 30 days · Outstanding $ 0.00 · Available 5,000.00
    Items (F5: Free Offers)  Free Offers (1)           (F5 switches the tab)
     #  Item           Batch     Qty       Price      Disc%  Flat           Net
     1  PARA500        B002      10        2.20       10                  19.80
     …                                     (the item grid, ~8 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · B002 100 …
    Price $ 2.20 · Gross 22.00 · Disc 2.20 · Flat share 0.00 · Tax 16% 3.17
    Qty      10 Gross  22.00 Disc  2.20 Flat %   [slab ]  slab 0% 0.00
    …                                     (the totals footer, 4 lines)

Counter flow (DESIGN §12): a new invoice starts with the shop's walk-in cash
customer and currency (Shop Setup) and the signed-in user's own sales person
(``services.sales.new_invoice_defaults``), the focus in row 1's item cell. An
exact code or barcode + Enter picks the item, ``3*CODE`` sets the quantity
first, Enter in Qty ends the line (``%`` jumps to Disc %). Ctrl+S on a cash
sale posts and goes straight to tendering: the Sales Receipt screen opens on
the invoice with the focus in the first amount; once the receipt is posted
the change is shown here on a new, empty invoice for the next customer.

Keys: the toolbar of DESIGN §12 — Ctrl+S post (a credit sale over the limit
opens the manager-approval dialog and posts again with the approver), Ctrl+D
draft (numberless; reopen it from F3), Ctrl+N new, F3 list/search, F4
history, F9 voucher details (the preview's Dr/Cr before saving, the posted
journal after), F8 or Ctrl+Del delete the grid row, F6 flat discount
percent/amount, F5 Items / Free Offers (the promotion's free goods for the
lines typed, from ``services.sales.preview`` a moment after the typing stops:
what will leave the stock with the sale), Esc back. Enter on the client goes straight to the item grid
(Tab visits every header field).

The screen computes nothing itself: per keystroke the totals come from
``core.totals.compute_totals`` over the grid's in-memory lines with the
location's increment and slabs (``services.sales.totals_context``, read once);
the service recomputes and checks everything when posting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date, group_mark, localize_number, ngettext, pgettext
from shopterm.core.errors import TotalsError
from shopterm.core.totals import compute_totals
from shopterm.screens.registry import register_screen
from shopterm.screens.base.counter import flag_unknown_code
from shopterm.screens.base.document import DocumentScreen
from shopterm.screens.base.free_offers import FreeRow, free_offers_text
from shopterm.screens.base.mixins import Background
from shopterm.widgets.document_list import DocumentListDialog, ListQuery
from shopterm.widgets.inputs import CodeInput, DateInput, PercentInput, RateInput, ShopInput
from shopterm.widgets.item_grid import SALES_COLUMNS, ItemGrid, ItemGridHost, effective_text
from shopterm.widgets.totals_footer import CompactChoice, TotalsFooter
from shopterm.widgets.voucher_view import HistoryView, VoucherView

if TYPE_CHECKING:
    from shopterm.core.totals import DocumentTotals
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import CustomerInfo, DocumentView
    from shopterm.services.sales.invoice import InvoiceDefaults, TotalsContext

__all__ = ["SalesInvoiceScreen"]

YES_NO = [("no", N_("No")), ("yes", N_("Yes"))]


class ClientInput(CodeInput):
    """The client field: a code, or part of a name/phone (resolved when left)."""

    def _parse(self, text: str) -> str:
        return text.strip()


class SalesInvoiceScreen(ItemGridHost, Background, DocumentScreen):
    """The Sales Invoice (Facture) entry screen (module docstring)."""

    NUMBER_WIDGET = "#inv-number"
    DOCUMENT_TITLE = N_("Sales Invoice (Facture)")
    DOC_TYPE = "SI"
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "voucher",
                          "delete_row"})
    AUTO_FOCUS = "#grid ItemCell"  # the counter flow (DESIGN §12); orders and provisional invoices: the client

    BINDINGS = [
        Binding("f6", "flat_type", N_("Flat %/amt"), id="invoice.flat_type", show=False),
        # "Print Delivery" (the seed's button): the delivery copy of a posted invoice, counted apart.
        Binding("ctrl+t", "print_delivery", N_("Dlv"), id="invoice.print_delivery", key_display="^T"),
        # Items / Free Offers: the promotion's free goods before saving (what will leave the stock too)
        Binding("f5", "switch_tab", N_("Tabs"), id="invoice.tabs", key_display="F5", show=False),
        # a posted invoice (or provisional invoice) emailed as its A4 PDF
        Binding("ctrl+g", "email", N_("Mail"), id="invoice.email", key_display="^G"),
    ]

    FREE_OFFERS_DELAY = 0.3  # the Free Offers preview, a moment after the typing stops

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.location_code: str | None = None
        self.business_date: dt.date | None = None
        self.context: TotalsContext | None = None
        self.customer: CustomerInfo | None = None
        self.draft_id = None
        # Agent commission? follows the sales person (Yes with one) until the cashier picks it, or a
        # saved draft or posted invoice shows its own
        self._agent_follows = True
        self.view: DocumentView | None = None  # once posted / opened
        self.totals: DocumentTotals | None = None  # on screen
        self.last_post: PostResult | None = None
        self._applied: dict[str, str] = {}
        self._customer_pending: str | None = None
        self._totals_error: str | None = None
        self.invoice_defaults: InvoiceDefaults | None = None  # the counter flow
        self.last_receipt: Any = None  # the TenderResult of the last sale tendered from here
        self._sale_message: tuple[str, bool] = ("", False)  # where the sale is (text, a warning?)
        self._print_note = ""  # the Ctrl+P print's outcome, to say with the sale's next message
        self._loader_params: dict[str, Any] = {}
        self._free_timer: Any = None
        self._free_seq = 0

    @property
    def counter_flow(self) -> bool:
        """The Sales Invoice's counter flow (DESIGN §12); the screens built on it keep their own start."""
        return self.DOC_TYPE == "SI"

    # -- layout ------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with Vertical(id="inv-header"):
            with Horizontal(classes="inv-row"):
                yield Static(_("Loc"), classes="inv-label")
                yield CodeInput(id="field-location", label=_("Location"), lookup_kind="location", classes="inv-loc")
                yield Static(_("Type DIRECT"), classes="inv-label inv-type")
                yield Static(_("Date"), classes="inv-label")
                yield DateInput(id="field-date", label=_("Date"), classes="inv-date")
                yield Static(_("Sale"), classes="inv-label")
                yield CompactChoice([("cash", N_("cash")), ("credit", N_("credit"))], id="field-sales-type",
                                  field_name="sales_type", label=_("Sales type"), classes="inv-sales-type")
                yield Static(pgettext("document number", "No"), classes="inv-label")
                yield Static("—", id="inv-number", markup=False)
            with Horizontal(classes="inv-row"):
                yield Static(_("Client"), classes="inv-label")
                yield ClientInput(id="field-customer", label=_("Client"), lookup_kind="customer",
                                  lookup_title=_("Find client"), classes="inv-client", max_length=40)
                yield Static("", id="inv-customer-name", markup=False)
                yield Static(_("Tel"), classes="inv-label")
                yield Input(id="field-contact-no", max_length=40, classes="inv-contact")
                yield Static(_("SO/PF"), classes="inv-label")
                yield CodeInput(id="field-order", label=_("SO/Proforma No"), classes="inv-order",
                                search=self._open_order_rows, lookup_title=_("Open orders and proformas"))
            with Horizontal(classes="inv-row"):
                yield Static(_("Ccy"), classes="inv-label")
                yield CompactChoice([("USD", "USD"), ("CDF", "CDF")], id="field-currency", field_name="currency",
                                  label=_("Currency"), classes="inv-ccy")
                yield Static(_("Rate"), classes="inv-label")
                yield RateInput(id="field-rate", label=_("Exchange rate"), classes="inv-rate")
                yield Static(_("Delegue"), classes="inv-label")
                yield CodeInput(id="field-sales-person", label=_("Sales person"), lookup_kind="sales_person",
                                lookup_title=_("Find sales person"), classes="inv-sp")
                yield Static(_("Add%"), classes="inv-label")
                yield PercentInput(id="field-additional-price-pct", label=_("Additional price %"), classes="inv-add")
                yield Static(_("Agent"), classes="inv-label")
                yield CompactChoice(YES_NO, id="field-agent-commission", label=_("Agent commission"), classes="inv-yn")
                yield Static(_("Free"), classes="inv-label")
                yield CompactChoice(YES_NO, id="field-free-offer", label=_("Free offer"), classes="inv-yn")
                yield Static(_("$Prt"), classes="inv-label")
                yield CompactChoice(YES_NO, id="field-print-usd", label=_("Print in USD"), classes="inv-yn")
            yield Static("", id="inv-credit", markup=False)
        with TabbedContent(id="doc-tabs"):
            with TabPane(_("Items (F5: Free Offers)"), id="tab-items"):
                yield ItemGrid(SALES_COLUMNS, id="grid")
            with TabPane(_("Free Offers"), id="tab-free"):
                yield Static("", id="free-offers")
        yield TotalsFooter(id="totals")

    # -- shortcuts -----------------------------------------------------------------

    @property
    def grid(self) -> ItemGrid:
        return self.query_one("#grid", ItemGrid)

    @property
    def footer_totals(self) -> TotalsFooter:
        return self.query_one("#totals", TotalsFooter)

    def _input(self, name: str) -> Any:
        return self.query_one(f"#field-{name}")

    def _choice(self, name: str) -> CompactChoice:
        return self.query_one(f"#field-{name}", CompactChoice)

    @property
    def currency(self) -> str:
        return self._choice("currency").value

    def _rate_value(self) -> Decimal | None:
        value = self._input("rate").decimal_value
        if value is None and self.context is not None:
            value = self.context.rate
        return value

    # -- start: defaults from the services -----------------------------------------

    def on_mount(self) -> None:
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # F5 switches the tab; Tab/Enter stay in the form
        self.show_free_offers(None)
        self.grid.on_change = self._typed_in_grid
        self.grid.item_search = self._item_choices  # F2: each item's price and available stock
        self.grid.enter_ends_line = True  # Enter in Qty ends the line on every item grid (DESIGN §12)
        self._load_context(first=True)

    def _typed_in_grid(self, line: int) -> None:
        """A keystroke changed a line: footer and line figures in the same frame."""
        self.recompute()

    def _load_context(self, *, first: bool = False) -> None:
        """Read (off the event loop) the location, business date, rate, increment and slabs."""
        location = None if first else (self._input("location").value.strip().upper() or None)
        date = None if first else self._input("date").date_value
        actor = self.actor

        counter = first and self.counter_flow

        def work() -> tuple[Any, Any, Any]:
            services = self.services
            status = services.status(actor)
            loc = location or status.location_code or None
            on = date or status.business_date
            ctx = services.sales.totals_context(loc, on, actor=actor)
            defaults = services.sales.new_invoice_defaults(actor, ctx.location) if counter else None
            return status, ctx, defaults

        def done(result: tuple[Any, Any, Any]) -> None:
            status, ctx, defaults = result
            was_dirty = self.is_dirty()
            self.context = ctx
            self.business_date = status.business_date
            if first:
                self._input("location").value = ctx.location
                self._input("date").set_value(ctx.date)
            if defaults is not None:
                self.invoice_defaults = defaults
                self._apply_invoice_defaults()
            if not self._input("rate").value.strip() and ctx.rate is not None:
                self._input("rate").set_value(ctx.rate)
            self._remember_header()
            self.grid.location = ctx.location
            self.grid.date = ctx.date
            self._update_loader()
            if not first:
                self.grid.reload_defaults()
            if not was_dirty:
                self.mark_clean()  # the defaults are not the cashier's changes
            self.recompute()
            if first and not status.day_open:
                # Say it before a whole document is typed, not at Save.
                self.message_bar.show_warning(
                    _("Day {date} is not open at {location}: Shop Open first, or this invoice cannot be saved")
                    .format(date=format_date(status.business_date), location=status.location_code))

        self.background(work, done)

    def _apply_invoice_defaults(self) -> None:
        """The counter's header defaults, where the cashier has typed nothing yet."""
        d = self.invoice_defaults
        if d is None or self.view is not None:
            return
        if self.customer is None and not self._input("customer").value.strip():
            if d.currency != self.currency:
                self._choice("currency").set_value(d.currency)
            sp = self._input("sales-person")
            if d.sales_person and not sp.value.strip():
                sp.value = d.sales_person
            if d.customer is not None:
                self._apply_customer(d.customer, mark_dirty=False)

    def _item_choices(self, query: str) -> Any:
        """F2 on an item cell and the cell's code/barcode resolution (in a worker thread):
        items with the price for this client and currency, and the stock available."""
        params = self._loader_params
        return self.services.sales.item_choices(
            query, params.get("location"), customer_code=params.get("customer_code"),
            currency=params.get("currency", "USD"), rate=params.get("rate"), date=params.get("date"))

    def _remember_header(self) -> None:
        for name in ("location", "date", "rate", "additional-price-pct", "order"):
            self._applied[name] = self._input(name).value.strip()

    def _update_loader(self) -> None:
        """Give the grid a thread-safe defaults loader for the header as it is now."""
        params: dict[str, Any] = {
            "location": self.location_code_typed(),
            "customer_code": self.customer.code if self.customer is not None else None,
            "currency": self.currency,
            "rate": self._rate_value(),
            "date": self._input("date").date_value or (self.context.date if self.context else None),
            "additional_pct": self._input("additional-price-pct").decimal_value or Decimal(0),
        }
        app: Any = self.app
        self._loader_params = params
        self.grid.line_defaults = lambda code: app.services.sales.line_defaults(code, **params)
        self.grid.location = params["location"]
        self.grid.date = params["date"]

    def location_code_typed(self) -> str | None:
        text = self._input("location").value.strip().upper()
        return text or (self.context.location if self.context is not None else None)

    # -- unsaved changes: header and footer fields by snapshot, the grid by its own flag --

    def _snapshot(self) -> dict[int, str]:
        return {id(w): w.value for w in self.query("#inv-header Input, #totals Input")}

    def mark_clean(self) -> None:
        super().mark_clean()
        for grid in self.query(ItemGrid):
            grid.touched = False

    def is_dirty(self) -> bool:
        return super().is_dirty() or any(grid.touched for grid in self.query(ItemGrid))

    # -- the per-keystroke path: core totals on in-memory lines ---------------------

    def recompute(self) -> None:
        """Footer and line figures from ``core.totals`` (no database call)."""
        if self.view is not None or self.context is None:
            return
        rate = self._rate_value()
        if rate is None or rate <= 0:
            return
        footer = self.footer_totals
        flat_value = footer.flat_value if footer.flat_text else None
        flat_type = footer.flat_type if flat_value is not None else None
        try:
            totals = compute_totals(
                self.grid.line_inputs(), currency=self.currency, rate=rate, flat_type=flat_type,
                flat_value=flat_value, tax_exempt=self.tax_exempt_now(), cdf_increment=self.context.cdf_increment,
                slabs=self.context.slabs or None, redemption_value=self.redemption_value_usd(),
            )
        except (TotalsError, money.MoneyError) as exc:
            text = str(exc)
            self._totals_error = text[:1].upper() + text[1:]
            self.message_bar.show_warning(self._totals_error)
            return
        if self._totals_error is not None:
            if self.message_bar.text == self._totals_error:
                self.message_bar.clear()
            self._totals_error = None
        self.totals = totals
        footer.show(totals)
        self.grid.show_totals(totals)
        self.after_recompute(totals)

    # hooks for the screens built on this one (orders, provisional invoices)

    def tax_exempt_now(self) -> bool:
        return bool(self.customer is not None and self.customer.tax_exempt)

    def redemption_value_usd(self) -> Decimal:
        return Decimal("0")

    def after_recompute(self, totals: Any) -> None:
        """After the footer shows new totals (no database call here): the invoice's Free Offers
        tab is previewed by the services a moment after the typing stops."""
        self.schedule_free_offers()

    # -- the Free Offers tab ---------------------------------------------------------

    def action_switch_tab(self) -> None:
        tabs = self.query_one("#doc-tabs", TabbedContent)
        if tabs.active == "tab-items":
            tabs.active = "tab-free"
            self.set_focus(None)
            self.show_info(_("Free Offers: the promotion's free lines (F5: back to the items)"))
        else:
            tabs.active = "tab-items"
            row = self.grid.current_row() or (self.grid.rows[-1] if self.grid.rows else None)
            cell = row.cell("item") if row is not None else None
            if cell is not None and cell.focusable:
                self.set_focus(cell)

    def _free_tab_label(self, count: int) -> None:
        try:
            tab = self.query_one("#doc-tabs", TabbedContent).get_tab("tab-free")
        except Exception:  # not mounted yet
            return
        tab.label = _("Free Offers ({count})").format(count=count) if count else _("Free Offers")

    def show_free_offers(self, preview: Any) -> None:
        """The free lines of a services preview (None: nothing to preview) in the Free Offers tab.

        Only what changed is updated: a Static's or a tab's update lays out the whole screen (~30 ms of
        CPU on the invoice), and the preview comes after every pause in the typing."""
        free = list(getattr(preview, "free_lines", ()) or ()) if preview is not None else []
        text = free_offers_text(free, getattr(preview, "hints", ())) if preview is not None else free_offers_text(())
        shown = (getattr(text, "markup", str(text)), len(free))
        if shown == getattr(self, "_free_shown", None):
            return
        self._free_shown = shown
        self.query_one("#free-offers", Static).update(text)
        self._free_tab_label(len(free))

    def schedule_free_offers(self) -> None:
        """The invoice's services preview (free goods and hints) a moment after the typing stops.
        (The order and provisional invoice have their own debounced preview.)"""
        if not self.counter_flow or self.view is not None or not self.is_mounted:
            return
        if self._free_timer is not None:
            self._free_timer.stop()
        self._free_timer = self.set_timer(self.FREE_OFFERS_DELAY, self._free_offers_now)

    def _free_offers_now(self) -> None:
        self._free_timer = None
        if self.view is not None or self.context is None or self.app.screen is not self:
            return
        self._free_seq += 1
        seq = self._free_seq
        if not any(line.item for line in self.grid.lines):
            self.show_free_offers(None)
            return
        draft = self.build_draft()
        actor = self.actor
        services = self.services

        def done(preview: Any) -> None:
            if seq == self._free_seq and self.view is None:
                self.show_free_offers(preview)

        # a rule the draft still breaks is shown by the totals and refused by Save: not here
        self.background(lambda: services.sales.preview(draft, actor), done, on_error=lambda exc: True)

    @on(CompactChoice.Changed, "#field-free-offer")
    def _free_offer_changed(self, event: CompactChoice.Changed) -> None:
        self.schedule_free_offers()

    @on(ItemGrid.LinesChanged)
    def _lines_changed(self, event: ItemGrid.LinesChanged) -> None:
        event.stop()
        if self.view is None:
            self.recompute()

    @on(TotalsFooter.FlatChanged)
    def _flat_changed(self, event: TotalsFooter.FlatChanged) -> None:
        event.stop()  # typing in the field marks the screen dirty (DocumentScreen)
        self.recompute()

    @on(Input.Changed, "#field-rate")
    def _rate_typed(self, event: Input.Changed) -> None:
        self.recompute()

    def action_flat_type(self) -> None:
        if self.view is None:
            self.dirty = True
            self.footer_totals.toggle_flat_type()

    # -- header changes ------------------------------------------------------------

    @on(CompactChoice.Changed, "#field-currency")
    def _currency_changed(self, event: CompactChoice.Changed) -> None:
        # a Changed is always a switch between the two currencies (set_value from a load posts none)
        new = event.value
        old = "CDF" if new == "USD" else "USD"
        if self.view is None:
            rate = self._rate_value()
            if rate is not None and rate > 0:
                self._show_converted(self.grid.convert_typed_prices(
                    lambda p: money.convert(p, old, new, rate)),
                    _("from {old} to {new} at {rate}").format(old=old, new=new, rate=_rate_text(rate)))
        self._update_loader()
        self.grid.reload_defaults()
        self.recompute()

    def _rate_changed(self, before: str, after: str) -> None:
        """A new rate on a CDF invoice: typed CDF prices keep their USD value at the new rate."""
        if self.currency != "CDF" or self.view is not None:
            return
        try:
            old_rate = money.parse_rate(before) if before else self.context.rate if self.context else None
            new_rate = money.parse_rate(after) if after else self.context.rate if self.context else None
        except money.MoneyError:
            return
        if not old_rate or not new_rate or old_rate == new_rate:
            return
        self._show_converted(self.grid.convert_typed_prices(lambda p: p * new_rate / old_rate),
                             _("from rate {old} to {new}").format(old=_rate_text(old_rate), new=_rate_text(new_rate)))

    def _show_converted(self, changed: list, how: str) -> None:
        if not changed:
            return
        shown = ", ".join(_("line {number} {before} → {after}").format(
            number=n, before=money.format_amount(a), after=money.format_amount(b)) for n, a, b in changed[:3])
        more = " " + _("(+{count} more)").format(count=len(changed) - 3) if len(changed) > 3 else ""
        self.show_info(_("Typed prices converted {how}: {shown}").format(how=how, shown=shown) + more)

    @on(CompactChoice.Changed, "#field-agent-commission")
    def _agent_picked(self, event: CompactChoice.Changed) -> None:
        self._agent_follows = False  # the cashier's choice stands, whatever the sales person

    @on(Input.Changed, "#field-sales-person")
    def _sales_person_changed(self, event: Input.Changed) -> None:
        if self._agent_follows and self.view is None:
            for agent in self.query("#field-agent-commission").results(CompactChoice):
                agent.set_value("yes" if event.value.strip() else "no")

    @on(CompactChoice.Changed)
    def _choice_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is None:
            self.dirty = True  # a choice is not an Input: not in the snapshot

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        wid = widget.id or ""
        if self.view is not None or not wid.startswith("field-"):
            return
        name = wid.removeprefix("field-")
        if name == "customer":
            self._customer_left()
            return
        if name == "sales-person":
            flag_unknown_code(self, widget, "sales_person")
            return
        if name not in ("location", "date", "rate", "additional-price-pct", "order"):
            return
        value = widget.value.strip()
        if value == self._applied.get(name):
            return
        if isinstance(widget, ShopInput) and not widget.check():
            return  # the field shows its own error
        before = self._applied.get(name, "")
        self._applied[name] = value
        if name == "rate":
            self._rate_changed(before, value)
        if name in ("location", "date"):
            self._load_context()
        elif name == "order":
            self._order_left(value)
        else:
            self._update_loader()
            self.grid.reload_defaults()
            self.recompute()

    # -- the client ------------------------------------------------------------------

    def action_form_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, ClientInput) and effective_text(focused).strip() and not self.grid.read_only:
            # Enter on the client goes straight to the grid (Tab visits the other header fields);
            # keys typed ahead and not yet in the field count (effective_text).
            row = self.grid.rows[-1]
            target = row.cell("item")
            if target is not None and target.focusable:
                self.set_focus(target)
                return
        super().action_form_enter()

    def _customer_left(self) -> None:
        field = self._input("customer")
        text = field.value.strip()
        if not text:
            if self.customer is not None:
                self._apply_customer(None)
            return
        if self.customer is not None and text.upper() == self.customer.code:
            return
        if text == self._customer_pending:
            return
        self._resolve_customer(text)

    def _resolve_customer(self, text: str, *, exact: bool = False, quiet: bool = False) -> None:
        self._customer_pending = text
        location = self.location_code_typed()
        actor = self.actor

        def work() -> tuple[str, Any]:
            services = self.services
            from shopterm.services.errors import NotFound

            try:
                return "info", services.sales.customer_info(text.upper(), location)
            except NotFound:
                if exact:
                    raise
            rows = services.lookup("customer", text, limit=50, actor=actor)
            if len(rows) == 1:
                return "info", services.sales.customer_info(rows[0].code, location)
            return "choose", rows

        def done(result: tuple[str, Any]) -> None:
            if self._customer_pending != text:
                return
            self._customer_pending = None
            kind, payload = result
            if kind == "info":
                self._apply_customer(payload, mark_dirty=not quiet)
            else:
                self._choose_customer(text)

        def failed(exc: BaseException) -> bool:
            self._customer_pending = None
            return False  # shown with the client field focused

        self.background(work, done, on_error=failed)

    def _choose_customer(self, text: str) -> None:
        from shopterm.widgets.lookup import LookupDialog

        field = self._input("customer")

        def picked(row: Any) -> None:
            if row is None:
                self.show_error(_("Client: nothing chosen for {text!r}").format(text=text), field="customer")
                return
            field.value = row.code
            self._resolve_customer(row.code, exact=True)

        self.app.push_screen(LookupDialog(_("Find client"), field.search, initial=text), picked)

    @on(CodeInput.Picked, "#field-customer")
    def _customer_picked(self, event: CodeInput.Picked) -> None:
        event.stop()
        self._resolve_customer(event.row.code, exact=True)

    def _apply_customer(self, info: Any, *, mark_dirty: bool = True) -> None:
        """Auto-fill the header from the client (contact, sales person, sales type, credit)."""
        was_dirty = self.is_dirty()
        old = self.customer
        self.customer = info
        name = self.query_one("#inv-customer-name", Static)
        contact = self._input("contact-no")
        sp = self._input("sales-person")
        if info is None:
            name.update("")
            self.query_one("#inv-credit", Static).update("")
        else:
            self._input("customer").value = info.code
            self.error_resolved(self._input("customer"))  # e.g. "nothing chosen for …" before this pick
            name.update(Text(info.name, no_wrap=True, overflow="ellipsis"))
            if not contact.value.strip() or (old is not None and contact.value.strip() == old.contact):
                contact.value = info.contact or ""
            if not sp.value.strip() or (old is not None and sp.value.strip() == (old.sales_person or "")):
                sp.value = info.sales_person or ""
            self._choice("sales-type").set_value("credit" if info.kind == "credit" else "cash")
            self._choice("free-offer").set_value("yes" if info.free_offer else "no")
            self.query_one("#inv-credit", Static).update(credit_text(info))
        if mark_dirty:
            self.dirty = True
        elif not was_dirty:
            self.mark_clean()
        self._update_loader()
        if old is None or info is None or old.price_category != info.price_category \
                or getattr(old, "discount_pct", None) != getattr(info, "discount_pct", None):
            self.grid.reload_defaults()
        self.recompute()

    # -- SO/Proforma ------------------------------------------------------------------

    def _order_left(self, number: str) -> None:
        """A confirmed order/proforma: with an empty grid, its open lines are copied in."""
        if not number or any(r.line.item for r in self.grid.rows):
            return

        def work() -> Any:
            return self.services.sales.document(number.upper())

        def done(view: Any) -> None:
            if view.doc_type not in ("SO", "PF"):
                self.show_error(_("SO/Proforma No: {number} is a {kind}, not an order or proforma").format(
                    number=number.upper(), kind=view.doc_type), field="order")
                return
            self.call_later(self._copy_order, view)

        self.background(work, done)

    def _open_order_rows(self, query: str) -> list[Any]:
        """F2 on SO/PF No (in a worker): the client's confirmed orders and proformas with
        something left to invoice (every client's while none is chosen)."""
        from shopterm.screens.base.counter import PickRow

        customer = self.customer.code if self.customer is not None else None
        orders = self.services.orders.open_orders(customer, self.location_code_typed())
        q = query.strip().upper()
        return [PickRow(o.number, f"{o.doc_type} {format_date(o.date)} {o.customer or ''} {o.customer_name or ''}".strip(),
                        f"{money.format_amount(o.net)} {o.currency}", o)
                for o in orders if not q or q in o.number or q in (o.customer or "")]

    async def _copy_order(self, view: Any) -> None:
        from shopterm.services.documents.drafts import DraftLine

        # shown as the grid shows what a cashier types, in the reader's language: 10.000 -> "10",
        # 2500.50 -> "2,500.50" ("2 500,50" in French), 12.5000 % -> "12.5" ("12,5")
        lines = [DraftLine(item=l.item or "", qty=money.format_qty(l.qty - l.qty_done).replace(group_mark(), ""),
                           price=money.format_amount(money.q2(l.price)), discount_pct=money.format_rate(l.discount_pct),
                           flat_discount=money.format_amount(money.q2(l.line_flat)))
                 for l in view.lines if l.item and l.qty > l.qty_done]
        if view.customer and (self.customer is None or self.customer.code != view.customer):
            self._input("customer").value = view.customer
            self._resolve_customer(view.customer, exact=True)
        await self.grid.set_lines(lines)
        self.grid.reload_defaults()
        self.show_info(ngettext("{count} open line copied from {number}", "{count} open lines copied from {number}",
                                len(lines)).format(count=len(lines), number=view.number))

    # -- the draft ------------------------------------------------------------------

    def build_draft(self) -> Any:
        """The screen as a ``DocumentDraft`` (as typed)."""
        from shopterm.services.documents.drafts import DocumentDraft

        footer = self.footer_totals
        flat_text = footer.flat_text
        return DocumentDraft(
            location=self.location_code_typed(),
            doc_type=self.DOC_TYPE,
            date=self._input("date").date_value or self._input("date").value.strip() or None,
            customer=(self.customer.code if self.customer is not None
                      and self._input("customer").value.strip().upper() == self.customer.code
                      else self._input("customer").value.strip().upper()),
            sales_type=self._choice("sales-type").value,
            currency=self.currency,
            rate=self._input("rate").value.strip() or None,
            sales_person=self._input("sales-person").value.strip().upper() or None,
            contact_no=self._input("contact-no").value.strip(),
            additional_price_pct=self._input("additional-price-pct").value.strip() or "0",
            agent_commission=self._choice("agent-commission").value == "yes",
            free_offer=self._choice("free-offer").value == "yes",
            print_usd=self._choice("print-usd").value == "yes",
            flat_discount_type=footer.flat_type if flat_text else None,
            flat_discount_value=flat_text or None,
            narration=footer.narration,
            order=self._input("order").value.strip().upper() or None,
            invoice_type="DIRECT",
            lines=self.grid.draft_lines(),
        )

    # -- toolbar ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print_delivery":  # a posted Sales Invoice only (never a dead key)
            return True if (self.DOC_TYPE == "SI" and self.view is not None and self.view.number) else False
        if action == "email":  # a posted invoice or provisional invoice
            return True if (self.DOC_TYPE in ("SI", "PI") and self.view is not None and self.view.number) else False
        name = str(parameters[0]) if action == "after_typing" and parameters else action
        if name == "draft" and self.DOC_TYPE in ("SI", "PI") and self.view is not None and self.view.number:
            return False  # posted is final: no draft of it (and ^G Mail and Esc Back fit 80 columns)
        if name == "delete_row" and self.DOC_TYPE == "SI" and self.view is not None:
            return False  # posted: the grid is read-only (and the print keys fit 80 columns)
        return super().check_action(action, parameters)

    def action_print_delivery(self) -> None:
        """^T "Print Delivery": the delivery copy of the posted invoice."""
        if self.DOC_TYPE == "SI" and self.view is not None and self.view.number:
            self.print_posted(kind="delivery", number=self.view.number)

    def action_email(self) -> None:
        """^G: email the posted invoice's A4 PDF (to the customer's email, or one typed)."""
        if self.DOC_TYPE not in ("SI", "PI") or self.view is None or not self.view.number:
            return
        number, code, actor = self.view.number, self.view.customer, self.actor

        def address() -> str:
            return self.services.masters.get_customer(code).email if code else ""

        def ask(to: str) -> None:
            from shopterm.screens.email_dialog import EmailDialog

            def send(addr: str) -> Any:
                return self.services.mail.email_document(actor, number, to=addr)

            self.app.push_screen(EmailDialog(number, to, send), self._emailed)

        self.run_service(address, ask, busy_text=None)

    def _emailed(self, sent: Any) -> None:
        if sent is not None:
            self.show_info(_("Sent {file} to {to} through {server}").format(
                file=sent.attachment, to=sent.to, server=sent.server))

    def action_save_print(self) -> None:
        """Ctrl+P: save and print the facture; on a posted invoice, print it again."""
        if self.view is not None and self.view.number:
            self.print_posted(reprint=True, number=self.view.number)
            return
        self.action_save(print_after=True)

    def action_save(self, print_after: bool = False) -> None:
        if self._posted_is_final() or not self.check_fields():
            return
        draft = self.build_draft()
        draft_id = self.draft_id
        actor = self.actor

        def post(d: Any) -> Any:
            services = self.services
            result = services.sales.post_invoice(actor, d, draft_id)
            return result, services.sales.document(result.document_id)

        def with_approval(approval: Any) -> Any:
            return lambda: post(replace(draft, approver=approval.name, approver_pin=approval.pin))

        self.run_service(lambda: post(draft), lambda result: self._posted(result, print_after=print_after),
                         busy_text=_("Posting…"), with_approval=with_approval)

    def _posted(self, result: tuple[Any, Any], print_after: bool = False) -> None:
        post, view = result
        self.last_post = post
        self.call_later(self._show_view, view)
        self.refresh_status()
        self._print_note = ""
        self._say_sale(_("Invoice {number} posted · payable {amount} {currency} · Ctrl+N next").format(
            number=post.number, amount=money.format_amount(view.totals.payable), currency=view.currency))
        if print_after:
            self._print_sale(post.number)
        if self.counter_flow and view.sales_type == "cash" and view.totals.payable > 0:
            self.call_later(self._tender, post.number)

    def _say_sale(self, message: str, *, warning: bool = False) -> None:
        """Show where the sale is (posted, paid, left unpaid); the Ctrl+P print's outcome, once
        known, is said after it, so tendering never hides that the facture was printed."""
        self._sale_message = (message, warning)
        note, self._print_note = self._print_note, ""
        text = f"{message} · {note}" if note else message
        if warning:
            self.message_bar.show_warning(text)
        else:
            self.show_ok(text)

    def _print_sale(self, number: str) -> None:
        """Ctrl+P's print of the invoice just posted (it may end while the cashier tenders)."""
        from shopterm.widgets.print_action import print_document

        def done(printed: Any) -> None:
            note = printed.message()
            message, warning = self._sale_message
            if self.view is not None and self.view.number == number:
                self._print_note = note  # still this sale: said again with the tender's outcome
            if message:
                text = f"{message} · {note}"
                if warning:
                    self.message_bar.show_warning(text)
                else:
                    self.show_ok(text)

        print_document(self, number, usd=self.print_usd(), on_done=done)

    def _tender(self, number: str) -> None:
        """A cash sale goes straight to tendering: the Sales Receipt on this invoice."""
        from shopterm.screens.sales_receipt import SalesReceiptScreen

        self.app.push_screen(SalesReceiptScreen(tender=number), self._tendered)

    def _tendered(self, result: Any) -> None:
        """Back from tendering: paid → the change shown on a new invoice; Esc → the posted invoice stays."""
        if result is None:
            number = self.view.number if self.view is not None else _("The invoice")
            self._say_sale(_("{number} is posted but not paid: take the cash in Sales Receipt (Ctrl+N: next customer)")
                           .format(number=number), warning=True)
            return
        self.last_receipt = result
        self.call_later(self._next_customer, result)

    async def _next_customer(self, result: Any) -> None:
        await self.reset()
        self._say_sale(result.message)
        if result.print_invoice:
            self.print_posted(keep_message=True, number=result.invoice)

    def action_draft(self) -> None:
        if self._posted_is_final():
            return
        draft = self.build_draft()
        draft_id = self.draft_id
        actor = self.actor

        def done(new_id: int) -> None:
            self.draft_saved(new_id)
            self.show_ok(_("Draft #{id} saved (no number yet): reopen it with F3").format(id=new_id))

        self.run_service(lambda: self.services.sales.save_draft(actor, draft, draft_id), done,
                         busy_text=_("Saving…"))

    async def reset(self) -> None:
        """A blank invoice with the header defaults."""
        self.view = None
        self.draft_id = None
        self._agent_follows = True
        self.customer = None
        self.totals = None
        self._customer_pending = None
        for name in ("customer", "contact-no", "order", "sales-person", "additional-price-pct"):
            self._input(name).value = ""
        for name in ("agent-commission", "free-offer", "print-usd"):
            self._choice(name).set_value("no")
        self._choice("sales-type").set_value("cash")
        self._choice("currency").set_value("USD")
        self.query_one("#inv-customer-name", Static).update("")
        self.query_one("#inv-credit", Static).update("")
        self.query_one("#inv-number", Static).update("—")
        footer = self.footer_totals
        footer.read_only = False
        footer.set_flat(None, None)
        footer.set_narration("")
        footer.show(None)
        self._set_header_enabled(True)
        self._free_seq += 1  # a preview still running is for the invoice before
        self.show_free_offers(None)
        self.query_one("#doc-tabs", TabbedContent).active = "tab-items"
        await self.grid.clear()
        if self.context is not None:
            self._input("location").value = self.context.location
            self._input("date").set_value(self.context.date)
            self._input("rate").set_value(self.context.rate) if self.context.rate is not None else None
        self._remember_header()
        self._update_loader()
        self.recompute()
        self.set_document(None, "New")
        if self.counter_flow:
            self._apply_invoice_defaults()
        self.mark_clean()
        if self.counter_flow:
            self.grid.focus_cell(1, "item")
        else:
            self._input("customer").focus()

    def action_list(self) -> None:
        if not self._confirmed("list", "F3"):
            return
        location = self.location_code_typed()

        def search(q: ListQuery) -> Any:
            return self.services.sales.list_documents(
                self.DOC_TYPE, location=location, date_from=q.date_from, date_to=q.date_to, number=q.number or None,
                customer=q.customer or None, status=q.status, limit=q.limit, offset=q.offset)

        def picked(row: Any) -> None:
            if row is None:
                return
            if row.status == "draft":
                self.run_service(lambda: self.services.sales.load_draft(row.id),
                                 lambda d: self.call_later(self._show_draft, row.id, d), busy_text=_("Opening…"))
            else:
                self.run_service(lambda: self.services.sales.document(row.id),
                                 lambda v: self.call_later(self._show_view, v), busy_text=_("Opening…"))

        self.app.push_screen(DocumentListDialog(_("Sales invoices"), search, today=self.business_date), picked)

    def action_history(self) -> None:
        doc_id = self.view.id if self.view is not None else self.draft_id
        title = (_("History of {number}").format(number=self.view.number) if self.view is not None and self.view.number
                 else _("History"))
        if doc_id is None:
            self.app.push_screen(HistoryView(title, []))
            return
        self.background(lambda: self.services.sales.history(doc_id),
                        lambda rows: self.app.push_screen(HistoryView(title, rows)))

    def action_voucher(self) -> None:
        if self.view is not None:
            self.app.push_screen(VoucherView(_("Voucher {number}").format(number=self.view.number or "").strip(),
                                             self.view.journal))
            return
        draft = self.build_draft()
        actor = self.actor

        def shown(preview: Any) -> None:
            note = _("Not saved yet: the journal as it would post.")
            if preview.warnings:
                note += " " + _("Note: {warnings}").format(warnings="; ".join(preview.warnings[:3]))
            self.app.push_screen(VoucherView(_("Voucher details (preview)"), preview.voucher, note))

        self.background(lambda: self.services.sales.preview(draft, actor), shown)

    def action_delete_row(self) -> None:
        if self._posted_is_final():
            return
        self.grid.delete_row()

    # -- showing a posted document or a draft -----------------------------------------

    def _fill_header(self, *, location: str, date: Any, customer: str | None, sales_type: str, currency: str,
                     rate: Any, sales_person: str | None, contact: str, additional: Any, agent: bool, free: bool,
                     print_usd: bool, order: str | None) -> None:
        self._input("location").value = location or ""
        self._input("date").set_value(date)
        self._input("customer").value = customer or ""
        self._choice("sales-type").set_value(sales_type or "cash")
        self._choice("currency").set_value(currency or "USD")
        self._input("rate").set_value(rate if rate not in (None, "") else "")
        self._input("sales-person").value = sales_person or ""
        self._input("contact-no").value = contact or ""
        add = additional if additional not in (None, "", "0") and additional != 0 else ""
        self._input("additional-price-pct").value = localize_number(f"{add:f}") if isinstance(add, Decimal) else str(add)
        self._choice("agent-commission").set_value("yes" if agent else "no")
        self._choice("free-offer").set_value("yes" if free else "no")
        self._choice("print-usd").set_value("yes" if print_usd else "no")
        self._input("order").value = order or ""

    def _set_header_enabled(self, enabled: bool) -> None:
        for widget in self.query("#inv-header Input, #inv-header CompactChoice"):
            widget.disabled = not enabled

    async def _show_view(self, view: Any) -> None:
        """A posted invoice, read-only (posted is final)."""
        self.view = view
        self.draft_id = None
        self._agent_follows = False
        self.customer = None
        self._fill_header(location=view.location, date=view.date, customer=view.customer, sales_type=view.sales_type,
                          currency=view.currency, rate=view.rate, sales_person=view.sales_person,
                          contact=view.contact_no, additional=view.additional_price_pct, agent=view.agent_commission,
                          free=view.free_offer, print_usd=view.print_usd, order=view.order)
        self.query_one("#inv-customer-name", Static).update(view.customer_name or "")
        self.query_one("#inv-credit", Static).update(
            _("Posted by {user}").format(user=view.posted_by or "?")
            + (" · " + _("approved by {user}").format(user=view.approved_by) if view.approved_by else "")
            + (" · " + _("due {date}").format(date=format_date(view.due_date)) if view.due_date else ""))
        self.query_one("#inv-number", Static).update(view.number or _("Draft #{id}").format(id=view.id))
        t = view.totals
        footer = self.footer_totals
        if t.flat_type == "amount":
            footer.set_flat("amount", t.flat_amount)
        elif t.flat_type == "percent" and not t.flat_from_slab:
            footer.set_flat("percent", t.flat_pct)
        else:
            footer.set_flat(None, None)
        footer.set_narration(view.narration)
        footer.read_only = True
        self._set_header_enabled(False)
        await self.grid.set_lines(view.lines, read_only=True)
        footer.show(t)
        self.totals = None
        self._free_seq += 1
        free = [FreeRow(l.line_no, l.item or "", l.name, None, l.qty, "") for l in view.lines if l.is_free]
        self.query_one("#free-offers", Static).update(free_offers_text(free, empty=N_("No free lines.")))
        self._free_tab_label(len(free))
        self._free_shown = None  # the next preview shows itself whatever it says
        self.mark_clean()
        self.set_document(view.number, "Posted" if view.status == "posted" else view.status.capitalize())
        self.set_focus(None)

    async def _show_draft(self, draft_id: int, draft: Any) -> None:
        """A saved draft, editable; the lines' defaults are reloaded."""
        self.view = None
        self.draft_id = draft_id
        self._agent_follows = False  # the draft's own Agent commission? stands
        self._set_header_enabled(True)
        self.footer_totals.read_only = False
        self._fill_header(location=draft.location or "", date=draft.date, customer=draft.customer,
                          sales_type=draft.sales_type or "cash", currency=draft.currency, rate=draft.rate,
                          sales_person=draft.sales_person, contact=draft.contact_no,
                          additional=draft.additional_price_pct, agent=draft.agent_commission,
                          free=draft.free_offer, print_usd=draft.print_usd, order=draft.order)
        self.footer_totals.set_flat(draft.flat_discount_type, draft.flat_discount_value)
        self.footer_totals.set_narration(draft.narration)
        self.query_one("#inv-number", Static).update(_("Draft #{id}").format(id=draft_id))
        self.customer = None
        self._remember_header()
        await self.grid.set_lines(draft.lines)
        self._update_loader()
        if draft.customer:
            self._resolve_customer(draft.customer, exact=True, quiet=True)  # reloads the lines' defaults
        else:
            self.grid.reload_defaults()
        self.set_document(None, _("Draft #{id}").format(id=draft_id))
        self.mark_clean()
        self._input("customer").focus()

    # -- errors: a line's field focuses its grid cell ----------------------------------

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        line = (getattr(error, "details", None) or {}).get("line") if isinstance(error, BaseException) else None
        err_field = field or getattr(error, "field", None)
        if line and err_field:
            super().show_error(error, field="__none__")
            self.grid.focus_cell(int(line), err_field)
            return
        if err_field in ("lines", "item", "qty", "price", "batch", "discount_pct", "flat_discount"):
            super().show_error(error, field="__none__")
            rows = self.grid.rows
            self.grid.focus_cell(len(rows), "item")
            return
        super().show_error(error, field)


def credit_text(info: Any) -> str:
    """The read-only credit line of the header (and the customer's default line discount)."""
    exempt = " · " + _("tax exempt") if info.tax_exempt else ""
    pct = getattr(info, "discount_pct", None)
    exempt += " · " + _("Disc {pct} %").format(pct=format(pct.normalize(), "f")) if pct else ""
    if info.kind != "credit":
        return _("Cash customer · {category} prices").format(category=_(str(info.price_category))) + exempt
    return _("Limit {limit} · {days} days · Outstanding $ {outstanding} · Available {available}").format(
        limit=money.format_amount(info.credit_limit), days=info.credit_days,
        outstanding=money.format_amount(info.outstanding_usd),
        available=money.format_amount(info.available_credit)) + exempt


register_screen(SalesInvoiceScreen, "sales_invoice", "Sales", N_("Invoice goods handed over now: cash or credit"))


def _rate_text(rate: Any) -> str:
    return money.format_rate(rate)
