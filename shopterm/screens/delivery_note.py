"""Delivery Note (seed screen 05), a :class:`LinkedDocumentScreen`
(``screens/base/linked_document.py``) whose source is a provisional invoice.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Delivery Note · New
    Loc AXP    Date 2026-11-23  No —
    Client C0001       Kinshasa Pharma     PSI No 261101PI000001
    Tel +243810000001   Ccy USD To base 1 To local 2850  Tax exempt No  Credit Yes
    PSI 261101PI000001 of 2026-11-23 · open · qty 100 · delivered 0 · balance 100
     #  Item       Res  Stock Batch    BStk   Bal    Qty          Net
     1  PARA500    100    600 B002      100   100     60       138.46
     …                                     (the lines of the PSI, 6 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 100 · B002 100 …
    Price $ - · Gross 132.00 · Disc 6.60 · Flat share 3.76 · Tax 16% 19.46
    Qty …  Gross …  Disc …  Flat …                   (the totals footer, 4 lines)
    Free qty 0 · Redemption $ 0.00 · Cost $ 96.00

Fields (seed): Location, Document Date, Document No (auto), Customer (F2),
PSI No (F2: only the customer's open provisional invoices; none: the seed's
"PSI No. dropdown empty"), Contact No, Currency, Exchange Rate (To Base),
Exchange Rate (To Local), Tax Exempted?, Creditsales? (as on the provisional
invoice; Space changes it); the grid's Item (from the PSI), Unit, Packsize
(detail strip), Reserved Stock, Current Stock, Batch No (mandatory; F2 lists
the item's batches with stock), Batch Stock, Balance Qty, Quantity (≤ the
balance; less is a partial delivery); the footer's totals (the delivered share
of the provisional invoice), redemption value, payable, total round off (the CDF
payable brought to the location's cash increment, as on the invoice), remarks.

Keys: Ctrl+S saves (stock out, cost posted; the PSI's balance falls),
Ctrl+P saves and prints (on a saved note: re-print), Ctrl+D draft, F8 takes
a line out (not delivered now), F9 voucher details, F3 list, F4 history,
Ctrl+N new, Esc back.

The figures are the service's (``services.provisional.preview_delivery``, a
moment after the typing stops); the screen computes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date, ngettext
from shopterm.screens.base.header import customer, date, header_row, location, number, yes_no
from shopterm.screens.base.linked_document import FooterFigures, LinkedDocumentScreen, SourceInput, SourceRow, qty_text
from shopterm.screens.registry import register_first, register_screen
from shopterm.widgets.item_grid import GridColumn
from shopterm.widgets.totals_footer import fmt_amount, fmt_qty

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.documents.drafts import DraftLine
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentView
    from shopterm.services.sales.provisional import DeliveryDraft, DeliveryPreview, PSILine

    #: What loading a PSI returns (worker) for source_loaded: its view, its lines, the delivery draft.
    LoadedPSI = tuple[DocumentView, list[PSILine], DeliveryDraft]

__all__ = ["DN_COLUMNS", "DeliveryNoteScreen"]

ZERO = Decimal(0)

DN_COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("sno", "#", 3, "sno"),
    GridColumn("item", N_("Item"), 10, "item"),
    GridColumn("reserved_stock", N_("Res"), 6, "info", N_("Reserved stock")),
    GridColumn("current_stock", N_("Stock"), 6, "info", N_("Current stock")),
    GridColumn("batch", N_("Batch"), 8, "batch", N_("Batch No")),
    GridColumn("batch_stock", N_("BStk"), 6, "info", N_("Batch stock")),
    GridColumn("balance_qty", N_("Bal"), 6, "info", N_("Balance qty")),
    GridColumn("qty", N_("Qty"), 7, "qty", N_("Quantity")),
    GridColumn("line_net", N_("Net"), 10, "figure"),
)

#: A provisional invoice's delivery state (``extra["state"]``), translated where shown.
PSI_STATES = {"open": N_("open"), "partial": N_("partial"), "closed": N_("closed"), "cancelled": N_("cancelled")}


# ---------------------------------------------------------------- the delivery note


def psi_text(view: DocumentView, lines: list[PSILine] | None = None) -> str:
    state = "cancelled" if view.status == "cancelled" else (view.extra or {}).get("state", "open")
    text = _("PSI {number} · {state}").format(number=view.number, state=_(PSI_STATES.get(state, state)))
    if lines:
        qty = sum((l.qty for l in lines), ZERO)
        done = sum((l.delivered for l in lines), ZERO)
        text += " · " + _("qty {qty} · delivered {done} · balance {balance}").format(
            qty=fmt_qty(qty), done=fmt_qty(done), balance=fmt_qty(qty - done))
    return text


class DeliveryNoteScreen(LinkedDocumentScreen):
    """The Delivery Note entry screen (module docstring)."""

    DOCUMENT_TITLE = N_("Delivery Note")
    DOC_TYPE = "DN"
    DOC_WORD = N_("Delivery note")
    LIST_TITLE = N_("Delivery notes")
    SOURCE_FIELD = "psi-no"
    SOURCE_LABEL = N_("PSI No")
    SERVICE_CALLS = ("provisional", "preview_delivery", "post_delivery", "save_delivery_draft", "load_delivery_draft")
    GRID_COLUMNS = DN_COLUMNS
    AUTO_FOCUS = "#field-customer"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.customer_code: str | None = None
        self._customer_pending: str | None = None

    def compose_header(self) -> ComposeResult:
        yield header_row(location(), date(), number("ld-number"))
        psi_no = SourceInput(id="field-psi-no", label=_("PSI No"))
        yield header_row(*customer("ld-customer-name"), (N_("PSI No"), psi_no))
        yield header_row((N_("Tel"), Input(id="field-contact-no", max_length=40)),
                         Static("", id="ld-currency", markup=False),
                         yes_no(N_("Credit"), "credit-sale", N_("Credit sale")))

    # -- customer and PSI No --------------------------------------------------------------------

    def first_field(self) -> Any:
        return self.field("customer")

    def header_left(self, widget: Any) -> None:
        if getattr(widget, "id", "") == "field-customer":
            text = widget.value.strip().upper()
            if text and text != self.customer_code and text != self._customer_pending:
                self.resolve_customer(text)

    def resolve_customer(self, code: str) -> None:
        self._customer_pending = code
        location = self.location_typed()

        def work() -> tuple[Any, Any]:
            services = self.services
            info = services.sales.customer_info(code, location)
            return info, services.provisional.open_psi(info.code, location)

        def done(result: tuple[Any, Any]) -> None:
            if self._customer_pending != code:
                return
            self._customer_pending = None
            info, open_psi = result
            self.customer_code = info.code
            self.field("customer").value = info.code
            self.query_one("#ld-customer-name", Static).update(Text(info.name, no_wrap=True, overflow="ellipsis"))
            contact = self.field("contact-no")
            if not contact.value.strip():
                contact.value = info.contact or ""
            if self.source and self.source_view is not None and self.source_view.customer != info.code:
                self.show_error(_("PSI No. {number} is for {customer}, not {other}").format(
                    number=self.source, customer=self.source_view.customer, other=info.code), field="psi_no")
                return
            if not open_psi:
                from shopterm.services.sales.provisional import PSI_EMPTY

                self.show_error(PSI_EMPTY, field="customer")
            elif not self.source:
                self.info(ngettext("{count} open provisional invoice: F2 in PSI No lists it",
                                   "{count} open provisional invoices: F2 in PSI No lists them",
                                   len(open_psi)).format(count=len(open_psi)))

        def failed(exc: BaseException) -> bool:
            self._customer_pending = None
            return False

        self.background(work, done, on_error=failed)

    def source_problem(self) -> tuple[str, str] | None:
        if not self.customer_code:
            return _("PSI No: choose the customer first (F2 in Client)"), "customer"
        return None

    def source_rows(self, services: Services) -> list[SourceRow]:
        """(worker) F2 in PSI No: the customer's open provisional invoices."""
        rows = services.provisional.open_psi(self.customer_code, self.location_code)
        return [SourceRow(r.number, f"{format_date(r.date)} {fmt_amount(r.payable)} {r.currency}",
                          _("balance {balance} of {qty}").format(balance=fmt_qty(r.balance), qty=fmt_qty(r.qty)))
                for r in rows]

    def empty_message(self) -> str:
        from shopterm.services.sales.provisional import PSI_EMPTY

        return PSI_EMPTY

    # -- loading the PSI ---------------------------------------------------------------------------

    def load_source(self, services: Services, number: str, date: dt.date | None) -> LoadedPSI:
        view = services.provisional.document(number)
        if view.doc_type != "PI":
            from shopterm.services.errors import ValidationError

            raise ValidationError("PSI No. {number} is a {kind}, not a provisional invoice", field="psi_no",
                                  params={"number": number, "kind": view.doc_type})
        if self.customer_code and view.customer != self.customer_code:
            from shopterm.services.errors import ValidationError

            raise ValidationError("PSI No. {number} is for {customer}, not {other}", field="psi_no",
                                  params={"number": view.number, "customer": view.customer,
                                          "other": self.customer_code})
        lines = services.provisional.psi_lines(number)
        draft = services.provisional.delivery_draft(number, date=date)
        return view, lines, draft

    async def source_loaded(self, loaded: LoadedPSI) -> tuple[list[DraftLine], list[dict]]:
        from shopterm.services.documents.drafts import DraftLine

        view, plines, draft = loaded
        self.source_view = view
        self.customer_code = view.customer
        self.field("customer").value = view.customer or ""
        self.query_one("#ld-customer-name", Static).update(
            Text(view.customer_name or "", no_wrap=True, overflow="ellipsis"))
        self.field("psi-no").value = view.number
        if not self.field("contact-no").value.strip():
            self.field("contact-no").value = view.contact_no or ""
        self._show_currency(view.currency, view.rate, view.tax_exempt)
        self.field("credit-sale").set_value("yes" if view.sales_type == "credit" else "no")
        self.info(psi_text(view, plines))
        balance = {l.line_no: l for l in plines}
        lines, infos = [], []
        for dl in draft.lines:
            pl = balance.get(dl.line)
            lines.append(DraftLine(item=dl.item, batch=dl.batch, qty=qty_text(dl.qty), price=pl.price if pl else "0"))
            infos.append({"balance_qty": pl.balance if pl else None, "src_line": dl.line,
                          "is_free": bool(pl and pl.is_free), "price": pl.price if pl else "0"})
        return lines, infos

    def _show_currency(self, currency: str, rate: Decimal, tax_exempt: bool) -> None:
        r = money.format_rate(rate)
        to_base, to_local = ("1", r) if currency == "USD" else (f"1/{r}", "1")
        self.query_one("#ld-currency", Static).update(
            _("Ccy {currency} To base {to_base} To local {to_local} Tax exempt {exempt}").format(
                currency=currency, to_base=to_base, to_local=to_local, exempt=_("Yes") if tax_exempt else _("No")))

    # -- the draft ------------------------------------------------------------------------------------

    def build_draft(self, *, for_post: bool = False) -> DeliveryDraft:
        from shopterm.services.sales.provisional import DeliveryDraft, DeliveryLine

        lines = []
        for texts, info in self.grid_rows(for_post=for_post):
            if for_post and not texts["qty"]:
                lines.append(DeliveryLine())  # not delivered now: keeps the line numbers of the grid
                continue
            lines.append(DeliveryLine(item=texts["item"], qty=texts["qty"], batch=texts["batch"],
                                      line=info.get("src_line")))
        date = self.field("date")
        return DeliveryDraft(
            location=self.location_typed(), date=date.date_value or date.value.strip() or None,
            customer=self.field("customer").value.strip().upper(),
            psi_no=self.source or self.field("psi-no").value.strip().upper(),
            contact_no=self.field("contact-no").value.strip(),
            credit_sale=self.field("credit-sale").value == "yes",
            narration=self.footer_totals.narration, lines=lines)

    def footer_figures(self, p: DeliveryPreview) -> FooterFigures:
        self.extra(_("Free qty {free} · Redemption $ {redemption} · Cost $ {cost}").format(
            free=fmt_qty(p.total_free_qty), redemption=fmt_amount(p.redemption_value_usd), cost=fmt_amount(p.cost_usd)))
        return FooterFigures(p.total_qty, p.gross, p.discount, p.flat_discount, p.tax, p.net, p.net_usd, p.net_cdf,
                             p.round_off_cdf, p.payable, p.payable_usd, p.payable_cdf, self.grid_figures(p))

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        return _("Delivery note {number} saved: {qty} delivered on {psi}").format(
            number=post.number, qty=fmt_qty(view.totals.total_qty), psi=(view.extra or {}).get("psi_no", ""))

    # -- drafts and posted notes -------------------------------------------------------------------------

    def clear_header(self) -> None:
        self.customer_code = None
        self._customer_pending = None
        for name in ("customer", "psi-no", "contact-no"):
            self.field(name).value = ""
        self.field("credit-sale").set_value("no")
        self.query_one("#ld-customer-name", Static).update("")
        self.query_one("#ld-currency", Static).update("")

    def fill_from_draft(self, draft: DeliveryDraft) -> None:
        self.field("location").value = draft.location or self.location_code or ""
        self.field("date").set_value(draft.date or self.business_date)
        self.field("customer").value = draft.customer or ""
        self.customer_code = draft.customer or None
        self.field("psi-no").value = draft.psi_no or ""
        self.field("contact-no").value = draft.contact_no or ""
        if draft.credit_sale is not None:
            self.field("credit-sale").set_value("yes" if draft.credit_sale else "no")
        self.footer_totals.set_narration(draft.narration)

    def draft_lines_of(self, draft: DeliveryDraft, infos: list[dict]) -> tuple[list[DraftLine], list[dict]]:
        from shopterm.services.documents.drafts import DraftLine

        by_line = {i.get("src_line"): i for i in infos}
        lines, out = [], []
        for dl in draft.lines:
            if dl.is_blank():
                continue
            info = dict(by_line.get(dl.line, {"src_line": dl.line}))
            lines.append(DraftLine(item=dl.item, batch=dl.batch, qty=dl.qty, price=info.get("price", "0")))
            out.append(info)
        return lines, out

    def fill_from_view(self, view: DocumentView) -> None:
        self.customer_code = view.customer
        self.field("location").value = view.location
        self.field("date").set_value(view.date)
        self.field("customer").value = view.customer or ""
        self.query_one("#ld-customer-name", Static).update(
            Text(view.customer_name or "", no_wrap=True, overflow="ellipsis"))
        self.field("psi-no").value = (view.extra or {}).get("psi_no", "")
        self.field("contact-no").value = view.contact_no or ""
        self.field("credit-sale").set_value("yes" if view.sales_type == "credit" else "no")
        self._show_currency(view.currency, view.rate, view.tax_exempt)
        self.extra(_("Cost $ {cost}").format(cost=fmt_amount(Decimal(str((view.extra or {}).get("cost_usd", "0"))))))

    def view_shown(self, view: DocumentView) -> None:
        psi = (view.extra or {}).get("psi_no")
        if not psi:
            return

        def work() -> tuple[DocumentView, list[PSILine]]:
            services = self.services
            return services.provisional.document(psi), services.provisional.psi_lines(psi)

        def done(result: tuple[DocumentView, list[PSILine]]) -> None:

            if self.view is not view:
                return
            pview, plines = result
            self.show_balances_left(plines)
            self.grid.repaint_info()
            self.info(psi_text(pview, plines) + " now")

        self.background(work, done, on_error=lambda exc: True)


# The Sales menu: invoice, order, PI, DN.
register_first("provisional_invoice")
register_screen(DeliveryNoteScreen, "delivery_note", "Sales",
                N_("Deliver the goods of a provisional invoice (PSI No): stock out"))
