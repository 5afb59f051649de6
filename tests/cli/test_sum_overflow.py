"""Sums past a BIGINT (2⁶³ − 1 hundredths: 92,233,720,368,547,758.07): a clear message naming what, the
same on SQLite and PostgreSQL and on both read paths, never a traceback; a post that would carry a
running sum past it is refused whole.

SQLite's ``SUM`` stops with "integer overflow" where PostgreSQL's gave an exact NUMERIC: PostgreSQL's
sums are now cast back to BIGINT so both stop; SQLite's ``x + y`` in a running sum's upsert turned the
balance into a REAL (9.22337203685478e+18, silently rounded) where PostgreSQL's stopped with "bigint out
of range": both now stop, and nothing of the post is written.
"""

from __future__ import annotations

import json

from tests import backend
from tests.cli.test_ledger_cli import DAY, run
from tests.cli.test_read_paths import MANAGER, _both_ways, shop_template  # noqa: F401  (the fixture)
from tests.cli.test_trust_cli import sql

FIVE_E18 = "5000000000000000000"  # 50,000,000,000,000,000.00: two of them pass a BIGINT
#: every ledger entry of C0001 (its invoice and its payment) and its months at 5·10¹⁸ hundredths
HUGE_C0001 = [f"UPDATE ledger_entry SET amount = {FIVE_E18}, amount_usd = {FIVE_E18} "
              "WHERE customer_id = (SELECT id FROM customer WHERE code = 'C0001')",
              f"UPDATE customer_month SET amount_usd = {FIVE_E18} "
              "WHERE customer_id = (SELECT id FROM customer WHERE code = 'C0001')"]
#: both day rows of 1300 Inventory (the opening stock, the day's cost of sales) at 5·10¹⁸ hundredths
HUGE_1300 = [f"UPDATE account_day SET amount = {FIVE_E18}, amount_usd = {FIVE_E18} "
             "WHERE account_id = (SELECT id FROM account WHERE code = '1300')"]


def test_report_sums_past_a_bigint_say_what_on_both_paths(shop_template, tmp_path):  # noqa: F811
    fr = {"SHOPTERM_LANG": "fr"}
    cases = [
        ("balances", ["ledger", "balances", *MANAGER], {}, HUGE_C0001),
        ("balances json", ["ledger", "balances", "--format", "json", *MANAGER], {}, HUGE_C0001),
        ("trial balance", ["ledger", "trial-balance", *MANAGER], {}, HUGE_1300),
        ("French trial balance", ["ledger", "trial-balance", *MANAGER], fr, HUGE_1300),
        ("statement", ["ledger", "statement", "--from", "2026-11-01", "--to", DAY, *MANAGER], {}, HUGE_C0001),
    ]
    got = dict(zip((c[0] for c in cases), _both_ways(shop_template, tmp_path, cases)))
    tail = ": the sum passes the largest figure a database holds. Nothing was written\n"
    assert (got["balances"]["code"], got["balances"]["err"]) == (1, "error: The customers' balances" + tail)
    assert got["balances"]["out"] == ""
    assert got["trial balance"]["err"] == "error: The accounts' balances" + tail
    assert got["French trial balance"]["err"] == (
        "erreur : Les soldes des comptes : la somme dépasse le plus grand nombre qu'une base de données "
        "contienne. Rien n'a été écrit\n")
    assert got["statement"]["err"] == "error: The statement's balances" + tail
    assert json.loads(got["balances json"]["out"] or "{}") == {}  # the message on standard error, as every error
    assert got["balances json"]["err"] == "error: The customers' balances" + tail


PAYMENT = [{"type": "customer_payment", "location": "AXP", "date": DAY, "customer": "C0001", "currency": "USD",
            "rate": "2850", "amount": "30", "method": "cash"}]


def test_a_post_that_carries_a_running_balance_past_a_bigint_is_refused_whole(shop_template, tmp_path):  # noqa: F811
    """1100 Cash USD's row of the day holds 9,223,372,036,854,775,000 hundredths; 30.00 USD more (3,000)
    passes 2⁶³ − 1 by 2,193. SQLite stored 9.22337203685478e+18 (a REAL); PostgreSQL stopped with
    "bigint out of range" under a traceback. Both refuse it now, naming the balance, and write nothing."""
    db = backend.db_arg(backend.clone(shop_template, tmp_path))
    near = 9223372036854775000
    sql(db, f"UPDATE account_day SET amount = {near}, amount_usd = {near} WHERE date = '{DAY}' "
            "AND account_id = (SELECT id FROM account WHERE code = '1100')")
    before = sql(db, "SELECT id, amount, amount_usd FROM account_day ORDER BY id")
    entries = sql(db, "SELECT count(*) FROM ledger_entry")
    doc = tmp_path / "pay.json"
    doc.write_text(json.dumps(PAYMENT))
    r = run("--db", db, "--user", "manager", "post", str(doc))
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["error"] == ("An account's running balance: the sum passes the largest figure a database holds. "
                            "Nothing was written")
    assert out["posted"] == [] and out["code"] == "invalid"
    assert sql(db, "SELECT id, amount, amount_usd FROM account_day ORDER BY id") == before
    assert sql(db, "SELECT count(*) FROM ledger_entry") == entries
    # 1100's row stays an exact integer (SQLite's typeof), the same row PostgreSQL keeps
    assert [r[1] for r in before if r[1] == near] == [near]


def test_an_unnamed_overflow_is_a_message_in_the_terminal_app():
    """Any other read (a screen's, a service not naming its sums) that meets SQLite's "integer overflow"
    shows the plain message in the message bar, not "Unexpected problem (OperationalError): …"."""
    import sqlite3

    import shopterm.store.db  # noqa: F401  (describe_error looks at the loaded store)
    from shopterm.widgets.messages import describe_error

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)").fetchall()
    except sqlite3.OperationalError as exc:
        error = exc
    assert describe_error(error) == (
        "The figures: the sum passes the largest figure a database holds. Nothing was written", None)
