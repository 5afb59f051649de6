"""Printed documents: factures, receipts, delivery notes, vouchers, the shop close summary.

- :mod:`.model` — :class:`PrintDoc`, the neutral structure (letterhead, title, blocks);
- :mod:`.documents` — builders from a gathered posted document to a PrintDoc (no I/O);
- :mod:`.text` — the 48-column layout (80 mm thermal printer);
- :mod:`.pdf` — the A4 layout (fpdf2, core font).

:class:`shopterm.services.printing.PrintService` gathers the data, picks the
layout, writes the file or runs the print command, counts and audits prints.
"""

from typing import Any

__all__ = ["PrintDoc"]


def __getattr__(name: str) -> Any:
    """``PrintDoc`` from :mod:`.model` when first asked for: a report (``shopterm ledger balances``,
    :mod:`.reports`) renders without the documents' eleven dataclasses (~8 ms of CPU)."""
    if name == "PrintDoc":
        from .model import PrintDoc

        return PrintDoc
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
