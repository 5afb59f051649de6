"""Organisation masters: chart of accounts, cost centres, locations and shop setup.

Seed "Sales Masters" 07 (Shop Setup) and DESIGN §9. Shop setup, locations
and the chart of accounts need the ``setup`` permission (admin); cost
centres are ordinary masters (manager). Exchange rates are kept by
:mod:`shopterm.services.admin.setup` (``set_rate``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shopterm.core.i18n import N_, _
from ...core.journal import CASH_CDF, CASH_USD, SHORTAGE
from ...store import models as m
from ..admin import audit
from ..admin.users import language_code
from ..context import Actor
from ..errors import Duplicate, NotFound, ValidationError
from .base import (
    ENTITIES, CodedInfo, MastersBase, Page, amount, choice, code, email_of, flag, get_or_404, integer, percent,
    phone_of, readers, text,
)
from .base import code as parse_code

ACCOUNT_KINDS = ("asset", "liability", "equity", "income", "expense")


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    code: str
    name: str
    kind: str
    currency: str | None
    inactive: bool
    created_at: dt.datetime


CostCentreInfo = CodedInfo  # a cost centre (of shop receipts and payments): its code and name


@dataclass(frozen=True, slots=True)
class LocationInfo:
    id: int
    code: str
    name: str
    number: int
    address: str
    phone: str
    tax_no: str
    rccm_no: str
    cdf_increment: Decimal
    usd_increment: Decimal
    inactive: bool
    has_setup: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ShopSetupInfo:
    id: int
    location: str
    cash_customer: str | None
    cash_customer_name: str | None
    cash_ledger_local: str
    cash_ledger_base: str
    shortage_ledger: str
    max_shortage_usd: Decimal
    max_shortage_cdf: Decimal
    cdf_increment: Decimal
    print_command: str
    print_dir: str
    updated_at: dt.datetime
    print_format: str = "pdf"
    default_currency: str = "USD"  # a new invoice's currency
    approval_pin_always: bool = False  # ask for the PIN even when a manager is signed in
    rate_tolerance_pct: Decimal = Decimal("10")  # a document rate further from the system rate needs approval
    language: str = "en"  # the shop's: sign-in, users and customers without their own, printed documents
    default_country: str = ""  # a new customer's country
    smtp_host: str = ""  # outgoing mail; the password is kept outside (see services.mail)
    smtp_port: int | None = None  # None: the security's usual port
    smtp_security: str = "starttls"  # none | starttls | ssl
    smtp_user: str = ""
    smtp_from: str = ""


class OrgMasters(MastersBase):
    # ================================================================ chart of accounts
    def create_account(self, actor: Actor, *, code: str, name: str, kind: str, currency: str | None = None,
                       inactive: bool = False) -> AccountInfo:
        with self._write(actor, "setup", "The chart of accounts") as session:
            row = m.Account(code="", name="", kind="")
            self._apply_account(session, row, dict(code=code, name=name, kind=kind, currency=currency, inactive=inactive))
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "account", row.id, after=row, summary=f"account {row.code} {row.name}")
            return _account_info(row)

    def update_account(self, actor: Actor, code_key: str, **changes: Any) -> AccountInfo:
        self._known_fields(changes, {"name", "kind", "currency", "inactive"}, N_("unknown account field {unknown!r}"))
        with self._write(actor, "setup", "The chart of accounts") as session:
            row = get_or_404(session, ENTITIES["account"], code_key, field="code")
            before = audit.snapshot(row)
            data = {"code": row.code, "name": row.name, "kind": row.kind, "currency": row.currency,
                    "inactive": row.inactive, **changes}
            if data["kind"] != row.kind and self._account_used(session, row.id):
                raise ValidationError("Account {code} has entries: its kind cannot change", field="kind",
                    params={"code": row.code})
            self._apply_account(session, row, data)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update", "account", row.id, before=before, after=row,
                         summary=f"account {row.code} {row.name}")
            return _account_info(row)

    @staticmethod
    def _account_used(session: Session, account_id: int) -> bool:
        return session.execute(sa_select(m.JournalLine.id).where(m.JournalLine.account_id == account_id).limit(1)).first() is not None

    def _apply_account(self, session: Session, row: m.Account, data: Mapping[str, Any]) -> None:
        the_code = code(data.get("code"), field="code", label=N_("Account code"))
        name = text(data.get("name"), field="name", label=N_("Account name"), required=True, max_len=80)
        kind = choice(data.get("kind"), ACCOUNT_KINDS, field="kind", label=N_("Account kind"))
        raw_ccy = (str(data.get("currency") or "")).strip().upper() or None
        if raw_ccy not in (None, "USD", "CDF"):
            raise ValidationError("currency: {raw_ccy!r} is not USD or CDF", field="currency",
                params={"raw_ccy": raw_ccy})
        self._unique(session, m.Account, "code", the_code, exclude_id=row.id, field="code",
                     message=N_("Account {code} already exists"), params={"code": the_code})
        row.code, row.name, row.kind, row.currency = the_code, name, kind, raw_ccy
        row.inactive = flag(data.get("inactive"), field="inactive")

    def get_account(self, code_key: str) -> AccountInfo:
        return self._get("account", code_key, _account_info)

    def list_accounts(self, *, search: str = "", status: str = "active", kind: str | None = None, limit: int = 200,
                      offset: int = 0) -> Page[AccountInfo]:
        conds = [m.Account.kind == choice(kind, ACCOUNT_KINDS, field="kind", label=N_("Account kind"))] if kind else []
        return self._list(m.Account, _account_info, search, status, limit, offset, (m.Account.code, m.Account.name),
                          m.Account.code, conds)

    # ================================================================ cost centres
    def create_cost_centre(self, actor: Actor, *, code: str, name: str) -> CostCentreInfo:
        with self._write(actor, "masters", "Cost centres") as session:
            the_code = parse_code(code, field="code", label=N_("Cost centre code"))
            self._unique(session, m.CostCentre, "code", the_code, exclude_id=None, field="code",
                         message=N_("Cost centre {code} already exists"), params={"code": the_code})
            row = m.CostCentre(code=the_code, name=text(name, field="name", label=N_("Cost centre name"), required=True,
                                                        max_len=80))
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "cost_centre", row.id, after=row, summary=f"cost centre {row.code}")
            return _centre_info(row)

    def update_cost_centre(self, actor: Actor, code_key: str, *, name: str) -> CostCentreInfo:
        with self._write(actor, "masters", "Cost centres") as session:
            row = get_or_404(session, ENTITIES["cost_centre"], code_key, field="code")
            before = audit.snapshot(row)
            row.name = text(name, field="name", label=N_("Cost centre name"), required=True, max_len=80)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update", "cost_centre", row.id, before=before, after=row,
                         summary=f"cost centre {row.code}")
            return _centre_info(row)

    get_cost_centre, list_cost_centres = readers("cost_centre", CodedInfo.of,
                                                 (m.CostCentre.code, m.CostCentre.name), m.CostCentre.code)

    # ================================================================ locations
    def create_location(self, actor: Actor, *, code: str, name: str, number: Any, address: str = "", phone: str = "",
                        tax_no: str = "", rccm_no: str = "", cdf_increment: Any = "100",
                        usd_increment: Any = "0.01") -> LocationInfo:
        with self._write(actor, "setup", "Locations") as session:
            row = m.Location(code="", name="", number=0)
            self._apply_location(session, row, dict(code=code, name=name, number=number, address=address, phone=phone,
                                                    tax_no=tax_no, rccm_no=rccm_no, cdf_increment=cdf_increment,
                                                    usd_increment=usd_increment))
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "location", row.id, after=row, summary=f"location {row.code}")
            return self._location_info(session, row)

    def update_location(self, actor: Actor, code_key: str, **changes: Any) -> LocationInfo:
        fields = ("name", "number", "address", "phone", "tax_no", "rccm_no", "cdf_increment", "usd_increment")
        self._known_fields(changes, fields, N_("unknown location field {unknown!r}"))
        with self._write(actor, "setup", "Locations") as session:
            row = get_or_404(session, ENTITIES["location"], code_key, field="code")
            before = audit.snapshot(row)
            data = {"code": row.code, **{f: getattr(row, f) for f in fields}, **changes}
            new_number = integer(data["number"], field="number", minimum=1, maximum=99)
            if new_number != row.number:
                used = session.execute(sa_select(m.NumberSequence.id).where(m.NumberSequence.location_id == row.id)
                                       .limit(1)).first()
                if used is not None:
                    raise ValidationError("Location {code} has numbered documents: its number cannot change",
                                          field="number", params={"code": row.code})
            self._apply_location(session, row, data)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update", "location", row.id, before=before, after=row,
                         summary=f"location {row.code}")
            return self._location_info(session, row)

    def _apply_location(self, session: Session, row: m.Location, data: Mapping[str, Any]) -> None:
        the_code = code(data.get("code"), field="code", label=N_("Location code"), max_len=10)
        if not the_code.isalnum():
            raise ValidationError("Location code: letters and digits only ({code})", field="code",
                params={"code": the_code})
        name = text(data.get("name"), field="name", label=N_("Location name"), required=True, max_len=80)
        number = integer(data.get("number"), field="number", minimum=1, maximum=99)
        self._unique(session, m.Location, "code", the_code, exclude_id=row.id, field="code",
                     message=N_("Location {code} already exists"), params={"code": the_code})
        other = session.exec(select(m.Location).where(m.Location.number == number,
                                                      col(m.Location.id) != row.id if row.id else True)).first()
        if other is not None:
            raise Duplicate("Location number {number} is already used by {code}", field="number",
                params={"number": number, "code": other.code})
        row.code, row.name, row.number = the_code, name, number
        row.address = text(data.get("address"), field="address", label=N_("Address"), max_len=200)
        row.phone = phone_of(data.get("phone"), field="phone")
        row.tax_no = text(data.get("tax_no"), field="tax_no", label=N_("Tax (Impôt) no"), max_len=40)
        row.rccm_no = text(data.get("rccm_no"), field="rccm_no", label=N_("RCCM no"), max_len=40)
        row.cdf_increment = amount(data.get("cdf_increment"), field="cdf_increment", positive=True,
                                   default=Decimal("100.00"))
        row.usd_increment = amount(data.get("usd_increment"), field="usd_increment", positive=True,
                                   default=Decimal("0.01"))

    def get_location(self, code_key: str) -> LocationInfo:
        return self._get("location", code_key, self._location_info, with_session=True)

    def list_locations(self, *, search: str = "", status: str = "active", limit: int = 100,
                       offset: int = 0) -> Page[LocationInfo]:
        return self._list(m.Location, self._location_info, search, status, limit, offset,
                          (m.Location.code, m.Location.name), m.Location.number, with_session=True)

    @staticmethod
    def _location_info(session: Session, r: m.Location) -> LocationInfo:
        has_setup = session.execute(sa_select(m.ShopSetup.id).where(m.ShopSetup.location_id == r.id)).first() is not None
        return LocationInfo(r.id, r.code, r.name, r.number, r.address, r.phone, r.tax_no, r.rccm_no, r.cdf_increment,
                            r.usd_increment, r.inactive, has_setup, r.created_at)

    # ================================================================ shop setup
    def save_shop_setup(self, actor: Actor, location: str, *, cash_customer: str,
                        cash_ledger_local: str = CASH_CDF, cash_ledger_base: str = CASH_USD,
                        shortage_ledger: str = SHORTAGE, max_shortage_usd: Any = "0", max_shortage_cdf: Any = "0",
                        cdf_increment: Any = None, print_command: str | None = None,
                        print_dir: str | None = None, print_format: str | None = None,
                        default_currency: str | None = None, approval_pin_always: bool | None = None,
                        rate_tolerance_pct: Any = None, language: str | None = None, default_country: str | None = None,
                        smtp_host: str | None = None, smtp_port: Any = None, smtp_security: str | None = None,
                        smtp_user: str | None = None, smtp_from: str | None = None) -> ShopSetupInfo:
        """Create or replace a location's Shop Setup (one per location)."""
        with self._write(actor, "setup", "Shop setup") as session:
            loc = self.ref_location(session, location)
            row = session.exec(select(m.ShopSetup).where(m.ShopSetup.location_id == loc.id)).first()
            before = audit.snapshot(row) if row else None
            customer = self.ref(session, m.Customer, cash_customer, field="cash_customer", label=N_("Cash customer"))
            allowed = session.execute(sa_select(m.CustomerLocation.location_id).where(
                m.CustomerLocation.customer_id == customer.id, m.CustomerLocation.location_id == loc.id)).first()
            if allowed is None and customer.location_id != loc.id:
                raise ValidationError("Cash customer {code} is not assigned to location {loc_code}",
                                      field="cash_customer", params={"code": customer.code, "loc_code": loc.code})
            local = self._cash_ledger(session, cash_ledger_local, "cash_ledger_local", N_("Cash ledger (local)"), "CDF")
            base = self._cash_ledger(session, cash_ledger_base, "cash_ledger_base", N_("Cash ledger (base)"), "USD")
            if local.id == base.id:
                raise ValidationError("The local and base cash ledgers must be different accounts",
                                      field="cash_ledger_local")
            shortage = self.ref_account(session, shortage_ledger, field="shortage_ledger", label=N_("Cash shortage ledger"))
            max_usd = amount(max_shortage_usd, field="max_shortage_usd", default=Decimal("0.00"))
            max_cdf = amount(max_shortage_cdf, field="max_shortage_cdf", default=Decimal("0.00"))
            if row is None:
                row = m.ShopSetup(location_id=loc.id, cash_ledger_local_id=local.id, cash_ledger_base_id=base.id,
                                  shortage_ledger_id=shortage.id)
            row.cash_customer_id = customer.id
            row.cash_ledger_local_id, row.cash_ledger_base_id, row.shortage_ledger_id = local.id, base.id, shortage.id
            row.max_shortage_usd, row.max_shortage_cdf = max_usd, max_cdf
            if print_command is not None:
                row.print_command = text(print_command, field="print_command", label=N_("Print command"), max_len=200)
            if print_dir is not None:
                row.print_dir = text(print_dir, field="print_dir", label=N_("Print folder"), max_len=300)
            if print_format is not None and print_format.strip():
                fmt = print_format.strip().lower()
                if fmt not in ("pdf", "text"):
                    raise ValidationError("Print format: pdf or text (got {print_format!r})", field="print_format",
                        params={"print_format": print_format})
                row.print_format = fmt
            if default_currency is not None and default_currency.strip():
                ccy = default_currency.strip().upper()
                if ccy not in ("USD", "CDF"):
                    raise ValidationError("Default currency: USD or CDF (got {default_currency!r})",
                                          field="default_currency", params={"default_currency": default_currency})
                row.default_currency = ccy
            if approval_pin_always is not None:
                row.approval_pin_always = bool(approval_pin_always)
            if rate_tolerance_pct is not None and not (isinstance(rate_tolerance_pct, str)
                                                       and not rate_tolerance_pct.strip()):
                row.rate_tolerance_pct = percent(rate_tolerance_pct, field="rate_tolerance_pct")
            if language is not None:  # blank: English
                row.language = language_code(language, blank="en")
            if default_country is not None:
                row.default_country = text(default_country, field="default_country", label="Country", max_len=80)
            if smtp_host is not None:
                row.smtp_host = text(smtp_host, field="smtp_host", label="SMTP host", max_len=200)
            if smtp_port is not None:
                row.smtp_port = integer(smtp_port, field="smtp_port", minimum=0, maximum=65535, default=0)
            if smtp_security is not None and smtp_security.strip():
                row.smtp_security = choice(smtp_security.strip().lower(), ("none", "starttls", "ssl"),
                                           field="smtp_security", label="SMTP security")
            if smtp_user is not None:
                row.smtp_user = text(smtp_user, field="smtp_user", label="SMTP user", max_len=120)
            if smtp_from is not None:
                row.smtp_from = email_of(smtp_from, field="smtp_from")
            row.updated_at = dt.datetime.now(dt.timezone.utc)
            loc_before = audit.snapshot(loc)
            if cdf_increment is not None and not (isinstance(cdf_increment, str) and not cdf_increment.strip()):
                loc.cdf_increment = amount(cdf_increment, field="cdf_increment", positive=True)
                session.add(loc)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update" if before else "create", "shop_setup", row.id, before=before,
                         after={**audit.snapshot(row), "cdf_increment": str(loc.cdf_increment)},
                         summary=f"shop setup {loc.code}")
            if loc_before["cdf_increment"] != str(loc.cdf_increment):
                audit.record(session, actor, "update", "location", loc.id, before=loc_before, after=loc,
                             summary=f"location {loc.code}: CDF cash increment {loc.cdf_increment}")
            return self._setup_info(session, row)

    def _cash_ledger(self, session: Session, value: Any, field: str, label: str, currency: str) -> m.Account:
        acct = self.ref_account(session, value, field=field, label=label)
        if acct.kind != "asset":
            raise ValidationError("{label}: account {code} is not an asset account (it is {kind})", field=field,
                params={"label": _(label), "code": acct.code, "kind": acct.kind})
        if acct.currency and acct.currency != currency:
            raise ValidationError("{label}: account {code} holds {currency}, not {wanted}", field=field,
                params={"label": _(label), "code": acct.code, "currency": acct.currency, "wanted": currency})
        return acct

    def get_shop_setup(self, location: str) -> ShopSetupInfo:
        with self.db.read() as session:
            loc = self.ref_location(session, location, active=False)
            row = session.exec(select(m.ShopSetup).where(m.ShopSetup.location_id == loc.id)).first()
            if row is None:
                raise NotFound("Location {code} has no Shop Setup yet", field="location", params={"code": loc.code})
            return self._setup_info(session, row)

    def list_shop_setups(self) -> list[ShopSetupInfo]:
        with self.db.read() as session:
            rows = session.exec(select(m.ShopSetup).join(m.Location, m.Location.id == m.ShopSetup.location_id)
                                .order_by(m.Location.number)).all()
            return [self._setup_info(session, r) for r in rows]

    @staticmethod
    def _setup_info(session: Session, r: m.ShopSetup) -> ShopSetupInfo:
        loc = session.get(m.Location, r.location_id)
        cust = session.get(m.Customer, r.cash_customer_id) if r.cash_customer_id else None
        acct = lambda i: session.get(m.Account, i).code  # noqa: E731
        return ShopSetupInfo(r.id, loc.code, cust.code if cust else None, cust.name if cust else None,
                             acct(r.cash_ledger_local_id), acct(r.cash_ledger_base_id), acct(r.shortage_ledger_id),
                             r.max_shortage_usd, r.max_shortage_cdf, loc.cdf_increment, r.print_command, r.print_dir,
                             r.updated_at, r.print_format, r.default_currency or "USD", bool(r.approval_pin_always),
                             r.rate_tolerance_pct if r.rate_tolerance_pct is not None else Decimal("10"),
                             r.language or "en",
                             r.default_country or "", r.smtp_host or "", r.smtp_port or None,
                             r.smtp_security or "starttls", r.smtp_user or "", r.smtp_from or "")


def _account_info(r: m.Account) -> AccountInfo:
    return AccountInfo(r.id, r.code, r.name, r.kind, r.currency, r.inactive, r.created_at)


_centre_info = CodedInfo.of


__all__ = ["ACCOUNT_KINDS", "AccountInfo", "CostCentreInfo", "LocationInfo", "OrgMasters", "ShopSetupInfo"]
