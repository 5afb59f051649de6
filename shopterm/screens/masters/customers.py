"""Customer masters (seed "Sales Masters" 01–04, POS customers guide).

Customer Category, Customer Group (with the group's consolidated purchases and
outstanding), Sales Person, Customer (credit: every seed field and the
location grid) and Customer (Cash). Customers: F6 gives the next free code
(the seed's "…" button), F5 opens the customer details, Ctrl+O imports a
CSV file; saving a new customer whose name or phone matches an existing one
asks first ("search before you create").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from shopterm.core import money
from shopterm.core.i18n import N_, _
from shopterm.screens.masters.base import (
    LANGUAGES, STATUS_COLUMN, ConfirmDialog, F, GridSpec, MasterScreen, is_possible_duplicate,
)
from shopterm.screens.masters.grid import EntryGrid, GridCol
from shopterm.widgets.master_list import ListColumn, MasterQuery

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.context import Actor
    from shopterm.services.masters.base import Page
    from shopterm.services.masters.customers import CustomerInfo, CustomerRow, GroupInfo, GroupSummary
    from shopterm.services.masters.merge import MergeResult

PRICE_CATEGORIES = (("retail", N_("Retail")), ("wholesale", N_("Wholesale")))


# ================================================================ category


class CustomerCategoryScreen(MasterScreen):
    DOCUMENT_TITLE = N_("Customer Category")
    ENTITY, NOUN = "customer_category", N_("Category")
    SERVICE, PLURAL = "category", "categories"
    FIELDS = (
        F("name", N_("Category name"), required=True, wide=True, placeholder=N_("e.g. WHOLESALE")),
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("e.g. WH")),
        F("price_category", N_("Price list"), "choice", default="retail", choices=PRICE_CATEGORIES),
        F("inactive", N_("Status"), "auto"),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 8), ListColumn(N_("Category name"), "name", 30),
                    ListColumn(N_("Price list"), "price_category", 10), STATUS_COLUMN)


# ================================================================ group


class CustomerGroupScreen(MasterScreen):
    """A group of companies; shows the group's total purchases and outstanding, member by member."""

    DOCUMENT_TITLE = N_("Customer Group")
    ENTITY, NOUN, KEY = "customer_group", N_("Group"), "name"
    SERVICE = "group"
    FIELDS = (
        F("name", N_("Group name"), required=True, wide=True, placeholder=N_("e.g. ABC Group")),
        F("inactive", N_("Status"), "auto"),
    )
    LIST_COLUMNS = (ListColumn(N_("Group name"), "name", 50), STATUS_COLUMN)

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="group-summary", classes="mf-panel")

    def after_show(self, info: GroupInfo) -> None:
        super().after_show(info)
        name = info.name
        self.summary = None
        self.run_service(lambda: self.services.masters.group_summary(name), self._show_summary, busy_text=None)

    def after_clear(self) -> None:
        self.summary = None
        self.query_one("#group-summary", Static).update("")

    def _show_summary(self, summary: GroupSummary) -> None:
        self.summary = summary
        self.query_one("#group-summary", Static).update(render_group_summary(summary))


def render_group_summary(summary: GroupSummary) -> Table:
    """The group's members with their purchases and outstanding, and the consolidated totals."""
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold", show_footer=True,
                  title=_("{group}: {count} member(s)").format(group=summary.name, count=len(summary.members)),
                  title_justify="left")
    table.add_column(_("Code"), width=8, no_wrap=True, footer="")
    table.add_column(_("Member"), ratio=1, no_wrap=True, footer=_("Group total"))
    table.add_column(_("Purchases $"), justify="right", width=14, no_wrap=True,
                     footer=money.format_amount(summary.total_purchases_usd))
    table.add_column(_("Outstanding $"), justify="right", width=14, no_wrap=True,
                     footer=money.format_amount(summary.outstanding_usd))
    for m in summary.members:
        table.add_row(m.code, m.name + (" (inactive)" if m.inactive else ""),
                      money.format_amount(m.total_purchases_usd), money.format_amount(m.outstanding_usd))
    return table


# ================================================================ sales person


class SalesPersonScreen(MasterScreen):
    DOCUMENT_TITLE = N_("Sales Person")
    ENTITY, NOUN = "sales_person", N_("Sales person")
    IMPORT_KIND = "sales-persons"
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("e.g. SP04")),
        F("mobile", N_("Mobile")),
        F("name", N_("Name"), required=True, wide=True),
        F("inactive", N_("Status"), "auto"),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 8), ListColumn(N_("Name"), "name", 32), ListColumn(N_("Mobile"), "mobile", 16),
                    STATUS_COLUMN)


# ================================================================ customers


CUSTOMER_COLUMNS = (
    ListColumn(N_("Code"), "code", 7),
    ListColumn(N_("Name"), "name", 17),
    ListColumn(N_("Mobile"), "mobile", 16),
    ListColumn(N_("Group"), "group", 9),
    ListColumn(N_("Purchases $"), "total_purchases_usd", 11, ">"),
    STATUS_COLUMN,
)
CUSTOMER_SORTS = (("name", N_("Name")), ("date_added", N_("Date added")), ("total_purchases", N_("Total purchases")),
                  ("code", N_("Code")))


#: The fields the credit and the cash customer share, in the order both forms show them.
ADDRESS_FIELDS = (
    F("address", N_("Address"), wide=True),
    F("city", N_("City")),
    F("province", N_("Province")),
    F("country", N_("Country"), placeholder=N_("Shop Setup's")),
    F("discount_pct", N_("Line disc. %"), "percent"),
)
FLAG_FIELDS = (
    F("tax_exempt", N_("Tax exempt?"), "flag", default=False),
    F("free_offer", N_("Free offer?"), "flag", default=False),
    F("inactive", N_("Inactive?"), "flag", default=False),
    F("language", N_("Prints in"), "choice", choices=LANGUAGES, default="", wide=True),
)


class _CustomerScreen(MasterScreen):
    """What the credit and cash customer screens share."""

    KIND = "credit"
    ENTITY, NOUN = "customer", N_("Customer")
    AUTO_CODE = True
    HAS_DETAILS = True
    IMPORT_KIND = "customers"
    EXPORT_KIND = "customers"
    LIST_COLUMNS = CUSTOMER_COLUMNS
    LIST_SORTS = CUSTOMER_SORTS
    LIST_EXTRA = (("f5", "details", N_("Details")),)
    LIST_SEARCH = N_("code, name, phone, email")
    BINDINGS = [
        # merge duplicates into the customer shown (services.merge: documents, ledger, loyalty move here)
        Binding("ctrl+b", "merge", N_("Merge"), id="customer.merge", key_display="^B"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":  # a customer shown, active (hidden otherwise: the footer fits 80 columns)
            return self.key is not None and not self.inactive
        return super().check_action(action, parameters)

    def action_merge(self) -> None:
        """^B: merge duplicate customers into the one shown (a manager's; refused with the reason)."""
        if self.key is None:
            return
        from shopterm.screens.masters.merge_dialog import MergeDialog

        key, actor = self.key, self.actor
        name = getattr(self.info, "name", "")

        def merge(codes: list[str]) -> MergeResult:
            return self.services.merge.merge(actor, key, codes)

        def done(result: MergeResult | None) -> None:
            if result is None:
                return

            async def shown(info: CustomerInfo) -> None:
                await self.show_record(info)  # the merged contact details, the locations
                self.show_ok(result.message)

            self.run_service(lambda: self.svc_get(self.services, key), lambda info: self.call_later(shown, info),
                             busy_text=None)

        self.app.push_screen(MergeDialog(key, name, merge), done)

    def svc_list(self, s: Services, q: MasterQuery) -> Page[CustomerRow]:
        return s.masters.list_customers(search=q.search, status=q.status, kind=self.KIND, sort=q.sort or "name",
                                        limit=q.limit, offset=q.offset)

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "kind": self.KIND}

    # -- search before you create -----------------------------------------------------

    def on_save_error(self, exc: BaseException, values: dict[str, Any], key: str | None, actor: Actor) -> bool:
        if key is not None or not is_possible_duplicate(exc):
            return False
        message = getattr(exc, "message", str(exc))
        matches = list(getattr(exc, "matches", ()) or ())
        self.duplicate_matches = matches
        self.message_bar.show_warning(_("Possible duplicate: confirm or go back"))

        def answered(yes: bool | None) -> None:
            if yes:
                self.save_values(values, None, actor, confirm_duplicate=True)
            else:
                self.show_error(exc)

        self.app.push_screen(ConfirmDialog(
            N_("Possible duplicate customer"),
            _("{message}.\n\nSearch before you create: check the customer(s) above first.\n"
              "Y saves the new customer anyway; N or Esc goes back to the form.").format(message=message),
            yes=N_("Y save anyway"), no=N_("N / Esc back")), answered)
        return True

    # -- keys ----------------------------------------------------------------------------

    def action_auto_code(self) -> None:
        """F6 (the seed's … button): the next free customer code."""
        if self.key is not None:
            return
        self.run_service(lambda: self.services.masters.next_customer_code(), self._got_code, busy_text=None)

    def _got_code(self, code: str) -> None:
        widget = self.widget("code")
        widget.value = code  # type: ignore[attr-defined]
        self.show_info(_("Next free code: {code}").format(code=code))

    def action_details(self) -> None:
        if self.key is None:
            self.show_info(_("Open a customer first (F3), or save the new one"))
            return
        self.open_details(self.key)

    def list_action(self, action: str, row: CustomerRow) -> None:
        if action == "details":
            self.open_details(row.code)

    def open_details(self, code: str) -> None:
        from shopterm.screens.masters.details import CustomerDetailsScreen

        self.app.push_screen(CustomerDetailsScreen(code))


class CustomerScreen(_CustomerScreen):
    """Customer (credit): seed "Sales Masters" 03, with the location grid."""

    DOCUMENT_TITLE = N_("Customer")
    LIST_TITLE = N_("Customers (credit)")
    KIND = "credit"
    SUPPORTS = frozenset({"new", "save", "list", "history", "delete_row"})
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("F6 next code")),
        F("category", N_("Category"), "ref", required=True, lookup="category", hint="category_name"),
        F("name", N_("Customer name"), required=True, wide=True),
        F("group", N_("Group"), "ref", required=True, lookup="group"),
        F("price_category", N_("Price cat."), "choice", required=True, choices=PRICE_CATEGORIES, default="retail"),
        F("control_account", N_("Control acct"), "ref", required=True, lookup="account", default="1200"),
        F("sales_person", N_("Sales person"), "ref", required=True, lookup="sales_person", hint="sales_person_name"),
        F("credit_limit_usd", N_("Credit lim. $"), "money"),
        F("credit_days", N_("Credit days"), "int"),
        F("loyalty_card", N_("Loyalty card"), "ref", lookup="loyalty_card"),
        F("national_id", N_("National ID")),
        F("nrc_no", N_("NRC no")),
        F("impot_no", N_("Tax ID/Impôt")),
        F("mobile", N_("Mobile")),
        F("email", N_("Email")),
        *ADDRESS_FIELDS,
        F("existing_vendor", N_("Vendor?"), "flag", default=False),
        F("supplier_name", N_("Supplier"), "ref", lookup="supplier"),
        *FLAG_FIELDS,
    )
    GRIDS = (
        GridSpec("locations", N_("Locations*"), (
            GridCol("location", N_("Location"), "ref", 10, lookup="location"),
            GridCol("location_name", N_("Name"), "auto", 30),
        ), hint=N_("F2 finds a location · F8 deletes a row")),
    )

    def __init__(self) -> None:
        super().__init__()
        self.location_names: dict[str, str] = {}

    def on_ready(self) -> None:
        self.run_service(lambda: {r.code: r.name for r in self.services.lookup("location", "", limit=200)},
                         self._names_loaded, busy_text=None)

    def _names_loaded(self, names: dict[str, str]) -> None:
        self.location_names = names
        self._fill_location_names()

    def _fill_location_names(self) -> None:
        grid = self.grid("locations")
        for i, row in enumerate(grid.values(keep_blank=True)):
            code = str(row.get("location") or "").strip().upper()
            grid.set_cell(i, "location_name", self.location_names.get(code, ""))

    def on_entry_grid_changed(self, event: EntryGrid.Changed) -> None:
        if event.grid.field_name == "locations" and event.column == "location":
            self._fill_location_names()

    def grid_rows(self, info: CustomerInfo) -> dict[str, list[dict[str, Any]]]:
        return {"locations": [{"location": code} for code in info.locations]}

    def new_grid_rows(self, spec: GridSpec) -> list[dict[str, Any]]:
        status = getattr(self.app, "last_status", None)
        code = getattr(status, "location_code", "") if status is not None else ""
        return [{"location": code}] if code else []

    def after_show(self, info: CustomerInfo) -> None:
        super().after_show(info)
        self._fill_location_names()

    def after_clear(self) -> None:
        self._fill_location_names()

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        values = super().prepare_values(values)
        values["locations"] = [r["location"] for r in values.get("locations", []) if r.get("location")]
        return values


class CashCustomerScreen(_CustomerScreen):
    """Customer (Cash): seed "Sales Masters" 04 — no credit terms, one location."""

    DOCUMENT_TITLE = N_("Customer (Cash)")
    LIST_TITLE = N_("Customers (cash)")
    KIND = "cash"
    FIELDS = (
        F("location", N_("Location"), "ref", required=True, lookup="location", default="@location"),
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("F6 next code")),
        F("name", N_("Customer name"), required=True, wide=True),
        F("category", N_("Category"), "ref", required=True, lookup="category", hint="category_name"),
        F("group", N_("Group"), "ref", required=True, lookup="group"),
        F("price_category", N_("Price cat."), "choice", required=True, choices=PRICE_CATEGORIES, default="retail"),
        F("loyalty_card", N_("Loyalty card"), "ref", lookup="loyalty_card"),
        F("national_id", N_("National ID")),
        F("mobile", N_("Telephone")),
        F("email", N_("Email")),
        F("sales_person", N_("Sales person"), "ref", lookup="sales_person", hint="sales_person_name"),
        *ADDRESS_FIELDS,
        *FLAG_FIELDS,
    )

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        values = super().prepare_values(values)
        if values.get("location"):
            values["locations"] = [values["location"]]
        return values


__all__ = [
    "CashCustomerScreen", "CustomerCategoryScreen", "CustomerGroupScreen", "CustomerScreen", "SalesPersonScreen",
    "render_group_summary",
]

