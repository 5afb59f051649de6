"""Stock Receipt (the GRN the seeds assume, DESIGN §6): stock enters a location by batch.

Header: location, date, supplier, narration. Lines: item, batch, supplier batch
no, manufacturing date, expiry, quantity, unit cost USD. Ctrl+S posts it with
``services.stock.receive`` (a numbered GR document: Dr inventory / Cr head
office); new batches are created, the item's last purchase cost is updated.
Posted is final. Ctrl+O imports a stock CSV (one receipt per location and
supplier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from shopterm.screens.base.counter import run_preview
from shopterm.screens.masters.base import F, GridSpec, MasterScreen
from shopterm.screens.masters.grid import EntryGrid, GridCol
from shopterm.widgets.master_list import ListColumn, MasterQuery
from shopterm.core import i18n
from shopterm.core.i18n import N_, _

if TYPE_CHECKING:
    from shopterm.screens.masters.org import _Rows
    from shopterm.services import LookupRow, Services
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services.context import Actor
    from shopterm.services.documents.views import DocumentView

__all__ = ["StockReceiptScreen"]

LINE_COLUMNS = (
    GridCol("item", N_("Item*"), "ref", 9, lookup="item"),
    GridCol("batch", N_("Batch*"), "code", 8),
    GridCol("supplier_batch", N_("Supp.no"), "text", 8),
    GridCol("mfg_date", N_("Mfg"), "date", 11),
    GridCol("expiry", N_("Expiry"), "date", 11),
    GridCol("qty", N_("Qty*"), "qty", 7),
    GridCol("cost_usd", N_("Cost $*"), "money", 8),
)


class StockReceiptScreen(MasterScreen):
    """Receive stock (module docstring)."""

    DOCUMENT_TITLE = N_("Stock Receipt")
    ENTITY, NOUN, KEY = "document", N_("Stock receipt"), "number"
    TOGGLE = False
    IMPORT_KIND = "stock"
    RECORD_STATE = N_("Posted")
    SAVE_ONCE = N_("Stock receipt {key} is posted (final); Ctrl+N for a new one")
    SUPPORTS = frozenset({"new", "save", "list", "history", "delete_row"})
    LIST_TITLE = N_("Stock receipts")
    LIST_STATUSES = False
    LIST_SEARCH = N_("number or narration")
    LIST_COLUMNS = (ListColumn(N_("Receipt no"), "number", 16), ListColumn(N_("Date"), "date", 12),
                    ListColumn(N_("Loc"), "location", 5), ListColumn(N_("Cost $"), "net_usd", 12, ">"),
                    ListColumn(N_("Narration"), "narration", 28))
    FIELDS = (
        F("location", N_("Location"), "ref", required=True, lookup="location", default="@location"),
        F("date", N_("Date"), "date", required=True, default="@today"),
        F("supplier", N_("Supplier"), "ref", lookup="supplier", hint="supplier_name"),
        F("number", N_("Receipt no"), "auto", send=False, default=N_("(given on save)")),
        F("narration", N_("Narration"), wide=True, max_length=500),
    )
    GRIDS = (GridSpec("lines", N_("Lines"), LINE_COLUMNS, hint=N_("F2 finds an item · F8 deletes a line")),)

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="receipt-line-detail", classes="mf-hint", markup=False)

    def on_entry_grid_changed(self, event: EntryGrid.Changed) -> None:
        if event.column == "item":
            code = event.grid.rows[event.row].cells["item"].value.strip().upper()  # type: ignore[attr-defined]
            if code and code not in self.names:
                run_preview(self, lambda: self.services.lookup("item", code, limit=5), self._named,
                            group="receipt-item-name")
            self.show_line_detail()

    def _named(self, rows: list[LookupRow]) -> None:
        for row in rows:
            self.names.setdefault(str(row.code).upper(), f"{row.name} ({row.detail})" if row.detail else row.name)
        self.show_line_detail()

    def on_descendant_focus(self, event: Any) -> None:
        super().on_descendant_focus(event)
        self.show_line_detail()

    def on_picked(self, widget: Any, row: LookupRow) -> None:
        self.names[str(row.code).upper()] = f"{row.name} ({row.detail})" if getattr(row, "detail", "") else row.name
        self.show_line_detail()

    def show_line_detail(self) -> None:
        grid = self.grid("lines")
        row = grid.row_of(self.focused)
        text = ""
        if row is not None:
            code = row.cells["item"].value.strip().upper()  # type: ignore[attr-defined]
            text = f"{code} {self.names.get(code, '')}".strip() if code else ""
        try:
            self.query_one("#receipt-line-detail", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))
        except Exception:
            pass

    # -- services ----------------------------------------------------------------------

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        lines = []
        for r in values.pop("lines", []):
            lines.append({k: v for k, v in r.items() if v not in ("", None)})
        values["lines"] = lines
        return values

    def svc_create(self, s: Services, actor: Actor, v: dict) -> DocumentView:
        result = s.stock.receive(actor, location=v["location"], date=v["date"] or None,
                                 supplier=v["supplier"] or None, lines=v["lines"], narration=v["narration"])
        return s.sales.document(result.document_id)

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> Any:  # pragma: no cover - posted is final
        raise NotImplementedError

    def svc_list(self, s: Services, q: MasterQuery) -> _Rows:
        from shopterm.screens.masters.org import _matches, _Rows

        rows = [r for r in s.sales.list_documents("GR", limit=500) if _matches(q, r.number, r.narration)]
        return _Rows(rows, q)

    def grid_rows(self, info: DocumentView) -> dict[str, list[dict[str, Any]]]:
        return {"lines": [{"item": l.item, "batch": l.batch, "expiry": l.batch_expiry, "qty": l.qty,
                           "cost_usd": l.unit_cost_usd} for l in getattr(info, "lines", ())]}

    def svc_get(self, s: Services, key: str) -> DocumentView:
        return s.sales.document(key)

    def svc_history(self, s: Services, key: Any) -> list[HistoryRow]:
        return s.sales.history(key)

    def history_key(self, info: DocumentView) -> int:
        return info.id

    def info_values(self, info: DocumentView) -> dict[str, Any]:
        return {"number": info.number, "location": info.location, "date": info.date}

    def after_show(self, info: DocumentView) -> None:
        for widget in self.query("Input"):
            widget.disabled = True

    def saved_message(self, info: DocumentView, created: bool) -> str:
        return _("Stock receipt {number} posted: {count} line(s), {amount} USD").format(
            number=info.number, count=len(info.lines), amount=i18n.localize_number(f"{info.totals.net_usd}"))

    async def clear_form(self) -> None:
        for widget in self.query("Input"):
            widget.disabled = False
        await super().clear_form()
