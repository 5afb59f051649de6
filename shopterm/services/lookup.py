"""How a customer or a location named by a person is found: one rule, whatever reads the rows.

The masters and the documents read them as ORM objects or plain rows through the session; the
ledger's read path reads them as Core rows without the ORM (``ledger.reports``). Both give the
same answer and the same refusals because both go through these two functions, handing in how to
read one row by code, by id, or the first active one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..store.convert import MAX_INTEGER
from .errors import NotFound, ValidationError

if TYPE_CHECKING:
    from .context import Actor


def customer_by(customer: int | str, by_code: Callable[[str], Any], by_id: Callable[[int], Any]) -> Any:
    """A customer by id, by code (case-insensitive), or by its id typed as text; refused when unknown."""
    if isinstance(customer, int):
        row = by_id(customer) if 0 < customer <= MAX_INTEGER else None
    else:
        text = str(customer or "").strip()
        if not text:
            raise ValidationError("Customer is required", field="customer")
        row = by_code(text.upper())
        if row is None and text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_INTEGER:
            row = by_id(int(text))
    if row is None:
        raise NotFound("Customer {customer} not found", field="customer", params={"customer": str(customer)[:40]})
    return row


def location_by(code: str | None, actor: "Actor | None", by_code: Callable[[str], Any],
                by_id: Callable[[int], Any], first_active: Callable[[], Any]) -> Any:
    """The location by code; without a code, the actor's location, else the first active one."""
    if code:
        code = code.strip().upper()
        row = by_code(code)
        if row is None:
            raise NotFound("Location {code} not found", field="location", params={"code": code})
        return row
    if actor is not None and actor.location_id:
        row = by_id(actor.location_id)
        if row is not None:
            return row
    row = first_active()
    if row is None:
        raise NotFound("No location: run shopterm init first", field="location")
    return row
