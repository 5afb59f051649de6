"""What a sales document looks like before it is posted: the draft.

A :class:`DocumentDraft` is the header and item grid as the user typed them —
codes, not ids; amounts as ``Decimal`` or as the strings typed — so the same
shape serves the screens, the headless ``shopterm post`` and the tests, and a
saved draft can be reopened exactly as it was left (DESIGN §1: bad input
"loses nothing the user already typed"). Sales orders, proformas, invoices,
provisional invoices and returns share it; ``doc_type`` says which.

A draft is stored as a numberless ``document`` row with status ``draft`` whose
``extra["draft"]`` holds :func:`draft_to_dict`; nothing here touches the
database. The approver's PIN is never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

from ...core.draft_line import DraftLine, Number, is_blank_value


class ItemQtyRow:
    """A grid row of a form whose lines name an item and a quantity (delivery note, returns): blank —
    ignored — when both are empty. Mixed into the row's dataclass."""

    __slots__ = ()
    item: str
    qty: Number

    def is_blank(self) -> bool:
        return not (self.item or "").strip() and is_blank_value(self.qty)


@dataclass(slots=True)
class DocumentDraft:
    """A sales document as typed. Empty/None fields take the screen's defaults:

    - ``location``: the actor's location (else the first one); ``date``: the business date;
    - ``sales_type``: ``cash`` for a cash customer, ``credit`` otherwise;
    - ``rate``: the system rate on ``date``; ``sales_person``: the customer's;
    - ``contact_no``: the customer's mobile;
    - ``flat_discount_type``/``flat_discount_value`` both empty: the discount slab applies;
    - ``tax_exempt`` is also true when the customer is tax-exempt.
    """

    location: str | None = None
    doc_type: str = "SI"
    date: dt.date | str | None = None
    customer: str = ""
    sales_type: str | None = None  # cash | credit
    currency: str = "USD"
    rate: Number = None
    sales_person: str | None = None
    contact_no: str = ""
    additional_price_pct: Number = "0"
    agent_commission: bool = False
    free_offer: bool = False
    print_usd: bool = False
    tax_exempt: bool = False
    flat_discount_type: str | None = None  # percent | amount | None
    flat_discount_value: Number = None
    narration: str = ""
    order: str | None = None  # SO/PF number this invoice converts
    invoice_type: str = "DIRECT"
    redemption_points: Number = None  # loyalty points redeemed on an SI/PI (None or 0: none)
    lines: list[DraftLine] = field(default_factory=list)
    approver: str | None = None
    approver_pin: str | None = None




def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def draft_to_dict(draft: DocumentDraft) -> dict:
    """JSON-safe dict of a draft (Decimals and dates as strings; no approver PIN)."""
    out = {}
    for f in fields(DocumentDraft):
        if f.name in ("lines", "approver_pin"):
            continue
        out[f.name] = _plain(getattr(draft, f.name))
    out["lines"] = [{k: _plain(v) for k, v in asdict(line).items()} for line in draft.lines]
    return out


def draft_from_dict(data: dict) -> DocumentDraft:
    """The inverse of :func:`draft_to_dict` (unknown keys are ignored: older drafts still open)."""
    names = {f.name for f in fields(DocumentDraft)} - {"lines", "approver_pin"}
    kw = {k: v for k, v in data.items() if k in names}
    if isinstance(kw.get("date"), str) and kw["date"]:
        kw["date"] = dt.date.fromisoformat(kw["date"])
    line_names = {f.name for f in fields(DraftLine)}
    lines = [DraftLine(**{k: v for k, v in row.items() if k in line_names}) for row in data.get("lines", [])]
    return DocumentDraft(**kw, lines=lines)


__all__ = ["DocumentDraft", "DraftLine", "draft_from_dict", "draft_to_dict"]

