"""``shopterm post``: documents given as JSON, posted through the services (DESIGN §11).

Input is one JSON object or a list of them. Each document names its ``type``;
the handler registered for that type parses it strictly and calls the same
service operation the screen calls. The list runs in one write transaction
(:meth:`~shopterm.store.db.Database.batch`, committed every :data:`GROUP_SECONDS`
and at the end) in which each document's operation is a SAVEPOINT of its own: a
rejected document is rolled back alone and the documents before it stay posted,
as if each were its own transaction.

Registering a document type (in the service module that owns it)::

    from .headless import Fields, handler

    @handler("shop_open")
    def _post_shop_open(services, actor, doc: dict) -> dict:
        f = Fields(doc, required=["location"], optional=["date"], allow_draft=False, allow_approval=False)
        result = services.day.open_day(actor, f.str("location"), f.date("date", default=services.today()))
        return {"number": result.number, "totals": {"opening_usd": result.opening_usd}}

A handler returns a dict with at least ``number`` (``None`` for a draft) and
``totals`` (Decimals are fine: the output turns every Decimal into a string);
any further keys are passed through to the output.

The modules that register handlers are imported lazily, the first time a type
is looked up (:data:`HANDLER_MODULES`); a module that does not exist yet is
skipped.

**Numbers in JSON.** Amounts, quantities, rates and percentages must be JSON
*strings* (``"2.50"``, not ``2.50``): a JSON number, integer or not, is refused
for those fields with a message naming the field, because a binary float cannot
hold 2.50 exactly and a silently converted integer hides the same mistake made
with decimals. :func:`parse_json` reads every JSON number as a
:class:`JsonNumber` (the literal text, unconverted) so nothing ever passes
through ``float``; :meth:`Fields.int` accepts a JSON integer where a count is
meant (``"credit_days": 30``). Python callers may pass :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field as dc_field
from decimal import Decimal
from importlib import import_module
from typing import TYPE_CHECKING, Any

from shopterm.core.i18n import N_, _
from ..core.plain import plain
from ..core.money import Currency, MoneyError, parse_amount, parse_pct, parse_qty, parse_rate
from ..store.convert import MAX_INTEGER
from .errors import AuthError, Interrupted, ShopError, ValidationError

if TYPE_CHECKING:
    from . import Services
    from .context import Actor

#: fn(services, actor, doc) -> {"number": ..., "totals": {...}, ...}
Handler = Callable[["Services", "Actor", dict], dict]

#: Service modules that register handlers (imported on first use; missing ones skipped).
HANDLER_MODULES = ("cash.day", "cash.till", "stock", "sales.invoice", "ledger.entries", "masters.service", "sales.orders",
                   "sales.provisional", "sales.returns", "sales.commission")

#: The module that registers each document type: ``shopterm post`` imports only the modules of the
#: types its list holds (all of HANDLER_MODULES cost ~0.2 s more CPU than the sales invoice's alone).
#: tests/cli/test_headless.py checks it against the registry.
HANDLER_OF_TYPE = {
    "shop_open": "cash.day", "shop_close": "cash.day", "sales_receipt": "cash.till", "currency_exchange": "cash.till",
    "shop_receipt": "cash.till", "shop_payment": "cash.till", "sales_order": "sales.orders", "proforma": "sales.orders",
    "sales_invoice": "sales.invoice", "sales_return": "sales.returns", "direct_return": "sales.returns",
    "commission_payment": "sales.commission", "provisional_invoice": "sales.provisional",
    "delivery_note": "sales.provisional", "customer_payment": "ledger.entries", "match": "ledger.entries",
    "unmatch": "ledger.entries", "stock_receipt": "stock",
}

#: Fields every document may carry unless its parser turns them off.
DRAFT_FIELDS = ("draft",)
APPROVAL_FIELDS = ("approver", "approver_pin")

_HANDLERS: dict[str, Handler] = {}
_loaded = False


# ---------------------------------------------------------------- registry


def handler(type_name: str) -> Callable[[Handler], Handler]:
    """Register ``fn(services, actor, doc) -> dict`` as the poster of ``type_name`` documents."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[type_name] = fn
        return fn

    return register


def load_handlers() -> None:
    """Import the service modules that register handlers (once)."""
    global _loaded
    if _loaded:
        return
    for name in HANDLER_MODULES:
        import_module(f"{__package__}.{name}")
    _loaded = True


def known_types() -> list[str]:
    load_handlers()
    return sorted(_HANDLERS)


def get_handler(type_name: str) -> Handler:
    module = HANDLER_OF_TYPE.get(type_name)
    if module is not None and type_name not in _HANDLERS:
        import_module(f"{__package__}.{module}")  # only the module of this type
    if type_name in _HANDLERS:
        return _HANDLERS[type_name]
    load_handlers()
    try:
        return _HANDLERS[type_name]
    except KeyError:
        known = ", ".join(sorted(_HANDLERS)) or "none yet"
        raise ValidationError("unknown document type {type_name!r}; known types: {known}", field="type",
            params={"type_name": type_name[:60], "known": known}) from None


# ---------------------------------------------------------------- JSON input


class JsonNumber(str):
    """A JSON number kept as its literal text (never a float)."""


def parse_json(text: str) -> Any:
    """Parse JSON; numbers become :class:`JsonNumber`; a syntax error names line and column."""
    try:
        return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValidationError("malformed JSON at line {lineno} column {colno}: {msg}",
            params={"lineno": exc.lineno, "colno": exc.colno, "msg": exc.msg}) from None
    except RecursionError:
        raise ValidationError("malformed JSON: nested too deeply (at most {max_depth} levels)",
            params={"max_depth": MAX_DEPTH}) from None


#: How deep a document may nest (document → lines → line → flat_discount is 4).
MAX_DEPTH = 16
#: The longest string any field may hold (each field has its own, smaller limit).
MAX_STRING = 1_000_000


def check_shape(doc: Any, where: str = "document") -> None:
    """Refuse, naming the field, what no field may hold: nesting deeper than :data:`MAX_DEPTH`,
    a lone surrogate (not Unicode text) or a control character (ESC, NUL, an OSC sequence…) in
    any string or key, a string longer than :data:`MAX_STRING`. Iterative: a deeply nested value
    cannot exhaust the stack. A value's path (``lines[3].qty``) is spelt out only for an error."""
    from ..core.text import bad_character

    # (value, its place: None for the top or (the parent's place, key or list index), depth)
    stack: list[tuple[Any, Any, int]] = [(doc, None, 0)]
    while stack:
        value, place, depth = stack.pop()
        if depth > MAX_DEPTH:
            path = _path(place)
            raise ValidationError("{where}: nested too deeply at {path} (at most {max_depth} levels)",
                                  field=path or None,
                params={"where": where, "path": path or _("the top"), "max_depth": MAX_DEPTH})
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                path = _path(place)
                raise ValidationError("{where}: {path} is longer than {limit} characters", field=path or None,
                                      params={"where": where, "path": path or _("a value"), "limit": Decimal(MAX_STRING)})
            bad = bad_character(value, multiline=True)
            if bad is not None:
                path = _path(place)
                raise ValidationError("{where}: {path}: control characters are not allowed ({bad})",
                                      field=path or None,
                    params={"where": where, "path": path or _("a value"), "bad": bad})
        elif isinstance(value, dict):
            for key, item in value.items():
                key_text = key if isinstance(key, str) else repr(key)
                bad = bad_character(key_text)
                if bad is not None:
                    path = _path(place)
                    raise ValidationError("{where}: a field name holds a control character ({bad})",
                                          field=path or None, params={"where": where, "bad": bad})
                stack.append((item, (place, key_text), depth + 1))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                stack.append((item, (place, i), depth + 1))


def _path(place: Any) -> str:
    """``lines[3].qty`` of a place of :func:`check_shape` (a field name is text, a list index a number)."""
    keys = []
    while place is not None:
        place, key = place
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
    return path


def _no_constant(name: str) -> Any:
    raise ValidationError("malformed JSON: {name} is not allowed", params={"name": name})


def documents_of(data: Any) -> list[dict]:
    """One object or a list of objects → a list (anything else is refused)."""
    docs = data if isinstance(data, list) else [data]
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise ValidationError("document {i}: expected a JSON object, got {kind}", index=i,
                params={"i": i, "kind": _json_kind(doc)})
    return docs


def _json_kind(value: Any) -> str:
    if isinstance(value, JsonNumber):
        return _("a number")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


# ---------------------------------------------------------------- strict fields


class Fields:
    """A strict view of one JSON object (a document, or one of its lines).

    ``Fields(doc, required=[...], optional=[...])`` refuses unknown fields and
    missing required ones at once; the typed getters convert and refuse bad
    values with a message naming the field::

        unknown field 'custmer' in sales_invoice
        sales_invoice: 'customer' is required
        sales_invoice lines[0]: 'qty' must be a string such as "10", not the JSON number 10.5

    ``type`` is always allowed; ``draft`` and ``approver``/``approver_pin`` are
    allowed unless ``allow_draft``/``allow_approval`` is False. Errors carry
    ``field`` as a path (``lines[0].qty``).
    """

    def __init__(self, doc: Any, required: Iterable[str] = (), optional: Iterable[str] = (), *,
                 where: str | None = None, path: str = "", allow_draft: bool = True, allow_approval: bool = True):
        self.path = path
        if not isinstance(doc, dict):
            label = where or "document"
            raise ValidationError("{label}: expected a JSON object, got {kind}", field=path or None,
                params={"label": label, "kind": _json_kind(doc)})
        self.doc = doc
        self.where = where or str(doc.get("type") or "document")
        required = list(required)
        allowed = set(required) | set(optional)
        if not path:
            allowed.add("type")
        if allow_draft:
            allowed.update(DRAFT_FIELDS)
        if allow_approval:
            allowed.update(APPROVAL_FIELDS)
        for key in doc:
            if key not in allowed:
                raise ValidationError("unknown field {key!r} in {where}", field=self._f(key),
                    params={"key": key, "where": self.where})
        for key in required:
            if key not in doc or doc[key] is None or (isinstance(doc[key], str) and not doc[key].strip()):
                raise ValidationError("{where}: {key!r} is required", field=self._f(key),
                    params={"where": self.where, "key": key})

    # -- helpers ------------------------------------------------------------
    def _f(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _err(self, name: str, message: str) -> ValidationError:
        return ValidationError("{where}: {message}", field=self._f(name),
            params={"where": self.where, "message": message})

    def __contains__(self, name: str) -> bool:
        return name in self.doc and self.doc[name] is not None

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.doc.get(name)
        return default if value is None else value

    # -- common fields ---------------------------------------------------------
    @property
    def draft(self) -> bool:
        return self.bool("draft") if "draft" in self.doc else False

    @property
    def approver(self) -> str | None:
        return self.str("approver") if "approver" in self else None

    @property
    def approver_pin(self) -> str | None:
        return self.str("approver_pin") if "approver_pin" in self else None

    # -- typed getters ------------------------------------------------------------
    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.doc.get(name)
        if value is None:
            return default
        if isinstance(value, JsonNumber) or not isinstance(value, str):
            raise ValidationError("{where}: {name!r} must be a string, got {kind}", field=self._f(name),
                params={"where": self.where, "name": name, "kind": _json_kind(value)})
        return value.strip()

    def _number_text(self, name: str, example: str) -> Any:
        value = self.doc.get(name)
        if isinstance(value, JsonNumber):
            raise ValidationError('{where}: {name!r} must be a string such as "{example}", not the JSON number {value} (amounts, quantities and rates are strings)', field=self._f(name),
                params={"where": self.where, "name": name, "example": example, "value": value})
        if isinstance(value, (bool, int, float)) or not isinstance(value, (str, Decimal)):
            raise ValidationError('{where}: {name!r} must be a string such as "{example}", got {kind}', field=self._f(name),
                params={"where": self.where, "name": name, "example": example, "kind": _json_kind(value)})
        return value

    def _convert(self, name: str, default: Any, example: str, parse: Callable[..., Decimal], **kw: Any) -> Decimal | None:
        if name not in self:
            return default
        value = self._number_text(name, example)
        try:
            return parse(value, field=name, strict=True, **kw)
        except MoneyError as exc:
            raise ValidationError("{where}: {exc}", field=self._f(name),
                params={"where": self.where, "exc": exc}) from None

    def amount(self, name: str, default: Decimal | None = None, *, allow_negative: bool = False) -> Decimal | None:
        """An amount: a string, at most 2 decimals, not negative unless allowed."""
        return self._convert(name, default, "2.50", parse_amount, allow_negative=allow_negative)

    def qty(self, name: str, default: Decimal | None = None, *, allow_negative: bool = False) -> Decimal | None:
        """A quantity: a string, at most 3 decimals."""
        return self._convert(name, default, "10", parse_qty, allow_negative=allow_negative)

    def rate(self, name: str, default: Decimal | None = None) -> Decimal | None:
        """An exchange rate (CDF per USD): a string, greater than zero, at most 6 decimals."""
        return self._convert(name, default, "2850", parse_rate)

    def pct(self, name: str, default: Decimal | None = None) -> Decimal | None:
        """A percentage 0–100: a string, at most 4 decimals."""
        return self._convert(name, default, "5", parse_pct)

    def int(self, name: str, default: int | None = None, *, minimum: int | None = 0,
            maximum: int = MAX_INTEGER) -> int | None:
        """A count (days, points) or a row number: a JSON integer or a string of digits, at most
        ``maximum`` (by default the largest whole number the store keeps, on SQLite and PostgreSQL alike)."""
        if name not in self:
            return default
        value = self.doc[name]
        text = value if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        if text is None or not text.strip().lstrip("-").isdigit() or not text.isascii():
            raise ValidationError("{where}: {name!r} must be a whole number, got {value!r}", field=self._f(name),
                params={"where": self.where, "name": name, "value": str(value)[:40]})
        text = text.strip()
        shown = text if len(text) <= 24 else text[:23] + "…"  # what was sent, cut when very long
        # more than 15 digits is past any bound (and not converted): the same message as 11 digits
        result = int(text) if len(text.lstrip("-")) <= 15 else None
        low = text.startswith("-")
        if minimum is not None and (result < minimum if result is not None else low):
            raise ValidationError("{where}: {name!r} must be at least {minimum}, got {result}", field=self._f(name),
                params={"where": self.where, "name": name, "minimum": minimum, "result": shown})
        if result is None or result > maximum:
            raise ValidationError("{where}: {name!r} must be at most {maximum}, got {result}", field=self._f(name),
                params={"where": self.where, "name": name, "maximum": maximum, "result": shown})
        return result

    def bool(self, name: str, default: bool = False) -> bool:
        if name not in self:
            return default
        value = self.doc[name]
        if not isinstance(value, bool):
            raise ValidationError("{where}: {name!r} must be true or false, got {kind}", field=self._f(name),
                params={"where": self.where, "name": name, "kind": _json_kind(value)})
        return value

    def date(self, name: str, default: dt.date | None = None) -> dt.date | None:
        """An ISO date ``YYYY-MM-DD``."""
        if name not in self:
            return default
        value = self.doc[name]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and not isinstance(value, JsonNumber):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError("{where}: {name!r} must be a date YYYY-MM-DD, got {value!r}", field=self._f(name),
            params={"where": self.where, "name": name, "value": value})

    def currency(self, name: str, default: Currency | None = None) -> Currency | None:
        if name not in self:
            return default
        text = self.str(name)
        try:
            return Currency.parse(text)
        except MoneyError:
            raise ValidationError("{where}: {name!r} must be USD or CDF, got {text!r}", field=self._f(name),
                params={"where": self.where, "name": name, "text": text}) from None

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        if name not in self:
            return default
        choices = list(choices)
        text = self.str(name)
        if text not in choices:
            raise ValidationError("{where}: {name!r} must be one of {choices}, got {text!r}", field=self._f(name),
                params={"where": self.where, "name": name, "choices": ', '.join(choices), "text": text})
        return text

    def obj(self, name: str, required: Iterable[str] = (), optional: Iterable[str] = ()) -> "Fields | None":
        """A nested object (e.g. ``flat_discount``), checked the same way; None when absent."""
        if name not in self:
            return None
        return Fields(self.doc[name], required, optional, where=f"{self.where} {name}", path=self._f(name),
                      allow_draft=False, allow_approval=False)

    def list(self, name: str, required: Iterable[str] = (), optional: Iterable[str] = (), *,
             min_items: int = 0) -> "list[Fields]":
        """A list of objects (e.g. ``lines``), each checked; ``[]`` when absent."""
        value = self.doc.get(name)
        if value is None:
            value = []
        if not isinstance(value, list):
            raise ValidationError("{where}: {name!r} must be a list, got {kind}", field=self._f(name),
                params={"where": self.where, "name": name, "kind": _json_kind(value)})
        if len(value) < min_items:
            raise ValidationError(N_("{where}: {name!r} needs at least {min_items} entry") if min_items == 1
                                  else N_("{where}: {name!r} needs at least {min_items} entries"), field=self._f(name),
                                  params={"where": self.where, "name": name, "min_items": min_items})
        required, optional = list(required), list(optional)
        return [
            Fields(item, required, optional, where=f"{self.where} {name}[{i}]", path=f"{self._f(name)}[{i}]",
                   allow_draft=False, allow_approval=False)
            for i, item in enumerate(value)
        ]


def take(doc: Any, required: Iterable[str] = (), optional: Iterable[str] = (), **kw: Any) -> Fields:
    """Shorthand for :class:`Fields`."""
    return Fields(doc, required, optional, **kw)


# ---------------------------------------------------------------- the acting user


CREDENTIAL_HELP = N_("give the user's PIN (--pin or SHOPTERM_PIN) or an API token an admin issued with "
                   "'shopterm user token create NAME' (--token or SHOPTERM_TOKEN)")


def actor_for(services: "Services", name: str | None, pin: str | None = None, token: str | None = None) -> "Actor":
    """The acting user of a headless command, only with a credential: the user's PIN, or an API token.

    Wrong credentials count toward the user's lockout as on the sign-in screen, and are audited."""
    from .admin import signin  # the sign-in on the Core tables: a read command loads no ORM for it

    name = (name or "").strip().lower()
    if token:
        return signin.token_actor(services.db, token, name or None)
    if not name:
        raise ValidationError("this command needs the acting user: --user NAME (or SHOPTERM_USER)", field="user")
    if not pin:
        raise AuthError("acting as {name} needs a credential: {help}", field="pin",
            params={"name": name, "help": _(CREDENTIAL_HELP)})
    return signin.login(services.db, name, pin, via="headless")


# ---------------------------------------------------------------- posting


def jsonable(value: Any) -> Any:
    """Decimals → strings (exact), dates → ISO, recursively; a float (never produced by shopterm) is refused
    rather than printed as a rounded figure."""
    return plain(value, refuse_float=True)


@dataclass
class PostOutcome:
    """What ``shopterm post`` prints: the posted results, or an error after some."""

    posted: list[dict] = dc_field(default_factory=list)
    error: dict | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def output(self) -> Any:
        return self.posted if self.error is None else self.error


def post_one(services: "Services", actor: "Actor", doc: dict) -> dict:
    """Post one document through its handler; the result as JSON-ready data."""
    type_name = doc.get("type")
    if not isinstance(type_name, str) or not type_name.strip():
        raise ValidationError("every document needs a \"type\" (e.g. \"sales_invoice\")", field="type")
    fn = get_handler(type_name.strip())
    from ..store.db import SUM_TOO_LARGE, FigureTooLarge, SumTooLarge, UnstorableText

    try:
        result = fn(services, actor, doc)
    except MoneyError as exc:  # a handler that let one through: still the user's input
        raise ValidationError(str(exc)) from None
    except SumTooLarge as exc:  # a running sum (a balance, stock on hand) it would carry past a BIGINT
        raise ValidationError(SUM_TOO_LARGE, params={"what": exc.what_text}) from None
    except FigureTooLarge as exc:  # figures past their column: refused by the store, nothing written
        raise ValidationError("{field}: too large a figure to store", field=exc.field,
                              params={"field": exc.field}) from None
    except UnstorableText as exc:  # a NUL the handler let through: refused by the store, nothing written
        raise ValidationError(str(exc), field=exc.field) from None
    result = dict(result or {})
    out = {"type": type_name.strip(), "number": result.pop("number", None), "totals": result.pop("totals", {})}
    out.update(result)
    return jsonable(out)


#: ``shopterm post`` commits its list's transaction when it has been open this long (and at the end): the
#: documents of a list share one write transaction, each in a SAVEPOINT, instead of one transaction each
#: (a COMMIT and a session's set-up a document); another till that posts meanwhile waits at most about
#: this long plus one document. bench/README.md, "`shopterm post`" of the ninth session: the figures.
GROUP_SECONDS = 0.1


def post_documents(services: "Services", actor: "Actor", data: Any,
                   after_first: Callable[[], None] | None = None, *,
                   group_seconds: float | None = None, stop: Callable[[], bool] | None = None) -> PostOutcome:
    """Post each document in turn; stop at the first rejected one.

    Each document is its own SAVEPOINT of a write transaction the list shares (:meth:`Database.batch`),
    committed every ``group_seconds`` (:data:`GROUP_SECONDS`) and at the end: a rejected document is
    rolled back alone, the ones before it are committed, as if each had been its own transaction.
    ``group_seconds=0`` commits after every document. A database error (not a rule) also commits the
    documents before it, then is raised with ``posted`` and ``index`` set on it for the caller to say.

    ``after_first`` is called once, after the first document is posted (``shopterm post`` sets its
    start-up objects aside from the collector then: everything a list needs is imported by its first
    document).

    ``stop`` is asked before each document (``shopterm post``: whether Ctrl+C was pressed): when it says
    so, the documents before are committed and the list ends there with an :class:`Interrupted` error
    naming the first document not posted. A KeyboardInterrupt raised in a document (a second Ctrl+C)
    rolls that document back alone and is raised on with ``posted`` and ``index``, as a database error:
    what is committed is what is reported."""
    outcome = PostOutcome()
    try:
        docs = documents_of(data)
    except ShopError as exc:
        outcome.error = _error(exc, index=exc.details.get("index"), type_name=None, posted=[])
        return outcome
    group = GROUP_SECONDS if group_seconds is None else group_seconds
    committed: list[dict] = []  # the replies of the documents committed so far
    pending: list[dict] = []  # posted in the open transaction
    with _batch_of(services) as batch:
        try:
            for i, doc in enumerate(docs):
                type_name = doc.get("type") if isinstance(doc.get("type"), str) else None
                if stop is not None and stop():  # between two documents: those before are committed, said posted
                    alive = batch.alive()
                    batch.commit()
                    if alive:
                        committed.extend(pending)
                    outcome.error = _error(Interrupted("Stopped (Ctrl+C): the documents before this one are posted, "
                                                       "this one and the rest are not"),  # as cli._INTERRUPTED
                                           index=len(committed), type_name=type_name, posted=committed)
                    outcome.posted = committed
                    return outcome
                try:
                    check_shape(doc, where=type_name if type_name and not _bad_text(type_name) else "document")
                    pending.append(post_one(services, actor, doc))
                    batch.done()
                except ShopError as exc:
                    if batch.alive():
                        batch.commit()
                        committed.extend(pending)
                        outcome.error = _error(exc, index=i, type_name=type_name, posted=committed)
                    else:  # the database ended the transaction: the documents since the last commit are not posted
                        outcome.error = _error(exc, index=i - len(pending), type_name=type_name, posted=committed)
                    outcome.posted = committed
                    return outcome
                except Exception as exc:
                    lost = not batch.alive()
                    if not lost:
                        batch.commit()
                        committed.extend(pending)
                    try:  # what the caller says beside the error: the documents posted, where the list stopped
                        exc.posted = list(committed)  # type: ignore[attr-defined]
                        exc.index = i - len(pending) if lost else i  # type: ignore[attr-defined]
                    except AttributeError:  # pragma: no cover - an exception type that takes no attribute
                        pass
                    raise
                if i == 0 and after_first is not None:
                    after_first()
                if batch.elapsed() >= group:
                    batch.commit()
                    committed.extend(pending)
                    pending.clear()
            batch.commit()
            committed.extend(pending)
        except KeyboardInterrupt as exc:  # a second Ctrl+C, inside a document: what is not yet committed is
            if not batch.roll_back_all():  # rolled back, so what is said posted is exactly what is in the books
                committed.extend(pending)  # (no shared transaction: each document committed by itself)
            exc.posted = list(committed)  # type: ignore[attr-defined]
            exc.index = len(committed)  # type: ignore[attr-defined]  # the list's documents are posted in order
            raise
    outcome.posted = committed
    return outcome


class _EachItsOwn:
    """No shared transaction (a database without :meth:`~shopterm.store.db.Database.batch`): each
    document's operation commits by itself."""

    def alive(self) -> bool:
        return True

    def done(self) -> None:
        pass

    def elapsed(self) -> float:
        return 0.0

    def commit(self) -> bool:
        return False

    def roll_back_all(self) -> bool:
        return False


def _batch_of(services: "Services | None"):
    from contextlib import nullcontext

    batch = getattr(getattr(services, "db", None), "batch", None)
    return batch() if batch is not None else nullcontext(_EachItsOwn())


def _bad_text(text: str) -> bool:
    from ..core.text import bad_character

    return len(text) > 60 or bad_character(text) is not None


def post_text(services: "Services", actor: "Actor", text: str) -> PostOutcome:
    try:
        data = parse_json(text)
    except ShopError as exc:
        return PostOutcome(error={"error": exc.message, "code": exc.code, "message_id": exc.message_id, "posted": []})
    return post_documents(services, actor, data)


def _error(exc: ShopError, *, index: int | None, type_name: str | None, posted: list[dict]) -> dict:
    # "error" in the reader's language; "code" (the kind of error) and "message_id" (the English
    # template, e.g. "Item {code} not found") stay the same in every language, for scripts to match on
    field = exc.field
    line = exc.details.get("line")
    if field and field.isidentifier() and isinstance(line, int) and line >= 1:
        field = f"lines[{line - 1}].{field}"  # a rule of one line (numbered from 1, in the order given)
    out: dict = {"error": exc.message, "field": field, "code": exc.code, "message_id": exc.message_id}
    if index is not None:
        out["index"] = index
    out["type"] = type_name
    out["posted"] = list(posted)  # the documents before this one stay posted
    return out


__all__ = [
    "Fields",
    "HANDLER_MODULES",
    "Handler",
    "JsonNumber",
    "PostOutcome",
    "actor_for",
    "get_handler",
    "handler",
    "jsonable",
    "known_types",
    "load_handlers",
    "parse_json",
    "post_documents",
    "post_one",
    "post_text",
    "take",
]
