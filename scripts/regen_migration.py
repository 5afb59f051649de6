"""Regenerate the initial migration from the models (development only, before the first release).

Until shopterm ships, the schema lives in one migration, 0001. After a change
to ``shopterm/store/models.py`` run::

    .venv/bin/python scripts/regen_migration.py

A database made by an earlier build of 0001 is brought up to date when it is
next opened (``store.migrate.catch_up``: the tables, columns and indexes it
lacks, its running sums filled; ``shopterm db upgrade`` says what was added):
a new column that may not be empty needs a plain default in the model.

Once a release is out, add new revisions with ``alembic revision --autogenerate``
instead and never rewrite 0001.
"""

import tempfile
from pathlib import Path

from alembic import command

from shopterm.store.db import make_engine
from shopterm.store.migrate import MIGRATIONS, alembic_config

target = MIGRATIONS / "versions" / "0001_initial_schema.py"
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{tmp}/gen.db")
    target.unlink(missing_ok=True)
    command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
    engine.dispose()
print(f"wrote {target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}")
