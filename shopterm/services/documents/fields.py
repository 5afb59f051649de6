"""A sales document given as JSON (``shopterm post``): the header and lines read
strictly into a :class:`~.drafts.DocumentDraft`, and the totals written back."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...core.money import Currency
from ..headless import Fields
from .drafts import DocumentDraft, DraftLine

if TYPE_CHECKING:
    from ...core.totals import DocumentTotals

    from ..context import Actor
    from .views import StoredTotals

USD = Currency.USD
SALES_TYPES = ("cash", "credit")
FLAT_TYPES = ("percent", "amount")

HEADER_FIELDS = ["location", "date", "customer", "sales_type", "currency", "rate", "sales_person", "contact_no",
                 "additional_price_pct", "agent_commission", "free_offer", "print_usd", "tax_exempt",
                 "flat_discount", "narration", "order", "invoice_type", "lines", "redemption_points"]
LINE_FIELDS = ["batch", "price", "discount_pct", "flat_discount"]


def draft_from_fields(f: Fields, doc_type: str) -> DocumentDraft:
    """A :class:`DocumentDraft` from a headless document (strictly parsed; omitted fields take defaults)."""
    flat = f.obj("flat_discount", required=["type"], optional=["value"])
    flat_type = flat_value = None
    if flat is not None:
        flat_type = flat.choice("type", FLAT_TYPES)
        flat_value = (flat.pct("value") if flat_type == "percent" else flat.amount("value"))
    lines = []
    for lf in f.list("lines", required=["item", "qty"], optional=LINE_FIELDS, min_items=0 if "order" in f else 1):
        lines.append(DraftLine(item=lf.str("item"), batch=lf.str("batch"), qty=lf.qty("qty"), price=lf.amount("price"),
                               discount_pct=lf.pct("discount_pct"),  # omitted: the customer's default
                               flat_discount=lf.amount("flat_discount", Decimal(0))))
    currency = f.currency("currency", USD)
    return DocumentDraft(
        location=f.str("location"), doc_type=doc_type, date=f.date("date"), customer=f.str("customer") or "",
        sales_type=f.choice("sales_type", SALES_TYPES), currency=currency.value, rate=f.rate("rate"),
        sales_person=f.str("sales_person"), contact_no=f.str("contact_no", "") or "",
        additional_price_pct=f.pct("additional_price_pct", Decimal(0)),
        agent_commission=f.bool("agent_commission"), free_offer=f.bool("free_offer"), print_usd=f.bool("print_usd"),
        tax_exempt=f.bool("tax_exempt"), flat_discount_type=flat_type, flat_discount_value=flat_value,
        narration=f.str("narration", "") or "", order=f.str("order"),
        invoice_type=f.str("invoice_type", "DIRECT") or "DIRECT", lines=lines,
        approver=f.approver, approver_pin=f.approver_pin, redemption_points=f.int("redemption_points", 0),
    )


def totals_out(t: DocumentTotals | StoredTotals, currency: str) -> dict:
    return {
        "currency": currency, "total_qty": t.total_qty, "gross": t.total_gross, "discount": t.total_discount,
        "subtotal": t.subtotal, "flat_discount": t.flat_amount, "tax": t.tax, "net": t.net, "net_usd": t.net_usd,
        "net_cdf": t.net_cdf, "round_off_cdf": t.round_off_cdf, "receivable": t.receivable,
        "receivable_usd": t.receivable_usd, "payable": t.payable, "payable_usd": t.payable_usd,
        "payable_cdf": t.payable_cdf,
    }


def draft_reply(service: Any, actor: "Actor", draft: DocumentDraft) -> dict:
    """The reply to a document sent with ``"draft": true``: saved as a draft (nothing posted) by ``service``
    (its ``save_draft`` and ``preview``), with its id, totals and warnings."""
    draft_id = service.save_draft(actor, draft)
    p = service.preview(draft, actor)
    return {"number": None, "draft_id": draft_id, "totals": totals_out(p.totals, draft.currency),
            "warnings": p.warnings}
