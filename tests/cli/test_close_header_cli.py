"""The Shop Close header headless: ``shop_close`` JSON and ``shopterm day close`` take the Exchange
Rate (to CDF) and the Cash Ledger (USD)/(CDF), with the same defaults (the day's system rate, the
Shop Setup's ledgers) and the same refusals naming the field.

The day: 100 USD and 300,000 CDF from head office. Counted 100 USD and 293,000 CDF: 7,000 CDF
short (inside 10,000); at 2,800 that is 7,000 / 2,800 = 2.50 USD."""

from __future__ import annotations

from tests.cli.test_day_summary import DAY, DAY_DOCS, post, run, shop  # noqa: F401 - the fixture

FLOAT = DAY_DOCS[:3]  # shop open and the two floats


def test_shop_close_json_takes_the_rate_and_cash_ledgers(shop):
    code, out = post(shop, "cashier", FLOAT)
    assert code == 0, out
    close = {"type": "shop_close", "location": "AXP", "date": DAY, "physical_usd": "100", "physical_cdf": "293000"}
    code, err = post(shop, "manager", [{**close, "cash_ledger_usd": "4000"}])
    assert code == 1
    assert (err["error"], err["field"]) == (
        "Cash Ledger (USD): account 4000 Sales is not a cash account (F2 lists the cash accounts)", "cash_ledger_usd")
    code, err = post(shop, "manager", [{**close, "rate": "0"}])
    assert (code, err["field"]) == (1, "rate")
    code, out = post(shop, "manager", [{**close, "rate": "2800", "cash_ledger_usd": "1100",
                                        "cash_ledger_cdf": "1110"}])
    assert code == 0, out
    totals = out[0]["totals"]
    assert (totals["rate"], totals["cash_ledger_usd"], totals["cash_ledger_cdf"], totals["difference_cdf"]) == (
        "2800", "1100", "1110", "7000.00")
    result = run("day", "summary", "--db", shop, "--location", "AXP", "--date", DAY, "--format", "json")
    import json

    data = json.loads(result.stdout)
    assert (data["status"], data["rate"], data["difference_usd_value"]) == ("closed", "2800.000000", "2.50")
    assert [(v["account"], v["amount"], v["amount_usd"]) for v in data["voucher"]] == [
        ("6900", "7000.00", "2.50"), ("1110", "-7000.00", "-2.50")]


def test_day_close_command_takes_the_rate_and_cash_ledgers(shop):
    code, out = post(shop, "cashier", FLOAT)
    assert code == 0, out
    args = ("day", "close", "--db", shop, "--user", "manager", "--physical-usd", "100", "--physical-cdf", "293000")
    result = run(*args, "--cash-ledger-cdf", "1100")
    assert (result.exit_code, result.stderr) == (1, "error: Cash Ledger (CDF): account 1100 holds USD, not CDF\n")
    result = run(*args, "--rate", "2800", "--cash-ledger-usd", "1100", "--cash-ledger-cdf", "1110")
    assert (result.exit_code, result.stdout) == (0, "Shop closed: 261101CL000001\n")
    from shopterm.services import Services

    services = Services.open(shop, upgrade=False)
    try:
        import datetime as dt

        summary = services.day.summary("AXP", dt.date.fromisoformat(DAY))
        assert (str(summary.rate), str(summary.difference_usd_value)) == ("2800.000000", "2.50")
    finally:
        services.db.dispose()


def test_day_summary_shows_the_close_rate_and_the_counts(shop):
    code, out = post(shop, "cashier", FLOAT)
    assert code == 0, out
    code, out = post(shop, "manager", [{"type": "shop_close", "location": "AXP", "date": DAY, "physical_usd": "100",
                                        "physical_cdf": "293000", "rate": "2800",
                                        "counts": [{"item": "PARA500", "batch": "B001", "qty": "497"}]}])
    assert code == 0, out
    result = run("day", "summary", "--db", shop, "--location", "AXP", "--date", DAY)
    lines = result.stdout.splitlines()
    assert lines[1] == "Rate 2800 CDF per USD (system 2850); cash ledgers 1100 (USD), 1110 (CDF)"
    assert "Inventory count" in lines
    # the difference reads as the cash's (on hand − counted, + = short)
    assert f"  {'Item':<12}{'Batch':<12}{'On hand':>12}{'Counted':>12}{'Diff. (+short)':>16}{'Value USD':>12}" in lines
    assert f"  {'PARA500':<12}{'B001':<12}{'500':>12}{'497':>12}{'+3':>16}{'+4.80':>12}" in lines
    assert f"  {'Total':<24}{'4.80 short':>52}" in lines
    assert max(len(line) for line in lines) <= 80
