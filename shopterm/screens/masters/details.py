"""Customer details (POS customers guide "Viewing Customer Details").

``CustomerDetailsScreen(code)`` — opened with F5 from the customer form or the
customer list. Shows all the customer's information, total purchases,
outstanding balance, credit limit, available credit and loyalty points, and
three paged lists: purchase history (number, date, amount, payment status —
Enter opens the document read-only), payments, loyalty points. Keys 1–4
switch between Purchases, Payments, Loyalty and Information; 5 opens the
customer's ledger (GPOS shows the ledger from the customer; Esc there comes
back here); PgDn/PgUp page through the history; Esc goes back.

``DocumentDialog(view)`` shows a posted document read-only (header, lines,
totals; F9 its voucher) from ``services.sales.document(id)``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from shopterm.core import i18n, money
from shopterm.core.doctypes import status_name
from shopterm.core.payments import method_label
from shopterm.screens.masters.base import fmt, render_pairs
from shopterm.screens.base.document import ShopScreen
from shopterm.core.i18n import N_, _
from shopterm.widgets.dialogs import row_keys, titled_box

if TYPE_CHECKING:
    from shopterm.services.documents.views import DocumentView
    from shopterm.services.masters.customers import CustomerDetails, CustomerInfo, LoyaltyRow, PaymentRow, PurchaseRow

__all__ = ["CustomerDetailsScreen", "DocumentDialog", "render_document"]

PAGE = 50
TABS = (("purchases", N_("Purchases")), ("payments", N_("Payments")), ("loyalty", N_("Loyalty")), ("info", N_("Information")))
#: The lines' heads of a document shown read-only: (head, width, left-aligned).
LINE_HEADS = ((N_("Item"), 10, True), (N_("Batch"), 8, True), (N_("Qty"), 9, False), (N_("Price"), 11, False),
              (N_("Disc%"), 7, False), (N_("Net"), 12, False), (N_("Tax"), 9, False))

DOC_NAMES = {"SI": N_("Invoice"), "PI": N_("Provisional invoice")}


def _amt(value: Any) -> str:
    return money.format_amount(value) if value is not None else ""


#: A purchase's payment state, as the services name it, in the reader's language.
PAYMENT_STATES = {"paid": N_("paid"), "partly paid": N_("partly paid"), "unpaid": N_("not paid")}
#: A loyalty row's kind (earn | redeem | reverse), in the reader's language.
LOYALTY_KINDS = {"earn": N_("earned"), "redeem": N_("redeemed"), "reverse": N_("reversed")}


def _shown(names: dict[str, str], code: str) -> str:
    name = names.get(code)
    return _(name) if name else code


def purchase_line(r: PurchaseRow) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{r.number or '':<15}", style="bold")
    text.append(f"{i18n.format_date(r.date):<11}{_amt(r.net) + ' ' + r.currency:>17}{_amt(r.net_usd):>12}  ")
    text.append(f"{_shown(PAYMENT_STATES, r.payment_status):<11}", style="bold" if r.payment_status != "paid" else "")
    return text


def payment_line(r: PaymentRow) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{r.number or '':<15}", style="bold")
    what = method_label(r.method) if r.method else (r.voucher_type or "")
    text.append(f"{i18n.format_date(r.date):<11}{_amt(r.amount) + ' ' + r.currency:>17}{_amt(r.amount_usd):>12}  "
                f"{what[:10]:<10}")
    return text


def loyalty_line(r: LoyaltyRow) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{i18n.format_date(r.date):<11}{_shown(LOYALTY_KINDS, r.kind)[:9]:<10}{r.points:>8} pts"
                f"{_amt(r.value_usd):>12} $  {r.number or ''}")
    return text


def header(tab: str) -> str:
    """The column heads of a tab's list, in the reader's language."""
    if tab in ("purchases", "payments"):
        last = _("Status") if tab == "purchases" else _("Method")
        return f"{_('Number'):<15}{_('Date'):<11}{_('Amount'):>17}{'USD':>12}  {last}"
    if tab == "loyalty":
        return f"{_('Date'):<11}{_('Kind'):<10}{_('Points'):>12}{_('Value'):>12} $  {_('Document')}"
    return ""


class CustomerDetailsScreen(ShopScreen):
    """Everything about one customer (module docstring)."""

    BINDINGS = [
        Binding("1", "tab('purchases')", N_("Purch"), id="details.purchases"),
        Binding("2", "tab('payments')", N_("Paym"), id="details.payments"),
        Binding("3", "tab('loyalty')", N_("Loyal"), id="details.loyalty"),
        Binding("4", "tab('info')", N_("Info"), id="details.info"),
        Binding("5", "ledger", N_("Ledger"), id="details.ledger"),
        Binding("enter", "open", N_("Open"), id="details.open"),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("escape", "back", N_("Back"), id="details.back", key_display="Esc"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.details: CustomerDetails | None = None
        self.page_offset = 0
        self.tab = "purchases"

    def compose_body(self) -> ComposeResult:
        yield Static(_("Customer details · {code}").format(code=self.code), id="doc-title", markup=False)
        with Vertical(id="details-body"):
            yield Static("", id="details-summary", markup=False)
            yield Static("", id="details-tabs", markup=False)
            yield Static("", id="details-header", markup=False)
            with ContentSwitcher(initial="details-purchases", id="details-switcher"):
                yield OptionList(id="details-purchases", classes="details-list")
                yield OptionList(id="details-payments", classes="details-list")
                yield OptionList(id="details-loyalty", classes="details-list")
                with VerticalScroll(id="details-info"):
                    yield Static("", id="details-info-text", markup=False)

    def on_mount(self) -> None:
        self._show_tabs()
        self.load()

    def load(self) -> None:
        code, offset = self.code, self.page_offset
        self.run_service(lambda: self.services.masters.customer_details(code, limit=PAGE, offset=offset),
                         self.show_details, busy_text=_("Loading…"))

    def show_details(self, d: CustomerDetails) -> None:
        self.details = d
        c = d.customer
        state = _("inactive") if c.inactive else _("active")
        self.query_one("#doc-title", Static).update(_("Customer details · {code} {name} ({kind}, {state})").format(
            code=c.code, name=c.name, kind=_(c.kind), state=state))
        self.query_one("#details-summary", Static).update(render_pairs([
            (_("Total purchases"), f"{_amt(d.total_purchases_usd)} USD"),
            (_("Outstanding"), f"{_amt(d.outstanding_usd)} USD"),
            (_("Credit limit"), f"{_amt(d.credit_limit_usd)} USD"),
            (_("Available cr."), f"{_amt(d.available_credit_usd)} USD"),
            (_("Loyalty points"), f"{d.loyalty_points}" + (f" ({c.loyalty_card})" if c.loyalty_card else "")),
            (_("Group · price"), f"{c.group or '—'} · {_(c.price_category.capitalize())}"),
        ]))
        lists = (("purchases", d.purchases, purchase_line), ("payments", d.payments, payment_line),
                 ("loyalty", d.loyalty_history, loyalty_line))
        for name, rows, line in lists:
            options = self.query_one(f"#details-{name}", OptionList)
            options.set_options(Option(line(r)) for r in rows)
            if rows:
                options.highlighted = 0
        self.query_one("#details-info-text", Static).update(render_pairs(customer_pairs(c)))
        self._show_tabs()
        self._count()

    def _count(self) -> None:
        d = self.details
        if d is None:
            return
        counts = {"purchases": (len(d.purchases), d.purchase_count), "payments": (len(d.payments), d.payment_count),
                  "loyalty": (len(d.loyalty_history), d.loyalty_count)}
        if self.tab in counts:
            shown, total = counts[self.tab]
            if total == 0:
                self.show_info(_("No {what} yet").format(what=_(dict(TABS)[self.tab]).lower()))
            else:
                more = " · " + _("PgDn more") if self.page_offset + shown < total else ""
                hint = " · " + _("Enter opens the document") if self.tab == "purchases" else ""
                self.show_info(_("{first}–{last} of {total}").format(first=self.page_offset + 1,
                                                                     last=self.page_offset + shown, total=total)
                               + more + hint)
        else:
            self.clear_message()

    def _show_tabs(self) -> None:
        text = Text(no_wrap=True)
        for i, (name, label) in enumerate(TABS, start=1):
            if name == self.tab:
                text.append(f"[{i} {_(label)}]", style="bold reverse")
            else:
                text.append(f" {i} {_(label)} ", style="dim")
            text.append(" ")
        self.query_one("#details-tabs", Static).update(text)
        self.query_one("#details-header", Static).update(Text(header(self.tab), style="bold"))
        switcher = self.query_one("#details-switcher", ContentSwitcher)
        switcher.current = f"details-{self.tab}"
        target = self.query_one(f"#details-{self.tab}")
        target.focus()

    def action_tab(self, name: str) -> None:
        self.tab = name
        self._show_tabs()
        self._count()

    def action_page(self, step: int) -> None:
        d = self.details
        if d is None or self.tab == "info":
            return
        total = max(d.purchase_count, d.payment_count, d.loyalty_count)
        offset = self.page_offset + step * PAGE
        if 0 <= offset < total:
            self.page_offset = offset
            self.load()

    def action_open(self) -> None:
        if self.tab != "purchases" or self.details is None or not self.details.purchases:
            return
        options = self.query_one("#details-purchases", OptionList)
        if options.highlighted is None:
            return
        row = self.details.purchases[options.highlighted]
        doc_id = row.document_id
        self.run_service(lambda: self.services.sales.document(doc_id),
                         lambda view: self.app.push_screen(DocumentDialog(view)), busy_text=_("Opening…"))

    @on(OptionList.OptionSelected, "#details-purchases")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_ledger(self) -> None:
        """The customer's ledger (entries, balance, matching) on top; Esc there comes back here."""
        from shopterm.screens.ledgers.customer_ledger import open_customer_ledger

        open_customer_ledger(self.app, self.code)

    def action_back(self) -> None:
        self.app.pop_screen()


def customer_pairs(c: CustomerInfo) -> list[tuple[str, str]]:
    def yn(v: bool) -> str:
        return _("yes") if v else _("no")

    pairs = [
        (N_("Code"), c.code), (N_("Kind"), _(c.kind)), (N_("Name"), c.name),
        (N_("Category"), f"{c.category or ''} {c.category_name or ''}"),
        (N_("Group"), c.group or ""), (N_("Price category"), _(c.price_category.capitalize())),
        (N_("Control account"), c.control_account or _("1200 (default)")),
        (N_("Sales person"), f"{c.sales_person or ''} {c.sales_person_name or ''}"),
        (N_("Credit limit $"), fmt("money", c.credit_limit_usd)), (N_("Credit days"), str(c.credit_days)),
        (N_("Loyalty card"), c.loyalty_card or ""), (N_("National ID"), c.national_id),
        (N_("NRC no"), c.nrc_no), (N_("Impôt no"), c.impot_no), (N_("Mobile"), c.mobile), (N_("Email"), c.email),
        (N_("Address"), c.address), (N_("Locations"), ", ".join(c.locations)),
        (N_("Existing vendor"), yn(c.existing_vendor) + (f" ({c.supplier_name})" if c.supplier_name else "")),
        (N_("Tax exempt"), yn(c.tax_exempt)), (N_("Free offer"), yn(c.free_offer)), (N_("Inactive"), yn(c.inactive)),
        (N_("Added"), fmt("date", c.created_at)), (N_("Changed"), fmt("date", c.updated_at)),
    ]
    return [(_(label), str(value)) for label, value in pairs]


def render_document(view: DocumentView, width: int = 74) -> Text:
    """A posted document read-only: header, lines, totals."""
    text = Text(no_wrap=True, overflow="ellipsis")
    t = view.totals
    head = [
        (N_("Number"), view.number or _("draft #{id}").format(id=view.id)), (N_("Date"), i18n.format_date(view.date)),
        (N_("Customer"), f"{view.customer or ''} {view.customer_name or ''}"), (N_("Location"), view.location),
        (N_("Type"), f"{view.doc_type} {view.sales_type or ''}".strip()), (N_("Status"), status_name(view.status)),
        (N_("Currency"), f"{view.currency} @ {fmt('rate', view.rate)}"), (N_("Sales person"), view.sales_person or ""),
    ]
    text.append_text(render_pairs([(_(label), value) for label, value in head], width))
    text.append("\n")
    heads = "".join(f"{_(h)[:w - 1]:<{w}}" if left else f"{_(h)[:w - 1]:>{w}}" for h, w, left in LINE_HEADS)
    text.append(f"{'#':>2} {heads}\n", style="bold")
    free = " " + _("(free)")
    for ln in view.lines:
        text.append(f"{ln.line_no:>2} {(ln.item or '')[:9]:<10}{(ln.batch or '')[:7]:<8}{money.format_qty(ln.qty):>9}"
                    f"{_amt(ln.price):>11}{fmt('percent', ln.discount_pct):>7}{_amt(ln.line_net):>12}"
                    f"{_amt(ln.tax_amount):>9}\n")
        if ln.name:
            text.append(f"   {ln.name[: width - 3]}{free if ln.is_free else ''}\n", style="dim")
    text.append("\n")
    totals = [
        (N_("Subtotal"), f"{_amt(t.subtotal)} {view.currency}"), (N_("Flat discount"), f"{_amt(t.flat_amount)}"),
        (N_("Tax"), f"{_amt(t.tax)}"), (N_("Net"), f"{_amt(t.net)} {view.currency}"),
        (N_("Net USD"), _amt(t.net_usd)), (N_("Net CDF"), _amt(t.net_cdf)),
        (N_("Payable"), f"{_amt(t.payable)} {view.currency}"), (N_("Posted by"), view.posted_by or ""),
    ]
    totals = [(_(label), value) for label, value in totals]
    text.append_text(render_pairs(totals, width))
    if view.narration:
        text.append(_("Narration: {text}").format(text=view.narration) + "\n")
    return text


class DocumentDialog(ModalScreen[None]):
    """A document read-only (module docstring); F9 shows its voucher."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="docview.close"),
        Binding("f9", "voucher", N_("Voucher"), id="docview.voucher"),
        *row_keys("scroll"),
    ]

    def __init__(self, view: DocumentView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        kind = DOC_NAMES.get(self.view.doc_type)
        kind = _(kind) if kind else self.view.doc_type
        with titled_box(_("{kind} {number} (read-only)").format(kind=kind, number=self.view.number or ""),
                        _("F9 voucher · ↑↓ scroll · Esc close"),
                        classes="readonly-box", id="docview-box"):
            with VerticalScroll(classes="readonly-scroll", id="docview-scroll"):
                yield Static(render_document(self.view), id="docview-body", markup=False)

    def on_mount(self) -> None:
        self.query_one("#docview-scroll").can_focus = False

    @property
    def text(self) -> str:
        return render_document(self.view).plain

    def action_scroll(self, lines: int) -> None:
        self.query_one("#docview-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_voucher(self) -> None:
        from shopterm.widgets.history import VoucherDialog

        rows = [SimpleNamespace(account=j.account, name=j.account_name, currency=j.currency, amount=j.amount,
                                amount_usd=j.amount_usd, memo=j.memo or (j.customer or ""))
                for j in self.view.journal]
        self.app.push_screen(VoucherDialog(_("Voucher · {number}").format(number=self.view.number), lambda: rows))

    def action_close(self) -> None:
        self.dismiss(None)
