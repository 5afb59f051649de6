"""Scheme masters: sales promotions, discount slabs, loyalty cards, sales targets.

Seed "Sales Masters" 08–12. Range tables are checked by the pure rules in
:mod:`shopterm.core.promotions` and :mod:`shopterm.core.slabs` (overlaps are
refused naming the rows). Target progress compares the monthly targets with
actual sales from posted invoices (SI, PI) less returns (SR, RD), summed in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import delete, extract, func, or_, select as sa_select
from sqlmodel import Session, col, select

from shopterm.core.i18n import N_, _
from ...core.journal import PROMOTION
from ...core.money import MoneyError, q2
from ...core.promotions import PromoRange
from ...core.promotions import validate_ranges as validate_promo_ranges
from ...core.slabs import SlabRange
from ...core.slabs import validate_ranges as validate_slab_ranges
from ...store import models as m
from ..admin import audit
from ..context import Actor
from . import tabular
from .base import code as parse_code
from ..errors import Duplicate, NotFound, ValidationError
from .base import (
    ENTITIES, PRICE_CATEGORIES, MastersBase, Page, amount, check_paging, check_status, choice, date_of, flag,
    get_or_404, integer, like, percent, quantity, text,
)

D0 = Decimal("0")
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))
TARGET_KINDS = ("location", "delegate")
#: the target kinds as a person reads them in a message
_KIND_WORDS = {"location": N_("location"), "delegate": N_("delegate")}
SALE_TYPES = ("SI", "PI")
RETURN_TYPES = ("SR", "RD")


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One line of a scheme's Summary: what it gave on one kind of document."""

    label: str  # e.g. "Sales invoices", "Points earned"
    documents: int
    qty: Decimal  # free quantity, or points
    value_usd: Decimal  # free goods at cost, discount given, points' value


@dataclass(frozen=True, slots=True)
class SchemeSummary:
    """A Summary tab: what a promotion, a discount slab or a loyalty card gave (posted documents)."""

    title: str
    rows: tuple[SummaryRow, ...]
    total_documents: int
    total_qty: Decimal
    total_value_usd: Decimal


def _summary(title: str, rows: list[SummaryRow], documents: int) -> SchemeSummary:
    return SchemeSummary(title, tuple(rows), documents, sum((r.qty for r in rows), Decimal("0.000")),
                         sum((r.value_usd for r in rows), Decimal("0.00")))


#: the documents a scheme gives on (posted, not cancelled) and their names in a summary
_GIVING = (("SI", N_("Sales invoices")), ("PI", N_("Provisional invoices")))


@dataclass(frozen=True, slots=True)
class PromotionReasonInfo:
    id: int
    code: str
    name: str
    expense_account: str
    expense_account_name: str
    inactive: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PromotionInfo:
    id: int
    scheme_no: str
    item: str
    item_name: str
    unit: str
    reason: str  # the Promotion Reason's code (a scheme saved before the master: its text)
    expense_account: str | None
    cost_centre: str | None
    scheme_date: dt.date
    inactive: bool
    ranges: tuple[PromoRange, ...]
    locations: tuple[str, ...]
    reason_name: str = ""


@dataclass(frozen=True, slots=True)
class SlabInfo:
    id: int
    doc_no: str
    doc_date: dt.date
    inactive: bool
    ranges: tuple[SlabRange, ...]
    locations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoyaltyCategoryRule:
    price_category: str  # '' on a customer category's rule
    sales_amount_per_point: Decimal
    customer_category: str | None = None  # a Customer Category's code: its customers' rule


@dataclass(frozen=True, slots=True)
class LoyaltyCardInfo:
    id: int
    name: str
    doc_date: dt.date
    redemption_frequency_days: int
    value_per_point_usd: Decimal
    inactive: bool
    categories: tuple[LoyaltyCategoryRule, ...]


@dataclass(frozen=True, slots=True)
class TargetMonth:
    month: int
    month_name: str
    target_qty: Decimal
    target_amount: Decimal


@dataclass(frozen=True, slots=True)
class TargetInfo:
    id: int
    kind: str
    financial_year: int
    location: str | None
    sales_person: str | None
    months: tuple[TargetMonth, ...]


@dataclass(frozen=True, slots=True)
class TargetProgress:
    month: int
    month_name: str
    target_qty: Decimal
    actual_qty: Decimal
    target_amount: Decimal  # USD
    actual_amount_usd: Decimal
    pct_achieved: Decimal | None  # actual / target amount × 100 (None without an amount target)


#: The columns of a sales targets export, one row per owner and month.
TARGET_EXPORT_COLUMNS = ("kind", "financial_year", "owner", "month", "month_name", "target_qty", "target_amount_usd",
                         "actual_qty", "actual_amount_usd", "pct_achieved")


class SchemeMasters(MastersBase):
    # ================================================================ promotion reasons
    def create_promotion_reason(self, actor: Actor, *, code: str, name: str,
                                expense_account: str = PROMOTION) -> PromotionReasonInfo:
        """A reason a sales promotion is chosen with; its expense account takes the free goods' cost."""
        with self._write(actor, "masters", "Promotion reasons") as session:
            the_code = parse_code(code, field="code", label=N_("Reason code"))
            self._unique(session, m.PromotionReason, "code", the_code, exclude_id=None, field="code",
                         message=N_("Promotion reason {code} already exists"), params={"code": the_code})
            row = m.PromotionReason(code=the_code, name="", expense_account_id=0)
            self._apply_reason(session, row, name, expense_account)
            audit.record(session, actor, "create", "promotion_reason", row.id, after=row,
                         summary=f"promotion reason {row.code}")
            return _reason_info(session, row)

    def update_promotion_reason(self, actor: Actor, code_key: str, *, name: str,
                                expense_account: str = PROMOTION) -> PromotionReasonInfo:
        """A new name or expense account: the schemes of this reason post their next free goods there."""
        with self._write(actor, "masters", "Promotion reasons") as session:
            row = get_or_404(session, ENTITIES["promotion_reason"], code_key, field="code")
            before = audit.snapshot(row)
            self._apply_reason(session, row, name, expense_account)
            for promo in session.exec(select(m.Promotion).where(m.Promotion.reason_id == row.id)).all():
                promo.reason, promo.expense_account_id = row.name, row.expense_account_id
                session.add(promo)
            audit.record(session, actor, "update", "promotion_reason", row.id, before=before, after=row,
                         summary=f"promotion reason {row.code}")
            return _reason_info(session, row)

    def _apply_reason(self, session: Session, row: m.PromotionReason, name: Any, expense_account: Any) -> None:
        row.name = text(name, field="name", label=N_("Reason name"), required=True, max_len=40)
        account = self.ref_account(session, expense_account or PROMOTION, field="expense_account",
                                   label=N_("Expense account"))
        if account.kind != "expense":
            raise ValidationError("Expense account {code} is not an expense account ({kind}): choose an expense account",
                                  field="expense_account", params={"code": account.code, "kind": account.kind})
        row.expense_account_id = account.id
        session.add(row)
        session.flush()

    def get_promotion_reason(self, code_key: str) -> PromotionReasonInfo:
        return self._get("promotion_reason", code_key, _reason_info, with_session=True)

    def list_promotion_reasons(self, *, search: str = "", status: str = "active", limit: int = 100,
                               offset: int = 0) -> Page[PromotionReasonInfo]:
        return self._list(m.PromotionReason, _reason_info, search, status, limit, offset,
                          (m.PromotionReason.code, m.PromotionReason.name), m.PromotionReason.code,
                          with_session=True)

    def _promotion_reason(self, session: Session, value: Any) -> m.PromotionReason:
        """The reason a scheme names: its code, or its name (any case); an active one."""
        raw = " ".join(str(value or "").split())
        if not raw:
            raise ValidationError("Reason is required", field="reason")
        r = m.PromotionReason
        row = session.exec(select(r).where(r.code == raw.upper())).first() or session.exec(
            select(r).where(func.lower(r.name) == raw.lower())).first()
        if row is None:
            raise NotFound("Reason {reason} is not in the Promotion Reason master (F2 lists the reasons)",
                           field="reason", params={"reason": raw})
        if row.inactive:
            raise ValidationError("Reason {reason} is inactive", field="reason", params={"reason": row.code})
        return row

    # ================================================================ sales promotions
    def create_promotion(self, actor: Actor, *, item: str, reason: str, cost_centre: str, scheme_date: Any,
                         ranges: Sequence[Mapping[str, Any]], locations: Sequence[str], unit: str | None = None,
                         expense_account: str = PROMOTION, inactive: bool = False) -> PromotionInfo:
        """A free-goods scheme; its number ``SP000001`` is given on save."""
        with self._write(actor, "masters", "Sales promotions") as session:
            row = m.Promotion(scheme_no=self._next_serial(session, m.Promotion, "scheme_no", "SP"), item_id=0,
                              reason="", scheme_date=dt.date.min)
            self._apply_promotion(session, actor, row, dict(item=item, reason=reason, cost_centre=cost_centre,
                                                            scheme_date=scheme_date, ranges=ranges, locations=locations,
                                                            unit=unit, expense_account=expense_account,
                                                            inactive=inactive), before=None)
            return self._promotion_info(session, row)

    def update_promotion(self, actor: Actor, scheme_no: str, **changes: Any) -> PromotionInfo:
        allowed = {"item", "reason", "cost_centre", "scheme_date", "ranges", "locations", "unit", "expense_account",
                   "inactive"}
        self._known_fields(changes, allowed, N_("unknown promotion field {unknown!r}"))
        with self._write(actor, "masters", "Sales promotions") as session:
            row = get_or_404(session, ENTITIES["promotion"], scheme_no, field="scheme_no")
            info = self._promotion_info(session, row)
            current = dict(item=info.item, reason=info.reason, cost_centre=info.cost_centre,
                           scheme_date=info.scheme_date, unit=info.unit, expense_account=info.expense_account,
                           inactive=info.inactive, locations=list(info.locations),
                           ranges=[dict(min_qty=r.min_qty, max_qty=r.max_qty, free_qty=r.free_qty) for r in info.ranges])
            self._apply_promotion(session, actor, row, {**current, **changes, "_current_account": info.expense_account},
                                  before=_promotion_snapshot(info))
            return self._promotion_info(session, row)

    def _apply_promotion(self, session: Session, actor: Actor, row: m.Promotion, data: Mapping[str, Any], *,
                         before: dict | None) -> None:
        it = self.ref_item(session, data.get("item"))
        reason_row = self._promotion_reason(session, data.get("reason"))
        centre = self.ref_cost_centre(session, data.get("cost_centre"))
        expense = session.get(m.Account, reason_row.expense_account_id)  # the reason decides (seed: "Auto")
        asked = str(data.get("expense_account") or "").strip().upper()
        if asked and asked != expense.code and asked != data.get("_current_account"):
            raise ValidationError("Expense account comes from the reason: {reason} posts to {code}",
                                  field="expense_account", params={"reason": reason_row.code, "code": expense.code})
        reason = reason_row.name
        scheme_date = date_of(data.get("scheme_date"), field="scheme_date")
        unit = text(data.get("unit") or it.unit, field="unit", label=N_("Unit"), max_len=10).upper()
        ranges = self._promo_ranges(data.get("ranges"))
        loc_ids = self._location_ids(session, data.get("locations"))
        row.item_id, row.reason, row.cost_centre_id, row.expense_account_id = it.id, reason, centre.id, expense.id
        row.reason_id = reason_row.id
        row.scheme_date, row.unit, row.inactive = scheme_date, unit, flag(data.get("inactive"), field="inactive")
        _write_with_children(session, row, (m.PromotionRange, "promotion_id", [
            dict(min_qty=r.min_qty, max_qty=r.max_qty if r.max_qty is not None else Decimal("0.000"),
                 free_qty=r.free_qty) for r in ranges]), (m.PromotionLocation, "promotion_id", _at(loc_ids)))
        info = self._promotion_info(session, row)
        _record(session, actor, "promotion", row.id, before, _promotion_snapshot(info),
                f"sales promotion {row.scheme_no} {info.item}")

    @staticmethod
    def _promo_ranges(raw: Any) -> list[PromoRange]:
        def read(r: Mapping[str, Any]) -> PromoRange:
            return PromoRange(quantity(r.get("min_qty"), field="min_qty", default=Decimal("0.000")),
                              _open_end(r.get("max_qty"), lambda v: quantity(v, field="max_qty", positive=True)),
                              quantity(r.get("free_qty"), field="free_qty", positive=True))
        return _range_rows(raw, ("min_qty", "max_qty", "free_qty"), N_("Add at least one quantity range"), read,
                           validate_promo_ranges)

    def get_promotion(self, scheme_no: str) -> PromotionInfo:
        return self._get("promotion", scheme_no, self._promotion_info, field="scheme_no", with_session=True)

    def list_promotions(self, *, search: str = "", status: str = "active", item: str | None = None,
                        limit: int = 100, offset: int = 0) -> Page[PromotionInfo]:
        status = check_status(status)
        limit, offset = check_paging(limit, offset)
        p = m.Promotion
        conds = []
        if status != "all":
            conds.append(p.inactive == (status == "inactive"))
        with self.db.read() as session:
            if item:
                conds.append(p.item_id == self.ref_item(session, item, active=False).id)
            if (search or "").strip():
                pat = like(search)
                conds.append(or_(col(p.scheme_no).ilike(pat, escape="\\"), col(p.reason).ilike(pat, escape="\\"),
                                 col(p.item_id).in_(sa_select(m.Item.id).where(or_(
                                     col(m.Item.code).ilike(pat, escape="\\"), col(m.Item.name).ilike(pat, escape="\\"))))))
            total = session.execute(sa_select(func.count()).select_from(p).where(*conds)).scalar_one()
            rows = session.exec(select(p).where(*conds).order_by(col(p.scheme_no).desc()).limit(limit).offset(offset)).all()
            return Page(tuple(self._promotion_info(session, r) for r in rows), total, limit, offset)

    def _promotion_info(self, session: Session, r: m.Promotion) -> PromotionInfo:
        it = session.get(m.Item, r.item_id)
        acct = session.get(m.Account, r.expense_account_id) if r.expense_account_id else None
        cc = session.get(m.CostCentre, r.cost_centre_id) if r.cost_centre_id else None
        ranges = tuple(
            PromoRange(x.min_qty, x.max_qty if x.max_qty else None, x.free_qty)  # max 0: open-ended ("10+")
            for x in session.exec(select(m.PromotionRange).where(m.PromotionRange.promotion_id == r.id)
                                  .order_by(m.PromotionRange.min_qty)).all()
        )
        locs = tuple(session.execute(
            sa_select(m.Location.code).join(m.PromotionLocation, m.PromotionLocation.location_id == m.Location.id)
            .where(m.PromotionLocation.promotion_id == r.id).order_by(m.Location.number)).scalars())
        reason = session.get(m.PromotionReason, r.reason_id) if r.reason_id else None
        return PromotionInfo(r.id, r.scheme_no, it.code, it.name, r.unit, reason.code if reason else r.reason,
                             acct.code if acct else None, cc.code if cc else None, r.scheme_date, r.inactive, ranges,
                             locs, reason_name=r.reason)

    def promotion_summary(self, scheme_no: str) -> SchemeSummary:
        """Summary tab: the free goods the scheme gave on posted invoices and provisional invoices —
        documents, free quantity and value at cost (USD)."""
        with self.db.read() as session:
            promo = get_or_404(session, ENTITIES["promotion"], scheme_no, field="scheme_no")
            found = session.execute(
                sa_select(m.Document.id, m.Document.doc_type, m.DocumentLine.qty, m.DocumentLine.unit_cost_usd,
                          m.DocumentLine.extra)
                .join(m.Document, m.Document.id == m.DocumentLine.document_id)
                .where(m.DocumentLine.is_free == True, m.DocumentLine.item_id == promo.item_id,  # noqa: E712
                       m.Document.status == "posted", col(m.Document.doc_type).in_([t for t, _ in _GIVING]))).all()
            rows, every = [], set()
            for doc_type, label in _GIVING:
                mine = [f for f in found if f.doc_type == doc_type and (f.extra or {}).get("scheme") == promo.scheme_no]
                docs = {f.id for f in mine}
                every |= docs
                rows.append(SummaryRow(label, len(docs), sum((f.qty for f in mine), Decimal("0.000")),
                                       sum((q2(f.qty * f.unit_cost_usd) for f in mine), Decimal("0.00"))))
            return _summary(promo.scheme_no, rows, len(every))

    # ================================================================ discount slabs
    def create_discount_slab(self, actor: Actor, *, doc_date: Any, ranges: Sequence[Mapping[str, Any]],
                             locations: Sequence[str], inactive: bool = False) -> SlabInfo:
        """A discount-slab table; its number ``DS000001`` is given on save."""
        with self._write(actor, "masters", "Discount slabs") as session:
            row = m.DiscountSlab(doc_no=self._next_serial(session, m.DiscountSlab, "doc_no", "DS"), doc_date=dt.date.min)
            self._apply_slab(session, actor, row, dict(doc_date=doc_date, ranges=ranges, locations=locations,
                                                       inactive=inactive), before=None)
            return self._slab_info(session, row)

    def update_discount_slab(self, actor: Actor, doc_no: str, **changes: Any) -> SlabInfo:
        self._known_fields(changes, {"doc_date", "ranges", "locations", "inactive"},
                           N_("unknown discount slab field {unknown!r}"))
        with self._write(actor, "masters", "Discount slabs") as session:
            row = get_or_404(session, ENTITIES["discount_slab"], doc_no, field="doc_no")
            info = self._slab_info(session, row)
            current = dict(doc_date=info.doc_date, inactive=info.inactive, locations=list(info.locations),
                           ranges=[dict(from_value=r.from_value, to_value=r.to_value, pct=r.pct) for r in info.ranges])
            self._apply_slab(session, actor, row, {**current, **changes}, before=_slab_snapshot(info))
            return self._slab_info(session, row)

    def _apply_slab(self, session: Session, actor: Actor, row: m.DiscountSlab, data: Mapping[str, Any], *,
                    before: dict | None) -> None:
        doc_date = date_of(data.get("doc_date"), field="doc_date")
        ranges = self._slab_ranges(data.get("ranges"))
        loc_ids = self._location_ids(session, data.get("locations"))
        row.doc_date, row.inactive = doc_date, flag(data.get("inactive"), field="inactive")
        _write_with_children(session, row, (m.DiscountSlabRange, "slab_id", [
            dict(from_value=r.from_value, to_value=r.to_value, pct=r.pct) for r in ranges]),
            (m.DiscountSlabLocation, "slab_id", _at(loc_ids)))
        _record(session, actor, "discount_slab", row.id, before, _slab_snapshot(self._slab_info(session, row)),
                f"discount slab {row.doc_no}")

    @staticmethod
    def _slab_ranges(raw: Any) -> list[SlabRange]:
        def read(r: Mapping[str, Any]) -> SlabRange:
            return SlabRange(amount(r.get("from_value"), field="from_value"),
                             _open_end(r.get("to_value"), lambda v: amount(v, field="to_value")),
                             percent(r.get("pct"), field="pct"))
        return _range_rows(raw, ("from_value", "to_value", "pct"), N_("Add at least one slab row"), read,
                           validate_slab_ranges)

    def get_discount_slab(self, doc_no: str) -> SlabInfo:
        return self._get("discount_slab", doc_no, self._slab_info, field="doc_no", with_session=True)

    def list_discount_slabs(self, *, status: str = "active", location: str | None = None, limit: int = 100,
                            offset: int = 0) -> Page[SlabInfo]:
        status = check_status(status)
        limit, offset = check_paging(limit, offset)
        s = m.DiscountSlab
        conds = []
        if status != "all":
            conds.append(s.inactive == (status == "inactive"))
        with self.db.read() as session:
            if location:
                loc = self.ref_location(session, location, active=False)
                conds.append(col(s.id).in_(sa_select(m.DiscountSlabLocation.slab_id)
                                           .where(m.DiscountSlabLocation.location_id == loc.id)))
            total = session.execute(sa_select(func.count()).select_from(s).where(*conds)).scalar_one()
            rows = session.exec(select(s).where(*conds).order_by(col(s.doc_date).desc(), col(s.id).desc())
                                .limit(limit).offset(offset)).all()
            return Page(tuple(self._slab_info(session, r) for r in rows), total, limit, offset)

    def slab_summary(self, doc_no: str) -> SchemeSummary:
        """Summary tab: the discount the slab table gave — posted invoices and provisional invoices at
        its locations, dated while it was the table in force there, whose flat discount came from a
        slab: documents, quantity sold and the discount in USD."""
        with self.db.read() as session:
            slab = get_or_404(session, ENTITIES["discount_slab"], doc_no, field="doc_no")
            loc_ids = [r for r in session.execute(sa_select(m.DiscountSlabLocation.location_id)
                                                  .where(m.DiscountSlabLocation.slab_id == slab.id)).scalars()]
            periods = {}
            for loc_id in loc_ids:  # in force from its date until a later active table of that location
                later = session.execute(
                    sa_select(func.min(m.DiscountSlab.doc_date))
                    .join(m.DiscountSlabLocation, m.DiscountSlabLocation.slab_id == m.DiscountSlab.id)
                    .where(m.DiscountSlabLocation.location_id == loc_id, m.DiscountSlab.inactive == False,  # noqa: E712
                           m.DiscountSlab.id != slab.id, m.DiscountSlab.doc_date > slab.doc_date)).scalar()
                periods[loc_id] = later
            docs = session.execute(
                sa_select(m.Document).where(m.Document.status == "posted", col(m.Document.location_id).in_(loc_ids),
                                            col(m.Document.doc_type).in_([t for t, _ in _GIVING]),
                                            m.Document.doc_date >= slab.doc_date, m.Document.flat_amount > 0)
            ).scalars().all()
            rows, count = [], 0
            for doc_type, label in _GIVING:
                mine = [d for d in docs if d.doc_type == doc_type and (d.extra or {}).get("flat_from_slab")
                        and (periods[d.location_id] is None or d.doc_date < periods[d.location_id])]
                count += len(mine)
                rows.append(SummaryRow(label, len(mine), sum((d.total_qty for d in mine), Decimal("0.000")),
                                       sum((d.flat_amount if d.currency == "USD" else q2(d.flat_amount / d.rate)
                                            for d in mine), Decimal("0.00"))))
            return _summary(slab.doc_no, rows, count)

    def _slab_info(self, session: Session, r: m.DiscountSlab) -> SlabInfo:
        ranges = tuple(SlabRange(x.from_value, x.to_value, x.pct) for x in session.exec(
            select(m.DiscountSlabRange).where(m.DiscountSlabRange.slab_id == r.id)
            .order_by(m.DiscountSlabRange.from_value)).all())
        locs = tuple(session.execute(
            sa_select(m.Location.code).join(m.DiscountSlabLocation, m.DiscountSlabLocation.location_id == m.Location.id)
            .where(m.DiscountSlabLocation.slab_id == r.id).order_by(m.Location.number)).scalars())
        return SlabInfo(r.id, r.doc_no, r.doc_date, r.inactive, ranges, locs)

    # ================================================================ loyalty cards
    def create_loyalty_card(self, actor: Actor, *, name: str, doc_date: Any, value_per_point_usd: Any,
                            categories: Sequence[Mapping[str, Any]], redemption_frequency_days: Any = 0,
                            inactive: bool = False) -> LoyaltyCardInfo:
        with self._write(actor, "masters", "Loyalty cards") as session:
            row = m.LoyaltyCard(name="", doc_date=dt.date.min)
            self._apply_card(session, actor, row, dict(name=name, doc_date=doc_date, value_per_point_usd=value_per_point_usd,
                                                       categories=categories, inactive=inactive,
                                                       redemption_frequency_days=redemption_frequency_days), before=None)
            return self._card_info(session, row)

    def update_loyalty_card(self, actor: Actor, name_key: str, **changes: Any) -> LoyaltyCardInfo:
        allowed = {"name", "doc_date", "value_per_point_usd", "categories", "redemption_frequency_days", "inactive"}
        self._known_fields(changes, allowed, N_("unknown loyalty card field {unknown!r}"))
        with self._write(actor, "masters", "Loyalty cards") as session:
            row = get_or_404(session, ENTITIES["loyalty_card"], name_key, field="name")
            info = self._card_info(session, row)
            current = dict(name=info.name, doc_date=info.doc_date, value_per_point_usd=info.value_per_point_usd,
                           redemption_frequency_days=info.redemption_frequency_days, inactive=info.inactive,
                           categories=[dict(price_category=c.price_category, customer_category=c.customer_category,
                                            sales_amount_per_point=c.sales_amount_per_point) for c in info.categories])
            self._apply_card(session, actor, row, {**current, **changes}, before=_card_snapshot(info))
            return self._card_info(session, row)

    def _apply_card(self, session: Session, actor: Actor, row: m.LoyaltyCard, data: Mapping[str, Any], *,
                    before: dict | None) -> None:
        name = text(data.get("name"), field="name", label=N_("Card name"), required=True, max_len=60)
        self._unique(session, m.LoyaltyCard, "name", name, exclude_id=row.id, field="name",
                     message=N_("Loyalty card {name} already exists"), params={"name": name}, case_insensitive=True)
        doc_date = date_of(data.get("doc_date"), field="doc_date")
        days = integer(data.get("redemption_frequency_days"), field="redemption_frequency_days", minimum=0,
                       maximum=3650, default=0)
        value = amount(data.get("value_per_point_usd"), field="value_per_point_usd", positive=True)
        rules = list(data.get("categories") or ())
        if not rules:
            raise ValidationError("Add at least one loyalty category", field="categories")
        parsed: dict[tuple[str, int | None], Decimal] = {}
        for i, r in enumerate(rules, start=1):
            r = _as_mapping(r, ("price_category", "sales_amount_per_point", "customer_category"))
            try:
                cc_code = str(r.get("customer_category") or "").strip()
                if cc_code:  # a Customer Category's rule (seed: loyalty by customer category)
                    cc = self.ref(session, m.CustomerCategory, cc_code, field="customer_category",
                                  label=N_("Customer category"), by=("code", "name"))
                    key, cat = ("", cc.id), cc.code
                else:
                    cat = choice(r.get("price_category"), PRICE_CATEGORIES, field="price_category",
                                 label=N_("Loyalty category"))
                    key = (cat, None)
                per = amount(r.get("sales_amount_per_point"), field="sales_amount_per_point", positive=True)
            except (ValidationError, NotFound) as exc:
                raise ValidationError("row {i}: {message}", field="categories",
                    params={"i": i, "message": exc.message}) from None
            if key in parsed:
                raise ValidationError("row {i}: {cat} is already on an earlier row", field="categories",
                    params={"i": i, "cat": cat})
            parsed[key] = per
        row.name, row.doc_date, row.redemption_frequency_days, row.value_per_point_usd = name, doc_date, days, value
        row.inactive = flag(data.get("inactive"), field="inactive")
        _write_with_children(session, row, (m.LoyaltyCardCategory, "card_id", [
            dict(price_category=c, customer_category_id=cc, sales_amount_per_point=v)
            for (c, cc), v in parsed.items()]))
        _record(session, actor, "loyalty_card", row.id, before, _card_snapshot(self._card_info(session, row)),
                f"loyalty card {row.name}")

    def loyalty_card_summary(self, name: str) -> SchemeSummary:
        """Summary tab: what the card gave its holders — points earned, redeemed and reversed (by
        returns and cancellations): documents, points and their value in USD."""
        with self.db.read() as session:
            card = get_or_404(session, ENTITIES["loyalty_card"], name, field="name")
            found = session.execute(
                sa_select(m.LoyaltyTransaction.kind, m.LoyaltyTransaction.document_id, m.LoyaltyTransaction.points,
                          m.LoyaltyTransaction.value_usd)
                .join(m.Customer, m.Customer.id == m.LoyaltyTransaction.customer_id)
                .where(m.Customer.loyalty_card_id == card.id)).all()
            rows, every = [], set()
            for kind, label in (("earn", N_("Points earned")), ("redeem", N_("Points redeemed")),
                                ("reverse", N_("Points reversed"))):
                mine = [t for t in found if t.kind == kind]
                docs = {t.document_id for t in mine if t.document_id is not None}
                every |= docs
                rows.append(SummaryRow(label, len(docs), Decimal(sum(t.points for t in mine)),
                                       sum((t.value_usd for t in mine), Decimal("0.00"))))
            return _summary(card.name, rows, len(every))

    def get_loyalty_card(self, name: str) -> LoyaltyCardInfo:
        return self._get("loyalty_card", name, self._card_info, field="name", with_session=True)

    def list_loyalty_cards(self, *, status: str = "active", search: str = "") -> list[LoyaltyCardInfo]:
        status = check_status(status)
        c = m.LoyaltyCard
        conds = []
        if status != "all":
            conds.append(c.inactive == (status == "inactive"))
        if (search or "").strip():
            conds.append(col(c.name).ilike(like(search), escape="\\"))
        with self.db.read() as session:
            return [self._card_info(session, r) for r in session.exec(select(c).where(*conds).order_by(c.name)).all()]

    @staticmethod
    def _card_info(session: Session, r: m.LoyaltyCard) -> LoyaltyCardInfo:
        found = session.execute(
            sa_select(m.LoyaltyCardCategory, m.CustomerCategory.code)
            .outerjoin(m.CustomerCategory, m.CustomerCategory.id == m.LoyaltyCardCategory.customer_category_id)
            .where(m.LoyaltyCardCategory.card_id == r.id)).all()
        cats = tuple(sorted((LoyaltyCategoryRule(x.price_category, x.sales_amount_per_point, code)
                             for x, code in found), key=lambda c: (c.customer_category or "", c.price_category)))
        return LoyaltyCardInfo(r.id, r.name, r.doc_date, r.redemption_frequency_days, r.value_per_point_usd,
                               r.inactive, cats)

    # ================================================================ sales targets
    def save_target(self, actor: Actor, *, kind: str, financial_year: Any, months: Sequence[Any],
                    location: str | None = None, sales_person: str | None = None) -> TargetInfo:
        """Location-wise or delegate-wise targets: 12 months of (target qty, target amount USD).

        ``months``: 12 entries in month order, each ``(qty, amount)`` or a mapping
        with ``target_qty``/``target_amount`` (and optionally ``month``).
        Saving again for the same year and location/person replaces the figures.
        """
        with self._write(actor, "masters", "Sales targets") as session:
            kind_ = choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind"))
            year = integer(financial_year, field="financial_year", minimum=2000, maximum=2100)
            loc_id, sp_id = self._target_owner(session, kind_, location, sales_person)
            figures = self._target_months(months)
            t = m.SalesTarget
            row = session.exec(select(t).where(t.kind == kind_, t.financial_year == year, t.location_id == loc_id,
                                               t.sales_person_id == sp_id)).first()
            before = _target_snapshot(self._target_info(session, row)) if row else None
            if row is None:
                row = t(kind=kind_, financial_year=year, location_id=loc_id, sales_person_id=sp_id)
                session.add(row)
                session.flush()
            existing = {x.month: x for x in session.exec(select(m.SalesTargetMonth)
                                                         .where(m.SalesTargetMonth.target_id == row.id)).all()}
            for month, (qty, amt) in enumerate(figures, start=1):
                mrow = existing.get(month) or m.SalesTargetMonth(target_id=row.id, month=month)
                mrow.target_qty, mrow.target_amount = qty, amt
                session.add(mrow)
            session.flush()
            info = self._target_info(session, row)
            _record(session, actor, "sales_target", row.id, before, _target_snapshot(info),
                    f"{kind_} target {year} {info.location or info.sales_person}")
            return info

    def _target_owner(self, session: Session, kind: str, location: Any, sales_person: Any) -> tuple[int | None, int | None]:
        if kind == "location":
            if not (location or "").strip():
                raise ValidationError("Location is required", field="location")
            return self.ref_location(session, location, active=False).id, None
        if not (sales_person or "").strip():
            raise ValidationError("Sales person is required", field="sales_person")
        return None, self.ref_sales_person(session, sales_person, active=False).id

    @staticmethod
    def _target_months(months: Sequence[Any]) -> list[tuple[Decimal, Decimal]]:
        months = list(months or ())
        if len(months) != 12:
            raise ValidationError("Enter the targets of all 12 months ({months} given)", field="months",
                params={"months": len(months)})
        out = []
        for i, entry in enumerate(months, start=1):
            if isinstance(entry, Mapping):
                if "month" in entry and integer(entry["month"], field="month", minimum=1, maximum=12) != i:
                    raise ValidationError("row {i}: months must be in order January to December", field="months",
                        params={"i": i})
                qty_raw, amt_raw = entry.get("target_qty"), entry.get("target_amount")
            else:
                qty_raw, amt_raw = entry
            try:
                out.append((quantity(qty_raw, field="target_qty", default=Decimal("0.000")),
                            amount(amt_raw, field="target_amount", default=Decimal("0.00"))))
            except ValidationError as exc:
                raise ValidationError("{month}: {message}", field="months",
                    params={"month": _(MONTHS[i - 1]), "message": exc.message}) from None
        return out

    def get_target(self, *, kind: str, financial_year: int, location: str | None = None,
                   sales_person: str | None = None) -> TargetInfo:
        with self.db.read() as session:
            kind_ = choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind"))
            loc_id, sp_id = self._target_owner(session, kind_, location, sales_person)
            t = m.SalesTarget
            row = session.exec(select(t).where(t.kind == kind_, t.financial_year == financial_year,
                                               t.location_id == loc_id, t.sales_person_id == sp_id)).first()
            if row is None:
                raise NotFound("No {kind} target for {financial_year}", field="financial_year",
                    params={"kind": _(_KIND_WORDS.get(kind_, kind_)), "financial_year": financial_year})
            return self._target_info(session, row)

    def list_targets(self, *, kind: str | None = None, financial_year: int | None = None) -> list[TargetInfo]:
        t = m.SalesTarget
        conds = []
        if kind:
            conds.append(t.kind == choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind")))
        if financial_year:
            conds.append(t.financial_year == financial_year)
        with self.db.read() as session:
            rows = session.exec(select(t).where(*conds).order_by(col(t.financial_year).desc(), t.kind, t.id)).all()
            return [self._target_info(session, r) for r in rows]

    @staticmethod
    def _target_info(session: Session, r: m.SalesTarget) -> TargetInfo:
        loc = session.get(m.Location, r.location_id) if r.location_id else None
        sp = session.get(m.SalesPerson, r.sales_person_id) if r.sales_person_id else None
        by_month = {x.month: x for x in session.exec(select(m.SalesTargetMonth)
                                                     .where(m.SalesTargetMonth.target_id == r.id)).all()}
        months = tuple(
            TargetMonth(i, MONTHS[i - 1], by_month[i].target_qty if i in by_month else Decimal("0.000"),
                        by_month[i].target_amount if i in by_month else Decimal("0.00"))
            for i in range(1, 13)
        )
        return TargetInfo(r.id, r.kind, r.financial_year, loc.code if loc else None, sp.code if sp else None, months)

    def target_progress(self, kind: str, year: int, *, location: str | None = None,
                        sales_person: str | None = None) -> list[TargetProgress]:
        """12 rows: target vs actual (posted SI/PI less SR/RD: net USD and qty), by month of the document date."""
        kind_ = choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind"))
        year = integer(year, field="financial_year", minimum=2000, maximum=2100)
        with self.db.read() as session:
            loc_id, sp_id = self._target_owner(session, kind_, location, sales_person)
            t = m.SalesTarget
            target = session.exec(select(t).where(t.kind == kind_, t.financial_year == year, t.location_id == loc_id,
                                                  t.sales_person_id == sp_id)).first()
            months = self._target_info(session, target).months if target else tuple(
                TargetMonth(i, MONTHS[i - 1], Decimal("0.000"), Decimal("0.00")) for i in range(1, 13))
            d = m.Document
            month = extract("month", d.doc_date)
            owner = d.location_id == loc_id if kind_ == "location" else d.sales_person_id == sp_id
            actual: dict[int, list[Decimal]] = {}
            for types, sign in ((SALE_TYPES, 1), (RETURN_TYPES, -1)):
                stmt = (sa_select(month, func.sum(d.total_qty), func.sum(d.net_usd))
                        .where(col(d.doc_type).in_(types), d.status == "posted", owner,
                               d.doc_date >= dt.date(year, 1, 1), d.doc_date <= dt.date(year, 12, 31))
                        .group_by(month))
                for mon, qty, usd in session.execute(stmt).all():
                    acc = actual.setdefault(int(mon), [Decimal("0.000"), Decimal("0.00")])
                    acc[0] += sign * (qty or 0)
                    acc[1] += sign * (usd or 0)
            out = []
            for tm in months:
                qty, usd = actual.get(tm.month, [Decimal("0.000"), Decimal("0.00")])
                pct = q2(usd * 100 / tm.target_amount) if tm.target_amount > 0 else None
                out.append(TargetProgress(tm.month, tm.month_name, tm.target_qty, qty.quantize(Decimal("0.001")),
                                          tm.target_amount, usd.quantize(Decimal("0.01")), pct))
            return out

    # ---------------------------------------------------------------- sales target tasks
    def copy_target(self, actor: Actor, *, kind: str, financial_year: Any, location: str | None = None,
                    sales_person: str | None = None) -> TargetInfo:
        """Sales Target Tasks, "copy": a year's twelve months to the next year for the same location or
        sales person. Refused when the next year has targets already (open them to change them)."""
        with self._write(actor, "masters", "Sales targets") as session:
            kind_ = choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind"))
            year = integer(financial_year, field="financial_year", minimum=2000, maximum=2099)
            loc_id, sp_id = self._target_owner(session, kind_, location, sales_person)
            t = m.SalesTarget

            def of(y: int) -> m.SalesTarget | None:
                return session.exec(select(t).where(t.kind == kind_, t.financial_year == y, t.location_id == loc_id,
                                                    t.sales_person_id == sp_id)).first()

            source = of(year)
            if source is None:
                raise NotFound("No {kind} target for {year} to copy", field="financial_year",
                    params={"kind": _(_KIND_WORDS.get(kind_, kind_)), "year": year})
            if of(year + 1) is not None:
                raise Duplicate("Targets for {year} exist already: open them to change them",
                                field="financial_year", params={"year": year + 1})
            months = self._target_info(session, source).months
            row = t(kind=kind_, financial_year=year + 1, location_id=loc_id, sales_person_id=sp_id)
            session.add(row)
            session.flush()
            session.add_all([m.SalesTargetMonth(target_id=row.id, month=x.month, target_qty=x.target_qty,
                                                target_amount=x.target_amount) for x in months])
            session.flush()
            info = self._target_info(session, row)
            audit.record(session, actor, "create", "sales_target", row.id, after=_target_snapshot(info),
                         summary=f"{kind_} target {year + 1} {info.location or info.sales_person} copied from {year}")
            return info

    def export_targets(self, actor: Actor, *, kind: str, financial_year: Any, fmt: str = "csv") -> bytes:
        """Sales Target Tasks, "export": every target of ``kind`` for the year, a row per owner and month
        with the actuals (:meth:`target_progress`), as CSV or XLSX (:data:`TARGET_EXPORT_COLUMNS`)."""
        actor.require("masters", "Exporting sales targets")
        kind_ = choice(kind, TARGET_KINDS, field="kind", label=N_("Target kind"))
        year = integer(financial_year, field="financial_year", minimum=2000, maximum=2100)
        fmt = (fmt or "").strip().lower()
        if fmt not in tabular.FORMATS:
            raise ValidationError("format: one of {formats}, got {fmt!r}", field="format",
                params={"formats": ', '.join(tabular.FORMATS), "fmt": fmt})
        rows = []
        for target in self.list_targets(kind=kind_, financial_year=year):
            owner = target.location if kind_ == "location" else target.sales_person
            for p in self.target_progress(kind_, year, **{"location" if kind_ == "location" else "sales_person": owner}):
                rows.append([kind_, str(year), owner or "", str(p.month), p.month_name, f"{p.target_qty:f}",
                             f"{p.target_amount:f}", f"{p.actual_qty:f}", f"{p.actual_amount_usd:f}",
                             "" if p.pct_achieved is None else f"{p.pct_achieved:f}"])
        return tabular.table_bytes(fmt, f"Targets {year}", TARGET_EXPORT_COLUMNS, rows)

    # ---------------------------------------------------------------- shared
    def _location_ids(self, session: Session, raw: Any) -> list[int]:
        if isinstance(raw, str):
            raw = [p for p in raw.replace(",", ";").split(";")]
        codes = [str(c).strip() for c in (raw or ()) if str(c).strip()]
        if not codes:
            raise ValidationError("Select at least one location", field="locations")
        ids: list[int] = []
        for c in codes:
            loc = self.ref_location(session, c, field="locations")
            if loc.id not in ids:
                ids.append(loc.id)
        return ids


def _write_with_children(session: Session, row: Any, *children: tuple[type, str, list[dict[str, Any]]]) -> None:
    """Write a scheme's ``row`` and put its child rows (ranges, locations, categories) in place of those it
    had: each ``(model, key, rows)`` names the child table, its column pointing to ``row``, and the new rows."""
    session.add(row)
    session.flush()
    for model, key, _rows in children:
        session.execute(delete(model).where(getattr(model, key) == row.id))
    for model, key, rows in children:
        session.add_all([model(**{key: row.id}, **r) for r in rows])
    session.flush()


def _at(location_ids: list[int]) -> list[dict[str, Any]]:
    """The location rows of a scheme that holds at ``location_ids``."""
    return [dict(location_id=i) for i in location_ids]


def _record(session: Session, actor: Actor, entity: str, row_id: int, before: dict | None, after: dict,
            summary: str) -> None:
    """The audit row of a scheme saved: created (no ``before``) or updated."""
    audit.record(session, actor, "update" if before else "create", entity, row_id, before=before, after=after,
                 summary=summary)


def _open_end(raw: Any, read: Callable[[Any], Decimal]) -> Decimal | None:
    """A range's upper bound: blank means none (open-ended)."""
    return None if raw is None or (isinstance(raw, str) and not raw.strip()) else read(raw)


def _range_rows(raw: Any, names: tuple[str, ...], empty: str, read: Callable[[Mapping[str, Any]], Any],
                validate: Callable[[list], Any]) -> list:
    """The rows of a range table (a promotion's quantity ranges, a slab's value ranges): at least one
    (``empty`` otherwise), each ``read`` from a mapping, list or range of ``names`` (a bad one refused as
    "row N: …"), then ``validate`` on them all; every error names the ``ranges`` field."""
    rows = list(raw or ())
    if not rows:
        raise ValidationError(empty, field="ranges")
    out = []
    for i, r in enumerate(rows, start=1):
        r = _as_mapping(r, names)
        try:
            out.append(read(r))
        except ValidationError as exc:
            raise ValidationError("row {i}: {message}", field="ranges",
                params={"i": i, "message": exc.message}) from None
    try:
        validate(out)
    except MoneyError as exc:
        raise ValidationError(str(exc), field="ranges") from None
    return out


def _as_mapping(r: Any, names: tuple[str, ...]) -> Mapping[str, Any]:
    if isinstance(r, Mapping):
        return r
    if isinstance(r, (PromoRange, SlabRange, LoyaltyCategoryRule)):
        return {n: getattr(r, n) for n in names}
    return dict(zip(names, r))


def _reason_info(session: Session, r: m.PromotionReason) -> PromotionReasonInfo:
    acct = session.get(m.Account, r.expense_account_id)
    return PromotionReasonInfo(r.id, r.code, r.name, acct.code, acct.name, r.inactive, r.created_at)


def _promotion_snapshot(info: PromotionInfo) -> dict:
    return dict(scheme_no=info.scheme_no, item=info.item, unit=info.unit, reason=info.reason,
                expense_account=info.expense_account, cost_centre=info.cost_centre, scheme_date=info.scheme_date,
                inactive=info.inactive, locations=list(info.locations),
                ranges=[[r.min_qty, r.max_qty, r.free_qty] for r in info.ranges])


def _slab_snapshot(info: SlabInfo) -> dict:
    return dict(doc_no=info.doc_no, doc_date=info.doc_date, inactive=info.inactive, locations=list(info.locations),
                ranges=[[r.from_value, r.to_value, r.pct] for r in info.ranges])


def _card_snapshot(info: LoyaltyCardInfo) -> dict:
    return dict(name=info.name, doc_date=info.doc_date, redemption_frequency_days=info.redemption_frequency_days,
                value_per_point_usd=info.value_per_point_usd, inactive=info.inactive,
                categories=[[c.customer_category or c.price_category, c.sales_amount_per_point]
                            for c in info.categories])


def _target_snapshot(info: TargetInfo) -> dict:
    return dict(kind=info.kind, financial_year=info.financial_year, location=info.location,
                sales_person=info.sales_person, months=[[x.target_qty, x.target_amount] for x in info.months])


__all__ = [
    "LoyaltyCardInfo", "LoyaltyCategoryRule", "MONTHS", "PromotionInfo", "SchemeMasters", "SlabInfo", "TargetInfo",
    "TargetMonth", "TargetProgress",
]
