"""Shop Close header (seed "Shop Close": Exchange Rate (to CDF)*, Cash Ledger (CDF)*, Cash Ledger
(USD)*), the Voucher tab's stock lines before the close, and a closed day shown as it was posted.

The till of every test: the day open, 200 USD and 500,000 CDF from head office; Shop Setup's
cash ledgers 1100 (USD) and 1110 (CDF), shortage ledger 6900, maximum shortage 5 USD /
10,000 CDF, system rate 2850, rate tolerance 10 %.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from shopterm.services.errors import InactiveRecord, NotFound, RateNeedsApproval, ValidationError
from shopterm.store.models import ShopDay

from .conftest import DAY, actor, ask_pin_always
from .test_cash import document, voucher_lines
from .test_day import till  # noqa: F401 - the fixture




def day_status(services) -> str:
    with services.db.read() as s:
        return s.execute(select(ShopDay.status).where(ShopDay.date == DAY)).scalar_one()


def test_the_header_defaults_to_the_days_rate_and_the_setups_cash_ledgers(till):
    s = till.day.close_figures()
    assert (s.rate, s.system_rate, s.cash_usd_account, s.cash_cdf_account, s.rate_needs_approval) == (
        D("2850"), D("2850"), "1100", "1110", False)
    data = s.as_dict()
    assert (data["rate"], data["cash_ledger_usd"], data["cash_ledger_cdf"]) == ("2850.000000", "1100", "1110")


def test_a_rate_typed_values_the_francs_of_the_shortage(till, manager):
    """Rate 2 800 (1.75 % under 2850: inside the tolerance). Counted 196 USD and 493,000 CDF:
    4.00 USD and 7,000 CDF short, inside 5 USD / 10,000 CDF. 7,000 / 2,800 = 2.50 USD exactly
    (at the system rate it would be 2.46); together 6.50 USD."""
    preview = till.day.close_figures(physical_usd="196", physical_cdf="493000", rate="2 800")
    assert (preview.rate, preview.difference_usd_value, preview.needs_approval) == (D("2800"), D("6.50"), False)
    assert [(v.account, v.currency, v.amount, v.amount_usd) for v in preview.voucher] == [
        ("6900", "USD", D("4.00"), D("4.00")), ("1100", "USD", D("-4.00"), D("-4.00")),
        ("6900", "CDF", D("7000.00"), D("2.50")), ("1110", "CDF", D("-7000.00"), D("-2.50"))]
    result = till.day.close_day(manager, physical_usd="196", physical_cdf="493000", rate="2800")
    assert voucher_lines(till, result.number) == [
        ("1100", "USD", D("-4.00"), D("-4.00")), ("1110", "CDF", D("-7000.00"), D("-2.50")),
        ("6900", "CDF", D("7000.00"), D("2.50")), ("6900", "USD", D("4.00"), D("4.00"))]
    doc = document(till, result.number)
    assert (doc.rate, doc.amount_usd, doc.approved) == (D("2800"), D("6.50"), False)
    assert (doc.extra["rate"], doc.extra["system_rate"], doc.extra["cash_ledger_usd"],
            doc.extra["cash_ledger_cdf"]) == ("2800", "2850.000000", "1100", "1110")
    closed = till.day.summary("AXP", DAY)  # shown (and printed) with the close's own rate
    assert (closed.status, closed.rate, closed.difference_usd_value) == ("closed", D("2800"), D("6.50"))


def test_the_cash_ledgers_chosen_are_the_till_the_close_reconciles(till, manager):
    """The day's cash went to 1100/1110. Closing the safe accounts 1101 (USD) and 1111 (CDF)
    instead: their figures (nothing moved: closing 0.00) are reconciled; 3 USD and 1,400 CDF
    counted are an excess posted to them (1,400 / 2,800 = 0.50 USD); 1100/1110 are untouched."""
    admin = actor(till, "admin")
    till.masters.create_account(admin, code="1101", name="Cash USD safe", kind="asset", currency="USD")
    till.masters.create_account(admin, code="1111", name="Cash CDF safe", kind="asset", currency="CDF")
    s = till.day.close_figures(physical_usd="3", physical_cdf="1400", rate="2800", cash_ledger_usd="1101",
                               cash_ledger_cdf="1111")
    assert (s.usd.closing, s.cdf.closing, s.usd.difference, s.cdf.difference) == (
        D("0.00"), D("0.00"), D("-3.00"), D("-1400.00"))
    result = till.day.close_day(manager, physical_usd="3", physical_cdf="1400", rate="2800",
                                cash_ledger_usd="1101", cash_ledger_cdf="1111")
    assert voucher_lines(till, result.number) == [
        ("1101", "USD", D("3.00"), D("3.00")), ("1111", "CDF", D("1400.00"), D("0.50")),
        ("6900", "CDF", D("-1400.00"), D("-0.50")), ("6900", "USD", D("-3.00"), D("-3.00"))]
    assert till.cash.cash_balance("AXP", "USD") == D("200.00")  # the Shop Setup's till, untouched
    closed = till.day.summary("AXP", DAY)
    assert (closed.cash_usd_account, closed.cash_cdf_account, closed.usd.physical, closed.usd.closing) == (
        "1101", "1111", D("3.00"), D("0.00"))
    assert document(till, result.number).extra["cash_ledger_cdf"] == "1111"


@pytest.mark.parametrize(("kw", "error", "field", "message"), [
    ({"rate": "0"}, ValidationError, "rate",
     "Exchange rate (to CDF): the exchange rate must be greater than zero"),
    ({"rate": "-2800"}, ValidationError, "rate",
     "Exchange rate (to CDF): the exchange rate must be greater than zero"),
    ({"rate": "abc"}, ValidationError, "rate", "Exchange rate (to CDF): 'abc' is not a number"),
    ({"rate": "2800.1234567"}, ValidationError, "rate", "Exchange rate (to CDF): at most 6 decimal places (2800.1234567)"),
    ({"cash_ledger_usd": "9999"}, NotFound, "cash_ledger_usd",
     "Cash Ledger (USD): account 9999 is not in the chart of accounts (F2 lists the cash accounts)"),
    ({"cash_ledger_usd": "4000"}, ValidationError, "cash_ledger_usd",
     "Cash Ledger (USD): account 4000 Sales is not a cash account (F2 lists the cash accounts)"),
    ({"cash_ledger_usd": "1110"}, ValidationError, "cash_ledger_usd", "Cash Ledger (USD): account 1110 holds CDF, not USD"),
    ({"cash_ledger_cdf": "1100"}, ValidationError, "cash_ledger_cdf", "Cash Ledger (CDF): account 1100 holds USD, not CDF"),
])
def test_a_bad_header_is_refused_naming_the_field_and_nothing_is_written(till, manager, kw, error, field, message):
    for call in (till.day.close_figures, lambda **k: till.day.close_day(manager, **k)):  # preview and close
        with pytest.raises(error) as err:
            call(physical_usd="200", physical_cdf="500000", **kw)
        assert (err.value.field, err.value.message) == (field, message)
    assert day_status(till) == "open"


def test_an_inactive_cash_ledger_is_refused(till, manager):
    till.masters.create_account(actor(till, "admin"), code="1102", name="Old cash", kind="asset", currency="USD",
                                inactive=True)
    with pytest.raises(InactiveRecord) as err:
        till.day.close_day(manager, physical_usd="200", physical_cdf="500000", cash_ledger_usd="1102")
    assert (err.value.field, err.value.message) == ("cash_ledger_usd", "Cash Ledger (USD): account 1102 is inactive")


def test_a_rate_far_from_the_system_rate_needs_a_managers_approval(till, manager):
    """3,500 is 22.81 % over 2,850 (tolerance 10 %): with the Shop Setup asking for the PIN, the close
    is refused until a manager approves; then it posts at 3,500 (9,000 CDF short = 2.57 USD)."""
    assert till.day.close_figures(rate="3500").rate_needs_approval is True
    ask_pin_always(till)
    with pytest.raises(RateNeedsApproval) as err:
        till.day.close_day(manager, physical_usd="200", physical_cdf="491000", rate="3500")
    assert err.value.field == "rate"
    assert err.value.message == ("Exchange rate 3500 is 22.81 % from the system rate 2850 (tolerance 10 %) — "
                                 "a manager's approval is needed")
    assert day_status(till) == "open"
    result = till.day.close_day(manager, physical_usd="200", physical_cdf="491000", rate="3500",
                                approver="manager", approver_pin="2222")
    assert voucher_lines(till, result.number) == [
        ("1110", "CDF", D("-9000.00"), D("-2.57")), ("6900", "CDF", D("9000.00"), D("2.57"))]
    doc = document(till, result.number)
    assert doc.approved and doc.rate == D("3500")


def test_the_voucher_before_the_close_shows_the_stock_count_lines(till):
    """Inventory Posting PARA500 B001 counted 497 (500 on hand, cost 1.60): −3 × 1.60 = −4.80, and
    BAND01 D001 1,002 (1,000, cost 0.70): +1.40. With 196 USD counted (4.00 short) the Voucher tab
    shows the cash lines then Dr 5100 4.80 / Cr 1300 4.80 and Dr 1300 1.40 / Cr 5100 1.40."""
    counts = [{"item": "PARA500", "batch": "B001", "qty": "497"}, {"item": "BAND01", "batch": "D001", "qty": "1002"}]
    s = till.day.close_figures(physical_usd="196", physical_cdf="500000", counts=counts)
    assert [(v.account, v.currency, v.amount_usd) for v in s.voucher] == [
        ("6900", "USD", D("4.00")), ("1100", "USD", D("-4.00")),
        ("1300", "USD", D("-4.80")), ("5100", "USD", D("4.80")),
        ("1300", "USD", D("1.40")), ("5100", "USD", D("-1.40"))]
    assert sum(v.amount_usd for v in s.voucher) == 0
    assert [(c.item_code, c.batch_code, c.on_hand, c.counted, c.difference, c.value_usd) for c in s.stock_count] == [
        ("PARA500", "B001", D("500"), D("497"), D("-3"), D("-4.80")),
        ("BAND01", "D001", D("1000"), D("1002"), D("2"), D("1.40"))]
    assert s.as_dict()["stock_count"][0] == {"item": "PARA500", "name": s.stock_count[0].item_name, "batch": "B001",
                                             "on_hand": "500.000", "counted": "497", "difference": "-3.000",
                                             "value_usd": "-4.80"}


def test_a_closed_day_shows_its_counts_as_posted(till, manager, cashier):
    """Opened again, the closed day shows the counts and denominations as they were posted (not the
    stock on hand now, nor counts given again)."""
    counts = [{"item": "PARA500", "batch": "B001", "qty": "497"}]
    result = till.day.close_day(manager, denominations={"USD": {"100": 2}, "CDF": {"20000": 25}}, counts=counts)
    s = till.day.close_figures(date=DAY, counts=[{"item": "PARA500", "batch": "B001", "qty": "1"}])  # ignored
    assert (s.status, s.close_number) == ("closed", result.number)
    assert [(c.item_code, c.batch_code, c.on_hand, c.counted, c.difference, c.value_usd) for c in s.stock_count] == [
        ("PARA500", "B001", D("500.000"), D("497.000"), D("-3.000"), D("-4.80"))]
    assert s.stock_count[0].item_name  # the item's name, looked up
    assert s.denominations == {"USD": {"100": 2}, "CDF": {"20000": 25}}
    assert [(v.account, v.amount_usd) for v in s.voucher] == [("1300", D("-4.80")), ("5100", D("4.80"))]


def test_the_close_print_shows_its_rate_ledgers_and_counts(till, manager):
    """The printed close (text, 48 columns; and the A4 PDF): the rate typed beside the system rate,
    the ledgers, and the Inventory Posting count as posted: 3 short × 1.60 = 4.80, read as the cash's difference
    (+ = short)."""
    from .test_printing import check_width, pdf_text, squash

    number = till.day.close_day(manager, physical_usd="196", physical_cdf="493000", rate="2800",
                                counts=[{"item": "PARA500", "batch": "B001", "qty": "497"}]).number
    text = till.printing.render(number, format="text").text
    check_width(text)
    lines = squash(text)
    for row in ("Rate 2,800.00 CDF/USD", "System rate 2,850.00 CDF/USD", "Cash ledgers USD 1100, CDF 1110",
                "INVENTORY COUNT (+SHORT)", "PARA500 B001 500 497 +3 +4.80", "STOCK DIFFERENCE (USD VALUE) 4.80 short",
                "DIFFERENCE (+SHORT) 4.00 7,000.00"):
        assert row in lines, "\n".join(lines)
    pdf = " ".join(pdf_text(till.printing.render(number).data).split())
    assert "2,800.00 CDF/USD" in pdf and "PARA500 B001" in pdf and "+4.80" in pdf and "4.80 short" in pdf


def test_the_printed_close_reads_every_difference_one_way_at_48_columns_in_both_languages(till, manager):
    """Counted 196 USD and 350,000 CDF (4.00 and 150,000 short; 150,000 / 2,850 = 52.63, with 4.00: 56.63 USD
    short), PARA500 B001 counted 497 of 500 (3 short × 1.60 = 4.80) and BAND01 D001 1,002 of 1,000 (2 over ×
    0.70 = 1.40): the stock difference reads as the cash's (+ = short), the total in words; the
    excess/shortage row says the direction under each currency's figure on one line (its figure with the
    word did not fit a 12-column cell: the row was stacked under its label)."""
    from shopterm.core import i18n

    from .test_printing import check_width, squash

    number = till.day.close_day(manager, physical_usd="196", physical_cdf="350000", counts=[
        {"item": "PARA500", "batch": "B001", "qty": "497"}, {"item": "BAND01", "batch": "D001", "qty": "1002"}]).number
    # the journal's memos say it the same way (stored in English, plain digits)
    assert sorted({j.memo for j in till.sales.document(number).journal if j.account in ("1300", "5100")}) == [
        "stock count BAND01 D001: 2 over", "stock count PARA500 B001: 3 short"]
    want = {
        "en": ("DIFFERENCE (+SHORT) 4.00 150,000.00", "Excess/shortage short short",
               "DIFFERENCE (USD VALUE) 56.63 short", "INVENTORY COUNT (+SHORT)",
               "Item / batch On hand Counted Diff. Value USD", "PARA500 B001 500 497 +3 +4.80",
               "BAND01 D001 1,000 1,002 -2 -1.40", "STOCK DIFFERENCE (USD VALUE) 3.40 short",
               "Cash sales (+) 0.00 0.00", "RP Shop receipt/payment 2 375.44"),
        "fr": ("ÉCART (+MANQUANT) 4,00 150 000,00", "Excédent/manquant manque manque",
               "ÉCART (VALEUR USD) 56,63 manque", "INVENTAIRE (+MANQUANT)",
               "Article / lot En stock Compté Écart Valeur USD", "PARA500 B001 500 497 +3 +4,80",
               "BAND01 D001 1 000 1 002 -2 -1,40", "ÉCART DE STOCK (VALEUR USD) 3,40 manque",
               "Ventes comptant (+) 0,00 0,00", "Retours caisse (-) 0,00 0,00", "RP Entrée/sortie de caisse", "2 375,44"),
    }
    try:
        for lang, rows in want.items():
            text = till.printing.render(number, format="text", lang=lang).text
            check_width(text)
            lines = squash(text)
            for row in rows:
                assert row in lines, (lang, row, "\n".join(lines))
            assert not {"Excess/shortage", "Excédent/manquant"} & set(lines)  # never a label alone, its figures below
    finally:
        i18n.set_language("en")
