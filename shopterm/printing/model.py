"""A printed document, independent of its layout.

Builders (:mod:`.documents`) turn a posted document into a :class:`PrintDoc`:
the shop's letterhead, a title and number, an optional mark (``DUPLICATE —
RE-PRINT 2``, ``CANCELLED``) and a sequence of blocks. Two layouts render the
same PrintDoc: :func:`shopterm.printing.text.render_text` (48 columns, an
80 mm thermal printer) and :func:`shopterm.printing.pdf.render_pdf` (A4).

Every value in a block is already a string (amounts formatted with thousands
separators): the layouts only place text, they never compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..core.i18n import _


@dataclass(frozen=True, slots=True)
class Shop:
    """The letterhead: the location's name, address, phone and tax numbers."""

    name: str
    address: str = ""
    phone: str = ""
    tax_no: str = ""  # NIF / Impôt
    rccm_no: str = ""
    location_code: str = ""

    def id_lines(self) -> list[str]:
        """Phone and tax numbers, one short piece each (the layouts join or wrap them)."""
        out = []
        if self.phone:
            out.append(_("Tel {phone}").format(phone=self.phone))
        if self.tax_no:
            out.append(f"NIF {self.tax_no}")
        if self.rccm_no:
            out.append(f"RCCM {self.rccm_no}")
        return out


@dataclass(frozen=True, slots=True)
class Fields:
    """Label: value pairs (the document's header, the customer). ``title`` heads the block.

    Two consecutive Fields blocks with ``pair=True`` on the first are printed side by
    side on A4 (e.g. the document on the left, the customer on the right)."""

    rows: tuple[tuple[str, str], ...]
    title: str = ""
    pair: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    """A figure column: its heading, its width on the 48-column layout, its weight on A4."""

    title: str
    width: int = 12
    align: str = "right"  # right | left
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ItemRow:
    description: str
    cells: tuple[str, ...]
    detail: str = ""  # a second, smaller line: code, batch, expiry, tax…


@dataclass(frozen=True, slots=True)
class Items:
    """Item lines: a description (wrapped on its own line(s) in text; the first column on
    A4) and figure columns."""

    columns: tuple[Column, ...]
    rows: tuple[ItemRow, ...]
    description_title: str = "Item"
    title: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A small grid: a label column then figure columns (e.g. the receipt per currency,
    the shop close per currency, denominations)."""

    columns: tuple[Column, ...]  # the first is the label column (left aligned)
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    strong_rows: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Total:
    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Totals:
    """Label … amount lines, right-aligned amounts (the footer of a document)."""

    rows: tuple[Total, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Signatures:
    labels: tuple[str, ...]


Block = Union[Fields, Items, Table, Totals, Note, Signatures]


@dataclass(frozen=True, slots=True)
class PrintDoc:
    title: str
    number: str
    shop: Shop
    blocks: tuple[Block, ...] = ()
    subtitle: str = ""
    mark: str = ""  # "DUPLICATE — RE-PRINT 2", "CANCELLED"…
    footer: str = ""
    meta: dict = field(default_factory=dict)

    def all_text(self) -> str:
        """Every string of the document, for tests and searches."""
        parts = [self.title, self.subtitle, self.number, self.mark, self.footer, self.shop.name]
        for b in self.blocks:
            if isinstance(b, Fields):
                parts += [f"{k} {v}" for k, v in b.rows]
            elif isinstance(b, Items):
                parts += [f"{r.description} {r.detail} {' '.join(r.cells)}" for r in b.rows]
            elif isinstance(b, Table):
                parts += [" ".join(r) for r in b.rows]
            elif isinstance(b, Totals):
                parts += [f"{t.label} {t.value}" for t in b.rows]
            elif isinstance(b, Note):
                parts.append(b.text)
            elif isinstance(b, Signatures):
                parts += list(b.labels)
        return "\n".join(p for p in parts if p)


__all__ = ["Block", "Column", "Fields", "ItemRow", "Items", "Note", "PrintDoc", "Shop", "Signatures", "Table",
           "Total", "Totals"]
