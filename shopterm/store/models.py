"""The tables of a shop database (DESIGN §5–§10).

Plain SQLModel table classes (on :class:`Table`): they hold data and open no sessions of their own.
Money, quantities, rates and percentages use the scaled-integer types of
:mod:`shopterm.store.types`; codes and enums are short strings so the schema is
portable between SQLite and PostgreSQL.

Groups:
- organisation: Location, ShopSetup, ShopDay, ExchangeRate, Account, CostCentre, User
- customers: CustomerCategory, CustomerGroup, SalesPerson, LoyaltyCard(+Category), Customer, CustomerLocation
- goods: Supplier, Item, Batch, Price, StockMove
- schemes: Promotion(+Range, +Location), DiscountSlab(+Range, +Location), SalesTarget(+Month)
- documents: Document, DocumentLine, NumberSequence
- books: JournalVoucher, JournalLine, LedgerEntry, Match, MatchLine, LoyaltyTransaction
- audit: AuditLog, ChainHead (hash chains), ApiToken (headless credentials)
"""

# No ``from __future__ import annotations`` here: with it every field's annotation is a string that
# pydantic and SQLModel parse and evaluate again (a ForwardRef compile per field, ~20 ms at import).

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from pydantic import ConfigDict
from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import MoneyType, PctType, QtyType, RateType

D0 = Decimal("0")


class Table(SQLModel):
    """The base of every table class. Table classes are built without validation (SQLModel does not
    validate them), so pydantic builds their validators and serializers only when first asked
    (``model_dump`` in the audit, ``model_validate``), not at import: ~20 ms less CPU for every
    process that imports the store (a command, the TUI's worker, each test process)."""

    model_config = ConfigDict(defer_build=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _money(default: Decimal | None = D0, **kw: Any) -> Any:
    return Field(default=default, sa_type=MoneyType, **kw)


def _qty(default: Decimal | None = D0, **kw: Any) -> Any:
    return Field(default=default, sa_type=QtyType, **kw)


def _rate(default: Decimal | None = None, **kw: Any) -> Any:
    return Field(default=default, sa_type=RateType, **kw)


def _pct(default: Decimal | None = D0, **kw: Any) -> Any:
    return Field(default=default, sa_type=PctType, **kw)


def json_field(**kw: Any) -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False), **kw)


# ---------------------------------------------------------------- organisation


class Location(Table, table=True):
    __tablename__ = "location"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=80)
    number: int = Field(ge=1, le=99, unique=True)  # the 2 digits in document numbers
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    tax_no: str = Field(default="", max_length=40)  # NIF / Impôt number printed on factures
    rccm_no: str = Field(default="", max_length=40)
    cdf_increment: Decimal = _money(Decimal("100"))
    usd_increment: Decimal = _money(Decimal("0.01"))
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class Account(Table, table=True):
    """Chart of accounts. ``kind``: asset, liability, equity, income, expense."""

    __tablename__ = "account"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)
    kind: str = Field(max_length=10)
    currency: Optional[str] = Field(default=None, max_length=3)  # set for cash accounts
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class CostCentre(Table, table=True):
    __tablename__ = "cost_centre"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class ShopSetup(Table, table=True):
    __tablename__ = "shop_setup"
    id: Optional[int] = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", unique=True)
    cash_customer_id: Optional[int] = Field(default=None, foreign_key="customer.id")
    cash_ledger_local_id: int = Field(foreign_key="account.id")
    cash_ledger_base_id: int = Field(foreign_key="account.id")
    shortage_ledger_id: int = Field(foreign_key="account.id")
    max_shortage_usd: Decimal = _money(D0)
    max_shortage_cdf: Decimal = _money(D0)
    print_command: str = Field(default="", max_length=200)  # e.g. "lp -d counter"; empty: a folder
    print_dir: str = Field(default="", max_length=300)
    print_format: str = Field(default="pdf", max_length=10)  # pdf (A4) | text (48 columns, 80 mm thermal)
    default_currency: str = Field(default="USD", max_length=3)  # a new invoice's currency (counter flow)
    # "ask for the PIN even when a manager is signed in": two people for every approval
    approval_pin_always: bool = False
    # a document rate further than this from the system rate needs a manager's approval (DESIGN §3)
    rate_tolerance_pct: Decimal = _pct(Decimal("10"))
    # the shop's language (en | fr …): sign-in screen, users and customers without their own
    language: str = Field(default="en", max_length=10)
    default_country: str = Field(default="", max_length=80)  # a new customer's country
    # outgoing mail (invoices and statements by email); the password is never stored here
    smtp_host: str = Field(default="", max_length=200)
    smtp_port: int = 0  # 0: the security's usual port (587 STARTTLS, 465 SSL, 25 none)
    smtp_security: str = Field(default="starttls", max_length=10)  # none | starttls | ssl
    smtp_user: str = Field(default="", max_length=120)
    smtp_from: str = Field(default="", max_length=120)
    updated_at: dt.datetime = Field(default_factory=_now)


class ShopDay(Table, table=True):
    __tablename__ = "shop_day"
    __table_args__ = (UniqueConstraint("location_id", "date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    date: dt.date
    status: str = Field(default="open", max_length=10)  # open | closed
    open_document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    close_document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    opened_by: Optional[int] = Field(default=None, foreign_key="user.id")
    closed_by: Optional[int] = Field(default=None, foreign_key="user.id")
    opened_at: dt.datetime = Field(default_factory=_now)
    closed_at: Optional[dt.datetime] = None


class ExchangeRate(Table, table=True):
    """The system rate, CDF per 1 USD, in force from ``date`` on."""

    __tablename__ = "exchange_rate"
    id: Optional[int] = Field(default=None, primary_key=True)
    date: dt.date = Field(unique=True)
    rate: Decimal = _rate()
    created_at: dt.datetime = Field(default_factory=_now)


class User(Table, table=True):
    __tablename__ = "user"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    full_name: str = Field(default="", max_length=80)
    pin_hash: str = Field(max_length=200)
    role: str = Field(max_length=10)  # cashier | manager | admin
    location_id: Optional[int] = Field(default=None, foreign_key="location.id")
    # the user's own sales person: the default "Delegue" of the invoices they enter
    sales_person_id: Optional[int] = Field(default=None, foreign_key="sales_person.id")
    language: str = Field(default="", max_length=10)  # "" = the shop's (Shop Setup)
    inactive: bool = False
    failed_attempts: int = 0
    locked_until: Optional[dt.datetime] = None
    created_at: dt.datetime = Field(default_factory=_now)


# ---------------------------------------------------------------- customers


class CustomerCategory(Table, table=True):
    __tablename__ = "customer_category"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80, unique=True)
    price_category: str = Field(default="retail", max_length=20)  # the price list of its customers
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class CustomerGroup(Table, table=True):
    __tablename__ = "customer_group"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class SalesPerson(Table, table=True):
    __tablename__ = "sales_person"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)
    mobile: str = Field(default="", max_length=40)
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class LoyaltyCard(Table, table=True):
    __tablename__ = "loyalty_card"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    doc_date: dt.date
    redemption_frequency_days: int = 0
    value_per_point_usd: Decimal = _money(D0)  # redemption details
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class LoyaltyCardCategory(Table, table=True):
    """Which price/customer category earns, and how much sales (USD) make one point."""

    __tablename__ = "loyalty_card_category"
    __table_args__ = (UniqueConstraint("card_id", "price_category", "customer_category_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="loyalty_card.id", index=True)
    price_category: str = Field(max_length=20)  # retail | wholesale ('' on a customer category's rule)
    #: a rule for the customers of one Customer Category (seed): it wins over the price category's
    customer_category_id: Optional[int] = Field(default=None, foreign_key="customer_category.id")
    sales_amount_per_point: Decimal = _money(D0)


class Customer(Table, table=True):
    __tablename__ = "customer"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(default="credit", max_length=10)  # credit | cash
    category_id: Optional[int] = Field(default=None, foreign_key="customer_category.id")
    group_id: Optional[int] = Field(default=None, foreign_key="customer_group.id", index=True)
    existing_vendor: bool = False
    supplier_name: str = Field(default="", max_length=120)
    control_account_id: Optional[int] = Field(default=None, foreign_key="account.id")
    credit_limit_usd: Decimal = _money(D0)
    credit_days: int = 0
    national_id: str = Field(default="", max_length=40)
    price_category: str = Field(default="retail", max_length=20)  # retail | wholesale
    loyalty_card_id: Optional[int] = Field(default=None, foreign_key="loyalty_card.id")
    nrc_no: str = Field(default="", max_length=40)
    impot_no: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=80)
    province: str = Field(default="", max_length=80)
    country: str = Field(default="", max_length=80)
    mobile: str = Field(default="", max_length=40, index=True)
    email: str = Field(default="", max_length=120)
    language: str = Field(default="", max_length=10)  # prints to this customer; "" = the shop's
    sales_person_id: Optional[int] = Field(default=None, foreign_key="sales_person.id")
    tax_exempt: bool = False
    free_offer: bool = False
    # the default Disc % of a new line on this customer's invoices, orders and provisional invoices
    discount_pct: Decimal = _pct(D0)
    inactive: bool = False
    # a duplicate merged into another customer: inactive, its documents and ledger moved to that one
    merged_into_id: Optional[int] = Field(default=None, foreign_key="customer.id")
    location_id: Optional[int] = Field(default=None, foreign_key="location.id")  # cash customers
    created_at: dt.datetime = Field(default_factory=_now)
    updated_at: dt.datetime = Field(default_factory=_now)


class CustomerLocation(Table, table=True):
    __tablename__ = "customer_location"
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True)


# ---------------------------------------------------------------- goods


class Supplier(Table, table=True):
    __tablename__ = "supplier"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120)
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class Item(Table, table=True):
    __tablename__ = "item"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    name: str = Field(max_length=120, index=True)
    barcode: Optional[str] = Field(default=None, max_length=40, unique=True)  # EAN/UPC as scanned; None: none
    unit: str = Field(default="PCS", max_length=10)
    pack_size: Decimal = _qty(Decimal("1"))
    tax_rate: Decimal = _pct(Decimal("16"))
    cost_usd: Decimal = _money(D0)  # last purchase price (base)
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class Batch(Table, table=True):
    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("item_id", "code"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    code: str = Field(max_length=30)
    expiry: Optional[dt.date] = None
    mfg_date: Optional[dt.date] = None
    supplier_id: Optional[int] = Field(default=None, foreign_key="supplier.id")
    supplier_batch_no: str = Field(default="", max_length=40)
    cost_usd: Decimal = _money(D0)
    created_at: dt.datetime = Field(default_factory=_now)


class Price(Table, table=True):
    """A price list row: retail and wholesale price of an item at a location in a currency."""

    __tablename__ = "price"
    __table_args__ = (
        UniqueConstraint("location_id", "item_id", "currency", "effective_from"),
        Index("ix_price_lookup", "item_id", "location_id", "currency", "effective_from"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    item_id: int = Field(foreign_key="item.id")
    currency: str = Field(max_length=3)
    retail_price: Decimal = _money(D0)
    wholesale_price: Decimal = _money(D0)
    effective_from: dt.date
    update_no: str = Field(default="", max_length=20)
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=_now)


class StockMove(Table, table=True):
    """One movement of one batch at one location; stock = Σ qty."""

    __tablename__ = "stock_move"
    __table_args__ = (
        Index("ix_stock_item_loc_batch", "item_id", "location_id", "batch_id"),
        Index("ix_stock_loc_date", "location_id", "date"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    item_id: int = Field(foreign_key="item.id")
    batch_id: int = Field(foreign_key="batch.id")
    date: dt.date
    qty: Decimal = _qty(D0)  # signed: + in, − out
    unit_cost_usd: Decimal = _money(D0)
    kind: str = Field(max_length=20)  # receipt | sale | free | delivery | return | direct_return | adjust
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    document_line_id: Optional[int] = Field(default=None, foreign_key="document_line.id")
    created_at: dt.datetime = Field(default_factory=_now)


class StockBalance(Table, table=True):
    """On hand per item, location and batch: Σ ``stock_move.qty``, kept in the same transaction
    as each move (``store.balances.add_moves``), so a stock check reads one row, not every move."""

    __tablename__ = "stock_balance"
    item_id: int = Field(foreign_key="item.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    qty: Decimal = _qty(D0)


# ---------------------------------------------------------------- schemes


class PromotionReason(Table, table=True):
    """Why a sales promotion gives goods away (seed: Reason*, "Select from dropdown"); its
    expense account is where the free goods' cost posts (seed: Expense A/c "Auto-filled based
    on Reason selection")."""

    __tablename__ = "promotion_reason"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=40)
    expense_account_id: int = Field(foreign_key="account.id")
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class Promotion(Table, table=True):
    __tablename__ = "promotion"
    id: Optional[int] = Field(default=None, primary_key=True)
    scheme_no: str = Field(max_length=20, unique=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    unit: str = Field(default="", max_length=10)
    reason: str = Field(max_length=40)
    reason_id: Optional[int] = Field(default=None, foreign_key="promotion_reason.id")  # the master row chosen
    expense_account_id: Optional[int] = Field(default=None, foreign_key="account.id")
    cost_centre_id: Optional[int] = Field(default=None, foreign_key="cost_centre.id")
    scheme_date: dt.date
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class Attachment(Table, table=True):
    """A file attached to a master record (seed: the Attachment tab of Sales Promotion and Discount
    Slabs), kept in the database itself: its name, size, SHA-256 and bytes."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_entity", "entity", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    entity: str = Field(max_length=30)  # promotion | discount_slab
    entity_id: int
    name: str = Field(max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=_now)


class PromotionRange(Table, table=True):
    __tablename__ = "promotion_range"
    id: Optional[int] = Field(default=None, primary_key=True)
    promotion_id: int = Field(foreign_key="promotion.id", index=True)
    min_qty: Decimal = _qty(D0)
    max_qty: Decimal = _qty(D0)
    free_qty: Decimal = _qty(D0)


class PromotionLocation(Table, table=True):
    __tablename__ = "promotion_location"
    promotion_id: int = Field(foreign_key="promotion.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True)


class DiscountSlab(Table, table=True):
    __tablename__ = "discount_slab"
    id: Optional[int] = Field(default=None, primary_key=True)
    doc_no: str = Field(max_length=20, unique=True)
    doc_date: dt.date
    inactive: bool = False
    created_at: dt.datetime = Field(default_factory=_now)


class DiscountSlabRange(Table, table=True):
    __tablename__ = "discount_slab_range"
    id: Optional[int] = Field(default=None, primary_key=True)
    slab_id: int = Field(foreign_key="discount_slab.id", index=True)
    from_value: Decimal = _money(D0)
    to_value: Optional[Decimal] = _money(None, nullable=True)  # None: no upper bound
    pct: Decimal = _pct(D0)


class DiscountSlabLocation(Table, table=True):
    __tablename__ = "discount_slab_location"
    slab_id: int = Field(foreign_key="discount_slab.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True)


class SalesTarget(Table, table=True):
    """Monthly targets for a financial year, per location or per sales person (delegate)."""

    __tablename__ = "sales_target"
    __table_args__ = (UniqueConstraint("kind", "financial_year", "location_id", "sales_person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # location | delegate
    financial_year: int
    location_id: Optional[int] = Field(default=None, foreign_key="location.id")
    sales_person_id: Optional[int] = Field(default=None, foreign_key="sales_person.id")
    created_at: dt.datetime = Field(default_factory=_now)


class SalesTargetMonth(Table, table=True):
    __tablename__ = "sales_target_month"
    __table_args__ = (UniqueConstraint("target_id", "month"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="sales_target.id", index=True)
    month: int = Field(ge=1, le=12)
    target_qty: Decimal = _qty(D0)
    target_amount: Decimal = _money(D0)


# ---------------------------------------------------------------- documents


class NumberSequence(Table, table=True):
    """Gapless counters per document type, location and month (DESIGN §6)."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("doc_type", "location_id", "period"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=4)
    location_id: int = Field(foreign_key="location.id")
    period: str = Field(max_length=4)  # YYMM
    last_value: int = 0


class Document(Table, table=True):
    """Every sales-module document: header, totals and links.

    ``doc_type`` is the two-letter code of DESIGN §6 (SI, PI, DN, …). Drafts
    have no number. Screen-specific figures that are not journal amounts (e.g.
    the denominations counted at close) live in ``extra`` as strings.
    """

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("doc_type", "location_id", "number"),
        Index("ix_document_customer_date", "customer_id", "doc_date"),
        Index("ix_document_type_status", "doc_type", "status", "location_id"),
        Index("ix_document_loc_date", "location_id", "doc_date"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=4)
    number: Optional[str] = Field(default=None, max_length=20, index=True)
    status: str = Field(default="draft", max_length=10)  # draft | posted | cancelled
    location_id: int = Field(foreign_key="location.id")
    doc_date: dt.date
    customer_id: Optional[int] = Field(default=None, foreign_key="customer.id")
    sales_person_id: Optional[int] = Field(default=None, foreign_key="sales_person.id")
    currency: str = Field(default="USD", max_length=3)
    rate: Decimal = _rate(Decimal("1"))
    subtype: str = Field(default="", max_length=20)  # SO|PF, receipt|payment, DIRECT, invoice|delivery_note…
    sales_type: str = Field(default="", max_length=10)  # cash | credit
    contact_no: str = Field(default="", max_length=40)
    additional_price_pct: Decimal = _pct(D0)
    agent_commission: bool = False
    free_offer: bool = False
    tax_exempt: bool = False
    print_usd: bool = False
    flat_discount_type: str = Field(default="", max_length=10)  # percent | amount | ''
    flat_discount_value: Decimal = _money(D0)
    # totals (document currency unless named)
    total_qty: Decimal = _qty(D0)
    total_free_qty: Decimal = _qty(D0)
    total_gross: Decimal = _money(D0)
    total_discount: Decimal = _money(D0)
    subtotal: Decimal = _money(D0)
    flat_pct: Decimal = _pct(D0)
    flat_amount: Decimal = _money(D0)
    tax_amount: Decimal = _money(D0)
    net_amount: Decimal = _money(D0)
    net_usd: Decimal = _money(D0)
    net_cdf: Decimal = _money(D0)
    round_off_cdf: Decimal = _money(D0)
    loyalty_points: int = 0
    redemption_points: int = 0
    redemption_value_usd: Decimal = _money(D0)
    payable: Decimal = _money(D0)
    payable_usd: Decimal = _money(D0)
    payable_cdf: Decimal = _money(D0)
    amount: Decimal = _money(D0)  # single-amount documents (receipt/payment, exchange received, commission total)
    amount_usd: Decimal = _money(D0)
    narration: str = Field(default="", max_length=500)
    source_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    account_id: Optional[int] = Field(default=None, foreign_key="account.id")  # particulars / expense
    cost_centre_id: Optional[int] = Field(default=None, foreign_key="cost_centre.id")
    extra: dict = json_field()
    approved: bool = False
    approved_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    posted_by: Optional[int] = Field(default=None, foreign_key="user.id")
    cancelled_by: Optional[int] = Field(default=None, foreign_key="user.id")
    print_count: int = 0
    created_at: dt.datetime = Field(default_factory=_now)
    updated_at: dt.datetime = Field(default_factory=_now)
    posted_at: Optional[dt.datetime] = None
    cancelled_at: Optional[dt.datetime] = None


class DocumentLine(Table, table=True):
    __tablename__ = "document_line"
    __table_args__ = (Index("ix_line_doc", "document_id", "line_no"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    line_no: int
    item_id: Optional[int] = Field(default=None, foreign_key="item.id", index=True)
    batch_id: Optional[int] = Field(default=None, foreign_key="batch.id")
    unit: str = Field(default="", max_length=10)
    qty: Decimal = _qty(D0)
    is_free: bool = False  # a free-offer line (Free Offers tab)
    price: Decimal = _money(D0)
    price_usd: Decimal = _money(D0)
    gross: Decimal = _money(D0)
    discount_pct: Decimal = _pct(D0)
    discount_amount: Decimal = _money(D0)
    line_flat: Decimal = _money(D0)
    line_net: Decimal = _money(D0)
    flat_share: Decimal = _money(D0)
    tax_rate: Decimal = _pct(D0)
    tax_amount: Decimal = _money(D0)
    unit_cost_usd: Decimal = _money(D0)
    source_line_id: Optional[int] = Field(default=None, foreign_key="document_line.id", index=True)
    qty_done: Decimal = _qty(D0)  # invoiced (orders) / delivered (provisional invoices)
    qty_returned: Decimal = _qty(D0)
    ref_document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)  # commission: the invoice
    amount: Decimal = _money(D0)  # commission: amount payable
    extra: dict = json_field()


# ---------------------------------------------------------------- books


class JournalVoucher(Table, table=True):
    __tablename__ = "journal_voucher"
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    date: dt.date = Field(index=True)
    voucher_type: str = Field(max_length=4)
    number: str = Field(max_length=20)
    narration: str = Field(default="", max_length=500)
    created_at: dt.datetime = Field(default_factory=_now)
    # the journal's hash chain (services/chain.py): position and sha256 of (previous hash, this voucher and its lines)
    chain_seq: Optional[int] = Field(default=None, unique=True)
    chain_hash: Optional[str] = Field(default=None, max_length=64)


class JournalLine(Table, table=True):
    """One Dr/Cr line. ``amount_usd`` is signed (debit +); ``amount`` is the same in ``currency``."""

    __tablename__ = "journal_line"
    __table_args__ = (
        Index("ix_jl_account_date", "account_id", "date"),
        Index("ix_jl_customer_date", "customer_id", "date"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    voucher_id: int = Field(foreign_key="journal_voucher.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    date: dt.date
    account_id: int = Field(foreign_key="account.id")
    customer_id: Optional[int] = Field(default=None, foreign_key="customer.id")
    cost_centre_id: Optional[int] = Field(default=None, foreign_key="cost_centre.id")
    currency: str = Field(max_length=3)
    amount: Decimal = _money(D0)
    amount_usd: Decimal = _money(D0)
    memo: str = Field(default="", max_length=200)


class AccountDay(Table, table=True):
    """Running balances: Σ journal lines per location, account, day and currency (DESIGN §14).

    Kept by the posting in the same transaction as the lines, so the trial balance
    and a till's balance read one row per account and day, not every line.
    """

    __tablename__ = "account_day"
    __table_args__ = (UniqueConstraint("account_id", "location_id", "date", "currency", name="uq_account_day"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    location_id: int = Field(foreign_key="location.id")
    date: dt.date
    currency: str = Field(max_length=3)
    amount: Decimal = _money(D0)
    amount_usd: Decimal = _money(D0)


class LedgerEntry(Table, table=True):
    """The customer ledger: one entry per journal line on the receivable account (DESIGN §8).

    Signed: positive = the customer owes us. ``open_*`` is the part not yet
    matched; an entry whose open amount is not zero is an open item.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_le_customer_date", "customer_id", "doc_date", "id"),
        Index("ix_le_changed", "changed_at"),
        Index("ix_le_customer_open", "customer_id", "is_open"),
        Index("ix_le_open", "is_open", "customer_id", "doc_date", "id"),  # open items of every customer
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    location_id: int = Field(foreign_key="location.id")
    journal_line_id: Optional[int] = Field(default=None, foreign_key="journal_line.id")
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    voucher_type: str = Field(max_length=4)
    number: str = Field(max_length=20)
    reference: str = Field(default="", max_length=60)
    doc_date: dt.date
    due_date: Optional[dt.date] = None
    currency: str = Field(max_length=3)
    amount: Decimal = _money(D0)
    amount_usd: Decimal = _money(D0)
    open_amount: Decimal = _money(D0)
    open_usd: Decimal = _money(D0)
    is_open: bool = True
    method: str = Field(default="", max_length=20)  # payment method for receipts/payments
    posted_at: dt.datetime = Field(default_factory=_now)
    changed_at: dt.datetime = Field(default_factory=_now)


class OpenDue(Table, table=True):
    """Open amounts per customer, due date and date (DESIGN §14): Σ ``ledger_entry.open_usd``,
    kept in the same transaction as every posting, match and unmatch (``store.balances.add_open``),
    so the ageing groups these rows instead of every open item.

    ``kind``: ``D`` a debit with a due date (``due_date`` is it), ``L`` a debit without one
    (``due_date`` is its date: due after the customer's credit days), ``C`` a credit (its date).
    Rows whose sum comes to zero are deleted."""

    __tablename__ = "open_due"
    # SQLite keeps the rows in key order (customer first): the ageing's pass reads no separate index
    __table_args__ = ({"sqlite_with_rowid": False},)
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    kind: str = Field(max_length=1, primary_key=True)
    due_date: dt.date = Field(primary_key=True)
    doc_date: dt.date = Field(primary_key=True)
    open_usd: Decimal = _money(D0)


class CustomerMonth(Table, table=True):
    """Σ ``ledger_entry.amount_usd`` per customer and month (``month``: its first day), kept by the
    posting in the same transaction as the entries (``store.balances.add_customer_months``): a
    customer's balance before a date sums its months before that one and the entries of its month,
    not every earlier entry."""

    __tablename__ = "customer_month"
    __table_args__ = ({"sqlite_with_rowid": False},)
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    month: dt.date = Field(primary_key=True)
    amount_usd: Decimal = _money(D0)


class OpenMonth(Table, table=True):
    """A month end whose open amounts are kept in ``open_due_month`` (DESIGN §14). Written by the
    first posting, match or unmatch dated after it (``store.balances.keep_open_months``)."""

    __tablename__ = "open_month"
    month_end: dt.date = Field(primary_key=True)


class OpenDueMonth(Table, table=True):
    """``open_due`` as it stood at a month end (the entries dated up to it, open by the matches
    that counted then), kept in the same transaction as every posting, match and unmatch dated up
    to it, so the ageing at a past date reads the next month end's rows and the matches of at
    most a month instead of every later match. Rows whose sum comes to zero are deleted."""

    __tablename__ = "open_due_month"
    # SQLite keeps the rows in key order: one month end's rows, customer by customer
    __table_args__ = ({"sqlite_with_rowid": False},)
    month_end: dt.date = Field(foreign_key="open_month.month_end", primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    kind: str = Field(max_length=1, primary_key=True)
    due_date: dt.date = Field(primary_key=True)
    doc_date: dt.date = Field(primary_key=True)
    open_usd: Decimal = _money(D0)


class Match(Table, table=True):
    """A match group: ledger entries of one customer that settle each other."""

    __tablename__ = "match"
    # "open at a past date" reads only the matches dated, or unmatched, after it
    __table_args__ = (Index("ix_match_date", "date"), Index("ix_match_unmatched", "unmatched_on"))
    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    date: dt.date
    kind: str = Field(default="auto", max_length=10)  # auto | manual | payment
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=_now)
    unmatched_on: Optional[dt.date] = None
    unmatched_by: Optional[int] = Field(default=None, foreign_key="user.id")
    unmatched_at: Optional[dt.datetime] = None


class MatchLine(Table, table=True):
    """How much of one entry a match settles (signed like the entry; Σ per match = 0 in USD)."""

    __tablename__ = "match_line"
    id: Optional[int] = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    entry_id: int = Field(foreign_key="ledger_entry.id", index=True)
    amount: Decimal = _money(D0)
    amount_usd: Decimal = _money(D0)


class LoyaltyTransaction(Table, table=True):
    __tablename__ = "loyalty_transaction"
    # ix_loyalty_customer_kind: the posting's two reads of a customer's points, from the index alone (the
    # points held: a sum over it, no row read; the last redemption: its redeem rows only, not every earn)
    __table_args__ = (Index("ix_loyalty_customer_date", "customer_id", "date"),
                      Index("ix_loyalty_customer_kind", "customer_id", "kind", "date", "points"))
    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    date: dt.date
    kind: str = Field(max_length=10)  # earn | redeem | reverse
    points: int  # signed
    value_usd: Decimal = _money(D0)
    created_at: dt.datetime = Field(default_factory=_now)


# ---------------------------------------------------------------- audit


class AuditLog(Table, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=_now)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    user_name: str = Field(default="", max_length=40)
    action: str = Field(max_length=30)  # create | update | post | cancel | match | unmatch | approve | print | login…
    entity: str = Field(max_length=40)
    entity_id: Optional[int] = None
    summary: str = Field(default="", max_length=300)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    approver_id: Optional[int] = Field(default=None, foreign_key="user.id")
    # the audit log's hash chain (services/chain.py): position and sha256 of (previous hash, this row)
    chain_seq: Optional[int] = Field(default=None, unique=True)
    chain_hash: Optional[str] = Field(default=None, max_length=64)


class ChainHead(Table, table=True):
    """The last link of each hash chain ("audit", "journal"): locked by every writer that extends it."""

    __tablename__ = "chain_head"
    name: str = Field(primary_key=True, max_length=10)
    seq: int = 0
    hash: str = Field(default="", max_length=64)


class DraftHold(Table, table=True):
    """A saved draft open on a screen now (issue 16): taken when a screen shows the draft, dropped
    when it leaves it. ``holder`` is one running app (a random id); the app refreshes ``seen_at``
    while it runs, so a till that crashed holds nothing once ``seen_at`` is older than
    ``services.documents.holds.STALE``.
    No foreign key to the document: discarding or posting a held draft must never fail on it."""

    __tablename__ = "draft_hold"
    __table_args__ = (UniqueConstraint("document_id", "holder"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int  # looked up through the unique (document_id, holder)
    holder: str = Field(max_length=40)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    user_name: str = Field(default="", max_length=40)
    till: str = Field(default="", max_length=60)
    opened_at: dt.datetime
    seen_at: dt.datetime


class ApiToken(Table, table=True):
    """A token an admin issued for headless use as ``user_id``: only its sha256 is kept."""

    __tablename__ = "api_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    label: str = Field(default="", max_length=80)
    prefix: str = Field(max_length=12)  # shown in lists, to tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)
    created_by: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=_now)
    last_used_at: Optional[dt.datetime] = None
    revoked_at: Optional[dt.datetime] = None
    revoked_by: Optional[int] = Field(default=None, foreign_key="user.id")


# ---------------------------------------------------------------- ledger indexes
# Covering indexes for the customer ledger and account registers (DESIGN §8,
# §14): a statement's opening balance and a balance at a date are SUMs that
# SQLite answers from the index alone, without touching the table rows.

Index("ix_le_customer_key_amount", LedgerEntry.__table__.c.customer_id, LedgerEntry.__table__.c.doc_date,
      LedgerEntry.__table__.c.id, LedgerEntry.__table__.c.amount_usd)
Index("ix_le_location_date", LedgerEntry.__table__.c.location_id, LedgerEntry.__table__.c.doc_date,
      LedgerEntry.__table__.c.id)
Index("ix_jl_account_key_amount", JournalLine.__table__.c.account_id, JournalLine.__table__.c.date,
      JournalLine.__table__.c.id, JournalLine.__table__.c.amount_usd)
Index("ix_match_date", Match.__table__.c.date)
Index("ix_match_unmatched_on", Match.__table__.c.unmatched_on)
# Per-currency sums (balances and trial balance by currency) read only the non-USD rows.
Index("ix_le_currency_customer", LedgerEntry.__table__.c.currency, LedgerEntry.__table__.c.customer_id,
      LedgerEntry.__table__.c.doc_date, LedgerEntry.__table__.c.amount, LedgerEntry.__table__.c.amount_usd)
Index("ix_jl_currency_account", JournalLine.__table__.c.currency, JournalLine.__table__.c.account_id,
      JournalLine.__table__.c.date, JournalLine.__table__.c.amount, JournalLine.__table__.c.amount_usd)


class SchemaMark(Table, table=True):
    """Which shape of the schema this database has: a digest of the migration that made it
    (``store.migrate.schema_fingerprint``). Until the first release the schema is one migration
    rewritten as the models change; a database made by an earlier build has the same revision
    but lacks what was added since, and opening it adds that (``store.migrate.catch_up``)."""

    __tablename__ = "schema_mark"
    id: int = Field(primary_key=True)
    fingerprint: str = Field(max_length=64)


class MastersVersion(Table, table=True):
    """One row (id 1) counting the changes to the masters a posting reads (items, batches, prices,
    promotions, customers, locations, accounts…): database triggers on those tables add one to
    ``version`` in the changing transaction itself, whoever writes (the services, an import, a
    migration, SQL typed by hand). A process keeps the masters it read while the counter it reads in
    its own transaction is unchanged (``store.master_cache``)."""

    __tablename__ = "masters_version"
    id: int = Field(primary_key=True)
    version: int = 0


# A stock move written as an ORM object keeps stock_balance (store.balances, which works on the Core
# tables and loads without these models).
def _keep_stock_balance() -> None:
    from sqlalchemy import event

    from .balances import move_added

    event.listen(StockMove, "after_insert", move_added)


_keep_stock_balance()
