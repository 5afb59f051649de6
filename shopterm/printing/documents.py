"""Builders: a posted document (as the print service gathered it) → a :class:`PrintDoc`.

No database and no I/O here: :class:`Source` carries everything a builder needs
(the document as :meth:`SalesService.document` shows it, the letterhead, the
customer, related documents). One builder per printed form:

==============  =====================================================================
``facture``     sales invoice (SI), provisional invoice (PI), sales order (SO),
                proforma (PF), sales return (SR), direct return (RD)
``delivery``    delivery note / challan (DN), and "Print Delivery" of an SI or PI
``receipt``     a sales receipt (RC): the invoice it settles plus received/returned/balance
``refund``      a refund (RC, subtype refund)
``shop_entry``  receipt / payment voucher (RP)
``exchange``    currency exchange slip (CE)
``commission``  commission payment voucher (CP)
``payment``     payment on account (CR)
``close``       shop close summary (CL)
``statement``   customer statement (text layout; the A4 one is reports.statement_pdf)
==============  =====================================================================

"Print in USD" (``Source.usd``): every amount in USD. A CDF document's amounts
are converted at its rate, except the figures posted in USD (net, receivable,
payable), which are printed as posted, so the print equals the books to the cent.
Without it, a sales document shows its totals in its own currency and then in the
other one at the document rate.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from ..core.money import format_amount, format_qty, q2
from .model import Column, Fields, ItemRow, Items, Note, PrintDoc, Shop, Signatures, Table, Total, Totals

Z = Decimal("0.00")


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    address: str = ""
    mobile: str = ""
    nrc_no: str = ""
    impot_no: str = ""
    kind: str = ""  # credit | cash


@dataclass(frozen=True, slots=True)
class Payment:
    """A receipt (RC) that settled part of an invoice."""

    number: str
    date: dt.date
    rate: Decimal
    received_usd: Decimal
    received_cdf: Decimal
    returned_usd: Decimal
    returned_cdf: Decimal
    balance_usd: Decimal
    balance_cdf: Decimal


@dataclass(frozen=True, slots=True)
class CommissionLine:
    invoice: str
    date: dt.date | None
    customer: str
    invoice_usd: Decimal
    invoice_cdf: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Source:
    """What the print service gathered for one print."""

    kind: str
    view: Any  # services.sales.DocumentView (or a CloseSummary-bearing view for CL)
    shop: Shop
    usd: bool = False
    mark: str = ""
    footer: str = ""
    customer: Party | None = None
    sales_person: str = ""
    source_number: str = ""  # the document this one points back to (order, PSI, invoice, return)
    source_date: dt.date | None = None
    payments: tuple[Payment, ...] = ()
    invoice: Any = None  # receipt: the invoice's DocumentView
    account: str = ""  # RP particulars, "1900 Head office current account"
    cost_centre: str = ""
    approved_by: str = ""
    commission: tuple[CommissionLine, ...] = ()
    close: Any = None  # services.day.CloseSummary
    raw: dict = field(default_factory=dict)  # header columns DocumentView does not carry
    batches: dict = field(default_factory=dict)  # RD: line_no → (supplier, supplier batch no, mfg date)


# ---------------------------------------------------------------- formatting


def fa(value: Decimal | None) -> str:
    """``1234.5`` → ``1,234.50``; never ``-0.00``."""
    if value is None:
        return ""
    v = q2(Decimal(value))
    return format_amount(v if v != 0 else abs(v))


def fq(value: Decimal) -> str:
    return format_qty(Decimal(value))


def frate(rate: Decimal) -> str:
    """``2850`` → ``2,850.00``; more decimals only when the rate has them."""
    rate = Decimal(rate)
    if rate == rate.quantize(Decimal("0.01")):
        return format_amount(rate.quantize(Decimal("0.01")))
    text = f"{rate.normalize():,f}"
    return text


def fpct(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def fdate(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class Money:
    """Amounts of one document, in its currency or (print in USD) converted to USD."""

    def __init__(self, currency: str, rate: Decimal, usd: bool):
        self.doc = currency
        self.rate = Decimal(rate) if rate else Decimal(1)
        self.usd = bool(usd)
        self.convert = self.usd and currency != "USD"
        self.ccy = "USD" if self.usd else currency
        self.other = None if self.usd else ("CDF" if currency == "USD" else "USD")

    def v(self, amount: Decimal, posted_usd: Decimal | None = None) -> Decimal:
        if not self.convert:
            return Decimal(amount)
        if posted_usd is not None:
            return Decimal(posted_usd)
        return q2(Decimal(amount) / self.rate)

    def s(self, amount: Decimal, posted_usd: Decimal | None = None) -> str:
        return fa(self.v(amount, posted_usd))


# ---------------------------------------------------------------- shared blocks


TITLES = {
    "SI": ("Facture", "Sales invoice"),
    "PI": ("Facture provisoire", "Provisional invoice"),
    "SO": ("Sales order", "Bon de commande"),
    "PF": ("Proforma invoice", "Facture proforma"),
    "SR": ("Sales return", "Credit note / Note de crédit"),
    "RD": ("Sales return (direct)", "Credit note / Note de crédit"),
    "DN": ("Delivery note", "Bon de livraison"),
}


def customer_block(c: Party | None, *, title: str = "Customer") -> Fields:
    if c is None:
        return Fields((("Customer", "-"),), title=title)
    rows = [("Name", c.name), ("Code", c.code)]
    for label, value in (("Address", c.address), ("Tel", c.mobile), ("NRC No", c.nrc_no), ("Impôt No", c.impot_no)):
        if value:
            rows.append((label, value))
    return Fields(tuple(rows), title=title)


def _currency_row(v: Any, m: Money) -> tuple[str, str]:
    if m.convert:
        return ("Amounts in", f"USD (document in {v.currency}, rate {frate(v.rate)})")
    return ("Currency", f"{v.currency}, rate {frate(v.rate)} CDF/USD")


def _doc_fields(src: Source, m: Money, extra_rows: list[tuple[str, str]] = ()) -> Fields:
    v = src.view
    rows: list[tuple[str, str]] = [("Date", fdate(v.date))]
    rows += list(extra_rows)
    rows.append(_currency_row(v, m))
    if src.sales_person:
        rows.append(("Sales person", src.sales_person))
    if v.posted_by:
        rows.append(("Served by", v.posted_by))
    return Fields(tuple(rows), title="Document", pair=True)


def _sale_rows(v: Any, *, with_due: bool = True) -> list[tuple[str, str]]:
    rows = []
    if v.sales_type:
        sale = "Cash sale" if v.sales_type == "cash" else "Credit sale"
        if with_due and v.sales_type == "credit" and v.due_date:
            sale += f", due {fdate(v.due_date)}"
        rows.append(("Sale", sale))
    return rows


ITEM_COLUMNS = (Column("Qty", 7, weight=0.8), Column("Price", 11), Column("Disc", 11), Column("Net", 16, weight=1.2))


def _line_detail(line: Any, *, tax: bool = True, extra: str = "") -> str:
    parts = [line.item or ""]
    if line.unit:
        parts.append(line.unit)
    if line.batch:
        parts.append(f"Batch {line.batch}" + (f" exp {line.batch_expiry:%m/%Y}" if line.batch_expiry else ""))
    if line.discount_pct:
        parts.append(f"Disc {fpct(line.discount_pct)}%")
    if tax and line.tax_rate:
        parts.append(f"VAT {fpct(line.tax_rate)}%")
    if extra:
        parts.append(extra)
    return "  ".join(p for p in parts if p)


def _price(line: Any, m: Money) -> Decimal:
    if m.convert and line.price_usd:
        return line.price_usd
    return m.v(line.price)


def sale_items(v: Any, m: Money, *, tax: bool = True) -> Items:
    rows = []
    for l in v.lines:
        name = l.name + (" (free)" if l.is_free else "")
        disc = l.discount_amount + l.line_flat
        rows.append(ItemRow(name, (fq(l.qty), fa(_price(l, m)), fa(-m.v(disc)) if disc else "", m.s(l.line_net)),
                            _line_detail(l, tax=tax)))
    return Items(ITEM_COLUMNS, tuple(rows), description_title=f"Item (amounts {m.ccy})")


def _tax_label(v: Any) -> str:
    if v.tax_exempt:
        return "VAT (tax exempt)"
    rates = sorted({l.tax_rate for l in v.lines if l.tax_amount})
    return "VAT " + "/".join(f"{fpct(r)}%" for r in rates) if rates else "VAT"


def sale_totals(v: Any, m: Money, *, payable_label: str = "Payable", raw: dict | None = None) -> Totals:
    """The footer of a sales document (DESIGN §4) in the print currency, then (not in USD mode)
    the same in the other currency at the document rate."""
    t = v.totals
    raw = raw or {}
    ccy = m.ccy
    rows = [Total("Total qty", fq(t.total_qty)), Total("Gross amount", m.s(t.total_gross))]
    if t.total_discount:
        rows.append(Total("Line discounts", m.s(-t.total_discount)))
    rows.append(Total("Subtotal", m.s(t.subtotal)))
    if t.flat_amount:
        label = "Flat discount"
        if t.flat_type == "percent" and t.flat_pct:
            label += f" {fpct(t.flat_pct)}%" + (" (slab)" if t.flat_from_slab else "")
        rows.append(Total(label, m.s(-t.flat_amount)))
    rows.append(Total(_tax_label(v), m.s(t.tax)))
    rows.append(Total(f"Net amount {ccy}", m.s(t.net, t.net_usd), strong=True))
    redemption_usd = Decimal(raw.get("redemption_value_usd") or 0)
    if m.usd:
        if t.receivable_usd and t.receivable_usd != t.net_usd and v.currency != "USD":
            rows.append(Total("Round off USD", fa(t.receivable_usd - t.net_usd)))
        if redemption_usd:
            rows.append(Total("Loyalty redemption", fa(-(t.receivable_usd - t.payable_usd))))
        rows.append(Total(f"{payable_label} USD", fa(t.payable_usd), strong=True))
        return Totals(tuple(rows))
    if v.currency == "CDF":
        if t.round_off_cdf:
            rows.append(Total("Round off CDF", fa(t.round_off_cdf)))
        if redemption_usd:
            rows.append(Total("Loyalty redemption", fa(-(t.receivable - t.payable))))
        rows.append(Total(f"{payable_label} CDF", fa(t.payable), strong=True))
        rows.append(Total(f"At {frate(v.rate)} CDF/USD:", ""))
        rows.append(Total("Net amount USD", fa(t.net_usd)))
        rows.append(Total(f"{payable_label} USD", fa(t.payable_usd), strong=True))
    else:
        if redemption_usd:
            rows.append(Total("Loyalty redemption", fa(-(t.receivable - t.payable))))
        rows.append(Total(f"{payable_label} USD", fa(t.payable), strong=True))
        rows.append(Total(f"At {frate(v.rate)} CDF/USD:", ""))
        rows.append(Total("Net amount CDF", fa(t.net_cdf)))
        if t.round_off_cdf:
            rows.append(Total("Round off CDF", fa(t.round_off_cdf)))
        rows.append(Total(f"{payable_label} CDF", fa(t.payable_cdf), strong=True))
    return Totals(tuple(rows))


def _loyalty(raw: dict, *, returned: bool = False) -> Fields | None:
    earned, redeemed = int(raw.get("loyalty_points") or 0), int(raw.get("redemption_points") or 0)
    if not earned and not redeemed:
        return None
    rows = []
    if earned:
        rows.append(("Points reversed" if returned else "Points earned", str(earned)))
    if redeemed:
        rows.append(("Points redeemed", str(redeemed)))
        rows.append(("Redemption value", f"{fa(Decimal(raw.get('redemption_value_usd') or 0))} USD"))
    return Fields(tuple(rows), title="Loyalty")


def _payments_block(payments: tuple[Payment, ...], usd: bool) -> list:
    """Amount paid and change on a cash invoice settled through the Sales Receipt."""
    if not payments:
        return []
    last = payments[-1]
    numbers = ", ".join(p.number for p in payments)
    if usd:
        paid = sum((p.received_usd + q2(p.received_cdf / p.rate) for p in payments), Z)
        change = sum((p.returned_usd + q2(p.returned_cdf / p.rate) for p in payments), Z)
        return [Totals((Total("Amount paid USD", fa(paid), strong=True), Total("Change USD", fa(change)),
                        Total("Balance USD", fa(last.balance_usd))), title=f"Paid ({numbers})")]
    rows = (
        ("Received", fa(sum((p.received_usd for p in payments), Z)), fa(sum((p.received_cdf for p in payments), Z))),
        ("Change", fa(sum((p.returned_usd for p in payments), Z)), fa(sum((p.returned_cdf for p in payments), Z))),
        ("Balance", fa(last.balance_usd), fa(last.balance_cdf)),
    )
    return [Table((Column("", 14), Column("USD", 14), Column("CDF", 18)), rows, title=f"Paid ({numbers})",
                  strong_rows=(0,))]


def _doc(src: Source, title: str, subtitle: str, number: str, blocks: list) -> PrintDoc:
    return PrintDoc(title=title, subtitle=subtitle, number=number or "", shop=src.shop,
                    blocks=tuple(b for b in blocks if b is not None), mark=src.mark, footer=src.footer)


def _note(text: str, title: str = "Narration") -> Note | None:
    text = (text or "").strip()
    return Note(text, title=title) if text else None


# ---------------------------------------------------------------- builders


def facture(src: Source) -> PrintDoc:
    """SI, PI, SO, PF, SR, RD: header, customer, item lines, totals (and payments on a cash invoice)."""
    v = src.view
    m = Money(v.currency, v.rate, src.usd)
    title, subtitle = TITLES.get(v.doc_type, (v.doc_type, ""))
    extra: list[tuple[str, str]] = []
    returns = v.doc_type in ("SR", "RD")
    if v.doc_type in ("SI", "PI"):
        extra += _sale_rows(v)
    if v.order:
        extra.append(("Order/Proforma", v.order))
    if returns:
        if v.doc_type == "SR":
            x = v.extra or {}
            based = {"delivery_note": "Delivery note", "invoice": "Invoice"}.get(v.subtype, v.subtype or "Invoice")
            basis = str(x.get("invoice") or src.source_number or "")
            extra.append(("Return of", f"{based} {basis}".strip()))
            original = str(x.get("original") or src.source_number or "")
            if original and original != basis:
                extra.append(("Invoice No", original))
            if src.source_date:
                extra.append(("Invoice date", fdate(src.source_date)))
        elif src.raw.get("invoice_date"):
            extra.append(("Invoice date", str(src.raw["invoice_date"])))
        if v.sales_type:
            extra.append(("Credit sale", "Yes" if v.sales_type == "credit" else "No"))
    blocks: list = [_doc_fields(src, m, extra), customer_block(src.customer)]
    if returns and v.doc_type == "RD":
        items = sale_items(v, m)
        rows = []
        for l, r in zip(v.lines, items.rows):
            sup = src.batches.get(l.line_no)
            more = ""
            if sup:
                supplier, sbatch, mfg = sup
                more = "  ".join(p for p in (f"Supplier {supplier}" if supplier else "",
                                             f"Supp. batch {sbatch}" if sbatch else "",
                                             f"Mfg {mfg if isinstance(mfg, str) else fdate(mfg)}" if mfg else "")
                                 if p)
            rows.append(ItemRow(r.description, r.cells, "  ".join(p for p in (r.detail, more) if p)))
        items = Items(items.columns, tuple(rows), items.description_title)
        blocks.append(items)
    else:
        blocks.append(sale_items(v, m))
    label = "Amount credited" if returns else ("Total" if v.doc_type in ("SO", "PF") else "Payable")
    blocks.append(sale_totals(v, m, payable_label=label, raw=src.raw))
    blocks.append(_loyalty(src.raw, returned=returns))
    if v.doc_type in ("SI", "PI"):
        blocks += _payments_block(src.payments, src.usd)
    blocks.append(_note(v.narration, "Reason" if returns else "Narration"))
    if returns:
        blocks.append(Signatures(("Returned by (customer)", "Received by")))
    elif v.doc_type in ("SI", "PI") and v.sales_type == "credit":
        blocks.append(Signatures(("Customer signature",)))
    return _doc(src, title, subtitle, v.number, blocks)


DELIVERY_COLUMNS = (Column("Qty", 14, weight=1.0), Column("Unit", 8, weight=0.7))


def delivery(src: Source) -> PrintDoc:
    """A delivery note (challan): what goes out, batch by batch, and the signatures. From a DN
    (against its provisional invoice) or "Print Delivery" of an invoice."""
    v = src.view
    m = Money(v.currency, v.rate, False)
    extra = []
    if v.doc_type == "DN":
        if src.source_number:
            extra.append(("PSI No", src.source_number))
    else:
        extra.append(("Invoice No", v.number or ""))
    rows: list[tuple[str, str]] = [("Date", fdate(v.date)), *extra]
    if src.sales_person:
        rows.append(("Sales person", src.sales_person))
    if v.posted_by:
        rows.append(("Served by", v.posted_by))
    items = []
    for l in v.lines:
        detail = "  ".join(p for p in (l.item or "", f"Batch {l.batch}" if l.batch else "",
                                       f"exp {fdate(l.batch_expiry)}" if l.batch_expiry else "") if p)
        items.append(ItemRow(l.name + (" (free)" if l.is_free else ""), (fq(l.qty), l.unit or ""), detail))
    total = sum((l.qty for l in v.lines), Decimal(0))
    blocks = [
        Fields(tuple(rows), title="Document", pair=True),
        customer_block(src.customer, title="Deliver to"),
        Items(DELIVERY_COLUMNS, tuple(items), description_title="Item"),
        Totals((Total("Total qty", fq(total), strong=True), Total("Lines", str(len(v.lines))))),
        _note(v.narration),
        Signatures(("Delivered by", "Received in good order by (name, date)")),
    ]
    del m
    return _doc(src, "Delivery note", "Bon de livraison / Challan", v.number, blocks)


RECEIPT_COLUMNS = (Column("", 14), Column("USD", 14), Column("CDF", 18))


def receipt(src: Source) -> PrintDoc:
    """The invoice printed from the Sales Receipt screen: the facture plus what was received,
    the change returned and the balance."""
    rc = src.view
    inv = src.invoice
    x = rc.extra or {}
    d = lambda k: Decimal(str(x.get(k) or "0"))  # noqa: E731
    body = facture(Source("facture", inv, src.shop, usd=src.usd, customer=src.customer,
                          sales_person=src.sales_person, raw=src.raw, batches=src.batches))
    blocks = list(body.blocks)
    # the receipt's own header first
    rows = (("Receipt date", fdate(rc.date)), ("Invoice No", inv.number or ""), ("Invoice date", fdate(inv.date)),
            ("Rate (taux)", f"{frate(rc.rate)} CDF/USD"))
    if x.get("taux_difference") and d("taux_difference"):
        rows += (("Taux difference", frate(d("taux_difference"))),)
    blocks.insert(0, Fields(rows, title="Receipt"))
    rate = Decimal(rc.rate)
    if src.usd:
        received = d("received_usd") + q2(d("received_cdf") / rate)
        returned = d("returned_usd") + q2(d("returned_cdf") / rate)
        pay = Totals((Total("Invoice USD", fa(d("invoice_usd"))), Total("Received USD", fa(received), strong=True),
                      Total("Returned USD", fa(returned)), Total("Balance USD", fa(d("balance_usd")), strong=True)),
                     title="Cash received")
    else:
        pay = Table(RECEIPT_COLUMNS, (
            ("Invoice", fa(d("invoice_usd")), fa(d("invoice_cdf"))),
            ("Received", fa(d("received_usd")), fa(d("received_cdf"))),
            ("Returned", fa(d("returned_usd")), fa(d("returned_cdf"))),
            ("Balance", fa(d("balance_usd")), fa(d("balance_cdf"))),
        ), title="Cash received", strong_rows=(1, 3))
    # before the narration/signatures of the invoice
    at = next((i for i, b in enumerate(blocks) if isinstance(b, (Note, Signatures))), len(blocks))
    blocks.insert(at, pay)
    blocks = [b for b in blocks if not isinstance(b, Signatures)]
    return _doc(src, "Facture / Cash receipt", "Reçu de caisse", rc.number, blocks)


def refund(src: Source) -> PrintDoc:
    rc = src.view
    x = rc.extra or {}
    d = lambda k: Decimal(str(x.get(k) or "0"))  # noqa: E731
    rows = [("Date", fdate(rc.date)), ("Return No", str(x.get("return") or src.source_number or "")),
            ("Rate", f"{frate(rc.rate)} CDF/USD")]
    if rc.posted_by:
        rows.append(("Served by", rc.posted_by))
    rate = Decimal(rc.rate)
    if src.usd:
        returned = d("returned_usd") + q2(d("returned_cdf") / rate)
        pay: Any = Totals((Total("Refund due USD", fa(d("refund_usd"))),
                           Total("Refunded USD", fa(returned), strong=True),
                           Total("Balance USD", fa(d("balance_usd")))))
    else:
        pay = Table(RECEIPT_COLUMNS, (
            ("Refund due", fa(d("refund_usd")), fa(d("refund_cdf"))),
            ("Refunded", fa(d("returned_usd")), fa(d("returned_cdf"))),
            ("Balance", fa(d("balance_usd")), fa(d("balance_cdf"))),
        ), strong_rows=(1,))
    blocks = [Fields(tuple(rows), title="Document", pair=True), customer_block(src.customer), pay, _note(rc.narration),
              Signatures(("Received by (customer)", "Cashier"))]
    return _doc(src, "Refund", "Remboursement", rc.number, blocks)


def shop_entry(src: Source) -> PrintDoc:
    v = src.view
    x = v.extra or {}
    receipt_ = v.subtype == "receipt"
    m = Money(v.currency, v.rate, src.usd)
    rows = [("Date", fdate(v.date)), ("Particulars", src.account), ("Cost centre", src.cost_centre),
            ("Cash ledger", str(x.get("cash_ledger") or "")), _currency_row(v, m)]
    if v.posted_by:
        rows.append(("Entered by", v.posted_by))
    amount_usd = Decimal(str(x.get("amount_usd") or v.totals.receivable_usd))
    amount_cdf = Decimal(str(x.get("amount_cdf") or "0"))
    if src.usd:
        totals = (Total("Amount USD", fa(amount_usd), strong=True),)
    else:
        totals = (Total(f"Amount {v.currency}", fa(v.totals.receivable), strong=True),
                  Total("Amount CDF" if v.currency == "USD" else "Amount USD",
                        fa(amount_cdf if v.currency == "USD" else amount_usd)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title="Document"), Totals(totals), _note(v.narration),
              Signatures(("Received from" if receipt_ else "Paid to", "Cashier", "Approved by"))]
    title = "Cash receipt voucher" if receipt_ else "Cash payment voucher"
    subtitle = "Bon d'entrée de caisse" if receipt_ else "Bon de sortie de caisse"
    return _doc(src, title, subtitle, v.number, blocks)


def exchange(src: Source) -> PrintDoc:
    v = src.view
    x = v.extra or {}
    d = lambda k: Decimal(str(x.get(k) or "0"))  # noqa: E731
    given_ccy = str(x.get("currency_given") or ("USD" if v.currency == "CDF" else "CDF"))
    rows = [("Date", fdate(v.date)), ("Rate applied", f"{frate(d('exchange_rate') or v.rate)} CDF/USD"),
            ("System rate", f"{frate(d('system_rate'))} CDF/USD")]
    if v.posted_by:
        rows.append(("Cashier", v.posted_by))
    if src.usd:
        totals = (Total("Received (USD value)", fa(d("received_usd_value")), strong=True),
                  Total("Given (USD value)", fa(d("given_usd_value")), strong=True),
                  Total("Gain / loss USD", fa(d("gain_usd"))))
    else:
        totals = (Total(f"Received {v.currency}", fa(v.totals.receivable), strong=True),
                  Total(f"Given {given_ccy}", fa(d("amount_given")), strong=True),
                  Total("Gain / loss USD", fa(d("gain_usd"))), Total("Gain / loss CDF", fa(d("gain_cdf"))))
    blocks = [Fields(tuple(rows), title="Document"), Totals(totals), _note(v.narration),
              Signatures(("Customer", "Cashier"))]
    return _doc(src, "Currency exchange", "Change de devises", v.number, blocks)


COMMISSION_COLUMNS = (Column("Invoice", 14), Column("Payable", 16, weight=1.2))


def commission(src: Source) -> PrintDoc:
    v = src.view
    m = Money(v.currency, v.rate, src.usd)
    rows = [("Date", fdate(v.date)), ("Sales person", src.sales_person), _currency_row(v, m)]
    rows.append(("Approved", f"Yes ({src.approved_by})" if src.approved_by else ("Yes" if src.raw.get("approved")
                                                                                  else "No")))
    items = []
    for c in src.commission:
        inv_amount = c.invoice_usd if (m.usd or v.currency == "USD") else c.invoice_cdf
        items.append(ItemRow(f"{c.invoice}  {fdate(c.date)}", (fa(inv_amount), m.s(c.amount)), c.customer))
    total = v.totals.receivable
    totals = [Total(f"Total {m.ccy}", m.s(total, v.totals.receivable_usd if m.convert else None), strong=True)]
    if m.other:
        other = (q2(total * v.rate) if v.currency == "USD" else v.totals.receivable_usd)
        totals.append(Total(f"Total {m.other}", fa(other)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title="Document"),
              Items(COMMISSION_COLUMNS, tuple(items), description_title=f"Invoice (amounts {m.ccy})"),
              Totals(tuple(totals)), _note(v.narration),
              Signatures(("Received by (sales person)", "Approved by"))]
    return _doc(src, "Commission payment voucher", "Paiement de commission", v.number, blocks)


def payment(src: Source) -> PrintDoc:
    """A payment on account (CR)."""
    v = src.view
    x = v.extra or {}
    m = Money(v.currency, v.rate, src.usd)
    rows = [("Date", fdate(v.date)), ("Method", str(x.get("method") or v.subtype or "")),
            ("Reference", str(x.get("reference") or "")), _currency_row(v, m)]
    if v.posted_by:
        rows.append(("Received by", v.posted_by))
    totals = [Total(f"Amount {m.ccy}", m.s(v.totals.receivable, v.totals.receivable_usd), strong=True)]
    if not src.usd and v.currency != "USD":
        totals.append(Total("USD value", fa(v.totals.receivable_usd)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title="Document", pair=True), customer_block(src.customer),
              Totals(tuple(totals)), _note(v.narration), Signatures(("Cashier",))]
    return _doc(src, "Receipt", "Payment on account / Reçu", v.number, blocks)


CLOSE_COLUMNS = (Column("", 19), Column("USD", 12), Column("CDF", 15))
CLOSE_ROWS = (
    ("Opening balance", "opening"), ("Cash sales (+)", "cash_sales"), ("Cash returns (-)", "cash_returns"),
    ("Receipts (+)", "receipts"), ("Payments (-)", "payments"), ("Sub total", "sub_total"),
    ("Exchanged (+)", "exchanged_in"), ("Exchanged (-)", "exchanged_out"),
    ("Other transfers", "other_transfers"), ("Closing balance", "closing"), ("Physical cash", "physical"),
    ("Difference (+short)", "difference"), ("Excess/shortage", "excess_shortage"),
)


def close(src: Source) -> PrintDoc:
    """The shop close summary: the day's figures per currency, the denominations counted, the
    difference and the exchange gain/loss, the day's documents. Both currencies always: the
    till holds both."""
    v = src.view
    c = src.close
    rows = [("Date", fdate(v.date)), ("Location", src.shop.location_code),
            ("Rate", f"{frate(c.rate if c else v.rate)} CDF/USD")]
    if c is not None and c.open_number:
        rows.append(("Shop open No", c.open_number))
    if c is not None:
        rows.append(("Cash ledgers", f"USD {c.cash_usd_account}, CDF {c.cash_cdf_account}"))
    if v.posted_by:
        rows.append(("Closed by", v.posted_by))
    if src.approved_by:
        rows.append(("Approved by", src.approved_by))
    blocks: list = [Fields(tuple(rows), title="Document")]
    if c is not None:
        strong = tuple(i for i, (_, k) in enumerate(CLOSE_ROWS) if k in ("closing", "physical", "difference"))
        blocks.append(Table(CLOSE_COLUMNS, tuple((label, fa(getattr(c.usd, k)), fa(getattr(c.cdf, k)))
                                                 for label, k in CLOSE_ROWS), title="Cash", strong_rows=strong))
        blocks.append(Totals((Total("Difference (USD value)", fa(c.difference_usd_value), strong=True),
                              Total("Exchange gain / loss USD", fa(c.exchange_gain_usd)))))
        for ccy in ("USD", "CDF"):
            notes = (c.denominations or {}).get(ccy) or {}
            if not notes:
                continue
            drows = []
            total = Decimal(0)
            for note, count in sorted(notes.items(), key=lambda kv: Decimal(kv[0]), reverse=True):
                value = Decimal(note) * int(count)
                total += value
                drows.append((fa(Decimal(note)), str(count), fa(value)))
            drows.append(("Total", "", fa(total)))
            blocks.append(Table((Column("Note", 14), Column("Count", 10), Column("Amount", 18)), tuple(drows),
                                title=f"Denominations {ccy}", strong_rows=(len(drows) - 1,)))
        if c.documents:
            blocks.append(Table((Column("", 22), Column("Count", 7), Column("Total USD", 16)),
                                tuple((f"{d.doc_type} {d.name}", str(d.count), fa(d.total_usd)) for d in c.documents),
                                title="Documents of the day"))
    blocks.append(_note(v.narration, "Remarks"))
    blocks.append(Signatures(("Cashier", "Manager")))
    return _doc(src, "Shop close summary", "Clôture de caisse", v.number, blocks)


STATEMENT_COLUMNS = (Column("Debit", 13), Column("Credit", 13), Column("Balance", 15, weight=1.2))


def statement(report: Any, shop: Shop, ageing: Any = None, *, footer: str = "") -> list[PrintDoc]:
    """Customer statements (one PrintDoc per customer), the text layout of reports.statement_pdf."""
    docs = []
    ageing_by = {a.code: a for a in ageing.rows} if ageing is not None else {}
    period = f"{fdate(report.date_from)} to {fdate(report.date_to)}"
    if not report.sections:
        return [PrintDoc("Customer statement", "", shop, (Note(f"{period}: no entries."),), footer=footer)]
    for s in report.sections:
        rows = [("Customer", f"{s.customer_code} {s.customer_name}")]
        if s.address:
            rows.append(("Address", s.address))
        rows += [("Period", period), ("Amounts in", "USD")]
        items = tuple(ItemRow(f"{fdate(r.date)} {r.type_label}", (fa(r.debit) if r.debit else "",
                                                                   fa(r.credit) if r.credit else "", fa(r.balance)),
                              " ".join(p for p in (r.number, r.reference) if p)) for r in s.rows)
        blocks: list = [
            Fields(tuple(rows), title="Statement"),
            Totals((Total("Opening balance", fa(s.opening_balance)),)),
            Items(STATEMENT_COLUMNS, items, description_title="Date / entry"),
            Totals((Total("Total debit", fa(s.total_debit)), Total("Total credit", fa(s.total_credit)),
                    Total("Closing balance USD", fa(s.closing_balance), strong=True))),
        ]
        if report.filtered:
            blocks.append(Note("Filtered: hidden entries still count in the balances."))
        a = ageing_by.get(s.customer_code)
        if ageing is not None:
            b = a.buckets if a else (Z, Z, Z, Z)
            blocks.append(Totals(tuple(Total(lbl, fa(x)) for lbl, x in zip(("0-30 days", "31-60 days", "61-90 days",
                                                                           "90+ days"), b))
                                 + (Total("Total due USD", fa(a.total if a else Z), strong=True),),
                                 title=f"Ageing at {fdate(ageing.at)}"))
        docs.append(PrintDoc("Customer statement", "", shop, tuple(blocks), subtitle="Relevé de compte",
                             footer=footer))
    return docs


BUILDERS: dict[str, Callable[[Source], PrintDoc]] = OrderedDict(
    facture=facture, delivery=delivery, receipt=receipt, refund=refund, shop_entry=shop_entry, exchange=exchange,
    commission=commission, payment=payment, close=close,
)


def build(src: Source) -> PrintDoc:
    return BUILDERS[src.kind](src)


__all__ = ["BUILDERS", "CommissionLine", "Money", "Party", "Payment", "Source", "build", "statement"]
