"""Sales Return (Direct) (seed screen 07): goods back without an invoice in the system.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Sales Return (Direct) · New
    Loc AXP    Date 2026-11-23  Inv date            No —
    Client C0001       Kinshasa Pharma     SP SP01   Credit Yes  Tax exempt No
    Ccy USD Rate 2850      Mobile +243 81 600 100  Loc batch No
    Address 12 avenue du Commerce, Gombe, Kinshasa
    Card Standard · 12 points held
    #  Item     Qty    Price    Batch    Supp   SBatch   Mfg        Expiry
    1  PARA500  5      2.20     R001     SUP01  LOT-77   2026-01-01 2027-12-31
    …                                     (the item grid, 6 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · R001 0
    Price $ 2.20 · Gross 11.00 · Disc 0.00 · Flat share 0.00 · Tax 16% 1.76
    Qty …  Gross …  Disc …  Flat …                   (the totals footer, 4 lines)
    Free qty 0 · Loyalty points reversed 0 · new batch R001

Fields (seed): Location, Document Date, Return No (auto), Customer Name
(F2), Sales Person (F2; the customer's), Invoice Date (optional), Currency,
Exchange Rate, Credit Sale?, Tax Exempted?, Mobile No and Address (required;
the customer's when blank), Loyaltycard and Available Points (auto); the
grid's Item (F2), Unit and Packsize (detail strip), Batch (F2 lists the
item's batches: a known one fills its supplier, supplier batch no and dates;
a new code creates the batch), Supplier (F2), Supplier Batchno, Manufacturing
Date (optional), Expiry Date (required), Qty, Price (the price list's by
default), Gross (detail strip); the footer's totals, tax reversed, round off,
net USD/CDF, loyalty points reversed, Notes (the narration).
Location Batch Flag (Loc batch, Yes/No): Yes returns the goods only into
batches this location holds (a batch with stock moves here; a new or another
shop's batch is refused on that line); No (default) also creates a new batch.

Keys: Ctrl+S saves (stock in, the batch created if new; the credit on the
customer's ledger), Ctrl+P saves and prints, Ctrl+D draft, F8 deletes the
row, F9 voucher details, F3 list, F4 history, Ctrl+N new, Esc back.

Per keystroke the totals come from ``core.totals`` (as the service computes
them: no discount, the customer's or the document's tax exemption); the
loyalty points and new batches from ``services.returns.preview_direct``.
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
from shopterm.core.i18n import N_, _, format_date, parse_date
from shopterm.core.totals import compute_totals
from shopterm.screens.base.header import (currency, customer, date, header_row, location, number, rate, sales_person,
                                          yes_no)
from shopterm.screens.base.linked_document import CREDIT_LABELS, LinkedDocumentScreen
from shopterm.screens.registry import register_screen
from shopterm.widgets.inputs import DateInput
from shopterm.widgets.item_grid import GridColumn, ItemGrid
from shopterm.widgets.print_action import PDF_BINDING, PdfKey
from shopterm.widgets.totals_footer import CompactChoice, fmt_qty

if TYPE_CHECKING:
    from collections.abc import Callable

    from shopterm.core.totals import DocumentTotals
    from shopterm.services import Status
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import CustomerInfo, DocumentView
    from shopterm.services.masters.customers import CustomerInfo as CustomerMaster
    from shopterm.services.masters.goods import BatchInfo
    from shopterm.services.sales.invoice import LineDefaults, TotalsContext
    from shopterm.widgets.item_grid import GridRow
    from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnPreview
    from shopterm.services.schemes.loyalty import LoyaltyEntry, LoyaltyStatus

__all__ = ["RD_COLUMNS", "DirectReturnScreen"]

ZERO = Decimal(0)

RD_COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("sno", "#", 2, "sno"),
    GridColumn("item", N_("Item"), 9, "item"),
    GridColumn("qty", N_("Qty"), 6, "qty"),
    GridColumn("price", N_("Price"), 8, "money"),
    GridColumn("batch", N_("Batch"), 8, "batch"),
    GridColumn("supplier", N_("Supp"), 6, "code", N_("Supplier")),
    GridColumn("supplier_batch_no", N_("SBatch"), 8, "text", N_("Supplier batch no")),
    GridColumn("mfg_date", N_("Mfg"), 11, "date", N_("Manufacturing date")),
    GridColumn("expiry", N_("Expiry"), 11, "date", N_("Expiry date")),
)

#: the batch details a known batch fills (grid key → BatchInfo attribute)
BATCH_FIELDS = (("supplier", "supplier"), ("supplier_batch_no", "supplier_batch_no"), ("mfg_date", "mfg_date"),
                ("expiry", "expiry"))


class _BatchRow:
    """A batch for the grid's F2 list (``code``, ``expiry``, ``qty``)."""

    __slots__ = ("code", "expiry", "qty", "expired")

    def __init__(self, info: BatchInfo) -> None:
        self.code, self.expiry, self.qty, self.expired = info.code, info.expiry, info.stock, False


class DirectReturnScreen(PdfKey, LinkedDocumentScreen):
    """The Sales Return (Direct) entry screen (module docstring)."""

    BINDINGS = [PDF_BINDING]  # Ctrl+O: the A4 PDF of the posted document

    DOCUMENT_TITLE = N_("Sales Return (Direct)")
    DOC_TYPE = "RD"
    DOC_WORD = N_("Direct return")
    PAYABLE_LABELS = CREDIT_LABELS
    LIST_TITLE = N_("Direct returns")
    SOURCE_FIELD = None
    SERVICE_CALLS = ("returns", "preview_direct", "post_direct", "save_direct_draft", "load_direct_draft")
    FIXED_ROWS = False
    FEFO_BATCH = False  # the batch returned is typed (or picked with F2)
    GRID_COLUMNS = RD_COLUMNS
    AUTO_FOCUS = "#field-customer"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.customer: CustomerInfo | None = None
        self.context: TotalsContext | None = None  # the CDF increment
        self.totals: DocumentTotals | None = None
        self._batches: dict[str, list[BatchInfo]] = {}
        self._customer_pending: str | None = None

    def compose_header(self) -> ComposeResult:
        invoice_date = DateInput(id="field-invoice-date", label=_("Invoice date"), placeholder="")
        yield header_row(location(), date(), (N_("Inv date"), invoice_date), number("ld-number"))
        yield header_row(*customer("rd-customer-name"), sales_person(N_("SP")),
                         yes_no(N_("Credit"), "credit-sale", N_("Credit sale"), "yes"),
                         yes_no(N_("Tax exempt"), "tax-exempt", N_("Tax exempted")))
        yield header_row(currency(), rate(), (N_("Mobile"), Input(id="field-mobile", max_length=40)),
                         yes_no(N_("Loc batch"), "location-batch", N_("Location batch flag")))
        # its own row: an address is read whole at 80 columns
        yield header_row((N_("Address"), Input(id="field-address", max_length=200)))

    def first_field(self) -> Any:
        return self.field("customer")

    # -- defaults ----------------------------------------------------------------------------------

    def defaults_loaded(self, status: Status) -> None:
        if status.system_rate is not None and not self.field("rate").value.strip():
            self.field("rate").set_value(status.system_rate)
        location, date, actor = status.location_code, status.business_date, self.actor
        self.grid.batch_search = self._batch_search
        self.background(lambda: self.services.sales.totals_context(location, date, actor=actor), self._context_loaded)

    def _context_loaded(self, context: TotalsContext) -> None:
        self.context = context
        self.recompute()

    def _set_loader(self) -> None:
        location = self.location_typed()
        date = self.field("date").date_value or self.business_date
        params = {"customer_code": self.customer.code if self.customer is not None else None,
                  "currency": self.field("currency").value, "rate": self._rate_value(), "date": date}
        app: Any = self.app

        def load(code: str) -> LineDefaults:
            from dataclasses import replace

            return replace(app.services.sales.line_defaults(code, location, **params), batch=None)

        self.grid.line_defaults = load
        self.grid.location = location
        self.grid.date = date

    def _rate_value(self) -> Decimal | None:
        return self.field("rate").decimal_value or self.system_rate

    # -- the customer ----------------------------------------------------------------------------------

    def header_left(self, widget: Any) -> None:
        wid = getattr(widget, "id", "")
        if wid == "field-customer":
            text = widget.value.strip().upper()
            current = self.customer.code if self.customer is not None else None
            if text and text != current and text != self._customer_pending:
                self.resolve_customer(text)
        elif wid == "field-rate":
            self._set_loader()
            self.grid.reload_defaults()
            self.recompute()

    def resolve_customer(self, code: str) -> None:
        self._customer_pending = code
        location = self.location_typed()

        def work() -> tuple[CustomerInfo, CustomerMaster, LoyaltyStatus]:
            services = self.services
            info = services.sales.customer_info(code, location)
            master = services.masters.get_customer(info.code)
            status = services.loyalty.status(info.code)
            return info, master, status

        def done(result: tuple[CustomerInfo, CustomerMaster, LoyaltyStatus]) -> None:
            if self._customer_pending != code:
                return
            self._customer_pending = None
            info, master, status = result
            self.customer = info
            self.field("customer").value = info.code
            self.query_one("#rd-customer-name", Static).update(Text(info.name, no_wrap=True, overflow="ellipsis"))
            for name, value in (("sales-person", info.sales_person), ("mobile", master.mobile),
                                ("address", master.address)):
                field = self.field(name)
                if not field.value.strip():
                    field.value = value or ""
                    if field.has_focus:
                        field.select_all()  # the cashier is here: what they type replaces the default
            self.field("credit-sale").set_value("yes" if info.kind == "credit" else "no")
            self.field("tax-exempt").set_value("yes" if info.tax_exempt else "no")
            card = (_("Card {card} · {points} points held").format(card=status.card, points=status.points)
                    if status.card else _("No loyalty card"))
            self.info(card)
            self.dirty = True
            self._set_loader()
            self.grid.reload_defaults()
            self.recompute()

        def failed(exc: BaseException) -> bool:
            self._customer_pending = None
            return False

        self.background(work, done, on_error=failed, hold_keys=True)

    @on(CompactChoice.Changed, "#field-currency, #field-tax-exempt, #field-credit-sale, #field-location-batch")
    def _choice_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is not None:
            return
        self.dirty = True
        if event.control.id == "field-currency":
            self._set_loader()
            self.grid.reload_defaults()
        self.recompute()

    @on(Input.Changed, "#field-rate")
    def _rate_typed(self, event: Input.Changed) -> None:
        self.recompute()

    # -- batches: a known one fills its supplier and dates ---------------------------------------------

    def _batch_search(self, item: str) -> list[_BatchRow]:
        """(worker) F2 in Batch: every batch of the item (stock or not)."""
        infos = self.services.masters.batches(item, location=self.location_code)
        self._batches[item] = list(infos)
        return [_BatchRow(b) for b in infos]

    def _fill_batch(self, row: GridRow) -> None:
        item, code = row.line.item, row.line.text("batch").strip().upper()
        if not item or not code:
            return
        known = self._batches.get(item)
        if known is None:
            def fetched(infos: list[BatchInfo]) -> None:
                self._batches[item] = list(infos)
                self._fill_batch(row)

            location = self.location_code
            self.background(lambda: self.services.masters.batches(item, location=location), fetched,
                            on_error=lambda exc: True)
            return
        info = next((b for b in known if b.code.upper() == code), None)
        if info is None or row not in self.grid.rows:
            return
        for key, attr in BATCH_FIELDS:
            value = getattr(info, attr)
            if value in (None, "") or row.line.text(key).strip():
                continue
            row.put(key, format_date(value) if isinstance(value, dt.date) else str(value))

    # -- totals per keystroke (core), loyalty and new batches from the preview ---------------------------

    @on(ItemGrid.LinesChanged)
    def _lines_changed(self, event: ItemGrid.LinesChanged) -> None:
        event.stop()
        if self.view is not None:
            return
        if event.line:
            row = self.grid.rows[event.line - 1] if event.line <= len(self.grid.rows) else None
            if row is not None:
                self._fill_batch(row)
        self.recompute()

    def recompute(self) -> None:
        """Footer and line figures from ``core.totals`` (no database call), as the service
        computes a direct return: no discounts, the tax exemption of the document or customer."""
        if self.view is not None or self.context is None:
            return
        rate = self._rate_value()
        if rate is None or rate <= 0:
            return
        tax_exempt = self.field("tax-exempt").value == "yes" or bool(self.customer and self.customer.tax_exempt)
        context, currency = self.context, self.field("currency").value
        totals = self.live_totals(lambda: compute_totals(self.grid.line_inputs(), currency=currency, rate=rate,
                                                         flat_type="amount", flat_value=ZERO, tax_exempt=tax_exempt,
                                                         cdf_increment=context.cdf_increment))
        if totals is not None:
            self.schedule_preview()

    def preview_shown(self, preview: DirectReturnPreview) -> None:
        free = ZERO
        new = ", ".join(preview.new_batches)
        self.extra(_("Free qty {free} · Loyalty points reversed {points}").format(
            free=fmt_qty(free), points=preview.loyalty_points)
                   + (" · " + _("new batch {batches}").format(batches=new) if new else ""))
        self.preview_warnings(preview.warnings)

    def preview_job(self) -> Callable[[], DirectReturnPreview] | None:
        if not any(line.item for line in self.grid.lines) or not self.field("customer").value.strip():
            return None
        return super().preview_job()

    # -- the draft and the services ----------------------------------------------------------------------

    def build_draft(self, *, for_post: bool = False) -> DirectReturnDraft:
        from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine

        lines = []
        for row in self.grid.rows:
            line = row.line
            t = line.texts
            item = line.item or t.get("item", "").strip().upper()
            price: str | None = t.get("price", "").strip() or None
            lines.append(DirectReturnLine(
                item=item, batch=t.get("batch", "").strip().upper(), supplier=t.get("supplier", "").strip().upper(),
                supplier_batch_no=t.get("supplier_batch_no", "").strip(), expiry=_iso(t.get("expiry", "")),
                qty=t.get("qty", "").strip() or None, price=price, mfg_date=_iso(t.get("mfg_date", ""))))
        while lines and lines[-1].is_blank():
            lines.pop()
        date = self.field("date")
        inv_date = self.field("invoice-date")
        return DirectReturnDraft(
            location=self.location_typed(), date=date.date_value or date.value.strip() or None,
            customer=self.field("customer").value.strip().upper(),
            sales_person=self.field("sales-person").value.strip().upper() or None,
            invoice_date=inv_date.date_value or inv_date.value.strip() or None,
            currency=self.field("currency").value, rate=self.field("rate").value.strip() or None,
            credit_sale=self.field("credit-sale").value == "yes", tax_exempt=self.field("tax-exempt").value == "yes",
            mobile=self.field("mobile").value.strip(), address=self.field("address").value.strip(),
            narration=self.footer_totals.narration, lines=lines,
            location_batch=self.field("location-batch").value == "yes")

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        return _("Direct return {number} saved: credit {amount} {currency} to {customer}").format(
            number=post.number, amount=money.format_amount(view.totals.payable), currency=view.currency,
            customer=view.customer)

    # -- new, drafts and posted returns ---------------------------------------------------------------

    def clear_header(self) -> None:
        self.customer = None
        self._customer_pending = None
        self.totals = None
        for name in ("customer", "sales-person", "invoice-date", "mobile", "address"):
            self.field(name).value = ""
        self.field("credit-sale").set_value("yes")
        self.field("tax-exempt").set_value("no")
        self.field("location-batch").set_value("no")
        self.field("currency").set_value("USD")
        self.field("rate").set_value(self.system_rate if self.system_rate is not None else "")
        self.query_one("#rd-customer-name", Static).update("")

    async def reset(self) -> None:
        await super().reset()
        self.grid.batch_search = self._batch_search
        self.recompute()

    def fill_from_draft(self, draft: DirectReturnDraft) -> None:
        self.field("location").value = draft.location or self.location_code or ""
        self.field("date").set_value(draft.date or self.business_date)
        self.field("customer").value = draft.customer or ""
        self.field("sales-person").value = draft.sales_person or ""
        self.field("invoice-date").set_value(draft.invoice_date or "")
        self.field("currency").set_value(draft.currency or "USD")
        self.field("rate").set_value(draft.rate if draft.rate not in (None, "") else (self.system_rate or ""))
        self.field("credit-sale").set_value("yes" if draft.credit_sale else "no")
        self.field("tax-exempt").set_value("yes" if draft.tax_exempt else "no")
        self.field("location-batch").set_value("yes" if getattr(draft, "location_batch", False) else "no")
        self.field("mobile").value = draft.mobile or ""
        self.field("address").value = draft.address or ""
        self.footer_totals.set_narration(draft.narration)

    async def after_draft_shown(self, draft: DirectReturnDraft) -> None:
        from shopterm.services.documents.drafts import DraftLine

        lines = [l for l in draft.lines if not l.is_blank()]
        await self.grid.set_lines([DraftLine(item=l.item, batch=l.batch or None, qty=l.qty, price=l.price)
                                   for l in lines])
        for row, l in zip(self.grid.rows, lines):
            for key in ("supplier", "supplier_batch_no", "mfg_date", "expiry"):
                value = getattr(l, key)
                row.put(key, "" if value in (None, "") else str(value))
        if draft.customer:
            self.resolve_customer(draft.customer)
        self._set_loader()
        self.grid.reload_defaults()

    def fill_from_view(self, view: DocumentView) -> None:
        extra = view.extra or {}
        self.customer = None
        self.field("location").value = view.location
        self.field("date").set_value(view.date)
        self.field("invoice-date").set_value(extra.get("invoice_date") or "")
        self.field("customer").value = view.customer or ""
        self.query_one("#rd-customer-name", Static).update(
            Text(view.customer_name or "", no_wrap=True, overflow="ellipsis"))
        self.field("sales-person").value = view.sales_person or ""
        self.field("credit-sale").set_value("yes" if view.sales_type == "credit" else "no")
        self.field("tax-exempt").set_value("yes" if view.tax_exempt else "no")
        self.field("location-batch").set_value("yes" if extra.get("location_batch") else "no")
        self.field("currency").set_value(view.currency)
        self.field("rate").set_value(view.rate)
        self.field("mobile").value = extra.get("mobile", "") or view.contact_no or ""
        self.field("address").value = extra.get("address", "") or ""
        self.info("")
        self.extra("")

    def view_shown(self, view: DocumentView) -> None:
        items = sorted({l.item for l in view.lines if l.item})
        number, customer, location = view.number, view.customer, view.location

        def work() -> tuple[dict[str, list[BatchInfo]], list[LoyaltyEntry]]:
            services = self.services
            batches = {item: services.masters.batches(item, location=location) for item in items}
            points = [e for e in services.loyalty.history(customer, limit=500) if e.number == number] \
                if customer else []
            return batches, points

        def done(result: tuple[dict[str, list[BatchInfo]], list[LoyaltyEntry]]) -> None:
            if self.view is not view:
                return
            batches, entries = result

            for row in self.grid.rows:
                lv = row.line.view
                if lv is None:
                    continue
                info = next((b for b in batches.get(lv.item, []) if b.code == lv.batch), None)
                if info is None:
                    continue
                for key, attr in BATCH_FIELDS:
                    value = getattr(info, attr)
                    row.put(key, "" if value in (None, "") else
                            (format_date(value) if isinstance(value, dt.date) else str(value)))
            reversed_points = -sum((e.points for e in entries), 0)
            self.extra(_("Loyalty points reversed {points}").format(points=reversed_points))
            self.mark_clean()

        self.background(work, done, on_error=lambda exc: True)


def _iso(text: str) -> str | None:
    """A date cell as typed or shown (05/12/2026 in French) in the ISO form the services read;
    what does not read as a date goes as typed (the service names the field)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_date(text).isoformat()
    except ValueError:
        return text


register_screen(DirectReturnScreen, "direct_return", "Returns",
                N_("Goods back without an invoice: supplier, batch and expiry typed"))
