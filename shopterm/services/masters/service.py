"""The masters service (DESIGN §9; seed "Sales Masters" 01–12).

:class:`MastersService` is ``services.masters``. Each master has
``create_*``/``update_*`` (one transaction, permission check first, audited
with before/after, errors naming the field), ``get_*`` and ``list_*`` (search,
status active/inactive/all, paging). Records are deactivated, not deleted:
:meth:`MastersService.deactivate`/:meth:`reactivate` work for every master,
and :meth:`delete` removes only a record that was never used anywhere.
:meth:`history` is "View History" (F4).

The work is split by area (the mixins below); this module assembles them.

=================  =========================================================
customers          categories, groups (+ ``group_summary``), sales persons,
                   customers (credit/cash, ``find_similar``,
                   ``next_customer_code``, ``customer_details``,
                   ``require_active_customer``)
goods              items, batches (stock by SQL SUM), suppliers, prices
                   (``update_price`` single, ``update_prices`` multiple,
                   ``price_form``, ``current_price``)
org                chart of accounts, cost centres, locations, shop setup
schemes            sales promotions, discount slabs, loyalty cards, sales
                   targets (+ ``target_progress``)
=================  =========================================================

CSV import lives in :mod:`shopterm.services.masters.imports`
(:meth:`MastersService.import_csv` is a shortcut).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import delete as sa_delete
from sqlmodel import Session, SQLModel, col, select

from shopterm.core.i18n import _
from ...store import models as m

from ..admin import audit
from ..context import Actor
from ..errors import InUse, NotFound, ValidationError
from .attachments import AttachmentInfo, AttachmentMasters
from .base import ENTITIES, HISTORY_ONLY, PLURALS, Page, entity, get_or_404, usage
from .customers import (
    CategoryInfo, CustomerDetails, CustomerInfo, CustomerMasters, CustomerRow, GroupInfo, GroupMember, GroupSummary,
    LoyaltyRow, PaymentRow, PurchaseRow, SalesPersonInfo, SimilarCustomer,
)
from .goods import (
    BatchInfo, CurrentPrice, GoodsMasters, ItemInfo, PriceForm, PriceRow, PriceUpdateResult, SupplierInfo,
    price_from_markup,
)
from .org import AccountInfo, CostCentreInfo, LocationInfo, OrgMasters, ShopSetupInfo
from .schemes import (
    LoyaltyCardInfo, LoyaltyCategoryRule, PromotionInfo, SchemeMasters, SlabInfo, TargetInfo, TargetMonth,
    TargetProgress,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .imports import ImportResult


class MastersService(CustomerMasters, GoodsMasters, OrgMasters, SchemeMasters, AttachmentMasters):
    """``services.masters``: every master record of the shop."""

    # -- deactivate instead of delete -------------------------------------------
    def deactivate(self, actor: Actor, entity_name: str, key: str) -> None:
        """Mark a record inactive: it stays, but new documents cannot use it."""
        self._set_inactive(actor, entity_name, key, True)

    def reactivate(self, actor: Actor, entity_name: str, key: str) -> None:
        self._set_inactive(actor, entity_name, key, False)

    def _set_inactive(self, actor: Actor, entity_name: str, key: str, inactive: bool) -> None:
        ent = entity(entity_name)
        with self._write(actor, ent.permission, _(PLURALS.get(ent.name, ent.label))) as session:
            row = get_or_404(session, ent, key)
            if row.inactive == inactive:
                return
            if inactive and entity_name == "location":
                others = session.exec(select(m.Location).where(m.Location.inactive == False,  # noqa: E712
                                                               col(m.Location.id) != row.id)).first()
                if others is None:
                    raise ValidationError("The last active location cannot be deactivated", field="inactive")
            if inactive:
                self._refuse_if_in_shop_setup(session, entity_name, row)
            before = audit.snapshot(row)
            row.inactive = inactive
            session.add(row)
            session.flush()
            audit.record(session, actor, "deactivate" if inactive else "reactivate", ent.name, row.id, before=before,
                         after=row, summary=f"{ent.label.lower()} {getattr(row, ent.key)} "
                                            f"{'deactivated' if inactive else 'reactivated'}")

    @staticmethod
    def _refuse_if_in_shop_setup(session: Session, entity_name: str, row: Any) -> None:
        """The ledgers of a Shop Setup must stay active (the till posts to them)."""
        st = m.ShopSetup
        if entity_name == "account":
            cond = (st.cash_ledger_local_id == row.id) | (st.cash_ledger_base_id == row.id) | (st.shortage_ledger_id == row.id)
            what = _("Account {code} is a ledger").format(code=row.code)
        else:
            return
        setup = session.exec(select(st).where(cond)).first()
        if setup is not None:
            loc = session.get(m.Location, setup.location_id)
            raise ValidationError("{what} of the Shop Setup of {code}: change the Shop Setup first",
                                  field="inactive", params={"what": what, "code": loc.code})

    def delete(self, actor: Actor, entity_name: str, key: str) -> None:
        """Delete a record that was never used; a used one must be deactivated instead."""
        ent = entity(entity_name)
        with self._write(actor, ent.permission, _(PLURALS.get(ent.name, ent.label))) as session:
            row = get_or_404(session, ent, key)
            used = usage(session, ent, row.id)
            if used:
                raise InUse("{label} {key} is used ({used}): deactivate it instead of deleting it", field="inactive",
                    params={"label": _(ent.label), "key": getattr(row, ent.key), "used": ', '.join(used)})
            before = audit.snapshot(row)
            for child in ent.owned:
                table = SQLModel.metadata.tables[child]
                parent_fk = next(fk for fk in table.foreign_keys if fk.column.table is ent.model.__table__)
                session.execute(sa_delete(table).where(parent_fk.parent == row.id))
            session.delete(row)
            session.flush()
            audit.record(session, actor, "delete", ent.name, row.id, before=before,
                         summary=f"{ent.label.lower()} {getattr(row, ent.key)} deleted")

    def is_used(self, entity_name: str, key: str) -> list[str]:
        """Where a record is used (empty: it may be deleted)."""
        ent = entity(entity_name)
        with self.db.read() as session:
            return usage(session, ent, get_or_404(session, ent, key).id)

    # -- view history (F4) -----------------------------------------------------------
    def history(self, entity_name: str, key: str | int) -> list[audit.HistoryRow]:
        """The audit trail of one record: by its code/name, or by id (prices, batches, setups, targets)."""
        with self.db.read() as session:
            entity_id = self._entity_id(session, entity_name, key)
            if entity_name == "customer":  # with the history of the duplicates merged into it
                ids = [entity_id, *session.exec(select(m.Customer.id).where(m.Customer.merged_into_id == entity_id))]
                rows = session.exec(select(m.AuditLog).where(m.AuditLog.entity == "customer",
                                                             col(m.AuditLog.entity_id).in_(ids))
                                    .order_by(m.AuditLog.id)).all()
                return [audit.HistoryRow(r.at, r.user_name, r.action, r.summary, r.before, r.after, r.approver_id)
                        for r in rows]
            return audit.history(session, entity_name, entity_id)

    @staticmethod
    def _entity_id(session: Session, entity_name: str, key: str | int) -> int:
        if entity_name in ENTITIES:
            if isinstance(key, int):
                return key
            return get_or_404(session, ENTITIES[entity_name], key).id
        if entity_name == "shop_setup" and isinstance(key, str):
            loc = session.exec(select(m.Location).where(m.Location.code == key.strip().upper())).first()
            row = session.exec(select(m.ShopSetup).where(m.ShopSetup.location_id == loc.id)).first() if loc else None
            if row is None:
                raise NotFound("Location {key} has no Shop Setup", field="location", params={"key": key})
            return row.id
        if entity_name in HISTORY_ONLY:
            if not isinstance(key, int):
                raise ValidationError("{entity}: give the record id", field="id",
                    params={"entity": entity_name.replace('_', ' ')})
            return key
        raise ValidationError("unknown master {entity!r}", field="entity", params={"entity": entity_name})

    # -- CSV import shortcut -----------------------------------------------------------
    def import_csv(self, actor: Actor, kind: str, source: Any, *,
                   on_progress: Callable[[int, int], None] | None = None) -> "ImportResult":
        from .imports import ImportService

        return ImportService(self.s).run(actor, kind, source, on_progress=on_progress)

    def export_files(self, actor: Actor, kind: str) -> "tuple[Path, Path]":
        """The masters of ``kind`` exported as CSV (re-importable) and XLSX into the actor's print
        folder, named ``<kind>-<date>``; returns both paths (the screens' export key)."""
        from .imports import ImportService

        exporter = ImportService(self.s)
        return self._save_both(actor, f"{kind}-{self.s.today().isoformat()}",
                               lambda fmt: exporter.export(actor, kind, fmt))

    def export_target_files(self, actor: Actor, kind: str, financial_year: Any) -> "tuple[Path, Path]":
        """A year's sales targets of ``kind`` with their actuals (:meth:`export_targets`) as CSV and XLSX
        in the actor's print folder (Sales Target Tasks, from the target screens)."""
        return self._save_both(actor, f"targets-{kind}-{financial_year}",
                               lambda fmt: self.export_targets(actor, kind=kind, financial_year=financial_year,
                                                               fmt=fmt))

    def _save_both(self, actor: Actor, stem: str, data: "Callable[[str], bytes]") -> "tuple[Path, Path]":
        csv_data, xlsx_data = data("csv"), data("xlsx")  # both made before either is written
        return (self.s.printing.save_file(actor, f"{stem}.csv", csv_data),
                self.s.printing.save_file(actor, f"{stem}.xlsx", xlsx_data))


__all__ = [
    "AccountInfo", "AttachmentInfo", "BatchInfo", "CategoryInfo", "CostCentreInfo", "CurrentPrice", "CustomerDetails", "CustomerInfo",
    "CustomerRow", "GroupInfo", "GroupMember", "GroupSummary", "ItemInfo", "LocationInfo", "LoyaltyCardInfo",
    "LoyaltyCategoryRule", "LoyaltyRow", "MastersService", "Page", "PaymentRow", "PriceForm", "PriceRow",
    "PriceUpdateResult", "PromotionInfo", "PurchaseRow", "SalesPersonInfo", "ShopSetupInfo", "SimilarCustomer",
    "SlabInfo", "SupplierInfo", "TargetInfo", "TargetMonth", "TargetProgress", "price_from_markup",
]
