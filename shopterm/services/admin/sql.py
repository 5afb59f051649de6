"""The sign-in's statements, its audit row's and the audit hash chain's (named statements,
:mod:`shopterm.store.sqlrun`): written once here as SQLAlchemy Core, run by :mod:`.signin`,
:mod:`.audit` and :mod:`.links` through SQLAlchemy or, in a read command, on ``sqlite3``."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from ...store.tables import ApiToken, AuditLog, ChainHead, ShopSetup, User

_U = User.c
_USER_COLS = (_U.id, _U.name, _U.role, _U.location_id, _U.language, _U.pin_hash, _U.inactive, _U.failed_attempts,
              _U.locked_until)
_T = ApiToken.c

#: the columns of an audit row as :func:`.audit.record` writes it (the chain's two with them)
AUDIT_COLUMNS = ("at", "user_id", "user_name", "action", "entity", "entity_id", "summary", "before", "after",
                 "approver_id", "chain_seq", "chain_hash")


def _audit_insert():
    return insert(AuditLog)


_audit_insert.column_keys = AUDIT_COLUMNS  # type: ignore[attr-defined]


def _head_insert(dialect: str):
    """The chain's first link: its head row (two writers at once: one insert wins)."""
    from ...store.db import conflict_insert

    return conflict_insert(dialect, ChainHead).values(name=bindparam("head_name"), seq=0, hash="").on_conflict_do_nothing()


_head_insert.per_dialect = True  # type: ignore[attr-defined]

STATEMENTS = {
    "signin.user_by_name": lambda: select(*_USER_COLS).where(_U.name == bindparam("name")),
    "signin.user_by_id": lambda: select(*_USER_COLS).where(_U.id == bindparam("id")),
    "signin.set_tries": lambda: update(User).where(_U.id == bindparam("uid")).values(
        failed_attempts=bindparam("tries"), locked_until=bindparam("until")),
    "signin.set_count": lambda: update(User).where(_U.id == bindparam("uid")).values(failed_attempts=bindparam("tries")),
    "signin.shop_language": lambda: select(ShopSetup.c.language).limit(1),
    "signin.shop_language_at": lambda: select(ShopSetup.c.language).where(
        ShopSetup.c.location_id == bindparam("loc")).limit(1),
    "signin.token": lambda: select(_T.id, _T.user_id, _T.prefix, _T.revoked_at).where(_T.token_hash == bindparam("hash")),
    "signin.token_used": lambda: update(ApiToken).where(_T.id == bindparam("tid")).values(last_used_at=bindparam("used")),
    "audit.insert": _audit_insert,
    "chain.head_of": lambda: select(ChainHead.c.seq, ChainHead.c.hash).where(
        ChainHead.c.name == bindparam("head_name")).with_for_update(),
    "chain.head_insert": _head_insert,
    "chain.advance": lambda: update(ChainHead).where(ChainHead.c.name == bindparam("head_name")).values(
        seq=bindparam("head_seq"), hash=bindparam("head_hash")),
}
