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

#: The largest row id or count an INTEGER column holds on both stores (PostgreSQL's
#: ``integer`` is 32-bit; SQLite would take more). A bigger number asked for is
#: simply not there: callers answer "not found" or "too large" before any query.
MAX_INTEGER = 2_147_483_647


class _Scaled(TypeDecorator):
    impl = BigInteger
    cache_ok = True
    scale: int = 2

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("float is not accepted for a scaled column; use Decimal")
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale).quantize(Decimal(1).scaleb(-self.scale))

    def bind_processor(self, dialect):
        """:meth:`process_bind_param` as the driver's processor, with a short way for the common value
        (a Decimal that fits the scale: every posted figure); anything else takes the full checks."""
        if self.impl_instance.bind_processor(dialect) is not None:  # pragma: no cover - no such driver here
            return super().bind_processor(dialect)
        scale, full = self.scale, self.process_bind_param

        def process(value):
            if value.__class__ is Decimal and value.is_finite():
                scaled = value.scaleb(scale)
                whole = int(scaled)  # toward zero: equal only when nothing past the scale was cut
                if whole == scaled:
                    return whole
            return full(value, dialect)

        return process

    def result_processor(self, dialect, coltype):
        """:meth:`process_result_value` in one step: an integer's Decimal moved ``scale`` places already
        has the column's exponent (``1250`` → ``12.50``, ``0`` → ``0.00``; a BIGINT has at most 19
        digits, well inside the context's 28), so no ``quantize`` is needed."""
        if self.impl_instance.result_processor(dialect, coltype) is not None:  # pragma: no cover - no such driver
            return super().result_processor(dialect, coltype)
        places = -self.scale

        def process(value):
            return None if value is None else Decimal(int(value)).scaleb(places)

        return process

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
        import datetime as dt

        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("Datetime values must have timezone information. Use datetime.now(timezone.utc), "
                             "or annotate the field with NaiveDatetime for naive storage.")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        import datetime as dt

        if value is None:
            return None
        if value.utcoffset() is None:  # databases without time zones store UTC without an offset
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)
