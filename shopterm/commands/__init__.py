"""Sub-command modules of the ``shopterm`` CLI, mounted by :mod:`shopterm.cli` (one Typer app each)."""
