"""Free offers inside documents: the Sales Promotion master applied to a draft (DESIGN §9,
seed: Sales Promotion, "Free Offers tab", Error Reference "Free offer not applying").

For a customer whose "Free offer Applicable?" flag is set, each item of the
document with an active promotion scheme at the location on the document date
(:func:`pricing.promotion_for`) gets a free line: the quantity of the range
holding the item's total quantity on the document (ranges inclusive at both
ends; outside every range, nothing). Free lines are priced 0 and take no part
in the totals. The grid shows them on the Free Offers tab as lines change
(``Preview.free_lines``).

Posting (by the document that moves the stock):

- sales invoice: the free goods leave stock with the invoice (kind ``free``,
  the batch that expires first) and their cost is posted Dr the scheme's
  expense account (default 6200 Promotion), with its cost centre / Cr 1300;
- order / proforma: recorded (and reserved) with the order, no batch;
- provisional invoice: recorded with the invoice, no batch; the delivery note
  that delivers them posts the stock (kind ``free``) and the cost as above.

A customer without the flag gets no free lines, only the hint "Free offer not
applying" while one of its items has a scheme.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Sequence

from sqlmodel import Session

from shopterm.core import narration as nt
from shopterm.core.i18n import N_, _
from ...core.journal import INVENTORY, PROMOTION, JLine, credit, debit
from ...core.money import format_qty, q2
from ...store.models import Batch, Customer, DocumentLine, Item, Location
from ..documents.drafts import DocumentDraft, DraftLine
from ..errors import InsufficientStock, ShopError
from .pricing import items_with_promotion, promotion_for
from ..stock import default_batch

if TYPE_CHECKING:
    from .. import Services

Z = Decimal("0.00")
ZQ = Decimal("0.000")


@dataclass(slots=True)
class FreeGood:
    """A free line being built: the paid line (1-based grid row) it comes with, the goods and the scheme."""

    n: int
    item: Item
    batch: Batch | None
    qty: Decimal
    paid_qty: Decimal
    unit_cost: Decimal
    scheme_no: str
    account: str
    cost_centre: str | None

    @property
    def cost_usd(self) -> Decimal:
        return q2(self.qty * self.unit_cost)

    def view(self) -> "FreeLine":
        return FreeLine(self.n, self.item.code, self.item.name, self.item.unit,
                        self.batch.code if self.batch else None, self.batch.expiry if self.batch else None,
                        self.qty, self.paid_qty, self.scheme_no, self.unit_cost, self.cost_usd)


@dataclass(frozen=True, slots=True)
class FreeLine:
    """One row of the Free Offers tab."""

    line: int  # the (first) paid line of the item
    item: str
    name: str
    unit: str
    batch: str | None  # None on orders and provisional invoices (no stock moves yet)
    batch_expiry: dt.date | None
    qty: Decimal
    paid_qty: Decimal  # the item's quantity on the document, which the range is read with
    scheme_no: str
    unit_cost_usd: Decimal
    cost_usd: Decimal


def not_applying_hint(customer: Customer, scheme_no: str, item_code: str) -> str:
    return _("Free offer not applying: customer {code} has \"Free offer Applicable?\" not checked "
             "(scheme {scheme} on {item}) — check the customer master flag").format(
        code=customer.code, scheme=scheme_no, item=item_code)


NO_SCHEME_HINT = N_("Free offer not applying: no active Sales Promotion for these items — verify the Sales Promotion "
                  "scheme is active")


def free_goods(session: Session, *, customer: Customer | None, location: Location, date: dt.date,
               lines: Sequence[Any], moves_stock: bool, rule: Callable[[ShopError], None],
               ticked: bool = False) -> tuple[list[FreeGood], list[str]]:
    """The free goods of a document's paid lines (objects with ``n``, ``item``, ``qty``) and the hints.

    ``moves_stock``: pick the first-expiry batch (the invoice posts the stock);
    no stock for it goes through ``rule``. ``ticked``: the document's "Free
    offer?" box, for the hint when no item has a scheme.
    """
    per_item: OrderedDict[int, list] = OrderedDict()
    for l in lines:
        if l.item is None or l.qty is None:
            continue
        entry = per_item.setdefault(l.item.id, [l.n, l.item, ZQ])
        entry[2] += l.qty
    out: list[FreeGood] = []
    hints: list[str] = []
    any_scheme = False
    with_scheme = items_with_promotion(session, per_item, location.id, date)
    for n, item, qty in per_item.values():
        if item.id not in with_scheme:
            continue
        promo = promotion_for(session, item.id, location.id, date)
        if promo is None:
            continue
        any_scheme = True
        if customer is None:
            continue
        if not customer.free_offer:
            hints.append(not_applying_hint(customer, promo.scheme_no, item.code))
            continue
        free = promo.free_qty(qty)
        if free <= 0:
            continue
        batch = None
        if moves_stock:
            fefo = default_batch(session, item.id, location.id, date)
            if fefo is None:
                rule(InsufficientStock("Line {n}: no stock of {code} at {location} for the free offer ({free} free): receive it first", field="batch", line=n,
                    params={"n": n, "code": item.code, "location": location.code, "free": format_qty(free)}))
            else:
                batch = session.get(Batch, fefo.batch_id)
        unit_cost = batch.cost_usd if batch is not None else item.cost_usd
        out.append(FreeGood(n, item, batch, free, qty, unit_cost, promo.scheme_no,
                            promo.expense_account or PROMOTION, promo.cost_centre))
    if ticked and customer is not None and customer.free_offer and per_item and not any_scheme:
        hints.append(_(NO_SCHEME_HINT))
    return out, hints


def cost_journal(account: str, cost_centre: str | None, cost_usd: Decimal, memo: str) -> list[JLine]:
    """Dr the promotion expense (with its cost centre) / Cr Inventory at cost."""
    if cost_usd == 0:
        return []
    return [debit(account or PROMOTION, cost_usd, cost_centre=cost_centre, memo=memo),
            credit(INVENTORY, cost_usd, memo=memo)]


def free_goods_journal(free: Sequence[FreeGood]) -> list[JLine]:
    out: list[JLine] = []
    for f in free:
        out += cost_journal(f.account, f.cost_centre, f.cost_usd, nt.stored(nt.FREE_OFFER, scheme=f.scheme_no, item=f.item.code))
    return out


def free_line_rows(free: Sequence[FreeGood], start: int) -> list[DocumentLine]:
    """The document lines of the free goods (``is_free``, price 0), numbered from ``start``."""
    return [
        DocumentLine(line_no=start + j, item_id=f.item.id, batch_id=f.batch.id if f.batch else None,
                     unit=f.item.unit, qty=f.qty, is_free=True, price=Z, price_usd=Z, gross=Z, line_net=Z,
                     tax_rate=Decimal(0), unit_cost_usd=f.unit_cost,
                     extra={"scheme": f.scheme_no, "account": f.account, "cost_centre": f.cost_centre,
                            "paid_line": f.n, "paid_qty": str(f.paid_qty)})
        for j, f in enumerate(free)
    ]


class PromotionsService:
    """``services.promotions``: the Free Offers tab of a draft."""

    def __init__(self, services: "Services"):
        self.s = services
        self.db = services.db

    def free_lines(self, draft: DocumentDraft) -> list[DraftLine]:
        """The free lines the draft gets as typed (item, batch when stock moves, qty, price 0)."""
        with self.db.read() as session:
            b = self.s.sales.build(session, draft, strict=False)
            return [DraftLine(item=f.item.code, batch=f.batch.code if f.batch else None, qty=f.qty, price=Z)
                    for f in b.free]

    def offers(self, draft: DocumentDraft) -> tuple[list[FreeLine], list[str]]:
        """The Free Offers tab rows and the "Free offer not applying" hints."""
        with self.db.read() as session:
            b = self.s.sales.build(session, draft, strict=False)
            return [f.view() for f in b.free], list(b.hints)


__all__ = [
    "FreeGood",
    "FreeLine",
    "NO_SCHEME_HINT",
    "PromotionsService",
    "cost_journal",
    "free_goods",
    "free_goods_journal",
    "free_line_rows",
    "not_applying_hint",
]
