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

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Input, Static, TabbedContent, TabPane

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date, group_mark, ngettext, pgettext
from shopterm.screens.base.header import YES_NO
from shopterm.screens.base.sales_form import ClientInput, SalesFormScreen, credit_text
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import CodeInput, DateInput, PercentInput, RateInput
from shopterm.widgets.item_grid import SALES_COLUMNS, ItemGrid
from shopterm.widgets.totals_footer import CompactChoice, TotalsFooter

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer

    from shopterm.core.totals import DocumentTotals
    from shopterm.services.documents.drafts import DocumentDraft
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView, Preview
    from shopterm.services.printing import Printed
    from shopterm.widgets.approval import Approval
    from shopterm.screens.base.counter import PickRow
    from shopterm.screens.sales_receipt import TenderResult

__all__ = ["SalesInvoiceScreen", "credit_text"]



class SalesInvoiceScreen(SalesFormScreen):
    """The Sales Invoice (Facture) entry screen (module docstring)."""

    DOCUMENT_TITLE = N_("Sales Invoice (Facture)")
    DOC_TYPE = "SI"
    LIST_TITLE = N_("Sales invoices")
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "voucher",
                          "delete_row"})
    AUTO_FOCUS = "#grid ItemCell"  # the counter flow (DESIGN §12); orders and provisional invoices: the client

    FREE_OFFERS_DELAY = 0.3  # the Free Offers preview, a moment after the typing stops

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.last_receipt: TenderResult | None = None  # the last sale tendered from here
        self._sale_message: tuple[str, bool] = ("", False)  # where the sale is (text, a warning?)
        self._print_note = ""  # the Ctrl+P print's outcome, to say with the sale's next message
        self._free_timer: Timer | None = None
        # Agent commission? follows the sales person (Yes with one) until the cashier picks it, or a
        # saved draft or posted invoice shows its own
        self._agent_follows = True

    @property
    def counter_flow(self) -> bool:
        """The Sales Invoice's counter flow (DESIGN §12)."""
        return True

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

    def apply_counter_defaults(self) -> None:
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

    def after_recompute(self, totals: DocumentTotals) -> None:
        """After the footer shows new totals (no database call here): the invoice's Free Offers
        tab is previewed by the services a moment after the typing stops."""
        self.schedule_free_offers()

    def schedule_free_offers(self) -> None:
        """The invoice's services preview (free goods and hints) a moment after the typing stops.
        (The order and provisional invoice have their own debounced preview.)"""
        if self.view is not None or not self.is_mounted:
            return
        if self._free_timer is not None:
            self._free_timer.stop()
        self._free_timer = self.set_timer(self.FREE_OFFERS_DELAY, self._free_offers_now)

    def _free_offers_now(self) -> None:
        self._free_timer = None
        if self.view is not None or self.context is None or self.app.screen is not self:
            return
        try:
            # (query_one is cached; a query's truth matched every widget of the screen: ~400)
            grid = self.grid
        except NoMatches:  # the app is closing: the screen's widgets are already gone
            return
        self._free_seq += 1
        seq = self._free_seq
        if not any(line.item for line in grid.lines):
            self.show_free_offers(None)
            return
        draft = self.build_draft()
        actor = self.actor
        services = self.services

        def done(preview: Preview) -> None:
            if seq == self._free_seq and self.view is None:
                self.show_free_offers(preview)

        # a rule the draft still breaks is shown by the totals and refused by Save: not here
        self.background(lambda: services.sales.preview(draft, actor), done, on_error=lambda exc: True)

    @on(CompactChoice.Changed, "#field-free-offer")
    def _free_offer_changed(self, event: CompactChoice.Changed) -> None:
        self.schedule_free_offers()

    # -- Agent commission? follows the sales person ------------------------------------

    @on(CompactChoice.Changed, "#field-agent-commission")
    def _agent_picked(self, event: CompactChoice.Changed) -> None:
        self._agent_follows = False  # the cashier's choice stands, whatever the sales person

    @on(Input.Changed, "#field-sales-person")
    def _sales_person_changed(self, event: Input.Changed) -> None:
        if self._agent_follows and self.view is None:
            for agent in self.query("#field-agent-commission").results(CompactChoice):
                agent.set_value("yes" if event.value.strip() else "no")

    async def reset(self) -> None:
        self._agent_follows = True
        await super().reset()

    async def _show_view(self, view: DocumentView) -> None:
        self._agent_follows = False
        await super()._show_view(view)

    async def _show_draft(self, draft_id: int, draft: DocumentDraft) -> None:
        self._agent_follows = False  # the draft's own Agent commission? stands
        await super()._show_draft(draft_id, draft)

    # -- SO/Proforma ------------------------------------------------------------------

    def order_left(self, number: str) -> None:
        """A confirmed order/proforma: with an empty grid, its open lines are copied in."""
        if not number or any(r.line.item for r in self.grid.rows):
            return

        def work() -> DocumentView:
            return self.services.sales.document(number.upper())

        def done(view: DocumentView) -> None:
            if view.doc_type not in ("SO", "PF"):
                self.show_error(_("SO/Proforma No: {number} is a {kind}, not an order or proforma").format(
                    number=number.upper(), kind=view.doc_type), field="order")
                return
            self.call_later(self._copy_order, view)

        self.background(work, done)

    def _open_order_rows(self, query: str) -> list[PickRow]:
        """F2 on SO/PF No (in a worker): the client's confirmed orders and proformas with
        something left to invoice (every client's while none is chosen, or while the client is
        still the counter's walk-in customer: the one who comes for an order is picked with it)."""
        from shopterm.screens.base.counter import PickRow

        customer = self.customer.code if self.customer is not None else None
        walk_in = self.invoice_defaults.customer if self.invoice_defaults is not None else None
        if walk_in is not None and customer == walk_in.code:
            customer = None
        orders = self.services.orders.open_orders(customer, self.location_code_typed())
        q = query.strip().upper()
        return [PickRow(o.number, f"{o.doc_type} {format_date(o.date)} {o.customer or ''} {o.customer_name or ''}".strip(),
                        f"{money.format_amount(o.net)} {o.currency}", o)
                for o in orders if not q or q in o.number or q in (o.customer or "")]

    async def _copy_order(self, view: DocumentView) -> None:
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

        def post(d: DocumentDraft) -> tuple[PostResult, DocumentView]:
            services = self.services
            result = services.sales.post_invoice(actor, d, draft_id)
            return result, services.sales.document(result.document_id)

        def with_approval(approval: Approval) -> Callable[[], tuple[PostResult, DocumentView]]:
            return lambda: post(replace(draft, approver=approval.name, approver_pin=approval.pin))

        self.run_service(lambda: post(draft), lambda result: self._posted(result, print_after=print_after),
                         busy_text=_("Posting…"), with_approval=with_approval)

    def _posted(self, result: tuple[PostResult, DocumentView], print_after: bool = False) -> None:
        post, view = result
        self.last_post = post
        self.call_later(self._show_view, view)
        self.refresh_status()
        self._print_note = ""
        self._say_sale(_("Invoice {number} posted · payable {amount} {currency} · Ctrl+N next").format(
            number=post.number, amount=money.format_amount(view.totals.payable), currency=view.currency))
        if print_after:
            self._print_sale(post.number)
        if view.sales_type == "cash" and view.totals.payable > 0:
            # keys typed with Ctrl+S (the cash received) wait for the tender screen: they reached the
            # posted invoice in between, and the first digit of '30000' was lost
            self.call_later_holding(self._tender, post.number)

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

        def done(printed: Printed) -> None:
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

    def _tendered(self, result: TenderResult | None) -> None:
        """Back from tendering: paid → the change shown on a new invoice; Esc → the posted invoice stays."""
        if result is None:
            number = self.view.number if self.view is not None else _("The invoice")
            self._say_sale(_("{number} is posted but not paid: take the cash in Sales Receipt (Ctrl+N: next customer)")
                           .format(number=number), warning=True)
            return
        self.last_receipt = result
        self.call_later(self._next_customer, result)

    async def _next_customer(self, result: TenderResult) -> None:
        await self.reset()
        self._say_sale(result.message)
        if result.print_invoice:
            self.print_posted(keep_message=True, number=result.invoice)


register_screen(SalesInvoiceScreen, "sales_invoice", "Sales", N_("Invoice goods handed over now: cash or credit"))
