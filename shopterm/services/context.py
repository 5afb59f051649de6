"""Who is acting, and what each role may do (DESIGN §10)."""

from __future__ import annotations

from dataclasses import dataclass

from shopterm.core.i18n import N_, _
from .errors import PermissionDenied

ROLES = ("cashier", "manager", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}

#: The least role that may perform each kind of action. Services check it.
PERMISSIONS: dict[str, str] = {
    "sell": "cashier",  # invoices, orders, provisional invoices, delivery notes, returns
    "receive": "cashier",  # sales receipts, refunds, shop receipts/payments, exchange
    "open_day": "cashier",
    "close_day": "manager",
    "approve": "manager",
    "cancel": "manager",
    "masters": "manager",
    "ledgers": "manager",
    "match": "manager",
    "users": "admin",
    "setup": "admin",
}


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    name: str
    role: str
    location_id: int | None = None
    # the language the user reads (theirs, else the shop's); "" = not known (English)
    language: str = ""
    # the user's own language setting ("" = they follow the shop's): a language given for the
    # run (--lang / SHOPTERM_LANG) wins over the shop's, never over the user's own
    own_language: str = ""

    def can(self, permission: str) -> bool:
        need = PERMISSIONS[permission]
        return _RANK.get(self.role, -1) >= _RANK[need]

    def require(self, permission: str, what: str | None = None) -> None:
        if not self.can(permission):
            need = PERMISSIONS[permission]
            raise PermissionDenied(
                "{what} needs {need}; {name} is {role}",
                params={"what": _(what) if what else permission.replace("_", " ").capitalize(),
                        "need": role_name(need), "name": self.name, "role": role_name(self.role)})


#: A role as a message names it ("… needs a manager; Ada is a cashier").
_ROLE_NAMES = {"cashier": N_("a cashier"), "manager": N_("a manager"), "admin": N_("an admin")}


def role_name(role: str) -> str:
    """``role`` with its article, in the reader's language (``a manager`` / ``un gérant``)."""
    name = _ROLE_NAMES.get(role)
    return _(name) if name else role


def role_at_least(role: str, need: str) -> bool:
    return _RANK.get(role, -1) >= _RANK[need]
