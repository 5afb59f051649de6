"""Signing in and PIN checks (DESIGN §10): the one implementation, on the Core tables.

A user signs in with name + PIN (a salted scrypt hash) or, headless, with an API token. Three wrong
PINs in a row lock the user for :data:`LOCK_SECONDS`; wrong approver PINs count toward the same
lockout; every failure, lockout, sign-in and token use writes a hash-chained audit row. The terminal
app, the headless commands and the approvals (:class:`~shopterm.services.admin.users.UserService`)
all come here. Its statements are named statements (written once as SQLAlchemy Core in
``admin/sql.py``, :mod:`shopterm.store.sqlrun`): run on a Connection of its own
(:meth:`Database.transaction`), inside another service's ORM transaction (an approval), or, for a
read command on a SQLite file, on a plain ``sqlite3`` connection without SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from shopterm.core.i18n import N_
from shopterm.core.lockout import SIGNIN, TOKEN, lockout_message
from ...store.sqlrun import Statement
from . import audit
from ..context import Actor
from ..errors import AuthError, LockedOut

if TYPE_CHECKING:
    from ...store.db import Database

MAX_TRIES = 3
LOCK_SECONDS = 30
_N, _R, _P = 2**14, 8, 1
TOKEN_PREFIX = "st_"


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


def token_hash(token: str) -> str:
    """API tokens are 256 random bits: a plain sha256 is enough to keep them unreadable at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def actor_of(user: Any, language: str = "") -> Actor:
    """The actor of a user (a ``user`` row or model: id, name, role, location_id, language)."""
    return Actor(user.id, user.name, user.role, user.location_id, language or user.language, user.language or "")


# named statements (admin/sql.py): what a sign-in reads and writes of a user
_USER_BY_NAME = Statement("signin.user_by_name")
_USER_BY_ID = Statement("signin.user_by_id")
_SET_TRIES = Statement("signin.set_tries")
_SET_COUNT = Statement("signin.set_count")
_SHOP_LANGUAGE = Statement("signin.shop_language")
_SHOP_LANGUAGE_AT = Statement("signin.shop_language_at")
_TOKEN = Statement("signin.token")
_TOKEN_USED = Statement("signin.token_used")


def user_named(conn: Any, name: str | None) -> Any:
    """The user row (id, name, role, location_id, language, pin_hash, inactive, failed_attempts,
    locked_until) of a name, or None. ``conn``: the transaction's Connection or Session."""
    return _USER_BY_NAME.first_named(conn, {"name": name})


def _user_by_id(conn: Any, user_id: int) -> Any:
    return _USER_BY_ID.first_named(conn, {"id": user_id})


def locked_seconds(user: Any) -> int:
    """Seconds left of the user's lockout (0: not locked)."""
    current = now()
    until = user.locked_until
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=dt.timezone.utc)
    if until and until > current:
        return int((until - current).total_seconds()) + 1
    return 0


def language_of(conn: Any, user: Any) -> str:
    """The language ``user`` reads: their own, else their shop's (Shop Setup), else English."""
    if user.language:
        return user.language
    if user.location_id is not None:
        found = _SHOP_LANGUAGE_AT.scalar(conn, {"loc": user.location_id})
    else:
        found = _SHOP_LANGUAGE.scalar(conn)
    return found or "en"


def wrong_pin(conn: Any, user: Any, what: str) -> tuple[LockedOut | None, int]:
    """Count a wrong PIN (sign-in or approval) and audit it: (a :class:`LockedOut` when it locks the
    user, else None; the tries left before the lockout)."""
    tries = user.failed_attempts + 1
    audit.record(conn, None, "login_failed" if what.startswith("sign-in") else "approval_failed", "user",
                 user.id, summary=f"{user.name}: wrong PIN ({what})")
    if tries >= MAX_TRIES:
        _SET_TRIES.execute(conn, {"uid": user.id, "tries": 0, "until": now() + dt.timedelta(seconds=LOCK_SECONDS)})
        audit.record(conn, None, "lockout", "user", user.id, summary=f"{user.name}: {MAX_TRIES} wrong PINs")
        return _locked_out(SIGNIN, LOCK_SECONDS), 0
    _SET_COUNT.execute(conn, {"uid": user.id, "tries": tries})
    return None, MAX_TRIES - tries


def _locked_out(forms: tuple[str, str, str], seconds: int, **params: Any) -> LockedOut:
    """The lockout's error: seconds, minutes, or until when (:func:`shopterm.core.lockout.lockout_message`)."""
    message, shown = lockout_message(forms, seconds, now(), **params)
    return LockedOut(message, seconds_left=seconds, params=shown)


def reset_count(conn: Any, user: Any) -> None:
    """A right approver PIN: the count of wrong ones starts again (a lockout stays as it is)."""
    if user.failed_attempts:
        _SET_COUNT.execute(conn, {"uid": user.id, "tries": 0})


def clear_tries(conn: Any, user: Any) -> None:
    """A right PIN: the count of wrong ones starts again (and any past lockout is lifted)."""
    if user.failed_attempts or user.locked_until is not None:
        _SET_TRIES.execute(conn, {"uid": user.id, "tries": 0, "until": None})


def login(db: "Database", name: str, pin: str, *, via: str = "") -> Actor:
    """Sign in with name + PIN. Wrong PINs count toward the lockout; every failure is audited (and
    stays written although the sign-in is refused).

    ``via`` says where the sign-in came from in the audit row (e.g. "headless")."""
    name = (name or "").strip().lower()
    where = f" ({via})" if via else ""
    with db.transaction() as conn:
        outcome = _login(conn, name, pin, where)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _login(conn: Any, name: str, pin: str, where: str) -> Actor | Exception:
    user = user_named(conn, name)
    if user is None or user.inactive:
        audit.record(conn, None, "login_failed", "user", user.id if user else None,
                     summary=f"{name[:40]!r}: {'inactive' if user else 'unknown'} user{where}")
        return AuthError("Unknown user or wrong PIN", field="pin")
    locked = locked_seconds(user)
    if locked:
        audit.record(conn, None, "login_failed", "user", user.id, summary=f"{name}: locked out{where}")
        return _locked_out(SIGNIN, locked)
    if not verify_pin(pin or "", user.pin_hash):
        error, left = wrong_pin(conn, user, f"sign-in{where}")
        if error is not None:
            return error
        return AuthError(N_("Unknown user or wrong PIN ({left} try left)") if left == 1
                         else N_("Unknown user or wrong PIN ({left} tries left)"), field="pin", params={"left": left})
    clear_tries(conn, user)
    actor = actor_of(user, language_of(conn, user))
    audit.record(conn, actor, "login", "user", user.id, summary=f"{name} logged in{where}")
    return actor


def token_actor(db: "Database", token: str, name: str | None = None) -> Actor:
    """The user a token acts as (every use audited). A wrong token given with ``name`` counts toward
    that user's lockout; a locked-out, inactive or other user is refused."""
    token = (token or "").strip()
    name = (name or "").strip().lower() or None
    with db.transaction() as conn:
        outcome = _token_actor(conn, token, name)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _token_actor(conn: Any, token: str, name: str | None) -> Actor | Exception:
    row = _TOKEN.first_named(conn, {"hash": token_hash(token)}) if token else None
    user = _user_by_id(conn, row.user_id) if row else None
    if row is None or row.revoked_at is not None or user is None or (name and user.name != name):
        named = user_named(conn, name) if name else None
        why = "revoked token" if row is not None and row.revoked_at is not None else "wrong token"
        if named is not None and not named.inactive and not locked_seconds(named):
            locked, _left = wrong_pin(conn, named, f"sign-in (headless, {why})")
            if locked is not None:
                return locked
        else:
            audit.record(conn, None, "login_failed", "api_token", row.id if row else None,
                         summary=f"{(name or '?')[:40]}: {why} (headless)")
        return AuthError("Unknown or revoked API token", field="token")
    if user.inactive:
        return AuthError("User {name} is inactive", field="token", params={"name": user.name})
    locked = locked_seconds(user)
    if locked:
        audit.record(conn, None, "login_failed", "api_token", row.id, summary=f"{user.name}: locked out (headless token)")
        return _locked_out(TOKEN, locked, name=user.name)
    _TOKEN_USED.execute(conn, {"tid": row.id, "used": now()})
    actor = actor_of(user, language_of(conn, user))
    audit.record(conn, actor, "token_use", "api_token", row.id,
                 summary=f"{user.name} signed in with API token {row.prefix}… (headless)")
    return actor
