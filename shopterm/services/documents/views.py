"""What the document services return to the screens, the CLI and the tests: previews,
list rows and posted documents as plain frozen dataclasses (no database rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ...core.journal import JLine
from ...core.totals import DocumentTotals, LineTotals
from ..schemes.loyalty import LoyaltyCalc
from ..schemes.promotions import FreeLine


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """What the invoice header auto-fills when a customer is chosen."""

    id: int
    code: str
    name: str
    kind: str  # credit | cash
    contact: str
    credit_limit: Decimal
    credit_days: int
    outstanding_usd: Decimal  # Σ customer-ledger amounts (USD)
    available_credit: Decimal  # limit − outstanding (negative when over the limit)
    price_category: str
    tax_exempt: bool
    free_offer: bool
    loyalty_card: str | None
    sales_person: str | None
    inactive: bool
    discount_pct: Decimal = Decimal(0)  # the default Disc % of a new line


@dataclass(frozen=True, slots=True)
class PostedRef:
    """A posted document as an F2 list of documents to pick from shows it (the list's own columns follow)."""

    number: str
    doc_type: str
    date: dt.date
    customer: str | None
    customer_name: str | None
    currency: str


@dataclass(frozen=True, slots=True)
class PreviewLine:
    line: int  # 1-based position in draft.lines
    item: str
    name: str
    unit: str
    batch: str | None
    batch_expiry: dt.date | None
    qty: Decimal
    price: Decimal
    price_usd: Decimal
    price_from_list: bool
    discount_pct: Decimal
    tax_rate: Decimal  # 0 when the document is tax-exempt
    unit_cost_usd: Decimal
    totals: LineTotals


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One voucher line as F9 "Voucher Details" shows it (USD debit/credit + the currency amount)."""

    account: str
    account_name: str
    debit: Decimal
    credit: Decimal
    currency: str
    amount: Decimal
    amount_usd: Decimal
    customer: str | None
    memo: str


@dataclass(frozen=True, slots=True)
class Preview:
    totals: DocumentTotals
    journal: list[JLine]
    warnings: list[str]
    lines: tuple[PreviewLine, ...] = ()
    voucher: tuple[JournalRow, ...] = ()
    customer: CustomerInfo | None = None
    due_date: dt.date | None = None
    rate: Decimal | None = None
    free_lines: tuple[FreeLine, ...] = ()  # the Free Offers tab
    hints: tuple[str, ...] = ()  # e.g. "Free offer not applying: …" (not a broken rule)
    loyalty: LoyaltyCalc | None = None  # the loyalty footer (points held, earned, redemption)

    @property
    def ok(self) -> bool:
        return not self.warnings


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    doc_type: str
    number: str | None
    status: str
    date: dt.date
    location: str
    customer: str | None
    customer_name: str | None
    sales_type: str
    currency: str
    net: Decimal
    net_usd: Decimal
    payable: Decimal
    narration: str


@dataclass(frozen=True, slots=True)
class StoredTotals:
    total_qty: Decimal
    total_gross: Decimal
    total_discount: Decimal
    subtotal: Decimal
    flat_type: str
    flat_pct: Decimal
    flat_amount: Decimal
    flat_from_slab: bool
    tax: Decimal
    net: Decimal
    net_usd: Decimal
    net_cdf: Decimal
    round_off_cdf: Decimal
    receivable: Decimal
    receivable_usd: Decimal
    payable: Decimal
    payable_usd: Decimal
    payable_cdf: Decimal


@dataclass(frozen=True, slots=True)
class LineView:
    line_no: int
    item: str | None
    name: str
    batch: str | None
    batch_expiry: dt.date | None
    unit: str
    qty: Decimal
    is_free: bool
    price: Decimal
    price_usd: Decimal
    gross: Decimal
    discount_pct: Decimal
    discount_amount: Decimal
    line_flat: Decimal
    line_net: Decimal
    flat_share: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    unit_cost_usd: Decimal
    qty_done: Decimal
    qty_returned: Decimal


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A document for F3 search and F9 voucher details: header, lines, totals, journal."""

    id: int
    doc_type: str
    number: str | None
    status: str
    subtype: str
    location: str
    date: dt.date
    customer: str | None
    customer_name: str | None
    sales_person: str | None
    sales_type: str
    currency: str
    rate: Decimal
    contact_no: str
    additional_price_pct: Decimal
    agent_commission: bool
    free_offer: bool
    print_usd: bool
    tax_exempt: bool
    narration: str
    due_date: dt.date | None
    order: str | None  # the SO/PF it converts
    created_by: str | None
    posted_by: str | None
    approved_by: str | None
    posted_at: dt.datetime | None
    totals: StoredTotals
    lines: tuple[LineView, ...]
    journal: tuple[JournalRow, ...]
    extra: dict = field(default_factory=dict)
