"""A terminal bar chart of actual against target, one line per period (Rich text).

``render_bars(rows, width=76)`` draws rows of ``(label, actual, target)``
(Decimals) on one scale — readable without colour, each cell says what it is:

* ``█`` actual up to the target,
* ``▓`` actual above the target,
* ``░`` target not reached yet,

followed by the figures and the percentage achieved::

    Month   0 ──────────────────────── 1,200.00   Actual / Target        %
    Jan     ██████████░░░░░░░░                     600.00 / 1,000.00    60%
    Feb     ████████████████████▓▓▓              1,200.00 / 1,000.00   120%
    Mar                                               0.00 / —            —

``BarChart`` is a ``Static`` that shows such a chart (``show(rows)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text
from textual.widgets import Static

from shopterm.core import money
from shopterm.core.i18n import N_, _

__all__ = ["BarChart", "LEGEND", "bar_cells", "render_bars"]

FULL, OVER, TODO = "█", "▓", "░"
LEGEND = N_("{full} actual  {over} above target  {todo} target not reached")


def legend() -> str:
    return _(LEGEND).format(full=FULL, over=OVER, todo=TODO)


def _cells(value: Decimal, scale: Decimal, width: int) -> int:
    if scale <= 0 or value <= 0:
        return 0
    return int((value * width / scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bar_cells(actual: Decimal, target: Decimal, scale: Decimal, width: int) -> str:
    """The bar of one row: ``width`` characters."""
    a = min(width, _cells(actual, scale, width))
    t = min(width, _cells(target, scale, width))
    if actual > 0 and a == 0:
        a = 1  # something sold shows
    out = []
    for i in range(width):
        if i < min(a, t):
            out.append(FULL)
        elif i < a:
            out.append(OVER)
        elif i < t:
            out.append(TODO)
        else:
            out.append(" ")
    return "".join(out)


def _pct(actual: Decimal, target: Decimal) -> str:
    if target <= 0:
        return "—"
    return f"{(actual * 100 / target).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def render_bars(rows: Sequence[tuple[str, Decimal, Decimal]], width: int = 76, *, label_width: int = 5,
                title: str = "") -> Text:
    """The chart (module docstring)."""
    figures = [(label, money.format_amount(a), money.format_amount(t) if t > 0 else "—", _pct(a, t))
               for label, a, t in rows]
    head = _("Actual / Target")
    fig_w = max([len(f"{a} / {t}") for _l, a, t, _p in figures] + [len(head)])
    pct_w = max([len(p) for *_, p in figures] + [4])
    bar_w = max(8, width - label_width - 1 - 1 - fig_w - 1 - pct_w)
    scale = max([max(a, t) for _, a, t in rows] + [Decimal(0)])
    text = Text(no_wrap=True, overflow="crop")
    if title:
        text.append(title + "\n", style="bold")
    axis = f"0 … {money.format_amount(scale)}" if scale > 0 else _("no target, no sales")
    text.append(f"{'':<{label_width}} {axis[:bar_w]:<{bar_w}} {head:>{fig_w}} {'%':>{pct_w}}\n",
                style="bold")
    for (label, actual, target), (_label, a, t, p) in zip(rows, figures):
        text.append(f"{label[:label_width]:<{label_width}} ")
        text.append(bar_cells(actual, target, scale, bar_w))
        text.append(f" {f'{a} / {t}':>{fig_w}} {p:>{pct_w}}\n")
    text.append(legend(), style="dim")
    return text


class BarChart(Static):
    """Shows :func:`render_bars` of the rows given to :meth:`show`."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.rows: list[tuple[str, Decimal, Decimal]] = []

    def show(self, rows: Sequence[tuple[str, Decimal, Decimal]], *, title: str = "") -> None:
        self.rows = list(rows)
        width = max(40, (self.size.width or 76))
        self.update(render_bars(self.rows, width, title=title))
