"""Scheme masters (seed "Sales Masters" 08–12): Sales Promotion, Discount Slabs, Loyalty Card,
Sales Target (location-wise and delegate-wise, with the progress bar chart).

Range tables are checked by the services (``core.promotions`` / ``core.slabs``):
overlapping ranges are refused with the rows named, and the grid row named in
the message gets the focus.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from shopterm.core import money
from shopterm.screens.masters.base import STATUS_COLUMN, F, GridSpec, MasterScreen, fmt
from shopterm.screens.masters.grid import GridCol
from shopterm.widgets.bar_chart import render_bars
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.master_list import ListColumn, MasterQuery
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.services import Services
    from shopterm.services.context import Actor
    from shopterm.services.masters.base import Page
    from shopterm.services.masters.schemes import LoyaltyCardInfo, SchemeSummary, SlabInfo, TargetInfo, TargetProgress

__all__ = [
    "DelegateTargetScreen", "DiscountSlabScreen", "LocationTargetScreen", "LoyaltyCardScreen", "ProgressDialog",
    "PromotionScreen",
]

LOCATION_GRID = GridSpec("locations", N_("Applicable locations*"), (
    GridCol("location", N_("Location"), "ref", 10, lookup="location"),
), hint=N_("F2 finds a location · F8 deletes a row"))

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"), N_("August"),
          N_("September"), N_("October"), N_("November"), N_("December"))


def _locations(values: dict[str, Any]) -> list[str]:
    return [r["location"] for r in values.get("locations", []) if r.get("location")]


def _location_rows(codes: Any) -> list[dict[str, Any]]:
    return [{"location": c} for c in codes]


def _user_location(screen: MasterScreen) -> list[dict[str, Any]]:
    status = getattr(screen.app, "last_status", None)
    code = getattr(status, "location_code", "") if status is not None else ""
    return [{"location": code}] if code else []


# ================================================================ the Summary tab (F5)


#: F5 "Summary" (a screen lists it in its own BINDINGS: Textual reads bindings from widget classes)
SUMMARY_BINDING = Binding("f5", "details", N_("Summary"), id="scheme.summary", key_display="F5")


class SummaryKey:
    """F5 "Summary" on a saved scheme (promotion, discount slabs, loyalty card): what it gave on
    posted documents — documents, quantities and value — from ``services.masters.<SUMMARY>``."""

    SUMMARY = ""
    HAS_DETAILS = True

    def action_details(self) -> None:
        key = self.key  # type: ignore[attr-defined]
        if key is None:
            return
        call = getattr(self.services.masters, self.SUMMARY)  # type: ignore[attr-defined]
        title = _("Summary · {title} {key}").format(title=_(self.DOCUMENT_TITLE), key=key)  # type: ignore[attr-defined]
        self.run_service(lambda: call(key), lambda summary: self.app.push_screen(  # type: ignore[attr-defined]
            SummaryDialog(title, summary)), busy_text=_("Loading…"))


#: Ctrl+G "Files": the Attachment tab of a saved promotion or discount slab table
ATTACH_BINDING = Binding("ctrl+g", "attachments", N_("Files"), id="scheme.attachments", key_display="^G")


class AttachKey:
    """Ctrl+G on a saved Sales Promotion / Discount Slabs: its attachments (the seed's tab)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "attachments":
            return self.key is not None  # type: ignore[attr-defined]
        return super().check_action(action, parameters)  # type: ignore[misc]

    def action_attachments(self) -> None:
        from shopterm.screens.masters.attachments import AttachmentsDialog

        key = self.key  # type: ignore[attr-defined]
        if key is None:
            return
        title = _("Attachments · {title} {key}").format(title=_(self.DOCUMENT_TITLE), key=key)  # type: ignore[attr-defined]
        self.app.push_screen(AttachmentsDialog(self.ENTITY, key, title))  # type: ignore[attr-defined]


def summary_text(summary: SchemeSummary) -> Text:
    """The Summary tab's table: one row per kind of document, then the totals (76 columns)."""
    text = Text(no_wrap=True)
    given, docs, qty, value, total = _("Given on"), _("Documents"), _("Qty / points"), _("Value USD"), _("Total")
    text.append(f"{given:<30}{docs:>10}{qty:>16}{value:>16}\n", style="bold")
    for r in summary.rows:
        text.append(f"{_(r.label):<30}{r.documents:>10}{money.format_qty(r.qty):>16}"
                    f"{money.format_amount(r.value_usd):>16}\n")
    text.append(f"{total:<30}{summary.total_documents:>10}{money.format_qty(summary.total_qty):>16}"
                f"{money.format_amount(summary.total_value_usd):>16}\n", style="bold")
    return text


class SummaryDialog(ModalScreen[None]):
    """The Summary of a scheme (read only); Esc or F5 closes it."""

    BINDINGS = [Binding("escape,f5", "close", N_("Close"), id="summary.close")]

    def __init__(self, title: str, summary: SchemeSummary) -> None:
        super().__init__()
        self.title_text = title
        self.summary = summary

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Esc close"), classes="readonly-box", id="summary-box"):
            with VerticalScroll(classes="readonly-scroll"):
                yield Static(summary_text(self.summary), id="summary-table", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


# ================================================================ promotion reason


class PromotionReasonScreen(MasterScreen):
    """Why a promotion gives goods away; its expense account takes the free goods' cost."""

    DOCUMENT_TITLE = N_("Promotion Reason")
    ENTITY, NOUN = "promotion_reason", N_("Reason")
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("e.g. SUPP")),
        F("name", N_("Name"), required=True, wide=True, max_length=40, placeholder=N_("e.g. Supplier offer")),
        F("expense_account", N_("Expense a/c"), "ref", required=True, lookup="account", default="6200",
          hint="expense_account_name"),
        F("inactive", N_("Status"), "auto"),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 8), ListColumn(N_("Name"), "name", 30),
                    ListColumn(N_("Expense a/c"), "expense_account", 11), STATUS_COLUMN)


# ================================================================ promotion and discount slabs


class _RangeScheme(AttachKey, SummaryKey, MasterScreen):
    """A scheme of ranges (its first grid, ``ranges``) at the chosen locations: the sales promotion
    and the discount slabs; F5 its summary, Ctrl+G its attachments, F8 deletes a grid row."""

    SUPPORTS = frozenset({"new", "save", "list", "history", "delete_row"})
    BINDINGS = [SUMMARY_BINDING, ATTACH_BINDING]

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        values["locations"] = _locations(values)
        return values

    def grid_rows(self, info: Any) -> dict[str, list[dict[str, Any]]]:
        columns = [col.name for col in self.GRIDS[0].columns]
        return {"ranges": [{name: getattr(r, name) for name in columns} for r in info.ranges],
                "locations": _location_rows(info.locations)}

    def new_grid_rows(self, spec: GridSpec) -> list[dict[str, Any]]:
        return _user_location(self) if spec.name == "locations" else []


class PromotionScreen(_RangeScheme):
    """Free goods by quantity ranges (buy 10–20, get 1 free) at the chosen locations."""

    DOCUMENT_TITLE = N_("Sales Promotion")
    ENTITY, NOUN, KEY = "promotion", N_("Promotion"), "scheme_no"
    SUMMARY = "promotion_summary"
    FIELDS = (
        F("item", N_("Item"), "ref", required=True, lookup="item", hint="item_name"),
        F("scheme_no", N_("Scheme no"), "auto", send=False, default=N_("(given on save)")),
        F("unit", N_("Unit"), placeholder=N_("item's unit"), max_length=10),
        F("scheme_date", N_("Scheme date"), "date", required=True, default="@today"),
        F("reason", N_("Reason"), "ref", required=True, lookup="promotion_reason", hint="reason_name"),
        F("cost_centre", N_("Cost centre"), "ref", required=True, lookup="cost_centre", default="SHOP"),
        F("expense_account", N_("Expense a/c"), "auto", send=False, default=N_("(the reason's)")),
        F("inactive", N_("Inactive?"), "flag", default=False),
    )
    GRIDS = (
        GridSpec("ranges", N_("Range details*"), (
            GridCol("min_qty", N_("From qty"), "qty", 10),
            GridCol("max_qty", N_("Max qty"), "qty", 10),
            GridCol("free_qty", N_("Free qty*"), "qty", 10),
        ), hint=N_("blank Max qty: no upper limit")),
        LOCATION_GRID,
    )
    LIST_COLUMNS = (ListColumn(N_("Scheme"), "scheme_no", 10), ListColumn(N_("Item"), "item", 9),
                    ListColumn(N_("Name"), "item_name", 20), ListColumn(N_("Reason"), "reason", 14),
                    ListColumn(N_("Date"), "scheme_date", 10), STATUS_COLUMN)

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        values = super().prepare_values(values)
        values["unit"] = values.get("unit") or None
        return values


class DiscountSlabScreen(_RangeScheme):
    """Automatic discount % by invoice value (in USD): from ≤ subtotal ≤ to."""

    DOCUMENT_TITLE = N_("Discount Slabs")
    ENTITY, NOUN, KEY = "discount_slab", N_("Discount slab"), "doc_no"
    SUMMARY = "slab_summary"
    FIELDS = (
        F("doc_date", N_("Document date"), "date", required=True, default="@today"),
        F("doc_no", N_("Document no"), "auto", send=False, default=N_("(given on save)")),
        F("inactive", N_("Inactive?"), "flag", default=False),
    )
    GRIDS = (
        GridSpec("ranges", N_("Slab details* (USD)"), (
            GridCol("from_value", N_("From"), "money", 12),
            GridCol("to_value", N_("To"), "money", 12),
            GridCol("pct", N_("Discount %"), "percent", 10),
        ), hint=N_("blank To: and above")),
        LOCATION_GRID,
    )
    LIST_STATUSES = True
    LIST_SEARCH = N_("no search here: F7 status")
    LIST_COLUMNS = (ListColumn(N_("Doc no"), "doc_no", 10), ListColumn(N_("Date"), "doc_date", 11),
                    ListColumn(N_("Slabs"), lambda r: " ".join(
                        f"{fmt('n', r_.from_value)}-{'' if r_.to_value is None else fmt('n', r_.to_value)}:"
                        f"{fmt('n', r_.pct)}%" for r_ in r.ranges), 31),
                    ListColumn(N_("Locations"), lambda r: ",".join(r.locations), 9), STATUS_COLUMN)

    def svc_list(self, s: Services, q: MasterQuery) -> Page[SlabInfo]:
        return s.masters.list_discount_slabs(status=q.status, limit=q.limit, offset=q.offset)


# ================================================================ loyalty card


class _Cards:
    def __init__(self, rows: list[Any], q: MasterQuery) -> None:
        self.total = len(rows)
        self.rows = tuple(rows[q.offset:q.offset + q.limit])
        self.offset, self.limit = q.offset, q.limit


class LoyaltyCardScreen(SummaryKey, MasterScreen):
    """Earn: sales amount (USD) per point by price category; redeem: value per point, every N days."""

    DOCUMENT_TITLE = N_("Loyalty Card")
    ENTITY, NOUN, KEY = "loyalty_card", N_("Loyalty card"), "name"
    SUPPORTS = frozenset({"new", "save", "list", "history", "delete_row"})
    SUMMARY = "loyalty_card_summary"
    BINDINGS = [SUMMARY_BINDING]
    FIELDS = (
        F("name", N_("Card name"), required=True, placeholder=N_("e.g. Gold"), max_length=60),
        F("doc_date", N_("Document date"), "date", required=True, default="@today"),
        F("value_per_point_usd", N_("Value/point $"), "money", required=True, placeholder=N_("redemption")),
        F("redemption_frequency_days", N_("Every (days)"), "int", default="0"),
        F("inactive", N_("Inactive?"), "flag", default=False),
    )
    GRIDS = (
        GridSpec("categories", N_("Loyalty categories*"), (
            GridCol("price_category", N_("Price cat."), "choice", 14,
                    choices=(("retail", N_("Retail")), ("wholesale", N_("Wholesale")))),
            GridCol("customer_category", N_("Cust. cat."), "ref", 12, lookup="category"),
            GridCol("sales_amount_per_point", N_("Sales $ per point"), "money", 18),
        ), hint=N_("customer category (F2) beats price cat. · F8 deletes")),
    )
    LIST_COLUMNS = (ListColumn(N_("Card"), "name", 16), ListColumn(N_("Date"), "doc_date", 11),
                    ListColumn(N_("Value/pt $"), "value_per_point_usd", 10, ">"),
                    ListColumn(N_("Every"), lambda r: f"{r.redemption_frequency_days} d", 7, ">"),
                    ListColumn(N_("Earn"), lambda r: "; ".join(f"{c.price_category} {c.sales_amount_per_point:f}$"
                                                           for c in r.categories), 20), STATUS_COLUMN)

    def svc_list(self, s: Services, q: MasterQuery) -> _Cards:
        return _Cards(list(s.masters.list_loyalty_cards(status=q.status, search=q.search)), q)

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        values["categories"] = [r for r in values.get("categories", []) if r.get("sales_amount_per_point")]
        return values

    def grid_rows(self, info: LoyaltyCardInfo) -> dict[str, list[dict[str, Any]]]:
        return {"categories": [{"price_category": c.price_category or "retail",
                                "customer_category": c.customer_category or "",
                                "sales_amount_per_point": c.sales_amount_per_point} for c in info.categories]}


# ================================================================ sales targets


class _TargetScreen(MasterScreen):
    """Twelve months of target qty and amount (USD) for a financial year and a location or sales person."""

    KIND = "location"
    OWNER = "location"
    ENTITY, NOUN, KEY = "sales_target", N_("Target"), "id"
    TOGGLE = False
    LIST_STATUSES = False
    HAS_DETAILS = True
    SUPPORTS = frozenset({"new", "save", "list", "history"})
    GRIDS = (
        GridSpec("months", N_("Monthly targets"), (
            GridCol("target_qty", N_("Target qty"), "qty", 14),
            GridCol("target_amount", N_("Target amount $"), "money", 18),
        ), fixed=MONTHS, fixed_label=N_("Month"), fixed_width=11),
    )
    EXPORT_KIND = "targets"  # Ctrl+T: every target of this kind for the year typed, with the actuals
    BINDINGS = [Binding("f5", "details", N_("Progress"), id="target.progress", key_display="F5"),
                Binding("f6", "copy_next", N_("Copy→next"), id="target.copy", key_display="F6")]
    LIST_COLUMNS = (ListColumn(N_("Year"), "financial_year", 6), ListColumn(N_("Owner"), lambda r: r.location or r.sales_person, 10),
                    ListColumn(N_("Target qty"), lambda r: sum((m.target_qty for m in r.months), Decimal("0.000")), 14, ">"),
                    ListColumn(N_("Target $"), lambda r: sum((m.target_amount for m in r.months), Decimal("0.00")), 16,
                               ">"))

    def svc_list(self, s: Services, q: MasterQuery) -> _Cards:
        rows = [t for t in s.masters.list_targets(kind=self.KIND)
                if not q.search or q.search.lower() in f"{t.financial_year} {t.location or ''} {t.sales_person or ''}".lower()]
        return _Cards(rows, q)

    def _owner(self, values: dict[str, Any]) -> dict[str, Any]:
        return {self.OWNER: values.get(self.OWNER)}

    def svc_get(self, s: Services, key: str) -> TargetInfo:  # pragma: no cover - opened from the list rows
        raise NotImplementedError

    def svc_create(self, s: Services, actor: Actor, v: dict) -> TargetInfo:
        return s.masters.save_target(actor, kind=self.KIND, financial_year=v["financial_year"], months=v["months"],
                                     **self._owner(v))

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> TargetInfo:
        return self.svc_create(s, actor, v)

    def _listed(self, result: Any) -> None:
        if result is not None:
            self.call_later_holding(self._opened, result[1])

    def history_key(self, info: TargetInfo) -> int:
        return info.id

    def record_title(self, info: TargetInfo) -> str:
        return f"{info.financial_year} {getattr(info, self.OWNER)}"

    def info_values(self, info: TargetInfo) -> dict[str, Any]:
        return {"financial_year": info.financial_year, self.OWNER: getattr(info, self.OWNER)}

    def grid_rows(self, info: TargetInfo) -> dict[str, list[dict[str, Any]]]:
        return {"months": [{"target_qty": m.target_qty, "target_amount": m.target_amount} for m in info.months]}

    def new_grid_rows(self, spec: GridSpec) -> list[dict[str, Any]]:
        return []

    def saved_message(self, info: TargetInfo, created: bool) -> str:
        return _("Targets {year} of {owner} saved · F5 shows the progress").format(year=info.financial_year,
                                                                                  owner=getattr(info, self.OWNER))

    def action_details(self) -> None:
        """F5: actual against target, month by month (bar chart)."""
        year = self.widget("financial_year").value.strip()  # type: ignore[attr-defined]
        owner = self.widget(self.OWNER).value.strip()  # type: ignore[attr-defined]
        if not year or not owner:
            self.show_info(_("Type the financial year and the {what} first").format(
                what=_(self.OWNER.replace('_', ' '))))
            return
        kind = self.KIND
        title = _("Progress {year} · {owner}").format(year=year, owner=owner)
        self.run_service(lambda: self.services.masters.target_progress(kind, year, **{self.OWNER: owner}),
                         lambda rows: self.app.push_screen(ProgressDialog(title, rows)), busy_text=_("Loading…"))

    def action_copy_next(self) -> None:
        """F6, Sales Target Tasks: the targets shown copied to the next year, which opens."""
        if self.info is None:
            return
        year, owner, kind, actor = self.info.financial_year, getattr(self.info, self.OWNER), self.KIND, self.actor
        self.run_service(lambda: self.services.masters.copy_target(actor, kind=kind, financial_year=year,
                                                                   **{self.OWNER: owner}),
                         self._copied, busy_text=_("Copying…"))

    def _copied(self, info: TargetInfo) -> None:
        self.call_later(self._show_copied, info)

    async def _show_copied(self, info: TargetInfo) -> None:
        await self._opened(info)
        self.message_bar.show_ok(_("Targets {old} copied to {new}: change them and Ctrl+S").format(
            old=info.financial_year - 1, new=info.financial_year))

    def action_export(self) -> None:
        """Ctrl+T, Sales Target Tasks: this kind's targets of the year typed, CSV and XLSX, to the print folder."""
        year = self.widget("financial_year").value.strip()  # type: ignore[attr-defined]
        if not year:
            self.show_info(_("Type the financial year first"))
            return
        kind, actor = self.KIND, self.actor
        self.run_service(lambda: self.services.masters.export_target_files(actor, kind, year), self._exported,
                         busy_text=_("Exporting…"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("details", "export"):
            return True
        if action == "copy_next":
            return self.info is not None
        return super().check_action(action, parameters)


class LocationTargetScreen(_TargetScreen):
    DOCUMENT_TITLE = N_("Sales Target (Location Wise)")
    KIND, OWNER = "location", "location"
    FIELDS = (
        F("financial_year", N_("Financial year"), "int", required=True, default=lambda s: (s.app.business_date or dt.date.today()).year),
        F("location", N_("Location"), "ref", required=True, lookup="location", default="@location"),
    )


class DelegateTargetScreen(_TargetScreen):
    DOCUMENT_TITLE = N_("Sales Target (Delegate Wise)")
    KIND, OWNER = "delegate", "sales_person"
    FIELDS = (
        F("financial_year", N_("Financial year"), "int", required=True, default=lambda s: (s.app.business_date or dt.date.today()).year),
        F("sales_person", N_("Sales person"), "ref", required=True, lookup="sales_person"),
    )


class ProgressDialog(ModalScreen[None]):
    """Target against actual per month: the bar chart and the year's totals."""

    BINDINGS = [
        Binding("escape,f5", "close", N_("Close"), id="progress.close"),
        Binding("down", "scroll(1)", show=False),
        Binding("up", "scroll(-1)", show=False),
    ]

    def __init__(self, title: str, rows: list[TargetProgress]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = list(rows)

    def chart(self) -> Text:
        bars = [(r.month_name[:3], r.actual_amount_usd, r.target_amount) for r in self.rows]
        text = render_bars(bars, 72)
        actual = sum((r.actual_amount_usd for r in self.rows), Decimal("0.00"))
        target = sum((r.target_amount for r in self.rows), Decimal("0.00"))
        qty_a = sum((r.actual_qty for r in self.rows), Decimal("0.000"))
        qty_t = sum((r.target_qty for r in self.rows), Decimal("0.000"))
        pct = f" ({(actual * 100 / target).quantize(Decimal(1))}%)" if target > 0 else ""
        text.append(f"\nYear: {money.format_amount(actual)} of {money.format_amount(target)} USD{pct}"
                    f" · qty {money.format_qty(qty_a)} of {money.format_qty(qty_t)}", style="bold")
        return text

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, _("Esc close"), classes="readonly-box", id="progress-box"):
            with VerticalScroll(classes="readonly-scroll"):
                yield Static(self.chart(), id="progress-chart", markup=False)

    @property
    def text(self) -> str:
        return self.chart().plain

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
