"""The item grid of sales documents: type lines fast, see every figure at once.

Reusable by the invoice, orders, provisional invoices and returns: the columns
are given per document type (:data:`SALES_COLUMNS` is the invoice's). At 80
columns the grid shows the essential ones (S No, Item, Batch, Qty, Price,
Disc %, Flat, Net) and a two-line *detail strip* under the rows shows the rest
of the focused line (name, unit, pack size, current/reserved stock, batch
stock and expiry, price USD, gross, discount amount, flat share, tax)::

     #  Item          Batch     Qty       Price      Disc%  Flat     Net
     1  PARA500       B002      10        2.50       10     0        22.50
     2  ▏
    Paracetamol 500 mg (box 100) · BOX×100 · stock 600 res 0 · B002 100 exp 2027-01-31
    Price $ 2.50 · Gross 25.00 · Disc 2.50 · Flat share 1.12 · Tax 16% 3.42

Typing
------
* Item: a code, a barcode or part of a name. Leaving the cell (Enter, Tab,
  arrows) resolves it: only the exact code or barcode picks the item (never
  the only match of a name or a digit), else the F2
  :class:`~shopterm.widgets.lookup.LookupDialog` opens pre-filtered. The line's
  defaults (unit, pack size, stocks, FEFO batch, batch stock, price, price
  USD) are then loaded in a worker with :attr:`ItemGrid.line_defaults`.
* Enter/Tab go to the next cell (Enter on the item goes straight to Qty: the
  batch is chosen first-expiry-first; Tab or Shift+Tab reaches it); from the
  last cell to the next row. With :attr:`ItemGrid.enter_ends_line` (the
  counter flow, DESIGN §12) Enter in Qty, Price, Disc % or Flat ends the line:
  the next row's item cell takes the focus; Tab still walks every cell, and
  ``%`` typed in Qty or Price jumps to Disc % (``2%10``: 2 at 10 %).
* ``3*CODE`` (quantity first) in the item cell sets the quantity and, on
  Enter, ends the line. A barcode (only digits, 8 or more: EAN-8/13, UPC-A)
  + Enter is a scan: the line gets quantity 1 (unless ``N*`` came first) and
  the next row takes the focus, so a scanner's bursts add line after line. Shift+Tab goes back; ↑/↓ change row. There is
  always one blank row at the end, so keys typed ahead land in it.
* F2 on the batch cell lists the item's batches with their stock and expiry.
* Ctrl+Del or F8 (the host screen's ``action_delete_row``) deletes the row.

Keystroke path
--------------
A keystroke in a number cell parses that cell (``core.money``), updates the
line in memory and posts :class:`ItemGrid.LinesChanged`. No database call:
the host computes the totals with ``core.totals`` from
:meth:`ItemGrid.line_inputs` and hands them back with
:meth:`ItemGrid.show_totals`, which repaints only the figures whose text
changed (the Net cell of the line and the detail strip). Rows are never
rebuilt per keystroke.

Bad input (letters in Qty, a negative number, too many decimals) is reported
when the cell is left (``ShopInput.Invalid`` → the screen's message bar, e.g.
``Qty (line 2): 'abc' is not a number``); what was typed stays, and Enter on
a bad cell keeps the focus there.

Hosting
-------
A screen that hosts a grid mixes in :class:`ItemGridHost` *before* its base
screen class (it routes the priority Enter/Tab/Shift+Tab keys of
``FormNavigation`` into the grid, and shows :class:`ItemGrid.Failed`).
Attributes down: ``line_defaults``, ``location``, ``date`` (a posted
document's lines: ``set_lines(lines, read_only=True)``); messages up:
``LinesChanged``, ``Failed``.

The package
-----------
``cells`` (columns, a line's state, the Input cells, a row), ``grid``
(:class:`ItemGrid`: rows, typing, item resolution, navigation, figures),
``detail`` (the two-line strip under the rows) and ``host`` (the screen
mixin). Everything is imported from here: ``from shopterm.widgets.item_grid
import ItemGrid``. The grid imports no service: the host gives it its
loaders (``line_defaults``, ``item_search``…) and it hands back
``core.draft_line.DraftLine``.
"""

from __future__ import annotations

from shopterm.widgets.item_grid.cells import (
    BARCODE_SCAN, INFO_QTY_KEYS, LINE_END_KEYS, NUMBER_KEYS, QTY_FIRST, SALES_COLUMNS, SPARE_IDLE, SPARE_POOL,
    SPARE_ROWS, BatchCell, CodeCell, DateCell, GridColumn, GridLine, GridRow, ItemCell, MoneyCell, PctCell, QtyCell,
    TextCell, effective_text, pending_text, split_qty_first,
)
from shopterm.widgets.item_grid.detail import (
    DETAIL_WIDTH, detail_bottom, detail_top, info_value,
)
from shopterm.widgets.item_grid.grid import ItemGrid
from shopterm.widgets.item_grid.host import ItemGridHost

__all__ = [
    "BARCODE_SCAN", "INFO_QTY_KEYS", "LINE_END_KEYS", "NUMBER_KEYS", "QTY_FIRST", "SALES_COLUMNS", "SPARE_IDLE",
    "SPARE_POOL", "SPARE_ROWS", "BatchCell", "CodeCell", "DateCell", "GridColumn", "GridLine", "GridRow", "ItemCell",
    "MoneyCell", "PctCell", "QtyCell", "TextCell", "effective_text", "pending_text", "split_qty_first", "DETAIL_WIDTH",
    "detail_bottom", "detail_top", "info_value", "ItemGrid", "ItemGridHost",
]
