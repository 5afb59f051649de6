"""The services: every operation of shopterm, for the TUI, the CLI and the tests.

``Services`` is built from a database URL and passed into the Textual app (and
used by each CLI command). Each area is a sub-service created on first use:

==============  ==============================================================
``users``       login, PINs, approvals, user administration
``setup``       shop initialisation, chart of accounts, locations, shop setup
``masters``     customers, items, prices, sales persons, schemes, targets…
``stock``       stock receipt (GRN), stock and reserved quantities, batches
``day``         shop open and shop close
``sales``       orders, invoices, provisional invoices, delivery notes, returns
``cash``        sales receipts and refunds, shop receipts/payments, exchange,
                commission payments
``ledger``      the customer ledger, matching, balances, statements, GL
``posting``     the posting framework shared by every document
``orders``      sales orders and proformas (reserve; convert into invoices)
``provisional`` provisional invoices and their delivery notes
``returns``     sales returns (against an invoice or delivery note), direct returns
``commission``  sales commission payments (Save = draft, Approve_Save posts)
``loyalty``     loyalty points held, card status, history
``promotions``  free offers of a draft (the Free Offers tab)
==============  ==============================================================

Every operation opens one transaction, checks the actor's permission and the
rules, calls ``core`` and writes through ``store``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib import import_module

from shopterm.core.i18n import _, format_date, pgettext
from ..store.db import Database
from .context import Actor


@dataclass(frozen=True, slots=True)
class Status:
    location_code: str
    location_name: str
    business_date: dt.date
    day_open: bool
    user_name: str
    role: str
    system_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class LookupRow:
    code: str
    name: str
    detail: str = ""


def _sub(module: str, cls: str):
    def factory(self: "Services"):
        return getattr(import_module(f"{__name__}.{module}"), cls)(self)

    factory.__name__ = module
    return cached_property(factory)



@functools.cache
def _rate_on():
    """The system rate in force on a date (the latest on or before it): built once, on first use
    (the store's models are imported then, not at start-up)."""
    from sqlalchemy import bindparam
    from sqlmodel import col, select

    from ..store.models import ExchangeRate

    from ..store.master_cache import MasterRead

    return MasterRead(select(ExchangeRate.rate).where(ExchangeRate.date <= bindparam("on"))
                    .order_by(col(ExchangeRate.date).desc()).limit(1))

class Services:
    def __init__(self, db: Database, *, today: dt.date | None = None):
        self.db = db
        self._today = today

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, today: dt.date | None = None, lite: bool = False) -> "Services":
        """The services on ``url``, its schema brought to the head (``upgrade``).

        ``lite``: a read command's (``shopterm ledger balances``). A SQLite file whose schema is current is
        opened as :class:`~shopterm.store.sqlrun.LiteDatabase`: the named statements run on ``sqlite3``
        without importing SQLAlchemy (anything else opens it through SQLAlchemy when first asked)."""
        if lite and upgrade:
            from ..store.sqlrun import open_lite

            found = open_lite(url)
            if found is not None:
                return cls(found, today=today)  # type: ignore[arg-type]
        db = Database.from_url(url)
        if upgrade:
            from ..store.migrate import upgrade as do_upgrade

            do_upgrade(db.engine)
        return cls(db, today=today)

    def today(self) -> dt.date:
        """The business date (the clock's date, unless fixed for a demo or a test)."""
        return self._today or dt.date.today()

    users = _sub("admin.users", "UserService")
    setup = _sub("admin.setup", "SetupService")
    masters = _sub("masters.service", "MastersService")
    stock = _sub("stock", "StockService")
    day = _sub("cash.day", "DayService")
    sales = _sub("sales.invoice", "SalesService")
    cash = _sub("cash.till", "CashService")
    ledger = _sub("ledger.entries", "LedgerService")
    #: the ledger's reports alone (``services.ledger`` is built on them): no ORM, SQLModel or models loaded
    ledger_reads = _sub("ledger.reading", "LedgerReads")
    posting = _sub("documents.posting", "PostingService")
    printing = _sub("printing", "PrintService")
    orders = _sub("sales.orders", "OrdersService")
    provisional = _sub("sales.provisional", "ProvisionalService")
    returns = _sub("sales.returns", "ReturnsService")
    commission = _sub("sales.commission", "CommissionService")
    loyalty = _sub("schemes.loyalty", "LoyaltyService")
    promotions = _sub("schemes.promotions", "PromotionsService")
    mail = _sub("mail", "MailService")
    merge = _sub("masters.merge", "CustomerMergeService")
    holds = _sub("documents.holds", "DraftHoldService")

    # -- shared read helpers -------------------------------------------------
    def status(self, actor: Actor) -> Status:
        from sqlmodel import col, select

        from ..store.models import Location, ShopDay

        with self.db.read() as session:
            loc = session.get(Location, actor.location_id) if actor.location_id else None
            if loc is None:
                loc = session.exec(select(Location).where(Location.inactive == False).order_by(Location.number)).first()  # noqa: E712
            if loc is None:
                return Status("", "", self.today(), False, actor.name, actor.role, None)
            open_day = session.exec(
                select(ShopDay).where(ShopDay.location_id == loc.id, ShopDay.status == "open").order_by(col(ShopDay.date).desc())
            ).first()
            business_date = open_day.date if open_day else self.today()
            return Status(loc.code, loc.name, business_date, open_day is not None, actor.name, actor.role,
                          self.system_rate(session, business_date))

    @staticmethod
    def system_rate(session, on: dt.date) -> Decimal | None:
        return _rate_on().scalar(session, {"on": on})

    def item_codes(self) -> dict[str, str]:
        """Every active item's code and barcode (upper case) → its code, in one query: the
        item grids read it once per screen and resolve a typed code or a scan from it."""
        from sqlmodel import select

        from ..store import models as m

        with self.db.read() as session:
            rows = session.exec(select(m.Item.code, m.Item.barcode).where(m.Item.inactive == False)).all()  # noqa: E712
        codes = {str(barcode).strip().upper(): code for code, barcode in rows if barcode}
        codes.update((code.upper(), code) for code, _ in rows)  # a code wins over a barcode
        return codes

    def lookup(self, kind: str, query: str, *, limit: int = 50, actor: Actor | None = None) -> list[LookupRow]:
        """Type-to-search for the F2 dialog: code or name (and phone for customers)."""
        from sqlmodel import and_, col, or_, select

        from ..core.journal import account_label, default_accounts_named
        from ..store import models as m

        q = (query or "").strip()
        like = f"%{q}%"
        with self.db.read() as session:
            if kind == "customer":
                stmt = select(m.Customer).where(m.Customer.inactive == False)  # noqa: E712
                if q:
                    stmt = stmt.where(or_(col(m.Customer.code).ilike(like), col(m.Customer.name).ilike(like),
                                          col(m.Customer.mobile).ilike(like), col(m.Customer.email).ilike(like)))
                rows = session.exec(stmt.order_by(m.Customer.name).limit(limit)).all()
                kinds = {"credit": _("credit"), "cash": pgettext("customer kind", "cash")}
                return [LookupRow(r.code, r.name, f"{kinds.get(r.kind, r.kind)} {r.mobile or ''}".strip()) for r in rows]
            if kind == "item":
                stmt = select(m.Item).where(m.Item.inactive == False)  # noqa: E712
                if q:
                    stmt = stmt.where(or_(col(m.Item.code).ilike(like), col(m.Item.name).ilike(like),
                                          col(m.Item.barcode) == q))
                rows = session.exec(stmt.order_by(m.Item.code).limit(limit)).all()
                return [LookupRow(r.code, r.name, r.unit) for r in rows]
            if kind.startswith("batch:"):
                item = session.exec(select(m.Item).where(m.Item.code == kind[6:].upper())).first()
                if item is None:
                    return []
                stmt = select(m.Batch).where(m.Batch.item_id == item.id)
                if q:
                    stmt = stmt.where(col(m.Batch.code).ilike(like))
                rows = session.exec(stmt.order_by(m.Batch.expiry).limit(limit)).all()
                return [LookupRow(r.code, r.code, _("exp {date}").format(date=format_date(r.expiry)) if r.expiry else "")
                        for r in rows]
            simple = {
                "sales_person": (m.SalesPerson, "name"),
                "account": (m.Account, "name"),
                "cost_centre": (m.CostCentre, "name"),
                "promotion_reason": (m.PromotionReason, "name"),
                "location": (m.Location, "name"),
                "supplier": (m.Supplier, "name"),
                "category": (m.CustomerCategory, "name"),
            }
            if kind in simple:
                model, name_attr = simple[kind]
                stmt = select(model).where(model.inactive == False)  # noqa: E712
                if q:
                    found = [col(model.code).ilike(like), col(getattr(model, name_attr)).ilike(like)]
                    if model is m.Account:  # a default account by its name as the reader reads it
                        found += [and_(m.Account.code == c, m.Account.name == n) for c, n in default_accounts_named(q)]
                    stmt = stmt.where(or_(*found))
                rows = session.exec(stmt.order_by(model.code).limit(limit)).all()
                if model is m.Account:
                    return [LookupRow(r.code, account_label(r.code, r.name)) for r in rows]
                return [LookupRow(r.code, getattr(r, name_attr)) for r in rows]
            if kind.startswith("cash_account:"):  # the cash accounts of a currency (Shop Close's ledgers)
                stmt = select(m.Account).where(m.Account.inactive == False,  # noqa: E712
                                               m.Account.currency == kind[13:].upper())
                if q:
                    stmt = stmt.where(or_(col(m.Account.code).ilike(like), col(m.Account.name).ilike(like),
                                          *(and_(m.Account.code == c, m.Account.name == n)
                                            for c, n in default_accounts_named(q))))
                rows = session.exec(stmt.order_by(m.Account.code).limit(limit)).all()
                return [LookupRow(r.code, account_label(r.code, r.name), r.currency or "") for r in rows]
            if kind == "group":
                stmt = select(m.CustomerGroup).where(m.CustomerGroup.inactive == False)  # noqa: E712
                if q:
                    stmt = stmt.where(col(m.CustomerGroup.name).ilike(like))
                rows = session.exec(stmt.order_by(m.CustomerGroup.name).limit(limit)).all()
                return [LookupRow(r.name, r.name) for r in rows]
            raise ValueError(f"unknown lookup kind {kind!r}")


__all__ = ["Actor", "LookupRow", "Services", "Status"]
