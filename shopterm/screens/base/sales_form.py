"""The base of the sales documents typed as the invoice is: :class:`SalesFormScreen` (header,
item grid with live totals, Free Offers tab, totals footer), shared by the Sales Invoice
(``screens/sales_invoice.py``) and :class:`~shopterm.screens.base.sales_document.SalesDocumentScreen`
(order / proforma, provisional invoice).

The screen computes nothing itself: per keystroke the totals come from
``core.totals.compute_totals`` over the grid's in-memory lines with the
location's increment and slabs (``services.sales.totals_context``, read once);
the service recomputes and checks everything when posting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Input, Static, TabbedContent, Tabs

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date, localize_number
from shopterm.core.totals import compute_totals
from shopterm.screens.base.counter import flag_unknown_code
from shopterm.screens.base.document import DocumentScreen
from shopterm.screens.base.free_offers import FreeRow, free_offers_text
from shopterm.screens.base.mixins import Background, DocumentDialogs, GridForm, PostedDocument, list_filters
from shopterm.widgets.document_list import ListQuery
from shopterm.widgets.inputs import CodeInput, ShopInput
from shopterm.widgets.item_grid import ItemGrid, ItemGridHost, effective_text
from shopterm.widgets.totals_footer import CompactChoice, TotalsFooter

if TYPE_CHECKING:
    import datetime as dt

    from shopterm.core.draft_line import Number
    from shopterm.core.totals import DocumentTotals
    from shopterm.services import LookupRow, Services, Status
    from shopterm.services.documents.drafts import DocumentDraft
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import CustomerInfo, DocumentRow, DocumentView, Preview
    from shopterm.services.mail import Sent
    from shopterm.services.sales.invoice import InvoiceDefaults, ItemChoice, TotalsContext

__all__ = ["ClientInput", "SalesFormScreen", "credit_text"]


class ClientInput(CodeInput):
    """The client field: a code, or part of a name/phone (resolved when left)."""

    def _parse(self, text: str) -> str:
        return text.strip()


class SalesFormScreen(GridForm, PostedDocument, DocumentDialogs, ItemGridHost, Background, DocumentScreen):
    """A sales document typed as the invoice is (module docstring).

    Subclasses compose the header (``compose_document``; ids ``inv-header``, ``field-…``,
    ``inv-customer-name``, ``inv-credit``, ``inv-number``), and may hook in
    :meth:`after_recompute`, :meth:`apply_counter_defaults` and :meth:`order_left`.
    """

    NUMBER_WIDGET = "#inv-number"
    #: said when the form opens on a day not open (a whole sentence per document: French gender)
    DAY_NOT_OPEN = N_("Day {date} is not open at {location}: Shop Open first, or this invoice cannot be saved")
    DOC_TYPE: ClassVar[str] = ""
    LIST_TITLE: ClassVar[str] = N_("Documents")  # the F3 list's title (marked with N_)

    BINDINGS = [
        Binding("f6", "flat_type", N_("Flat %/amt"), id="invoice.flat_type", show=False),
        # "Print Delivery" (the seed's button): the delivery copy of a posted invoice, counted apart.
        Binding("ctrl+t", "print_delivery", N_("Dlv"), id="invoice.print_delivery", key_display="^T"),
        # Items / Free Offers: the promotion's free goods before saving (what will leave the stock too)
        Binding("f5", "switch_tab", N_("Tabs"), id="invoice.tabs", key_display="F5", show=False),
        # a posted invoice (or provisional invoice) emailed as its A4 PDF
        Binding("ctrl+g", "email", N_("Mail"), id="invoice.email", key_display="^G"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.context: TotalsContext | None = None
        self.customer: CustomerInfo | None = None
        self.view: DocumentView | None = None  # once posted / opened
        self.totals: DocumentTotals | None = None  # on screen
        self.last_post: PostResult | None = None
        self._applied: dict[str, str] = {}
        self._customer_pending: str | None = None
        self.invoice_defaults: InvoiceDefaults | None = None  # the counter flow
        self._loader_params: dict[str, Any] = {}
        self._free_seq = 0
        self._converted_note: str | None = None  # said again once the figures hold (_show_converted)

    @property
    def counter_flow(self) -> bool:
        """The Sales Invoice's counter flow (DESIGN §12); the screens built on this one keep their own start."""
        return False

    def apply_counter_defaults(self) -> None:
        """The counter's header defaults, where nothing is typed yet (the Sales Invoice)."""

    def order_left(self, number: str) -> None:
        """The SO/PF No field was left with ``number`` (the Sales Invoice)."""

    # -- shortcuts -----------------------------------------------------------------

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

        def work() -> tuple[Status, TotalsContext, InvoiceDefaults | None]:
            services = self.services
            status = services.status(actor)
            loc = location or status.location_code or None
            on = date or status.business_date
            ctx = services.sales.totals_context(loc, on, actor=actor)
            defaults = services.sales.new_invoice_defaults(actor, ctx.location) if counter else None
            return status, ctx, defaults

        def done(result: tuple[Status, TotalsContext, InvoiceDefaults | None]) -> None:
            status, ctx, defaults = result
            was_dirty = self.is_dirty()
            self.context = ctx
            self.business_date = status.business_date
            if first:
                self._input("location").value = ctx.location
                self._input("date").set_value(ctx.date)
            if defaults is not None:
                self.invoice_defaults = defaults
                self.apply_counter_defaults()
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
                    _(self.DAY_NOT_OPEN).format(date=format_date(status.business_date), location=status.location_code))

        self.background(work, done)

    def _item_choices(self, query: str) -> list[ItemChoice]:
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
            # the grid warns at a line beyond the stock this document may take (its order's own
            # reservation is not against it): the figure the posting checks
            "takes_stock": True,
            "order": self._input("order").value.strip().upper() or None,
        }
        app: Any = self.app
        self._loader_params = params
        self.grid.line_defaults = lambda code: app.services.sales.line_defaults(code, **params)
        self.grid.asked_together = lambda asks: app.services.stock.asked_together(asks)  # the posting's rule
        self.grid.location = params["location"]
        self.grid.date = params["date"]

    def location_code_typed(self) -> str | None:
        text = self._input("location").value.strip().upper()
        return text or (self.context.location if self.context is not None else None)

    # -- unsaved changes: header and footer fields by snapshot, the grid by its own flag --


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
        context = self.context
        totals = self.live_totals(lambda: compute_totals(
            self.grid.line_inputs(), currency=self.currency, rate=rate, flat_type=flat_type,
            flat_value=flat_value, tax_exempt=self.tax_exempt_now(), cdf_increment=context.cdf_increment,
            slabs=context.slabs or None, redemption_value=self.redemption_value_usd(),
        ))
        if totals is not None:
            self._say_converted()
            self.after_recompute(totals)

    def _say_converted(self) -> None:
        """What a currency or rate switch converted, said once the figures hold: until the list
        prices reload in the new currency a warning on the figures may have taken its place."""
        note = self._converted_note
        if note is None:
            return
        bar = self.message_bar
        if not bar.text:
            bar.show_info(note)
        elif bar.text != note:
            return  # another message first; said when it goes
        self._converted_note = None

    # hooks for the screens built on this one (orders, provisional invoices)

    def tax_exempt_now(self) -> bool:
        return bool(self.customer is not None and self.customer.tax_exempt)

    def redemption_value_usd(self) -> Decimal:
        return Decimal("0")

    def after_recompute(self, totals: DocumentTotals) -> None:
        """After the footer shows new totals (no database call here)."""

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

    def show_free_offers(self, preview: Preview | None) -> None:
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
                convert = lambda p: money.convert(p, old, new, rate)  # noqa: E731
                self._show_converted(self.grid.convert_typed_prices(convert),
                    _("from {old} to {new} at {rate}").format(old=old, new=new, rate=money.format_rate(rate)),
                    self._convert_flat_amount(convert))
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
        convert = lambda p: p * new_rate / old_rate  # noqa: E731
        self._show_converted(self.grid.convert_typed_prices(convert),
                             _("from rate {old} to {new}").format(old=money.format_rate(old_rate), new=money.format_rate(new_rate)),
                             self._convert_flat_amount(convert))

    def _convert_flat_amount(self, convert: Any) -> tuple[Decimal, Decimal] | None:
        """A flat discount typed as an amount is in the document currency, as a typed price is: it
        follows the currency and the rate the same way (5.00 USD is 14,250.00 CDF at 2850, not 5 CDF)."""
        footer = self.footer_totals
        before = footer.flat_value if footer.flat_type == "amount" else None
        if before is None:
            return None
        after = money.q2(convert(before))
        footer.set_flat("amount", after)
        return before, after

    def _show_converted(self, changed: list, how: str, flat: tuple[Decimal, Decimal] | None = None) -> None:
        if not changed and flat is None:
            return
        pieces = [(_("line {number} {before} → {after}") if key == "price"
                   else _("line {number} flat discount {before} → {after}")).format(
            number=n, before=money.format_amount(a), after=money.format_amount(b)) for n, key, a, b in changed[:3]]
        if flat is not None:
            pieces.append(_("flat discount {before} → {after}").format(
                before=money.format_amount(flat[0]), after=money.format_amount(flat[1])))
        shown = ", ".join(pieces)
        more = " " + _("(+{count} more)").format(count=len(changed) - 3) if len(changed) > 3 else ""
        self._converted_note = _("Typed prices converted {how}: {shown}").format(how=how, shown=shown) + more
        self.show_info(self._converted_note)

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
            self._update_loader()  # the order's own reservation is the lines' to take
            self.grid.reload_defaults()
            self.order_left(value)
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

        def picked(row: LookupRow | None) -> None:
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

    def _apply_customer(self, info: CustomerInfo | None, *, mark_dirty: bool = True) -> None:
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

    # -- the draft ------------------------------------------------------------------

    def build_draft(self) -> DocumentDraft:
        """The screen as a ``DocumentDraft`` (as typed)."""
        from shopterm.services.documents import drafts

        footer = self.footer_totals
        flat_text = footer.flat_text
        return drafts.DocumentDraft(
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
        if name == "lookup" and self.view is not None:
            return False  # a document shown as saved: nothing to find (whichever cell has the focus)
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

            def send(addr: str) -> Sent:
                return self.services.mail.email_document(actor, number, to=addr)

            self.app.push_screen(EmailDialog(number, to, send), self._emailed)

        self.run_service(address, ask, busy_text=None)

    def _emailed(self, sent: Sent | None) -> None:
        if sent is not None:
            self.show_info(_("Sent {file} to {to} through {server}").format(
                file=sent.attachment, to=sent.to, server=sent.server))


    async def reset(self) -> None:
        """A blank invoice with the header defaults."""
        self.view = None
        self.draft_id = None
        self.customer = None
        self.totals = None
        self._customer_pending = None
        self._converted_note = None
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
            self.apply_counter_defaults()
        self.mark_clean()
        if self.counter_flow:
            self.grid.focus_cell(1, "item")
        else:
            self._input("customer").focus()

    def list_rows(self, services: Services, q: ListQuery, location: str | None) -> list[DocumentRow]:
        """(worker) One page of the F3 list."""
        return services.sales.list_documents(self.DOC_TYPE, **list_filters(q, location))

    def action_list(self) -> None:
        location = self.location_code_typed()
        self.open_documents(self.LIST_TITLE, lambda q: self.list_rows(self.services, q, location),
                            lambda draft_id: self.services.sales.load_draft(draft_id),
                            lambda doc_id: self.services.sales.document(doc_id))

    # -- showing a posted document or a draft -----------------------------------------

    def _fill_header(self, *, location: str, date: dt.date | str | None, customer: str | None, sales_type: str,
                     currency: str, rate: Number, sales_person: str | None, contact: str, additional: Number,
                     agent: bool, free: bool,
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

    async def _show_view(self, view: DocumentView) -> None:
        """A posted invoice, read-only (posted is final)."""
        self.view = view
        self.draft_id = None
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

    async def _show_draft(self, draft_id: int, draft: DocumentDraft) -> None:
        """A saved draft, editable; the lines' defaults are reloaded."""
        self.view = None
        self.draft_id = draft_id
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




#: the price lists as the header names them (the stored codes "retail"/"wholesale" are no words to translate)
_CASH_PRICES = {"retail": N_("Cash customer · retail prices"), "wholesale": N_("Cash customer · wholesale prices")}


def credit_text(info: CustomerInfo) -> str:
    """The read-only credit line of the header (and the customer's default line discount)."""
    exempt = " · " + _("tax exempt") if info.tax_exempt else ""
    pct = getattr(info, "discount_pct", None)
    exempt += " · " + _("Disc {pct} %").format(pct=format(pct.normalize(), "f")) if pct else ""
    if info.kind != "credit":
        prices = _CASH_PRICES.get(str(info.price_category))
        if prices is not None:
            return _(prices) + exempt
        return _("Cash customer · {category} prices").format(category=info.price_category) + exempt
    return _("Limit {limit} · {days} days · Outstanding $ {outstanding} · Available {available}").format(
        limit=money.format_amount(info.credit_limit), days=info.credit_days,
        outstanding=money.format_amount(info.outstanding_usd),
        available=money.format_amount(info.available_credit)) + exempt
