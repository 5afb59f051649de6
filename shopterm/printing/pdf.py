"""The A4 layout (fpdf2, core Helvetica font).

The core fonts carry Windows-1252 (Latin-1 plus the dashes, quotes and the euro
sign), so "Impôt", "Pharmacie du Fleuve" and "DUPLICATE — RE-PRINT 2" print
as typed; anything outside it becomes "?" rather than an error. No emoji, no
embedded font files: the PDF stays small and opens anywhere.
"""

from __future__ import annotations

from typing import Any

from ..core.i18n import _
from .model import Fields, Items, Note, PrintDoc, Signatures, Table, Totals

ENCODING = "windows-1252"
FONT = "Helvetica"


def _t(text: Any) -> str:
    """Text the core font can show (Windows-1252: é, à, ç and U+00A0, the French group mark, are in it);
    other characters become '?'. A narrow no-break space becomes U+00A0."""
    s = str(text).replace("\u2212", "-").replace("\u202f", "\u00a0")
    return s.encode(ENCODING, "replace").decode(ENCODING)


def _new_pdf(doc: PrintDoc):
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(14, 12, 14)
    pdf.set_creator("shopterm")
    pdf.set_title(_t(f"{doc.title} {doc.number}".strip()))
    return pdf


def _letterhead(pdf, doc: PrintDoc) -> None:
    shop = doc.shop
    pdf.set_font(FONT, style="B", size=16)
    pdf.cell(0, 8, _t(shop.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    if shop.address:
        pdf.multi_cell(0, 4.5, _t(shop.address), new_x="LMARGIN", new_y="NEXT")
    ids = shop.id_lines()
    if ids:
        pdf.cell(0, 4.5, _t("     ".join(ids)), new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 1.5
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.set_y(y + 2.5)


def _title(pdf, doc: PrintDoc) -> None:
    pdf.set_font(FONT, style="B", size=15)
    pdf.cell(0, 8, _t(doc.title.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.subtitle:
        pdf.set_font(FONT, size=10)
        pdf.cell(0, 5, _t(doc.subtitle), align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.number:
        pdf.set_font(FONT, style="B", size=11)
        pdf.cell(0, 6, _t(_("No {number}").format(number=doc.number)), align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.mark:
        _mark(pdf, doc.mark)
    pdf.ln(2)


def _mark(pdf, mark: str) -> None:
    pdf.ln(1)
    pdf.set_font(FONT, style="B", size=12)
    w = min(pdf.get_string_width(_t(mark)) + 12, pdf.epw)
    pdf.set_x(pdf.l_margin + (pdf.epw - w) / 2)
    pdf.cell(w, 8, _t(mark), border=1, align="C", new_x="LMARGIN", new_y="NEXT")


def _block_title(pdf, title: str) -> None:
    if title:
        pdf.set_font(FONT, style="B", size=9.5)
        pdf.cell(0, 5.5, _t(title.upper()), new_x="LMARGIN", new_y="NEXT")


def _fields_at(pdf, b: Fields, x: float, y: float, w: float) -> float:
    """A label/value block at (x, y), ``w`` wide; returns the y below it."""
    if b.title:
        pdf.set_xy(x, y)
        pdf.set_font(FONT, style="B", size=9.5)
        pdf.cell(w, 5.5, _t(b.title.upper()))
        y += 5.5
    pdf.set_font(FONT, style="B", size=9)
    lw = min(max((pdf.get_string_width(_t(k)) for k, _ in b.rows), default=0) + 4, w * 0.45)
    for label, value in b.rows:
        pdf.set_xy(x, y)
        pdf.set_font(FONT, style="B", size=9)
        pdf.multi_cell(lw, 4.6, _t(label), new_x="RIGHT", new_y="TOP")
        label_end = pdf.get_y()
        pdf.set_xy(x + lw, y)
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(w - lw, 4.6, _t(value or ""), new_x="LMARGIN", new_y="NEXT")
        y = max(pdf.get_y(), label_end + 4.6 if label_end > y else y + 4.6)
    return y


def _fields(pdf, b: Fields, right: Fields | None = None) -> None:
    y = pdf.get_y()
    if right is None:
        end = _fields_at(pdf, b, pdf.l_margin, y, pdf.epw)
    else:
        half = (pdf.epw - 8) / 2
        end = max(_fields_at(pdf, b, pdf.l_margin, y, half),
                  _fields_at(pdf, right, pdf.l_margin + half + 8, y, half))
    pdf.set_xy(pdf.l_margin, end)


def _table(pdf, heads: list[str], rows: list[list[str]], weights: list[float], aligns: list[str], *,
           strong: tuple[int, ...] = (), width: float | None = None, align: str = "CENTER",
           font_size: float = 8.5, headings: bool = True, borders: str = "HORIZONTAL_LINES") -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(FONT, size=font_size)
    kw: dict[str, Any] = {}
    if width is not None:
        kw["width"] = width
        kw["align"] = align
    with pdf.table(col_widths=tuple(weights), text_align=tuple(aligns), first_row_as_headings=headings,
                   line_height=font_size * 0.52, headings_style=FontFace(emphasis="BOLD"),
                   borders_layout=borders, **kw) as table:
        if headings:
            table.row([_t(h) for h in heads])
        for i, row in enumerate(rows):
            table.row([_t(c) for c in row], style=FontFace(emphasis="BOLD") if i in strong else None)


def _items(pdf, b: Items) -> None:
    _block_title(pdf, b.title)
    heads = [b.description_title] + [c.title for c in b.columns]
    weights = [4.2] + [max(c.weight, 0.5) * 1.5 for c in b.columns]
    aligns = ["LEFT"] + ["RIGHT" if c.align == "right" else "LEFT" for c in b.columns]
    rows = [[r.description + (f"\n{r.detail}" if r.detail else "")] + list(r.cells) for r in b.rows]
    _table(pdf, heads, rows, weights, aligns)


def _grid(pdf, b: Table) -> None:
    _block_title(pdf, b.title)
    heads = [c.title for c in b.columns]
    weights = [max(c.weight, 0.5) * (2.5 if i == 0 else 1.5) for i, c in enumerate(b.columns)]
    aligns = ["LEFT"] + ["RIGHT" if c.align == "right" else "LEFT" for c in b.columns[1:]]
    width = min(pdf.epw, 40 + 32 * (len(b.columns) - 1))
    _table(pdf, heads, [list(r) for r in b.rows], weights, aligns, strong=b.strong_rows, width=width,
           align="LEFT")


def _totals(pdf, b: Totals) -> None:
    if b.title:
        pdf.set_font(FONT, style="B", size=9.5)
        pdf.set_x(pdf.l_margin + pdf.epw * 0.45)
        pdf.cell(pdf.epw * 0.55, 5.5, _t(b.title.upper()), new_x="LMARGIN", new_y="NEXT")
    strong = tuple(i for i, t in enumerate(b.rows) if t.strong)
    _table(pdf, [], [[t.label, t.value] for t in b.rows], [3, 2], ["LEFT", "RIGHT"], strong=strong,
           width=pdf.epw * 0.55, align="RIGHT", font_size=9, headings=False, borders="NONE")


def _note(pdf, b: Note) -> None:
    _block_title(pdf, b.title)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 4.6, _t(b.text), new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf, b: Signatures) -> None:
    n = max(len(b.labels), 1)
    gap = 10
    w = min((pdf.epw - gap * (n - 1)) / n, pdf.epw * 0.45)
    if pdf.get_y() + 22 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(14)
    y = pdf.get_y()
    pdf.set_font(FONT, size=9)
    for i, label in enumerate(b.labels):
        x = pdf.l_margin + i * (w + gap)
        pdf.line(x, y, x + w, y)
        pdf.set_xy(x, y + 1)
        pdf.multi_cell(w, 4.5, _t(label), align="C", new_x="RIGHT", new_y="TOP")
    pdf.set_xy(pdf.l_margin, y + 10)


def render_pdf(doc: PrintDoc) -> bytes:
    """The document on A4 paper, as PDF bytes."""
    pdf = _new_pdf(doc)
    pdf.add_page()
    _letterhead(pdf, doc)
    _title(pdf, doc)
    blocks = list(doc.blocks)
    i = 0
    while i < len(blocks):
        b = blocks[i]
        pdf.ln(2)
        if isinstance(b, Fields):
            right = blocks[i + 1] if b.pair and i + 1 < len(blocks) and isinstance(blocks[i + 1], Fields) else None
            _fields(pdf, b, right)
            i += 2 if right is not None else 1
            continue
        if isinstance(b, Items):
            _items(pdf, b)
        elif isinstance(b, Table):
            _grid(pdf, b)
        elif isinstance(b, Totals):
            _totals(pdf, b)
        elif isinstance(b, Note):
            _note(pdf, b)
        elif isinstance(b, Signatures):
            _signatures(pdf, b)
        i += 1
    if doc.footer or doc.mark:
        pdf.ln(4)
        pdf.set_font(FONT, style="I", size=8)
        if doc.footer:
            pdf.multi_cell(0, 4, _t(doc.footer), align="C", new_x="LMARGIN", new_y="NEXT")
        if doc.mark:
            pdf.set_font(FONT, style="B", size=9)
            pdf.cell(0, 5, _t(doc.mark), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


__all__ = ["render_pdf"]
