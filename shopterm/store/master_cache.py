"""Masters kept per process while the database says none changed.

A posting reads the same masters again and again (the location, its Shop Setup, the customer and its
locations, the sales person, the items, their batches, prices and promotions, the loyalty card's terms,
the accounts). They change rarely; what the posting must never miss is a change. The rule here:

- ``masters_version`` (one row, id 1) counts the changes to the tables in :data:`MASTER_TABLES`.
  Database triggers (:func:`install`) add one to it in the changing transaction itself, whoever
  writes: the services, an import, a migration, SQL typed in ``sqlite3``/``psql`` by another process.
  A rolled-back change rolls its increment back with it.
- A transaction that wants the kept masters calls :func:`use` as its first statement (before it writes
  anything): one tiny SELECT of the counter, inside that transaction. While the counter equals the one
  the kept rows were read under, a :class:`MasterRead` answers from them; when it differs, the rows are
  dropped and read again. SQLite: the posting's ``BEGIN IMMEDIATE`` makes the counter and every row the
  post reads one state (no other writer until it commits). PostgreSQL (READ COMMITTED, one writer at a
  time under the advisory lock): the counter is read after the writer's lock, so every change committed
  before it — another till's price edit — is seen by this post; rows are kept under the counter read
  *before* them, so a change committing in between only makes the next transaction read again.
- Live figures (stock on hand and reserved, balances, credit used, number counters, the day's state)
  are never kept: they are plain :class:`~.db.Prepared` reads.
- Without the triggers (a database that lacks them) nothing is kept: every read goes to the database.

The triggers are installed with the schema mark (``store.migrate``): a new database and every catch-up
of an older one get them. A later migration that re-creates a master table (SQLite's batch mode) must
end in the mark being written again, as every upgrade here does.
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import bindparam, column, select, table

from .db import Prepared, _is_orm_session

#: the tables whose rows a posting reads as masters (never a running figure): a change to any bumps the counter
MASTER_TABLES = (
    "location", "account", "cost_centre", "shop_setup", "exchange_rate", "customer_category", "customer_group",
    "sales_person", "loyalty_card", "loyalty_card_category", "customer", "customer_location", "supplier", "item",
    "batch", "price", "promotion_reason", "promotion", "promotion_range", "promotion_location", "discount_slab",
    "discount_slab_range", "discount_slab_location",
)
TRIGGER_PREFIX = "masters_version_"
_PG_FUNCTION = "shopterm_masters_changed"

_VERSION = Prepared(select(column("version")).select_from(table("masters_version", column("id"), column("version")))
                    .where(column("id") == bindparam("id")))


def _sqlite_triggers() -> list[str]:
    return [f'CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}{name}_{op.lower()} AFTER {op} ON "{name}" '
            f"BEGIN UPDATE masters_version SET version = version + 1 WHERE id = 1; END"
            for name in MASTER_TABLES for op in ("INSERT", "UPDATE", "DELETE")]


def install(conn) -> None:
    """Give the database (``conn``: a Core Connection inside a transaction) the counter's row and the
    triggers that keep it; idempotent. Counts one change itself: a process that kept masters of the
    database as it was before reads them again."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT OR IGNORE INTO masters_version (id, version) VALUES (1, 0)")
        for ddl in _sqlite_triggers():
            conn.exec_driver_sql(ddl)
    else:
        conn.exec_driver_sql("INSERT INTO masters_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE masters_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$")
        for name in MASTER_TABLES:
            conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{name} ON "{name}"')
            conn.exec_driver_sql(
                f'CREATE TRIGGER {TRIGGER_PREFIX}{name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()")
    conn.exec_driver_sql("UPDATE masters_version SET version = version + 1 WHERE id = 1")


def installed(conn) -> bool:
    """Whether every trigger :func:`install` makes is there (``conn``: a Core Connection)."""
    like = TRIGGER_PREFIX.replace("_", "\\_") + "%"
    if conn.dialect.name == "sqlite":
        found = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name LIKE ? ESCAPE '\\'", (like,)).scalar()
        return found == 3 * len(MASTER_TABLES)
    found = conn.exec_driver_sql("SELECT count(DISTINCT tgname) FROM pg_trigger WHERE NOT tgisinternal "
                                 "AND tgname LIKE %(like)s ESCAPE '\\'", {"like": like}).scalar()
    return found == len(MASTER_TABLES)


class _Kept:
    """The masters one database's connections read under one counter value (per connection pool)."""

    __slots__ = ("version", "rows")

    def __init__(self, version: int | None):
        self.version = version
        self.rows: dict = {}


_lock = threading.Lock()
_kept: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # pool -> _Kept, or False: no triggers
_MEMO = "shopterm.masters"  # Session.info key: (its transaction, the rows it may use)
MAX_KEPT = 20_000  # statements' answers kept per database before they are dropped and read again


def use(session) -> None:
    """Let this transaction's :class:`MasterRead` answers come from the rows kept for the database, valid
    while the counter is unchanged: reads the counter (one SELECT, in ``session``'s transaction). Call it
    before the transaction writes anything."""
    if not _is_orm_session(session):  # pragma: no cover - the posting's sessions only
        return
    tx = session.get_transaction()
    held = session.info.get(_MEMO)
    if held is not None and held[0] is tx and tx is not None:
        return
    pool = session.get_bind().engine.pool  # the session's bind: an Engine, or a Connection (Database.batch())
    kept = _kept.get(pool)
    if kept is None:  # first use on this database: are the triggers there? (read in this transaction)
        ok = installed(session.connection())
        with _lock:
            kept = _kept.setdefault(pool, _Kept(None) if ok else False)
    if kept is False:
        session.info.pop(_MEMO, None)
        return
    version = _VERSION.scalar(session, {"id": 1})
    if version is None:
        session.info.pop(_MEMO, None)
        return
    bind = session.get_bind()
    if not hasattr(bind, "pool") and not _committed(bind, pool, version):
        # a transaction joined after it began (Database.batch) that changed masters itself: what it reads
        # is not yet anyone else's state (and may be rolled back): rows of its own, never kept for others
        session.info[_MEMO] = (session.get_transaction(), _Kept(version).rows)
        return
    if kept.version != version:
        with _lock:
            kept = _kept[pool]
            if kept.version is None or version > kept.version:  # a newer state: the kept rows are dropped
                kept = _kept[pool] = _Kept(version)
        if kept.version != version:  # an older snapshot (a read that began before a change): rows of its own
            kept = _Kept(version)
    session.info[_MEMO] = (session.get_transaction(), kept.rows)


_START = "shopterm.masters.committed"  # Connection.info key: (its transaction, the counter as committed then)


def _committed(conn, pool, version: int) -> bool:
    """Whether ``version``, read inside ``conn``'s transaction (begun before this session joined it: a
    batch), is the committed state: the counter as committed when first asked in this transaction, read
    on a connection of its own, is the same (a transaction that changed masters sees its own count)."""
    root = conn.get_transaction()
    mark = conn.info.get(_START)
    if mark is None or mark[0] is not root:
        raw = pool.connect()  # the pool's own DB-API connection: no BEGIN IMMEDIATE, no writer's lock
        try:
            cur = raw.cursor()
            cur.execute("SELECT version FROM masters_version WHERE id = 1")
            row = cur.fetchone()
            cur.close()
        finally:
            raw.close()  # back to the pool (rolled back)
        mark = conn.info[_START] = (root, row[0] if row else None)
    return mark[1] == version


def _freeze(params: dict | None):
    if not params:
        return ()
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())


class MasterRead(Prepared):
    """A :class:`~.db.Prepared` SELECT of masters only (no running figure): in a transaction that called
    :func:`use`, its rows come from those kept for the database while the counter is unchanged (read once,
    then kept); elsewhere it reads the database as ``Prepared`` does.

    ``per=(parameter, column)``: the statement's IN list ``parameter`` matches ``column`` of its rows (items
    by code, prices by item id): the rows are kept per value of the list, so another invoice with some of
    the same items reads only the others (in one query); the rows come back value by value in the list's
    order, each value's in the statement's order."""

    __slots__ = ("_per",)

    def __init__(self, stmt, *, per: tuple[str, str] | None = None):
        super().__init__(stmt)
        from sqlalchemy.sql.util import find_tables

        read = {t.name for t in find_tables(self.stmt, include_joins=True)}
        if not read or not read <= set(MASTER_TABLES):  # a running figure kept would go stale unseen
            raise ValueError(f"MasterRead reads only masters the counter follows, not {sorted(read - set(MASTER_TABLES))}")
        self._per = None
        if per is not None:
            names = [c.key for c in self.stmt.selected_columns]
            self._per = (per[0], names.index(per[1]))

    def _run(self, conn, params, many: bool):
        held = conn.info.get(_MEMO) if not many and _is_orm_session(conn) else None
        if held is None or held[0] is not conn.get_transaction():
            return super()._run(conn, params, many)
        memo = held[1]
        if len(memo) > MAX_KEPT:  # a bound on what a long session keeps (every preview's list of items)
            memo.clear()
        if self._per is not None:
            return self._per_value(conn, params, memo)
        key = (self, _freeze(params))
        rows = memo.get(key)
        if rows is None:
            rows = memo[key] = tuple(super()._run(conn, params, many) or ())
        return list(rows)

    def _per_value(self, conn, params: dict, memo: dict) -> list:
        name, column = self._per
        values = params[name]
        rest = _freeze({k: v for k, v in params.items() if k != name})
        # the answer is built from what this call got, never read back from ``memo``: another thread's
        # transaction may clear it meanwhile (MAX_KEPT), and a value read back as missing is a row lost
        got: dict = {}
        missing = []
        for v in dict.fromkeys(values):
            rows = memo.get((self, rest, v))
            if rows is None:
                missing.append(v)
            else:
                got[v] = rows
        if missing:
            found: dict = {}
            for row in super()._run(conn, {**params, name: missing}, False) or ():
                found.setdefault(row[column], []).append(row)
            for v in missing:
                got[v] = memo[(self, rest, v)] = tuple(found.get(v, ()))
        out: list = []
        for v in values:
            out.extend(got[v])
        return out
