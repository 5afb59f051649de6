"""Printed documents in French (issue 14): each document of the day printed in French carries the
same figures as in English, written the French way (``156 400,00`` with U+00A0 as the group mark,
``23/11/2026``), in the 48-column text and the A4 PDF (its fonts take é, à, ç and U+00A0). A print
uses the customer's language, else the shop's; ``lang=`` overrides.

The documents are those of tests/store/test_printing.py (figures worked there by hand): the
DESIGN §4 invoice for C0002 (payable 156,400 CDF), a cash sale paid 50 USD + 20,000 CDF (change
6,100 CDF), a provisional invoice and its delivery note, a return, a direct return, a commission
payment, shop receipt/payment vouchers, an exchange, a refund, a payment on account, the shop close
and C0002's statement."""

from __future__ import annotations

import re

import pytest

from shopterm.core import i18n
from shopterm.printing.text import WIDTH
from shopterm.services.sales.commission import CommissionDraft, CommissionLine
from shopterm.services.sales.returns import DirectReturnDraft, DirectReturnLine, ReturnDraft, ReturnLine
from shopterm.store.models import Supplier

from .test_cash import float_in, post_test_return
from .test_printing import WORKED, _cash_sale, draft, letterhead, pdf_text

NBSP = "\u00a0"
EN_AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)")
FR_AMOUNT = re.compile(r"-?\d{1,3}(?:\u00a0\d{3})*,\d{2}(?!\d)")
EN_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
FR_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def squash(text: str) -> list[str]:
    """The lines with runs of spaces made one; U+00A0 (a number's group mark) is kept."""
    return [re.sub(r" +", " ", line).strip() for line in text.splitlines()]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


@pytest.fixture
def shop(open_shop):
    letterhead(open_shop)
    return open_shop


def as_french(amount: str) -> str:
    return amount.replace(",", NBSP).replace(".", ",")


def figures(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The amounts and the dates of a print, in order, the amounts written the French way."""
    if lang == "en":
        return [as_french(a) for a in EN_AMOUNT.findall(text)], [f"{d}/{m}/{y}" for y, m, d in EN_DATE.findall(text)]
    return FR_AMOUNT.findall(text), [f"{d}/{m}/{y}" for d, m, y in FR_DATE.findall(text)]


def the_day(shop, cashier, manager) -> dict[str, str]:
    """Every kind of printed document, posted on the test day."""
    with shop.db.write() as s:
        s.add(Supplier(code="SUP01", name="Pharmakina SA"))
    docs: dict[str, str] = {}
    docs["receipt_voucher"] = float_in(shop, cashier, "USD", "200")
    float_in(shop, cashier, "CDF", "500000")
    docs["invoice"] = shop.sales.post_invoice(cashier, draft(agent_commission=True)).number  # pays commission
    docs["cash_invoice"], docs["receipt"] = _cash_sale(shop, cashier)
    docs["provisional"] = shop.provisional.post(cashier, draft([(i, None, q, p, d, f) for i, _, q, p, d, f in WORKED],
                                                               doc_type="PI")).number
    docs["delivery"] = shop.provisional.post_delivery(cashier, shop.provisional.delivery_draft(docs["provisional"])).number
    docs["return"] = shop.returns.post(cashier, ReturnDraft(based_on="invoice", invoice=docs["invoice"],
                                                            narration="Damaged boxes",
                                                            lines=[ReturnLine("PARA500", "2", "B001")])).number
    docs["direct_return"] = shop.returns.post_direct(cashier, DirectReturnDraft(
        customer="C0002", address="7 Avenue du Fleuve", narration="Old stock",
        lines=[DirectReturnLine("BAND01", "D009", "SUP01", "PK-778", "2028-05-31", "5", "1.10", "2026-05-01")])).number
    docs["commission"] = shop.commission.approve_save(manager, CommissionDraft(
        sales_person="SP02", lines=[CommissionLine(docs["invoice"], "2.50")])).number
    docs["payment_voucher"] = shop.cash.post_shop_entry(cashier, kind="payment", particulars="6400", cost_centre="SHOP",
                                                        currency="CDF", amount="10000", narration="Cleaning").number
    docs["exchange"] = shop.cash.post_exchange(cashier, currency="CDF", amount_received="300000", exchange_rate="3000",
                                               amount_given="100").number
    ret = post_test_return(shop, cashier, amount="10.00")
    docs["refund"] = shop.cash.post_refund(cashier, sales_return=ret, returned_cdf="28500").number
    docs["payment"] = shop.ledger.record_payment(cashier, customer="C0002", amount="28500", currency="CDF",
                                                 method="cash", reference="Cheque 0042").number
    return docs


def test_every_printed_document_in_french_has_the_english_figures(shop, cashier, manager):
    docs = the_day(shop, cashier, manager)
    denoms = {"USD": {"100": 1}, "CDF": {"20000": 18, "1000": 1, "500": 1}}
    summary = shop.day.summary("AXP", shop.today())
    docs["close"] = shop.day.close_day(manager, denominations={
        "USD": {"100": int(summary.usd.closing // 100)}, "CDF": {"500": int(summary.cdf.closing // 500)}}).number
    del denoms
    prints = [(name, number, None) for name, number in docs.items()] + [("delivery_of_invoice", docs["invoice"],
                                                                         "delivery")]
    for name, number, kind in prints:
        for usd in (False, True):
            en = shop.printing.render(number, format="text", usd=usd, kind=kind, lang="en").text
            fr = shop.printing.render(number, format="text", usd=usd, kind=kind, lang="fr").text
            assert en != fr, name
            assert max(len(line) for line in fr.splitlines()) <= WIDTH, name
            en_amounts, en_dates = figures(en, "en")
            fr_amounts, fr_dates = figures(fr, "fr")
            assert fr_amounts == en_amounts, (name, usd, en_amounts, fr_amounts)
            assert en_amounts or name.startswith("delivery"), name  # a delivery note has quantities only
            assert fr_dates == en_dates, (name, usd)
            assert "," not in "".join(EN_AMOUNT.findall(fr)), name  # no English-formatted amount left
    # the statement, text and PDF
    en = shop.printing.statement(manager, "C0002", format="text", write=False, lang="en").text
    fr = shop.printing.statement(manager, "C0002", format="text", write=False, lang="fr").text
    assert figures(fr, "fr") == figures(en, "en") and figures(en, "en")[0]
    lines = squash(fr)
    for row in ("RELEVÉ DE COMPTE", "Client C0002 Pharmacie du Fleuve", "Période du 01/11/2026 au 23/11/2026",
                "Solde d'ouverture 0,00", "BALANCE ÂGÉE AU 23/11/2026"):
        assert row in lines, (row, lines)
    assert f"SOLDE DE CLÔTURE USD 61,71".replace(" ", " ") in [l.replace(NBSP, " ") for l in lines] or \
        any(l.startswith("SOLDE DE CLÔTURE USD") for l in lines)


def test_the_french_facture_reads_french(shop, cashier):
    number = shop.sales.post_invoice(cashier, draft()).number
    lines = [line.replace(NBSP, "~") for line in squash(shop.printing.render(number, format="text", lang="fr").text)]
    assert "FACTURE" in lines and f"N° {number}" in lines
    for row in ("Nom Pharmacie du Fleuve", "N° Impôt A0987654Z", "Vente Vente à crédit, échéance 08/12/2026",
                "Monnaie USD, taux 2~850,00 CDF/USD", "Délégué SP02 Marie Kabila", "10 2,50 -2,50 22,50",
                "Qté totale 17", "Montant brut 53,97", "Remises lignes -3,50", "Sous-total 50,47",
                "Remise globale 5% -2,52", "TVA 16% 6,91", "MONTANT NET USD 54,86", "À PAYER USD 54,86",
                "Au taux de 2~850,00 CDF/USD :", "Montant net CDF 156~351,00", "Arrondi CDF 49,00",
                "À PAYER CDF 156~400,00", "Signature du client :"):
        assert any(line.startswith(row) for line in lines), (row, lines)
    assert "Sales invoice" not in " ".join(lines)


def test_the_customer_or_the_shop_language_prints_and_the_pdf_fonts_take_french(shop, cashier, manager, admin):
    number = shop.sales.post_invoice(cashier, draft()).number
    assert "PAYABLE CDF 156,400.00" in squash(shop.printing.render(number, format="text").text)
    shop.masters.update_customer(manager, "C0002", language="fr")
    text = shop.printing.render(number, format="text").text
    assert f"À PAYER CDF 156{NBSP}400,00" in squash(text)
    assert i18n.current() == "en"  # the print did not change the reader's language
    inv, rc = _cash_sale(shop, cashier)  # the walk-in customer: the shop's language
    assert "FACTURE / CASH RECEIPT" in squash(shop.printing.render(rc, format="text").text)
    shop.masters.save_shop_setup(admin, "AXP", cash_customer="CASH", language="fr")
    assert "FACTURE / REÇU DE CAISSE" in squash(shop.printing.render(rc, format="text").text)
    assert "FACTURE / CASH RECEIPT" in squash(shop.printing.render(rc, format="text", lang="en").text)
    # the A4 PDF: é, à, ç and the U+00A0 group mark come through the core font
    # (fpdf2 draws U+00A0 as a space that never breaks a line: the number stays whole)
    pdf = pdf_text(shop.printing.render(rc).data)
    words = " ".join(pdf.split())
    for piece in ("FACTURE / REÇU DE CAISSE", "Délégué", "À payer CDF 156 400,00", "Vente au comptant",
                  "Reçu 50,00 20 000,00", "Rendu 0,00 6 100,00"):
        assert piece in words, (piece, words)
    assert "?" not in words
    from shopterm.printing.pdf import _t

    assert _t("Reçu à payé 2\u00a0500,50") == "Reçu à payé 2\u00a0500,50"  # all in the core font's code page
    statement = shop.printing.statement(manager, "C0002", write=False)  # C0002 reads French
    st = " ".join(pdf_text(statement.data).split())
    assert "Relevé de compte" in st and "Période : du 01/11/2026 au 23/11/2026" in st and "Débit USD" in st


def test_the_signature_lines_have_the_french_space_before_the_colon(shop, cashier):
    """'Caissier: ____' → 'Caissier : ____' in French; English unchanged ('Cashier: ____')."""
    rp = float_in(shop, cashier, "CDF", "100000")
    fr = shop.printing.render(rp, format="text", lang="fr").text.splitlines()
    en = shop.printing.render(rp, format="text", lang="en").text.splitlines()
    assert any(line.startswith("Caissier : ___") for line in fr), fr
    assert any(line.startswith("Cashier: ___") for line in en), en
    assert all(len(line) <= 48 for line in fr + en)


def test_a_shop_receipt_prints_its_default_account_in_french(shop, cashier):
    """The float from head office: 'Particulars 1900 Head office current account' → '… 1900 Compte courant
    siège' in French (the stored name is English; English prints it unchanged)."""
    rp = float_in(shop, cashier, "CDF", "100000")
    fr = squash(shop.printing.render(rp, format="text", lang="fr").text)
    en = squash(shop.printing.render(rp, format="text", lang="en").text)
    assert any(line.endswith("1900 Compte courant siège") for line in fr), fr
    assert "Particulars 1900 Head office current account" in en
