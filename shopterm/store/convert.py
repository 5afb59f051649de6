"""How a value goes into a column and comes back out: the one definition, standard library only.

The column types (:mod:`shopterm.store.types`: the scaled figures and UTC times) call these, and so
does the plain ``sqlite3`` path of the read commands (:mod:`shopterm.store.sqlrun`), which runs
statements compiled ahead (:mod:`shopterm.store.compiled_sqlite`): a figure is read one way, whichever
path reads it. :data:`BIND` and :data:`RESULT` name the converters the generated module refers to; the
standard types' converters are SQLite's as SQLAlchemy's SQLite dialect has them (tests/store/
test_compiled_sql.py checks each against SQLAlchemy's own on sample values).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Callable

UTC = dt.timezone.utc

#: The largest row id or count an INTEGER column holds on both stores (PostgreSQL's
#: ``integer`` is 32-bit; SQLite would take more). A bigger number asked for is
#: simply not there: callers answer "not found" or "too large" before any query.
MAX_INTEGER = 2_147_483_647


# ---------------------------------------------------------------- scaled integers (DESIGN §3)


def to_scaled(value: Any, scale: int) -> int | None:
    """A Decimal (or int) as the integer stored: ``12.50`` at scale 2 → ``1250``. A float, or more
    decimals than the scale holds, is refused (never rounded)."""
    if value is None:
        return None
    if value.__class__ is Decimal:  # the common case: a Decimal that fits
        scaled = value.scaleb(scale)
        if scaled == scaled.to_integral_value():
            return int(scaled)
    if isinstance(value, float):
        raise TypeError("float is not accepted for a scaled column; use Decimal")
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    scaled = value.scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {scale} decimal places")
    return int(scaled)


def from_scaled(value: Any, scale: int) -> Decimal | None:
    """The stored integer as a Decimal with exactly ``scale`` places (``1250`` → ``12.50``, ``0`` →
    ``0.00``: a BIGINT has at most 19 digits, inside the context's 28, so no ``quantize`` is needed)."""
    return None if value is None else Decimal(int(value)).scaleb(-scale)


def scaled_bind(scale: int) -> Callable[[Any], int | None]:
    """:func:`to_scaled` as a driver's processor, with a short way for the common value (a finite Decimal
    that fits the scale: every posted figure); anything else takes the full checks."""

    def process(value):
        if value.__class__ is Decimal and value.is_finite():
            scaled = value.scaleb(scale)
            whole = int(scaled)  # toward zero: equal only when nothing past the scale was cut
            if whole == scaled:
                return whole
        return to_scaled(value, scale)

    return process


def scaled_result(scale: int) -> Callable[[Any], Decimal | None]:
    places = -scale
    return lambda value: None if value is None else Decimal(int(value)).scaleb(places)


# ---------------------------------------------------------------- times in UTC


def utc_in(value: dt.datetime | None) -> dt.datetime | None:
    """A time to store: aware, moved to UTC (a naive one is refused, as SQLModel refuses it)."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ValueError("Datetime values must have timezone information. Use datetime.now(timezone.utc), "
                         "or annotate the field with NaiveDatetime for naive storage.")
    return value.astimezone(UTC)


def utc_out(value: dt.datetime | None) -> dt.datetime | None:
    """A time read back: aware, in UTC (a store without zones gives UTC without an offset)."""
    if value is None:
        return None
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# ---------------------------------------------------------------- SQLite's text forms (SQLAlchemy's SQLite dialect)


def sqlite_date_in(value: dt.date | None) -> str | None:
    return None if value is None else "%04d-%02d-%02d" % (value.year, value.month, value.day)


def sqlite_date_out(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def sqlite_datetime_in(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (value.year, value.month, value.day, value.hour, value.minute,
                                                   value.second, value.microsecond)


def sqlite_datetime_out(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=None)


def sqlite_utc_in(value: dt.datetime | None) -> str | None:
    return sqlite_datetime_in(utc_in(value))


def sqlite_utc_out(value: str | None) -> dt.datetime | None:
    return utc_out(sqlite_datetime_out(value))


def bool_in(value: Any) -> int | None:
    if value is None:
        return None
    if value not in (True, False):  # 0 and 1 are True and False here
        raise TypeError(f"Not a boolean value: {value!r}")
    return int(value)


def bool_out(value: Any) -> bool | None:
    return None if value is None else bool(value)


def json_in(value: Any) -> str:
    """JSON text (``None`` is JSON ``null``, as SQLAlchemy's JSON stores it unless ``none_as_null``)."""
    return json.dumps(value)


def json_out(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(value) if isinstance(value, (str, bytes)) else value


#: Converters by the name the generated statements give (SQLite).
BIND: dict[str, Callable[[Any], Any]] = {
    "money": scaled_bind(2), "qty": scaled_bind(3), "rate": scaled_bind(6), "pct": scaled_bind(4),
    "date": sqlite_date_in, "datetime": sqlite_datetime_in, "utc": sqlite_utc_in, "bool": bool_in, "json": json_in,
}
RESULT: dict[str, Callable[[Any], Any]] = {
    "money": scaled_result(2), "qty": scaled_result(3), "rate": scaled_result(6), "pct": scaled_result(4),
    "date": sqlite_date_out, "datetime": sqlite_datetime_out, "utc": sqlite_utc_out, "bool": bool_out,
    "json": json_out,
}
