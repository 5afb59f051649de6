"""The services' refusals read in the reader's language (issue 14).

The same refusal raised in English and under ``i18n.use("fr")``: the French text
with its figures written the French way (``1 000,50``, ``23/11/2026``), the English
text unchanged, and the same ``code`` / ``message_id`` in both (what scripts match on).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlmodel import select

from shopterm.core import i18n
from shopterm.services.documents.drafts import DocumentDraft, DraftLine
from shopterm.services.errors import (
    ApprovalDenied,
    CreditLimitExceeded,
    DayClosed,
    DayNotOpen,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    PriceNeedsApproval,
    ShopError,
    ValidationError,
)
from shopterm.store.models import Customer, ShopDay

from .conftest import DAY

NB = "\u00a0"  # the French thousands mark


def draft(lines, **kw) -> DocumentDraft:
    args = dict(location="AXP", date=DAY, customer="C0002", sales_type="credit", currency="USD", rate="2850",
                sales_person="SP02", flat_discount_type="amount", flat_discount_value="0")
    args.update(kw)
    return DocumentDraft(lines=[DraftLine(*line) for line in lines], **args)


def band(qty: str, **kw) -> DocumentDraft:
    """BAND01 (no tax) at 1.25: net = qty × 1.25."""
    return draft([("BAND01", "D001", qty, "1.25", "0", "0")], **kw)


def refusal(call) -> ShopError:
    with pytest.raises(ShopError) as info:
        call()
    return info.value


def both(call) -> tuple[ShopError, ShopError]:
    """The refusal raised in English, then the same one raised in French."""
    english = refusal(call)
    with i18n.use("fr"):
        french = refusal(call)
    assert (french.code, french.message_id, french.field) == (english.code, english.message_id, english.field)
    return english, french


def french_text(err: ShopError) -> str:
    with i18n.use("fr"):
        return err.message


def test_stock_short_reads_in_french_with_french_quantities(open_shop, cashier):
    # D001 holds 1000 rolls; 1500 asked
    english, french = both(lambda: open_shop.sales.post_invoice(cashier, band("1500")))
    assert isinstance(english, InsufficientStock)
    assert english.message == "Insufficient stock: batch D001 of BAND01 holds 1,000, 1,500 asked"
    assert french_text(french) == f"Stock insuffisant : le lot D001 de BAND01 contient 1{NB}000, 1{NB}500 demandé(s)"
    assert english.message_id == "Insufficient stock: batch {code} of {item_code} holds {held}, {qty} asked"


def test_credit_limit_reads_in_french_with_french_amounts(open_shop, cashier):
    s = open_shop
    with s.db.write() as ss:
        c = ss.exec(select(Customer).where(Customer.code == "C0002")).one()
        c.credit_limit_usd = D("1000.50")
        ss.add(c)
    s.sales.post_invoice(cashier, band("800"))  # 1,000.00 owed
    english, french = both(lambda: s.sales.post_invoice(cashier, band("96")))  # 120.00 more
    assert isinstance(english, CreditLimitExceeded) and english.code == "credit_limit"
    assert english.message == ("Credit limit exceeded: C0002 owes 1,000.00, limit 1,000.50, available 0.50, "
                               "this invoice 120.00 — a manager's approval is needed")
    assert french_text(french) == (f"Plafond de crédit dépassé : C0002 doit 1{NB}000,00, plafond 1{NB}000,50, "
                                   "disponible 0,50, cette facture 120,00 — l'approbation d'un gérant est nécessaire")
    # a cashier's approval is refused, in French too, with the role in French
    english, french = both(lambda: s.sales.post_invoice(
        cashier, band("96", approver="cashier", approver_pin="1111")))
    assert isinstance(english, ApprovalDenied)
    assert english.message == "Approval refused: cashier is a cashier, not a manager"
    assert french_text(french) == "Approbation refusée : cashier est un caissier, pas un gérant"


def test_price_below_cost_needs_approval_in_french(open_shop, cashier):
    english, french = both(lambda: open_shop.sales.post_invoice(
        cashier, draft([("PARA500", "B001", "1", "1.50", "0", "0")])))
    assert isinstance(english, PriceNeedsApproval)
    assert english.message == "Line 1: PARA500 at 1.50 USD is below its cost 1.60 USD — a manager's approval is needed"
    assert french_text(french) == ("Ligne 1 : PARA500 à 1,50 USD est sous son coût 1,60 USD — "
                                   "l'approbation d'un gérant est nécessaire")


def test_closed_and_unopened_days_read_in_french_with_french_dates(services, open_shop, cashier):
    english, french = both(lambda: open_shop.sales.post_invoice(cashier, band("1", customer="C0009")))
    assert isinstance(english, NotFound)
    assert english.message == "Customer C0009 not found"
    assert french_text(french) == "Client C0009 introuvable"
    with open_shop.db.write() as ss:
        day = ss.execute(select(ShopDay)).scalar_one()
        day.status = "closed"
        ss.add(day)
    english, french = both(lambda: open_shop.sales.post_invoice(cashier, band("1")))
    assert isinstance(english, DayClosed)
    assert english.message == "Shop Close is done for AXP on 2026-11-23: no more transactions on that date"
    assert french_text(french) == ("La clôture de caisse est faite pour AXP le 23/11/2026 : "
                                   "plus aucune opération à cette date")


def test_day_not_open_and_permission_in_french(services, cashier):
    english, french = both(lambda: services.sales.post_invoice(cashier, band("1")))
    assert isinstance(english, DayNotOpen)
    assert english.message == "Shop is not open for AXP on 2026-11-23: run Shop Open first"
    assert french_text(french) == ("La caisse n'est pas ouverte pour AXP le 23/11/2026 : "
                                   "faites d'abord l'ouverture de caisse")
    english, french = both(lambda: services.day.close_day(cashier, location="AXP", date=DAY, physical_usd="0", physical_cdf="0"))
    assert isinstance(english, PermissionDenied)
    assert english.message == "Shop Close needs a manager; cashier is a cashier"
    assert french_text(french) == "Clôture de caisse : réservé à un gérant ; cashier est un caissier"


def test_a_rule_of_the_core_reads_in_french(open_shop, cashier):
    """A money rule (core) inside a service refusal: French text, French decimal mark."""
    english, french = both(lambda: open_shop.sales.post_invoice(
        cashier, draft([("PARA500", "B001", "1", "2.5055", "0", "0")])))
    assert isinstance(english, ValidationError)
    assert english.message == "Line 1: price: at most 2 decimal places (2.5055)"
    assert french_text(french) == "Ligne 1 : prix : 2 décimales au plus (2,5055)"


def test_the_message_is_rendered_in_the_language_it_is_read_in(open_shop, cashier):
    """An error raised in English reads in French where a French reader shows it (and back)."""
    err = refusal(lambda: open_shop.sales.post_invoice(cashier, band("1", customer="C0009")))
    assert str(err) == "Customer C0009 not found"
    with i18n.use("fr"):
        assert str(err) == "Client C0009 introuvable"
        assert err.as_dict() == {"error": "Client C0009 introuvable", "code": "not_found", "field": "customer"}
    assert err.message == "Customer C0009 not found"


def test_history_names_the_action_in_french_and_keeps_the_stored_summary(open_shop, cashier):
    """The audit log stays as written (hash-chained, English); History names the action the reader's way."""
    r = open_shop.sales.post_invoice(cashier, band("2", customer="CASH", sales_type="cash", sales_person="SP01"))
    rows = open_shop.sales.history(open_shop.sales.document(r.number).id)
    assert rows
    row = rows[-1]
    english = (row.shown_action, row.summary)
    with i18n.use("fr"):
        french = (row.shown_action, row.summary)
    assert french[1] == english[1]  # the stored text is not re-worded
    assert row.action in ("post", "create")
    assert english[0] in ("posted", "created")
    assert french[0] in ("comptabilisé", "créé")


def test_two_approvals_read_as_one_refusal_in_either_language(open_shop, cashier):
    """Credit limit and a price below cost on one invoice: one refusal, the manager's line said once."""
    s = open_shop
    s.sales.post_invoice(cashier, band("360"))  # C0002 owes 450.00 of its 500.00
    # 96 × 1.25 = 120.00 (no tax) + 1 × 1.50 + 16 % tax 0.24 = 1.74 → 121.74
    lines = [("BAND01", "D001", "96", "1.25", "0", "0"), ("PARA500", "B001", "1", "1.50", "0", "0")]
    english, french = both(lambda: s.sales.post_invoice(cashier, draft(lines)))
    assert english.message_id == "{reasons} — a manager's approval is needed"
    assert english.message == ("Credit limit exceeded: C0002 owes 450.00, limit 500.00, available 50.00, "
                               "this invoice 121.74 · Line 2: PARA500 at 1.50 USD is below its cost 1.60 USD"
                               " — a manager's approval is needed")
    assert french_text(french) == ("Plafond de crédit dépassé : C0002 doit 450,00, plafond 500,00, disponible 50,00, "
                                   "cette facture 121,74 · Ligne 2 : PARA500 à 1,50 USD est sous son coût 1,60 USD"
                                   " — l'approbation d'un gérant est nécessaire")
