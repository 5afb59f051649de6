"""Users, PINs and manager approvals (DESIGN §10).

PINs are stored as salted scrypt hashes. Three wrong PINs in a row lock the
user for :data:`LOCK_SECONDS`; the login screen shows the pause.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from ..store.models import Location, SalesPerson, ShopSetup, User
from . import audit
from .context import ROLES, Actor, role_at_least
from .errors import ApprovalDenied, AuthError, Duplicate, LockedOut, NotFound, ValidationError

if TYPE_CHECKING:
    from . import Services

MAX_TRIES = 3
LOCK_SECONDS = 30
_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(got.hex(), digest)


def check_pin_format(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ValidationError("PIN: 4 to 8 digits", field="pin")
    return pin


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.name, user.role, user.location_id)


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    full_name: str
    role: str
    location_code: str | None
    inactive: bool
    sales_person: str | None = None  # the user's own sales person code (the invoice's default Delegue)


class UserService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- login -------------------------------------------------------------
    def login(self, name: str, pin: str) -> Actor:
        name = (name or "").strip().lower()
        with self.db.write() as session:
            user = session.exec(select(User).where(User.name == name)).first()
            if user is None or user.inactive:
                raise AuthError("Unknown user or wrong PIN", field="pin")
            now = _now()
            if user.locked_until and user.locked_until > now:
                left = int((user.locked_until - now).total_seconds()) + 1
                raise LockedOut(f"Too many wrong PINs: wait {left} s", seconds_left=left)
            if not verify_pin(pin or "", user.pin_hash):
                user.failed_attempts += 1
                if user.failed_attempts >= MAX_TRIES:
                    user.failed_attempts = 0
                    user.locked_until = now + dt.timedelta(seconds=LOCK_SECONDS)
                    session.add(user)
                    audit.record(session, None, "lockout", "user", user.id, summary=f"{name}: {MAX_TRIES} wrong PINs")
                    session.commit()
                    raise LockedOut(f"Too many wrong PINs: wait {LOCK_SECONDS} s", seconds_left=LOCK_SECONDS)
                session.add(user)
                session.commit()
                left = MAX_TRIES - user.failed_attempts
                raise AuthError(f"Unknown user or wrong PIN ({left} {'try' if left == 1 else 'tries'} left)", field="pin")
            user.failed_attempts = 0
            user.locked_until = None
            session.add(user)
            actor = actor_of(user)
            audit.record(session, actor, "login", "user", user.id, summary=f"{name} logged in")
            return actor

    def approve(self, name: str, pin: str, action: str) -> Actor:
        """A manager's (or admin's) approval for ``action``; recorded in the audit log."""
        name = (name or "").strip().lower()
        with self.db.write() as session:
            user = session.exec(select(User).where(User.name == name)).first()
            if user is None or user.inactive or not verify_pin(pin or "", user.pin_hash):
                raise ApprovalDenied("Approval refused: unknown manager or wrong PIN", field="approver_pin")
            if not role_at_least(user.role, "manager"):
                raise ApprovalDenied(f"Approval refused: {user.name} is a {user.role}, not a manager", field="approver")
            approver = actor_of(user)
            audit.record(session, approver, "approve", "approval", user.id, summary=action[:300])
            return approver

    def verify_approver(self, session: Session, name: str | None, pin: str | None) -> Actor | None:
        """Inside another transaction: check an approver given with a document (None if not given)."""
        if not name:
            return None
        user = session.exec(select(User).where(User.name == name.strip().lower())).first()
        if user is None or user.inactive or not verify_pin(pin or "", user.pin_hash):
            raise ApprovalDenied("Approval refused: unknown manager or wrong PIN", field="approver_pin")
        if not role_at_least(user.role, "manager"):
            raise ApprovalDenied(f"Approval refused: {user.name} is a {user.role}, not a manager", field="approver")
        return actor_of(user)

    def approval(self, session: Session, actor: Actor | None, approver: str | None, approver_pin: str | None,
                 *, permission: str = "approve", location_id: int | None = None) -> Actor | None:
        """The approval check every service uses (DESIGN §10), inside its transaction.

        The approver given (name + PIN, checked) approves; else the signed-in ``actor``
        approves when their role may (``permission``) and the location's Shop Setup does
        not "ask for the PIN even when a manager is signed in". None: nobody approved.
        """
        given = self.verify_approver(session, approver, approver_pin)
        if given is not None:
            return given
        if actor is None or not actor.can(permission):
            return None
        loc_id = location_id if location_id is not None else actor.location_id
        if loc_id is not None:
            always = session.exec(select(ShopSetup.approval_pin_always)
                                  .where(ShopSetup.location_id == loc_id)).first()
            if always:
                return None
        return actor

    # -- administration ------------------------------------------------------
    def create(self, actor: Actor | None, name: str, pin: str, role: str, *, full_name: str = "",
               location: str | None = None, sales_person: str | None = None) -> UserInfo:
        if actor is not None:
            actor.require("users", "Managing users")
        name = (name or "").strip().lower()
        if not name or not name.replace("_", "").replace(".", "").isalnum() or len(name) > 40:
            raise ValidationError("User name: letters and digits, up to 40", field="name")
        if role not in ROLES:
            raise ValidationError(f"Role: one of {', '.join(ROLES)}", field="role")
        pin = check_pin_format(pin)
        with self.db.write() as session:
            if session.exec(select(User).where(User.name == name)).first():
                raise Duplicate(f"User {name} already exists", field="name")
            loc_id = None
            if location:
                loc = session.exec(select(Location).where(Location.code == location.upper())).first()
                if loc is None:
                    raise NotFound(f"Location {location} not found", field="location")
                loc_id = loc.id
            user = User(name=name, full_name=full_name, pin_hash=hash_pin(pin), role=role, location_id=loc_id,
                        sales_person_id=_sales_person_id(session, sales_person))
            session.add(user)
            session.flush()
            audit.record(session, actor, "create", "user", user.id, after=user)
            return self._info(session, user)

    def update(self, actor: Actor, name: str, *, role: str | None = None, pin: str | None = None,
               full_name: str | None = None, inactive: bool | None = None, location: str | None = None,
               sales_person: str | None = None) -> UserInfo:
        actor.require("users", "Managing users")
        with self.db.write() as session:
            user = session.exec(select(User).where(User.name == name.strip().lower())).first()
            if user is None:
                raise NotFound(f"User {name} not found", field="name")
            before = audit.snapshot(user)
            if role is not None:
                if role not in ROLES:
                    raise ValidationError(f"Role: one of {', '.join(ROLES)}", field="role")
                user.role = role
            if pin:
                user.pin_hash = hash_pin(check_pin_format(pin))
                user.failed_attempts = 0
                user.locked_until = None
            if full_name is not None:
                user.full_name = full_name
            if inactive is not None:
                if inactive and user.id == actor.user_id:
                    raise ValidationError("You cannot deactivate yourself", field="inactive")
                user.inactive = inactive
            if location is not None:
                if location == "":
                    user.location_id = None
                else:
                    loc = session.exec(select(Location).where(Location.code == location.upper())).first()
                    if loc is None:
                        raise NotFound(f"Location {location} not found", field="location")
                    user.location_id = loc.id
            if sales_person is not None:  # "" unlinks
                user.sales_person_id = _sales_person_id(session, sales_person)
            session.add(user)
            audit.record(session, actor, "update", "user", user.id, before=before, after=user,
                         summary="PIN changed" if pin else "")
            return self._info(session, user)

    def list(self, actor: Actor) -> list[UserInfo]:
        actor.require("users", "Managing users")
        with self.db.read() as session:
            return [self._info(session, u) for u in session.exec(select(User).order_by(User.name)).all()]

    def _info(self, session: Session, user: User) -> UserInfo:
        loc = session.get(Location, user.location_id) if user.location_id else None
        sp = session.get(SalesPerson, user.sales_person_id) if user.sales_person_id else None
        return UserInfo(user.id, user.name, user.full_name, user.role, loc.code if loc else None, user.inactive,
                        sp.code if sp else None)

    def sales_person_of(self, session: Session, actor: Actor | None) -> SalesPerson | None:
        """The signed-in user's own sales person (active), or None."""
        if actor is None:
            return None
        user = session.get(User, actor.user_id)
        sp = session.get(SalesPerson, user.sales_person_id) if user is not None and user.sales_person_id else None
        return sp if sp is not None and not sp.inactive else None


def _sales_person_id(session: Session, code: str | None) -> int | None:
    """A user's sales person by code (None/"" for none); refuses an unknown or inactive one."""
    code = (code or "").strip().upper()
    if not code:
        return None
    sp = session.exec(select(SalesPerson).where(SalesPerson.code == code)).first()
    if sp is None:
        raise NotFound(f"Sales person: {code} not found", field="sales_person")
    if sp.inactive:
        raise ValidationError(f"Sales person: {code} is inactive", field="sales_person")
    return sp.id
