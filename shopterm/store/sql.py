"""The schema check's statements (named statements, :mod:`shopterm.store.sqlrun`): which revision the
database is at and the migration scripts' fingerprint it was made from (:mod:`shopterm.store.migrate`)."""

from __future__ import annotations

from sqlalchemy import String, column, select, table

from .tables import SchemaMark

#: Alembic's own table (not one of the models)
_ALEMBIC_VERSION = table("alembic_version", column("version_num", String))

STATEMENTS = {
    "schema.revisions": lambda: select(_ALEMBIC_VERSION.c.version_num),
    "schema.mark": lambda: select(SchemaMark.c.fingerprint).where(SchemaMark.c.id == 1),
}
