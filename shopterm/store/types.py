"""Scaled-integer column types.

Money, quantities, rates and percentages are stored as integers
(amount × 100, qty × 1000, rate × 10⁶, percent × 10⁴; DESIGN §3) so that
``SUM()`` in SQL is exact and fast, on SQLite and PostgreSQL alike. Python sees
:class:`~decimal.Decimal` only; a value with more precision than its column
holds is refused rather than silently rounded.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from .convert import from_scaled as _from_scaled_value, scaled_bind, scaled_result, to_scaled, utc_in, utc_out

from .convert import MAX_INTEGER  # noqa: F401  (re-exported)


class _Scaled(TypeDecorator):
    impl = BigInteger
    cache_ok = True
    scale: int = 2

    def process_bind_param(self, value, dialect):
        return to_scaled(value, self.scale)

    def process_result_value(self, value, dialect):
        return _from_scaled_value(value, self.scale)

    def bind_processor(self, dialect):
        """:func:`~shopterm.store.convert.to_scaled` as the driver's processor (the plain ``sqlite3`` path of
        the read commands uses the same function)."""
        if self.impl_instance.bind_processor(dialect) is not None:  # pragma: no cover - no such driver here
            return super().bind_processor(dialect)
        return scaled_bind(self.scale)

    def result_processor(self, dialect, coltype):
        """:func:`~shopterm.store.convert.scaled_result`: an integer's Decimal moved ``scale`` places."""
        if self.impl_instance.result_processor(dialect, coltype) is not None:  # pragma: no cover - no such driver
            return super().result_processor(dialect, coltype)
        return scaled_result(self.scale)

    @property
    def python_type(self):
        return Decimal


class MoneyType(_Scaled):
    """An amount with 2 decimals (× 100)."""

    scale = 2
    cache_ok = True  # SQLAlchemy looks for it on each class, not inherited


class QtyType(_Scaled):
    """A quantity with 3 decimals (× 1000)."""

    scale = 3
    cache_ok = True  # SQLAlchemy looks for it on each class, not inherited


class RateType(_Scaled):
    """An exchange rate, CDF per USD, with 6 decimals (× 10⁶)."""

    scale = 6
    cache_ok = True  # SQLAlchemy looks for it on each class, not inherited


class PctType(_Scaled):
    """A percentage with 4 decimals (× 10⁴)."""

    scale = 4
    cache_ok = True  # SQLAlchemy looks for it on each class, not inherited


def from_scaled(value: int | None, scale: int) -> Decimal:
    """Turn a raw scaled integer (e.g. from ``SUM()``) back into a Decimal."""
    return Decimal(int(value or 0)).scaleb(-scale).quantize(Decimal(1).scaleb(-scale))


def utc_now():
    """Now, in UTC (the default of every ``created_at``/``updated_at``)."""
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A time stored in UTC and read back aware, in UTC: SQLModel's type of the models' ``datetime`` fields
    (``sqlmodel.sql.sqltypes.UTCDateTime``), for the Core tables of :mod:`shopterm.store.tables`, which
    load without SQLModel. The same binding and reading; tests/store/test_tables.py checks both."""

    from sqlalchemy.types import DateTime as impl  # noqa: N813

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def __repr__(self) -> str:
        return "UTCDateTime()"

    def coerce_compared_value(self, op, value):
        import datetime as dt

        if isinstance(value, dt.timedelta):
            from sqlalchemy.types import Interval

            return Interval()
        return self

    def process_bind_param(self, value, dialect):
        return utc_in(value)

    def process_result_value(self, value, dialect):
        return utc_out(value)
