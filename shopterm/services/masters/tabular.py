"""Plain tables as files: CSV (UTF-8, a header row) and XLSX (one sheet), for the exports.

The CSV is what the imports read back; every cell is text, so a code like
``00012`` or a phone number keeps its digits in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_bytes(columns: Iterable[str], rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(columns))
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(title: str, columns: Iterable[str], rows: Iterable[Sequence[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_bytes(fmt: str, title: str, columns: Iterable[str], rows: Iterable[Sequence[str]]) -> bytes:
    """``fmt`` ``csv`` or ``xlsx`` (the caller has checked it)."""
    return csv_bytes(columns, rows) if fmt == "csv" else xlsx_bytes(title, columns, rows)


FORMATS = ("csv", "xlsx")
