"""The master-screen framework: each master is mostly a field list.

A master screen subclasses :class:`MasterScreen`, declares its fields with
:class:`F` (and its row tables with :class:`GridSpec`), its list columns, and
the few service calls it needs::

    class SupplierScreen(MasterScreen):
        DOCUMENT_TITLE = "Supplier"
        ENTITY, NOUN = "supplier", "Supplier"
        FIELDS = (F("code", "Code", "code", required=True, key=True),
                  F("name", "Name", required=True, wide=True),
                  F("inactive", "Status", "auto"))
        LIST_COLUMNS = (ListColumn("Code", "code", 10), ListColumn("Name", "name", 40), STATUS_COLUMN)

        # the service calls are named by ENTITY (SERVICE where it differs):
        # s.masters.list_suppliers, get_supplier, create_supplier, update_supplier

(:class:`CodeNameScreen` is exactly that for any code + name master.) A master
whose service speaks otherwise overrides the ``svc_*`` hooks instead.

What every master screen then does (DESIGN §12; seed toolbar New, Save,
Search, List View, View History, CSV Import):

* Ctrl+N new (a blank form with the defaults), Ctrl+S save (create or
  update), F3 list (:class:`~shopterm.widgets.master_list.MasterListDialog`:
  type to search, F7 status, F8 sort, paged; Enter opens the record in the
  form), F4 history (the audit log of the record), F7 deactivate / reactivate
  (records are never deleted), Ctrl+O CSV import where the seed has it, F2 on
  a reference field looks it up, Esc back (warns once about unsaved typing).
* Required fields are marked ``*``; ``auto`` fields are read-only; the key
  (code) can be typed only for a new record.
* The form scrolls when it is longer than the screen, two fields a line where
  they fit (80 columns).
* A service error is shown in the message bar and the field it names is
  focused (a grid row named ``row N`` too); nothing typed is lost.

All service calls run in worker threads (``svc_*`` methods receive the
services object); the screen never computes or writes anything itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.screens.base.counter import AutoValue, ChoiceField
from shopterm.screens.masters.grid import EntryGrid, GridCol, row_number_in, sent_text
from shopterm.screens.base.document import DocumentScreen
from shopterm.widgets.dialogs import titled_box
from shopterm.widgets.inputs import (
    CodeInput, DateInput, MoneyInput, PercentInput, QtyInput, RateInput, ShopInput,
)
from shopterm.widgets.master_list import ListColumn, MasterListDialog, MasterQuery
from shopterm.widgets.messages import RowPicked, describe_error, is_error

if TYPE_CHECKING:
    from pathlib import Path

    from shopterm.services import LookupRow, Services
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services.context import Actor

__all__ = [
    "CodeNameScreen", "ConfirmDialog", "F", "GridSpec", "IntInput", "LANGUAGES", "MarkupInput", "MasterScreen", "RefInput", "SHOP_LANGUAGES", "STATUS_COLUMN",
    "TextField", "YES_NO", "fmt", "lookup_rows",
]

YES_NO: tuple[tuple[str, str], ...] = (("no", N_("No")), ("yes", N_("Yes")))
#: The languages there is a catalogue for, each named in itself (a shop's language).
SHOP_LANGUAGES: tuple[tuple[str, str], ...] = tuple((code, i18n.language_name(code)) for code in i18n.available())
#: A user's or a customer's language: "" is the shop's (Shop Setup).
LANGUAGES: tuple[tuple[str, str], ...] = (("", N_("Shop's")), *SHOP_LANGUAGES)
STATUS_COLUMN = ListColumn(N_("Status"), lambda r: _("inactive") if getattr(r, "inactive", False) else _("active"), 8)


# ---------------------------------------------------------------- field specs


@dataclass(frozen=True)
class F:
    """One form field.

    kind: text | code | ref | money | qty | percent | markup | rate | int | date
        | flag | choice | auto | pin.
    required: marked ``*`` (the service enforces it and names the field).
    key: the record's key: typed for a new record only, never sent on update.
    lookup: the F2 lookup of a ``ref`` (a ``services.lookup`` kind, or
        ``loyalty_card``).
    hint: an attribute of the record shown beside a reference (its name).
    wide: the field takes a whole line.
    default: the value of a new record (``"@location"``: the user's location,
        ``"@today"``: the business date).
    send: False for values shown but not saved.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    key: bool = False
    lookup: str | None = None
    hint: str | None = None
    wide: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    placeholder: str = ""
    send: bool = True
    max_length: int = 0
    hot: str = ""  # a choice's hot letters, one per choice (default: the labels' first letters)

    @property
    def shown_label(self) -> str:
        label = _(self.label)
        return f"{label}*" if self.required else label


@dataclass(frozen=True)
class GridSpec:
    """A row table of the form (customer locations, slab ranges…); ``fixed``: one row per label."""

    name: str
    label: str
    columns: tuple[GridCol, ...]
    fixed: tuple[str, ...] | None = None
    fixed_label: str = ""
    fixed_width: int = 10
    hint: str = ""


# ---------------------------------------------------------------- inputs


class TextField(Input):
    """Plain text with the service-side ``field_name`` (errors focus it)."""

    def __init__(self, value: str = "", *, field_name: str, label: str, **kwargs: Any) -> None:
        self.field_name = field_name
        self.label = label
        super().__init__(value, **kwargs)


class IntInput(ShopInput):
    """A whole number, not negative."""

    DEFAULT_KIND = "number"

    def _parse(self, text: str) -> int:
        value = money.read_typed(text, field=self.label)  # "1 000" and "1,000,000" group; "1,5" is refused below
        if value < 0 or value != value.to_integral_value() or value > money.MAX_QTY:
            raise money.MoneyError(_("{field}: {text!r} is not a whole number").format(field=self.label, text=text))
        return int(value)


class MarkupInput(ShopInput):
    """A markup percentage: may exceed 100, not -100 or below, at most 4 decimals."""

    DEFAULT_KIND = "percent"

    def _parse(self, text: str) -> Decimal:
        value = money.to_decimal(text.removesuffix("%").strip(), field=self.label)
        if value <= -100:
            raise money.MoneyError(_("{field}: a markup must be above -100 % ({text})").format(field=self.label, text=text))
        if value != value.quantize(Decimal("0.0001")):
            raise money.MoneyError(_("{field}: at most 4 decimal places ({text})").format(field=self.label, text=text))
        return value

    @property
    def decimal_value(self) -> Decimal | None:
        return self.parsed_value


def lookup_rows(services: Services, kind: str, query: str) -> list[LookupRow]:
    """Rows for an F2 lookup (in a worker thread): ``services.lookup`` plus loyalty cards and users."""
    if kind == "loyalty_card":
        from shopterm.services import LookupRow

        cards = services.masters.list_loyalty_cards(search=query)
        return [LookupRow(c.name, c.name, _("{value} USD/pt").format(value=money.format_rate(c.value_per_point_usd)))
                for c in cards]
    return services.lookup(kind, query, limit=50)


class RefInput(Input):
    """A reference to another master (code, or name for groups and loyalty cards); F2 looks it up.

    Posts :class:`RefInput.Picked` with the chosen row, so the screen can show its name.
    """

    BINDINGS = [Binding("f2", "lookup", N_("Find"), id="ref.lookup", key_display="F2")]

    class Picked(RowPicked["RefInput"]):
        """A row was chosen in the lookup dialog; the field already holds its code."""

    def __init__(self, value: str = "", *, field_name: str, label: str, lookup: str | None,
                 **kwargs: Any) -> None:
        self.field_name = field_name
        self.label = label
        self.lookup_kind = lookup
        kwargs.setdefault("max_length", 60)
        super().__init__(value, **kwargs)

    @property
    def can_lookup(self) -> bool:
        return self.lookup_kind is not None

    def action_lookup(self) -> None:
        if not self.can_lookup:
            return
        from shopterm.widgets.lookup import LookupDialog

        kind = self.lookup_kind
        app = self.app

        def search(query: str) -> list:
            return lookup_rows(app.services, kind, query)  # type: ignore[attr-defined]

        def picked(row: LookupRow | None) -> None:
            self.focus()
            if row is None:
                return
            self.value = str(row.code)
            self.cursor_position = len(self.value)
            self.post_message(self.Picked(self, row))

        what = _(self.label).lower().rstrip('*')
        app.push_screen(LookupDialog(_("Find {what}").format(what=what), search, initial=self.value.strip()),
                        picked)


# ---------------------------------------------------------------- values


def fmt(kind: str, value: Any) -> str:
    """A stored value as the text of its field."""
    if value is None:
        return ""
    if kind == "flag":
        return "yes" if value is True or str(value).lower() in ("yes", "true", "1") else "no"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if kind == "money":  # as typed, in the reader's decimal mark: 2500.50 / 2500,50
            return money.format_amount(money.q2(value)).replace(i18n.group_mark(), "")
        if kind in ("qty",):  # the group mark goes, never the decimal comma (2,5 stays 2,5)
            return money.format_qty(value).replace(i18n.group_mark(), "")
        return money.format_rate(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return i18n.format_date(value) if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else \
            i18n.format_datetime(value.astimezone())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def make_input(kind: str, *, name: str, label: str, id: str | None = None, lookup: str | None = None,
               choices: Sequence[tuple[str, str]] = (), placeholder: str = "", max_length: int = 0,
               classes: str = "", hot: str = "") -> Widget:
    """The widget of a field (or grid cell) of ``kind``."""
    common = dict(id=id, classes=classes or None)
    if kind == "auto":
        return AutoValue("", id=id, classes=f"mf-auto {classes}".strip())
    if kind in ("flag", "choice"):
        options = tuple((value, _(text)) for value, text in (YES_NO if kind == "flag" else choices))
        return ChoiceField(options, field_name=name, id=id, classes=f"mf-choice {classes}".strip(),
                           hot=list(hot) if hot else None)
    typed: dict[str, type[ShopInput]] = {
        "money": MoneyInput, "qty": QtyInput, "percent": PercentInput, "rate": RateInput, "date": DateInput,
        "int": IntInput, "markup": MarkupInput,
    }
    if kind in typed:
        return typed[kind](field_name=name, label=label, placeholder=placeholder, **common)
    if kind == "code":
        return CodeInput(field_name=name, label=label, placeholder=placeholder, max_length=max_length or 30, **common)
    if kind == "ref":
        return RefInput(field_name=name, label=label, lookup=lookup, placeholder=placeholder or (_("F2 find") if lookup else ""),
                        **common)
    if kind == "pin":
        return TextField(field_name=name, label=label, password=True, placeholder=placeholder, max_length=12, **common)
    return TextField(field_name=name, label=label, placeholder=placeholder, max_length=max_length or 200, **common)


def read_widget(kind: str, widget: Widget) -> Any:
    """What a field sends to the service: text as typed (the service parses it), a flag as bool."""
    if kind == "flag":
        return getattr(widget, "value", "no") == "yes"
    if kind == "choice":
        return getattr(widget, "value", "")
    if isinstance(widget, Input):
        return sent_text(widget)
    return None


def set_widget(kind: str, widget: Widget, value: Any) -> None:
    text = fmt(kind, value)
    if isinstance(widget, Input):
        widget.value = text
        if isinstance(widget, ShopInput) and widget.error is not None:
            widget.validate(widget.value)
        widget.remove_class("-error")
    elif kind in ("flag", "choice"):
        values = [v for v, _label in getattr(widget, "options", ())]
        if text or kind == "flag":
            widget.value = text or "no"  # type: ignore[attr-defined]
        elif "" in values:  # a blank choice ("the shop's", "any") is a value of its own
            widget.value = ""  # type: ignore[attr-defined]
    elif isinstance(widget, AutoValue):
        widget.set(text)


# ---------------------------------------------------------------- dialogs


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: Y confirms, N or Esc goes back (nothing hangs on colour)."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, title: str, message: str, *, yes: str = N_("Y yes"), no: str = N_("N / Esc no")) -> None:
        super().__init__()
        self.title_text = _(title)
        self.message = message
        self.yes_text = _(yes)
        self.no_text = _(no)

    def compose(self) -> ComposeResult:
        with titled_box(self.title_text, f"{self.yes_text} · {self.no_text}", id="confirm-box"):
            with VerticalScroll(id="confirm-scroll"):
                yield Static(self.message, id="confirm-message", markup=False)
            yield Static(f"{self.yes_text}    {self.no_text}", id="confirm-keys", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# ---------------------------------------------------------------- the screen


class MasterScreen(DocumentScreen):
    """A master's entry form with its F3 list (module docstring)."""

    SUPPORTS = frozenset({"new", "save", "list", "history"})

    ENTITY: ClassVar[str] = ""  # the masters entity (deactivate, history)
    KEY: ClassVar[str] = "code"
    NOUN: ClassVar[str] = N_("Record")
    FIELDS: ClassVar[tuple[F, ...]] = ()
    GRIDS: ClassVar[tuple[GridSpec, ...]] = ()
    LIST_TITLE: ClassVar[str] = ""
    LIST_COLUMNS: ClassVar[tuple[ListColumn, ...]] = ()
    LIST_SORTS: ClassVar[tuple[tuple[str, str], ...]] = ()
    LIST_STATUSES: ClassVar[bool] = True
    LIST_EXTRA: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    LIST_SEARCH: ClassVar[str] = N_("code or name")  # what the list's search box searches
    TOGGLE: ClassVar[bool] = True  # F7 deactivate / reactivate
    IMPORT_KIND: ClassVar[str | None] = None  # Ctrl+O CSV import
    EXPORT_KIND: ClassVar[str | None] = None  # Ctrl+T export (CSV that re-imports, and XLSX) to the print folder
    AUTO_CODE: ClassVar[bool] = False  # F6: the seed's "…" button
    HAS_DETAILS: ClassVar[bool] = False  # F5
    HINT: ClassVar[str] = ""  # a line under the form
    RECORD_STATE: ClassVar[str] = N_("Saved")  # the title line's state of a record shown
    #: A document saved once (posted is final): Ctrl+S is greyed on it and says this ({key}).
    SAVE_ONCE: ClassVar[str | None] = None
    #: The masters service's calls of this record: ``list_<PLURAL>`` (search, status, paging),
    #: ``get_<SERVICE>(key)``, ``create_<SERVICE>(actor, **values)``,
    #: ``update_<SERVICE>(actor, key, **values)``; SERVICE defaults to ENTITY, PLURAL to SERVICE + "s".
    SERVICE: ClassVar[str] = ""
    PLURAL: ClassVar[str] = ""

    BINDINGS = [
        Binding("f5", "details", N_("Details"), id="master.details", key_display="F5"),
        Binding("f6", "auto_code", N_("Code"), id="master.auto_code", key_display="F6"),
        Binding("f7", "deactivate", N_("Deact"), id="master.deactivate", key_display="F7"),
        Binding("f7", "reactivate", N_("React"), id="master.reactivate", key_display="F7"),
        Binding("ctrl+o", "import_csv", N_("CSV"), id="master.import", key_display="^O"),
        Binding("ctrl+t", "export", N_("Export"), id="master.export", key_display="^T"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.key: str | None = None  # the record shown (None: a new one)
        self.info: Any = None
        self.inactive = False
        self._confirm: str | None = None
        self.loaded = 0  # counts records shown (tests wait on it)
        self.saved = 0  # counts saves
        self.opened_key: str | None = None  # the record last opened from the list, once focused

    # -- layout ------------------------------------------------------------------

    def compose_document(self) -> ComposeResult:
        with VerticalScroll(id="mf-scroll", classes="mf-scroll"):
            yield from self.compose_form()

    def compose_form(self) -> ComposeResult:
        yield from self.compose_fields(self.FIELDS)
        for spec in self.GRIDS:
            yield from self.compose_grid(spec)
        yield from self.compose_extra()
        if self.HINT:
            yield Static(self.hint_text(), classes="mf-hint", markup=False)

    def hint_text(self) -> str:
        """The line under the form, in the reader's language (``HINT`` may be a tuple of sentences)."""
        hint = self.HINT
        return " ".join(_(part) for part in hint) if isinstance(hint, tuple) else _(hint)

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def compose_fields(self, fields: Sequence[F]) -> ComposeResult:
        pending: list[F] = []
        for spec in fields:
            if spec.wide:
                if pending:
                    yield self._row(pending)
                    pending = []
                yield self._row([spec], wide=True)
                continue
            pending.append(spec)
            if len(pending) == 2:
                yield self._row(pending)
                pending = []
        if pending:
            yield self._row(pending)

    def _row(self, specs: Sequence[F], *, wide: bool = False) -> Horizontal:
        cells = [self._cell(spec, wide=wide) for spec in specs]
        return Horizontal(*cells, classes="mf-row")

    def _cell(self, spec: F, *, wide: bool) -> Horizontal:
        widget = make_input(spec.kind, name=spec.name, label=_(spec.label), id=f"mf-{spec.name}", lookup=spec.lookup,
                            choices=spec.choices, placeholder=_(spec.placeholder), max_length=spec.max_length,
                            classes="mf-ref" if spec.hint else "", hot=spec.hot)
        parts: list[Widget] = [Label(spec.shown_label, classes="mf-label"), widget]
        if spec.hint:
            parts.append(AutoValue("", id=f"mf-{spec.name}-hint", classes="mf-hint-value"))
        return Horizontal(*parts, classes="mf-cell mf-wide" if wide else "mf-cell")

    def compose_grid(self, spec: GridSpec) -> ComposeResult:
        title = Static(_(spec.label) + (f"  ({_(spec.hint)})" if spec.hint else ""), classes="mf-grid-title",
                       markup=False)
        yield title
        yield EntryGrid(spec.columns, field_name=spec.name, label=spec.label, fixed=spec.fixed,
                        fixed_label=spec.fixed_label, fixed_width=spec.fixed_width, id=f"mf-grid-{spec.name}",
                        cell_factory=self._grid_cell)

    def _grid_cell(self, col: GridCol, grid: EntryGrid) -> Widget:
        return make_input(col.kind, name=grid.field_name, label=_(col.label).rstrip('*'), lookup=col.lookup,
                          choices=col.choices)

    # -- access --------------------------------------------------------------------

    def spec(self, name: str) -> F:
        return next(s for s in self.FIELDS if s.name == name)

    def widget(self, name: str) -> Widget:
        return self.query_one(f"#mf-{name}")

    def grid(self, name: str) -> EntryGrid:
        return self.query_one(f"#mf-grid-{name}", EntryGrid)

    def value(self, name: str) -> Any:
        spec = self.spec(name)
        return read_widget(spec.kind, self.widget(name))

    def set_value(self, name: str, value: Any) -> None:
        set_widget(self.spec(name).kind, self.widget(name), value)

    def set_hint(self, name: str, text: str | None) -> None:
        try:
            self.query_one(f"#mf-{name}-hint", AutoValue).set(text or "")
        except Exception:
            pass

    def read_values(self) -> dict[str, Any]:
        """The form's values as the service takes them (auto fields and, on update, the key left out)."""
        values: dict[str, Any] = {}
        for spec in self.FIELDS:
            if not spec.send or spec.kind == "auto" or (spec.key and self.key is not None):
                continue
            values[spec.name] = read_widget(spec.kind, self.widget(spec.name))
        return values

    # -- the service hooks (worker threads; override) ----------------------------------

    def masters_call(self, s: Services, verb: str, plural: bool = False) -> Callable[..., Any]:
        """``s.masters.<verb>_<SERVICE>`` (``<verb>_<PLURAL>`` for a list), as ``SERVICE`` declares
        (a screen whose service speaks otherwise overrides its ``svc_*`` hooks)."""
        service = self.SERVICE or self.ENTITY
        name = (self.PLURAL or f"{service}s") if plural else service
        return getattr(s.masters, f"{verb}_{name}")

    def svc_list(self, s: Services, q: MasterQuery) -> Any:
        return self.masters_call(s, "list", plural=True)(search=q.search, status=q.status, limit=q.limit,
                                                         offset=q.offset)

    def svc_get(self, s: Services, key: str) -> Any:
        return self.masters_call(s, "get")(key)

    def svc_create(self, s: Services, actor: Actor, values: dict[str, Any]) -> Any:
        return self.masters_call(s, "create")(actor, **values)

    def svc_update(self, s: Services, actor: Actor, key: str, values: dict[str, Any]) -> Any:
        return self.masters_call(s, "update")(actor, key, **values)

    def svc_history(self, s: Services, key: str) -> list[HistoryRow]:
        return s.masters.history(self.ENTITY, key)

    def svc_set_inactive(self, s: Services, actor: Actor, key: str, inactive: bool) -> Any:
        if inactive:
            s.masters.deactivate(actor, self.ENTITY, key)
        else:
            s.masters.reactivate(actor, self.ENTITY, key)
        return self.svc_get(s, key)

    # -- record <-> form (event loop) -------------------------------------------------

    def info_key(self, info: Any) -> str:
        return str(getattr(info, self.KEY))

    def record_title(self, info: Any) -> str:
        """How the record is named in the title line (its key by default)."""
        return self.info_key(info)

    def info_inactive(self, info: Any) -> bool:
        return bool(getattr(info, "inactive", False))

    def info_values(self, info: Any) -> dict[str, Any]:
        """The form values of a record (default: its attributes of the same names)."""
        values = {}
        for spec in self.FIELDS:
            if spec.name == "inactive" and spec.kind == "auto":
                values["inactive"] = _("Inactive (F7 reactivates)") if self.info_inactive(info) else _("Active")
            elif hasattr(info, spec.name):
                values[spec.name] = getattr(info, spec.name)
        return values

    def grid_rows(self, info: Any) -> dict[str, list[dict[str, Any]]]:
        """Rows of each grid for a record (override when the screen has grids)."""
        return {}

    def default_for(self, spec: F) -> Any:
        value = spec.default
        if callable(value):
            return value(self)
        if value == "@location":
            status = getattr(self.app, "last_status", None)
            return getattr(status, "location_code", "") if status is not None else ""
        if value == "@today":
            return getattr(self.app, "business_date", None) or dt.date.today()
        if spec.kind in ("money", "qty", "percent", "rate") and isinstance(value, str) and value:
            return Decimal(value)  # shown the reader's way ("0,00" in French), as a loaded value is
        if spec.kind == "auto" and isinstance(value, str) and value:
            return _(value)  # a shown note ("(given on save)"), in the reader's language
        return value

    async def show_record(self, info: Any) -> None:
        """Put a record in the form (after a load or a save)."""
        self.info = info
        self.key = self.info_key(info)
        self.inactive = self.info_inactive(info)
        values = self.info_values(info)
        for spec in self.FIELDS:
            widget = self.widget(spec.name)
            if spec.name in values:
                value = values[spec.name]
                if value is None and spec.default is not None:
                    value = self.default_for(spec)
                set_widget(spec.kind, widget, value)
            if spec.key:
                widget.disabled = True
        for name, rows in self.grid_rows(info).items():
            await self.grid(name).set_rows(rows, formatter=fmt)
        self.after_show(info)
        self.set_document(self.record_title(info), "Inactive" if self.inactive else self.RECORD_STATE)
        self.mark_clean()
        self._confirm = None
        self.loaded += 1
        self.refresh_bindings()

    def after_show(self, info: Any) -> None:
        """Fill hints (names beside references) once a record is shown."""
        for spec in self.FIELDS:
            if spec.hint:
                self.set_hint(spec.name, getattr(info, spec.hint, None))

    async def clear_form(self) -> None:
        self.info = None
        self.key = None
        self.inactive = False
        for spec in self.FIELDS:
            widget = self.widget(spec.name)
            widget.disabled = False
            set_widget(spec.kind, widget, self.default_for(spec))
            if spec.hint:
                self.set_hint(spec.name, "")
            if isinstance(widget, ShopInput):
                widget.error = None
            widget.remove_class("-error")
        for spec in self.GRIDS:
            await self.grid(spec.name).set_rows(self.new_grid_rows(spec), formatter=fmt)
        self.after_clear()
        self.set_document(None, "New")
        self.mark_clean()
        self._confirm = None
        self.refresh_bindings()

    def new_grid_rows(self, spec: GridSpec) -> list[dict[str, Any]]:
        return []

    def after_clear(self) -> None:
        pass

    def first_field(self) -> Widget | None:
        for spec in self.FIELDS:
            w = self.widget(spec.name)
            if w.focusable:
                return w
        return None

    def on_mount(self) -> None:
        super().on_mount()
        self.hold_keys("start")  # keys typed while the form opens go into its first field
        self.call_after_refresh(self.call_later_holding, self._start_then_release)

    async def _start_then_release(self) -> None:
        try:
            await self._start()
        finally:
            self.release_keys("start")

    async def _start(self) -> None:
        await self.clear_form()
        first = self.first_field()
        if first is not None:
            first.focus()
        self.on_ready()

    def on_ready(self) -> None:
        """After the first blank form is shown (load side data here)."""

    # -- unsaved-changes guard --------------------------------------------------------

    def _guard(self, action: str, what: str) -> bool:
        """True to go ahead; with unsaved typing, the first press only warns."""
        if self.is_dirty() and self._confirm != action:
            self._confirm = action
            self.message_bar.show_warning(
                _("Unsaved changes: Ctrl+S saves, or press {key} again to discard them").format(key=what))
            return False
        self._confirm = None
        return True

    @on(ChoiceField.Changed)
    def _choice_changed(self, event: ChoiceField.Changed) -> None:
        if event.choice.has_focus:
            self.dirty = True
        self.on_choice(event.choice, event.value)

    def on_choice(self, widget: ChoiceField, value: str) -> None:
        pass

    @on(RefInput.Picked)
    def _ref_picked(self, event: RefInput.Picked) -> None:
        field = event.input.field_name
        if event.input.id == f"mf-{field}":
            self.set_hint(field, getattr(event.row, "name", ""))
        self.on_picked(event.input, event.row)

    def on_picked(self, widget: RefInput, row: LookupRow) -> None:
        pass

    def on_descendant_blur(self, event: Any) -> None:
        """Leaving a typed reference: show the name of what it names beside it."""
        widget = event.widget
        if not isinstance(widget, RefInput) or widget.id != f"mf-{widget.field_name}" or not widget.lookup_kind:
            return
        spec = next((f for f in self.FIELDS if f.name == widget.field_name), None)
        code = widget.value.strip()
        if spec is None or not spec.hint or not code:
            return
        kind, field = widget.lookup_kind, widget.field_name
        app = self.app

        def find() -> str:
            rows = lookup_rows(app.services, kind, code)  # type: ignore[attr-defined]
            return next((str(r.name) for r in rows if str(r.code).upper() == code.upper()), "")

        from shopterm.screens.base.counter import run_preview

        run_preview(self, find, lambda name: self.set_hint(field, name) if widget.value.strip() == code else None,
                    group=f"hint-{field}")

    @on(Input.Changed)
    def _ref_typed(self, event: Input.Changed) -> None:
        widget = event.input
        if isinstance(widget, RefInput) and widget.has_focus and widget.id == f"mf-{widget.field_name}":
            self.set_hint(widget.field_name, "")

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer must fit 80 columns: keys that do not apply now are hidden, not greyed.
        in_grid = self.grid_of(self.focused) is not None
        if action == "lookup":  # shown greyed rather than hidden: the footer keeps its keys while moving
            return True if self._focused_lookup() is not None or self._on_new_key() is not None else None
        if action == "details":
            return self.HAS_DETAILS and self.key is not None
        if action == "auto_code":
            return self.AUTO_CODE and self.key is None
        if action == "deactivate":
            return self.TOGGLE and self.key is not None and not self.inactive
        if action == "reactivate":
            return self.TOGGLE and self.key is not None and self.inactive
        if action == "import_csv":
            return self.IMPORT_KIND is not None and not in_grid
        if action == "export":  # all the records, not the one shown: offered on the blank form (fits 80 columns)
            return self.EXPORT_KIND is not None and not in_grid and self.key is None
        return super().check_action(action, parameters)

    def action_state(self, action: str) -> bool | None:
        if action == "save" and self.SAVE_ONCE and self.key is not None:
            return None
        if action == "history" and self.key is None:
            return False
        if action == "delete_row":
            grid = self.grid_of(self.focused)
            return grid is not None and grid.can_add
        return True

    # -- a typed code opens its record ---------------------------------------------------

    def _on_new_key(self) -> Input | None:
        """The key (code) field when it has the focus on a new record (where a code is typed)."""
        spec = next((f for f in self.FIELDS if f.key and f.kind == "code"), None)
        if spec is None or self.key is not None:
            return None
        widget = self.widget(spec.name)
        return widget if widget is self.focused and isinstance(widget, Input) else None

    def _only_key_typed(self, widget: Widget) -> bool:
        """Nothing but the code was typed on this new record (opening another loses nothing)."""
        now, clean = self._snapshot(), dict(self._clean)
        now.pop(id(widget), None)
        clean.pop(id(widget), None)
        return not self._dirty_flag and now == clean

    def action_lookup(self) -> None:
        """F2 on a new record's code: the list of records, searched for what is typed (Enter opens one)."""
        widget = self._on_new_key()
        if widget is None:
            super().action_lookup()
            return
        if not self._only_key_typed(widget) and not self._guard("list", "F2"):
            return
        self._confirm = None
        self._open_list(widget.value.strip())

    def _open_typed_key(self, widget: Input) -> None:
        """Enter on a new record's code: an existing code opens that record; a new one goes on."""
        key = widget.value.strip().upper()

        def get() -> Any:
            try:
                return self.svc_get(self.services, key)
            except Exception as exc:
                if is_error(exc, "NotFound"):
                    return None
                raise

        def done(info: Any) -> None:
            if info is None or self.focused is not widget:
                self._form_move(widget, 1, wrap=False)  # a new code: on to the next field
            else:
                self.call_later_holding(self._opened, info)

        self.run_service(get, done, busy_text=None)

    def action_form_enter(self) -> None:
        focused = self.focused
        widget = self._on_new_key()
        if widget is not None and widget.value.strip() and self._only_key_typed(widget):
            self._open_typed_key(widget)
            return
        if isinstance(focused, ChoiceField):
            self._form_move(focused, 1, wrap=False)
            return
        super().action_form_enter()

    def grid_of(self, widget: Widget | None) -> EntryGrid | None:
        node = widget
        while node is not None:
            if isinstance(node, EntryGrid):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    def action_delete_row(self) -> None:
        focused = self.focused
        grid = self.grid_of(focused)
        if grid is None or not grid.can_add:
            self.show_info(_("F8 deletes a row of a table: move into the table first"))
            return
        self.dirty = True
        self.call_later(grid.delete_row_of, focused)

    def action_new(self) -> None:
        if not self._guard("new", "Ctrl+N"):
            return
        self.clear_message()
        self.call_later(self._new_then_focus)

    async def _new_then_focus(self) -> None:
        await self.clear_form()
        first = self.first_field()
        if first is not None:
            first.focus()

    def action_save(self) -> None:
        if self.SAVE_ONCE and self.key is not None:
            self.show_info(_(self.SAVE_ONCE).format(key=self.key))
            return
        if not self.check_fields():
            return
        values = self.read_values()
        for spec in self.GRIDS:
            values[spec.name] = self.grid(spec.name).values()
        values = self.prepare_values(values)
        key = self.key
        actor = self.actor
        self.save_values(values, key, actor)

    def prepare_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Shape the form's values for the service (grids into lists…)."""
        return values

    def save_values(self, values: dict[str, Any], key: str | None, actor: Actor, **extra: Any) -> None:
        if key is None:
            call = lambda: self.svc_create(self.services, actor, {**values, **extra})  # noqa: E731
        else:
            call = lambda: self.svc_update(self.services, actor, key, values)  # noqa: E731
        self.run_service(call, lambda info: self.call_later_holding(self._saved, info, key is None),
                         busy_text=_("Saving…"), on_error=lambda exc: self.on_save_error(exc, values, key, actor))

    def on_save_error(self, exc: BaseException, values: dict[str, Any], key: str | None, actor: Actor) -> bool:
        """A save failed: return True when handled here (e.g. a confirmation asked)."""
        return False

    async def _saved(self, info: Any, created: bool) -> None:
        await self.show_record(info)
        self.saved += 1
        self.show_ok(self.saved_message(info, created))

    def saved_message(self, info: Any, created: bool) -> str:
        if created:
            return _("{noun} {key} created").format(noun=_(self.NOUN), key=self.key)
        return _("{noun} {key} saved").format(noun=_(self.NOUN), key=self.key)

    def action_list(self) -> None:
        if not self._guard("list", "F3"):
            return
        self._open_list()

    def _open_list(self, search: str = "") -> None:
        services_of = lambda: self.services  # noqa: E731
        dialog = MasterListDialog(
            _(self.LIST_TITLE) if self.LIST_TITLE else _("{title} list").format(title=_(self.DOCUMENT_TITLE)),
            self.LIST_COLUMNS,
            lambda q: self.svc_list(services_of(), q), sorts=self.LIST_SORTS, extra_keys=self.LIST_EXTRA,
            statuses=(("active", N_("Active")), ("inactive", N_("Inactive")), ("all", N_("All"))) if self.LIST_STATUSES
            else (("all", N_("All")),),
            status="active" if self.LIST_STATUSES else "all", placeholder=self.LIST_SEARCH, search=search,
        )
        self.app.push_screen(dialog, self._listed)

    def _listed(self, result: Any) -> None:
        if result is None:
            return
        action, row = result
        if action == "open":
            self.open_key(self.info_key(row))
        else:
            self.list_action(action, row)

    def list_action(self, action: str, row: Any) -> None:
        """An extra key of the list (e.g. details) on ``row``."""

    def open_key(self, key: str) -> None:
        """Load the record ``key`` into the form (once the form is idle: a pick is never lost)."""
        self.when_idle(lambda: self.run_service(lambda: self.svc_get(self.services, key),
                                                lambda info: self.call_later_holding(self._opened, info),
                                                busy_text=_("Loading…")))

    async def _opened(self, info: Any) -> None:
        await self.show_record(info)
        self.clear_message()
        first = self.first_field()
        if first is not None:
            first.focus()
        self.opened_key = self.key

    def history_key(self, info: Any) -> Any:
        """What ``svc_history`` is given: the record's key (or its id, for masters known by id)."""
        return self.key

    def action_history(self) -> None:
        if self.key is None or self.info is None:
            self.show_info(_("Nothing saved yet: no history"))
            return
        key = self.history_key(self.info)
        self.open_history(lambda: self.svc_history(self.services, key),
                          title=_("History · {title} {key}").format(title=_(self.DOCUMENT_TITLE), key=self.key))

    def action_deactivate(self) -> None:
        self._toggle(True)

    def action_reactivate(self) -> None:
        self._toggle(False)

    def _toggle(self, inactive: bool) -> None:
        if self.key is None:
            return
        key = self.key
        actor = self.actor

        def done(info: Any) -> None:
            self.call_later(self._toggled, info, inactive)

        self.run_service(lambda: self.svc_set_inactive(self.services, actor, key, inactive), done,
                         busy_text=_("Saving…"))

    async def _toggled(self, info: Any, inactive: bool) -> None:
        await self.show_record(info)
        if inactive:
            self.show_ok(_("{noun} {key} deactivated: it stays, listed as inactive (F7 reactivates)").format(
                noun=_(self.NOUN), key=self.key))
        else:
            self.show_ok(_("{noun} {key} reactivated").format(noun=_(self.NOUN), key=self.key))

    def action_details(self) -> None:
        pass

    def action_auto_code(self) -> None:
        pass

    def action_import_csv(self) -> None:
        if self.IMPORT_KIND is None:
            return
        from shopterm.screens.masters.csv_import import ImportDialog

        self.app.push_screen(ImportDialog(self.IMPORT_KIND, _("CSV import · {title}").format(title=_(self.DOCUMENT_TITLE))))

    def action_export(self) -> None:
        kind = self.EXPORT_KIND
        if kind is None:
            return
        actor = self.actor
        self.run_service(lambda: self.services.masters.export_files(actor, kind), self._exported,
                         busy_text=_("Exporting…"))

    def _exported(self, paths: tuple[Path, Path]) -> None:
        csv_path, xlsx_path = paths
        self.message_bar.show_ok(_("Exported to {csv} and {xlsx}").format(csv=csv_path, xlsx=xlsx_path.name))

    # -- errors ------------------------------------------------------------------------

    def show_error(self, error: BaseException | str, field: str | None = None) -> None:
        super().show_error(error, field)
        if isinstance(error, BaseException):
            message, err_field = describe_error(error)
        else:
            message, err_field = error, None
        name = field or err_field
        target = self.find_field(name) if name else None
        if isinstance(target, EntryGrid):
            target.focus_row(row_number_in(message))
        elif target is None and name:
            # a line error of a grid ("Line 2: qty: …"): the cell of that column in that row
            for grid in self.query(EntryGrid):
                if any(col.name == name for col in grid.columns):
                    grid.focus_row(row_number_in(message), column=name)
                    break
        elif target is not None and target.focusable:
            self.query_one("#mf-scroll", VerticalScroll).scroll_to_widget(target, animate=False)

    def find_field(self, field: str) -> Widget | None:
        """Prefer the form's own field (``mf-<field>``), then a grid, then the default search."""
        for candidate in (f"#mf-{field}", f"#mf-grid-{field}"):
            try:
                return self.query_one(candidate)
            except Exception:
                continue
        return super().find_field(field)


class CodeNameScreen(MasterScreen):
    """A master known by a code, with a name (supplier, cost centre): ``SERVICE`` names the
    service calls (``list_<PLURAL>``, ``get_<SERVICE>``, ``create_<SERVICE>``, ``update_<SERVICE>``)."""

    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True),
        F("inactive", N_("Status"), "auto"),
        F("name", N_("Name"), required=True, wide=True),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 10), ListColumn(N_("Name"), "name", 44), STATUS_COLUMN)


def render_pairs(pairs: Sequence[tuple[str, str]], width: int = 76) -> Text:
    """``label  value`` lines, two to a line where they fit."""
    text = Text()
    half = width // 2
    line: list[tuple[str, str]] = []
    for label, value in pairs:
        line.append((label, value))
        if len(line) == 2:
            text.append(_pair(line[0], half) + _pair(line[1], half).rstrip() + "\n")
            line = []
    if line:
        text.append(_pair(line[0], half).rstrip() + "\n")
    return text


def _pair(pair: tuple[str, str], width: int) -> str:
    label, value = pair
    cell = f"{label:<15} {value}"
    if len(cell) > width - 1:
        cell = cell[: width - 2] + "…"
    return f"{cell:<{width}}"


def is_possible_duplicate(exc: BaseException) -> bool:
    return is_error(exc, "PossibleDuplicate")

