"""Creating a shop: the default chart, a location, its shop setup, a rate, an admin.

``shopterm init`` and ``shopterm demo`` call :meth:`SetupService.init_shop`.
The system exchange rate (CDF per USD) is kept per date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from shopterm.core.i18n import N_
from ...core.journal import CASH_CDF, CASH_USD, DEFAULT_CHART, PROMOTION, SHORTAGE
from ...core.money import MoneyError, parse_rate, q_rate
from ...store.models import Account, CostCentre, Customer, CustomerCategory, CustomerGroup, ExchangeRate, Location, ShopSetup, User
from . import audit
from ..context import Actor
from ..errors import Duplicate, NotFound, SetupMissing, ValidationError
from ..masters.base import phone_of
from .users import hash_pin, check_pin_format

if TYPE_CHECKING:
    from .. import Services


#: The Promotion Reason master of a new shop (code, name): each posts to the promotion expense
#: account 6200 until the shop changes it.
DEFAULT_PROMOTION_REASONS = (("SUPP", "Supplier offer"), ("VOL", "Volume"), ("CLEAR", "Clearance"),
                             ("SAMPLE", "Free samples"))


@dataclass(frozen=True, slots=True)
class SetupInfo:
    location_id: int
    location_code: str
    location_name: str
    location_number: int
    cash_customer_id: int | None
    cash_usd_account: str
    cash_cdf_account: str
    shortage_account: str
    max_shortage_usd: Decimal
    max_shortage_cdf: Decimal
    cdf_increment: Decimal
    usd_increment: Decimal
    print_command: str
    print_dir: str
    default_currency: str = "USD"  # a new invoice's currency
    approval_pin_always: bool = False  # ask for a PIN even when a manager is signed in


class SetupService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    def shop_language(self) -> str:
        """The shop's language for a screen nobody has signed in to yet: the first location's Shop
        Setup language ('' when there is no Shop Setup)."""
        with self.db.read() as session:
            return session.exec(select(ShopSetup.language).join(Location, Location.id == ShopSetup.location_id)
                                .order_by(Location.number)).first() or ""

    def is_initialised(self) -> bool:
        with self.db.read() as session:
            return session.exec(select(User.id).limit(1)).first() is not None

    def init_shop(self, *, location_code: str = "MAIN", location_name: str = "Main shop", rate: str | Decimal = "2850",
                  admin_pin: str = "9999", admin_name: str = "admin", rate_date: dt.date | None = None,
                  cdf_increment: Decimal = Decimal("100"), phone: str = "") -> SetupInfo:
        """An empty shop (DESIGN §11). Refused if the database already has users."""
        code = (location_code or "").strip().upper()
        if not code or len(code) > 10 or not code.isalnum():
            raise ValidationError("Location code: 1 to 10 letters or digits", field="location_code")
        if not (location_name or "").strip():
            raise ValidationError("Location name is required", field="location_name")
        try:
            the_rate = q_rate(parse_rate(rate, field=N_("rate")))
        except MoneyError as exc:
            raise ValidationError(str(exc), field="rate") from None
        pin = check_pin_format(admin_pin)
        with self.db.write() as session:
            if session.exec(select(User.id).limit(1)).first() is not None:
                raise Duplicate("This database already holds a shop", field="db")
            for acode, name, kind, ccy in DEFAULT_CHART:
                session.add(Account(code=acode, name=name, kind=kind, currency=ccy))
            session.add(CostCentre(code="SHOP", name="Shop"))
            # the shop's phone: also the walk-in customer's Contact No (it has no mobile)
            loc = Location(code=code, name=location_name.strip(), number=1, cdf_increment=cdf_increment,
                           phone=phone_of(phone, field="phone"))
            session.add(loc)
            cat = CustomerCategory(code="RE", name="RETAIL", price_category="retail")
            grp = CustomerGroup(name="WALK-IN")
            session.add_all([cat, grp, CustomerCategory(code="WH", name="WHOLESALE", price_category="wholesale")])
            session.flush()
            cash = Customer(code="CASH", name="Walk-In Customer", kind="cash", category_id=cat.id, group_id=grp.id,
                            price_category="retail", location_id=loc.id)
            session.add(cash)
            session.flush()
            accounts = dict(session.exec(select(Account.code, Account.id)).all())
            from ...store.models import PromotionReason

            session.add_all([PromotionReason(code=rcode, name=rname, expense_account_id=accounts[PROMOTION])
                             for rcode, rname in DEFAULT_PROMOTION_REASONS])
            session.add(ShopSetup(location_id=loc.id, cash_customer_id=cash.id, cash_ledger_local_id=accounts[CASH_CDF],
                                  cash_ledger_base_id=accounts[CASH_USD], shortage_ledger_id=accounts[SHORTAGE],
                                  max_shortage_usd=Decimal("5"), max_shortage_cdf=Decimal("10000")))
            session.add(ExchangeRate(date=rate_date or self.s.today(), rate=the_rate))
            admin = User(name=admin_name, full_name="Administrator", pin_hash=hash_pin(pin), role="admin", location_id=loc.id)
            session.add(admin)
            session.flush()
            actor = Actor(admin.id, admin.name, admin.role, loc.id)
            audit.record(session, actor, "create", "shop", loc.id, summary=f"shop initialised at {code}")
            from ...store.models import CustomerLocation

            session.add(CustomerLocation(customer_id=cash.id, location_id=loc.id))
            return self._info(session, loc)

    # -- rates ---------------------------------------------------------------
    def set_rate(self, actor: Actor, on: dt.date, rate: str | Decimal) -> Decimal:
        actor.require("masters", "Setting the exchange rate")
        try:
            value = q_rate(parse_rate(rate, field=N_("rate")))
        except MoneyError as exc:
            raise ValidationError(str(exc), field="rate") from None
        with self.db.write() as session:
            row = session.exec(select(ExchangeRate).where(ExchangeRate.date == on)).first()
            before = audit.snapshot(row)
            if row is None:
                row = ExchangeRate(date=on, rate=value)
            else:
                row.rate = value
            session.add(row)
            session.flush()
            audit.record(session, actor, "update" if before else "create", "exchange_rate", row.id, before=before, after=row)
            return value

    def rates(self, limit: int = 60) -> list[tuple[dt.date, Decimal]]:
        with self.db.read() as session:
            rows = session.exec(select(ExchangeRate).order_by(col(ExchangeRate.date).desc()).limit(limit)).all()
            return [(r.date, r.rate) for r in rows]

    def rate_history(self, on: dt.date) -> list[audit.HistoryRow]:
        """F4 on an exchange rate: who set the rate of ``on`` and changed it, from the audit log."""
        with self.db.read() as session:
            row = session.exec(select(ExchangeRate).where(ExchangeRate.date == on)).first()
            if row is None:
                raise NotFound("No rate on {on}", field="date", params={"on": on})
            return audit.history(session, "exchange_rate", row.id)

    def rate_on(self, on: dt.date) -> Decimal:
        with self.db.read() as session:
            value = self.s.system_rate(session, on)
        if value is None:
            raise SetupMissing("No system exchange rate on or before {on}: set one in Exchange rates", field="rate",
                params={"on": on})
        return value

    # -- shop setup ------------------------------------------------------------
    def location(self, session: Session, code: str | None) -> Location:
        if not code:
            loc = session.exec(select(Location).where(Location.inactive == False).order_by(Location.number)).first()  # noqa: E712
        else:
            loc = session.exec(select(Location).where(Location.code == code.strip().upper())).first()
        if loc is None:
            raise NotFound("Location {code} not found", field="location", params={"code": code}) if code \
                else NotFound("Location not found", field="location")
        return loc

    def setup_for(self, session: Session, location: Location) -> SetupInfo:
        return self._info(session, location)

    def info(self, location_code: str | None = None) -> SetupInfo:
        with self.db.read() as session:
            return self._info(session, self.location(session, location_code))

    def _info(self, session: Session, loc: Location) -> SetupInfo:
        setup = session.exec(select(ShopSetup).where(ShopSetup.location_id == loc.id)).first()
        if setup is None:
            raise SetupMissing("Location {code} has no Shop Setup: complete Shop Setup first", field="location",
                params={"code": loc.code})
        code = lambda i: session.get(Account, i).code  # noqa: E731
        return SetupInfo(loc.id, loc.code, loc.name, loc.number, setup.cash_customer_id,
                         code(setup.cash_ledger_base_id), code(setup.cash_ledger_local_id), code(setup.shortage_ledger_id),
                         setup.max_shortage_usd, setup.max_shortage_cdf, loc.cdf_increment, loc.usd_increment,
                         setup.print_command, setup.print_dir, setup.default_currency or "USD",
                         bool(setup.approval_pin_always))
