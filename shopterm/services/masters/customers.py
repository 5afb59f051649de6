"""Customer masters: categories, groups, sales persons, customers (credit and cash).

Seed "Sales Masters" 01–04 and the POS customers guide: search before you
create (:meth:`CustomerMasters.find_similar`, :class:`PossibleDuplicate`),
deactivate instead of delete, customer details with purchase history,
outstanding balance, available credit, payments and loyalty points.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select as sa_select
from sqlmodel import Session, col, select

from shopterm.core.i18n import N_, _
from ...core.journal import RECEIVABLE
from ...store import models as m
from ..admin import audit
from ..admin.users import language_code
from ..context import Actor
from ..errors import Duplicate, InactiveRecord, NotFound, PossibleDuplicate, ValidationError
from .base import (
    ENTITIES, PRICE_CATEGORIES, MastersBase, Page, amount, check_paging, check_status, choice, code, digits,
    email_of, flag, get_or_404, integer, like, optional_ref, percent, phone_of, readers, text,
)

D0 = Decimal("0")
SALE_TYPES = ("SI", "PI")
RETURN_TYPES = ("SR", "RD")
PAYMENT_TYPES = ("RC", "CR")
CUSTOMER_SORTS = ("name", "code", "date_added", "total_purchases")

#: The fields of a customer, as create/update take them (and as customers.csv names them).
CUSTOMER_FIELDS = (
    "kind", "code", "name", "category", "group", "existing_vendor", "supplier_name", "control_account",
    "credit_limit_usd", "credit_days", "national_id", "price_category", "loyalty_card", "nrc_no", "impot_no",
    "address", "mobile", "email", "sales_person", "tax_exempt", "free_offer", "inactive", "location", "locations",
    "language",  # printed documents' language ("" = the shop's)
    "telephone",  # Customer (Cash) calls the phone "Telephone No"; kept as ``mobile``
    "city", "province", "country", "discount_pct",
)


# ---------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    inactive: bool
    created_at: dt.datetime
    price_category: str = "retail"  # the price list of its customers


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: int
    name: str
    inactive: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SalesPersonInfo:
    id: int
    code: str
    name: str
    mobile: str
    inactive: bool
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: int
    code: str
    name: str
    kind: str
    category: str | None  # category code
    category_name: str | None
    group: str | None  # group name
    existing_vendor: bool
    supplier_name: str
    control_account: str | None
    credit_limit_usd: Decimal
    credit_days: int
    national_id: str
    price_category: str
    loyalty_card: str | None
    nrc_no: str
    impot_no: str
    address: str
    mobile: str
    email: str
    sales_person: str | None  # code
    sales_person_name: str | None
    tax_exempt: bool
    free_offer: bool
    inactive: bool
    location: str | None  # a cash customer's location
    locations: tuple[str, ...]  # where the customer may transact
    created_at: dt.datetime
    updated_at: dt.datetime
    language: str = ""  # what is printed for the customer; "" = the shop's
    city: str = ""
    province: str = ""
    country: str = ""
    discount_pct: Decimal = D0  # the default Disc % of a new line
    merged_into: str | None = None  # the customer this duplicate was merged into


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One line of the customer list view."""

    code: str
    name: str
    kind: str
    mobile: str
    email: str
    group: str | None
    price_category: str
    inactive: bool
    created_at: dt.datetime
    total_purchases_usd: Decimal


@dataclass(frozen=True, slots=True)
class SimilarCustomer:
    code: str
    name: str
    mobile: str
    reason: str  # "same name" | "same mobile" | "same name and mobile"
    inactive: bool


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    document_id: int
    doc_type: str
    number: str
    date: dt.date
    net: Decimal  # in the document currency
    currency: str
    net_usd: Decimal
    open_usd: Decimal
    payment_status: str  # paid | partly paid | unpaid


@dataclass(frozen=True, slots=True)
class PaymentRow:
    number: str
    voucher_type: str
    date: dt.date
    currency: str
    amount: Decimal  # received (positive); a refund is negative
    amount_usd: Decimal
    method: str
    reference: str


@dataclass(frozen=True, slots=True)
class LoyaltyRow:
    date: dt.date
    kind: str
    points: int
    value_usd: Decimal
    number: str | None


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    customer: CustomerInfo
    total_purchases_usd: Decimal
    outstanding_usd: Decimal
    credit_limit_usd: Decimal
    available_credit_usd: Decimal
    loyalty_points: int
    purchases: tuple[PurchaseRow, ...]
    purchase_count: int
    payments: tuple[PaymentRow, ...]
    payment_count: int
    loyalty_history: tuple[LoyaltyRow, ...]
    loyalty_count: int


@dataclass(frozen=True, slots=True)
class GroupMember:
    code: str
    name: str
    inactive: bool
    total_purchases_usd: Decimal
    outstanding_usd: Decimal


@dataclass(frozen=True, slots=True)
class GroupSummary:
    name: str
    members: tuple[GroupMember, ...]
    total_purchases_usd: Decimal
    outstanding_usd: Decimal


def _normal_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (name or "").lower()).split())


def _same_phone(a: str, b: str) -> bool:
    da, db = digits(a), digits(b)
    if len(da) < 6 or len(db) < 6:
        return False
    if da == db:
        return True
    # the national number is the last 9 digits: +243 81 000 0002 = 0810 000 002
    return len(da) >= 9 and len(db) >= 9 and da[-9:] == db[-9:]


def _phone_digits_sql(column):
    expr = column
    for ch in (" ", "-", "+", "(", ")", ".", "/"):
        expr = func.replace(expr, ch, "")
    return expr


# ---------------------------------------------------------------- SQL pieces


def purchases_by_customer(customers=None):
    """Σ net USD of posted invoices (SI, PI) per customer, as a subquery (customer_id, total).

    ``customers``: a select of customer ids to limit the sum to (uses the customer/date index).
    """
    d = m.Document
    stmt = sa_select(d.customer_id.label("customer_id"), func.sum(d.net_usd).label("total")).where(
        col(d.doc_type).in_(SALE_TYPES), d.status == "posted")
    if customers is not None:
        stmt = stmt.where(col(d.customer_id).in_(customers))
    return stmt.group_by(d.customer_id).subquery()


def outstanding_by_customer(customers=None):
    """Σ customer-ledger USD per customer, as a subquery (customer_id, total)."""
    le = m.LedgerEntry
    stmt = sa_select(le.customer_id.label("customer_id"), func.sum(le.amount_usd).label("total"))
    if customers is not None:
        stmt = stmt.where(col(le.customer_id).in_(customers))
    return stmt.group_by(le.customer_id).subquery()


def _sum(session: Session, stmt) -> Decimal:
    value = session.execute(stmt).scalar()
    return value if value is not None else Decimal("0.00")


class CustomerMasters(MastersBase):
    # ================================================================ categories
    def create_category(self, actor: Actor, *, name: str, code: str, price_category: str = "retail") -> CategoryInfo:
        with self._write(actor, "masters", "Customer categories") as session:
            row = m.CustomerCategory()
            self._apply_category(session, row, name=name, code_=code, price_category=price_category)
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "customer_category", row.id, after=row, summary=f"category {row.code}")
            return self._category_info(row)

    def update_category(self, actor: Actor, code_key: str, *, name: str | None = None,
                        code: str | None = None, price_category: str | None = None) -> CategoryInfo:
        with self._write(actor, "masters", "Customer categories") as session:
            row = get_or_404(session, ENTITIES["customer_category"], code_key, field="code")
            before = audit.snapshot(row)
            self._apply_category(session, row, name=row.name if name is None else name,
                                 code_=row.code if code is None else code,
                                 price_category=row.price_category if price_category is None else price_category)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update", "customer_category", row.id, before=before, after=row,
                         summary=f"category {row.code}")
            return self._category_info(row)

    def _apply_category(self, session: Session, row: m.CustomerCategory, *, name: Any, code_: Any,
                        price_category: Any = "retail") -> None:
        name = text(name, field="name", label=N_("Category name"), required=True, max_len=80).upper()
        the_code = code(code_, field="code", label=N_("Category code"))
        self._unique(session, m.CustomerCategory, "name", name, exclude_id=row.id, field="name",
                     message=N_("Customer category {name} already exists"), params={"name": name}, case_insensitive=True)
        self._unique(session, m.CustomerCategory, "code", the_code, exclude_id=row.id, field="code",
                     message=N_("Category code {code} is already used"), params={"code": the_code})
        row.name, row.code = name, the_code
        row.price_category = choice(price_category, PRICE_CATEGORIES, field="price_category",
                                    label=N_("Price category"), default="retail")

    @staticmethod
    def _category_info(r: m.CustomerCategory) -> CategoryInfo:
        return CategoryInfo(r.id, r.code, r.name, r.inactive, r.created_at, r.price_category)

    get_category, list_categories = readers("customer_category", _category_info,
                                            (m.CustomerCategory.code, m.CustomerCategory.name), m.CustomerCategory.name)

    # ================================================================ groups
    def create_group(self, actor: Actor, *, name: str) -> GroupInfo:
        with self._write(actor, "masters", "Customer groups") as session:
            row = m.CustomerGroup()
            self._apply_group(session, row, name)
            session.add(row)
            session.flush()
            audit.record(session, actor, "create", "customer_group", row.id, after=row, summary=f"group {row.name}")
            return self._group_info(row)

    def update_group(self, actor: Actor, name_key: str, *, name: str) -> GroupInfo:
        with self._write(actor, "masters", "Customer groups") as session:
            row = get_or_404(session, ENTITIES["customer_group"], name_key, field="name")
            before = audit.snapshot(row)
            self._apply_group(session, row, name)
            session.add(row)
            session.flush()
            audit.record(session, actor, "update", "customer_group", row.id, before=before, after=row,
                         summary=f"group {row.name}")
            return self._group_info(row)

    def _apply_group(self, session: Session, row: m.CustomerGroup, name: Any) -> None:
        name = text(name, field="name", label=N_("Group name"), required=True, max_len=80)
        self._unique(session, m.CustomerGroup, "name", name, exclude_id=row.id, field="name",
                     message=N_("Customer group {name} already exists"), params={"name": name}, case_insensitive=True)
        row.name = name

    @staticmethod
    def _group_info(r: m.CustomerGroup) -> GroupInfo:
        return GroupInfo(r.id, r.name, r.inactive, r.created_at)

    get_group, list_groups = readers("customer_group", _group_info, (m.CustomerGroup.name,), m.CustomerGroup.name)

    def group_summary(self, name: str) -> GroupSummary:
        """Consolidated purchases (Σ posted SI/PI net USD) and outstanding (Σ ledger USD) of a group."""
        with self.db.read() as session:
            grp = get_or_404(session, ENTITIES["customer_group"], name, field="name")
            c = m.Customer
            members = sa_select(c.id).where(c.group_id == grp.id)
            bought, owed = purchases_by_customer(members), outstanding_by_customer(members)
            rows = session.execute(
                sa_select(c.code, c.name, c.inactive, func.coalesce(bought.c.total, 0), func.coalesce(owed.c.total, 0))
                .select_from(c)
                .outerjoin(bought, bought.c.customer_id == c.id)
                .outerjoin(owed, owed.c.customer_id == c.id)
                .where(c.group_id == grp.id)
                .order_by(c.name, c.code)
            ).all()
            members = tuple(GroupMember(r[0], r[1], r[2], _money(r[3]), _money(r[4])) for r in rows)
            return GroupSummary(grp.name, members, sum((x.total_purchases_usd for x in members), Decimal("0.00")),
                                sum((x.outstanding_usd for x in members), Decimal("0.00")))

    # ================================================================ sales persons
    def create_sales_person(self, actor: Actor, *, code: str, name: str, mobile: str = "") -> SalesPersonInfo:
        with self._write(actor, "masters", "Sales persons") as session:
            row, _ = self.write_sales_person(session, actor, dict(code=code, name=name, mobile=mobile), create_only=True)
            return self._sales_person_info(row)

    def update_sales_person(self, actor: Actor, code_key: str, *, name: str | None = None,
                            mobile: str | None = None) -> SalesPersonInfo:
        with self._write(actor, "masters", "Sales persons") as session:
            row = get_or_404(session, ENTITIES["sales_person"], code_key, field="code")
            data = {"code": row.code, "name": row.name if name is None else name,
                    "mobile": row.mobile if mobile is None else mobile}
            row, _ = self.write_sales_person(session, actor, data)
            return self._sales_person_info(row)

    def write_sales_person(self, session: Session, actor: Actor, data: dict,
                           create_only: bool = False) -> tuple[m.SalesPerson, bool]:
        """Create or update (by code) inside a transaction; returns (row, created)."""
        the_code = code(data.get("code"), field="code", label=N_("Sales person code"))
        name = text(data.get("name"), field="name", label=N_("Sales person name"), required=True, max_len=80)
        row = session.exec(select(m.SalesPerson).where(m.SalesPerson.code == the_code)).first()
        # a file without a mobile column keeps the mobile already known
        mobile = phone_of(data.get("mobile"), field="mobile") if "mobile" in data else (row.mobile if row else "")
        created = row is None
        if not created and create_only:
            raise Duplicate("Sales person code {code} already exists ({name})", field="code",
                params={"code": the_code, "name": row.name})
        before = None if created else audit.snapshot(row)
        row = row or m.SalesPerson(code=the_code, name=name)
        row.name, row.mobile = name, mobile
        return self._saved(session, actor, "sales_person", row, created, before, f"sales person {row.code}")

    @staticmethod
    def _sales_person_info(r: m.SalesPerson) -> SalesPersonInfo:
        return SalesPersonInfo(r.id, r.code, r.name, r.mobile, r.inactive, r.created_at)

    get_sales_person, list_sales_persons = readers("sales_person", _sales_person_info,
                                                   (m.SalesPerson.code, m.SalesPerson.name, m.SalesPerson.mobile),
                                                   m.SalesPerson.code)

    # ================================================================ customers
    def next_customer_code(self, prefix: str = "C", width: int = 4) -> str:
        """The seed's "…" button: the next free code after the largest ``prefix``+digits (C0010 → C0011)."""
        with self.db.read() as session:
            return self._next_customer_code(session, prefix, width)

    @staticmethod
    def _next_customer_code(session: Session, prefix: str = "C", width: int = 4) -> str:
        prefix = (prefix or "C").strip().upper()
        best, best_width = 0, width
        for (value,) in session.execute(sa_select(m.Customer.code).where(col(m.Customer.code).like(f"{prefix}%"))).all():
            rest = value[len(prefix):]
            if rest.isdigit() and int(rest) >= best:
                best, best_width = int(rest), max(width, len(rest))
        return f"{prefix}{best + 1:0{best_width}d}"

    def find_similar(self, name: str = "", mobile: str = "", *, exclude_code: str | None = None) -> list[SimilarCustomer]:
        """"Search before you create": customers with the same name or the same phone number."""
        with self.db.read() as session:
            return self.similar_in(session, name, mobile, exclude_code=exclude_code)

    @staticmethod
    def similar_in(session: Session, name: str, mobile: str, *, exclude_code: str | None = None) -> list[SimilarCustomer]:
        c = m.Customer
        wanted = _normal_name(name)
        conds = []
        if wanted:
            longest = max(wanted.split(), key=len)
            conds.append(func.lower(c.name).like(f"%{longest}%"))
        phone = digits(mobile or "")
        if len(phone) >= 6:
            conds.append(_phone_digits_sql(c.mobile).like(f"%{phone[-6:]}"))
        if not conds:
            return []
        stmt = select(c).where(or_(*conds)).order_by(c.code).limit(500)
        if exclude_code:
            stmt = stmt.where(c.code != exclude_code.strip().upper())
        out = []
        for row in session.exec(stmt).all():
            same_name = bool(wanted) and _normal_name(row.name) == wanted
            same_phone = _same_phone(row.mobile, mobile or "")
            if same_name or same_phone:
                reason = N_("same name and mobile") if same_name and same_phone else (N_("same name") if same_name
                                                                                 else N_("same mobile"))
                out.append(SimilarCustomer(row.code, row.name, row.mobile, reason, row.inactive))
        return out

    def create_customer(self, actor: Actor, *, confirm_duplicate: bool = False, **fields: Any) -> CustomerInfo:
        """A new customer (credit, or ``kind="cash"``). A blank code takes :meth:`next_customer_code`.

        Raises :class:`PossibleDuplicate` when the name or mobile matches an existing
        customer, unless ``confirm_duplicate``.
        """
        self._check_fields(fields)
        with self._write(actor, "masters", "Customers") as session:
            row, _ = self.write_customer(session, actor, fields, mode="create", confirm_duplicate=confirm_duplicate)
            return self._customer_info(session, row)

    def update_customer(self, actor: Actor, code_key: str, **changes: Any) -> CustomerInfo:
        """Change the given fields of a customer; the others keep their values."""
        self._check_fields(changes)
        if "code" in changes:
            raise ValidationError("A customer's code cannot be changed", field="code")
        with self._write(actor, "masters", "Customers") as session:
            existing = get_or_404(session, ENTITIES["customer"], code_key, field="code")
            row, _ = self.write_customer(session, actor, {**changes, "code": existing.code}, mode="update")
            return self._customer_info(session, row)

    @staticmethod
    def _check_fields(fields: dict) -> None:
        unknown = sorted(set(fields) - set(CUSTOMER_FIELDS))
        if unknown:
            raise ValidationError("unknown customer field {unknown!r}", field=unknown[0],
                params={"unknown": unknown[0]})
        if "telephone" in fields:
            if "mobile" in fields:
                raise ValidationError("Give either mobile or telephone, not both", field="telephone")
            fields["mobile"] = fields.pop("telephone")

    def write_customer(self, session: Session, actor: Actor, data: dict, *, mode: str = "upsert",
                       confirm_duplicate: bool = False) -> tuple[m.Customer, bool]:
        """Validate and write one customer inside a transaction; ``mode``: create | update | upsert.

        On update only the fields present in ``data`` change; references that are
        not changed are not re-checked for being active.
        """
        raw_code = optional_ref(data.get("code"))
        row = None
        if raw_code:
            the_code = code(raw_code, field="code", label=N_("Customer code"))
            row = session.exec(select(m.Customer).where(m.Customer.code == the_code)).first()
            if row is not None and mode == "create":
                raise Duplicate("Customer code {code} already exists ({name})", field="code",
                    params={"code": the_code, "name": row.name})
            if row is None and mode == "update":
                raise NotFound("Customer {code} not found", field="code", params={"code": the_code})
        elif mode == "update":
            raise ValidationError("Customer code is required", field="code")
        else:
            the_code = self._next_customer_code(session)
        created = row is None
        current = self._customer_fields(session, row) if row is not None else {}
        given = {k: v for k, v in data.items() if k != "code"}
        merged = {**current, **given}
        changed = set(given) if not created else set(CUSTOMER_FIELDS)

        kind = choice(merged.get("kind"), ("credit", "cash"), field="kind", label=N_("Kind"), default="credit")
        name = text(merged.get("name"), field="name", label=N_("Customer name"), required=True, max_len=120)
        category = self.ref(session, m.CustomerCategory, merged.get("category"), field="category",
                             label=N_("Customer category"), by=("code", "name"), active="category" in changed)
        group = self.ref(session, m.CustomerGroup, merged.get("group"), field="group", label=N_("Customer group"),
                          by=("name",), active="group" in changed)
        vendor = flag(merged.get("existing_vendor"), field="existing_vendor")
        supplier_name = ""
        if vendor:
            if not optional_ref(merged.get("supplier_name")):
                raise ValidationError("Supplier name is required when the customer is an existing vendor",
                                      field="supplier_name")
            supplier = self.ref(session, m.Supplier, merged.get("supplier_name"), field="supplier_name",
                                 label=N_("Supplier"), by=("code", "name"), active="supplier_name" in changed)
            supplier_name = supplier.name
        control = self.ref_account(session, merged.get("control_account") or RECEIVABLE, field="control_account",
                                label=N_("Control account"), active="control_account" in changed)
        if control.kind != "asset":
            raise ValidationError("Control account {code} is not an asset account (it is {kind})",
                                  field="control_account", params={"code": control.code, "kind": control.kind})
        limit_usd = amount(merged.get("credit_limit_usd"), field="credit_limit_usd", default=Decimal("0.00"))
        days = integer(merged.get("credit_days"), field="credit_days", minimum=0, maximum=3650, default=0)
        if kind == "cash":
            if limit_usd != 0:
                raise ValidationError("A cash customer has no credit limit", field="credit_limit_usd")
            if days != 0:
                raise ValidationError("A cash customer has no credit days", field="credit_days")
        price_category = choice(merged.get("price_category"), PRICE_CATEGORIES, field="price_category",
                                label=N_("Price category"),  # blank: the customer category's price list
                                default=category.price_category if category is not None else "retail")
        card = self.ref(session, m.LoyaltyCard, merged.get("loyalty_card"), field="loyalty_card",
                         label=N_("Loyalty card"), by=("name",), required=False, active="loyalty_card" in changed)
        person = self.ref_sales_person(session, merged.get("sales_person"), required=kind == "credit",
                                    active="sales_person" in changed)
        if kind == "credit" and person is None:  # pragma: no cover - _ref raises first
            raise ValidationError("Sales person is required for a credit customer", field="sales_person")
        email = email_of(merged.get("email"), field="email")
        mobile = phone_of(merged.get("mobile"), field="mobile")
        loc_active = bool({"location", "locations"} & changed)
        location_ids = self._customer_locations(session, kind, merged, active=loc_active)
        values = dict(
            kind=kind, name=name, category_id=category.id, group_id=group.id, existing_vendor=vendor,
            supplier_name=supplier_name, control_account_id=control.id, credit_limit_usd=limit_usd,
            credit_days=days, price_category=price_category, loyalty_card_id=card.id if card else None,
            national_id=text(merged.get("national_id"), field="national_id", label=N_("National ID"), max_len=40),
            nrc_no=text(merged.get("nrc_no"), field="nrc_no", label=N_("NRC no"), max_len=40),
            impot_no=text(merged.get("impot_no"), field="impot_no", label=N_("Impôt no"), max_len=40),
            address=text(merged.get("address"), field="address", label=N_("Address"), max_len=200),
            mobile=mobile, email=email, sales_person_id=person.id if person else None,
            tax_exempt=flag(merged.get("tax_exempt"), field="tax_exempt"),
            free_offer=flag(merged.get("free_offer"), field="free_offer"),
            inactive=flag(merged.get("inactive"), field="inactive"),
            location_id=location_ids[0] if kind == "cash" else None,
            language=language_code(merged.get("language"), field="language"),
            city=text(merged.get("city"), field="city", label="City", max_len=80),
            province=text(merged.get("province"), field="province", label="Province", max_len=80),
            country=text(merged.get("country"), field="country", label="Country", max_len=80),
            discount_pct=percent(merged.get("discount_pct"), field="discount_pct", default=D0),
        )
        if created and not values["country"]:  # a new customer's country defaults from Shop Setup
            values["country"] = session.execute(
                sa_select(m.ShopSetup.default_country).where(m.ShopSetup.location_id == location_ids[0])
            ).scalar_one_or_none() or ""
        if created and not confirm_duplicate:
            similar = self.similar_in(session, name, mobile)
            if similar:
                listed = ", ".join(f"{s.code} {s.name} ({_(s.reason)}{_(', inactive') if s.inactive else ''})"
                                   for s in similar)
                raise PossibleDuplicate(
                    "Possible duplicate: {listed}. Check the existing customer, or confirm to create a new one",
                    matches=[s.code for s in similar], field="name" if any("name" in s.reason for s in similar) else "mobile",
                    params={"listed": listed})
        before = None if created else self._customer_snapshot(session, row)
        now = dt.datetime.now(dt.timezone.utc)
        if created:
            row = m.Customer(code=the_code, created_at=now, **values)
        else:
            for k, v in values.items():
                setattr(row, k, v)
        row.updated_at = now
        session.add(row)
        session.flush()
        existing_locs = set(session.execute(
            sa_select(m.CustomerLocation.location_id).where(m.CustomerLocation.customer_id == row.id)).scalars())
        for loc_id in set(location_ids) - existing_locs:
            session.add(m.CustomerLocation(customer_id=row.id, location_id=loc_id))
        stale = existing_locs - set(location_ids)
        if stale:
            session.execute(m.CustomerLocation.__table__.delete().where(
                and_(m.CustomerLocation.customer_id == row.id, col(m.CustomerLocation.location_id).in_(stale))))
        session.flush()
        after = self._customer_snapshot(session, row)
        audit.record(session, actor, "create" if created else "update", "customer", row.id, before=before, after=after,
                     summary=f"customer {row.code} {row.name}")
        return row, created

    _REF_IDS = ("category_id", "group_id", "control_account_id", "loyalty_card_id", "sales_person_id", "location_id")

    def _customer_snapshot(self, session: Session, row: m.Customer) -> dict:
        """Before/after for the audit log: codes and names instead of row ids, so F4 reads plainly."""
        data = {k: v for k, v in audit.snapshot(row).items() if k not in self._REF_IDS}
        fields = self._customer_fields(session, row)
        for key in ("category", "group", "control_account", "loyalty_card", "sales_person", "location", "locations"):
            data[key] = fields[key]
        return data

    def _customer_locations(self, session: Session, kind: str, merged: dict, *, active: bool) -> list[int]:
        raw = merged.get("locations")
        if isinstance(raw, str):
            codes = [p.strip() for p in raw.replace(",", ";").split(";") if p.strip()]
        else:
            codes = [str(p).strip() for p in (raw or ()) if str(p).strip()]
        single = optional_ref(merged.get("location"))
        if kind == "cash":
            if single is None and codes:
                single = codes[0]
            if single is None:
                raise ValidationError("Location is required for a cash customer", field="location")
            codes = [single, *codes]
        if not codes:
            raise ValidationError("At least one location is required", field="locations")
        ids: list[int] = []
        for c in codes:
            loc = self.ref_location(session, c, field="location" if kind == "cash" and c == single else "locations",
                                 active=active)
            if loc.id not in ids:
                ids.append(loc.id)
        return ids

    @staticmethod
    def _location_codes(session: Session, ids: Iterable[int]) -> list[str]:
        ids = list(ids)
        if not ids:
            return []
        by_id = dict(session.execute(sa_select(m.Location.id, m.Location.code).where(col(m.Location.id).in_(ids))).all())
        return [by_id[i] for i in ids if i in by_id]

    def _customer_fields(self, session: Session, row: m.Customer) -> dict:
        """A customer's current values in the shape create/update take."""
        info = self._customer_info(session, row)
        return dict(
            kind=info.kind, name=info.name, category=info.category, group=info.group,
            existing_vendor=info.existing_vendor, supplier_name=info.supplier_name,
            control_account=info.control_account, credit_limit_usd=info.credit_limit_usd,
            credit_days=info.credit_days, national_id=info.national_id, price_category=info.price_category,
            loyalty_card=info.loyalty_card, nrc_no=info.nrc_no, impot_no=info.impot_no, address=info.address,
            mobile=info.mobile, email=info.email, sales_person=info.sales_person, tax_exempt=info.tax_exempt,
            free_offer=info.free_offer, inactive=info.inactive, location=info.location,
            locations=list(info.locations), language=info.language,
            city=info.city, province=info.province, country=info.country, discount_pct=info.discount_pct,
        )

    def get_customer(self, code_key: str) -> CustomerInfo:
        return self._get("customer", code_key, self._customer_info, with_session=True)

    def _customer_info(self, session: Session, r: m.Customer) -> CustomerInfo:
        cat = session.get(m.CustomerCategory, r.category_id) if r.category_id else None
        grp = session.get(m.CustomerGroup, r.group_id) if r.group_id else None
        acct = session.get(m.Account, r.control_account_id) if r.control_account_id else None
        card = session.get(m.LoyaltyCard, r.loyalty_card_id) if r.loyalty_card_id else None
        person = session.get(m.SalesPerson, r.sales_person_id) if r.sales_person_id else None
        loc = session.get(m.Location, r.location_id) if r.location_id else None
        locs = tuple(session.execute(
            sa_select(m.Location.code).join(m.CustomerLocation, m.CustomerLocation.location_id == m.Location.id)
            .where(m.CustomerLocation.customer_id == r.id).order_by(m.Location.number)).scalars())
        if loc is not None and loc.code in locs:  # the cash customer's own location first
            locs = (loc.code, *[x for x in locs if x != loc.code])
        return CustomerInfo(
            r.id, r.code, r.name, r.kind, cat.code if cat else None, cat.name if cat else None,
            grp.name if grp else None, r.existing_vendor, r.supplier_name, acct.code if acct else None,
            r.credit_limit_usd, r.credit_days, r.national_id, r.price_category, card.name if card else None,
            r.nrc_no, r.impot_no, r.address, r.mobile, r.email, person.code if person else None,
            person.name if person else None, r.tax_exempt, r.free_offer, r.inactive, loc.code if loc else None,
            locs, r.created_at, r.updated_at, r.language or "",
            r.city, r.province, r.country, r.discount_pct,
            session.get(m.Customer, r.merged_into_id).code if r.merged_into_id else None,
        )

    def list_customers(self, *, search: str = "", status: str = "active", kind: str | None = None,
                       group: str | None = None, category: str | None = None, location: str | None = None,
                       sort: str = "name", descending: bool | None = None, limit: int = 50,
                       offset: int = 0) -> Page[CustomerRow]:
        """The customer list view: search code, name, phone or email; filter; sort; page.

        ``sort``: name | code | date_added | total_purchases. ``descending``
        defaults to newest first for date_added and largest first for
        total_purchases.
        """
        status = check_status(status)
        limit, offset = check_paging(limit, offset)
        if sort not in CUSTOMER_SORTS:
            raise ValidationError("Sort: one of {customer_sorts}", field="sort",
                params={"customer_sorts": ', '.join(CUSTOMER_SORTS)})
        if descending is None:
            descending = sort in ("date_added", "total_purchases")
        c = m.Customer
        conds = []
        if status != "all":
            conds.append(c.inactive == (status == "inactive"))
        if kind:
            conds.append(c.kind == choice(kind, ("credit", "cash"), field="kind", label=N_("Kind")))
        q = (search or "").strip()
        if q:
            pat = like(q)
            ors = [col(c.code).ilike(pat, escape="\\"), col(c.name).ilike(pat, escape="\\"),
                   col(c.mobile).ilike(pat, escape="\\"), col(c.email).ilike(pat, escape="\\")]
            if len(digits(q)) >= 3 and digits(q) == q.replace(" ", "").lstrip("+"):
                ors.append(_phone_digits_sql(c.mobile).like(f"%{digits(q)}%"))
            conds.append(or_(*ors))
        with self.db.read() as session:
            if group:
                conds.append(c.group_id == get_or_404(session, ENTITIES["customer_group"], group, field="group").id)
            if category:
                cat = self.ref(session, m.CustomerCategory, category, field="category", label=N_("Customer category"),
                                by=("code", "name"), active=False)
                conds.append(c.category_id == cat.id)
            if location:
                loc = self.ref_location(session, location, active=False)
                conds.append(c.id.in_(sa_select(m.CustomerLocation.customer_id)
                                      .where(m.CustomerLocation.location_id == loc.id)))
            count = session.execute(sa_select(func.count()).select_from(c).where(*conds)).scalar_one()
            cols = (c.id, c.code, c.name, c.kind, c.mobile, c.email, m.CustomerGroup.name, c.price_category,
                    c.inactive, c.created_at)
            tie = c.code.desc() if descending else c.code.asc()
            if sort == "total_purchases":  # needs every customer's total to order by it
                bought = purchases_by_customer()
                total = func.coalesce(bought.c.total, 0)
                stmt = (sa_select(*cols, total).select_from(c)
                        .outerjoin(bought, bought.c.customer_id == c.id)
                        .outerjoin(m.CustomerGroup, m.CustomerGroup.id == c.group_id)
                        .where(*conds).order_by(total.desc() if descending else total.asc(), tie)
                        .limit(limit).offset(offset))
                found = [(r[1:10], r[10]) for r in session.execute(stmt).all()]
            else:  # the page first, then the totals of its customers only
                key = {"name": func.lower(c.name), "code": c.code, "date_added": c.created_at}[sort]
                stmt = (sa_select(*cols).select_from(c)
                        .outerjoin(m.CustomerGroup, m.CustomerGroup.id == c.group_id)
                        .where(*conds).order_by(key.desc() if descending else key.asc(), tie)
                        .limit(limit).offset(offset))
                page = session.execute(stmt).all()
                ids = [r[0] for r in page]
                totals = dict(session.execute(
                    sa_select(m.Document.customer_id, func.sum(m.Document.net_usd))
                    .where(col(m.Document.customer_id).in_(ids), col(m.Document.doc_type).in_(SALE_TYPES),
                           m.Document.status == "posted").group_by(m.Document.customer_id)).all()) if ids else {}
                found = [(r[1:10], totals.get(r[0], 0)) for r in page]
            rows = tuple(CustomerRow(*r, _money(t)) for r, t in found)
            return Page(rows, count, limit, offset)

    def require_active_customer(self, session: Session, customer: str | int,
                                location_id: int | None = None) -> m.Customer:
        """For documents: the customer, refused if unknown, inactive or not assigned to the location."""
        if isinstance(customer, int):
            row = session.get(m.Customer, customer)
            label = str(customer)
        else:
            label = str(customer or "").strip().upper()
            if not label:
                raise ValidationError("Customer is required", field="customer")
            row = session.exec(select(m.Customer).where(m.Customer.code == label)).first()
        if row is None:
            raise NotFound("Customer {label} not found: add it in Customer or Customer (Cash) master",
                           field="customer", params={"label": _(label)})
        if row.inactive:
            raise InactiveRecord("Customer {code} {name} is inactive and cannot be used in transactions",
                                 field="customer", params={"code": row.code, "name": row.name})
        if location_id is not None:
            allowed = session.execute(sa_select(m.CustomerLocation.location_id).where(
                m.CustomerLocation.customer_id == row.id, m.CustomerLocation.location_id == location_id)).first()
            if allowed is None and row.location_id != location_id:
                loc = session.get(m.Location, location_id)
                raise ValidationError(
                    "Customer {code} is not assigned to location {location}",
                    field="customer", params={"code": row.code, "location": loc.code if loc else location_id})
        return row

    # ---------------------------------------------------------------- details
    def customer_details(self, code_key: str, *, limit: int = 50, offset: int = 0) -> "CustomerDetails":
        """Everything about one customer (POS guide "Customer details"): paged history lists."""
        limit, offset = check_paging(limit, offset)
        with self.db.read() as session:
            row = get_or_404(session, ENTITIES["customer"], code_key, field="code")
            info = self._customer_info(session, row)
            d, le = m.Document, m.LedgerEntry
            sale = and_(d.customer_id == row.id, col(d.doc_type).in_(SALE_TYPES), d.status == "posted")
            total_purchases = _sum(session, sa_select(func.sum(d.net_usd)).where(sale))
            outstanding = _sum(session, sa_select(func.sum(le.amount_usd)).where(le.customer_id == row.id))
            purchase_count = session.execute(sa_select(func.count()).select_from(d).where(sale)).scalar_one()
            due = (sa_select(le.document_id.label("document_id"), func.sum(le.amount_usd).label("amount"),
                             func.sum(le.open_usd).label("open"))
                   .where(le.customer_id == row.id, le.amount_usd > 0).group_by(le.document_id).subquery())
            rows = session.execute(
                sa_select(d.id, d.doc_type, d.number, d.doc_date, d.net_amount, d.currency, d.net_usd,
                          due.c.amount, due.c.open)
                .select_from(d).outerjoin(due, due.c.document_id == d.id).where(sale)
                .order_by(d.doc_date.desc(), d.id.desc()).limit(limit).offset(offset)
            ).all()
            purchases = tuple(
                PurchaseRow(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6], _money(r[8] or 0),
                            _payment_status(r[7], r[8]))
                for r in rows
            )
            pay = and_(le.customer_id == row.id, col(le.voucher_type).in_(PAYMENT_TYPES))
            payment_count = session.execute(sa_select(func.count()).select_from(le).where(pay)).scalar_one()
            payments = tuple(
                PaymentRow(r.number, r.voucher_type, r.doc_date, r.currency, -r.amount, -r.amount_usd, r.method,
                           r.reference)
                for r in session.exec(select(le).where(pay).order_by(col(le.doc_date).desc(), col(le.id).desc())
                                      .limit(limit).offset(offset)).all()
            )
            lt = m.LoyaltyTransaction
            points = session.execute(sa_select(func.coalesce(func.sum(lt.points), 0))
                                     .where(lt.customer_id == row.id)).scalar_one()
            loyalty_count = session.execute(sa_select(func.count()).select_from(lt)
                                            .where(lt.customer_id == row.id)).scalar_one()
            loyalty = tuple(
                LoyaltyRow(r[0], r[1], r[2], r[3], r[4])
                for r in session.execute(
                    sa_select(lt.date, lt.kind, lt.points, lt.value_usd, d.number)
                    .select_from(lt).outerjoin(d, d.id == lt.document_id).where(lt.customer_id == row.id)
                    .order_by(lt.date.desc(), lt.id.desc()).limit(limit).offset(offset)
                ).all()
            )
            available = max(Decimal("0.00"), row.credit_limit_usd - outstanding)
            return CustomerDetails(info, total_purchases, outstanding, row.credit_limit_usd, available, int(points),
                                   purchases, purchase_count, payments, payment_count, loyalty, loyalty_count)


def _money(value: Any) -> Decimal:
    """A SUM from SQL (scaled integer column types give Decimal; a bare 0 from coalesce an int)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return Decimal(int(value or 0)).quantize(Decimal("0.01"))


def _payment_status(amount: Decimal | None, open_: Decimal | None) -> str:
    if amount is None or amount == 0:
        return "paid"
    if open_ is None or open_ == 0:
        return "paid"
    if open_ >= amount:
        return "unpaid"
    return "partly paid"


__all__ = [
    "CUSTOMER_FIELDS", "CategoryInfo", "CustomerDetails", "CustomerInfo", "CustomerMasters", "CustomerRow",
    "GroupInfo", "GroupMember", "GroupSummary", "LoyaltyRow", "PaymentRow", "PurchaseRow", "SalesPersonInfo",
    "SimilarCustomer", "outstanding_by_customer", "purchases_by_customer",
]
