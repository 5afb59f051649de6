"""Shared parts of the masters service: field parsing, lookups, paging, "used?" checks.

Every parser turns a typed value (a string from a form or a CSV cell, or an
already typed value from Python) into the stored value, or raises
:class:`~shopterm.services.errors.ValidationError` naming the field. Numbers
are parsed with :mod:`shopterm.core.money`, so the message reads like
``credit_limit_usd: 'abc' is not a number`` — the same text the CSV import
shows for a bad cell.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Iterator, Sequence, TypeVar

from sqlalchemy import bindparam, func, literal, or_, select as sa_select
from sqlmodel import Session, SQLModel, col, select

from shopterm.core.i18n import N_, _
from ...core.money import MoneyError, parse_amount, parse_pct, parse_qty, q2, q_pct, q_qty, to_decimal
from ...core.text import NARRATION_MAX, TextError, bad_character, clean_text
from ...store import models as m
from ...store.master_cache import MasterRead
from ..admin import audit
from ..context import Actor
from ..errors import InactiveRecord, NotFound, ValidationError
from ..lookup import customer_by, location_by

if TYPE_CHECKING:
    from .. import Services

T = TypeVar("T")

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_./-]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,30}$")
_TRUE = {"1", "y", "yes", "true", "t", "x", "on", "oui"}
_FALSE = {"", "0", "n", "no", "false", "f", "off", "non"}

STATUSES = ("active", "inactive", "all")
PRICE_CATEGORIES = ("retail", "wholesale")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list view: ``rows`` from ``offset`` on, of ``total`` matching rows."""

    rows: tuple[T, ...]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total


@dataclass(frozen=True, slots=True)
class CodedInfo:
    """A master that is a code and a name (supplier, cost centre), as its screen lists it."""

    id: int
    code: str
    name: str
    inactive: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, row: Any) -> "CodedInfo":
        return cls(row.id, row.code, row.name, row.inactive, row.created_at)


# ---------------------------------------------------------------- parsing


def text(value: Any, *, field: str, label: str, required: bool = False, max_len: int = 120) -> str:
    """A free-text field, stripped; required and length checked."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    bad = bad_character(value, multiline="\n" in value)
    if bad is not None:
        raise ValidationError("{label}: control characters are not allowed ({bad}); type plain text", field=field,
            params={"label": _(label), "bad": bad})
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not value:
        raise ValidationError("{label} is required", field=field, params={"label": _(label)})
    if len(value) > max_len:
        raise ValidationError("{label}: at most {max_len} characters", field=field,
            params={"label": _(label), "max_len": max_len})
    return value


def free_text(value: Any, *, field: str, label: str | None = None, max_len: int = NARRATION_MAX,
              multiline: bool | None = None, default: str = "") -> str:
    """A document's narration, reference, contact or address: control characters and an over-long
    text are refused naming the field (never cut silently); blank gives ``default``. A narration
    (or remarks) may hold line breaks unless ``multiline`` says otherwise; the other fields may not."""
    if multiline is None:
        multiline = field in ("narration", "remarks")
    try:
        result = clean_text(value, field=field, label=label, max_len=max_len, multiline=multiline)
    except TextError as exc:
        raise ValidationError(str(exc), field=field) from None
    return result or default


def code(value: Any, *, field: str = "code", label: str = "Code", max_len: int = 20) -> str:
    """A code: upper case letters, digits and ``- _ . /``, required."""
    value = text(value, field=field, label=label, required=True, max_len=max_len).upper()
    if not _CODE_RE.match(value):
        raise ValidationError("{label}: letters, digits, - _ . / only ({value})", field=field,
            params={"label": _(label), "value": value})
    return value


def optional_ref(value: Any) -> str | None:
    """A reference to another master by code or name; blank means none."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _number(read: Callable[[Any], Decimal], value: Any, field: str, positive: bool,
            default: Decimal | None) -> Decimal:
    """``read(value)`` (blank: ``default`` when one is given); a bad number or, with ``positive``, one
    not above zero is refused naming ``field``."""
    if default is not None and (value is None or (isinstance(value, str) and not value.strip())):
        return default
    try:
        result = read(value)
    except MoneyError as exc:
        raise ValidationError(str(exc), field=field) from None
    if positive and result <= 0:
        raise ValidationError("{field}: must be greater than zero ({result})", field=field,
            params={"field": field, "result": result})
    return result


def amount(value: Any, *, field: str, positive: bool = False, default: Decimal | None = None) -> Decimal:
    """A USD/CDF amount, 2 decimals, not negative (``positive``: greater than zero)."""
    return _number(lambda v: q2(parse_amount(v, field=field)), value, field, positive, default)


def quantity(value: Any, *, field: str, positive: bool = False, default: Decimal | None = None) -> Decimal:
    """A quantity, 3 decimals, not negative (``positive``: greater than zero)."""
    return _number(lambda v: q_qty(parse_qty(v, field=field)), value, field, positive, default)


def percent(value: Any, *, field: str, default: Decimal | None = None) -> Decimal:
    """A percentage between 0 and 100, up to 4 decimals."""
    return _number(lambda v: q_pct(parse_pct(v, field=field)), value, field, False, default)




def markup(value: Any, *, field: str) -> Decimal | None:
    """A markup percentage (may exceed 100; not below -100); blank means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        d = to_decimal(value, field=field)
    except MoneyError as exc:
        raise ValidationError(str(exc), field=field) from None
    if d <= -100:
        raise ValidationError("{field}: a markup must be above -100 % ({value})", field=field,
            params={"field": field, "value": value})
    if d > 10000:
        raise ValidationError("{field}: {value} is too large", field=field, params={"field": field, "value": value})
    if d != q_pct(d):
        raise ValidationError("{field}: at most 4 decimal places ({value})", field=field,
            params={"field": field, "value": value})
    return d


def integer(value: Any, *, field: str, minimum: int | None = 0, maximum: int | None = None,
            default: int | None = None) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise ValidationError("{field}: a whole number is required", field=field, params={"field": field})
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError("{field}: {value!r} is not a whole number", field=field,
            params={"field": field, "value": value})
    if isinstance(value, int):
        result = value
    else:
        raw = str(value).strip()
        if not re.fullmatch(r"[+-]?[0-9]+", raw):
            raise ValidationError("{field}: {raw!r} is not a whole number", field=field,
                params={"field": field, "raw": raw[:40]})
        if len(raw.lstrip("+-")) > 15:
            raise ValidationError("{field}: {raw} is too large (at most 15 digits)", field=field,
                params={"field": field, "raw": raw[:40]})
        result = int(raw)
    if minimum is not None and result < minimum:
        raise ValidationError("{field}: must be at least {minimum} ({result})", field=field,
            params={"field": field, "minimum": minimum, "result": result})
    if maximum is not None and result > maximum:
        raise ValidationError("{field}: must be at most {maximum} ({result})", field=field,
            params={"field": field, "maximum": maximum, "result": result})
    return result


def flag(value: Any, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    raw = str(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValidationError("{field}: {value!r} is not yes/no", field=field, params={"field": field, "value": value})


def date_of(value: Any, *, field: str, default: dt.date | None = None, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None or not required:
            return default
        raise ValidationError("{field}: a date is required (YYYY-MM-DD)", field=field, params={"field": field})
    raw = str(value).strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("{field}: {raw!r} is not a date (YYYY-MM-DD)", field=field,
            params={"field": field, "raw": raw}) from None


def email_of(value: Any, *, field: str = "email") -> str:
    value = text(value, field=field, label=N_("Email"), max_len=120)
    if value and not _EMAIL_RE.match(value):
        raise ValidationError("{field}: {value!r} is not an email address (name@example.com)", field=field,
            params={"field": field, "value": value})
    return value.lower()


def phone_of(value: Any, *, field: str = "mobile") -> str:
    value = text(value, field=field, label=N_("Phone"), max_len=40)
    if value and not _PHONE_RE.match(value):
        raise ValidationError("{field}: {value!r} is not a phone number (digits, spaces, + - ( ))", field=field,
            params={"field": field, "value": value})
    return value


def choice(value: Any, choices: Sequence[str], *, field: str, label: str, default: str | None = None) -> str:
    raw = (str(value).strip().lower() if value is not None else "") or (default or "")
    if raw not in choices:
        raise ValidationError("{label}: one of {choices} ({value!r})", field=field,
            params={"label": _(label), "choices": ', '.join(choices), "value": value})
    return raw


def digits(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def like(query: str) -> str:
    """A LIKE pattern for a user's search text (wildcards in it are taken literally)."""
    q = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{q}%"


def check_status(status: str) -> str:
    status = (status or "active").lower()
    if status not in STATUSES:
        raise ValidationError("Status: one of {statuses}", field="status", params={"statuses": ', '.join(STATUSES)})
    return status


def check_paging(limit: int, offset: int) -> tuple[int, int]:
    if not isinstance(limit, int) or limit < 1 or limit > 10_000:
        raise ValidationError("limit: between 1 and 10000", field="limit")
    if not isinstance(offset, int) or offset < 0:
        raise ValidationError("offset: must not be negative", field="offset")
    return limit, offset


# ---------------------------------------------------------------- entities

@dataclass(frozen=True, slots=True)
class Entity:
    name: str  # audit entity name (the table name)
    model: type[SQLModel]
    key: str  # the attribute users know the record by
    label: str
    permission: str = "masters"
    owned: tuple[str, ...] = ()  # child tables deleted with the record
    case_insensitive: bool = False


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("customer_category", m.CustomerCategory, "code", N_("Customer category")),
        Entity("customer_group", m.CustomerGroup, "name", N_("Customer group"), case_insensitive=True),
        Entity("sales_person", m.SalesPerson, "code", N_("Sales person")),
        Entity("customer", m.Customer, "code", N_("Customer"), owned=("customer_location",)),
        Entity("item", m.Item, "code", N_("Item")),
        Entity("supplier", m.Supplier, "code", N_("Supplier")),
        Entity("account", m.Account, "code", N_("Account"), permission="setup"),
        Entity("cost_centre", m.CostCentre, "code", N_("Cost centre")),
        Entity("location", m.Location, "code", N_("Location"), permission="setup"),
        Entity("promotion", m.Promotion, "scheme_no", N_("Sales promotion"), owned=("promotion_range", "promotion_location")),
        Entity("promotion_reason", m.PromotionReason, "code", N_("Promotion reason")),
        Entity("discount_slab", m.DiscountSlab, "doc_no", N_("Discount slab"),
               owned=("discount_slab_range", "discount_slab_location")),
        Entity("loyalty_card", m.LoyaltyCard, "name", N_("Loyalty card"), owned=("loyalty_card_category",),
               case_insensitive=True),
    )
}

#: The records of each master, as a refusal names them ("Customers needs a manager; …").
PLURALS = {
    "customer_category": N_("Customer categories"), "customer_group": N_("Customer groups"),
    "sales_person": N_("Sales persons"), "customer": N_("Customers"), "item": N_("Items"),
    "supplier": N_("Suppliers"), "account": N_("Accounts"), "cost_centre": N_("Cost centres"),
    "location": N_("Locations"), "promotion": N_("Sales promotions"), "discount_slab": N_("Discount slabs"),
    "loyalty_card": N_("Loyalty cards"),
}

#: Entities with history but no inactive flag / no user-facing code: looked up by id.
HISTORY_ONLY: dict[str, type[SQLModel]] = {
    "price": m.Price,
    "batch": m.Batch,
    "shop_setup": m.ShopSetup,
    "sales_target": m.SalesTarget,
    "exchange_rate": m.ExchangeRate,
    "user": m.User,
}

_TABLE_WORDS = {
    "document": "documents",
    "document_line": "document lines",
    "journal_line": "journal entries",
    "journal_voucher": "journal vouchers",
    "account_day": "journal entries",  # running balances: there only with journal lines
    "ledger_entry": "ledger entries",
    "stock_move": "stock moves",
    "stock_balance": "stock moves",  # on hand per batch: there only with stock moves
    "price": "prices",
    "batch": "batches",
    "customer": "customers",
    "customer_location": "customer locations",
    "shop_setup": "shop setups",
    "loyalty_transaction": "loyalty points",
    "promotion": "sales promotions",
    "promotion_location": "sales promotions",
    "discount_slab_location": "discount slabs",
    "sales_target": "sales targets",
    "shop_day": "shop days",
    "user": "users",
    "number_sequence": "document numbers",
    "match": "matches",
}


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise ValidationError("unknown master {name!r}; one of {names}", field="entity",
            params={"name": name, "names": ', '.join(sorted(ENTITIES))}) from None


def find(session: Session, ent: Entity, key: Any) -> SQLModel | None:
    attr = getattr(ent.model, ent.key)
    raw = str(key or "").strip()
    if ent.case_insensitive:
        return session.exec(select(ent.model).where(func.lower(attr) == " ".join(raw.split()).lower())).first()
    return session.exec(select(ent.model).where(attr == raw.upper())).first()


_LOCATION_OF_CODE = sa_select(m.Location).where(m.Location.code == bindparam("code"))  # built once
_FIRST_ACTIVE_LOCATION = sa_select(m.Location).where(m.Location.inactive == False).order_by(m.Location.number)  # noqa: E712
# the same three reads as plain rows (the columns as attributes), on the DB-API cursor
_LOC = m.Location.__table__
_LOCATION_ROW_OF_CODE = MasterRead(sa_select(_LOC).where(_LOC.c.code == bindparam("code")))
_LOCATION_ROW_OF_ID = MasterRead(sa_select(_LOC).where(_LOC.c.id == bindparam("id")))
_FIRST_ACTIVE_LOCATION_ROW = MasterRead(sa_select(_LOC).where(_LOC.c.inactive.is_(False)).order_by(_LOC.c.number).limit(1))


def find_location(session: Session, code: str | None, actor: Actor | None = None, *, row: bool = False) -> m.Location:
    """The location by code; without a code, the actor's location, else the first one. (Here rather than in
    cash.day: a ledger report's letterhead needs it without importing the till's services.)

    ``row=True`` gives it as a plain read-only row (its columns as attributes, no ORM object: ≈ 0.1 ms less
    on a posting), for a caller that only reads it — the invoice's build."""
    if row:
        by_code = lambda c: _LOCATION_ROW_OF_CODE.first_named(session, {"code": c})  # noqa: E731
        by_id = lambda i: _LOCATION_ROW_OF_ID.first_named(session, {"id": i})  # noqa: E731
        first = lambda: _FIRST_ACTIVE_LOCATION_ROW.first_named(session)  # noqa: E731
    else:
        by_code = lambda c: session.execute(_LOCATION_OF_CODE, {"code": c}).scalars().first()  # noqa: E731
        by_id = lambda i: session.get(m.Location, i)  # noqa: E731
        first = lambda: session.execute(_FIRST_ACTIVE_LOCATION).scalars().first()  # noqa: E731
    return location_by(code, actor, by_code, by_id, first)


def resolve_customer(session: Session, customer: int | str | m.Customer) -> m.Customer:
    """A customer by id, by code (case-insensitive) or as given."""
    if isinstance(customer, m.Customer):
        return customer
    return customer_by(
        customer,
        by_code=lambda code: session.execute(sa_select(m.Customer).where(m.Customer.code == code)).scalars().first(),
        by_id=lambda cid: session.get(m.Customer, cid))


def readers(entity_name: str, to_info: Callable[[Any], Any], search_cols: Sequence[Any], order: Any
            ) -> tuple[Callable[..., Any], Callable[..., Page]]:
    """The ``get_<x>`` and ``list_<x>`` of a master shown as it is stored, declared in its class body:
    one record by its key (unknown: refused), and a page of the list (status filter, search over
    ``search_cols``, ordered by ``order``). ``to_info(row)`` makes the view of a row."""
    ent = ENTITIES[entity_name]

    def get(self: "MastersBase", key: str) -> Any:
        return self._get(entity_name, key, to_info, field=ent.key)

    def list_(self: "MastersBase", *, search: str = "", status: str = "active", limit: int = 100,
              offset: int = 0) -> Page:
        return self._list(ent.model, to_info, search, status, limit, offset, search_cols, order)

    get.__doc__ = f"One {entity_name} by its {ent.key}."
    list_.__doc__ = f"A page of the {entity_name} list: status filter, search, paging."
    return get, list_


def get_or_404(session: Session, ent: Entity, key: Any, *, field: str | None = None) -> Any:
    row = find(session, ent, key)
    if row is None:
        raise NotFound("{label} {key} not found", field=field or ent.key,
            params={"label": _(ent.label), "key": str(key or '').strip()})
    return row


def usage(session: Session, ent: Entity, row_id: int) -> list[str]:
    """Where a record is referenced (table words), ignoring the child rows it owns."""
    table = ent.model.__table__
    used: list[str] = []
    for other in SQLModel.metadata.sorted_tables:
        if other.name in ent.owned:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            hit = session.execute(sa_select(literal(1)).select_from(other).where(fk.parent == row_id).limit(1)).first()
            if hit is not None:
                word = _TABLE_WORDS.get(other.name, other.name.replace("_", " "))
                if word not in used:
                    used.append(word)
    return sorted(used)


class MastersBase:
    """What every part of the masters service shares: the services object and transactions."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    @contextmanager
    def _write(self, actor: Actor, permission: str, what: str) -> Iterator[Session]:
        actor.require(permission, what)
        with self.db.write() as session:
            yield session

    # -- references (by code or name) used by several masters ---------------
    @staticmethod
    def ref(session: Session, model: type[SQLModel], value: Any, *, field: str, label: str,
             by: tuple[str, ...] = ("code",), active: bool = True, required: bool = True) -> Any:
        raw = optional_ref(value)
        if raw is None:
            if required:
                raise ValidationError("{label} is required", field=field, params={"label": _(label)})
            return None
        row = None
        for attr in by:
            column = getattr(model, attr)
            if attr == "code":
                row = session.exec(select(model).where(column == raw.upper())).first()
            else:
                row = session.exec(select(model).where(func.lower(column) == " ".join(raw.split()).lower())).first()
            if row is not None:
                break
        if row is None:
            raise NotFound("{label} {raw} not found", field=field, params={"label": _(label), "raw": raw})
        if active and getattr(row, "inactive", False):
            raise InactiveRecord("{label} {raw} is inactive", field=field, params={"label": _(label), "raw": raw})
        return row

    def ref_location(self, session: Session, value: Any, *, field: str = "location", active: bool = True) -> m.Location:
        return self.ref(session, m.Location, value, field=field, label=N_("Location"), active=active)

    def ref_item(self, session: Session, value: Any, *, field: str = "item", active: bool = True) -> m.Item:
        return self.ref(session, m.Item, value, field=field, label=N_("Item"), active=active)

    def ref_account(self, session: Session, value: Any, *, field: str, label: str = "Account",
                 active: bool = True) -> m.Account:
        return self.ref(session, m.Account, value, field=field, label=label, active=active)

    def ref_sales_person(self, session: Session, value: Any, *, field: str = "sales_person", required: bool = True,
                      active: bool = True) -> m.SalesPerson | None:
        if required and optional_ref(value) is None and session.execute(
                sa_select(m.SalesPerson.id).where(m.SalesPerson.inactive.is_(False)).limit(1)).first() is None:
            # a fresh shop: say where to add one (as the invoice does), not a bare "is required"
            raise ValidationError("No sales person yet: a manager adds one in Masters → Sales Person", field=field)
        return self.ref(session, m.SalesPerson, value, field=field, label=N_("Sales person"), active=active,
                         required=required)

    def ref_cost_centre(self, session: Session, value: Any, *, field: str = "cost_centre",
                     required: bool = True) -> m.CostCentre | None:
        return self.ref(session, m.CostCentre, value, field=field, label=N_("Cost centre"), required=required)

    @staticmethod
    def _unique(session: Session, model: type[SQLModel], attr: str, value: str, *, exclude_id: int | None,
                message: str, field: str, case_insensitive: bool = False, params: dict | None = None) -> None:
        column = getattr(model, attr)
        cond = func.lower(column) == value.lower() if case_insensitive else column == value
        stmt = select(model).where(cond)
        if exclude_id is not None:
            stmt = stmt.where(col(model.id) != exclude_id)
        if session.exec(stmt).first() is not None:
            from ..errors import Duplicate

            raise Duplicate(message, field=field, params=params)

    def _get(self, entity_name: str, key: str, to_info: Callable[..., Any], *, field: str = "code",
             with_session: bool = False) -> Any:
        """One record's view by its key (``to_info(row)``, or ``to_info(session, row)`` with ``with_session``);
        an unknown key is refused naming ``field``."""
        with self.db.read() as session:
            row = get_or_404(session, ENTITIES[entity_name], key, field=field)
            return to_info(session, row) if with_session else to_info(row)

    @staticmethod
    def _saved(session: Session, actor: Actor, entity_name: str, row: Any, created: bool, before: dict | None,
               summary: str) -> tuple[Any, bool]:
        """Write ``row`` and the audit row of its creation (``created``) or change; returns ``(row, created)``."""
        session.add(row)
        session.flush()
        audit.record(session, actor, "create" if created else "update", entity_name, row.id, before=before, after=row,
                     summary=summary)
        return row, created

    @staticmethod
    def _known_fields(changes: dict[str, Any], allowed: Iterable[str], message: str) -> None:
        """Refuse a change to a field the record does not have: ``message`` (an ``N_`` id with ``{unknown}``)
        names the first such field."""
        unknown = sorted(set(changes) - set(allowed))
        if unknown:
            raise ValidationError(message, field=unknown[0], params={"unknown": unknown[0]})

    def _list(self, model, to_info, search: str, status: str, limit: int, offset: int, search_cols, order,
              conds: Sequence[Any] = (), *, with_session: bool = False) -> Page:
        """A list view: status filter, search over ``search_cols``, ``conds``, ordered, one page.

        ``to_info(row)`` (or ``to_info(session, row)`` with ``with_session``) makes each view row.
        """
        status = check_status(status)
        limit, offset = check_paging(limit, offset)
        conds = list(conds)
        if status != "all":
            conds.append(model.inactive == (status == "inactive"))
        q = (search or "").strip()
        if q:
            pat = like(q)
            conds.append(or_(*[col(c).ilike(pat, escape="\\") for c in search_cols]))
        with self.db.read() as session:
            total = session.execute(sa_select(func.count()).select_from(model).where(*conds)).scalar_one()
            rows = session.exec(select(model).where(*conds).order_by(order, model.id).limit(limit).offset(offset)).all()
            make = (lambda r: to_info(session, r)) if with_session else to_info
            return Page(tuple(make(r) for r in rows), total, limit, offset)

    @staticmethod
    def _next_serial(session: Session, model: type[SQLModel], attr: str, prefix: str, width: int = 6) -> str:
        """``prefix`` + the number after the largest ``prefix``+digits value, same width (in a write transaction)."""
        column = getattr(model, attr)
        best, best_width = 0, width
        for (value,) in session.execute(sa_select(column).where(column.like(f"{prefix}%"))).all():
            rest = value[len(prefix):]
            if rest.isdigit() and int(rest) >= best:
                best, best_width = int(rest), len(rest)  # keep the numbering's width (DS0001 → DS0002)
        return f"{prefix}{best + 1:0{best_width}d}"


__all__ = [
    "CodedInfo", "ENTITIES", "Entity", "HISTORY_ONLY", "MastersBase", "PRICE_CATEGORIES", "Page", "amount",
    "check_paging", "check_status", "choice", "code", "date_of", "digits", "email_of", "entity", "find", "flag",
    "get_or_404", "integer", "like", "markup", "optional_ref", "percent", "phone_of", "quantity", "readers", "resolve_customer",
    "text", "usage",
]
