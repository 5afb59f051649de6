"""Shared fixtures for the service tests: a demo-like shop on a real SQLite file
(or a PostgreSQL database with ``SHOPTERM_TEST_DB``, see tests/backend.py).

Other test modules rely on these names; keep them stable.

Fixtures
--------
``services``     a fresh copy of the demo-like shop below (each test gets its own
                 file or database); business date fixed at :data:`DAY`. **No shop day is open.**
``open_shop``    the same ``services`` with the AXP day :data:`DAY` open (a bare
                 ``shop_day`` row, no OP document: it does not depend on the day service).
``cashier`` / ``manager`` / ``admin``   :class:`Actor` of those users (no PIN check).
``empty_services``   a migrated database with nothing in it.

``fresh_services``   a factory: ``with fresh_services() as svc:`` gives another new
                 copy of the shop (e.g. one per Hypothesis example).

Helpers: :func:`seed_demo_like`, :func:`open_day` (bare ``shop_day`` row),
:func:`actor`, :func:`ask_pin_always` (Shop Setup asks a manager's PIN even from a manager). Constants: :data:`DAY`, :data:`RATE`, :data:`PINS`, :data:`ITEMS`.

The shop (:func:`seed_demo_like`, DESIGN §11 "demo shop", trimmed)
----------------------------------------------------------------
- location AXP "Axpert", number 01, CDF increment 100, USD increment 0.01, with its
  Shop Setup (cash customer CASH, cash ledgers 1100/1110, shortage 6900, max
  shortage 5 USD / 10,000 CDF); the default chart of accounts; cost centre SHOP.
- system rate 2850 from 2026-11-23 (no rate before that date).
- users ``cashier``/1111, ``manager``/2222, ``admin``/9999, all at AXP.
- sales persons SP01 Jean Mukendi, SP02 Marie Kabila, SP03 Paul Tshisekedi.
- customer categories RE "RETAIL", WH "WHOLESALE"; groups "WALK-IN", "Fleuve Group".
- loyalty card "Standard" (doc date 2026-01-01; retail: 10 USD per point;
  1 point = 0.10 USD; redemption every 30 days).
- items (USD prices at AXP effective 2026-01-01; no CDF prices)::

    code     name                          unit  pack tax  retail wholesale cost  batches (expiry, qty at AXP)
    PARA500  Paracetamol 500 mg (box 100)  BOX   100  16   2.50   2.20      1.60  B001 (2027-06-30, 500), B002 (2027-01-31, 100)
    AMOX250  Amoxicillin 250 mg (box 20)   BOX   20   16   7.99   7.20      5.10  A001 (2027-03-31, 200)
    BAND01   Bandage roll 5 cm             ROLL  1    0    1.25   1.10      0.70  D001 (2029-12-31, 1000)

  Batch cost = the item's cost. Opening stock is one ``stock_move`` per batch,
  kind ``receipt``, dated 2026-11-01, with no document and **no journal**: the
  books (journal, customer ledger) start empty.
- customers::

    code   name                  kind    category price cat. limit  days group         card      mobile         locations
    C0001  Kinshasa Pharma       credit  WH       wholesale  5000   30   Fleuve Group  Standard  +243810000001  AXP
    C0002  Pharmacie du Fleuve   credit  WH       wholesale  500    15   Fleuve Group  Standard  +243810000002  AXP
    CASH   Walk-In Customer      cash    RE       retail     0      0    WALK-IN       —         —              AXP (cash customer)

  C0001's sales person is SP01, C0002's SP02.
- discount slab DS0001 (doc date 2026-01-01, AXP): 0–99: 0 %, 100–499: 3 %,
  500–999: 5 %, 1000+: 8 %.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pytest
from sqlmodel import select

from tests import backend

DAY = dt.date(2026, 11, 23)
RATE = D("2850")
PRICE_DATE = dt.date(2026, 1, 1)
STOCK_DATE = dt.date(2026, 11, 1)
PINS = {"cashier": "1111", "manager": "2222", "admin": "9999"}

ITEMS = [
    # code, name, unit, pack, tax, retail, wholesale, cost, [(batch, expiry, qty)]
    ("PARA500", "Paracetamol 500 mg (box 100)", "BOX", "100", "16", "2.50", "2.20", "1.60",
     [("B001", dt.date(2027, 6, 30), "500"), ("B002", dt.date(2027, 1, 31), "100")]),
    ("AMOX250", "Amoxicillin 250 mg (box 20)", "BOX", "20", "16", "7.99", "7.20", "5.10",
     [("A001", dt.date(2027, 3, 31), "200")]),
    ("BAND01", "Bandage roll 5 cm", "ROLL", "1", "0", "1.25", "1.10", "0.70",
     [("D001", dt.date(2029, 12, 31), "1000")]),
]
SLABS = [("0", "99", "0"), ("100", "499", "3"), ("500", "999", "5"), ("1000", None, "8")]


@lru_cache(maxsize=None)
def _pin_hash(pin: str) -> str:
    from shopterm.services.admin.users import hash_pin

    return hash_pin(pin)


def seed_demo_like(services) -> None:
    """Fill an empty, migrated database with the shop described in this module's docstring."""
    from shopterm.store import models as m

    services.setup.init_shop(location_code="AXP", location_name="Axpert", rate="2850", admin_pin="9999",
                             rate_date=DAY, phone="+243810000000")
    with services.db.write() as s:
        loc = s.exec(select(m.Location).where(m.Location.code == "AXP")).one()
        for name, role in (("cashier", "cashier"), ("manager", "manager")):
            s.add(m.User(name=name, full_name=name.capitalize(), pin_hash=_pin_hash(PINS[name]), role=role,
                         location_id=loc.id))
        sps = {}
        for code, name in (("SP01", "Jean Mukendi"), ("SP02", "Marie Kabila"), ("SP03", "Paul Tshisekedi")):
            sps[code] = m.SalesPerson(code=code, name=name, mobile=f"+2439900000{code[-2:]}")
            s.add(sps[code])
        wh = s.exec(select(m.CustomerCategory).where(m.CustomerCategory.code == "WH")).one()
        group = m.CustomerGroup(name="Fleuve Group")
        card = m.LoyaltyCard(name="Standard", doc_date=PRICE_DATE, redemption_frequency_days=30,
                             value_per_point_usd=D("0.10"))
        s.add_all([group, card])
        s.flush()
        s.add(m.LoyaltyCardCategory(card_id=card.id, price_category="retail", sales_amount_per_point=D("10")))
        for code, name, limit, days, sp in (("C0001", "Kinshasa Pharma", "5000", 30, "SP01"),
                                            ("C0002", "Pharmacie du Fleuve", "500", 15, "SP02")):
            c = m.Customer(code=code, name=name, kind="credit", category_id=wh.id, group_id=group.id,
                           price_category="wholesale", credit_limit_usd=D(limit), credit_days=days,
                           loyalty_card_id=card.id, mobile=f"+24381000000{code[-1]}", sales_person_id=sps[sp].id)
            s.add(c)
            s.flush()
            s.add(m.CustomerLocation(customer_id=c.id, location_id=loc.id))
        for code, name, unit, pack, tax, retail, wholesale, cost, batches in ITEMS:
            item = m.Item(code=code, name=name, unit=unit, pack_size=D(pack), tax_rate=D(tax), cost_usd=D(cost))
            s.add(item)
            s.flush()
            s.add(m.Price(location_id=loc.id, item_id=item.id, currency="USD", retail_price=D(retail),
                          wholesale_price=D(wholesale), effective_from=PRICE_DATE, update_no="OPENING"))
            for bcode, expiry, qty in batches:
                b = m.Batch(item_id=item.id, code=bcode, expiry=expiry, cost_usd=D(cost))
                s.add(b)
                s.flush()
                s.add(m.StockMove(location_id=loc.id, item_id=item.id, batch_id=b.id, date=STOCK_DATE, qty=D(qty),
                                  unit_cost_usd=D(cost), kind="receipt"))
        slab = m.DiscountSlab(doc_no="DS0001", doc_date=PRICE_DATE)
        s.add(slab)
        s.flush()
        s.add(m.DiscountSlabLocation(slab_id=slab.id, location_id=loc.id))
        for lo, hi, pct in SLABS:
            s.add(m.DiscountSlabRange(slab_id=slab.id, from_value=D(lo), to_value=None if hi is None else D(hi),
                                      pct=D(pct)))


def open_day(services, date: dt.date = DAY, location: str = "AXP") -> None:
    """Mark the location's day open with a bare ``shop_day`` row (no OP document)."""
    from shopterm.store import models as m

    with services.db.write() as s:
        loc = s.exec(select(m.Location).where(m.Location.code == location)).one()
        s.add(m.ShopDay(location_id=loc.id, date=date, status="open"))


def ask_pin_always(services, location: str = "AXP") -> None:
    """Shop Setup's "ask for the PIN even when a manager is signed in" on (two people per approval)."""
    admin = actor(services, "admin")
    st = services.masters.get_shop_setup(location)
    services.masters.save_shop_setup(
        admin, location, cash_customer=st.cash_customer, cash_ledger_local=st.cash_ledger_local,
        cash_ledger_base=st.cash_ledger_base, shortage_ledger=st.shortage_ledger,
        max_shortage_usd=st.max_shortage_usd, max_shortage_cdf=st.max_shortage_cdf, approval_pin_always=True)


def actor(services, name: str):
    """The :class:`Actor` of a user, without a PIN check."""
    from shopterm.services.admin.users import actor_of
    from shopterm.store.models import User

    with services.db.read() as s:
        return actor_of(s.exec(select(User).where(User.name == name)).one())


# ---------------------------------------------------------------- the template database
# On SQLite a prepared file is copied per test; on PostgreSQL (SHOPTERM_TEST_DB, see
# tests/backend.py) a database is cloned per test from a template database.


def _build_template(url: str) -> None:
    from shopterm.services import Services

    svc = Services.open(url, today=DAY)
    seed_demo_like(svc)
    svc.db.dispose()


def _template(tmp_path_factory) -> str:
    """The URL of the seeded shop, built once per worker."""
    return backend.make_template("template", tmp_path_factory, _build_template)


def _copy_services(template: str, target_dir: Path):
    from shopterm.services import Services

    return Services.open(backend.clone(template, target_dir), upgrade=False, today=DAY)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory) -> str:
    return _template(tmp_path_factory)


@pytest.fixture
def services(_template_db, tmp_path):
    svc = _copy_services(_template_db, tmp_path)
    yield svc
    svc.db.dispose()


@pytest.fixture
def open_shop(services):
    open_day(services)
    return services


@pytest.fixture
def empty_services(tmp_path):
    from shopterm.services import Services

    svc = Services.open(backend.new_url(tmp_path, "empty.db"), today=DAY)
    yield svc
    svc.db.dispose()


@pytest.fixture
def fresh_services(_template_db, tmp_path_factory):
    """A factory: ``with fresh_services() as svc:`` gives a new seeded shop (day not open)."""

    @contextmanager
    def make() -> Iterator:
        svc = _copy_services(_template_db, tmp_path_factory.mktemp("fresh"))
        try:
            yield svc
        finally:
            svc.db.dispose()
            backend.release(svc.db.url)

    return make


@pytest.fixture
def cashier(services):
    return actor(services, "cashier")


@pytest.fixture
def manager(services):
    return actor(services, "manager")


@pytest.fixture
def admin(services):
    return actor(services, "admin")
