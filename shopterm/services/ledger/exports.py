"""Whole ledger reports read in pages with their progress, and report files written whole or not at all
(issue 16, "long work shows progress").

The protocol is the CSV imports': a long report calls ``on_progress(done, total)`` between its pages
or steps, and the caller's callback may raise :class:`~shopterm.services.errors.Cancelled` (Esc on
the screen) to stop it there. Reports only read, so a cancel leaves nothing behind; a report file is
written to a temporary file beside its target and renamed over it at the end
(:func:`write_file`, :func:`atomic_output`), so a cancelled or failed export leaves no file — and an
older file of that name stays as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select

from ..errors import ValidationError
from . import reports as R
from .totals import one_step  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

#: Lines per page when a whole account register is read with a progress bar.
EXPORT_PAGE = 2000
ZERO = Decimal("0.00")


def whole_register(session: Session, account_code: str, date_from: dt.date, date_to: dt.date,
                   on_progress: R.ProgressFn, page: int = EXPORT_PAGE) -> R.AccountRegister:
    """An account's register of the period read ``page`` lines at a time, ``on_progress(lines done,
    lines in all)`` after each page; the same report as one unpaged read."""
    JL, A = R.JL, R.A
    account = select(A.c.id).where(A.c.code == account_code.strip()).scalar_subquery()
    total = session.execute(select(func.count()).select_from(JL).where(
        JL.c.account_id == account, JL.c.date >= date_from, JL.c.date <= date_to)).scalar_one()
    on_progress(0, total)
    first = part = R.account_register(session, account_code, date_from, date_to, None, page)
    rows = list(part.rows)
    on_progress(len(rows), max(total, len(rows)))
    while part.next_key is not None:
        part = R.account_register(session, account_code, date_from, date_to, part.next_key, page,
                                  opening=part.closing_balance)  # not summed again per page
        rows.extend(part.rows)
        on_progress(len(rows), max(total, len(rows)))
    return dataclasses.replace(first, rows=tuple(rows), closing_balance=part.closing_balance, next_key=None,
                               prev_key=None)


# ---------------------------------------------------------------- files written whole or not at all


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, binary: bool = False) -> Iterator[IO[Any]]:
    """``with atomic_output("out.csv") as fh: …`` — ``fh`` is a temporary file beside ``path``, renamed
    to ``path`` when the block ends normally; on any error or cancel it is deleted and ``path`` is
    left as it was (no file, or the older one). A file that cannot be written is a ValidationError."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:  # 0666 less the umask, as open() would create ``path`` itself
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ValidationError("cannot write {file}: {reason}", field="output",
                              params={"file": str(path), "reason": exc.strerror or str(exc)}) from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            yield fh
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise ValidationError("cannot write {file}: {reason}", field="output",
                                  params={"file": str(path), "reason": exc.strerror or str(exc)}) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_file(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all (:func:`atomic_output`)."""
    with atomic_output(path, binary=isinstance(data, bytes)) as fh:
        fh.write(data)
    return Path(path)


#: What a report file can be (the ledger commands' ``--format`` less the screen table).
FILE_FORMATS = ("csv", "xlsx", "pdf", "json")


def save_report(report: Any, fmt: str, path: str | os.PathLike, *, letterhead: Any = None,
                ageing: Any = None, on_progress: R.ProgressFn | None = None) -> Path:
    """Render a ledger report (:func:`shopterm.printing.reports.render`) and write it whole to ``path``;
    ``on_progress(rows written, rows in all)`` while an XLSX or PDF is made (it may raise Cancelled)."""
    from ...printing.reports import render

    fmt = (fmt or "").strip().lower()
    if fmt not in FILE_FORMATS:
        raise ValidationError("Format: one of {formats} (got {fmt!r})", field="format",
                              params={"formats": ", ".join(FILE_FORMATS), "fmt": fmt})
    if not str(path).strip():
        raise ValidationError("File: give the path of the file to write", field="output")
    return write_file(path, render(report, fmt, letterhead=letterhead, ageing=ageing, on_progress=on_progress))


__all__ = ["EXPORT_PAGE", "FILE_FORMATS", "atomic_output", "one_step", "save_report", "whole_register",
           "write_file"]
