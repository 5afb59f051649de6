"""The detail strip: two lines under the rows with the rest of the focused line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from shopterm.core import i18n, money
from shopterm.core.i18n import N_, _
from shopterm.widgets.item_grid.cells import GridLine
from shopterm.widgets.totals_footer import fmt_amount, fmt_qty

__all__ = ["DETAIL_WIDTH", "detail_bottom", "detail_top", "info_value"]


# ---------------------------------------------------------------- the detail strip


def _batch_info(line: GridLine) -> tuple[Decimal | None, dt.date | None]:
    d = line.defaults
    code = line.text("batch").strip().upper()
    if d is None or not code:
        return None, None
    if code == (d.batch or ""):
        return d.batch_stock, d.batch_expiry
    for b in getattr(d, "batches", ()) or ():
        if b.code.upper() == code:
            return b.qty, b.expiry
    return Decimal(0), None


def info_value(line: GridLine, key: str) -> Any:
    """An ``info`` column's value: ``line.info[key]`` when the host gave it, else from the
    line's defaults (``available_stock`` = current − reserved, ``current_stock``,
    ``reserved_stock``, ``batch_stock`` of the batch shown, ``price_usd``), else from a
    posted line's view; None (blank) when unknown."""
    if key in line.info:
        return line.info[key]
    d = line.defaults
    if d is not None:
        if key == "available_stock":
            free = getattr(d, "available_stock", None)
            return free if free is not None else d.current_stock - d.reserved_stock
        if key == "batch_stock":
            return _batch_info(line)[0]
        if hasattr(d, key):
            return getattr(d, key)
    if line.view is not None:
        return getattr(line.view, key, None)
    return None


def detail_top(line: GridLine, number: int, on: dt.date | None = None) -> str:
    """Line 1 of the strip: name · unit × pack · stock · batch stock and expiry."""
    v = line.view
    if v is not None:
        exp = " " + _("exp {date}").format(date=i18n.format_date(v.batch_expiry)) if v.batch_expiry else ""
        return _("{number}: {name}").format(number=number, name=v.name) + f" · {v.unit} · " + _("batch {batch}").format(batch=v.batch or "-") + exp
    d = line.defaults
    if d is None:
        if line.resolving:
            return _("{number}: looking up {text!r}…").format(number=number, text=line.resolving)
        return _("{number}: code, barcode or name, Enter · 3*CODE qty first · Qty % → Disc · F2 list").format(
            number=number)
    parts = [_("{number}: {name}").format(number=number, name=d.name), f"{d.unit}×{fmt_qty(d.pack_size)}",
             _("stock {stock} res {reserved}").format(stock=fmt_qty(d.current_stock),
                                                     reserved=fmt_qty(d.reserved_stock))]
    code = line.text("batch").strip().upper()
    stock, expiry = _batch_info(line)
    if code:
        exp = " " + _("exp {date}").format(date=i18n.format_date(expiry)) if expiry else ""
        flag = " " + _("EXPIRED") if expiry is not None and on is not None and expiry < on else ""
        parts.append(f"{code} {fmt_qty(stock)}{exp}{flag}" if stock is not None else code)
    else:
        parts.append(_("no batch in stock"))
    return _fit_name(parts, DETAIL_WIDTH)


def detail_bottom(line: GridLine, asked: tuple[Any, Any] | None = None) -> str:
    """Line 2: price USD · gross · discount · flat share · tax (and a stock warning: the batch's, or
    the stock available after other documents' reservations, ``available_stock`` of the defaults).
    ``asked``: what the document asks of the line's item and of its batch over all its lines (the
    host's rule, :attr:`ItemGrid.asked_together`); None: this line's quantity alone."""
    v = line.view
    if v is not None:
        price, gross, disc, share, tax = _("Price $"), _("Gross"), _("Disc"), _("Flat share"), _("Tax")
        return _fit_short([f"{price} {fmt_amount(v.price_usd)}", f"{gross} {fmt_amount(v.gross)}",
                           f"{disc} {fmt_amount(v.discount_amount)}", f"{share} {fmt_amount(v.flat_share)}",
                           f"{tax} {fmt_qty(v.tax_rate)}% {fmt_amount(v.tax_amount)}"], DETAIL_WIDTH)
    d = line.defaults
    if d is None:
        return ""
    usd = line.values.get("price")
    price_usd = d.price_usd if line.price_from_list else None
    if price_usd is None and usd is not None and d.price is not None and d.price_usd is not None and d.price:
        price_usd = money.q2(usd * d.price_usd / d.price)
    lt = line.totals
    price, gross, disc, share, tax = _("Price $"), _("Gross"), _("Disc"), _("Flat share"), _("Tax")
    parts = [f"{price} {fmt_amount(price_usd) if price_usd is not None else '-'}"]
    if lt is not None:
        parts += [f"{gross} {fmt_amount(lt.gross)}", f"{disc} {fmt_amount(lt.discount_amount)}",
                  f"{share} {fmt_amount(lt.flat_share)}", f"{tax} {fmt_qty(d.tax_rate)}% {fmt_amount(lt.tax)}"]
    else:
        parts.append(f"{tax} {fmt_qty(d.tax_rate)}%")
    qty = line.values.get("qty")
    stock, _expiry = _batch_info(line)
    free = getattr(d, "available_stock", None)  # after the reservations, when the host takes stock
    # first: the warning is never cut; of the batch and the item's available stock, the tighter
    of_item, of_batch = asked if asked is not None else (qty, qty)
    of_item = qty if of_item is None else of_item
    of_batch = qty if of_batch is None else of_batch
    if qty is not None and free is not None and of_item > free and (stock is None or free < stock or of_batch <= stock):
        parts.insert(0, _("only {qty} available").format(qty=fmt_qty(free)))
    elif qty is not None and stock is not None and of_batch > stock:
        parts.insert(0, _("only {qty} in batch").format(qty=fmt_qty(stock)))
    return _fit_short(parts, DETAIL_WIDTH)


#: The detail strip's width: the screen's 80 columns less its border and padding.
DETAIL_WIDTH = 78

#: Shorter labels for the detail strip when the whole line does not fit.
_SHORT = ((N_("Flat share"), N_("Flat")), (N_("Price $"), "$"), (N_("Gross"), N_("Gr")))


def _fit_name(parts: list[str], width: int) -> str:
    """Join; when too long, the item name (part 0, after ``N: ``) gives way with an ellipsis."""
    text = " · ".join(parts)
    over = len(text) - width
    if over > 0:
        head = parts[0]
        keep = max(len(head) - over - 1, min(len(head), 12))
        parts = [head[:keep] + "…", *parts[1:]]
        text = " · ".join(parts)
    return text[:width]


def _fit_short(parts: list[str], width: int) -> str:
    """Join; when too long: the short labels, then no zero discounts, then a tighter
    separator (the warning and the tax always stay whole)."""
    text = " · ".join(parts)
    for long, short in _SHORT:
        if len(text) <= width:
            return text
        parts = [p.replace(_(long) + " ", _(short) + " ") for p in parts]
        text = " · ".join(parts)
    if len(text) > width:
        zero = " " + money.format_amount(Decimal(0))
        parts = [p for p in parts if not (p.startswith((_("Disc") + " ", _("Flat") + " ")) and p.endswith(zero))]
        text = " · ".join(parts)
    if len(text) > width:
        text = "·".join(parts)
    return text[:width]
