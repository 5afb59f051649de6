"""Values as JSON holds them, exactly: a ``Decimal`` as its string (``"2.50"``, never a float),
a date or datetime in ISO 8601, a dataclass as a dict of its fields, a tuple as a list —
recursively. Audit rows, saved drafts and the headless replies all store what this gives."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any


def plain(value: Any, *, refuse_float: bool = False) -> Any:
    """``value`` with every Decimal, date and dataclass in it made JSON-safe (see the module doc).

    ``refuse_float``: a float raises ``TypeError`` rather than reach a reply as a rounded figure."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v, refuse_float=refuse_float) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, refuse_float=refuse_float) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), refuse_float=refuse_float) for f in fields(value)}
    if refuse_float and isinstance(value, float):
        raise TypeError(f"float in a result: {value!r}")
    return value
