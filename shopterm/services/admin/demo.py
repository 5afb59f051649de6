"""The demo shop of DESIGN §11 (``shopterm demo``).

Location AXP "Axpert" (01), system rate 2850, CDF increment 100; users
cashier/1111 (sales person SP01), manager/2222, admin/9999; sales persons SP01–SP03; the seed's
discount slabs; the "Standard" loyalty card; 21 pharmacy items with retail and
wholesale USD prices and batches received through a stock receipt; ten
customers. The day is not opened: the cashier opens it.

After :meth:`SetupService.init_shop`, the masters are written in one
transaction and audited as "demo seed"; the opening stock comes in through
:meth:`StockService.receive` (one GRN per supplier); a final "seed" audit row
marks the database as the demo. :func:`is_demo` looks for that row, so
``shopterm demo`` reuses a demo instead of building it twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from shopterm.core import narration as nt
from ...core.money import Currency
from ...store.models import (
    AuditLog,
    Customer,
    CustomerCategory,
    CustomerGroup,
    CustomerLocation,
    DiscountSlab,
    DiscountSlabLocation,
    DiscountSlabRange,
    Item,
    Location,
    LoyaltyCard,
    LoyaltyCardCategory,
    Price,
    SalesPerson,
    Supplier,
    User,
)
from . import audit
from ..context import Actor
from ..errors import Duplicate
from .users import actor_of, hash_pin

if TYPE_CHECKING:
    from .. import Services
    from .setup import SetupInfo

D = Decimal

LOCATION_CODE = "AXP"
LOCATION_NAME = "Axpert"
RATE = "2850"
#: Prices, the rate and the opening stock are dated this many days before the demo date.
DAYS_BEFORE = 30

#: (name, PIN, role, full name)
USERS = (
    ("cashier", "1111", "cashier", "Demo Cashier"),
    ("manager", "2222", "manager", "Demo Manager"),
)

SALES_PERSONS = (
    ("SP01", "Patrick Ilunga", "+243 81 555 0101"),
    ("SP02", "Esther Mwamba", "+243 82 555 0102"),
    ("SP03", "Didier Kalala", "+243 97 555 0103"),
)

SUPPLIERS = (
    ("SUP01", "Pharmakina Distribution"),
    ("SUP02", "Medical Supplies Congo"),
)

#: (from USD, to USD or None, percent) — the seed's discount slabs.
SLABS = (
    (D("0"), D("99"), D("0")),
    (D("100"), D("499"), D("3")),
    (D("500"), D("999"), D("5")),
    (D("1000"), None, D("8")),
)


@dataclass(frozen=True, slots=True)
class DemoItem:
    code: str
    name: str
    unit: str
    pack_size: str
    tax_rate: str
    retail: str
    wholesale: str
    cost: str
    supplier: str
    batches: tuple[tuple[str, dt.date | None, str], ...]  # (code, expiry, qty)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


ITEMS: tuple[DemoItem, ...] = (
    # the three items of DESIGN §11, exactly
    DemoItem("PARA500", "Paracetamol 500 mg (box 100)", "BOX", "100", "16", "2.50", "2.20", "1.60", "SUP01",
             (("B001", _d("2027-06-30"), "500"), ("B002", _d("2027-01-31"), "100"))),
    DemoItem("AMOX250", "Amoxicillin 250 mg (box 20)", "BOX", "20", "16", "7.99", "7.20", "5.10", "SUP01",
             (("A001", _d("2027-03-31"), "200"),)),
    DemoItem("BAND01", "Bandage roll 5 cm", "ROLL", "1", "0", "1.25", "1.10", "0.70", "SUP02",
             (("D001", _d("2029-12-31"), "1000"),)),
    # the rest of the shelf
    DemoItem("IBU400", "Ibuprofen 400 mg (box 30)", "BOX", "30", "16", "3.20", "2.85", "2.00", "SUP01",
             (("I001", _d("2027-09-30"), "300"),)),
    DemoItem("ORS01", "Oral rehydration salts (sachet)", "SACHET", "1", "0", "0.35", "0.30", "0.18", "SUP02",
             (("R001", _d("2028-02-29"), "2000"),)),
    DemoItem("ARTE20", "Artemether/Lumefantrine 20/120 mg (box 24)", "BOX", "24", "16", "6.50", "5.90", "4.20", "SUP01",
             (("L001", _d("2027-08-31"), "250"),)),
    DemoItem("METRO250", "Metronidazole 250 mg (box 100)", "BOX", "100", "16", "4.75", "4.30", "3.10", "SUP01",
             (("M001", _d("2027-11-30"), "150"),)),
    DemoItem("CIPRO500", "Ciprofloxacin 500 mg (box 10)", "BOX", "10", "16", "5.40", "4.90", "3.50", "SUP01",
             (("C001", _d("2028-01-31"), "120"),)),
    DemoItem("VITC500", "Vitamin C 500 mg (tube 20)", "TUBE", "20", "16", "1.80", "1.60", "1.05", "SUP02",
             (("V001", _d("2027-12-31"), "400"),)),
    DemoItem("ZINC20", "Zinc sulfate 20 mg (box 10)", "BOX", "10", "16", "1.50", "1.35", "0.90", "SUP02",
             (("Z001", _d("2028-05-31"), "300"),)),
    DemoItem("OMEP20", "Omeprazole 20 mg (box 28)", "BOX", "28", "16", "3.90", "3.50", "2.40", "SUP01",
             (("O001", _d("2027-10-31"), "180"),)),
    DemoItem("COTRI480", "Cotrimoxazole 480 mg (box 100)", "BOX", "100", "16", "4.20", "3.80", "2.70", "SUP01",
             (("T001", _d("2027-07-31"), "100"), ("T002", _d("2028-07-31"), "60"))),
    DemoItem("SALB100", "Salbutamol inhaler 100 mcg", "PCS", "1", "16", "4.99", "4.50", "3.20", "SUP01",
             (("S001", _d("2027-05-31"), "80"),)),
    DemoItem("GLOVE-M", "Examination gloves, medium (box 100)", "BOX", "100", "0", "6.00", "5.40", "3.90", "SUP02",
             (("G001", _d("2029-06-30"), "200"),)),
    DemoItem("SYR5ML", "Syringe 5 ml with needle", "PCS", "1", "0", "0.15", "0.12", "0.07", "SUP02",
             (("Y001", _d("2030-03-31"), "5000"),)),
    DemoItem("GAUZE10", "Sterile gauze 10 x 10 cm (pack 100)", "PACK", "100", "0", "3.50", "3.10", "2.10", "SUP02",
             (("Q001", _d("2029-09-30"), "250"),)),
    DemoItem("ALCO70", "Alcohol 70 % (bottle 500 ml)", "BTL", "1", "16", "2.10", "1.90", "1.30", "SUP02",
             (("H001", _d("2028-12-31"), "300"),)),
    DemoItem("MEBEN500", "Mebendazole 500 mg (tablet)", "PCS", "1", "16", "0.40", "0.35", "0.22", "SUP01",
             (("E001", _d("2028-03-31"), "1000"),)),
    DemoItem("FERRO200", "Ferrous sulfate 200 mg (box 100)", "BOX", "100", "16", "2.30", "2.05", "1.40", "SUP01",
             (("F001", _d("2028-04-30"), "200"),)),
    DemoItem("DICLO50", "Diclofenac 50 mg (box 100)", "BOX", "100", "16", "2.80", "2.50", "1.75", "SUP01",
             (("K001", _d("2027-12-31"), "220"),)),
    DemoItem("THERMO", "Digital thermometer", "PCS", "1", "16", "3.75", "3.40", "2.30", "SUP02",
             (("N001", None, "60"),)),
)


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    code: str
    name: str
    kind: str  # credit | cash
    category: str  # customer category code
    group: str
    price_category: str
    credit_limit: str
    credit_days: int
    sales_person: str | None
    loyalty: bool
    mobile: str
    address: str


CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer("C0001", "Kinshasa Pharma", "credit", "WH", "Fleuve Group", "wholesale", "5000", 30, "SP01", True,
                 "+243 81 600 1001", "12 avenue du Commerce, Gombe, Kinshasa"),
    DemoCustomer("C0002", "Pharmacie du Fleuve", "credit", "WH", "Fleuve Group", "wholesale", "500", 15, "SP01", True,
                 "+243 82 600 1002", "4 boulevard du 30 Juin, Kinshasa"),
    DemoCustomer("C0003", "Clinique Ngaliema", "credit", "WH", "Clinics", "wholesale", "3000", 30, "SP02", False,
                 "+243 99 600 1003", "Avenue de la Clinique, Ngaliema, Kinshasa"),
    DemoCustomer("C0004", "Centre de Santé Matonge", "credit", "WH", "Clinics", "wholesale", "1500", 30, "SP02", False,
                 "+243 81 600 1004", "Rue Kanda-Kanda, Kalamu, Kinshasa"),
    DemoCustomer("C0005", "Hôpital Saint-Joseph", "credit", "WH", "Clinics", "wholesale", "10000", 45, "SP02", False,
                 "+243 97 600 1005", "Avenue Kabambare, Limete, Kinshasa"),
    DemoCustomer("C0006", "Pharmacie Lemba Terminus", "credit", "RE", "Pharmacies", "retail", "800", 15, "SP03", True,
                 "+243 84 600 1006", "Terminus Lemba, Kinshasa"),
    DemoCustomer("C0007", "Dispensaire Kintambo", "credit", "WH", "Clinics", "wholesale", "1000", 30, "SP03", False,
                 "+243 85 600 1007", "Place Magasin, Kintambo, Kinshasa"),
    DemoCustomer("C0008", "Pharmacie Victoire", "credit", "RE", "Pharmacies", "retail", "300", 7, "SP03", True,
                 "+243 81 600 1008", "Rond-point Victoire, Kalamu, Kinshasa"),
    DemoCustomer("C0009", "Grace Mbuyi", "cash", "RE", "WALK-IN", "retail", "0", 0, None, True,
                 "+243 89 600 1009", "Bandalungwa, Kinshasa"),
)

PHONE = "+243815550100"  # the shop's: the walk-in customer's Contact No
SEED_ACTION = "seed"
SEED_ENTITY = "demo"


def is_demo(services: "Services") -> bool:
    """True when the database holds the demo shop (its seed row is there)."""
    with services.db.read() as session:
        return _has_seed(session)


def _has_seed(session: Session) -> bool:
    row = session.exec(
        select(AuditLog.id).where(AuditLog.action == SEED_ACTION, AuditLog.entity == SEED_ENTITY).limit(1)
    ).first()
    return row is not None


def ensure_demo(services: "Services", today: dt.date | None = None) -> bool:
    """Build the demo shop unless the database already holds it. True when built now.

    A database that holds some other shop is refused (the demo never writes into a real shop).
    Several processes starting the demo on a new database at once: one builds it, the others
    wait for it and reuse it.
    """
    with services.db.setup_lock():
        if is_demo(services):
            return False
        if services.setup.is_initialised():
            raise Duplicate("This database holds a shop that is not the demo: give the demo its own --db file",
                            field="db")
        build_demo(services, today or services.today())
        return True


def build_demo(services: "Services", today: dt.date) -> "SetupInfo":
    """Create the demo shop of DESIGN §11 in an empty database; ``today`` is the demo's date."""
    since = today - dt.timedelta(days=DAYS_BEFORE)
    services.setup.init_shop(location_code=LOCATION_CODE, location_name=LOCATION_NAME, rate=RATE, admin_pin="9999",
                             rate_date=since, cdf_increment=D("100"), phone=PHONE)
    with services.db.write() as session:
        loc = session.exec(select(Location).where(Location.code == LOCATION_CODE)).one()
        admin = session.exec(select(User).where(User.name == "admin")).one()
        actor = actor_of(admin)
        seeded: list[tuple[str, int, str]] = []  # (entity, id, summary) for the audit log

        for name, pin, role, full_name in USERS:
            user = User(name=name, full_name=full_name, pin_hash=hash_pin(pin), role=role, location_id=loc.id)
            session.add(user)
            session.flush()
            seeded.append(("user", user.id, f"demo seed: user {name} ({role})"))

        persons: dict[str, int] = {}
        for code, name, mobile in SALES_PERSONS:
            sp = SalesPerson(code=code, name=name, mobile=mobile)
            session.add(sp)
            session.flush()
            persons[code] = sp.id
            seeded.append(("sales_person", sp.id, f"demo seed: sales person {code}"))
        # the cashier sells as SP01: the Delegue of the invoices they enter (DESIGN §12 "Counter flow")
        session.exec(select(User).where(User.name == "cashier")).one().sales_person_id = persons["SP01"]

        for code, name in SUPPLIERS:
            sup = Supplier(code=code, name=name)
            session.add(sup)
            session.flush()
            seeded.append(("supplier", sup.id, f"demo seed: supplier {code}"))

        slab = DiscountSlab(doc_no="DS000001", doc_date=since)
        session.add(slab)
        session.flush()
        session.add_all([DiscountSlabRange(slab_id=slab.id, from_value=lo, to_value=hi, pct=pct) for lo, hi, pct in SLABS])
        session.add(DiscountSlabLocation(slab_id=slab.id, location_id=loc.id))
        seeded.append(("discount_slab", slab.id, "demo seed: discount slabs 0/3/5/8 %"))

        card = LoyaltyCard(name="Standard", doc_date=since, redemption_frequency_days=30, value_per_point_usd=D("0.10"))
        session.add(card)
        session.flush()
        session.add_all([LoyaltyCardCategory(card_id=card.id, price_category=pc, sales_amount_per_point=D("10"))
                         for pc in ("retail", "wholesale")])
        seeded.append(("loyalty_card", card.id, "demo seed: loyalty card Standard"))

        seeded += _customers(session, loc, persons, card.id)
        seeded += _items(session, actor, loc, since)

        audit.record_rows(session, [
            dict(at=_now(), user_id=actor.user_id, user_name=actor.name, action="create", entity=entity,
                 entity_id=entity_id, summary=summary)
            for entity, entity_id, summary in seeded
        ])
        loc_id = loc.id

    receipts = _receive_stock(services, actor, since)

    with services.db.write() as session:  # last: only a complete demo is recognised as one
        audit.record_rows(session, [dict(
            at=_now(), user_id=actor.user_id, user_name=actor.name, action=SEED_ACTION, entity=SEED_ENTITY,
            entity_id=loc_id, summary=f"demo seed: {len(ITEMS)} items, {len(CUSTOMERS) + 1} customers, "
                                      f"stock receipts {', '.join(receipts)}, dated {since}",
        )])
    return services.setup.info(LOCATION_CODE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _customers(session: Session, loc: Location, persons: dict[str, int], card_id: int) -> list[tuple[str, int, str]]:
    categories = dict(session.exec(select(CustomerCategory.code, CustomerCategory.id)).all())
    groups = dict(session.exec(select(CustomerGroup.name, CustomerGroup.id)).all())
    seeded = []
    for c in CUSTOMERS:
        if c.group not in groups:
            group = CustomerGroup(name=c.group)
            session.add(group)
            session.flush()
            groups[c.group] = group.id
            seeded.append(("customer_group", group.id, f"demo seed: customer group {c.group}"))
        cust = Customer(
            code=c.code, name=c.name, kind=c.kind, category_id=categories[c.category], group_id=groups[c.group],
            price_category=c.price_category, credit_limit_usd=D(c.credit_limit), credit_days=c.credit_days,
            sales_person_id=persons.get(c.sales_person) if c.sales_person else None,
            loyalty_card_id=card_id if c.loyalty else None, mobile=c.mobile, address=c.address,
            location_id=loc.id if c.kind == "cash" else None,
        )
        session.add(cust)
        session.flush()
        session.add(CustomerLocation(customer_id=cust.id, location_id=loc.id))
        seeded.append(("customer", cust.id, f"demo seed: customer {c.code}"))
    return seeded


def _items(session: Session, actor: Actor, loc: Location, since: dt.date) -> list[tuple[str, int, str]]:
    """Items and their USD retail/wholesale prices at the location, effective ``since``."""
    seeded: list[tuple[str, int, str]] = []
    for it in ITEMS:
        item = Item(code=it.code, name=it.name, unit=it.unit, pack_size=D(it.pack_size), tax_rate=D(it.tax_rate),
                    cost_usd=D(it.cost))
        session.add(item)
        session.flush()
        session.add(Price(location_id=loc.id, item_id=item.id, currency=Currency.USD.value, retail_price=D(it.retail),
                          wholesale_price=D(it.wholesale), effective_from=since, update_no="DEMO",
                          created_by=actor.user_id))
        seeded.append(("item", item.id, f"demo seed: item {it.code}"))
    return seeded


def _receive_stock(services: "Services", actor: Actor, since: dt.date) -> list[str]:
    """The opening stock: one stock receipt (GRN) per supplier, through the stock service."""
    numbers = []
    for supplier, _name in SUPPLIERS:
        lines = [
            {"item": it.code, "batch": code, "qty": qty, "cost_usd": it.cost,
             "expiry": expiry.isoformat() if expiry else None, "supplier_batch": f"{supplier}-{code}",
             "mfg_date": expiry.replace(year=expiry.year - 3, day=1).isoformat() if expiry else None}
            for it in ITEMS if it.supplier == supplier
            for code, expiry, qty in it.batches
        ]
        result = services.stock.receive(actor, location=LOCATION_CODE, date=since, supplier=supplier, lines=lines,
                                        narration=nt.OPENING_STOCK_DEMO)
        numbers.append(result.number)
    return numbers
