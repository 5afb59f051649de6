"""Sales Order / Proforma (seed screen 02).

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
:class:`SalesDocumentScreen` (``screens/base/sales_document.py``) is shared with the
Provisional Invoice screen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from shopterm.core import money
from shopterm.core.i18n import N_, _
from shopterm.screens.base.header import date, header_row, location, number
from shopterm.screens.base.mixins import list_filters
from shopterm.screens.base.sales_document import SalesDocumentScreen
from shopterm.screens.registry import register_first, register_screen
from shopterm.widgets.document_list import ListQuery
from shopterm.widgets.totals_footer import CompactChoice, fmt_qty

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import DocumentRow, DocumentView

__all__ = ["SalesOrderScreen", "order_state_text"]

ZERO = Decimal(0)


def order_state_text(view: DocumentView) -> str:
    """The info line of a confirmed order: state and what is invoiced / left."""
    state = "cancelled" if view.status == "cancelled" else (view.extra or {}).get("state", "open")
    paid = [l for l in view.lines if not l.is_free]
    ordered = sum((l.qty for l in paid), ZERO)
    done = sum((l.qty_done for l in paid), ZERO)
    words = {"open": _("Confirmed, nothing invoiced yet"), "partial": _("Partly invoiced"),
             "closed": _("Fully invoiced"), "cancelled": _("Cancelled")}
    return _("{state} · ordered {ordered} · invoiced {invoiced} · left {left}").format(
        state=words.get(state, state), ordered=fmt_qty(ordered), invoiced=fmt_qty(done),
        left=fmt_qty(ordered - done))


class SalesOrderScreen(SalesDocumentScreen):
    """The Sales Order / Proforma entry screen (module docstring)."""

    DOCUMENT_TITLE = N_("Sales Order / Proforma")
    DOC_TYPE = "SO"
    DOC_WORD = N_("Order")
    DAY_NOT_OPEN = N_("Day {date} is not open at {location}: Shop Open first, or this order cannot be saved")
    LIST_TITLE = N_("Sales orders and proformas")
    CANCEL_WHAT = "order"
    SERVICE = "orders"
    POST_METHOD = "confirm"
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "delete_row"})
    AUTO_FOCUS = "#field-customer"
    INVOICE_TYPE = ""

    def compose_header(self) -> ComposeResult:
        doc_type = CompactChoice([("SO", N_("Sales Order")), ("PF", N_("Proforma"))], id="field-doc-type",
                                 field_name="doc_type", label=_("Type"), classes="so-type")
        yield header_row(location(), (N_("Type"), doc_type), date(N_("Order/Proforma date")), number("inv-number"))
        yield from self.client_row()
        yield from self.currency_row((N_("Tax exempt"), "tax-exempt", N_("Tax exempted")))

    # -- type -----------------------------------------------------------------------------

    @on(CompactChoice.Changed, "#field-doc-type")
    def _type_changed(self, event: CompactChoice.Changed) -> None:
        self.DOC_TYPE = event.value  # type: ignore[misc]  # per instance: what Save/Draft send

    def show_type(self, doc_type: str) -> None:
        if doc_type in ("SO", "PF"):
            self.DOC_TYPE = doc_type  # type: ignore[misc]
            self._choice("doc-type").set_value(doc_type)

    # -- services -------------------------------------------------------------------------

    def list_rows(self, services: Services, q: ListQuery, location: str | None) -> list[DocumentRow]:
        return services.orders.list_documents(None, **list_filters(q, location))

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        if view.doc_type == "PF":
            text = _("Proforma {number} confirmed: {amount} {currency}, stock reserved")
        else:
            text = _("Sales order {number} confirmed: {amount} {currency}, stock reserved")
        return text.format(number=post.number, amount=money.format_amount(view.totals.net), currency=view.currency)

    def cancelled_message(self, view: DocumentView) -> str:
        return _("{number} cancelled: its reserved stock is released").format(number=view.number)

    def view_shown(self, view: DocumentView) -> None:

        for line, lv in zip(self.grid.lines, view.lines):
            line.info["balance_qty"] = max(lv.qty - lv.qty_done, ZERO) if view.status == "posted" else None
            line.info["available_stock"] = None
        self.grid.repaint_info()
        self.query_one("#inv-credit", Static).update(order_state_text(view))
        if view.status == "cancelled":
            self.set_document(view.number, "Cancelled")
        elif view.status == "posted":
            self.set_document(view.number, "Confirmed")


register_first("sales_invoice")  # the Sales menu: invoice, order, PI, delivery note
register_screen(SalesOrderScreen, "sales_order", "Sales",
                N_("Take an order or give a proforma: reserves stock, invoiced later"))
