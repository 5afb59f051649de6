"""Merge duplicate customers (issue 16): everything moves to the customer kept, balances before =
after to the cent, the journal (final, hash-chained) untouched and `db verify` still intact.

Figures by hand (AXP, 2026-11-23, rate 2850):
- C0001 Kinshasa Pharma (wholesale): SI 10 PARA500 at 2.20 = 22.00 + VAT 3.52 = 25.52 USD.
- C0009 "Kinshasa Pharma SARL", the duplicate (retail, card Standard: 10 USD a point):
  SI 20 PARA500 at 2.50 = 50.00 + VAT 8.00 = 58.00 USD;
  SI in CDF, 8 BAND01 at 1.25 × 2850 = 3,562.50 → 28,500.00 CDF (no VAT, no round off) = 10.00 USD;
  a payment on account of 20.00 USD settles the oldest open invoice: 58.00 → 38.00 open.
  C0009's balance 58.00 + 10.00 − 20.00 = 48.00 USD.
- After: C0001 owes 25.52 + 48.00 = 73.52 USD; open items 25.52 USD, 38.00 USD and
  28,500.00 CDF; C0009 owes nothing and is inactive, merged into C0001. A receipt of 38.00 USD
  for the moved invoice leaves 35.52 USD.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from shopterm.services.admin import chain
from shopterm.services.documents import holds
from shopterm.services.sales.provisional import DeliveryDraft
from shopterm.services.sales.returns import DirectReturnDraft, ReturnDraft
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import NotFound, PermissionDenied, ValidationError
from shopterm.store import balances as running
from shopterm.store.models import AuditLog, Document, DraftHold, JournalLine

from .conftest import DAY


def dup_customer(s, manager, code="C0009", **kw):
    args = dict(code=code, name="Kinshasa Pharma SARL", category="WH", group="Fleuve Group", sales_person="SP01",
                price_category="retail", credit_limit_usd="1000", credit_days=30, loyalty_card="Standard",
                mobile="+243810000009", email="compta@kinpharma.example", locations=["AXP"])
    args.update(kw)
    return s.masters.create_customer(manager, confirm_duplicate=True, **args)


def sale(s, cashier, customer, lines, currency="USD"):
    return s.sales.post_invoice(cashier, DocumentDraft(location="AXP", date=DAY, customer=customer, sales_type="credit",
                                                       currency=currency, rate="2850",
                                                       lines=[DraftLine(*l) for l in lines])).number


def open_items(s, manager, code):
    return sorted((r.number, r.currency, r.open_amount, r.open_usd)
                  for r in s.ledger.open_items(manager, DAY, code).rows)


def test_merge_moves_everything_and_balances_hold(open_shop, cashier, manager):
    s = open_shop
    dup_customer(s, manager)
    si1 = sale(s, cashier, "C0001", [("PARA500", "B001", "10")])
    si2 = sale(s, cashier, "C0009", [("PARA500", "B001", "20")])
    si3 = sale(s, cashier, "C0009", [("BAND01", "D001", "8")], currency="CDF")
    s.ledger.record_payment(cashier, customer="C0009", amount="20.00", location="AXP", date=DAY)
    assert (s.ledger.balance(manager, "C0001"), s.ledger.balance(manager, "C0009")) == (D("25.52"), D("48.00"))
    points = s.loyalty.points("C0001") + s.loyalty.points("C0009")
    assert s.loyalty.points("C0009") > 0
    with s.db.read() as ss:
        journal_before = ss.execute(select(JournalLine.id, JournalLine.customer_id).order_by(JournalLine.id)).all()

    result = s.merge.merge(manager, "C0001", ["c0009"])
    assert (result.kept, result.merged, result.balance_usd) == ("C0001", ("C0009",), D("73.52"))
    assert (result.documents, result.ledger_entries, result.matches) == (3, 3, 1)
    assert s.ledger.balance(manager, "C0001") == D("73.52")
    assert s.ledger.balance(manager, "C0009") == D("0.00")
    # the invoice's credit check reads the same from the sums per month (customer_month)
    assert s.sales.customer_info("C0001").outstanding_usd == D("73.52")
    assert open_items(s, manager, "C0001") == sorted([
        (si1, "USD", D("25.52"), D("25.52")), (si2, "USD", D("38.00"), D("38.00")),
        (si3, "CDF", D("28500.00"), D("10.00"))])
    # the ageing follows the entries: every open amount of C0009 is now C0001's (25.52 + 38.00 + 10.00)
    assert {a.code: a.total for a in s.ledger.ageing(manager).rows} == {"C0001": D("73.52")}
    with s.db.read() as ss:
        assert running.stored_open(ss) == running.recomputed_open(ss)
        assert running.stored_open_months(ss) == running.recomputed_open_months(ss)
        assert running.stored_customer_months(ss) == running.recomputed_customer_months(ss)
    assert s.loyalty.points("C0001") == points and s.loyalty.points("C0009") == 0
    assert {s.sales.document(n).customer for n in (si1, si2, si3)} == {"C0001"}
    dup = s.masters.get_customer("C0009")
    assert (dup.inactive, dup.merged_into) == (True, "C0001")
    kept = s.masters.get_customer("C0001")
    assert kept.email == "compta@kinpharma.example"  # filled from the duplicate (C0001 had none)
    # one audit row names both; F4 on the kept customer shows the duplicate's history too
    with s.db.read() as ss:
        rows = ss.execute(select(AuditLog).where(AuditLog.action == "merge")).scalars().all()
        assert len(rows) == 1 and "C0009 Kinshasa Pharma SARL into C0001 Kinshasa Pharma" in rows[0].summary
        # the journal is final: its lines still name the customer they were posted to
        assert ss.execute(select(JournalLine.id, JournalLine.customer_id).order_by(JournalLine.id)).all() \
            == journal_before
        assert all(r.ok for r in chain.verify(ss)), [r.problem for r in chain.verify(ss)]
    actions = [h.action for h in s.masters.history("customer", "C0001")]
    assert actions.count("create") == 1 and actions[-1] == "merge"  # the duplicate's creation is listed
    # the duplicate is refused on new documents; the kept one sells and its receipt settles the moved item
    with pytest.raises(Exception) as e:
        sale(s, cashier, "C0009", [("BAND01", "D001", "1")])
    assert "inactive" in str(e.value).lower()
    s.cash.post_receipt(cashier, invoice=si2, received_usd="38.00")
    assert s.ledger.balance(manager, "C0001") == D("35.52")
    assert open_items(s, manager, "C0001") == sorted([(si1, "USD", D("25.52"), D("25.52")),
                                                      (si3, "CDF", D("28500.00"), D("10.00"))])


def test_merge_refusals_say_why_and_change_nothing(open_shop, cashier, manager, admin):
    s = open_shop
    dup_customer(s, manager)
    sale(s, cashier, "C0009", [("BAND01", "D001", "4")])  # 5.00 USD
    with pytest.raises(PermissionDenied):
        s.merge.merge(cashier, "C0001", ["C0009"])
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0001", ["C0001"])
    assert e.value.message == "C0001 is the customer kept: it cannot be its own duplicate"
    with pytest.raises(NotFound):
        s.merge.merge(manager, "C0001", ["C0404"])
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0001", ["CASH"])
    assert e.value.message == "CASH is the walk-in customer of AXP (Shop Setup): keep it, merge the other into it"
    # a draft of either customer open on a screen (here: till-2, Ada's app) blocks
    draft_id = s.sales.save_draft(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0001",
                                                         lines=[DraftLine("BAND01", "D001", "1")]))
    s.holds.sync(cashier, "app-till-2", "till-2", [draft_id])
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0001", ["C0009"])
    assert e.value.message == f"Draft #{draft_id} (SI) of C0001 is open on till till-2 by cashier: close it there first"
    s.holds.release_all("app-till-2")
    s.sales.discard_draft(cashier, draft_id)
    # a cash customer cannot take a credit customer's balance
    s.masters.create_customer(manager, code="C0010", name="Walk-in twin", kind="cash", category="RE",
                              group="WALK-IN", location="AXP", confirm_duplicate=True)
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0010", ["C0009"])
    assert e.value.message == ("C0010 is a cash customer: it cannot take the 5.00 USD that credit customer C0009 owes; "
                               "keep C0009 instead")
    # receivables on another control account
    s.masters.create_account(admin, code="1210", name="Receivables (export)", kind="asset")
    s.masters.update_customer(manager, "C0002", control_account="1210")
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0009", ["C0002"])
    assert e.value.message == ("C0002 is kept on account 1210 and C0009 on 1200: one receivable account cannot take "
                               "the other's open items")
    assert s.ledger.balance(manager, "C0009") == D("5.00")
    assert not s.masters.get_customer("C0002").inactive
    with s.db.read() as ss:
        assert ss.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "merge")).scalar() == 0


def test_merge_moves_every_kind_of_draft_unless_one_is_open_on_a_screen(open_shop, cashier, manager):
    """Drafts of the duplicate (invoice, order, proforma, provisional invoice, delivery note, sales
    return, direct return) move to the kept customer, on the row and in the stored form; a draft open
    on a screen blocks the merge, naming it, the user and the till, until the screen leaves it or its
    till stops refreshing the hold (crashed: stale after 5 minutes)."""
    s = open_shop
    dup_customer(s, manager)
    si = sale(s, cashier, "C0009", [("PARA500", "B001", "10")])  # 25.00 + VAT 4.00 = 29.00 USD

    def doc(doc_type):
        return DocumentDraft(location="AXP", doc_type=doc_type, date=DAY, customer="C0009", sales_type="credit",
                             lines=[DraftLine("BAND01", "D001", "2")])

    ids = {
        "SI": s.sales.save_draft(cashier, doc("SI")),
        "SO": s.orders.save_draft(cashier, doc("SO")),
        "PF": s.orders.save_draft(cashier, doc("PF")),
        "PI": s.provisional.save_draft(cashier, doc("PI")),
        "DN": s.provisional.save_delivery_draft(cashier, DeliveryDraft(location="AXP", date=DAY, customer="C0009")),
        "SR": s.returns.save_draft(cashier, ReturnDraft(location="AXP", date=DAY, invoice=si, customer="C0009",
                                                        narration="damaged")),
        "RD": s.returns.save_direct_draft(cashier, DirectReturnDraft(location="AXP", date=DAY, customer="C0009")),
    }
    kept_draft = s.sales.save_draft(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0001"))
    # the SI draft is open on the manager's till and on a till that crashed 6 minutes ago
    s.holds.sync(manager, "app-1", "till-1", [ids["SI"]])
    s.holds.sync(cashier, "app-crashed", "till-3", [ids["PI"]])
    with s.db.write() as ss:
        ss.execute(DraftHold.__table__.update().where(DraftHold.holder == "app-crashed")
                   .values(seen_at=holds._now() - holds.STALE - holds.dt.timedelta(minutes=1)))
    with pytest.raises(ValidationError) as e:
        s.merge.merge(manager, "C0001", ["C0009"])
    assert e.value.message == (f"Draft #{ids['SI']} (SI) of C0009 is open on till till-1 by manager: "
                               "close it there first")
    assert e.value.field == "duplicates"
    assert [h.document_id for h in s.holds.holds(ids.values())] == [ids["SI"]]  # the crashed till's is stale
    assert s.masters.get_customer("C0009").merged_into is None  # nothing written
    # the screen leaves the draft: the merge goes ahead and moves all seven drafts
    s.holds.sync(manager, "app-1", "till-1", [])
    assert s.ledger.balance(manager, "C0009") == D("29.00")
    result = s.merge.merge(manager, "C0001", ["C0009"])
    assert result.drafts == tuple(sorted(ids.values()))
    assert (result.documents, result.balance_usd) == (1, D("29.00"))  # the posted invoice; drafts counted apart
    assert s.ledger.balance(manager, "C0001") == D("29.00") and s.ledger.balance(manager, "C0009") == D("0.00")
    assert result.message == ("Merged C0009 into C0001: 1 documents, 7 drafts, 1 ledger entries, 0 matches, "
                              "1 loyalty rows moved; balance 29.00 USD")
    # reopened, each draft shows the kept customer
    assert s.sales.load_draft(ids["SI"]).customer == "C0001"
    assert s.orders.load_draft(ids["SO"]).customer == "C0001"
    assert s.orders.load_draft(ids["PF"]).customer == "C0001"
    assert s.provisional.load_draft(ids["PI"]).customer == "C0001"
    assert s.provisional.load_delivery_draft(ids["DN"]).customer == "C0001"
    assert s.returns.load_draft(ids["SR"]).customer == "C0001"
    assert s.returns.load_direct_draft(ids["RD"]).customer == "C0001"
    with s.db.read() as ss:
        owners = dict(ss.execute(select(Document.id, Document.customer_id)
                                 .where(Document.status == "draft")).all())
        assert set(owners) == {*ids.values(), kept_draft}
        assert {ss.get(Document, i).customer_id for i in owners} == {ss.execute(
            select(Document.customer_id).where(Document.id == kept_draft)).scalar()}
        row = ss.execute(select(AuditLog).where(AuditLog.action == "merge")).scalars().one()
        assert row.after["drafts"] == sorted(ids.values())
        assert f"drafts #{ids['SI']}, #{ids['SO']}" in row.summary and "C0009" in row.summary
    # the moved invoice draft posts for the kept customer
    posted = s.sales.post_invoice(cashier, s.sales.load_draft(ids["SI"]), ids["SI"])
    assert s.sales.document(posted.number).customer == "C0001"
    # at the kept customer's (wholesale) price: 29.00 + 2 × 1.10 (BAND01, no VAT) = 31.20
    assert s.ledger.balance(manager, "C0001") == D("31.20")


def test_a_hold_is_refreshed_while_its_app_runs_and_goes_stale_when_it_stops(open_shop, cashier):
    """sync() takes, refreshes and drops one app's holds; a hold its app stopped refreshing for
    more than STALE (5 minutes) no longer counts."""
    s = open_shop
    a = s.sales.save_draft(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0001"))
    b = s.sales.save_draft(cashier, DocumentDraft(location="AXP", date=DAY, customer="C0002"))
    s.holds.sync(cashier, "app-1", "till-1", [a, b])
    s.holds.sync(cashier, "app-2", "till-2", [b])
    assert sorted((h.document_id, h.till) for h in s.holds.holds([a, b])) == [(a, "till-1"), (b, "till-1"),
                                                                             (b, "till-2")]
    old = holds._now() - holds.STALE - holds.dt.timedelta(seconds=1)
    with s.db.write() as ss:
        ss.execute(DraftHold.__table__.update().values(seen_at=old))
    assert s.holds.holds([a, b]) == []  # both apps silent for over 5 minutes
    s.holds.sync(cashier, "app-1", "till-1", [a])  # app-1's refresh: a kept (fresh again), b dropped
    assert [(h.document_id, h.till) for h in s.holds.holds([a, b])] == [(a, "till-1")]
    with s.db.read() as ss:
        assert ss.execute(select(func.count()).select_from(DraftHold)
                          .where(DraftHold.holder == "app-1")).scalar() == 1
    s.holds.release_all("app-1")
    s.holds.release_all("app-2")
    with s.db.read() as ss:
        assert ss.execute(select(func.count()).select_from(DraftHold)).scalar() == 0
