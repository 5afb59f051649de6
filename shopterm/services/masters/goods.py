"""Goods masters: items, batches, suppliers, and the price list (price update single and multiple).

Seed "Sales Masters" 05–06. A price row holds the retail and wholesale price
of an item at a location in a currency from ``effective_from`` on; the price
in force on a date is the row with the latest ``effective_from`` ≤ that date,
so a future date schedules a change. Saving the same item/location/currency
with the same effective date again replaces that row (audited as an update).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import and_, func, or_, select as sa_select
from sqlmodel import Session, col, select

from shopterm.core.i18n import N_
from ...core import prices
from ...core.money import Currency, MoneyError
from ...store import models as m
from ...store.numbering import next_number
from ..admin import audit
from ..context import Actor
from ..errors import Duplicate, SetupMissing, ShopError, ValidationError
from .base import (
    ENTITIES, PRICE_CATEGORIES, CodedInfo, MastersBase, Page, amount, check_paging, code, date_of, flag,
    get_or_404, like, markup, percent, quantity, readers, text,
)



@dataclass(frozen=True, slots=True)
class ItemInfo:
    id: int
    code: str
    name: str
    unit: str
    pack_size: Decimal
    tax_rate: Decimal
    cost_usd: Decimal
    inactive: bool
    created_at: dt.datetime
    barcode: str | None = None


SupplierInfo = CodedInfo  # a supplier (of batches): its code and name


@dataclass(frozen=True, slots=True)
class BatchInfo:
    id: int
    code: str
    expiry: dt.date | None
    mfg_date: dt.date | None
    supplier: str | None
    supplier_batch_no: str
    cost_usd: Decimal
    stock: Decimal  # Σ stock moves (at the location asked for, or everywhere)


@dataclass(frozen=True, slots=True)
class CurrentPrice:
    retail: Decimal | None
    wholesale: Decimal | None
    effective_from: dt.date | None


@dataclass(frozen=True, slots=True)
class PriceForm:
    """What the Price Update (Single) screen shows once location, item and currency are chosen."""

    location: str
    item: str
    item_name: str
    unit: str
    currency: str
    last_purchase_usd: Decimal  # item.cost_usd
    rate: Decimal | None  # system rate on the date (for CDF prices)
    current: CurrentPrice


@dataclass(frozen=True, slots=True)
class PriceRow:
    id: int
    location: str
    item: str
    item_name: str
    currency: str
    retail_price: Decimal
    wholesale_price: Decimal
    effective_from: dt.date
    update_no: str
    replaced: bool = False  # an existing row for the same date was replaced


@dataclass(frozen=True, slots=True)
class PriceUpdateResult:
    update_no: str
    rows: tuple[PriceRow, ...]

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if not r.replaced)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.replaced)


def price_from_markup(cost_usd: Decimal, pct: Decimal, currency: Currency | str, rate: Decimal | None) -> Decimal:
    """The core rule (:func:`shopterm.core.prices.price_from_markup`), refusing a franc price
    when the date has no system rate with the message that says where to set one."""
    if rate is None and Currency.parse(currency) is not Currency.USD:
        raise SetupMissing("No system exchange rate for the date: set one in Exchange rates", field="rate")
    return prices.price_from_markup(cost_usd, pct, currency, rate)


class GoodsMasters(MastersBase):
    # ================================================================ items
    def create_item(self, actor: Actor, *, code: str, name: str, unit: str = "PCS", pack_size: Any = "1",
                    tax_rate: Any = "16", cost_usd: Any = "0", inactive: bool = False,
                    barcode: str | None = None) -> ItemInfo:
        with self._write(actor, "masters", "Items") as session:
            row, _ = self.write_item(session, actor, dict(code=code, name=name, unit=unit, pack_size=pack_size,
                                                          tax_rate=tax_rate, cost_usd=cost_usd, inactive=inactive,
                                                          barcode=barcode),
                                     mode="create")
            return _item_info(row)

    def update_item(self, actor: Actor, code_key: str, **changes: Any) -> ItemInfo:
        allowed = {"name", "unit", "pack_size", "tax_rate", "cost_usd", "inactive", "barcode"}
        self._known_fields(changes, allowed, N_("unknown item field {unknown!r}"))
        with self._write(actor, "masters", "Items") as session:
            row = get_or_404(session, ENTITIES["item"], code_key, field="code")
            data = {"code": row.code, "name": row.name, "unit": row.unit, "pack_size": row.pack_size,
                    "tax_rate": row.tax_rate, "cost_usd": row.cost_usd, "inactive": row.inactive,
                    "barcode": row.barcode, **changes}
            row, _ = self.write_item(session, actor, data, mode="update")
            return _item_info(row)

    def write_item(self, session: Session, actor: Actor, data: Mapping[str, Any], *,
                   mode: str = "upsert") -> tuple[m.Item, bool]:
        the_code = code(data.get("code"), field="code", label=N_("Item code"), max_len=30)
        name = text(data.get("name"), field="name", label=N_("Item name"), required=True, max_len=120)
        unit = text(data.get("unit") or "PCS", field="unit", label=N_("Unit"), max_len=10).upper()
        pack = quantity(data.get("pack_size"), field="pack_size", positive=True, default=Decimal("1.000"))
        tax = percent(data.get("tax_rate"), field="tax_rate", default=Decimal("16.0000"))
        cost = amount(data.get("cost_usd"), field="cost_usd", default=Decimal("0.00"))
        row = session.exec(select(m.Item).where(m.Item.code == the_code)).first()
        # an import (no inactive column) keeps an item's status
        inactive = flag(data.get("inactive"), field="inactive") if "inactive" in data else bool(row and row.inactive)
        if row is not None and mode == "create":
            raise Duplicate("Item code {code} already exists ({name})", field="code",
                params={"code": the_code, "name": row.name})
        created = row is None
        before = None if created else audit.snapshot(row)
        # an import without a barcode column keeps the item's barcode
        barcode = _barcode(session, data.get("barcode"), row) if "barcode" in data else (row.barcode if row else None)
        row = row or m.Item(code=the_code, name=name)
        row.name, row.unit, row.pack_size, row.tax_rate, row.cost_usd, row.inactive = name, unit, pack, tax, cost, inactive
        row.barcode = barcode
        return self._saved(session, actor, "item", row, created, before, f"item {row.code} {row.name}")

    get_item, list_items = readers("item", lambda r: _item_info(r), (m.Item.code, m.Item.name), m.Item.code)

    # ================================================================ batches
    def batches(self, item: str, *, location: str | None = None, with_stock_only: bool = False) -> list[BatchInfo]:
        """The item's batches, first expiry first, with current stock (Σ moves, in SQL)."""
        with self.db.read() as session:
            it = self.ref_item(session, item, active=False)
            on = m.StockMove.batch_id == m.Batch.id
            if location:
                on = and_(on, m.StockMove.location_id == self.ref_location(session, location, active=False).id)
            stock = func.coalesce(func.sum(m.StockMove.qty), 0)
            stmt = (sa_select(m.Batch, m.Supplier.code, stock)
                    .select_from(m.Batch)
                    .outerjoin(m.StockMove, on)
                    .outerjoin(m.Supplier, m.Supplier.id == m.Batch.supplier_id)
                    .where(m.Batch.item_id == it.id)
                    .group_by(m.Batch.id, m.Supplier.code)
                    .order_by(m.Batch.expiry.is_(None), m.Batch.expiry, m.Batch.code))
            if with_stock_only:
                stmt = stmt.having(stock != 0)
            out = []
            for batch, supplier_code, qty in session.execute(stmt).all():
                qty = qty if isinstance(qty, Decimal) else Decimal(int(qty or 0))
                out.append(BatchInfo(batch.id, batch.code, batch.expiry, batch.mfg_date, supplier_code,
                                     batch.supplier_batch_no, batch.cost_usd, qty.quantize(Decimal("0.001"))))
            return out

    # ================================================================ suppliers
    def create_supplier(self, actor: Actor, *, code: str, name: str) -> SupplierInfo:
        with self._write(actor, "masters", "Suppliers") as session:
            row, _ = self.write_supplier(session, actor, {"code": code, "name": name}, mode="create")
            return _supplier_info(row)

    def update_supplier(self, actor: Actor, code_key: str, *, name: str) -> SupplierInfo:
        with self._write(actor, "masters", "Suppliers") as session:
            row = get_or_404(session, ENTITIES["supplier"], code_key, field="code")
            row, _ = self.write_supplier(session, actor, {"code": row.code, "name": name}, mode="update")
            return _supplier_info(row)

    def write_supplier(self, session: Session, actor: Actor, data: Mapping[str, Any], *,
                       mode: str = "upsert") -> tuple[m.Supplier, bool]:
        the_code = code(data.get("code"), field="code", label=N_("Supplier code"))
        name = text(data.get("name"), field="name", label=N_("Supplier name"), required=True, max_len=120)
        row = session.exec(select(m.Supplier).where(m.Supplier.code == the_code)).first()
        if row is not None and mode == "create":
            raise Duplicate("Supplier code {code} already exists ({name})", field="code",
                params={"code": the_code, "name": row.name})
        created = row is None
        before = None if created else audit.snapshot(row)
        row = row or m.Supplier(code=the_code, name=name)
        row.name = name
        return self._saved(session, actor, "supplier", row, created, before, f"supplier {row.code}")

    get_supplier, list_suppliers = readers("supplier", CodedInfo.of, (m.Supplier.code, m.Supplier.name),
                                           m.Supplier.code)

    # ================================================================ prices
    def price_form(self, *, location: str, item: str, currency: str = "USD", on: dt.date | None = None) -> PriceForm:
        """Unit, last purchase price and the prices in force, for the Price Update screens."""
        on = on or self.s.today()
        ccy = _currency(currency)
        with self.db.read() as session:
            loc = self.ref_location(session, location)
            it = self.ref_item(session, item)
            return PriceForm(loc.code, it.code, it.name, it.unit, ccy.value, it.cost_usd, self.s.system_rate(session, on),
                             self._current_price(session, it.id, loc.id, ccy.value, on))

    def current_price(self, *, location: str, item: str, currency: str = "USD", price_category: str = "retail",
                      on: dt.date | None = None) -> Decimal | None:
        """The price in force on ``on`` (default today) for a price category; None if none is set."""
        on = on or self.s.today()
        ccy = _currency(currency)
        if price_category not in PRICE_CATEGORIES:
            raise ValidationError("Price category: one of {price_categories}", field="price_category",
                params={"price_categories": ', '.join(PRICE_CATEGORIES)})
        with self.db.read() as session:
            loc = self.ref_location(session, location, active=False)
            it = self.ref_item(session, item, active=False)
            cur = self._current_price(session, it.id, loc.id, ccy.value, on)
            return cur.retail if price_category == "retail" else cur.wholesale

    def _current_price(self, session: Session, item_id: int, location_id: int, currency: str,
                       on: dt.date) -> CurrentPrice:
        """The prices in force (services.pricing: the one place prices are resolved)."""
        from ..schemes import pricing

        rate = self.s.system_rate(session, on)
        found = pricing.list_price(session, item_id, location_id, currency, "retail", on)
        retail = pricing.price_for(session, item_id, location_id, currency, "retail", on, rate=rate)
        wholesale = pricing.price_for(session, item_id, location_id, currency, "wholesale", on, rate=rate)
        return CurrentPrice(retail, wholesale, found.effective_from if found else None)

    def update_price(self, actor: Actor, *, location: str, item: str, currency: str = "USD",
                     retail_pct: Any = None, wholesale_pct: Any = None, retail_price: Any = None,
                     wholesale_price: Any = None, effective_from: Any = None) -> PriceRow:
        """Price Update (Single): one item's retail and wholesale price, from markups or given directly.

        A markup gives ``q2(cost × (1 + pct/100))`` (converted at the system rate
        of the effective date for a CDF price); a price typed directly wins over
        its markup. Takes effect on ``effective_from`` (default today).
        """
        with self._write(actor, "masters", "Price update") as session:
            row = self.write_price(session, actor, dict(
                location=location, item=item, currency=currency, retail_pct=retail_pct, wholesale_pct=wholesale_pct,
                retail_price=retail_price, wholesale_price=wholesale_price, effective_from=effective_from),
                update_no="")
            return row

    def update_prices(self, actor: Actor, *, location: str, currency: str, effective_from: Any,
                      rows: Iterable[Mapping[str, Any]]) -> PriceUpdateResult:
        """Price Update (Multiple Items): one "PU…" number shared by its rows; future dates schedule.

        Each row: ``item`` and, for retail and wholesale, a ``*_price`` or a ``*_pct``
        markup. Errors name the row (``row 2: retail_price: …``).
        """
        rows = list(rows)
        if not rows:
            raise ValidationError("Add at least one item row", field="rows")
        ccy = _currency(currency)
        with self._write(actor, "masters", "Price update") as session:
            loc = self.ref_location(session, location)
            eff = date_of(effective_from, field="effective_from")
            number = next_number(session, "PU", loc.id, loc.number, eff)
            seen: dict[str, int] = {}
            out = []
            for i, r in enumerate(rows, start=1):
                unknown = sorted(set(r) - {"item", "retail_pct", "wholesale_pct", "retail_price", "wholesale_price"})
                if unknown:
                    raise ValidationError("row {i}: unknown field {unknown!r}", field=unknown[0],
                        params={"i": i, "unknown": unknown[0]})
                key = str(r.get("item") or "").strip().upper()
                if key and key in seen:
                    raise ValidationError("row {i}: item {key} is already on row {seen}", field="item",
                        params={"i": i, "key": key, "seen": seen[key]})
                seen[key] = i
                try:
                    out.append(self.write_price(session, actor, {**r, "location": loc.code, "currency": ccy.value,
                                                                 "effective_from": eff}, update_no=number))
                except ShopError as exc:  # name the row: "row 2: retail_price: …"
                    raise type(exc)(f"row {i}: {exc.message}", field=exc.field) from None
            audit.record(session, actor, "create", "price_update", None,
                         after={"update_no": number, "location": loc.code, "currency": ccy.value,
                                "effective_from": eff, "rows": len(out)},
                         summary=f"price update {number}: {len(out)} items from {eff}")
            return PriceUpdateResult(number, tuple(out))

    def write_price(self, session: Session, actor: Actor, data: Mapping[str, Any], *, update_no: str) -> PriceRow:
        """Validate and write one price row (replacing a row with the same key) inside a transaction."""
        loc = self.ref_location(session, data.get("location"))
        it = self.ref_item(session, data.get("item"))
        ccy = _currency(data.get("currency"))
        eff = date_of(data.get("effective_from"), field="effective_from", default=self.s.today())
        rate = None
        prices = {}
        for kind in ("retail", "wholesale"):
            typed = data.get(f"{kind}_price")
            pct = markup(data.get(f"{kind}_pct"), field=f"{kind}_pct")
            if typed is not None and not (isinstance(typed, str) and not typed.strip()):
                prices[kind] = amount(typed, field=f"{kind}_price", positive=True)
            elif pct is not None:
                if it.cost_usd <= 0:
                    raise ValidationError("{kind}_pct: item {code} has no last purchase price; enter the price",
                                          field=kind + "_price", params={"kind": kind, "code": it.code})
                if ccy is Currency.CDF and rate is None:
                    rate = self.s.system_rate(session, eff)
                try:
                    prices[kind] = price_from_markup(it.cost_usd, pct, ccy, rate)
                except MoneyError as exc:
                    raise ValidationError("{kind}_price: {exc}", field=kind + "_price",
                        params={"kind": kind, "exc": exc}) from None
                if prices[kind] <= 0:
                    raise ValidationError("{kind}_price: must be greater than zero ({prices})",
                                          field=kind + "_price", params={"kind": kind, "prices": prices[kind]})
            else:
                raise ValidationError("{kind}_price: enter the {kind} price or a {kind} %", field=kind + "_price",
                    params={"kind": kind})
        p = m.Price
        row = session.exec(select(p).where(p.location_id == loc.id, p.item_id == it.id, p.currency == ccy.value,
                                           p.effective_from == eff)).first()
        replaced = row is not None
        before = audit.snapshot(row) if replaced else None
        if row is None:
            row = p(location_id=loc.id, item_id=it.id, currency=ccy.value, effective_from=eff)
        row.retail_price, row.wholesale_price = prices["retail"], prices["wholesale"]
        row.update_no = update_no
        row.created_by = actor.user_id
        row.created_at = dt.datetime.now(dt.timezone.utc)
        session.add(row)
        session.flush()
        audit.record(session, actor, "update" if replaced else "create", "price", row.id, before=before, after=row,
                     summary=f"price {it.code} at {loc.code} {ccy.value} from {eff}: retail {row.retail_price}, "
                             f"wholesale {row.wholesale_price}" + (f" ({update_no})" if update_no else ""))
        return PriceRow(row.id, loc.code, it.code, it.name, ccy.value, row.retail_price, row.wholesale_price, eff,
                        update_no, replaced)

    def list_prices(self, *, location: str | None = None, item: str | None = None, currency: str | None = None,
                    update_no: str | None = None, search: str = "", from_date: dt.date | None = None,
                    limit: int = 100, offset: int = 0) -> Page[PriceRow]:
        """Price rows (newest effective date first), for the list views and "search existing"."""
        limit, offset = check_paging(limit, offset)
        p = m.Price
        conds = []
        with self.db.read() as session:
            if location:
                conds.append(p.location_id == self.ref_location(session, location, active=False).id)
            if item:
                conds.append(p.item_id == self.ref_item(session, item, active=False).id)
            if currency:
                conds.append(p.currency == _currency(currency).value)
            if update_no:
                conds.append(p.update_no == update_no.strip().upper())
            if from_date:
                conds.append(p.effective_from >= from_date)
            if (search or "").strip():
                pat = like(search)
                conds.append(or_(col(m.Item.code).ilike(pat, escape="\\"), col(m.Item.name).ilike(pat, escape="\\"),
                                 col(p.update_no).ilike(pat, escape="\\")))
            base = (sa_select(p.id, m.Location.code, m.Item.code, m.Item.name, p.currency, p.retail_price,
                              p.wholesale_price, p.effective_from, p.update_no)
                    .select_from(p).join(m.Item, m.Item.id == p.item_id).join(m.Location, m.Location.id == p.location_id)
                    .where(*conds))
            total = session.execute(sa_select(func.count()).select_from(base.subquery())).scalar_one()
            rows = session.execute(base.order_by(p.effective_from.desc(), m.Item.code, p.id).limit(limit).offset(offset)).all()
            return Page(tuple(PriceRow(*r) for r in rows), total, limit, offset)

    def price_update_history(self, update_no: str) -> list[audit.HistoryRow]:
        """F4 on a price update document: its creation and every change to its price rows, oldest first."""
        number = (update_no or "").strip().upper()
        with self.db.read() as session:
            ids = session.exec(select(m.Price.id).where(m.Price.update_no == number)).all()
            if not ids:
                raise ValidationError("Price update {number} not found", field="update_no",
                    params={"number": number or '?'})
            log = m.AuditLog
            rows = session.exec(select(log).where(or_(
                and_(log.entity == "price", col(log.entity_id).in_(ids)),
                and_(log.entity == "price_update", col(log.summary).startswith(f"price update {number}:")),
            )).order_by(log.id)).all()
            return [audit.HistoryRow(r.at, r.user_name, r.action, r.summary, r.before, r.after, r.approver_id)
                    for r in rows]

    def price_updates(self, *, location: str | None = None, limit: int = 100) -> list[tuple[str, dt.date, int]]:
        """Price update numbers (newest first): (update_no, effective_from, item count)."""
        p = m.Price
        with self.db.read() as session:
            stmt = (sa_select(p.update_no, func.min(p.effective_from), func.count())
                    .where(p.update_no != "").group_by(p.update_no).order_by(func.max(p.id).desc()).limit(limit))
            if location:
                stmt = stmt.where(p.location_id == self.ref_location(session, location, active=False).id)
            return [(r[0], r[1], r[2]) for r in session.execute(stmt).all()]


def _currency(value: Any) -> Currency:
    try:
        return Currency.parse(value)
    except MoneyError:
        raise ValidationError("currency: {value!r} is not USD or CDF", field="currency",
            params={"value": value}) from None


def _item_info(r: m.Item) -> ItemInfo:
    return ItemInfo(r.id, r.code, r.name, r.unit, r.pack_size, r.tax_rate, r.cost_usd, r.inactive, r.created_at,
                    r.barcode)


def _barcode(session: Session, value: Any, row: m.Item | None) -> str | None:
    """An item's barcode as scanned (digits/letters, up to 40); None when blank; one item per barcode."""
    text = ("" if value is None else str(value)).strip()
    if not text:
        return None
    if len(text) > 40 or not all(c.isalnum() or c in "-." for c in text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ValidationError("Barcode: {shown!r} is not a barcode (letters and digits, up to 40)",
                              field="barcode", params={"shown": shown})
    other = session.exec(select(m.Item).where(m.Item.barcode == text)).first()
    if other is not None and (row is None or other.id != row.id):
        raise Duplicate("Barcode {text} is already item {code} ({name})", field="barcode",
            params={"text": text, "code": other.code, "name": other.name})
    other_code = session.exec(select(m.Item).where(m.Item.code == text.upper())).first()
    if other_code is not None and (row is None or other_code.id != row.id):
        raise Duplicate("Barcode {text} is item {code}'s code", field="barcode",
            params={"text": text, "code": other_code.code})
    return text


_supplier_info = CodedInfo.of


__all__ = [
    "BatchInfo", "CurrentPrice", "GoodsMasters", "ItemInfo", "PriceForm", "PriceRow", "PriceUpdateResult",
    "SupplierInfo", "price_from_markup",
]
