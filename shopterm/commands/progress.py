"""A Rich progress bar on standard error for long headless work (CSV imports, the journal
export, the ledger reports and their files): the bar, rows done / total and the time left.
Only in a terminal: when standard error is piped, the command prints JSON, or the report goes
to standard output piped into another program, nothing extra is written."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator

from ..core.i18n import _

ProgressFn = Callable[[int, int], None]


def in_terminal() -> bool:
    """Standard error is a terminal (a person watches): the bar is drawn there."""
    return sys.stderr.isatty()


def stdout_piped() -> bool:
    """Standard output goes to another program (a pipe or socket, e.g. ``| less``): a bar on the
    terminal would draw over what that program shows. A redirect to a file is not piped."""
    try:
        mode = os.fstat(sys.stdout.fileno()).st_mode
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return True  # not a real file (captured): as piped
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@contextlib.contextmanager
def terminal_progress(label: str, *, enabled: bool = True) -> Iterator[ProgressFn | None]:
    """``with terminal_progress("Importing") as on_progress:`` — ``on_progress(done, total)`` moves
    the bar; None when not in a terminal (or not ``enabled``), so the caller passes nothing."""
    if not enabled or not in_terminal():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn(_("· left")), TimeRemainingColumn(),
                        console=Console(stderr=True, force_terminal=True), transient=True)
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=max(total, 1))

    with progress:
        yield update


__all__ = ["in_terminal", "stdout_piped", "terminal_progress"]
