"""The base of the sales documents typed as the invoice is but posted by their own
service (Sales Order / Proforma, Provisional Invoice): :class:`SalesDocumentScreen`,
the invoice's form (:class:`~shopterm.screens.base.sales_form.SalesFormScreen`) with
another header and grid, a Cancel key and the services' preview."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static, TabbedContent, TabPane

from shopterm.core.i18n import N_, _
from shopterm.screens.base.header import currency, customer, header_row, rate, sales_person, yes_no
from shopterm.screens.base.free_offers import free_offers_text
from shopterm.screens.base.mixins import DebouncedPreview
from shopterm.screens.base.sales_form import ClientInput, SalesFormScreen
from shopterm.widgets.item_grid import GridColumn, ItemGrid
from shopterm.widgets.totals_footer import CompactChoice, TotalsFooter

if TYPE_CHECKING:
    from shopterm.core.totals import DocumentTotals
    from shopterm.services import Services
    from shopterm.services.context import Actor
    from shopterm.services.documents.drafts import DocumentDraft
    from shopterm.services.documents.posting import PostResult
    from shopterm.services.documents.views import CustomerInfo, DocumentView, Preview
    from shopterm.services.sales.orders import OrdersService
    from shopterm.services.sales.provisional import ProvisionalService
    from shopterm.widgets.approval import Approval

__all__ = ["LINE_ITEM", "ORDER_COLUMNS", "PRICED", "SalesDocumentScreen"]

ZERO = Decimal(0)

#: The grid columns of an order or provisional invoice: the line number and item, two of
#: stock's columns (the document's own), then the priced columns.
LINE_ITEM: tuple[GridColumn, ...] = (GridColumn("sno", "#", 3, "sno"), GridColumn("item", N_("Item"), 12, "item"))
PRICED: tuple[GridColumn, ...] = (
    GridColumn("qty", N_("Qty"), 7, "qty"),
    GridColumn("price", N_("Price"), 9, "money"),
    GridColumn("discount_pct", N_("Disc%"), 5, "pct", N_("Disc %")),
    GridColumn("flat_discount", N_("Flat"), 7, "money", N_("Flat discount")),
    GridColumn("line_net", N_("Net"), 10, "figure"),
)
ORDER_COLUMNS: tuple[GridColumn, ...] = (
    *LINE_ITEM,
    GridColumn("available_stock", N_("Avail"), 7, "info", N_("Available stock")),
    GridColumn("balance_qty", N_("Left"), 7, "info", N_("Left to invoice")),
    *PRICED,
)

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


class SalesDocumentScreen(DebouncedPreview, SalesFormScreen):
    """The invoice screen re-configured for another sales document (SO/PF, PI).

    Subclasses compose their header (``compose_header``) with the invoice's ids
    (``inv-header``, ``field-…``, ``inv-customer-name``, ``inv-credit``,
    ``inv-number``); a header field of the invoice they do not have reads as
    empty. They implement :meth:`post_document`, :meth:`preview_document` and
    :meth:`cancel_document`, and may add footer rows (``compose_footer_extra``).
    """

    GRID_COLUMNS: ClassVar[tuple[GridColumn, ...]] = ORDER_COLUMNS
    CANCEL_WHAT: ClassVar[str] = "document"
    SERVICE: ClassVar[str] = ""  # the services area: "orders", "provisional"
    POST_METHOD: ClassVar[str] = "post"  # its method that posts (an order is confirmed)
    APPROVALS = True

    BINDINGS = [
        Binding("f5", "switch_tab", N_("Tabs"), id="salesdoc.tabs", key_display="F5", show=False),
        Binding("f7", "cancel_document", N_("Cancel"), id="salesdoc.cancel", key_display="F7"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.preview: Preview | None = None  # the last services preview (Free Offers, loyalty, warnings)
        self._armed = None

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
            with TabPane(_("Items (F5: Free Offers)"), id="tab-items"):
                yield ItemGrid(self.GRID_COLUMNS, id="grid")
            with TabPane(_("Free Offers"), id="tab-free"):
                yield Static(free_offers_text(()), id="free-offers")
        yield TotalsFooter(id="totals")
        yield from self.compose_footer_extra()

    def compose_header(self) -> ComposeResult:
        yield from ()

    def compose_footer_extra(self) -> ComposeResult:
        yield from ()

    def client_row(self) -> ComposeResult:
        """Header row: Customer (F2), its name, Contact No."""
        yield header_row(*customer("inv-customer-name", ClientInput),
                         (N_("Tel"), Input(id="field-contact-no", max_length=40)))

    def currency_row(self, flag: tuple[str, str, str]) -> ComposeResult:
        """Header row: Currency, Rate, Sales person (F2), Free offer, and one more Yes/No
        ``flag`` = (label, id suffix, name in messages), marked with N_ by the subclass."""
        yield header_row(currency(), rate(), sales_person(),
                         yes_no(N_("Free"), "free-offer", N_("Free offer applicable")),
                         yes_no(*flag))

    # -- hooks for the subclasses ------------------------------------------------------------

    def tax_exempt_now(self) -> bool:
        """Tax exempt as on screen: the header's Tax Exempted? or the customer's flag."""
        field = self._choice("tax-exempt")
        return field.value == "yes" or bool(self.customer is not None and self.customer.tax_exempt)

    def redemption_value_usd(self) -> Decimal:
        return ZERO

    def service(self, services: Services) -> OrdersService | ProvisionalService:
        """The document's service (``services.orders``, ``services.provisional``)."""
        return getattr(services, self.SERVICE)

    def post_call(self, services: Services, actor: Actor | None, draft: DocumentDraft,
                  draft_id: int | None) -> PostResult:
        return getattr(self.service(services), self.POST_METHOD)(actor, draft, draft_id)

    def preview_document(self, services: Services, draft: DocumentDraft, actor: Actor | None) -> Preview:
        return self.service(services).preview(draft, actor)

    def cancel_document(self, services: Services, actor: Actor | None, number: str,
                        approval: Approval | None = None) -> None:
        if approval is None:
            self.service(services).cancel(actor, number)
        else:
            self.service(services).cancel(actor, number, approver=approval.name, approver_pin=approval.pin)

    def action_state(self, action: str) -> bool | None:
        if self.view is not None and action in ("save", "draft", "delete_row"):
            return False  # posted is final: Ctrl+N starts the next one
        return super().action_state(action)

    def can_cancel(self) -> bool:
        view = self.view
        return bool(view is not None and view.number and view.status == "posted"
                    and (view.extra or {}).get("state") != "closed")

    # -- totals per keystroke (core), the services preview debounced ----------------------------

    def after_recompute(self, totals: DocumentTotals) -> None:
        """After the per-keystroke core totals: the PI's loyalty line, then the services preview
        (Free Offers, loyalty) a moment after the typing stops."""
        self.totals_shown(totals)
        self.schedule_preview()

    def totals_shown(self, totals: DocumentTotals) -> None:
        """After each recompute (the PI's loyalty line)."""

    def preview_job(self) -> Callable[[], Preview] | None:
        if not any(line.item for line in self.grid.lines):
            self.preview_shown(None)
            return None
        draft = self.build_draft()
        actor = self.actor
        return lambda: self.preview_document(self.services, draft, actor)

    def preview_shown(self, preview: Preview | None) -> None:
        """The services preview arrived (None: nothing to preview): the Free Offers tab."""
        self.show_free_offers(preview)

    @on(CompactChoice.Changed, "#field-free-offer, #field-tax-exempt")
    def _flag_changed(self, event: CompactChoice.Changed) -> None:
        if self.view is None:
            self.recompute()

    # -- header ------------------------------------------------------------------------------

    def _apply_customer(self, info: CustomerInfo | None, *, mark_dirty: bool = True) -> None:
        tax = self._choice("tax-exempt")
        if info is not None and tax is not _ABSENT:
            tax.set_value("yes" if info.tax_exempt else "no")
        super()._apply_customer(info, mark_dirty=mark_dirty)

    def build_draft(self) -> DocumentDraft:
        draft = super().build_draft()
        tax = self._choice("tax-exempt")
        return replace(draft, doc_type=self.DOC_TYPE, tax_exempt=tax.value == "yes", order=None,
                       agent_commission=False, invoice_type=self.INVOICE_TYPE, **self.draft_extra())

    INVOICE_TYPE: ClassVar[str] = ""

    def draft_extra(self) -> dict[str, Any]:
        return {}

    # -- cancel (F7) ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_document":
            return True if self.can_cancel() else False
        return super().check_action(action, parameters)

    def action_cancel_document(self) -> None:
        if not self.can_cancel():
            return
        number = self.view.number
        if not self.pressed_again("cancel_document", _("Press F7 again to cancel {number} (a manager's approval)")
                                  .format(number=number)):
            return
        actor = self.actor

        def work(approval: Approval | None = None) -> DocumentView:
            services = self.services
            self.cancel_document(services, actor, number, approval)
            return services.sales.document(number)

        def retry(approval: Approval) -> Callable[[], DocumentView]:
            return lambda: work(approval)

        def done(view: DocumentView) -> None:
            self.call_later(self._show_view, view)
            self.show_ok(self.cancelled_message(view))

        self.run_service(work, done, busy_text=_("Cancelling…"), with_approval=retry)

    def cancelled_message(self, view: DocumentView) -> str:
        return _("{word} {number} cancelled").format(word=_(self.DOC_WORD), number=view.number)

    # -- showing documents -------------------------------------------------------------------------

    async def reset(self) -> None:
        self.preview = None
        self._armed = None
        tax = self._choice("tax-exempt")
        tax.set_value("no")
        await super().reset()
        self.preview_shown(None)
        self.query_one("#doc-tabs", TabbedContent).active = "tab-items"

    async def _show_view(self, view: DocumentView) -> None:
        self.preview = None
        self._armed = None
        self.show_type(view.doc_type)
        self._choice("tax-exempt").set_value("yes" if view.tax_exempt else "no")
        await super()._show_view(view)  # the Free Offers tab shows the posted free lines
        self.view_shown(view)
        self.refresh_bindings()

    def view_shown(self, view: DocumentView) -> None:
        """After a posted document is shown (state line, info columns)."""

    def show_type(self, doc_type: str) -> None:
        """Show the document type (the SO/PF toggle)."""

    async def _show_draft(self, draft_id: int, draft: DocumentDraft) -> None:
        self.show_type(draft.doc_type)
        self._choice("tax-exempt").set_value("yes" if draft.tax_exempt else "no")
        await super()._show_draft(draft_id, draft)
        self.refresh_bindings()
