"""Provisional Invoice (seed screen 04): bill now, deliver later with a Delivery Note.

Layout at 80×24::

    AXP Axpert │ 2026-11-23 │ DAY OPEN │ cashier (cashier) │ 1 USD = 2,850 CDF
    Provisional Invoice · New
    Loc AXP    Date 2026-11-23  Sale credit  No —
    Client C0001       Kinshasa Pharma    Tel +243810000001
    Ccy USD Rate 2850     Sales person SP01   Free No  $Print No
    Limit 5,000.00 · 30 days · Outstanding $ 0.00 · Available 5,000.00
     Items  Free Offers                                 (F5 switches the tab)
     #   Item         Stock    Res    Qty     Price    Disc% Flat       Net
     1   PARA500        600      0     10      2.20    10             19.80
     …                                     (the item grid, 6 rows)
    1: Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · …
    Price $ 2.20 · Gross 22.00 · Disc 2.20 · Flat share 0.00 · Tax 16% 3.17
    Qty …  Gross …  Disc …  Flat % [slab] …          (the totals footer, 4 lines)
    Points +2 · Redeem [    ] × $0.10 = $0.00 · held 12 (Standard)

Fields (seed): Location, Date, Invoice No (auto), Sales Type, Customer (F2),
Sales Person (F2), Contact No, Currency, Exchange Rate, Free Offer?, Print in
USD?, Credit Limit / Credit days / Customer Outstanding $ (auto, the info
line); the grid's Item, Unit, Packsize, Price USD, Gross, Discount Amount (the
detail strip), Current Stock, Reserved Stock, Quantity, Price, Discount %,
Flat Discount, Net; the footer's totals, flat discount, net / USD / CDF,
round off, payable CDF / USD, remarks (narration); the loyalty line: Total
Loyalty Points (earned), Redemption points (typed), Value/Points (USD),
Redemption Value.

Keys: Ctrl+S posts (receivable and revenue; the lines reserve stock until
delivered; a credit sale over the limit asks a manager), Ctrl+P posts and
prints (on a posted one: re-print), Ctrl+D draft, F7
cancels a posted one (a manager's approval; refused once anything is
delivered or paid), F9 voucher details (the preview's Dr/Cr before saving),
F5 Items / Free Offers, F3 list, F4 history, F6 flat %/amount, Ctrl+N new.

Per keystroke the totals come from ``core.totals`` (the redemption value from
``core.loyalty`` with the card's value per point); the card, the points held
and the Free Offers come from ``services.provisional.preview`` a moment after
the typing stops; the service checks everything again when posting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from shopterm.core import loyalty as core_loyalty
from shopterm.core import money
from shopterm.core.i18n import N_, _, format_date
from shopterm.core.errors import LoyaltyError
from shopterm.screens.base.header import date, header_row, location, number
from shopterm.screens.base.sales_document import LINE_ITEM, PRICED, SalesDocumentScreen
from shopterm.screens.registry import register_first, register_screen
from shopterm.widgets.inputs import ShopInput
from shopterm.widgets.item_grid import GridColumn
from shopterm.widgets.totals_footer import CompactChoice, Figure, fmt_amount, fmt_qty

if TYPE_CHECKING:
    from shopterm.core.totals import DocumentTotals
    from shopterm.services.documents.drafts import DocumentDraft
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import CustomerInfo, DocumentView, Preview
    from shopterm.services.schemes.loyalty import LoyaltyCalc, LoyaltyEntry

__all__ = ["PI_COLUMNS", "PointsInput", "ProvisionalInvoiceScreen"]

ZERO = Decimal(0)

PI_COLUMNS: tuple[GridColumn, ...] = (
    *LINE_ITEM,
    GridColumn("current_stock", N_("Stock"), 7, "info", N_("Current stock")),
    GridColumn("reserved_stock", N_("Res"), 6, "info", N_("Reserved stock")),
    *PRICED,
)


class PointsInput(ShopInput):
    """Loyalty points: a whole number, not negative."""

    DEFAULT_KIND = "points"

    def _parse(self, text: str) -> int:
        if not text.isdigit():
            raise money.MoneyError(_("{field}: {text!r} is not a whole number of points").format(
                field=self.label, text=text))
        return int(text)


def pi_state_text(view: DocumentView) -> str:
    """The info line of a posted provisional invoice: delivered and balance."""
    state = "cancelled" if view.status == "cancelled" else (view.extra or {}).get("state", "open")
    qty = sum((l.qty for l in view.lines), ZERO)
    done = sum((l.qty_done for l in view.lines), ZERO)
    words = {"open": _("Posted, nothing delivered yet"), "partial": _("Partly delivered"),
             "closed": _("Fully delivered"), "cancelled": _("Cancelled (reversed)")}
    return (_("{state} · qty {qty} · delivered {done} · balance {balance}").format(
        state=words.get(state, state), qty=fmt_qty(qty), done=fmt_qty(done), balance=fmt_qty(qty - done))
        + (" · " + _("due {date}").format(date=format_date(view.due_date)) if view.due_date else ""))


class ProvisionalInvoiceScreen(SalesDocumentScreen):
    """The Provisional Invoice entry screen (module docstring)."""

    DOCUMENT_TITLE = N_("Provisional Invoice")
    DOC_TYPE = "PI"
    DOC_WORD = N_("Provisional invoice")
    LIST_TITLE = N_("Provisional invoices")
    CANCEL_WHAT = "provisional invoice"
    SERVICE = "provisional"
    INVOICE_TYPE = "PROVISIONAL"
    GRID_COLUMNS = PI_COLUMNS
    SUPPORTS = frozenset({"new", "save", "draft", "save_print", "reprint", "list", "history", "voucher", "delete_row"})
    AUTO_FOCUS = "#field-customer"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.loyalty: LoyaltyCalc | None = None  # of the last preview
        self._loyalty_error: str | None = None

    # -- layout ----------------------------------------------------------------------

    def compose_header(self) -> ComposeResult:
        sales_type = CompactChoice([("cash", N_("cash")), ("credit", N_("credit"))], id="field-sales-type",
                                   field_name="sales_type", label=_("Sales type"))
        yield header_row(location(), date(N_("Date")), (N_("Sale"), sales_type), number("inv-number"))
        yield from self.client_row()
        yield from self.currency_row((N_("$Print"), "print-usd", N_("Print in USD")))

    def compose_footer_extra(self) -> ComposeResult:
        with Horizontal(id="pi-loyalty"):
            yield Static(_("Points"), classes="inv-label")
            yield Figure("", id="pi-points-earned", classes="pi-fig")
            yield Static(_("Redeem"), classes="inv-label")
            yield PointsInput(id="field-redemption-points", label=_("Redemption points"), placeholder=_("pts"),
                              max_length=7)
            yield Figure("", id="pi-redemption", classes="pi-redemption")

    # -- unsaved changes: the redemption points too ----------------------------------------

    def _snapshot(self) -> dict[int, str]:
        snap = super()._snapshot()
        for w in self.query("#pi-loyalty Input"):
            snap[id(w)] = w.value
        return snap

    def _set_header_enabled(self, enabled: bool) -> None:
        super()._set_header_enabled(enabled)
        self.query_one("#field-redemption-points", PointsInput).disabled = not enabled

    # -- loyalty: the card from the preview, the figures per keystroke (core.loyalty) ----------

    def draft_extra(self) -> dict[str, Any]:
        text = self.query_one("#field-redemption-points", PointsInput).value.strip()
        return {"redemption_points": text or None}

    def _points_typed(self) -> int:
        value = self.query_one("#field-redemption-points", PointsInput).parsed_value
        return int(value or 0)

    def redemption_value_usd(self) -> Decimal:
        """The typed redemption at the card's value per point, when the card allows it now."""
        self._loyalty_error = None
        points = self._points_typed()
        calc = self.loyalty
        if not points:
            return ZERO
        if calc is None or calc.card is None:
            self._loyalty_error = "no loyalty card" if calc is not None else None
            return ZERO
        date = self._input("date").date_value or (self.context.date if self.context else None)
        try:
            core_loyalty.check_redemption(points, max(calc.points_held, 0), calc.last_redemption, date,
                                          calc.frequency_days)
            return core_loyalty.redemption_value(points, calc.value_per_point)
        except (LoyaltyError, money.MoneyError) as exc:
            self._loyalty_error = str(exc)
            return ZERO

    def totals_shown(self, totals: DocumentTotals) -> None:
        self._show_loyalty(totals)

    def _show_loyalty(self, totals: DocumentTotals | None) -> None:
        calc = self.loyalty
        earned = self.query_one("#pi-points-earned", Figure)
        red = self.query_one("#pi-redemption", Figure)
        if calc is None or calc.card is None:
            earned.set("-" if calc is None else "0")
            if calc is not None:
                note = _("no loyalty card")
            else:  # the card comes with the first preview (a line typed)
                note = _("choose the customer") if self.customer is None else ""
            if self._points_typed():
                note = _("Redemption points: {note}").format(note=self._loyalty_error or note)
            red.set(note)
            return
        points = 0
        if totals is not None and calc.amount_per_point:
            try:
                points = core_loyalty.points_earned(max(totals.net_usd, ZERO), calc.amount_per_point)
            except (LoyaltyError, money.MoneyError):
                points = 0
        earned.set(f"+{points}")
        asked = self._points_typed()
        value = self.redemption_value_usd() if asked else ZERO
        text = _("× $ {per_point} = $ {value} · held {held} ({card})").format(
            per_point=fmt_amount(calc.value_per_point), value=fmt_amount(value), held=calc.points_held, card=calc.card)
        if self._loyalty_error:
            text = f"× $ {fmt_amount(calc.value_per_point)}: {self._loyalty_error}"
        red.set(text)

    def preview_shown(self, preview: Preview | None) -> None:
        super().preview_shown(preview)
        if preview is None:
            return
        calc = getattr(preview, "loyalty", None)
        changed = calc != self.loyalty
        self.loyalty = calc
        if changed:
            self.recompute()  # the redemption value depends on the card
        else:
            self._show_loyalty(self.totals)

    @on(Input.Changed, "#field-redemption-points")
    def _points_changed(self, event: Input.Changed) -> None:
        if self.view is None:
            self.recompute()

    def _apply_customer(self, info: CustomerInfo | None, *, mark_dirty: bool = True) -> None:
        if info is None or self.customer is None or info.code != self.customer.code:
            self.loyalty = None
        super()._apply_customer(info, mark_dirty=mark_dirty)

    # -- services ---------------------------------------------------------------------------

    def saved_message(self, post: PostResult, view: DocumentView) -> str:
        return _("Provisional invoice {number} posted: payable {amount} {currency}").format(
            number=post.number, amount=money.format_amount(view.totals.payable), currency=view.currency)

    def cancelled_message(self, view: DocumentView) -> str:
        return _("Provisional invoice {number} cancelled: reversed, stock released").format(number=view.number)

    # -- showing documents ----------------------------------------------------------------------

    async def reset(self) -> None:
        self.loyalty = None
        self.query_one("#field-redemption-points", PointsInput).value = ""
        await super().reset()
        self.query_one("#pi-points-earned", Figure).set("")
        self.query_one("#pi-redemption", Figure).set("")

    async def _show_draft(self, draft_id: int, draft: DocumentDraft) -> None:
        points = draft.redemption_points
        self.query_one("#field-redemption-points", PointsInput).value = (
            "" if points in (None, "", 0, "0") else str(points))
        self.loyalty = None
        await super()._show_draft(draft_id, draft)

    def view_shown(self, view: DocumentView) -> None:
        self.query_one("#inv-credit", Static).update(pi_state_text(view))
        state = {"cancelled": "Cancelled"}.get(view.status, "Posted")
        self.set_document(view.number, state)
        points = self.query_one("#field-redemption-points", PointsInput)
        points.value = ""
        self.query_one("#pi-points-earned", Figure).set("")
        self.query_one("#pi-redemption", Figure).set("")
        if view.customer and view.number:
            number = view.number
            customer = view.customer

            def rows() -> list[LoyaltyEntry]:
                return [e for e in self.services.loyalty.history(customer, limit=500) if e.number == number]

            self.background(rows, lambda entries: self._show_posted_loyalty(view, entries),
                            on_error=lambda exc: True)

    def _show_posted_loyalty(self, view: DocumentView, entries: list[LoyaltyEntry]) -> None:

        if self.view is not view:
            return
        earned = sum((e.points for e in entries if e.kind == "earn"), 0)
        redeemed = -sum((e.points for e in entries if e.kind == "redeem"), 0)
        value = -sum((e.value_usd for e in entries if e.kind == "redeem"), ZERO)
        self.query_one("#pi-points-earned", Figure).set(f"+{earned}")
        self.query_one("#field-redemption-points", PointsInput).value = str(redeemed) if redeemed else ""
        self.query_one("#pi-redemption", Figure).set(
            _("= $ {value} redeemed").format(value=fmt_amount(abs(value))) if redeemed else "")
        self.mark_clean()


# The Sales menu: invoice, order, PI, DN.
register_first("sales_order")
register_screen(ProvisionalInvoiceScreen, "provisional_invoice", "Sales",
                N_("Bill now, deliver later (Delivery Note against the PSI No)"))
