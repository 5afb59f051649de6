"""Users, PINs and manager approvals (DESIGN §10).

PINs are stored as salted scrypt hashes. Three wrong PINs in a row lock the
user for :data:`LOCK_SECONDS`; the login screen shows the pause.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from ...core import i18n
from shopterm.core.i18n import N_
from shopterm.core.lockout import APPROVAL, lockout_message
from ...store.types import MAX_INTEGER
from ...store.models import ApiToken, Location, SalesPerson, ShopSetup, User
from . import audit, signin
# the sign-in, the lockout and the PIN hashes: one implementation, on the Core tables (admin/signin.py)
from .signin import LOCK_SECONDS, MAX_TRIES, TOKEN_PREFIX, actor_of, hash_pin, token_hash, verify_pin  # noqa: F401
from ..context import ROLES, Actor, role_at_least, role_name
from ..errors import ApprovalDenied, Duplicate, NotFound, ValidationError

if TYPE_CHECKING:
    from .. import Services


def check_pin_format(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ValidationError("PIN: 4 to 8 digits", field="pin")
    return pin


def language_code(value: str | None, *, field: str = "language", blank: str = "") -> str:
    """A language typed for a user, a customer or a shop: ``"FR"``/``"fr_CD"`` → ``"fr"``;
    blank → ``blank`` (``""``: the shop's language). Refuses a language without a catalogue."""
    try:
        code = i18n.normalize(value, field=field)
    except i18n.LanguageError:
        raise ValidationError("Language: {code} is not available (available: {codes})", field=field,
                              params={"code": str(value).strip(), "codes": ", ".join(i18n.available())}) from None
    return code or blank


def _now() -> dt.datetime:
    return signin.now()


def language_of(session: Session, user: User) -> str:
    """The language ``user`` reads: their own, else their shop's (Shop Setup), else English."""
    return signin.language_of(session, user)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user: str
    prefix: str
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    full_name: str
    role: str
    location_code: str | None
    inactive: bool
    sales_person: str | None = None  # the user's own sales person code (the invoice's default Delegue)
    language: str = ""  # "" = the shop's (Shop Setup)


class UserService:
    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    # -- login -------------------------------------------------------------
    def login(self, name: str, pin: str, *, via: str = "") -> Actor:
        """Sign in with name + PIN. Wrong PINs count toward the lockout; every failure is audited.

        ``via`` says where the sign-in came from in the audit row (e.g. "headless"). The one
        implementation: :func:`shopterm.services.admin.signin.login`."""
        return signin.login(self.db, name, pin, via=via)

    def approve(self, name: str, pin: str, action: str) -> Actor:
        """A manager's (or admin's) approval for ``action``; recorded in the audit log.

        A wrong PIN counts toward the approver's lockout, like a sign-in, and is audited."""
        with self.db.write() as session:
            try:
                approver = self._check_approver(session, name, pin, action)
            except ApprovalDenied:
                session.commit()  # the failure's count and audit row stay
                raise
            audit.record(session, approver, "approve", "approval", approver.user_id, summary=action[:300])
            return approver

    def verify_approver(self, session: Session, name: str | None, pin: str | None, action: str = "") -> Actor | None:
        """Inside another transaction: check an approver given with a document (None if not given).

        A refusal rolls that transaction back; the failure (its count toward the lockout and its audit
        row) is then written in a transaction of its own (:attr:`ApprovalDenied.after_rollback`)."""
        if not name:
            return None
        try:
            return self._check_approver(session, name, pin, action)
        except ApprovalDenied as exc:
            exc.after_rollback = lambda db, n=name, p=pin, a=action: self._record_refusal(db, n, p, a)
            raise

    def _record_refusal(self, db, name: str, pin: str | None, action: str) -> None:
        with db.write() as session:
            try:
                self._check_approver(session, name, pin, action)
            except ApprovalDenied:
                pass

    def _check_approver(self, session: Session, name: str | None, pin: str | None, action: str) -> Actor:
        name = (name or "").strip().lower()
        what = f"approval{': ' + action[:200] if action else ''}"
        user = signin.user_named(session, name)
        if user is None or user.inactive:
            audit.record(session, None, "approval_failed", "user", user.id if user else None,
                         summary=f"{name[:40]!r}: {'inactive' if user else 'unknown'} approver ({what})")
            raise ApprovalDenied("Approval refused: unknown manager or wrong PIN", field="approver_pin")
        locked = signin.locked_seconds(user)
        if locked:
            audit.record(session, None, "approval_failed", "user", user.id, summary=f"{name}: locked out ({what})")
            message, params = lockout_message(APPROVAL, locked, signin.now(), name=user.name)
            raise ApprovalDenied(message, field="approver_pin", params=params)
        if not verify_pin(pin or "", user.pin_hash):
            locked_now, _left = signin.wrong_pin(session, user, what)
            if locked_now is not None:
                raise ApprovalDenied("Approval refused: wrong PIN; {name} is locked for {locked} s",
                                     field="approver_pin", params={"name": user.name, "locked": LOCK_SECONDS})
            raise ApprovalDenied("Approval refused: unknown manager or wrong PIN", field="approver_pin")
        if not role_at_least(user.role, "manager"):
            audit.record(session, None, "approval_failed", "user", user.id,
                         summary=f"{name}: a {user.role} cannot approve ({what})")
            raise ApprovalDenied("Approval refused: {name} is {role}, not a manager", field="approver",
                params={"name": user.name, "role": role_name(user.role)})
        signin.reset_count(session, user)
        return actor_of(user)

    def approval(self, session: Session, actor: Actor | None, approver: str | None, approver_pin: str | None,
                 *, permission: str = "approve", location_id: int | None = None, action: str = "") -> Actor | None:
        """The approval check every service uses (DESIGN §10), inside its transaction.

        The approver given (name + PIN, checked) approves; else the signed-in ``actor``
        approves when their role may (``permission``) and the location's Shop Setup does
        not "ask for the PIN even when a manager is signed in". None: nobody approved.
        """
        given = self.verify_approver(session, approver, approver_pin, action)
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

    # -- API tokens for headless commands -------------------------------------
    def create_token(self, actor: Actor, name: str, *, label: str = "") -> tuple[str, "TokenInfo"]:
        """An admin issues a token to act as user ``name`` headless. The token is returned once and
        only its sha256 is kept."""
        actor.require("users", "Issuing API tokens")
        name = (name or "").strip().lower()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.write() as session:
            user = session.exec(select(User).where(User.name == name)).first()
            if user is None:
                raise NotFound("User {name} not found", field="name", params={"name": name})
            if user.inactive:
                raise ValidationError("User {name} is inactive", field="name", params={"name": name})
            row = ApiToken(user_id=user.id, label=(label or "").strip()[:80], prefix=token[:12],
                           token_hash=token_hash(token), created_by=actor.user_id)
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "api_token", row.id,
                         after={"user": user.name, "prefix": row.prefix, "label": row.label},
                         summary=f"API token {row.prefix}… issued for {user.name}")
            return token, self._token_info(row, user.name)

    def list_tokens(self, actor: Actor) -> list["TokenInfo"]:
        actor.require("users", "Managing API tokens")
        with self.db.read() as session:
            rows = session.exec(select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                                .order_by(ApiToken.id)).all()
            return [self._token_info(t, n) for t, n in rows]

    def revoke_token(self, actor: Actor, ident: str) -> "TokenInfo":
        """Revoke a token given by its id or its prefix (as listed)."""
        actor.require("users", "Revoking API tokens")
        ident = (ident or "").strip()
        with self.db.write() as session:
            stmt = select(ApiToken)
            if ident.isascii() and ident.isdigit():
                stmt = stmt.where(ApiToken.id == (int(ident) if len(ident) <= 10 and int(ident) <= MAX_INTEGER else 0))
            else:
                stmt = stmt.where(ApiToken.prefix == ident.rstrip("…."))
            row = session.exec(stmt).first()
            if row is None:
                raise NotFound("API token {ident} not found: give its id or prefix from 'shopterm user token list'",
                               field="token", params={"ident": ident})
            if row.revoked_at is None:
                row.revoked_at = _now()
                row.revoked_by = actor.user_id
                session.add(row)
                audit.record(session, actor, "revoke", "api_token", row.id, summary=f"API token {row.prefix}… revoked")
            user = session.get(User, row.user_id)
            return self._token_info(row, user.name if user else "?")

    def token_actor(self, token: str, name: str | None = None) -> Actor:
        """The user a token acts as (every use audited): :func:`shopterm.services.admin.signin.token_actor`."""
        return signin.token_actor(self.db, token, name)

    @staticmethod
    def _token_info(row: ApiToken, user_name: str) -> "TokenInfo":
        return TokenInfo(row.id, user_name, row.prefix, row.label, row.created_at, row.last_used_at, row.revoked_at)

    # -- administration ------------------------------------------------------
    def create(self, actor: Actor | None, name: str, pin: str, role: str, *, full_name: str = "",
               location: str | None = None, sales_person: str | None = None, language: str = "") -> UserInfo:
        if actor is not None:
            actor.require("users", "Managing users")
        name = (name or "").strip().lower()
        if not name or not name.replace("_", "").replace(".", "").isalnum() or len(name) > 40:
            raise ValidationError("User name: letters and digits, up to 40", field="name")
        if role not in ROLES:
            raise ValidationError("Role: one of {roles}", field="role", params={"roles": ', '.join(ROLES)})
        pin = check_pin_format(pin)
        language = language_code(language)
        with self.db.write() as session:
            if session.exec(select(User).where(User.name == name)).first():
                raise Duplicate("User {name} already exists", field="name", params={"name": name})
            loc_id = None
            if location:
                loc = session.exec(select(Location).where(Location.code == location.upper())).first()
                if loc is None:
                    raise NotFound("Location {location} not found", field="location", params={"location": location})
                loc_id = loc.id
            user = User(name=name, full_name=full_name, pin_hash=hash_pin(pin), role=role, location_id=loc_id,
                        sales_person_id=_sales_person_id(session, sales_person), language=language)
            session.add(user)
            session.flush()
            audit.record(session, actor, "create", "user", user.id, after=user)
            return self._info(session, user)

    def update(self, actor: Actor, name: str, *, role: str | None = None, pin: str | None = None,
               full_name: str | None = None, inactive: bool | None = None, location: str | None = None,
               sales_person: str | None = None, language: str | None = None) -> UserInfo:
        actor.require("users", "Managing users")
        with self.db.write() as session:
            user = session.exec(select(User).where(User.name == name.strip().lower())).first()
            if user is None:
                raise NotFound("User {name} not found", field="name", params={"name": name})
            before = audit.snapshot(user)
            if role is not None:
                if role not in ROLES:
                    raise ValidationError("Role: one of {roles}", field="role", params={"roles": ', '.join(ROLES)})
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
                        raise NotFound("Location {location} not found", field="location",
                            params={"location": location})
                    user.location_id = loc.id
            if sales_person is not None:  # "" unlinks
                user.sales_person_id = _sales_person_id(session, sales_person)
            if language is not None:  # "" = the shop's
                user.language = language_code(language)
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
                        sp.code if sp else None, user.language or "")

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
        raise NotFound("Sales person: {code} not found", field="sales_person", params={"code": code})
    if sp.inactive:
        raise ValidationError("Sales person: {code} is inactive", field="sales_person", params={"code": code})
    return sp.id
