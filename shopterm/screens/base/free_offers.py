"""The Free Offers tab of the sales documents (invoice, order, provisional invoice): the
promotion's free lines as a fixed-width table."""

from __future__ import annotations

from decimal import Decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopterm.services.schemes.promotions import FreeLine

from rich.text import Text

from shopterm.core.i18n import N_, _
from shopterm.widgets.totals_footer import fmt_qty

__all__ = ["FreeRow", "free_offers_text"]


def free_offers_text(lines: Iterable[FreeLine | FreeRow], hints: Iterable[str] = (), *,
                     empty: str = N_("No free offer for these lines.")) -> Text:
    """The Free Offers tab: one row per free line (paid line, item, name, free qty, scheme).
    ``empty`` is marked with N_ by the caller and shown translated."""
    text = Text(no_wrap=True, overflow="ellipsis")
    line_h, item_h, name_h, paid_h, free_h = _("Line"), _("Item"), _("Name"), _("Paid"), _("Free")
    text.append(f"{line_h:<5}{item_h:<10}{name_h:<30}{paid_h:>8}{free_h:>8}  " + _("Scheme") + "\n", style="bold")
    rows = list(lines or ())
    for f in rows:
        name = str(getattr(f, "name", "") or "")
        if len(name) > 29:
            name = name[:28] + "…"
        paid = getattr(f, "paid_qty", None)
        text.append(f"{str(getattr(f, 'line', '') or ''):<5}{str(f.item):<10}{name:<30}"
                    f"{fmt_qty(paid) if paid is not None else '':>8}{fmt_qty(f.qty):>8}  "
                    f"{getattr(f, 'scheme_no', '') or ''}\n")
    if not rows:
        text.append(_(empty) + "\n", style="italic")
    for hint in hints or ():
        text.append(f"{hint}\n", style="dim")
    return text


class FreeRow:
    """A posted document's free line as the tab shows it."""

    __slots__ = ("line", "item", "name", "paid_qty", "qty", "scheme_no")

    def __init__(self, line: int, item: str, name: str, paid_qty: Decimal | None, qty: Decimal, scheme_no: str) -> None:

        self.line, self.item, self.name, self.paid_qty, self.qty, self.scheme_no = (
            line, item, name, paid_qty, qty, scheme_no)
