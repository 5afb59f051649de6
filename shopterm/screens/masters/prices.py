"""Price Update (Single) and Price Update (Multiple Items) (seed "Sales Masters" 05–06).

Both show, once the location, item and currency are known, the item's unit,
last purchase price (base, USD) and the prices in force (from
``services.masters.price_form``). Typing a Retail % / Wholesale % markup fills
the price at once with the service's own rule
(``core.prices.price_from_markup``: cost × (1 + % / 100), converted
at the system rate for CDF); a price typed directly wins. Prices take effect
on the Effective From date (a future date schedules the change).
Ctrl+O imports a prices CSV.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from shopterm.core import money
from shopterm.core.prices import price_from_markup
from shopterm.screens.base.counter import run_preview
from shopterm.screens.masters.base import F, GridSpec, MasterScreen, RefInput
from shopterm.screens.masters.grid import EntryGrid, GridCol, GridRow
from shopterm.widgets.master_list import ListColumn, MasterQuery
from shopterm.core import i18n
from shopterm.core.i18n import N_, _, pgettext

if TYPE_CHECKING:
    import datetime as dt

    from shopterm.services import LookupRow, Services
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services.context import Actor
    from shopterm.services.masters.base import Page
    from shopterm.services.masters.goods import PriceForm, PriceRow, PriceUpdateResult
    from shopterm.screens.masters.org import _Rows

__all__ = ["PriceMultipleScreen", "PriceSingleScreen", "markup_price"]

CURRENCIES = (("USD", "USD"), ("CDF", "CDF"))


def markup_price(form: PriceForm | None, currency: str, pct_text: str) -> str | None:
    """The price a markup gives (the service's rule), as field text; None when it cannot be computed."""
    if form is None or not pct_text.strip():
        return None
    try:
        pct = money.to_decimal(pct_text.strip().removesuffix("%"), field="pct")
    except money.MoneyError:
        return None
    if pct <= -100 or form.last_purchase_usd <= 0:
        return None
    try:
        price = price_from_markup(form.last_purchase_usd, pct, currency, form.rate)
    except (money.MoneyError, ArithmeticError):  # no rate for a franc price, or a figure out of range
        return None
    return f"{money.q2(price):f}"


def _current(value: Decimal | None) -> str:
    return money.format_amount(value) if value is not None else pgettext("no price", "none")


class PriceSingleScreen(MasterScreen):
    """One item's retail and wholesale price at a location, in a currency."""

    DOCUMENT_TITLE = N_("Price Update (Single)")
    ENTITY, NOUN, KEY = "price", N_("Price"), "id"
    TOGGLE = False
    LIST_STATUSES = False
    IMPORT_KIND = "prices"
    FIELDS = (
        F("location", N_("Location"), "ref", required=True, lookup="location", default="@location"),
        F("currency", N_("Currency"), "choice", required=True, choices=CURRENCIES, default="USD"),
        F("item", N_("Item"), "ref", required=True, lookup="item", hint="item_name"),
        F("effective_from", N_("Effective"), "date", default="@today"),
        F("unit", N_("Unit"), "auto", send=False),
        F("last_purchase", N_("Last cost $"), "auto", send=False),
        F("current_retail", N_("Cur. retail"), "auto", send=False),
        F("current_wholesale", N_("Cur. whole."), "auto", send=False),
        F("retail_pct", N_("Retail %"), "markup"),
        F("retail_price", N_("Retail price"), "money", required=True),
        F("wholesale_pct", N_("Wholesale %"), "markup"),
        F("wholesale_price", N_("Whole. price"), "money", required=True),
    )
    HINT = N_("Type a markup % to compute the price from the last cost, or type the price directly.")
    LIST_TITLE = N_("Prices (newest effective date first)")
    LIST_SEARCH = N_("item code or name, update no")
    LIST_COLUMNS = (ListColumn(N_("Effective"), "effective_from", 10), ListColumn(N_("Loc"), "location", 5),
                    ListColumn(N_("Item"), "item", 9), ListColumn(N_("Name"), "item_name", 17), ListColumn(N_("Ccy"), "currency", 4),
                    ListColumn(N_("Retail"), "retail_price", 11, ">"), ListColumn(N_("Wholesale"), "wholesale_price", 11, ">"))

    def __init__(self) -> None:
        super().__init__()
        self.form: PriceForm | None = None

    # -- the price form (unit, last cost, current prices) ----------------------------

    def on_input_changed(self, event: Any) -> None:
        name = getattr(event.input, "field_name", None)
        if name in ("location", "item", "effective_from") and event.input.id == f"mf-{name}":
            self.form = None
            self.set_timer(0.15, self.load_form)
        elif name in ("retail_pct", "wholesale_pct") and event.input.has_focus:
            self.apply_markup(name.removesuffix("_pct"))

    def on_choice(self, widget: Any, value: str) -> None:
        if widget.field_name == "currency":
            self.form = None
            self.load_form()

    def on_picked(self, widget: RefInput, row: LookupRow) -> None:
        self.load_form()

    def load_form(self) -> None:
        location = self.widget("location").value.strip()  # type: ignore[attr-defined]
        item = self.widget("item").value.strip()  # type: ignore[attr-defined]
        currency = self.value("currency")
        on = self.widget("effective_from").date_value  # type: ignore[attr-defined]
        if not location or not item:
            self._show_form(None)
            return
        run_preview(self, lambda: self.services.masters.price_form(location=location, item=item, currency=currency,
                                                                   on=on),
                    self._show_form, lambda exc: self._show_form(None), group="price-form")

    def _show_form(self, form: PriceForm | None) -> None:
        self.form = form
        self.set_value("unit", form.unit if form else "")
        self.set_value("last_purchase", money.format_amount(form.last_purchase_usd) if form else "")
        self.set_value("current_retail", _current(form.current.retail) if form else "")
        self.set_value("current_wholesale", _current(form.current.wholesale) if form else "")
        if form is not None:
            self.set_hint("item", form.item_name)
            for kind in ("retail", "wholesale"):
                if self.widget(f"{kind}_pct").value.strip():  # type: ignore[attr-defined]
                    self.apply_markup(kind)

    def apply_markup(self, kind: str) -> None:
        price = markup_price(self.form, self.value("currency"), self.widget(f"{kind}_pct").value)  # type: ignore[attr-defined]
        if price is not None:
            self.widget(f"{kind}_price").value = price  # type: ignore[attr-defined]

    # -- services --------------------------------------------------------------------

    def svc_list(self, s: Services, q: MasterQuery) -> Page[PriceRow]:
        return s.masters.list_prices(search=q.search, limit=q.limit, offset=q.offset)

    def svc_get(self, s: Services, key: str) -> PriceRow:
        raise NotImplementedError  # rows are opened from the list itself

    def svc_create(self, s: Services, actor: Actor, v: dict) -> PriceRow:
        return s.masters.update_price(actor, **v)

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> PriceRow:
        return s.masters.update_price(actor, **v)

    def history_key(self, info: PriceRow) -> int:
        return info.id

    def record_title(self, info: PriceRow) -> str:
        return _("{item} {location} {currency} from {date}").format(
            item=info.item, location=info.location, currency=info.currency, date=i18n.format_date(info.effective_from))

    def _listed(self, result: Any) -> None:
        if result is not None:
            self.call_later_holding(self._opened, result[1])

    def info_values(self, info: PriceRow) -> dict[str, Any]:
        return {"location": info.location, "item": info.item, "currency": info.currency,
                "effective_from": info.effective_from, "retail_price": info.retail_price,
                "wholesale_price": info.wholesale_price, "retail_pct": "", "wholesale_pct": ""}

    def after_show(self, info: PriceRow) -> None:
        self.set_hint("item", info.item_name)
        self.load_form()

    def saved_message(self, info: PriceRow, created: bool) -> str:
        later = info.effective_from > (self.app.business_date or info.effective_from)  # type: ignore[attr-defined]
        text = (_("Price of {item} at {location} {currency} from {date}: retail {retail}, wholesale {wholesale}")
                if later else
                _("Price of {item} at {location} {currency} on {date}: retail {retail}, wholesale {wholesale}"))
        text = text.format(item=info.item, location=info.location, currency=info.currency,
                           date=i18n.format_date(info.effective_from), retail=money.format_amount(info.retail_price),
                           wholesale=money.format_amount(info.wholesale_price))
        return text + (" " + _("(replaced)") if info.replaced else "")

    def after_clear(self) -> None:
        self.form = None
        self.load_form()


# ================================================================ multiple


GRID_COLUMNS = (
    GridCol("item", N_("Item*"), "ref", 9, lookup="item"),
    GridCol("cost", N_("Cost $"), "auto", 7, align=">"),
    GridCol("current_retail", N_("Cur.Ret"), "auto", 8, align=">"),
    GridCol("retail_pct", N_("Ret %"), "markup", 6),
    GridCol("retail_price", N_("Retail*"), "money", 9),
    GridCol("current_wholesale", N_("Cur.Whl"), "auto", 8, align=">"),
    GridCol("wholesale_pct", N_("Whl %"), "markup", 6),
    GridCol("wholesale_price", N_("Whole.*"), "money", 9),
)


class _UpdateRow:
    def __init__(self, update_no: str, effective_from: dt.date, count: int) -> None:
        self.update_no = update_no
        self.effective_from = effective_from
        self.count = count
        self.inactive = False


class PriceMultipleScreen(MasterScreen):
    """Prices of many items in one document with one number and one effective date."""

    DOCUMENT_TITLE = N_("Price Update (Multiple Items)")
    ENTITY, NOUN, KEY = "price_update", N_("Price update"), "update_no"
    SAVE_ONCE = N_("Price update {key} is saved; Ctrl+N for a new one")
    TOGGLE = False
    LIST_STATUSES = False
    SUPPORTS = frozenset({"new", "save", "list", "history", "delete_row"})
    FIELDS = (
        F("location", N_("Location"), "ref", required=True, lookup="location", default="@location"),
        F("update_no", N_("Update no"), "auto", send=False, default=N_("(given on save)")),
        F("effective_from", N_("Effective"), "date", required=True, default="@today"),
        F("currency", N_("Currency"), "choice", required=True, choices=CURRENCIES, default="USD"),
    )
    GRIDS = (GridSpec("rows", N_("Items"), GRID_COLUMNS, hint=N_("F2 finds an item · F8 deletes a row")),)
    LIST_TITLE = N_("Price updates")
    LIST_COLUMNS = (ListColumn(N_("Update no"), "update_no", 16), ListColumn(N_("Effective"), "effective_from", 12),
                    ListColumn(N_("Items"), "count", 6, ">"))

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[int, PriceForm] = {}  # id(GridRow) → PriceForm

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="price-row-detail", classes="mf-hint", markup=False)

    # -- grid rows: price forms and live markups -----------------------------------------

    def on_entry_grid_changed(self, event: EntryGrid.Changed) -> None:
        row = event.grid.rows[event.row]
        if event.column == "item":
            self.forms.pop(id(row), None)
            self.set_timer(0.15, lambda: self.load_row(row))
        elif event.column in ("retail_pct", "wholesale_pct"):
            cell = row.cells[event.column]
            if cell.has_focus:
                self.apply_markup(row, event.column.removesuffix("_pct"))

    def on_descendant_focus(self, event: Any) -> None:
        super().on_descendant_focus(event)
        self.show_row_detail()

    def on_choice(self, widget: Any, value: str) -> None:
        if widget.field_name == "currency":
            self.reload_rows()

    def reload_rows(self) -> None:
        self.forms.clear()
        for row in self.grid("rows").rows:
            self.load_row(row)

    def load_row(self, row: GridRow) -> None:
        if not row.is_mounted:
            return
        item = row.cells["item"].value.strip()  # type: ignore[attr-defined]
        location = self.widget("location").value.strip()  # type: ignore[attr-defined]
        currency = self.value("currency")
        on = self.widget("effective_from").date_value  # type: ignore[attr-defined]
        if not item or not location:
            self._fill_row(row, None)
            return
        run_preview(self, lambda: self.services.masters.price_form(location=location, item=item, currency=currency,
                                                                   on=on),
                    lambda form: self._fill_row(row, form), lambda exc: self._fill_row(row, None, exc),
                    group=f"price-row-{id(row)}")

    def _fill_row(self, row: GridRow, form: PriceForm | None, error: BaseException | None = None) -> None:
        if not row.is_mounted:
            return
        if form is None:
            self.forms.pop(id(row), None)
        else:
            self.forms[id(row)] = form
        row.cells["cost"].set(money.format_amount(form.last_purchase_usd) if form else "")  # type: ignore[attr-defined]
        row.cells["current_retail"].set(_current(form.current.retail) if form else "")  # type: ignore[attr-defined]
        row.cells["current_wholesale"].set(_current(form.current.wholesale) if form else "")  # type: ignore[attr-defined]
        if form is not None:
            for kind in ("retail", "wholesale"):
                if row.cells[f"{kind}_pct"].value.strip():  # type: ignore[attr-defined]
                    self.apply_markup(row, kind)
        self.show_row_detail()

    def apply_markup(self, row: GridRow, kind: str) -> None:
        price = markup_price(self.forms.get(id(row)), self.value("currency"),
                             row.cells[f"{kind}_pct"].value)  # type: ignore[attr-defined]
        if price is not None:
            row.cells[f"{kind}_price"].value = price  # type: ignore[attr-defined]

    def show_row_detail(self) -> None:
        grid = self.grid("rows")
        row = grid.row_of(self.focused)
        text = ""
        if row is not None:
            form = self.forms.get(id(row))
            if form is not None:
                text = f"{form.item} {form.item_name} · unit {form.unit} · last cost {form.last_purchase_usd} USD"
                if form.current.effective_from:
                    text += f" · current prices since {form.current.effective_from}"
        try:
            self.query_one("#price-row-detail", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))
        except Exception:
            pass

    # -- services ------------------------------------------------------------------------

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def svc_create(self, s: Services, actor: Actor, v: dict) -> PriceUpdateResult:
        return s.masters.update_prices(actor, location=v["location"], currency=v["currency"],
                                       effective_from=v["effective_from"], rows=v["rows"])

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> PriceUpdateResult:
        return self.svc_create(s, actor, v)

    def svc_list(self, s: Services, q: MasterQuery) -> _Rows:
        from shopterm.screens.masters.org import _matches, _Rows

        location = self.widget("location").value.strip() or None  # type: ignore[attr-defined]
        rows = [_UpdateRow(*r) for r in s.masters.price_updates(location=location, limit=1000)
                if _matches(q, r[0], r[1].isoformat())]
        return _Rows(rows, q)

    def svc_history(self, s: Services, key: str) -> list[HistoryRow]:
        return s.masters.price_update_history(key)

    def svc_get(self, s: Services, key: str) -> Page[PriceRow]:
        page = s.masters.list_prices(update_no=key, limit=1000)
        return page

    def info_key(self, info: Any) -> str:
        if hasattr(info, "update_no") and isinstance(info.update_no, str) and not hasattr(info, "total"):
            return info.update_no
        rows = getattr(info, "rows", ())
        return rows[0].update_no if rows else ""

    def info_values(self, info: Any) -> dict[str, Any]:
        rows = getattr(info, "rows", ())
        values: dict[str, Any] = {"update_no": self.info_key(info)}
        if rows:
            first = rows[0]
            values.update(location=first.location, currency=first.currency, effective_from=first.effective_from)
        return values

    def grid_rows(self, info: Any) -> dict[str, list[dict[str, Any]]]:
        return {"rows": [{"item": r.item, "retail_price": r.retail_price, "wholesale_price": r.wholesale_price}
                         for r in getattr(info, "rows", ())]}

    def after_show(self, info: Any) -> None:
        self.call_after_refresh(self.reload_rows)

    def saved_message(self, info: PriceUpdateResult, created: bool) -> str:
        return _("Price update {number}: {count} item(s) from {date} ({new} new, {replaced} replaced)").format(
            number=info.update_no, count=len(info.rows),
            date=i18n.format_date(info.rows[0].effective_from) if info.rows else "", new=info.created,
            replaced=info.updated)

    def after_clear(self) -> None:
        self.forms.clear()
        self.show_row_detail()

