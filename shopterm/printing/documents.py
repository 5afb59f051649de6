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
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Callable

from ..core import i18n, narration
from ..core.journal import account_label
from ..core.close import difference_word, difference_words, signed_qty
from ..core.i18n import N_, _
from ..core.money import format_amount, format_qty, q2
from ..core.payments import method_label, reference_label
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
    language: str = ""  # what is printed for the customer ("" = the shop's)


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


def _signed(value: Decimal) -> str:
    """``+4.80`` / ``-1.40`` / ``0.00``: a difference's value with its sign."""
    text = fa(value)
    return f"+{text}" if q2(Decimal(value)) > 0 else text


def frate(rate: Decimal) -> str:
    """``2850`` → ``2,850.00``; more decimals only when the rate has them."""
    rate = Decimal(rate)
    if rate == rate.quantize(Decimal("0.01")):
        return format_amount(rate.quantize(Decimal("0.01")))
    text = f"{rate.normalize():,f}"
    return i18n.localize_number(text)


def fpct(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return i18n.localize_number(text)


def fdate(value: dt.date | str | None) -> str:
    """A date the reader's way (an ISO text too, as kept in a document's extra fields)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return i18n.format_date(value) if value else ""


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
    "SI": (N_("Facture"), N_("Sales invoice")),
    "PI": (N_("Facture provisoire"), N_("Provisional invoice")),
    "SO": (N_("Sales order"), N_("Bon de commande")),
    "PF": (N_("Proforma invoice"), N_("Facture proforma")),
    "SR": (N_("Sales return"), N_("Credit note / Note de crédit")),
    "RD": (N_("Sales return (direct)"), N_("Credit note / Note de crédit")),
    "DN": (N_("Delivery note"), N_("Bon de livraison")),
}


def customer_block(c: Party | None, *, title: str = N_("Customer")) -> Fields:
    if c is None:
        return Fields(((N_("Customer"), "-"),), title=title)
    rows = [(N_("Name"), c.name), (N_("Code"), c.code)]
    for label, value in ((N_("Address"), c.address), (N_("Tel"), c.mobile), (N_("NRC No"), c.nrc_no), (N_("Impôt No"), c.impot_no)):
        if value:
            rows.append((label, value))
    return Fields(tuple(rows), title=title)


def _currency_row(v: Any, m: Money) -> tuple[str, str]:
    if m.convert:
        return (N_("Amounts in"), _("USD (document in {currency}, rate {rate})").format(currency=v.currency,
                                                                                          rate=frate(v.rate)))
    return (N_("Currency"), _("{currency}, rate {rate} CDF/USD").format(currency=v.currency, rate=frate(v.rate)))


def _doc_fields(src: Source, m: Money, extra_rows: list[tuple[str, str]] = ()) -> Fields:
    v = src.view
    rows: list[tuple[str, str]] = [(N_("Date"), fdate(v.date))]
    rows += list(extra_rows)
    rows.append(_currency_row(v, m))
    if src.sales_person:
        rows.append((N_("Sales person"), src.sales_person))
    if v.posted_by:
        rows.append((N_("Served by"), v.posted_by))
    return Fields(tuple(rows), title=N_("Document"), pair=True)


def _sale_rows(v: Any, *, with_due: bool = True) -> list[tuple[str, str]]:
    rows = []
    if v.sales_type:
        sale = _("Cash sale") if v.sales_type == "cash" else _("Credit sale")
        if with_due and v.sales_type == "credit" and v.due_date:
            sale = _("Credit sale, due {date}").format(date=fdate(v.due_date))
        rows.append((N_("Sale"), sale))
    return rows


ITEM_COLUMNS = (Column(N_("Qty"), 7, weight=0.8), Column(N_("Price"), 11), Column(N_("Disc"), 11), Column(N_("Net"), 16, weight=1.2))


def _line_detail(line: Any, *, tax: bool = True, extra: str = "") -> str:
    parts = [line.item or ""]
    if line.unit:
        parts.append(line.unit)
    if line.batch:
        parts.append(_("Batch {batch} exp {expiry}").format(batch=line.batch, expiry=f"{line.batch_expiry:%m/%Y}")
                     if line.batch_expiry else _("Batch {batch}").format(batch=line.batch))
    if line.discount_pct:
        parts.append(_("Disc {pct}%").format(pct=fpct(line.discount_pct)))
    if tax and line.tax_rate:
        parts.append(_("VAT {pct}%").format(pct=fpct(line.tax_rate)))
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
        name = _("{item} (free)").format(item=l.name) if l.is_free else l.name
        disc = l.discount_amount + l.line_flat
        rows.append(ItemRow(name, (fq(l.qty), fa(_price(l, m)), fa(-m.v(disc)) if disc else "", m.s(l.line_net)),
                            _line_detail(l, tax=tax)))
    return Items(ITEM_COLUMNS, tuple(rows), description_title=_("Item (amounts {currency})").format(currency=m.ccy))


def _tax_label(v: Any) -> str:
    if v.tax_exempt:
        return _("VAT (tax exempt)")
    rates = sorted({l.tax_rate for l in v.lines if l.tax_amount})
    return _("VAT {rates}").format(rates="/".join(f"{fpct(r)}%" for r in rates)) if rates else _("VAT")


def sale_totals(v: Any, m: Money, *, payable_label: str = N_("Payable"), raw: dict | None = None) -> Totals:
    """The footer of a sales document (DESIGN §4) in the print currency, then (not in USD mode)
    the same in the other currency at the document rate."""
    t = v.totals
    raw = raw or {}
    ccy = m.ccy
    payable_label = _(payable_label)
    rows = [Total(N_("Total qty"), fq(t.total_qty)), Total(N_("Gross amount"), m.s(t.total_gross))]
    if t.total_discount:
        rows.append(Total(N_("Line discounts"), m.s(-t.total_discount)))
    rows.append(Total(N_("Subtotal"), m.s(t.subtotal)))
    if t.flat_amount:
        label = _("Flat discount")
        if t.flat_type == "percent" and t.flat_pct:
            label = (_("Flat discount {pct}% (slab)") if t.flat_from_slab else _("Flat discount {pct}%")).format(
                pct=fpct(t.flat_pct))
        rows.append(Total(label, m.s(-t.flat_amount)))
    rows.append(Total(_tax_label(v), m.s(t.tax)))
    rows.append(Total(_("Net amount {currency}").format(currency=ccy), m.s(t.net, t.net_usd), strong=True))
    redemption_usd = Decimal(raw.get("redemption_value_usd") or 0)
    if m.usd:
        if t.receivable_usd and t.receivable_usd != t.net_usd and v.currency != "USD":
            rows.append(Total(N_("Round off USD"), fa(t.receivable_usd - t.net_usd)))
        if redemption_usd:
            rows.append(Total(N_("Loyalty redemption"), fa(-(t.receivable_usd - t.payable_usd))))
        rows.append(Total(f"{payable_label} USD", fa(t.payable_usd), strong=True))
        return Totals(tuple(rows))
    if v.currency == "CDF":
        if t.round_off_cdf:
            rows.append(Total(N_("Round off CDF"), fa(t.round_off_cdf)))
        if redemption_usd:
            rows.append(Total(N_("Loyalty redemption"), fa(-(t.receivable - t.payable))))
        rows.append(Total(f"{payable_label} CDF", fa(t.payable), strong=True))
        rows.append(Total(_("At {rate} CDF/USD:").format(rate=frate(v.rate)), ""))
        rows.append(Total(N_("Net amount USD"), fa(t.net_usd)))
        rows.append(Total(f"{payable_label} USD", fa(t.payable_usd), strong=True))
    else:
        if redemption_usd:
            rows.append(Total(N_("Loyalty redemption"), fa(-(t.receivable - t.payable))))
        rows.append(Total(f"{payable_label} USD", fa(t.payable), strong=True))
        rows.append(Total(_("At {rate} CDF/USD:").format(rate=frate(v.rate)), ""))
        rows.append(Total(N_("Net amount CDF"), fa(t.net_cdf)))
        if t.round_off_cdf:
            rows.append(Total(N_("Round off CDF"), fa(t.round_off_cdf)))
        rows.append(Total(f"{payable_label} CDF", fa(t.payable_cdf), strong=True))
    return Totals(tuple(rows))


def _loyalty(raw: dict, *, returned: bool = False) -> Fields | None:
    earned, redeemed = int(raw.get("loyalty_points") or 0), int(raw.get("redemption_points") or 0)
    if not earned and not redeemed:
        return None
    rows = []
    if earned:
        rows.append((N_("Points reversed") if returned else N_("Points earned"), str(earned)))
    if redeemed:
        rows.append((N_("Points redeemed"), str(redeemed)))
        rows.append((N_("Redemption value"), f"{fa(Decimal(raw.get('redemption_value_usd') or 0))} USD"))
    return Fields(tuple(rows), title=N_("Loyalty"))


def _payments_block(payments: tuple[Payment, ...], usd: bool) -> list:
    """Amount paid and change on a cash invoice settled through the Sales Receipt."""
    if not payments:
        return []
    last = payments[-1]
    numbers = ", ".join(p.number for p in payments)
    if usd:
        paid = sum((p.received_usd + q2(p.received_cdf / p.rate) for p in payments), Z)
        change = sum((p.returned_usd + q2(p.returned_cdf / p.rate) for p in payments), Z)
        return [Totals((Total(N_("Amount paid USD"), fa(paid), strong=True), Total(N_("Change USD"), fa(change)),
                        Total(N_("Balance USD"), fa(last.balance_usd))), title=_("Paid ({numbers})").format(numbers=numbers))]
    rows = (
        (_("Received"), fa(sum((p.received_usd for p in payments), Z)), fa(sum((p.received_cdf for p in payments), Z))),
        (_("Change"), fa(sum((p.returned_usd for p in payments), Z)), fa(sum((p.returned_cdf for p in payments), Z))),
        (_("Balance"), fa(last.balance_usd), fa(last.balance_cdf)),
    )
    return [Table((Column("", 14), Column("USD", 14), Column("CDF", 18)), rows, title=_("Paid ({numbers})").format(numbers=numbers),
                  strong_rows=(0,))]


def _doc(src: Source, title: str, subtitle: str, number: str, blocks: list) -> PrintDoc:
    return PrintDoc(title=title, subtitle=subtitle, number=number or "", shop=src.shop,
                    blocks=tuple(b for b in blocks if b is not None), mark=src.mark, footer=src.footer)


def _note(text: str, title: str = N_("Narration")) -> Note | None:
    text = narration.shown((text or "").strip())  # a generated narration in the reader's language
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
        extra.append((N_("Order/Proforma"), v.order))
    if returns:
        if v.doc_type == "SR":
            x = v.extra or {}
            bases = {"delivery_note": N_("Delivery note"), "invoice": N_("Invoice")}
            based = _(bases.get(v.subtype, v.subtype or N_("Invoice")))
            basis = str(x.get("invoice") or src.source_number or "")
            extra.append((N_("Return of"), f"{based} {basis}".strip()))
            original = str(x.get("original") or src.source_number or "")
            if original and original != basis:
                extra.append((N_("Invoice No"), original))
            if src.source_date:
                extra.append((N_("Invoice date"), fdate(src.source_date)))
        elif src.raw.get("invoice_date"):
            extra.append((N_("Invoice date"), fdate(src.raw["invoice_date"])))
        if v.sales_type:
            extra.append((N_("Credit sale"), _("Yes") if v.sales_type == "credit" else _("No")))
    blocks: list = [_doc_fields(src, m, extra), customer_block(src.customer)]
    if returns and v.doc_type == "RD":
        items = sale_items(v, m)
        rows = []
        for l, r in zip(v.lines, items.rows):
            sup = src.batches.get(l.line_no)
            more = ""
            if sup:
                supplier, sbatch, mfg = sup
                more = "  ".join(p for p in (_("Supplier {code}").format(code=supplier) if supplier else "",
                                             _("Supp. batch {batch}").format(batch=sbatch) if sbatch else "",
                                             _("Mfg {date}").format(date=fdate(mfg))
                                             if mfg else "")
                                 if p)
            rows.append(ItemRow(r.description, r.cells, "  ".join(p for p in (r.detail, more) if p)))
        items = Items(items.columns, tuple(rows), items.description_title)
        blocks.append(items)
    else:
        blocks.append(sale_items(v, m))
    label = N_("Amount credited") if returns else (N_("Total") if v.doc_type in ("SO", "PF") else N_("Payable"))
    blocks.append(sale_totals(v, m, payable_label=label, raw=src.raw))
    blocks.append(_loyalty(src.raw, returned=returns))
    if v.doc_type in ("SI", "PI"):
        blocks += _payments_block(src.payments, src.usd)
    blocks.append(_note(v.narration, N_("Reason") if returns else N_("Narration")))
    if returns:
        blocks.append(Signatures((N_("Returned by (customer)"), N_("Received by"))))
    elif v.doc_type in ("SI", "PI") and v.sales_type == "credit":
        blocks.append(Signatures((N_("Customer signature"),)))
    return _doc(src, title, subtitle, v.number, blocks)


DELIVERY_COLUMNS = (Column(N_("Qty"), 14, weight=1.0), Column(N_("Unit"), 8, weight=0.7))


def delivery(src: Source) -> PrintDoc:
    """A delivery note (challan): what goes out, batch by batch, and the signatures. From a DN
    (against its provisional invoice) or "Print Delivery" of an invoice."""
    v = src.view
    m = Money(v.currency, v.rate, False)
    extra = []
    if v.doc_type == "DN":
        if src.source_number:
            extra.append((N_("PSI No"), src.source_number))
    else:
        extra.append((N_("Invoice No"), v.number or ""))
    rows: list[tuple[str, str]] = [(N_("Date"), fdate(v.date)), *extra]
    if src.sales_person:
        rows.append((N_("Sales person"), src.sales_person))
    if v.posted_by:
        rows.append((N_("Served by"), v.posted_by))
    items = []
    for l in v.lines:
        detail = "  ".join(p for p in (l.item or "", _("Batch {batch}").format(batch=l.batch) if l.batch else "",
                                       _("exp {date}").format(date=fdate(l.batch_expiry)) if l.batch_expiry else "")
                           if p)
        items.append(ItemRow(l.name + (" (free)" if l.is_free else ""), (fq(l.qty), l.unit or ""), detail))
    total = sum((l.qty for l in v.lines), Decimal(0))
    blocks = [
        Fields(tuple(rows), title=N_("Document"), pair=True),
        customer_block(src.customer, title=N_("Deliver to")),
        Items(DELIVERY_COLUMNS, tuple(items), description_title=N_("Item")),
        Totals((Total(N_("Total qty"), fq(total), strong=True), Total(N_("Lines"), str(len(v.lines))))),
        _note(v.narration),
        Signatures((N_("Delivered by"), N_("Received in good order by (name, date)"))),
    ]
    del m
    return _doc(src, N_("Delivery note"), N_("Bon de livraison / Challan"), v.number, blocks)


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
    rows = ((N_("Receipt date"), fdate(rc.date)), (N_("Invoice No"), inv.number or ""), (N_("Invoice date"), fdate(inv.date)),
            (N_("Rate (taux)"), f"{frate(rc.rate)} CDF/USD"))
    if x.get("taux_difference") and d("taux_difference"):
        rows += ((N_("Taux difference"), frate(d("taux_difference"))),)
    blocks.insert(0, Fields(rows, title=N_("Receipt")))
    rate = Decimal(rc.rate)
    if src.usd:
        received = d("received_usd") + q2(d("received_cdf") / rate)
        returned = d("returned_usd") + q2(d("returned_cdf") / rate)
        pay = Totals((Total(N_("Invoice USD"), fa(d("invoice_usd"))), Total(N_("Received USD"), fa(received), strong=True),
                      Total(N_("Returned USD"), fa(returned)), Total(N_("Balance USD"), fa(d("balance_usd")), strong=True)),
                     title=N_("Cash received"))
    else:
        pay = Table(RECEIPT_COLUMNS, (
            (_("Invoice"), fa(d("invoice_usd")), fa(d("invoice_cdf"))),
            (_("Received"), fa(d("received_usd")), fa(d("received_cdf"))),
            (_("Returned"), fa(d("returned_usd")), fa(d("returned_cdf"))),
            (_("Balance"), fa(d("balance_usd")), fa(d("balance_cdf"))),
        ), title=N_("Cash received"), strong_rows=(1, 3))
    # before the narration/signatures of the invoice
    at = next((i for i, b in enumerate(blocks) if isinstance(b, (Note, Signatures))), len(blocks))
    blocks.insert(at, pay)
    blocks = [b for b in blocks if not isinstance(b, Signatures)]
    return _doc(src, N_("Facture / Cash receipt"), N_("Reçu de caisse"), rc.number, blocks)


def refund(src: Source) -> PrintDoc:
    rc = src.view
    x = rc.extra or {}
    d = lambda k: Decimal(str(x.get(k) or "0"))  # noqa: E731
    rows = [(N_("Date"), fdate(rc.date)), (N_("Return No"), str(x.get("return") or src.source_number or "")),
            (N_("Rate"), f"{frate(rc.rate)} CDF/USD")]
    if rc.posted_by:
        rows.append((N_("Served by"), rc.posted_by))
    rate = Decimal(rc.rate)
    if src.usd:
        returned = d("returned_usd") + q2(d("returned_cdf") / rate)
        pay: Any = Totals((Total(N_("Refund due USD"), fa(d("refund_usd"))),
                           Total(N_("Refunded USD"), fa(returned), strong=True),
                           Total(N_("Balance USD"), fa(d("balance_usd")))))
    else:
        pay = Table(RECEIPT_COLUMNS, (
            (_("Refund due"), fa(d("refund_usd")), fa(d("refund_cdf"))),
            (_("Refunded"), fa(d("returned_usd")), fa(d("returned_cdf"))),
            (_("Balance"), fa(d("balance_usd")), fa(d("balance_cdf"))),
        ), strong_rows=(1,))
    blocks = [Fields(tuple(rows), title=N_("Document"), pair=True), customer_block(src.customer), pay, _note(rc.narration),
              Signatures((N_("Received by (customer)"), N_("Cashier")))]
    return _doc(src, N_("Refund"), N_("Remboursement"), rc.number, blocks)


def shop_entry(src: Source) -> PrintDoc:
    v = src.view
    x = v.extra or {}
    receipt_ = v.subtype == "receipt"
    m = Money(v.currency, v.rate, src.usd)
    code, _sp, name = src.account.partition(" ")  # "1900 Head office current account": a default account translated
    account = f"{code} {account_label(code, name)}".strip()
    rows = [(N_("Date"), fdate(v.date)), (N_("Particulars"), account), (N_("Cost centre"), src.cost_centre),
            (N_("Cash ledger"), str(x.get("cash_ledger") or "")), _currency_row(v, m)]
    if v.posted_by:
        rows.append((N_("Entered by"), v.posted_by))
    amount_usd = Decimal(str(x.get("amount_usd") or v.totals.receivable_usd))
    amount_cdf = Decimal(str(x.get("amount_cdf") or "0"))
    if src.usd:
        totals = (Total(N_("Amount USD"), fa(amount_usd), strong=True),)
    else:
        totals = (Total(_("Amount {currency}").format(currency=v.currency), fa(v.totals.receivable), strong=True),
                  Total(_("Amount {currency}").format(currency="CDF" if v.currency == "USD" else "USD"),
                        fa(amount_cdf if v.currency == "USD" else amount_usd)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title=N_("Document")), Totals(totals), _note(v.narration),
              Signatures((N_("Received from") if receipt_ else N_("Paid to"), N_("Cashier"), N_("Approved by")))]
    title = N_("Cash receipt voucher") if receipt_ else N_("Cash payment voucher")
    subtitle = N_("Bon d'entrée de caisse") if receipt_ else N_("Bon de sortie de caisse")
    return _doc(src, title, subtitle, v.number, blocks)


def exchange(src: Source) -> PrintDoc:
    v = src.view
    x = v.extra or {}
    d = lambda k: Decimal(str(x.get(k) or "0"))  # noqa: E731
    given_ccy = str(x.get("currency_given") or ("USD" if v.currency == "CDF" else "CDF"))
    rows = [(N_("Date"), fdate(v.date)), (N_("Rate applied"), f"{frate(d('exchange_rate') or v.rate)} CDF/USD"),
            (N_("System rate"), f"{frate(d('system_rate'))} CDF/USD")]
    if v.posted_by:
        rows.append((N_("Cashier"), v.posted_by))
    if src.usd:
        totals = (Total(N_("Received (USD value)"), fa(d("received_usd_value")), strong=True),
                  Total(N_("Given (USD value)"), fa(d("given_usd_value")), strong=True),
                  Total(N_("Gain / loss USD"), fa(d("gain_usd"))))
    else:
        totals = (Total(_("Received {currency}").format(currency=v.currency), fa(v.totals.receivable), strong=True),
                  Total(_("Given {currency}").format(currency=given_ccy), fa(d("amount_given")), strong=True),
                  Total(N_("Gain / loss USD"), fa(d("gain_usd"))), Total(N_("Gain / loss CDF"), fa(d("gain_cdf"))))
    blocks = [Fields(tuple(rows), title=N_("Document")), Totals(totals), _note(v.narration),
              Signatures((N_("Customer"), N_("Cashier")))]
    return _doc(src, N_("Currency exchange"), N_("Change de devises"), v.number, blocks)


COMMISSION_COLUMNS = (Column(N_("Invoice"), 14), Column(N_("Payable"), 16, weight=1.2))


def commission(src: Source) -> PrintDoc:
    v = src.view
    m = Money(v.currency, v.rate, src.usd)
    rows = [(N_("Date"), fdate(v.date)), (N_("Sales person"), src.sales_person), _currency_row(v, m)]
    rows.append((N_("Approved"), _("Yes ({name})").format(name=src.approved_by) if src.approved_by
                 else (_("Yes") if src.raw.get("approved") else _("No"))))
    items = []
    for c in src.commission:
        inv_amount = c.invoice_usd if (m.usd or v.currency == "USD") else c.invoice_cdf
        items.append(ItemRow(f"{c.invoice}  {fdate(c.date)}", (fa(inv_amount), m.s(c.amount)), c.customer))
    total = v.totals.receivable
    totals = [Total(_("Total {currency}").format(currency=m.ccy), m.s(total, v.totals.receivable_usd if m.convert else None),
                    strong=True)]
    if m.other:
        other = (q2(total * v.rate) if v.currency == "USD" else v.totals.receivable_usd)
        totals.append(Total(_("Total {currency}").format(currency=m.other), fa(other)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title=N_("Document")),
              Items(COMMISSION_COLUMNS, tuple(items), description_title=_("Invoice (amounts {currency})").format(currency=m.ccy)),
              Totals(tuple(totals)), _note(v.narration),
              Signatures((N_("Received by (sales person)"), N_("Approved by")))]
    return _doc(src, N_("Commission payment voucher"), N_("Paiement de commission"), v.number, blocks)


def payment(src: Source) -> PrintDoc:
    """A payment on account (CR)."""
    v = src.view
    x = v.extra or {}
    m = Money(v.currency, v.rate, src.usd)
    rows = [(N_("Date"), fdate(v.date)), (N_("Method"), method_label(str(x.get("method") or v.subtype or ""))),
            (N_("Reference"), reference_label(str(x.get("reference") or ""))), _currency_row(v, m)]
    if v.posted_by:
        rows.append((N_("Received by"), v.posted_by))
    totals = [Total(_("Amount {currency}").format(currency=m.ccy), m.s(v.totals.receivable, v.totals.receivable_usd),
                    strong=True)]
    if not src.usd and v.currency != "USD":
        totals.append(Total(N_("USD value"), fa(v.totals.receivable_usd)))
    blocks = [Fields(tuple(r for r in rows if r[1]), title=N_("Document"), pair=True), customer_block(src.customer),
              Totals(tuple(totals)), _note(v.narration), Signatures((N_("Cashier"),))]
    return _doc(src, N_("Receipt"), N_("Payment on account / Reçu"), v.number, blocks)


CLOSE_COLUMNS = (Column("", 19), Column("USD", 12), Column("CDF", 15))
CLOSE_ROWS = (
    (N_("Opening balance"), "opening"), (N_("Cash sales (+)"), "cash_sales"), (N_("Cash returns (-)"), "cash_returns"),
    (N_("Receipts (+)"), "receipts"), (N_("Payments (-)"), "payments"), (N_("Sub total"), "sub_total"),
    (N_("Exchanged (+)"), "exchanged_in"), (N_("Exchanged (-)"), "exchanged_out"),
    (N_("Other transfers"), "other_transfers"), (N_("Closing balance"), "closing"), (N_("Physical cash"), "physical"),
    (N_("Difference (+short)"), "difference"), (N_("Excess/shortage"), "excess_shortage"),
)


def close(src: Source) -> PrintDoc:
    """The shop close summary: the day's figures per currency, the denominations counted, the
    difference and the exchange gain/loss, the day's documents. Both currencies always: the
    till holds both."""
    v = src.view
    c = src.close
    rows = [(N_("Date"), fdate(v.date)), (N_("Location"), src.shop.location_code),
            (N_("Rate"), f"{frate(c.rate if c else v.rate)} CDF/USD")]
    system = getattr(c, "system_rate", None) if c is not None else None
    if system is not None and system != c.rate:
        rows.append((N_("System rate"), f"{frate(system)} CDF/USD"))
    if c is not None and c.open_number:
        rows.append((N_("Shop open No"), c.open_number))
    if c is not None:
        rows.append((N_("Cash ledgers"), f"USD {c.cash_usd_account}, CDF {c.cash_cdf_account}"))
    if v.posted_by:
        rows.append((N_("Closed by"), v.posted_by))
    if src.approved_by:
        rows.append((N_("Approved by"), src.approved_by))
    blocks: list = [Fields(tuple(rows), title=N_("Document"))]
    if c is not None:
        strong = tuple(i for i, (_, k) in enumerate(CLOSE_ROWS) if k in ("closing", "physical", "difference"))
        def cell(fig, k: str) -> str:  # the excess/shortage row: the direction of the difference above it in
            # words (its figure and "short" do not fit a 12-column USD cell at 48 columns)
            return difference_word(fig.difference) if k == "excess_shortage" else fa(getattr(fig, k))

        blocks.append(Table(CLOSE_COLUMNS, tuple((_(label), cell(c.usd, k), cell(c.cdf, k))
                                                 for label, k in CLOSE_ROWS), title=N_("Cash"), strong_rows=strong))
        blocks.append(Totals((Total(N_("Difference (USD value)"), difference_words(c.difference_usd_value), strong=True),
                              Total(N_("Exchange gain / loss USD"), fa(c.exchange_gain_usd)))))
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
            drows.append((_("Total"), "", fa(total)))
            blocks.append(Table((Column(N_("Note"), 14), Column(N_("Count"), 10), Column(N_("Amount"), 18)), tuple(drows),
                                title=_("Denominations {currency}").format(currency=ccy), strong_rows=(len(drows) - 1,)))
        counted = getattr(c, "stock_count", ()) or ()
        if counted:  # the Inventory Posting counts, as posted; the difference reads as the cash's (+ = short)
            blocks.append(Table(
                (Column(N_("Item / batch"), 13, align="left", weight=2.0), Column(N_("On hand"), 8),
                 Column(N_("Counted"), 7), Column(N_("Diff."), 6), Column(N_("Value USD"), 10)),
                tuple((f"{k.item_code} {k.batch_code}", fq(k.on_hand), fq(k.counted), signed_qty(-k.difference),
                       _signed(-k.value_usd)) for k in counted),
                title=N_("Inventory count (+short)")))
            short = -sum((k.value_usd for k in counted), Decimal("0.00"))  # stored: counted − on hand
            blocks.append(Totals((Total(N_("Stock difference (USD value)"), difference_words(short), strong=True),)))
        if c.documents:
            blocks.append(Table((Column("", 22), Column(N_("Count"), 7), Column(N_("Total USD"), 16)),
                                tuple((f"{d.doc_type} {_(d.name)}", str(d.count), fa(d.total_usd)) for d in c.documents),
                                title=N_("Documents of the day")))
    blocks.append(_note(v.narration, N_("Remarks")))
    blocks.append(Signatures((N_("Cashier"), N_("Manager"))))
    return _doc(src, N_("Shop close summary"), N_("Clôture de caisse"), v.number, blocks)


STATEMENT_COLUMNS = (Column(N_("Debit"), 13), Column(N_("Credit"), 13), Column(N_("Balance"), 15, weight=1.2))


def statement(report: Any, shop: Shop, ageing: Any = None, *, footer: str = "") -> list[PrintDoc]:
    """Customer statements (one PrintDoc per customer), the text layout of reports.statement_pdf."""
    docs = []
    ageing_by = {a.code: a for a in ageing.rows} if ageing is not None else {}
    period = _("{start} to {end}").format(start=fdate(report.date_from), end=fdate(report.date_to))
    if not report.sections:
        return [localize(PrintDoc(N_("Customer statement"), "", shop, (Note(_("{period}: no entries.").format(period=period)),),
                                  footer=footer))]
    for s in report.sections:
        rows = [(N_("Customer"), f"{s.customer_code} {s.customer_name}")]
        if s.address:
            rows.append((N_("Address"), s.address))
        rows += [(N_("Period"), period), (N_("Amounts in"), "USD")]
        items = tuple(ItemRow(f"{fdate(r.date)} {_(r.type_label)}", (fa(r.debit) if r.debit else "",
                                                                   fa(r.credit) if r.credit else "", fa(r.balance)),
                              " ".join(p for p in (r.number, reference_label(r.reference)) if p)) for r in s.rows)
        blocks: list = [
            Fields(tuple(rows), title=N_("Statement")),
            Totals((Total(N_("Opening balance"), fa(s.opening_balance)),)),
            Items(STATEMENT_COLUMNS, items, description_title=N_("Date / entry")),
            Totals((Total(N_("Total debit"), fa(s.total_debit)), Total(N_("Total credit"), fa(s.total_credit)),
                    Total(N_("Closing balance USD"), fa(s.closing_balance), strong=True))),
        ]
        if report.filtered:
            blocks.append(Note(_("Filtered: hidden entries still count in the balances.")))
        a = ageing_by.get(s.customer_code)
        if ageing is not None:
            b = a.buckets if a else (Z, Z, Z, Z)
            blocks.append(Totals(tuple(Total(lbl, fa(x)) for lbl, x in zip((N_("0-30 days"), N_("31-60 days"),
                                                                           N_("61-90 days"), N_("90+ days")), b))
                                 + (Total(N_("Total due USD"), fa(a.total if a else Z), strong=True),),
                                 title=_("Ageing at {date}").format(date=fdate(ageing.at))))
        docs.append(PrintDoc(N_("Customer statement"), "", shop, tuple(blocks), subtitle=N_("Relevé de compte"),
                             footer=footer))
    return [localize(doc) for doc in docs]


def localize(doc: PrintDoc) -> PrintDoc:
    """The document's labels in the current language (titles, field labels, column heads, totals,
    signatures; the values are already written the reader's way). A subtitle that only repeats the
    title in this language is left out (the English prints carry the French name as a subtitle)."""
    def cols(columns: tuple[Column, ...]) -> tuple[Column, ...]:
        return tuple(replace(c, title=_(c.title)) for c in columns)

    blocks = []
    for b in doc.blocks:
        if isinstance(b, Fields):
            b = replace(b, rows=tuple((_(k), v) for k, v in b.rows), title=_(b.title))
        elif isinstance(b, Items):
            b = replace(b, columns=cols(b.columns), description_title=_(b.description_title), title=_(b.title))
        elif isinstance(b, Table):
            b = replace(b, columns=cols(b.columns), title=_(b.title))
        elif isinstance(b, Totals):
            b = replace(b, rows=tuple(replace(t, label=_(t.label)) for t in b.rows), title=_(b.title))
        elif isinstance(b, Note):
            b = replace(b, title=_(b.title))
        elif isinstance(b, Signatures):
            b = replace(b, labels=tuple(_(label) for label in b.labels))
        blocks.append(b)
    title, subtitle = _(doc.title), _(doc.subtitle)
    if subtitle and subtitle.lower() in title.lower():
        subtitle = ""
    return replace(doc, title=title, subtitle=subtitle, blocks=tuple(blocks))


BUILDERS: dict[str, Callable[[Source], PrintDoc]] = OrderedDict(
    facture=facture, delivery=delivery, receipt=receipt, refund=refund, shop_entry=shop_entry, exchange=exchange,
    commission=commission, payment=payment, close=close,
)


def build(src: Source) -> PrintDoc:
    """The document of ``src`` in the current language (``with i18n.use(lang):`` around it)."""
    return localize(BUILDERS[src.kind](src))


__all__ = ["BUILDERS", "CommissionLine", "Money", "Party", "Payment", "Source", "build", "statement"]
