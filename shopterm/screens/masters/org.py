"""Organisation masters: Chart of Accounts, Cost Centres, Locations, Shop Setup,
Exchange Rates and Users (DESIGN §9, §10; seed "Sales Masters" 07).

The chart of accounts, locations and shop setup need the ``setup`` permission
and users the ``users`` permission (admin); cost centres and exchange rates
are manager masters. The services enforce it; the menu only lists what the
user may open.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shopterm.core.i18n import N_, _
from shopterm.screens.masters.base import LANGUAGES, SHOP_LANGUAGES, STATUS_COLUMN, CodeNameScreen, F, MasterScreen
from shopterm.widgets.master_list import ListColumn, MasterQuery

if TYPE_CHECKING:
    from decimal import Decimal

    from shopterm.services import Services
    from shopterm.services.admin.audit import HistoryRow
    from shopterm.services.admin.users import UserInfo
    from shopterm.services.context import Actor
    from shopterm.services.masters.org import AccountInfo, LocationInfo, ShopSetupInfo

__all__ = [
    "AccountScreen", "CostCentreScreen", "ExchangeRateScreen", "LocationScreen", "ShopSetupScreen", "UserScreen",
]

ACCOUNT_KINDS = (("asset", N_("Asset")), ("liability", N_("Liability")), ("equity", N_("Equity")), ("income", N_("Income")),
                 ("expense", N_("Expense")))


class _Rows:
    """A Page of rows filtered and sliced in memory (short lists the service returns whole)."""

    def __init__(self, rows: list[Any], q: MasterQuery) -> None:
        self.total = len(rows)
        self.rows = tuple(rows[q.offset:q.offset + q.limit])
        self.offset = q.offset
        self.limit = q.limit


def _matches(q: MasterQuery, *texts: Any) -> bool:
    wanted = q.search.strip().lower()
    return not wanted or any(wanted in str(t or "").lower() for t in texts)


def _status_ok(q: MasterQuery, inactive: bool) -> bool:
    return q.status == "all" or (q.status == "inactive") == bool(inactive)


class AccountScreen(MasterScreen):
    """Chart of accounts (admin)."""

    DOCUMENT_TITLE = N_("Chart of Accounts")
    ENTITY, NOUN = "account", N_("Account")
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, placeholder=N_("e.g. 6500")),
        F("currency", N_("Currency"), "choice", choices=(("", N_("Any")), ("USD", "USD"), ("CDF", "CDF")), default=""),
        F("name", N_("Account name"), required=True, wide=True),
        F("kind", N_("Kind"), "choice", required=True, choices=ACCOUNT_KINDS, default="asset", wide=True, hot="aleix"),
        F("inactive", N_("Inactive?"), "flag", default=False),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 8), ListColumn(N_("Account name"), "name", 34),
                    ListColumn(N_("Kind"), "kind", 10), ListColumn(N_("Ccy"), "currency", 4), STATUS_COLUMN)

    def info_values(self, info: AccountInfo) -> dict[str, Any]:
        values = super().info_values(info)
        values["currency"] = info.currency or ""
        return values


class CostCentreScreen(CodeNameScreen):
    DOCUMENT_TITLE = N_("Cost Centre")
    ENTITY, NOUN = "cost_centre", N_("Cost centre")


class LocationScreen(MasterScreen):
    """Shop locations (admin): number (in document numbers), address, tax numbers, cash increments."""

    DOCUMENT_TITLE = N_("Location")
    ENTITY, NOUN = "location", N_("Location")
    FIELDS = (
        F("code", N_("Code"), "code", required=True, key=True, max_length=10),
        F("number", N_("Number"), "int", required=True),
        F("name", N_("Name"), required=True, wide=True),
        F("address", N_("Address"), wide=True),
        F("phone", N_("Phone")),
        F("tax_no", N_("Impôt no")),
        F("rccm_no", N_("RCCM no")),
        F("cdf_increment", N_("CDF increment"), "money", default="100.00"),
        F("usd_increment", N_("USD increment"), "money", default="0.01"),
        F("has_setup", N_("Shop Setup"), "auto", send=False),
        F("inactive", N_("Status"), "auto"),
    )
    LIST_COLUMNS = (ListColumn(N_("Code"), "code", 8), ListColumn(N_("No"), "number", 3, ">"), ListColumn(N_("Name"), "name", 30),
                    ListColumn(N_("Setup"), lambda r: _("yes") if r.has_setup else _("missing"), 8), STATUS_COLUMN)

    def info_values(self, info: LocationInfo) -> dict[str, Any]:
        values = super().info_values(info)
        values["has_setup"] = _("done") if info.has_setup else _("missing: do the Shop Setup before Shop Open")
        return values


class ShopSetupScreen(MasterScreen):
    """Shop Setup (seed "Sales Masters" 07): one per location, needed before its first Shop Open."""

    DOCUMENT_TITLE = N_("Shop Setup")
    ENTITY, NOUN, KEY = "shop_setup", N_("Shop setup"), "location"
    TOGGLE = False
    LIST_STATUSES = False
    FIELDS = (
        F("location", N_("Location"), "ref", required=True, key=True, lookup="location", default="@location"),
        F("updated_at", N_("Changed"), "auto", send=False),
        F("cash_customer", N_("Cash customer"), "ref", required=True, lookup="customer", hint="cash_customer_name",
          default="CASH"),
        F("cash_ledger_local", N_("Cash CDF a/c"), "ref", required=True, lookup="account", default="1110"),
        F("cash_ledger_base", N_("Cash USD a/c"), "ref", required=True, lookup="account", default="1100"),
        F("shortage_ledger", N_("Shortage a/c"), "ref", required=True, lookup="account", default="6900"),
        F("max_shortage_usd", N_("Max short. $"), "money", default="0.00"),
        F("max_shortage_cdf", N_("Max short. FC"), "money", default="0.00"),
        F("cdf_increment", N_("CDF increment"), "money", default="100.00"),
        F("rate_tolerance_pct", N_("Rate toler. %"), "percent", default="10"),
        F("print_command", N_("Print command"), wide=True, placeholder=N_("e.g. lp -d counter {file} (optional)")),
        F("print_dir", N_("Print folder"), wide=True, placeholder=N_("folder for printed files (optional)")),
        F("print_format", N_("Print layout"), "choice", choices=(("pdf", N_("A4 PDF")), ("text", N_("80 mm text"))), hot="pt",
          default="pdf"),
        F("default_currency", N_("Invoice ccy"), "choice", choices=(("USD", "USD"), ("CDF", "CDF")), hot="uc",
          default="USD"),
        F("approval_pin_always", N_("PIN if mgr?"), "flag", default=False),
        F("default_country", N_("Country"), placeholder=N_("new customers'")),
        F("smtp_host", N_("SMTP host"), placeholder="mail.example.com"),
        F("smtp_port", N_("SMTP port"), "int", placeholder="587 / 465 / 25"),
        F("smtp_user", N_("SMTP user"), placeholder=N_("password: see README")),
        F("smtp_from", N_("From address"), placeholder="shop@example.com"),
        F("smtp_security", N_("SMTP security"), "choice", choices=(("starttls", "STARTTLS"), ("ssl", "SSL"),
                                                                    ("none", N_("None"))), hot="sln",
          default="starttls", wide=True),
        F("language", N_("Language"), "choice", choices=SHOP_LANGUAGES, default="en", wide=True),
    )
    HINT = (N_("Invoice ccy: a new invoice's currency. PIN if mgr?: ask a manager's PIN for an approval even "
            "when a manager is signed in (two people)."))
    LIST_COLUMNS = (ListColumn(N_("Location"), "location", 9), ListColumn(N_("Cash customer"), "cash_customer", 14),
                    ListColumn(N_("CDF"), "cash_ledger_local", 5), ListColumn(N_("USD"), "cash_ledger_base", 5),
                    ListColumn(N_("Short."), "shortage_ledger", 6), ListColumn(N_("Max $"), "max_shortage_usd", 9, ">"),
                    ListColumn(N_("Max FC"), "max_shortage_cdf", 12, ">"))

    def on_ready(self) -> None:
        """Show the user's location's setup when it exists."""
        location = self.widget("location").value.strip()  # type: ignore[attr-defined]
        if location:
            self.run_service(lambda: self._find(location), self._found, busy_text=None)

    def _find(self, location: str) -> ShopSetupInfo | None:
        try:
            return self.svc_get(self.services, location)
        except Exception:
            return None

    def _found(self, info: ShopSetupInfo | None) -> None:
        if info is not None and self.key is None and not self.dirty:
            self.call_later_holding(self._opened, info)

    def svc_list(self, s: Services, q: MasterQuery) -> _Rows:
        rows = [r for r in s.masters.list_shop_setups() if _matches(q, r.location, r.cash_customer, r.cash_customer_name)]
        return _Rows(rows, q)

    def svc_get(self, s: Services, key: str) -> ShopSetupInfo:
        return s.masters.get_shop_setup(key)

    def svc_create(self, s: Services, actor: Actor, v: dict) -> ShopSetupInfo:
        v = dict(v)
        location = v.pop("location")
        return s.masters.save_shop_setup(actor, location, **v)

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> ShopSetupInfo:
        return s.masters.save_shop_setup(actor, key, **v)


class ExchangeRateScreen(MasterScreen):
    """The system exchange rate per date (CDF per 1 USD); documents copy the rate in force."""

    DOCUMENT_TITLE = N_("Exchange Rate")
    ENTITY, NOUN, KEY = "exchange_rate", N_("Rate of"), "date"
    TOGGLE = False
    LIST_STATUSES = False
    FIELDS = (
        F("date", N_("Date"), "date", required=True, key=True, default="@today"),
        F("rate", N_("CDF per 1 USD"), "rate", required=True, placeholder=N_("e.g. 2850")),
    )
    HINT = N_("The rate in force on a date is the latest one on or before it. Saving a date again replaces its rate.")
    LIST_COLUMNS = (ListColumn(N_("Date"), "date", 12), ListColumn(N_("CDF per 1 USD"), "rate", 16, ">"))
    SUPPORTS = frozenset({"new", "save", "list", "history"})

    def svc_history(self, s: Services, key: str) -> list[HistoryRow]:
        return s.setup.rate_history(dt.date.fromisoformat(key))

    def svc_list(self, s: Services, q: MasterQuery) -> _Rows:
        rows = [_Rate(d, r) for d, r in s.setup.rates(limit=5000) if _matches(q, d.isoformat(), r)]
        return _Rows(rows, q)

    def svc_get(self, s: Services, key: str) -> _Rate:
        on = dt.date.fromisoformat(key)
        for d, r in s.setup.rates(limit=5000):
            if d == on:
                return _Rate(d, r)
        from shopterm.services.errors import NotFound

        raise NotFound("No rate on {date}", field="date", params={"date": dt.date.fromisoformat(key)})

    def svc_create(self, s: Services, actor: Actor, v: dict) -> _Rate:
        from shopterm.services.masters.base import date_of

        on = date_of(v["date"], field="date")
        return _Rate(on, s.setup.set_rate(actor, on, v["rate"]))

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> _Rate:
        on = dt.date.fromisoformat(key)
        return _Rate(on, s.setup.set_rate(actor, on, v["rate"]))

    def info_key(self, info: _Rate) -> str:
        return info.date.isoformat()


class _Rate:
    def __init__(self, date: dt.date, rate: Decimal) -> None:
        self.date = date
        self.rate = rate
        self.inactive = False


class UserScreen(MasterScreen):
    """Users (admin): role, PIN set/reset, location, inactive (DESIGN §10)."""

    DOCUMENT_TITLE = N_("User")
    ENTITY, NOUN, KEY = "user", N_("User"), "name"
    LIST_STATUSES = True
    FIELDS = (
        F("name", N_("User name"), required=True, key=True, placeholder=N_("letters and digits")),
        F("role", N_("Role"), "choice", required=True,
          choices=(("cashier", N_("Cashier")), ("manager", N_("Manager")), ("admin", N_("Admin"))), default="cashier", wide=True),
        F("full_name", N_("Full name"), wide=True),
        F("pin", N_("PIN"), "pin", placeholder=N_("4–8 digits")),
        F("location", N_("Location"), "ref", lookup="location", default="@location"),
        F("sales_person", N_("Sales person"), "ref", lookup="sales_person"),
        F("inactive", N_("Inactive?"), "flag", default=False),
        F("language", N_("Language"), "choice", choices=LANGUAGES, default="", wide=True),
    )
    HINT = N_("Sales person: the user's own, the Delegue of the invoices they enter. PIN: required for a new user; for an existing user leave it blank to keep it, or type a new one to reset it.")
    LIST_COLUMNS = (ListColumn(N_("User"), "name", 12), ListColumn(N_("Full name"), "full_name", 26), ListColumn(N_("Role"), "role", 8),
                    ListColumn(N_("Location"), "location_code", 9), STATUS_COLUMN)

    def svc_list(self, s: Services, q: MasterQuery) -> _Rows:
        rows = [u for u in s.users.list(self.actor) if _matches(q, u.name, u.full_name, u.role)
                and _status_ok(q, u.inactive)]
        return _Rows(rows, q)

    def svc_get(self, s: Services, key: str) -> UserInfo:
        for u in s.users.list(self.actor):
            if u.name == key:
                return u
        from shopterm.services.errors import NotFound

        raise NotFound("User {name} not found", field="name", params={"name": key})

    def svc_create(self, s: Services, actor: Actor, v: dict) -> UserInfo:
        info = s.users.create(actor, v["name"], v["pin"], v["role"], full_name=v["full_name"],
                              location=v["location"] or None, sales_person=v.get("sales_person") or None,
                              language=v.get("language") or "")
        if v.get("inactive"):
            info = s.users.update(actor, info.name, inactive=True)
        return info

    def svc_update(self, s: Services, actor: Actor, key: str, v: dict) -> UserInfo:
        return s.users.update(actor, key, role=v["role"], pin=v["pin"] or None, full_name=v["full_name"],
                              inactive=v["inactive"], location=v["location"], sales_person=v.get("sales_person") or "",
                              language=v.get("language") or "")

    def svc_set_inactive(self, s: Services, actor: Actor, key: str, inactive: bool) -> UserInfo:
        return s.users.update(actor, key, inactive=inactive)

    def history_key(self, info: UserInfo) -> int:
        return info.id

    def info_values(self, info: UserInfo) -> dict[str, Any]:
        values = super().info_values(info)
        values["location"] = info.location_code or ""
        values["sales_person"] = info.sales_person or ""
        values["pin"] = ""
        return values
