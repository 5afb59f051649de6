"""Sales Return (seed screen 06): goods back against an invoice or a delivery note.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Sales Return · New
    Loc AXP    Date 2026-11-23  No —
    Based on Invoice  Invoice No 261101SI000001  2026-11-23 USD 2850 credit
    Client C0001 Kinshasa Pharma      Mobile +243810000001  $Print No
    Sales invoice · Card Standard · 12 points · Address …
     #  Item      Bal  Batch    Qty    Price     Gross    Disc      Net
     1  PARA500    10  B002     4       2.20      8.80    0.88     8.87
     …                                     (the invoice's lines, 6 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 500 res 0 · B002 …
    Price $ 2.20 · Gross 8.80 · Disc 0.88 · Flat share 0.00 · Tax 16% 1.27
    Qty …  Gross …  Disc …  Flat …                   (the totals footer, 4 lines)
    Paid qty 4 · Free qty 0 · Loyalty points reversed 0 · Credit 8.87 USD

Fields (seed): Location, Document Date, Return No (auto), Return Based On
(Invoice / Delivery Note: choose it first, Space changes it), Invoice No (F2:
only the documents with something left to return; any other: the seed's
"Invoice No. not in Sales Return"), Invoice Date, Currency, Exchange Rate,
Customer Name, Address, Credit Sales (auto, from the original), Mobile No,
Print in USD?, Loyaltycard and Available Points (auto); the grid's Item
(from the original), Unit, Packsize (detail strip), Balance Qty (sold −
already returned), Batch (F2), Qty (≤ balance), Price, Gross, Discount and
Net (the original's, for the quantity returned); the footer's Total Paid /
Free Qty, Gross, Discount, Tax reversed, Round Off, Net / USD / CDF, Loyalty
points reversed and the Narration (required: the reason for the return).

Keys: Ctrl+S saves (stock back, the invoice reversed for the returned share,
a credit on the customer's ledger), Ctrl+P saves and prints, Ctrl+D draft, F8
takes a line out, F9 voucher details, F3 list, F4 history, Ctrl+N new, Esc
back. A cash refund then goes through Sales Receipt / Return.

The figures are the service's (``services.returns.preview``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date
from shopterm.screens.base.header import date, header_row, location, number, yes_no
from shopterm.screens.base.linked_document import (CREDIT_LABELS, FooterFigures, LinkedDocumentScreen, SourceInput,
                                                  SourceRow, qty_text)
from shopterm.screens.registry import register_screen
from shopterm.widgets.item_grid import GridColumn
from shopterm.widgets.print_action import PDF_BINDING, PdfKey
from shopterm.widgets.totals_footer import CompactChoice, fmt_amount, fmt_qty

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.documents.drafts import DraftLine
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView
    from shopterm.services.masters.customers import CustomerInfo as CustomerMaster
    from shopterm.services.sales.returns import ReturnableLine, ReturnDraft, ReturnPreview
    from shopterm.services.schemes.loyalty import LoyaltyEntry, LoyaltyStatus

    #: What loading the returned document gives source_loaded: its view, its lines, the customer and points.
    LoadedInvoice = tuple[DocumentView, list[ReturnableLine], CustomerMaster | None, LoyaltyStatus | None]

__all__ = ["SR_COLUMNS", "SalesReturnScreen"]

ZERO = Decimal(0)
BASES = [("invoice", N_("Invoice")), ("delivery_note", N_("Delivery Note"))]

SR_COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("sno", "#", 3, "sno"),
    GridColumn("item", N_("Item"), 9, "item"),
    GridColumn("balance_qty", N_("Bal"), 6, "info", N_("Balance qty")),
    GridColumn("batch", N_("Batch"), 8, "batch"),
    GridColumn("qty", N_("Qty"), 6, "qty"),
    # a franc invoice's figures whole: price 22,771.50, gross 188,100.00 and net 182,457.00 (a space before)
    GridColumn("price", N_("Price"), 9, "info", N_("Price")),
    GridColumn("gross", N_("Gross"), 10, "figure", N_("Gross amount")),
    GridColumn("discount_amount", N_("Disc"), 7, "figure", N_("Discount amount")),
    GridColumn("line_net", N_("Net"), 11, "figure", N_("Net amount")),
)


class SalesReturnScreen(PdfKey, LinkedDocumentScreen):
    """The Sales Return entry screen (module docstring)."""

    BINDINGS = [PDF_BINDING]  # Ctrl+O: the A4 PDF of the posted document

    DOCUMENT_TITLE = N_("Sales Return")
    NARRATION_HINT = N_("required: the reason for the return")
    DOC_TYPE = "SR"
    DOC_WORD = N_("Sales return")
    PAYABLE_LABELS = CREDIT_LABELS
    LIST_TITLE = N_("Sales returns")
    SOURCE_FIELD = "invoice"
    SOURCE_LABEL = N_("Invoice No")
    SERVICE_CALLS = ("returns", "preview", "post", "save_draft", "load_draft")
    GRID_COLUMNS = SR_COLUMNS
    FEFO_BATCH = False  # the batch is the one sold (a provisional invoice's: the service's choice)
    AUTO_FOCUS = "#field-invoice"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.customer_code: str | None = None
        self.address: str = ""

    def compose_header(self) -> ComposeResult:
        yield header_row(location(), date(), number("ld-number"))
        yield header_row((N_("Based on"), CompactChoice(BASES, id="field-based-on", field_name="based_on",
                                                        label=_("Return based on"), classes="sr-basis")),
                         (N_("Invoice No"), SourceInput(id="field-invoice", label=_("Invoice No"))),
                         Static("", id="sr-original", markup=False))
        yield header_row((N_("Client"), Static("", id="sr-customer", markup=False)),
                         (N_("Mobile"), Input(id="field-mobile", max_length=40)),
                         yes_no(N_("$Print"), "print-usd", N_("Print in USD")))

    def first_field(self) -> Any:
        return self.field("invoice")  # the first field that takes typing (Shift+Tab: based on)

    # -- Return Based On, then Invoice No ------------------------------------------------------

    @property
    def based_on(self) -> str:
        return self.field("based-on").value

    @on(CompactChoice.Changed, "#field-based-on")
    def _basis_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is not None:
            return
        self.dirty = True
        if self.source:  # the lines were the other basis's: start again
            self.source = None
            self.source_view = None
            self.field("invoice").value = ""
            self.call_later(self.grid.clear)
            self.info("")
            self.footer_totals.show(None)
            self.show_info(_("Return Based On changed: choose the Invoice No again (F2)"))

    def source_rows(self, services: Services) -> list[SourceRow]:
        """(worker) F2 in Invoice No: the documents with something left to return."""
        rows = services.returns.returnable(self.based_on, None, self.location_code)
        return [SourceRow(r.number, f"{format_date(r.date)} {r.customer} {r.customer_name}",
                          _("balance {balance} of {qty}").format(balance=fmt_qty(r.balance), qty=fmt_qty(r.qty)))
                for r in rows]

    def empty_message(self) -> str:
        if self.based_on == "invoice":
            text = _("Invoice No. not in Sales Return: no invoice with anything left to return at {location} "
                     "(already fully returned)")
        else:
            text = _("Invoice No. not in Sales Return: no delivery note with anything left to return at {location} "
                     "(already fully returned)")
        return text.format(location=self.location_typed())

    def load_source(self, services: Services, number: str, date: dt.date | None) -> LoadedInvoice:
        from shopterm.services.sales.returns import ReturnDraft

        based_on = self.based_on
        # the service's own checks: wrong basis, not found, cancelled, nothing left to return
        services.returns.preview(ReturnDraft(location=self.location_code, date=date, based_on=based_on,
                                             invoice=number, narration="-"))
        view = services.sales.document(number)
        lines = services.returns.return_lines(based_on, number)
        master = services.masters.get_customer(view.customer) if view.customer else None
        points = services.loyalty.status(view.customer) if view.customer else None
        return view, lines, master, points

    async def source_loaded(self, loaded: LoadedInvoice) -> tuple[list[DraftLine], list[dict]]:
        from shopterm.services.documents.drafts import DraftLine

        view, rlines, master, points = loaded
        self.source_view = view
        self.customer_code = view.customer
        self.field("invoice").value = view.number
        kind = {"SI": _("Sales invoice"), "PI": _("Provisional invoice"), "DN": _("Delivery note")}.get(
            view.doc_type, "")
        self.query_one("#sr-original", Static).update(
            Text(f"{format_date(view.date)} {view.currency} {_rate(view.rate)} {_(str(view.sales_type or ''))}",
                 no_wrap=True, overflow="ellipsis"))
        self.query_one("#sr-customer", Static).update(
            Text(f"{view.customer or ''} {view.customer_name or ''}", no_wrap=True, overflow="ellipsis"))
        mobile = self.field("mobile")
        if not mobile.value.strip():
            mobile.value = (master.mobile if master else "") or view.contact_no or ""
        self.address = master.address if master else ""
        self.field("print-usd").set_value("yes" if view.print_usd else "no")
        self.info(_info_text(kind, self.address, master, points))
        lines, infos = [], []
        for rl in rlines:
            if rl.balance <= 0:
                continue
            lines.append(DraftLine(item=rl.item, batch=rl.batch, qty=None, price=rl.price))
            infos.append({"balance_qty": rl.balance, "src_line": rl.line_no, "price": rl.price,
                          "is_free": rl.is_free, "item": rl.item})
        return lines, infos

    async def _loaded(self, number: str, loaded: LoadedInvoice) -> None:
        await super()._loaded(number, loaded)
        self.grid.touched = False  # nothing typed yet: nothing returned
        rows = self.grid.rows
        if rows:
            cell = rows[0].cell("qty")
            if cell is not None and cell.focusable:
                self.set_focus(cell)
        self.show_info(_("Type the quantity returned on each line, then the Narration; Ctrl+S"))

    # -- the draft and the services ------------------------------------------------------------------

    def build_draft(self, *, for_post: bool = False) -> ReturnDraft:
        from shopterm.services.sales.returns import ReturnDraft, ReturnLine

        lines = []
        for texts, info in self.grid_rows(for_post=for_post):
            if for_post and not texts["qty"]:
                lines.append(ReturnLine())  # nothing returned on this line: keeps the grid's numbering
                continue
            lines.append(ReturnLine(item=texts["item"], qty=texts["qty"], batch=texts["batch"],
                                    line=info.get("src_line")))
        date = self.field("date")
        return ReturnDraft(
            location=self.location_typed(), date=date.date_value or date.value.strip() or None,
            based_on=self.based_on, invoice=self.source or self.field("invoice").value.strip().upper(),
            customer=self.customer_code or "", mobile=self.field("mobile").value.strip(),
            address=self.address, print_usd=self.field("print-usd").value == "yes",
            narration=self.footer_totals.narration, lines=lines)

    def footer_figures(self, p: ReturnPreview) -> FooterFigures:
        self.extra(_("Paid qty {paid} · Free qty {free} · Loyalty points reversed {points} · Credit {credit} "
                     "{currency}").format(paid=fmt_qty(p.total_qty), free=fmt_qty(p.total_free_qty),
                                          points=p.loyalty_points, credit=fmt_amount(p.credit), currency=p.currency))
        return FooterFigures(p.total_qty + p.total_free_qty, p.gross, p.discount, p.flat_discount, p.tax, p.net,
                             p.net_usd, p.net_cdf, p.round_off, p.credit, p.credit_usd,
                             p.credit_cdf, self.grid_figures(p))

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        return _("Sales return {number} saved: credit {amount} {currency} to {customer}").format(
            number=post.number, amount=fmt_amount(view.totals.payable), currency=view.currency, customer=view.customer)

    # -- drafts and posted returns -------------------------------------------------------------------

    def clear_header(self) -> None:
        self.customer_code = None
        self.address = ""
        self.field("based-on").set_value("invoice")
        for name in ("invoice", "mobile"):
            self.field(name).value = ""
        self.field("print-usd").set_value("no")
        for wid in ("#sr-original", "#sr-customer"):
            self.query_one(wid, Static).update("")

    def fill_from_draft(self, draft: ReturnDraft) -> None:
        self.field("location").value = draft.location or self.location_code or ""
        self.field("date").set_value(draft.date or self.business_date)
        self.field("based-on").set_value(draft.based_on or "invoice")
        self.field("invoice").value = draft.invoice or ""
        if draft.mobile:
            self.field("mobile").value = draft.mobile
        self.field("print-usd").set_value("yes" if draft.print_usd else "no")
        self.footer_totals.set_narration(draft.narration)

    def draft_lines_of(self, draft: ReturnDraft, infos: list[dict]) -> tuple[list[DraftLine], list[dict]]:
        from shopterm.services.documents.drafts import DraftLine

        typed = {dl.line: dl for dl in draft.lines if not dl.is_blank()}
        lines, out = [], []
        for info in infos:
            dl = typed.get(info.get("src_line"))
            lines.append(DraftLine(item=info.get("item", ""), batch=dl.batch if dl else None,
                                   qty=qty_text(dl.qty) if dl else None, price=info.get("price")))
            out.append(info)
        return lines, out

    def fill_from_view(self, view: DocumentView) -> None:
        extra = view.extra or {}
        self.customer_code = view.customer
        self.field("location").value = view.location
        self.field("date").set_value(view.date)
        self.field("based-on").set_value(extra.get("based_on", "invoice"))
        self.field("invoice").value = extra.get("invoice", "")
        self.field("mobile").value = extra.get("mobile", "") or view.contact_no or ""
        self.field("print-usd").set_value("yes" if view.print_usd else "no")
        original = extra.get("original") or ""
        if original == extra.get("invoice"):
            original = ""  # against the invoice itself: its number is in Invoice No already (it pushed the line out)
        self.query_one("#sr-original", Static).update(
            Text(f"{view.currency} {_rate(view.rate)} {_(str(view.sales_type or ''))}"
                 + (" · " + _("original {number}").format(number=original) if original else ""),
                 no_wrap=True, overflow="ellipsis"))
        self.query_one("#sr-customer", Static).update(
            Text(f"{view.customer or ''} {view.customer_name or ''}", no_wrap=True, overflow="ellipsis"))
        self.info(_("Address {address}").format(address=extra.get("address", "") or "-"))
        self.extra(_("Paid qty {paid} · Free qty {free} · Credit {credit} {currency}").format(
            paid=fmt_qty(sum((l.qty for l in view.lines if not l.is_free), ZERO)),
            free=fmt_qty(sum((l.qty for l in view.lines if l.is_free), ZERO)),
            credit=fmt_amount(view.totals.payable), currency=view.currency))

    def view_shown(self, view: DocumentView) -> None:
        extra = view.extra or {}
        invoice, based_on = extra.get("invoice"), extra.get("based_on", "invoice")
        if not invoice:
            return
        number, customer = view.number, view.customer

        def work() -> tuple[list[ReturnableLine], list[LoyaltyEntry]]:
            services = self.services
            lines = services.returns.return_lines(based_on, invoice)
            points = [e for e in services.loyalty.history(customer, limit=500) if e.number == number] \
                if customer else []
            return lines, points

        def done(result: tuple[list[ReturnableLine], list[LoyaltyEntry]]) -> None:
            if self.view is not view:
                return
            rlines, entries = result
            left = self.show_balances_left(rlines)
            for line in self.grid.lines:
                line.info["price"] = line.view.price if line.view is not None else None
            self.grid.repaint_info()
            reversed_points = -sum((e.points for e in entries), 0)
            # one line of 78 columns, in French too: the quantity still returnable on the invoice (its
            # number is in the header), then the points (none when 0), each said short
            parts = [self.query_one("#ld-extra", Static).render().plain,
                     _("{qty} left").format(qty=fmt_qty(sum(left.values(), ZERO))),
                     _("Points reversed {points}").format(points=reversed_points) if reversed_points else ""]
            self.extra(" · ".join(part for part in parts if part))

        self.background(work, done, on_error=lambda exc: True)


def _rate(rate: Decimal) -> str:
    return money.format_rate(rate)


def _info_text(kind: str, address: str, master: CustomerMaster | None, points: LoyaltyStatus | None) -> str:

    # the card and its points before the address: a long address is what the 80 columns cut
    parts = [kind]
    if master is not None and master.loyalty_card:
        held = points.points if points is not None else 0
        parts.append(_("Card {card} · {points} points").format(card=master.loyalty_card, points=held))
    else:
        parts.append(_("no loyalty card"))
    parts.append(_("Address {address}").format(address=address or "-"))
    return " · ".join(p for p in parts if p)


register_screen(SalesReturnScreen, "sales_return", "Returns",
                N_("Goods back against an invoice or a delivery note (narration required)"))
