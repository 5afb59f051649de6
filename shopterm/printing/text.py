"""The plain-text layout: 48 columns, for an 80 mm thermal printer (or a terminal).

Rules: no line is ever longer than the width (item names and notes wrap, a
figure too wide for its column moves to a ``label … value`` line of its own);
amounts are right-aligned and keep their thousands separators; nothing but
spaces and dashes for layout (no box drawing, no emoji), so any printer code
page copes.
"""

from __future__ import annotations

import re
import textwrap

from ..core.i18n import _
from .model import Fields, Items, Note, PrintDoc, Signatures, Table, Totals

WIDTH = 48
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _wrap(text: str, width: int, indent: str = "", first_indent: str | None = None) -> list[str]:
    text = " ".join(_SPACES.split(str(text).strip(" \t\n\r\f\v")))  # U+00A0 stays: it joins a number's digits
    if not text:
        return []
    first = indent if first_indent is None else first_indent
    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=indent,
                         break_long_words=True, break_on_hyphens=False) or [first.rstrip()]


def _center(text: str, width: int) -> list[str]:
    return [line.strip().center(width).rstrip() for line in _wrap(text, width)]


def _pack(pieces: list[str], width: int, sep: str = "  ") -> list[str]:
    """Short pieces (``Tel …``, ``NIF …``) on as few lines as fit, never split unless one alone is too wide."""
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(sep) + len(piece) <= width:
            lines[-1] += sep + piece
        else:
            lines.append(piece)
    return lines


def _label_value(label: str, value: str, width: int, *, indent: str = "") -> list[str]:
    """``label ........ value`` on one line when it fits; else the label wrapped, then the value right-aligned."""
    label = indent + label
    if len(label) + 1 + len(value) <= width:
        return [label + " " * (width - len(label) - len(value)) + value]
    lines = _wrap(label.strip(), width, indent=indent, first_indent=indent)
    for chunk in _wrap(value, width):
        lines.append(chunk.rjust(width))
    return lines


def _cells(widths: list[int], cells: tuple[str, ...], width: int) -> str | None:
    """Figures right-aligned in their columns, the whole row flush right; None when a cell does not fit."""
    if any(len(c) > w for c, w in zip(cells, widths)):
        return None
    row = " ".join(c.rjust(w) for c, w in zip(cells, widths))
    return row.rjust(width) if len(row) <= width else None


def _fields(b: Fields, width: int) -> list[str]:
    out = [b.title.upper()] if b.title else []
    if not b.rows:
        return out
    lw = min(max(len(k) for k, _ in b.rows), 16)
    for label, value in b.rows:
        if len(label) > lw:
            out += _wrap(label, width)
            out += _wrap(value, width, indent=" " * (lw + 1), first_indent=" " * (lw + 1))
            continue
        out += _wrap(value, width, indent=" " * (lw + 1), first_indent=label.ljust(lw) + " ") or [label]
    return out


def _items(b: Items, width: int) -> list[str]:
    widths = [c.width for c in b.columns]
    out = [b.title.upper()] if b.title else []
    out.append(b.description_title)
    heads = _cells(widths, tuple(c.title[:c.width] for c in b.columns), width)
    if heads:
        out.append(heads)
    out.append("-" * width)
    for r in b.rows:
        out += _wrap(r.description, width)
        if r.detail:
            out += _wrap(r.detail, width, indent="  ", first_indent="  ")
        row = _cells(widths, r.cells, width)
        if row is not None:
            out.append(row)
        else:
            for c, value in zip(b.columns, r.cells):
                if value:
                    out += _label_value(c.title, value, width, indent="  ")
    out.append("-" * width)
    return out


def _table(b: Table, width: int) -> list[str]:
    out = [b.title.upper()] if b.title else []
    figs = list(b.columns[1:])
    widths = [c.width for c in figs]
    label_w = width - sum(widths) - len(widths)
    if label_w < 0:  # the columns do not fit side by side: one label … value line per figure
        for row in b.rows:
            out += _wrap(row[0], width)
            for c, value in zip(figs, row[1:]):
                if value:
                    out += _label_value(c.title, value, width, indent="  ")
        return out
    heads = tuple(c.title[:c.width] for c in figs)
    first = b.columns[0].title[:label_w] if b.columns else ""
    out.append(first.ljust(label_w) + " " + " ".join(h.rjust(w) for h, w in zip(heads, widths)))
    for i, row in enumerate(b.rows):
        label = row[0].upper() if i in b.strong_rows else row[0]
        figures = _cells(widths, tuple(row[1:]), sum(widths) + len(widths) - 1)
        if figures is None:
            out += _wrap(label, width)
            for c, value in zip(figs, row[1:]):
                if value:
                    out += _label_value(c.title, value, width, indent="  ")
            continue
        if len(label) <= label_w:
            out.append(label.ljust(label_w) + " " + figures)
        else:
            out += _wrap(label, width)
            out.append(" " * (label_w + 1) + figures)
    return out


def _totals(b: Totals, width: int) -> list[str]:
    out = [b.title.upper()] if b.title else []
    for t in b.rows:
        out += _label_value(t.label.upper() if t.strong else t.label, t.value, width)
    return out


def _note(b: Note, width: int) -> list[str]:
    out = [b.title.upper()] if b.title else []
    for para in str(b.text).splitlines() or [""]:
        out += _wrap(para, width)
    return out


def _signatures(b: Signatures, width: int) -> list[str]:
    out: list[str] = []
    for label in b.labels:
        out.append("")
        out.append("")
        head = _("{label}:").format(label=label)  # French puts a space before the colon
        text = head + " "
        if len(text) + 10 > width:
            out += _wrap(head, width)
            text = ""
        out.append(text + "_" * (width - len(text)))
    return out


_RENDER = {Fields: _fields, Items: _items, Table: _table, Totals: _totals, Note: _note, Signatures: _signatures}


def render_lines(doc: PrintDoc, width: int = WIDTH) -> list[str]:
    lines: list[str] = []
    lines += _center(doc.shop.name.upper(), width)
    if doc.shop.address:
        lines += _center(doc.shop.address, width)
    for line in _pack(doc.shop.id_lines(), width):
        lines += _center(line, width)
    lines.append("=" * width)
    lines += _center(doc.title.upper(), width)
    if doc.subtitle:
        lines += _center(doc.subtitle, width)
    if doc.number:
        lines += _center(_("No {number}").format(number=doc.number), width)
    if doc.mark:
        lines += _center(f"*** {doc.mark} ***", width)
    lines.append("=" * width)
    for block in doc.blocks:
        lines.append("")
        lines += _RENDER[type(block)](block, width)
    if doc.footer:
        lines.append("")
        lines += _center(doc.footer, width)
    if doc.mark:
        lines += _center(f"*** {doc.mark} ***", width)
    # the guarantee: never wider than the paper, whatever a builder handed in
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return out


def render_text(doc: PrintDoc, width: int = WIDTH) -> str:
    """The document as plain text, ``width`` columns (48 for 80 mm paper), ending with a newline."""
    return "\n".join(render_lines(doc, width)) + "\n"


__all__ = ["WIDTH", "render_lines", "render_text"]
