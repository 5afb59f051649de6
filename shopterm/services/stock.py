"""Stock: the stock receipt (GRN), on-hand and reserved quantities, batches (DESIGN §6).

Current stock is the sum of ``stock_move`` rows (``+`` in, ``−`` out) per item,
location and batch, kept per (item, location, batch) in ``stock_balance`` by the posting
(``store.balances.add_moves``) in the same transaction; the checks read that. Reserved stock is what posted sales orders, proformas and
provisional invoices still hold (``qty − qty_done``). Batches are sold first
expiry first (FEFO); an expired batch cannot be sold; selling more than a batch
holds is refused.

The query helpers take the caller's session so that posting services check
stock inside their own write transaction; :meth:`StockService.item_stock` is
the session-less convenience for the item grid.

Stock enters through :meth:`StockService.receive` (doc type ``GR``): it posts
the stock moves and the inventory journal Dr 1300 Inventory / Cr 1900 Head
office current account at quantity × cost (USD).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ..core.journal import HEAD_OFFICE, INVENTORY, credit, debit
from ..core.money import MoneyError, format_amount, format_qty, parse_amount, parse_qty, q2
from ..store.db import Prepared
from ..store.models import Batch, Document, DocumentLine, Item, Location, StockBalance, Supplier
from .admin import audit
from .context import Actor
from .headless import Fields, handler
from .errors import ExpiredBatch, InactiveRecord, InsufficientStock, NotFound, ValidationError
from .documents.posting import PostingPlan, PostResult, StockSpec
from .masters.base import free_text
from ..core.units import check_qty_for_unit

if TYPE_CHECKING:
    from . import Services

ZERO_QTY = Decimal("0.000")
RESERVING_TYPES = ("SO", "PF", "PI")
RECEIPT_LINE_KEYS = frozenset({"item", "batch", "qty", "cost_usd", "expiry", "supplier_batch", "mfg_date"})


@dataclass(frozen=True, slots=True)
class BatchStock:
    batch_id: int
    code: str
    expiry: dt.date | None
    qty: Decimal
    expired: bool = False  # expiry before the date asked about


@dataclass(frozen=True, slots=True)
class ItemStock:
    item_code: str
    current: Decimal
    reserved: Decimal
    available: Decimal
    batches: tuple[BatchStock, ...]  # with stock, FEFO order


def is_expired(batch: Batch, on: dt.date) -> bool:
    """A batch may be sold up to and including its expiry date."""
    return batch.expiry is not None and batch.expiry < on


def _qty(value: Decimal | None) -> Decimal:
    return ZERO_QTY if value is None else value


# ---------------------------------------------------------------- queries (caller's session)


def on_hand(session: Session, item_id: int, location_id: int, batch_id: int | None = None) -> Decimal:
    """From the maintained balances (``stock_balance``: one row per batch), not a sum of the moves."""
    stmt = sa_select(func.sum(StockBalance.qty)).where(StockBalance.item_id == item_id,
                                                        StockBalance.location_id == location_id)
    if batch_id is not None:
        stmt = stmt.where(StockBalance.batch_id == batch_id)
    return _qty(session.execute(stmt).scalar())


def on_hand_of_batches(session: Session, location_id: int, batches: "dict[int, int]") -> dict[int, Decimal]:
    """On-hand quantity of each batch (``{batch_id: item_id}``) at the location: one row each from the
    maintained balances; a batch with no move holds 0."""
    ids = sorted(batches)
    if not ids:
        return {}
    held = {i: ZERO_QTY for i in ids}
    rows = _HELD_OF_BATCHES.all(session, {"items": sorted(set(batches.values())), "loc": location_id,
                                          "batches": ids})
    held.update({bid: _qty(q) for bid, q in rows})
    return held


# The posting's stock reads, compiled once (store.db.Prepared: each call only binds its ids)
_HELD_OF_BATCHES = Prepared(sa_select(StockBalance.batch_id, func.sum(StockBalance.qty))
                            .where(StockBalance.item_id.in_(bindparam("items", expanding=True)),
                                   StockBalance.location_id == bindparam("loc"),
                                   StockBalance.batch_id.in_(bindparam("batches", expanding=True)))
                            .group_by(StockBalance.batch_id))
_HELD_OF_ITEMS = Prepared(sa_select(StockBalance.item_id, func.sum(StockBalance.qty))
                          .where(StockBalance.item_id.in_(bindparam("items", expanding=True)),
                                 StockBalance.location_id == bindparam("loc"))
                          .group_by(StockBalance.item_id))


def reserved(session: Session, item_id: int, location_id: int) -> Decimal:
    """Posted (not cancelled) orders, proformas and provisional invoices not yet invoiced/delivered."""
    stmt = (
        sa_select(func.sum(DocumentLine.qty), func.sum(DocumentLine.qty_done))
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            DocumentLine.item_id == item_id,
            Document.location_id == location_id,
            Document.doc_type.in_(RESERVING_TYPES),
            Document.status == "posted",
        )
    )
    qty, done = session.execute(stmt).one()
    return max(_qty(qty) - _qty(done), ZERO_QTY)


def batches(session: Session, item_id: int, location_id: int, on: dt.date | None = None) -> list[BatchStock]:
    """Batches of the item holding stock at the location, first expiry first (no expiry last)."""
    stmt = (
        sa_select(Batch.id, Batch.code, Batch.expiry, StockBalance.qty)
        .join(StockBalance, StockBalance.batch_id == Batch.id)
        .where(StockBalance.item_id == item_id, StockBalance.location_id == location_id)
    )
    rows = [r for r in session.execute(stmt).all() if r[3] is not None and r[3] > 0]
    rows.sort(key=lambda r: (r[2] is None, r[2] or dt.date.max, r[1]))
    return [
        BatchStock(r[0], r[1], r[2], r[3], expired=on is not None and r[2] is not None and r[2] < on) for r in rows
    ]


def default_batch(session: Session, item_id: int, location_id: int, on: dt.date) -> BatchStock | None:
    """The batch the grid proposes: the first not expired on ``on`` that holds stock."""
    for b in batches(session, item_id, location_id, on):
        if not b.expired:
            return b
    return None


def check_batch(session: Session, item: Item, batch: Batch, location: Location, qty: Decimal, on: dt.date,
                held: Decimal | None = None) -> Decimal:
    """Refuse an expired batch or more than it holds; returns what the batch holds.

    ``held``: the batch's on-hand quantity when the caller already read it (:func:`on_hand_of_batches`)."""
    if is_expired(batch, on):
        raise ExpiredBatch("Batch {code} of {item_code} expired on {expiry}", field="batch",
                           item=item.code, batch=batch.code,
            params={"code": batch.code, "item_code": item.code, "expiry": batch.expiry})
    if held is None:
        held = on_hand(session, item.id, location.id, batch.id)
    if qty > held:
        raise InsufficientStock(
            "Insufficient stock: batch {code} of {item_code} holds {held}, {qty} asked",
            field="qty", item=item.code, batch=batch.code, held=held,
            params={"code": batch.code, "item_code": item.code, "held": format_qty(held), "qty": format_qty(qty)},
        )
    return held


# ---------------------------------------------------------------- available = on hand − reserved


@dataclass(frozen=True, slots=True)
class StockAsk:
    """A quantity a document takes or reserves: of an item, from a batch when one is named."""

    item: Item
    batch: Batch | None
    qty: Decimal
    line: int | None = None  # the document line, for the message's details


def on_hand_of_items(session: Session, location_id: int, item_ids: "set[int] | list[int]") -> dict[int, Decimal]:
    """On-hand quantity of each item at the location: one grouped query over its batches' maintained balances."""
    ids = sorted(set(item_ids))
    held = {i: ZERO_QTY for i in ids}
    if ids:
        held.update({iid: _qty(q) for iid, q in _HELD_OF_ITEMS.all(session, {"items": ids, "loc": location_id})})
    return held


def reservations(session: Session, location_id: int, item_ids: "set[int] | list[int]", *,
                 own_documents: "set[int] | tuple[int, ...]" = ()) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """What posted orders, proformas and provisional invoices still hold (``qty − qty_done``) at the
    location, other than ``own_documents``: ``({item_id: qty}, {batch_id: qty})`` — a line naming a batch
    counts on its item and on its batch. One grouped query."""
    ids = sorted(set(item_ids))
    per_item: dict[int, Decimal] = {i: ZERO_QTY for i in ids}
    per_batch: dict[int, Decimal] = {}
    if not ids:
        return per_item, per_batch
    own = sorted(set(own_documents))
    params = {"loc": location_id, "items": ids, "own": own} if own else {"loc": location_id, "items": ids}
    for item_id, batch_id, qty, done in (_RESERVED_BUT_OWN if own else _RESERVED).all(session, params):
        qty = _qty(qty) - _qty(done)
        per_item[item_id] = per_item.get(item_id, ZERO_QTY) + qty
        if batch_id is not None:
            per_batch[batch_id] = per_batch.get(batch_id, ZERO_QTY) + qty
    return per_item, per_batch


def _reserved_lines(but_own: bool):
    # Read the lines of the reserving documents (few, found by ix_document_type_status, their lines by
    # ix_line_doc), not every line ever sold of the items: coalesce() keeps the planner off the item
    # index, whose lines grow with every invoice (11 ms after 200 ten-line invoices, 1.3 ms this way).
    docs = sa_select(Document.id).where(Document.location_id == bindparam("loc"),
                                        Document.doc_type.in_(RESERVING_TYPES), Document.status == "posted")
    if but_own:
        docs = docs.where(Document.id.not_in(bindparam("own", expanding=True)))
    return (
        sa_select(DocumentLine.item_id, DocumentLine.batch_id, func.sum(DocumentLine.qty),
                  func.sum(DocumentLine.qty_done))
        .where(DocumentLine.document_id.in_(docs),
               func.coalesce(DocumentLine.item_id, 0).in_(bindparam("items", expanding=True)),
               DocumentLine.qty > DocumentLine.qty_done)
        .group_by(DocumentLine.item_id, DocumentLine.batch_id)
    )


_RESERVED, _RESERVED_BUT_OWN = Prepared(_reserved_lines(False)), Prepared(_reserved_lines(True))


def asked_together(asks: "Iterable[tuple[Any, Any, Decimal | None]]") -> tuple[dict[Any, Decimal], dict[Any, Decimal]]:
    """What a document asks of each item and of each batch it names, over all its lines: the stock
    rule (:func:`check_available`) compares the sums, not each line alone, with what is available.
    ``asks``: (item key, batch key or None, qty or None) per line — ids when posting, codes in the
    invoice grid's warning (the screen hands it this function: the same rule, not a copy).
    Returns ``({item: Σ qty}, {batch: Σ qty})``."""
    per_item: dict[Any, Decimal] = {}
    per_batch: dict[Any, Decimal] = {}
    for item, batch, qty in asks:
        if qty is None:
            continue
        per_item[item] = per_item.get(item, ZERO_QTY) + qty
        if batch is not None:
            per_batch[(item, batch)] = per_batch.get((item, batch), ZERO_QTY) + qty
    return per_item, per_batch


def check_available(session: Session, location: Location, asks: "list[StockAsk]", *,
                    own_documents: "set[int] | tuple[int, ...]" = (), rule=None,
                    batch_held: "dict[int, Decimal] | None" = None) -> None:
    """The stock rule of every document that takes or reserves stock (DESIGN §6): available = on hand −
    reserved by others, per item, and per batch where a batch is named (by the document or a
    reservation). ``own_documents``: the reservations this document uses (the order it invoices, the
    provisional invoice it delivers). Refuses with the seed's "Insufficient stock", naming what is on
    hand and what is reserved; ``rule`` (a warnings collector) instead of raising when given.
    ``batch_held``: the batches' on-hand quantities when the caller already read them.

    Three grouped queries, whatever the number of lines."""
    if not asks:
        return
    raise_ = rule or _raise
    item_ids = {a.item.id for a in asks}
    held_items, res_items, res_batches = _held_and_reserved(session, location.id, item_ids, own_documents)
    by_item: dict[int, list[StockAsk]] = {}
    by_batch: dict[int, list[StockAsk]] = {}
    for a in asks:
        by_item.setdefault(a.item.id, []).append(a)
        if a.batch is not None:
            by_batch.setdefault(a.batch.id, []).append(a)
    asked_items, asked_batches = asked_together((a.item.id, a.batch.id if a.batch is not None else None, a.qty)
                                                for a in asks)
    for item_id, group in by_item.items():
        asked = asked_items[item_id]
        res = res_items.get(item_id, ZERO_QTY)
        oh = held_items.get(item_id, ZERO_QTY)
        if asked > oh - res:
            item = group[0].item
            raise_(InsufficientStock(
                "Insufficient stock: {code} has {on_hand} on hand, {reserved} reserved, {available} available; {asked} asked",
                field="qty", item=item.code, on_hand=oh, reserved=res, line=group[0].line,
                params={"code": item.code, "on_hand": format_qty(oh), "reserved": format_qty(res), "available": format_qty(max(oh - res, ZERO_QTY)), "asked": format_qty(asked)}))
    batch_res = {bid: q for bid, q in res_batches.items() if bid in by_batch and q > 0}
    if batch_res:
        held = dict(batch_held or {})
        missing = {bid: by_batch[bid][0].item.id for bid in batch_res if bid not in held}
        held.update(on_hand_of_batches(session, location.id, missing))
        for bid, res in batch_res.items():
            group = by_batch[bid]
            asked = asked_batches[(group[0].item.id, bid)]
            oh = held[bid]
            if asked > oh - res:
                a = group[0]
                raise_(InsufficientStock(
                    "Insufficient stock: batch {code} of {item_code} holds {on_hand}, {reserved} reserved, {available} available; {asked} asked",
                    field="qty", item=a.item.code, batch=a.batch.code, on_hand=oh, reserved=res, line=a.line,
                    params={"code": a.batch.code, "item_code": a.item.code, "on_hand": format_qty(oh), "reserved": format_qty(res), "available": format_qty(max(oh - res, ZERO_QTY)), "asked": format_qty(asked)}))


def _held_and_reserved(session: Session, location_id: int, item_ids: "set[int] | list[int]",
                       own_documents: "set[int] | tuple[int, ...]") -> tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]]:
    """On hand per item, and reserved by documents other than ``own_documents`` per item and per batch."""
    held = on_hand_of_items(session, location_id, item_ids)
    res_items, res_batches = reservations(session, location_id, item_ids, own_documents=own_documents)
    return held, res_items, res_batches


def available(session: Session, location_id: int, item_id: int, *,
              own_documents: "set[int] | tuple[int, ...]" = ()) -> Decimal:
    """What a document may take or reserve of an item (never below 0): :func:`check_available`'s figure,
    on hand − reserved by documents other than ``own_documents`` (the order it invoices)."""
    held, res, _batches = _held_and_reserved(session, location_id, [item_id], own_documents)
    return max(held[item_id] - res.get(item_id, ZERO_QTY), ZERO_QTY)


def _raise(exc: Exception) -> None:
    raise exc


# ---------------------------------------------------------------- the service


@dataclass(frozen=True, slots=True)
class _ReceiptLine:
    n: int
    item: str
    batch: str
    qty: Decimal
    cost: Decimal
    expiry: dt.date | None
    supplier_batch: str
    mfg_date: dt.date | None


def parse_date(value: Any, field: str, n: int | None = None) -> dt.date | None:
    """A date, or an ISO ``YYYY-MM-DD`` string; blank is ``None``; ``n`` names the line in the message."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        where = f"Line {n}: " if n else ""
        raise ValidationError("{where}{field}: {value!r} is not a date (YYYY-MM-DD)", field=field, line=n,
            params={"where": where, "field": field, "value": value}) from None


class StockService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # the session helpers, also reachable from the service object
    on_hand = staticmethod(on_hand)
    on_hand_of_batches = staticmethod(on_hand_of_batches)
    reserved = staticmethod(reserved)
    reservations = staticmethod(reservations)
    available = staticmethod(available)
    check_available = staticmethod(check_available)
    asked_together = staticmethod(asked_together)
    batches = staticmethod(batches)
    default_batch = staticmethod(default_batch)
    check_batch = staticmethod(check_batch)

    def item_stock(self, item_code: str, location: str | None = None, on: dt.date | None = None) -> ItemStock:
        """Current, reserved and available stock of an item, and its batches (for the grid)."""
        code = (item_code or "").strip().upper()
        with self.db.read() as session:
            item = session.exec(select(Item).where(Item.code == code)).first()
            if item is None:
                raise NotFound("Item {code} not found", field="item", params={"code": code})
            loc = self.s.setup.location(session, location)
            current = on_hand(session, item.id, loc.id)
            held = reserved(session, item.id, loc.id)
            return ItemStock(item.code, current, held, current - held,
                             tuple(batches(session, item.id, loc.id, on or self.s.today())))

    # -- stock receipt (GRN) ---------------------------------------------------
    def receive(self, actor: Actor, *, location: str | None = None, date: dt.date | str | None = None,
                supplier: str | None = None, lines: list[dict], narration: str = "") -> PostResult:
        """Post a stock receipt (doc type GR). No open shop day is needed: a GRN is not a sale.

        Each line: ``item``, ``batch``, ``qty``, ``cost_usd`` (unit cost), and for a new
        batch optionally ``expiry``, ``supplier_batch``, ``mfg_date``. A new batch is
        created; an existing one keeps its data (a different expiry is an error).
        """
        actor.require("masters", "Receiving stock")
        day = parse_date(date, "date") or self.s.today()
        parsed = self._parse_lines(lines)
        with self.db.write() as session:
            return self._receive(session, actor, location, day, supplier, parsed, narration)

    def receive_in(self, session: Session, actor: Actor, *, location: str | None = None,
                   date: dt.date | str | None = None, supplier: str | None = None, lines: list[dict],
                   narration: str = "") -> PostResult:
        """The same stock receipt inside the caller's transaction (a CSV stock import posts
        all its receipts or none)."""
        actor.require("masters", "Receiving stock")
        day = parse_date(date, "date") or self.s.today()
        return self._receive(session, actor, location, day, supplier, self._parse_lines(lines), narration)

    def _receive(self, session: Session, actor: Actor, location: str | None, day: dt.date,
                 supplier: str | None, parsed: list["_ReceiptLine"], narration: str) -> PostResult:
        loc = self.s.setup.location(session, location)
        if loc.inactive:
            raise InactiveRecord("Location {code} is inactive", field="location", params={"code": loc.code})
        sup = None
        if supplier:
            sup = session.exec(select(Supplier).where(Supplier.code == supplier.strip().upper())).first()
            if sup is None:
                raise NotFound("Supplier {supplier} not found", field="supplier",
                    params={"supplier": supplier.strip().upper()})
            if sup.inactive:
                raise InactiveRecord("Supplier {code} is inactive", field="supplier", params={"code": sup.code})

        doc_lines: list[DocumentLine] = []
        specs: list[StockSpec] = []
        new_batches: list[Batch] = []
        total = Decimal("0.00")
        total_qty = Decimal("0")
        items: dict[str, Item] = {}
        for i, ln in enumerate(parsed):
            item = items.get(ln.item) or session.exec(select(Item).where(Item.code == ln.item)).first()
            if item is None:
                raise NotFound("Line {n}: item {item} not found", field="item", line=ln.n,
                    params={"n": ln.n, "item": ln.item})
            if item.inactive:
                raise InactiveRecord("Line {n}: item {code} is inactive", field="item", line=ln.n,
                    params={"n": ln.n, "code": item.code})
            whole = check_qty_for_unit(ln.qty, item.unit)
            if whole is not None:
                raise ValidationError("Line {n}: {code}: {whole}", field="qty", line=ln.n,
                    params={"n": ln.n, "code": item.code, "whole": whole})
            items[ln.item] = item
            batch = session.exec(select(Batch).where(Batch.item_id == item.id, Batch.code == ln.batch)).first()
            if batch is None:
                batch = Batch(item_id=item.id, code=ln.batch, expiry=ln.expiry, mfg_date=ln.mfg_date,
                              supplier_id=sup.id if sup else None, supplier_batch_no=ln.supplier_batch,
                              cost_usd=ln.cost)
                session.add(batch)
                session.flush()
                new_batches.append(batch)
            elif ln.expiry is not None and batch.expiry != ln.expiry:
                have = batch.expiry if batch.expiry else _("no expiry")
                raise ValidationError(
                    "Line {n}: batch {code} of {item_code} has expiry {have}, not {expiry}",
                    field="expiry", line=ln.n,
                    params={"n": ln.n, "code": batch.code, "item_code": item.code, "have": have, "expiry": ln.expiry},
                )
            value = q2(ln.qty * ln.cost)
            total += value
            total_qty += ln.qty
            doc_lines.append(DocumentLine(line_no=ln.n, item_id=item.id, batch_id=batch.id, unit=item.unit,
                                          qty=ln.qty, price=ln.cost, price_usd=ln.cost, gross=value,
                                          line_net=value, tax_rate=Decimal("0"), unit_cost_usd=ln.cost))
            specs.append(StockSpec(item.id, batch.id, ln.qty, ln.cost, "receipt", i))
            item.cost_usd = ln.cost  # the last purchase cost
            session.add(item)

        doc = Document(doc_type="GR", location_id=loc.id, doc_date=day, currency="USD", rate=Decimal("1"),
                       total_qty=total_qty, total_gross=total, subtotal=total, net_amount=total, net_usd=total,
                       amount=total, amount_usd=total, narration=free_text(narration, field="narration"), created_by=actor.user_id,
                       extra={"supplier": sup.code} if sup else {})
        plan = PostingPlan(
            doc=doc, lines=doc_lines, stock=specs,
            journal=[debit(INVENTORY, total, memo=nt.STOCK_RECEIPT), credit(HEAD_OFFICE, total, memo=nt.STOCK_RECEIPT)],
            summary=f"stock receipt at {loc.code}: {len(doc_lines)} lines, {format_amount(total)} USD",
        )
        result = self.s.posting.post(session, actor, plan)
        for b in new_batches:
            audit.record(session, actor, "create", "batch", b.id, after=b,
                         summary=f"batch {b.code} of {items_code(items, b.item_id)} by {result.number}")
        return result

    def _parse_lines(self, lines: list[dict]) -> list[_ReceiptLine]:
        if not lines:
            raise ValidationError("Add at least one line to receive", field="lines")
        out = []
        for n, raw in enumerate(lines, start=1):
            if not isinstance(raw, dict):
                raise ValidationError("Line {n}: expected an object", field="lines", line=n, params={"n": n})
            unknown = sorted(set(raw) - RECEIPT_LINE_KEYS)
            if unknown:
                raise ValidationError("Line {n}: unknown field {unknown!r}", field=unknown[0], line=n,
                    params={"n": n, "unknown": unknown[0]})
            item = str(raw.get("item") or "").strip().upper()
            if not item:
                raise ValidationError("Line {n}: item is required", field="item", line=n, params={"n": n})
            batch = str(raw.get("batch") or "").strip().upper()
            if not batch:
                raise ValidationError("Line {n}: batch is required", field="batch", line=n, params={"n": n})
            if len(batch) > 30:
                raise ValidationError("Line {n}: batch code is longer than 30 characters", field="batch", line=n,
                    params={"n": n})
            try:
                qty = parse_qty(raw.get("qty"), field=N_("qty"))
            except MoneyError as exc:
                raise ValidationError("Line {n}: {exc}", field="qty", line=n, params={"n": n, "exc": exc}) from None
            try:
                cost = parse_amount(raw.get("cost_usd"), field="cost_usd")
            except MoneyError as exc:
                raise ValidationError("Line {n}: {exc}", field="cost_usd", line=n,
                    params={"n": n, "exc": exc}) from None
            if qty <= 0:
                raise ValidationError("Line {n}: the quantity must be greater than zero", field="qty", line=n,
                    params={"n": n})
            out.append(_ReceiptLine(n, item, batch, qty, cost, parse_date(raw.get("expiry"), "expiry", n),
                                    free_text(raw.get("supplier_batch"), field="supplier_batch",
                                              label=_("Line {n}: supplier batch").format(n=n), max_len=40),
                                    parse_date(raw.get("mfg_date"), "mfg_date", n)))
        return out


# ---------------------------------------------------------------- headless


@handler("stock_receipt")
def _post_stock_receipt(services: "Services", actor: Actor, doc: dict) -> dict:
    f = Fields(doc, required=["lines"], optional=["location", "date", "supplier", "narration"], allow_draft=False,
               allow_approval=False)
    lines = []
    for lf in f.list("lines", required=["item", "batch", "qty", "cost_usd"],
                     optional=["expiry", "supplier_batch", "mfg_date"], min_items=1):
        lines.append({"item": lf.str("item"), "batch": lf.str("batch"), "qty": lf.qty("qty"),
                      "cost_usd": lf.amount("cost_usd"), "expiry": lf.date("expiry"),
                      "supplier_batch": lf.str("supplier_batch", "") or "", "mfg_date": lf.date("mfg_date")})
    result = services.stock.receive(actor, location=f.str("location"), date=f.date("date"), supplier=f.str("supplier"),
                                    lines=lines, narration=f.str("narration", "") or "")
    with services.db.read() as session:
        gr = session.get(Document, result.document_id)
        totals = {"total_qty": gr.total_qty, "value_usd": gr.amount_usd}
    return {"number": result.number, "totals": totals}


def items_code(items: dict[str, Item], item_id: int) -> str:
    return next((code for code, it in items.items() if it.id == item_id), str(item_id))


__all__ = [
    "BatchStock",
    "available",
    "ItemStock",
    "StockService",
    "batches",
    "check_batch",
    "on_hand_of_batches",
    "default_batch",
    "is_expired",
    "on_hand",
    "parse_date",
    "reserved",
]
