"""Customer masters: categories, groups, sales persons, customers, details (seed Sales Masters 01–04)."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.core.journal import RECEIVABLE, SALES_RETURNS, credit, debit
from shopterm.services.errors import (
    Duplicate, InactiveRecord, InUse, NotFound, PermissionDenied, PossibleDuplicate, ValidationError,
)
from shopterm.services.headless import post_one
from shopterm.services.documents.posting import PostingPlan
from shopterm.store import models as m

from .conftest import DAY

NEW = dict(name="Pharma Kasai", category="WH", group="Fleuve Group", sales_person="SP03", locations=["AXP"],
           credit_limit_usd="1000", credit_days="30", price_category="wholesale", mobile="+243 820 000 111",
           email="Achats@Kasai.cd")


def invoice(services, actor, customer: str, lines, *, currency: str = "USD", sales_person: str | None = None,
            date: str = "2026-11-23") -> dict:
    doc = {"type": "sales_invoice", "location": "AXP", "date": date, "customer": customer, "sales_type": "credit",
           "currency": currency, "rate": "2850", "lines": [{"item": i, "qty": q} for i, q in lines]}
    if sales_person:
        doc["sales_person"] = sales_person
    return post_one(services, actor, doc)


# ---------------------------------------------------------------- categories and groups


def test_category_create_unique_name_and_code(services, manager):
    masters = services.masters
    cat = masters.create_category(manager, name="institutional", code="in")
    assert (cat.code, cat.name, cat.inactive) == ("IN", "INSTITUTIONAL", False)
    with pytest.raises(Duplicate, match="Customer category INSTITUTIONAL already exists") as exc:
        masters.create_category(manager, name="Institutional", code="IN2")
    assert exc.value.field == "name"
    with pytest.raises(Duplicate, match="Category code WH is already used") as exc:
        masters.create_category(manager, name="Hospitals", code="wh")
    assert exc.value.field == "code"
    with pytest.raises(ValidationError, match="Category name is required"):
        masters.create_category(manager, name="  ", code="X")
    with pytest.raises(ValidationError, match="Category code is required"):
        masters.create_category(manager, name="Hospitals", code="")
    renamed = masters.update_category(manager, "IN", name="Institutions")
    assert renamed.name == "INSTITUTIONS"
    assert [c.code for c in masters.list_categories().rows] == ["IN", "RE", "WH"]  # by name
    assert [c.code for c in masters.list_categories(search="whole").rows] == ["WH"]


def test_group_name_unique_case_insensitive_and_rename(services, manager):
    masters = services.masters
    masters.create_group(manager, name="Hospital Group")
    with pytest.raises(Duplicate, match="Customer group fleuve group already exists"):
        masters.create_group(manager, name="fleuve group")
    with pytest.raises(ValidationError, match="Group name is required") as exc:
        masters.create_group(manager, name="")
    assert exc.value.field == "name"
    assert masters.update_group(manager, "hospital group", name="Hospitals").name == "Hospitals"
    assert [g.name for g in masters.list_groups().rows] == ["Fleuve Group", "Hospitals", "WALK-IN"]


def test_masters_need_a_manager(services, cashier):
    with pytest.raises(PermissionDenied, match="Customer categories needs a manager; cashier is a cashier"):
        services.masters.create_category(cashier, name="X", code="X")
    with pytest.raises(PermissionDenied):
        services.masters.create_customer(cashier, **NEW)
    with pytest.raises(PermissionDenied):
        services.masters.deactivate(cashier, "customer", "C0001")


# ---------------------------------------------------------------- sales persons


def test_sales_person_rules(services, manager):
    masters = services.masters
    sp = masters.create_sales_person(manager, code="sp04", name="Anne Lusamba", mobile="+243 99 123 4567")
    assert (sp.code, sp.name, sp.mobile) == ("SP04", "Anne Lusamba", "+243 99 123 4567")
    with pytest.raises(Duplicate, match=r"Sales person code SP01 already exists \(Jean Mukendi\)"):
        masters.create_sales_person(manager, code="SP01", name="Someone")
    with pytest.raises(ValidationError, match="mobile: 'call me' is not a phone number"):
        masters.create_sales_person(manager, code="SP05", name="X", mobile="call me")
    with pytest.raises(ValidationError, match="Sales person name is required"):
        masters.create_sales_person(manager, code="SP05", name="")
    updated = masters.update_sales_person(manager, "SP04", mobile="0991234567")
    assert (updated.name, updated.mobile) == ("Anne Lusamba", "0991234567")
    page = masters.list_sales_persons(search="kabila")
    assert [r.code for r in page.rows] == ["SP02"] and page.total == 1


# ---------------------------------------------------------------- customers


def test_create_credit_customer_every_field(services, manager):
    masters = services.masters
    with services.db.write() as s:
        s.add(m.Supplier(code="SUP1", name="Pharmakina"))
    c = masters.create_customer(manager, code="c0100", existing_vendor=True, supplier_name="sup1",
                                national_id="NID-1", loyalty_card="standard", nrc_no="CD/KIN/RCCM/1", impot_no="A123",
                                address="12 Av. du Commerce, Kinshasa", tax_exempt="yes", free_offer=True, **NEW)
    assert c.code == "C0100"
    assert (c.kind, c.category, c.category_name, c.group) == ("credit", "WH", "WHOLESALE", "Fleuve Group")
    assert (c.existing_vendor, c.supplier_name, c.control_account) == (True, "Pharmakina", RECEIVABLE)
    assert (c.credit_limit_usd, c.credit_days, c.price_category) == (D("1000.00"), 30, "wholesale")
    assert (c.loyalty_card, c.sales_person, c.sales_person_name) == ("Standard", "SP03", "Paul Tshisekedi")
    assert (c.email, c.mobile, c.tax_exempt, c.free_offer, c.inactive) == (
        "achats@kasai.cd", "+243 820 000 111", True, True, False)
    assert (c.national_id, c.nrc_no, c.impot_no) == ("NID-1", "CD/KIN/RCCM/1", "A123")
    assert c.locations == ("AXP",) and c.location is None
    assert masters.get_customer("c0100") == c


@pytest.mark.parametrize("change, field, message", [
    (dict(name=""), "name", "Customer name is required"),
    (dict(category=None), "category", "Customer category is required"),
    (dict(category="NOPE"), "category", "Customer category NOPE not found"),
    (dict(group=""), "group", "Customer group is required"),
    (dict(sales_person=None), "sales_person", "Sales person is required"),
    (dict(sales_person="SP99"), "sales_person", "Sales person SP99 not found"),
    (dict(locations=[]), "locations", "At least one location is required"),
    (dict(locations=["AXP", "ZZZ"]), "locations", "Location ZZZ not found"),
    (dict(credit_limit_usd="abc"), "credit_limit_usd", "credit_limit_usd: 'abc' is not a number"),
    (dict(credit_limit_usd="-5"), "credit_limit_usd", r"credit_limit_usd: must not be negative \(-5\)"),
    (dict(credit_days="-1"), "credit_days", r"credit_days: must be at least 0 \(-1\)"),
    (dict(credit_days="2.5"), "credit_days", "credit_days: '2.5' is not a whole number"),
    (dict(price_category="vip"), "price_category", r"Price category: one of retail, wholesale \('vip'\)"),
    (dict(email="achats@kasai"), "email", r"email: 'achats@kasai' is not an email address \(name@example.com\)"),
    (dict(mobile="abc"), "mobile", r"mobile: 'abc' is not a phone number \(digits, spaces, \+ - \( \)\)"),
    (dict(control_account="4000"), "control_account", r"Control account 4000 is not an asset account \(it is income\)"),
    (dict(control_account="9999"), "control_account", "Control account 9999 not found"),
    (dict(existing_vendor=True), "supplier_name", "Supplier name is required when the customer is an existing vendor"),
    (dict(loyalty_card="Gold"), "loyalty_card", "Loyalty card Gold not found"),
    (dict(kind="vendor"), "kind", r"Kind: one of credit, cash \('vendor'\)"),
])
def test_customer_field_errors_name_the_field(services, manager, change, field, message):
    with pytest.raises((ValidationError, NotFound)) as exc:
        services.masters.create_customer(manager, **{**NEW, **change})
    assert exc.value.field == field
    assert re.fullmatch(message, exc.value.message), exc.value.message
    with services.db.read() as s:  # nothing written
        assert s.exec(select(m.Customer).where(m.Customer.name == "Pharma Kasai")).first() is None


def test_a_credit_customer_in_a_shop_with_no_sales_person_says_where_to_add_one(services, manager):
    """A fresh shop has no sales person: a credit customer needs one, and the manager is told where to add it
    (the invoice says the same); with one active, a blank one is simply required."""
    with services.db.write() as s:
        for sp in s.exec(select(m.SalesPerson)).all():
            sp.inactive = True
    with pytest.raises(ValidationError) as exc:
        services.masters.create_customer(manager, **{**NEW, "sales_person": None})
    assert (exc.value.field, exc.value.message) == (
        "sales_person", "No sales person yet: a manager adds one in Masters → Sales Person")
    with services.db.read() as s:  # nothing written
        assert s.exec(select(m.Customer).where(m.Customer.name == "Pharma Kasai")).first() is None


def test_unique_code_and_auto_code(services, manager):
    masters = services.masters
    assert masters.next_customer_code() == "C0003"
    c = masters.create_customer(manager, **NEW)  # blank code: the "…" button
    assert c.code == "C0003"
    with services.db.write() as s:
        s.add(m.Customer(code="C0010", name="Ten", kind="cash"))
    assert masters.next_customer_code() == "C0011"
    assert masters.next_customer_code("CC") == "CC0001"
    with pytest.raises(Duplicate, match=r"Customer code C0001 already exists \(Kinshasa Pharma\)") as exc:
        masters.create_customer(manager, code="C0001", **{**NEW, "name": "Other", "mobile": ""})
    assert exc.value.field == "code"


def test_inactive_references_are_refused(services, manager):
    masters = services.masters
    masters.deactivate(manager, "sales_person", "SP03")
    with pytest.raises(InactiveRecord, match="Sales person SP03 is inactive") as exc:
        masters.create_customer(manager, **NEW)
    assert exc.value.field == "sales_person"


def test_search_before_you_create(services, manager):
    masters = services.masters
    # same name (case, spacing and punctuation aside)
    similar = masters.find_similar("  kinshasa   PHARMA. ", "")
    assert [(s.code, s.reason) for s in similar] == [("C0001", "same name")]
    # same phone written differently (C0002's mobile is +243810000002)
    assert [(s.code, s.reason) for s in masters.find_similar("Someone", "0810 000 002")] == [("C0002", "same mobile")]
    assert masters.find_similar("Kinshasa", "") == []  # a part of a name is not the same name
    with pytest.raises(PossibleDuplicate) as exc:
        masters.create_customer(manager, **{**NEW, "name": "Kinshasa Pharma", "mobile": "+243 810 000 002"})
    assert exc.value.matches == ("C0001", "C0002")
    assert exc.value.message == (
        "Possible duplicate: C0001 Kinshasa Pharma (same name), C0002 Pharmacie du Fleuve (same mobile). "
        "Check the existing customer, or confirm to create a new one")
    assert exc.value.code == "possible_duplicate"
    c = masters.create_customer(manager, confirm_duplicate=True,
                                **{**NEW, "name": "Kinshasa Pharma", "mobile": "+243 810 000 002"})
    assert c.code == "C0003"
    # an update does not warn
    assert masters.update_customer(manager, "C0003", address="Matadi").address == "Matadi"


def test_cash_customer(services, manager):
    masters = services.masters
    c = masters.create_customer(manager, kind="cash", location="axp", category="RE", group="WALK-IN",
                                name="Mama Nzuzi", price_category="retail", telephone="0812223344")
    assert c.mobile == "0812223344"  # the cash screen's "Telephone No"
    assert (c.kind, c.location, c.locations, c.sales_person, c.credit_limit_usd) == ("cash", "AXP", ("AXP",), None,
                                                                                     D("0.00"))
    with pytest.raises(ValidationError, match="Location is required for a cash customer") as exc:
        masters.create_customer(manager, kind="cash", category="RE", group="WALK-IN", name="Papa Kalala")
    assert exc.value.field == "location"
    with pytest.raises(ValidationError, match="A cash customer has no credit limit"):
        masters.create_customer(manager, kind="cash", location="AXP", category="RE", group="WALK-IN",
                                name="Papa Kalala", credit_limit_usd="10")
    assert [r.code for r in masters.list_customers(kind="cash").rows] == [c.code, "CASH"]  # by name


def test_update_only_changes_given_fields_and_is_audited(services, manager):
    masters = services.masters
    before = masters.get_customer("C0001")
    after = masters.update_customer(manager, "C0001", credit_limit_usd="7500", email="kp@pharma.cd",
                                    sales_person="sp02")
    assert (after.credit_limit_usd, after.email) == (D("7500.00"), "kp@pharma.cd")
    assert (after.name, after.sales_person, after.loyalty_card, after.locations) == (
        before.name, "SP02", before.loyalty_card, before.locations)
    with pytest.raises(ValidationError, match="A customer's code cannot be changed"):
        masters.update_customer(manager, "C0001", code="X1")
    with pytest.raises(ValidationError, match="unknown customer field 'colour'"):
        masters.update_customer(manager, "C0001", colour="red")
    with pytest.raises(NotFound, match="Customer C9999 not found"):
        masters.update_customer(manager, "C9999", name="x")
    history = masters.history("customer", "C0001")
    assert [h.action for h in history] == ["update"]
    changes = dict((k, (b, a)) for k, b, a in history[0].changes())
    assert changes["credit_limit_usd"] == ("5000.00", "7500.00")
    assert changes["email"] == ("", "kp@pharma.cd")
    assert changes["sales_person"] == ("SP01", "SP02")  # codes, not row ids
    assert "sales_person_id" not in changes and "updated_at" not in changes
    assert history[0].user_name == "manager"


def test_locations_replace(services, admin):
    masters = services.masters
    masters.create_location(admin, code="BRA", name="Branch", number=2)
    c = masters.update_customer(admin, "C0001", locations=["AXP", "BRA"])
    assert c.locations == ("AXP", "BRA")
    c = masters.update_customer(admin, "C0001", locations="BRA")
    assert c.locations == ("BRA",)
    with services.db.read() as s:
        rows = s.exec(select(m.CustomerLocation).where(m.CustomerLocation.customer_id == c.id)).all()
        assert len(rows) == 1


def test_deactivate_instead_of_delete(services, manager, open_shop):
    masters = services.masters
    invoice(services, manager, "C0002", [("BAND01", "2")])
    with pytest.raises(InUse) as exc:
        masters.delete(manager, "customer", "C0002")
    assert exc.value.message.startswith("Customer C0002 is used (")
    assert exc.value.message.endswith("): deactivate it instead of deleting it")
    assert "documents" in exc.value.message and "ledger entries" in exc.value.message
    masters.deactivate(manager, "customer", "C0002")
    assert masters.get_customer("C0002").inactive is True
    # an inactive customer is refused in a document (the sales service) and by the shared check
    with pytest.raises(InactiveRecord, match="Customer C0002 is inactive"):
        services.sales.customer_info("C0002", "AXP")
    with pytest.raises(InactiveRecord, match="Customer C0002 Pharmacie du Fleuve is inactive"):
        with services.db.read() as s:
            masters.require_active_customer(s, "C0002")
    # the list's status filter
    assert "C0002" not in [r.code for r in masters.list_customers().rows]
    assert [r.code for r in masters.list_customers(status="inactive").rows] == ["C0002"]
    masters.reactivate(manager, "customer", "C0002")
    assert services.sales.customer_info("C0002", "AXP").code == "C0002"
    assert [h.action for h in masters.history("customer", "C0002")] == ["deactivate", "reactivate"]

    new = masters.create_customer(manager, **NEW)  # never used: may be deleted
    masters.delete(manager, "customer", new.code)
    with pytest.raises(NotFound):
        masters.get_customer(new.code)
    with services.db.read() as s:
        assert s.exec(select(m.CustomerLocation).where(m.CustomerLocation.customer_id == new.id)).first() is None
    assert [h.action for h in masters.history("customer", new.id)] == ["create", "delete"]


def test_require_active_customer_checks_location(services, admin):
    masters = services.masters
    loc = masters.create_location(admin, code="BRA", name="Branch", number=2)
    with services.db.read() as s:
        assert masters.require_active_customer(s, "c0001").code == "C0001"
        with pytest.raises(ValidationError, match="Customer C0001 is not assigned to location BRA"):
            masters.require_active_customer(s, "C0001", location_id=loc.id)
        with pytest.raises(NotFound, match="Customer C0404 not found"):
            masters.require_active_customer(s, "C0404")


def test_list_search_sort_and_paging(services, manager, open_shop):
    masters = services.masters
    masters.create_customer(manager, **{**NEW, "name": "Alpha Pharma", "mobile": "+243 899 111 222",
                                        "email": "alpha@ph.cd"})
    invoice(services, manager, "C0002", [("AMOX250", "10")])  # 72.00 + 11.52 tax = 83.52
    invoice(services, manager, "C0001", [("BAND01", "10")])  # 11.00, no tax
    ms = masters
    assert [r.code for r in ms.list_customers().rows] == ["C0003", "C0001", "C0002", "CASH"]  # by name
    assert [r.code for r in ms.list_customers(search="899 111").rows] == ["C0003"]  # phone as typed
    assert [r.code for r in ms.list_customers(search="899111").rows] == ["C0003"]  # phone digits
    assert [r.code for r in ms.list_customers(search="ALPHA@").rows] == ["C0003"]  # email
    assert [r.code for r in ms.list_customers(search="c000").rows] == ["C0003", "C0001", "C0002"]  # code
    assert [r.code for r in ms.list_customers(search="100%").rows] == []  # wildcards are literal
    by_total = ms.list_customers(sort="total_purchases")
    assert [(r.code, r.total_purchases_usd) for r in by_total.rows][:2] == [("C0002", D("83.52")), ("C0001", D("11.00"))]
    assert [r.code for r in ms.list_customers(sort="date_added").rows][0] == "C0003"  # newest first
    page = ms.list_customers(limit=2, offset=2)
    assert ([r.code for r in page.rows], page.total, page.has_more) == (["C0002", "CASH"], 4, False)
    assert ms.list_customers(limit=2).has_more is True
    assert [r.code for r in ms.list_customers(group="fleuve group").rows] == ["C0003", "C0001", "C0002"]
    assert [r.code for r in ms.list_customers(group="WALK-IN").rows] == ["CASH"]
    with pytest.raises(ValidationError, match="Sort: one of name, code, date_added, total_purchases"):
        ms.list_customers(sort="age")
    with pytest.raises(ValidationError, match="Status: one of active, inactive, all"):
        ms.list_customers(status="gone")


# ---------------------------------------------------------------- details and group summary


def test_customer_details_figures(services, manager, open_shop):
    masters = services.masters
    r1 = invoice(services, manager, "C0001", [("PARA500", "10")])  # 10 × 2.20 = 22.00 + 16 % = 25.52 USD
    r2 = invoice(services, manager, "C0001", [("BAND01", "4")], currency="CDF")  # 4 × 1.10 × 2850 = 12,540 CDF
    r3 = invoice(services, manager, "C0001", [("AMOX250", "5")])  # 5 × 7.20 = 36.00 + 5.76 = 41.76 USD
    assert (r1["totals"]["net"], r2["totals"]["net_usd"], r2["totals"]["receivable_usd"], r3["totals"]["net"]) == (
        "25.52", "4.40", "4.39", "41.76")
    # a payment on account of 40 USD settles the oldest invoices first: SI1 (25.52), SI2 (4.39), 10.09 of SI3
    pay = post_one(services, manager, {"type": "customer_payment", "location": "AXP", "date": "2026-11-23",
                                       "customer": "C0001", "currency": "USD", "rate": "2850", "amount": "40",
                                       "method": "cash"})
    cid = masters.get_customer("C0001").id
    with services.db.write() as s:  # loyalty points held (earned elsewhere): +12, −5
        doc = s.exec(select(m.Document).where(m.Document.number == r1["number"])).one()
        s.add(m.LoyaltyTransaction(customer_id=cid, document_id=doc.id, date=DAY, kind="earn", points=12,
                                   value_usd=D("0")))
        s.add(m.LoyaltyTransaction(customer_id=cid, date=DAY, kind="redeem", points=-5, value_usd=D("0.50")))

    d = masters.customer_details("C0001")
    assert d.customer.code == "C0001"
    assert d.total_purchases_usd == D("71.68")  # 25.52 + 4.40 + 41.76 (net USD)
    assert d.outstanding_usd == D("31.67")  # 25.52 + 4.39 + 41.76 − 40.00
    assert (d.credit_limit_usd, d.available_credit_usd) == (D("5000.00"), D("4968.33"))
    assert d.purchase_count == 3
    assert [(p.number, p.net, p.currency, p.net_usd, p.open_usd, p.payment_status) for p in d.purchases] == [
        (r3["number"], D("41.76"), "USD", D("41.76"), D("31.67"), "partly paid"),
        (r2["number"], D("12540.00"), "CDF", D("4.40"), D("0.00"), "paid"),
        (r1["number"], D("25.52"), "USD", D("25.52"), D("0.00"), "paid"),
    ]
    assert [(p.number, p.voucher_type, p.amount, p.amount_usd, p.method) for p in d.payments] == [
        (pay["number"], "CR", D("40.00"), D("40.00"), "cash")]
    assert d.loyalty_points == 7
    assert [(x.kind, x.points, x.number) for x in d.loyalty_history] == [("redeem", -5, None),
                                                                         ("earn", 12, r1["number"])]
    # paging
    page = masters.customer_details("C0001", limit=1, offset=1)
    assert [p.number for p in page.purchases] == [r2["number"]] and page.purchase_count == 3
    # an unpaid invoice
    r4 = invoice(services, manager, "C0002", [("BAND01", "1")])
    d2 = masters.customer_details("C0002")
    assert [(p.number, p.payment_status) for p in d2.purchases] == [(r4["number"], "unpaid")]
    assert (d2.outstanding_usd, d2.available_credit_usd) == (D("1.10"), D("498.90"))


def test_available_credit_never_negative(services, manager, open_shop):
    services.masters.update_customer(manager, "C0002", credit_limit_usd="10")
    invoice(services, manager, "C0002", [("BAND01", "5")])  # 5.50
    assert services.masters.customer_details("C0002").available_credit_usd == D("4.50")
    services.masters.update_customer(manager, "C0002", credit_limit_usd="0")
    assert services.masters.customer_details("C0002").available_credit_usd == D("0.00")


def test_group_summary(services, manager, open_shop):
    invoice(services, manager, "C0001", [("PARA500", "10")])  # 25.52
    invoice(services, manager, "C0002", [("AMOX250", "10")])  # 83.52
    # a return of 10.00 USD for C0002 (posted directly: Dr sales returns, Cr receivable)
    with services.db.write() as s:
        c2 = s.exec(select(m.Customer).where(m.Customer.code == "C0002")).one()
        loc = s.exec(select(m.Location).where(m.Location.code == "AXP")).one()
        doc = m.Document(doc_type="SR", location_id=loc.id, doc_date=DAY, customer_id=c2.id, net_amount=D("10"),
                         net_usd=D("10"))
        services.posting.post(s, manager, PostingPlan(doc=doc, journal=[
            debit(SALES_RETURNS, D("10")), credit(RECEIVABLE, D("10"), customer_id=c2.id)]))
    g = services.masters.group_summary("Fleuve Group")
    assert [(x.code, x.total_purchases_usd, x.outstanding_usd) for x in g.members] == [
        ("C0001", D("25.52"), D("25.52")), ("C0002", D("83.52"), D("73.52"))]
    assert (g.total_purchases_usd, g.outstanding_usd) == (D("109.04"), D("99.04"))
    with pytest.raises(NotFound, match="Customer group Nobody not found"):
        services.masters.group_summary("Nobody")
