"""``shopterm customer merge``: the print template (C0002 owes the DESIGN §4 invoice, payable
156,400.00 CDF booked at 54.86 USD, and has a draft; C0001 owes nothing). The draft open on a
till's screen refuses the merge; once that screen left it, C0002's invoice, draft and balance move
to C0001 to the cent."""

from __future__ import annotations

import json

import pytest

from tests import backend
from tests.cli.test_print_cli import NUMBER, run, template  # noqa: F401 - the shared template fixture


@pytest.fixture
def shop(template, tmp_path):  # noqa: F811
    return backend.clone(template, tmp_path)


def balances(db: str) -> dict[str, str]:
    result = run("ledger", "balances", "--format", "json", "--db", db, "--user", "manager")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = data.get("rows", data) if isinstance(data, dict) else data
    return {r["customer_code"]: r["balance_usd"] for r in rows}


def test_merge_from_the_shell(shop):
    db = backend.db_arg(shop)
    result = run("customer", "merge", "C0001", "C0002", "--db", db, "--user", "cashier")
    assert result.exit_code == 1 and "manager" in result.stderr
    result = run("customer", "merge", "C0001", "C0001", "--db", db, "--user", "manager")
    assert result.exit_code == 1 and "C0001 is the customer kept: it cannot be its own duplicate" in result.stderr
    from shopterm.services import Services
    from tests.store.conftest import actor

    services = Services.open(shop, upgrade=False)
    services.holds.sync(actor(services, "cashier"), "app-1", "till-2", [2])  # the draft on till-2's screen
    result = run("customer", "merge", "C0001", "C0002", "--db", db, "--user", "manager")
    assert result.exit_code == 1
    assert "Draft #2 (SI) of C0002 is open on till till-2 by cashier: close it there first" in result.stderr
    services.holds.release_all("app-1")  # the screen left it
    services.db.dispose()
    before = balances(db)
    result = run("customer", "merge", "C0001", "C0002", "--db", db, "--user", "manager")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Merged C0002 into C0001: 1 documents, 1 drafts, 1 ledger entries")
    after = balances(db)
    assert (before.get("C0001"), before.get("C0002")) == (None, "54.86")
    assert after.get("C0001") == "54.86" and after.get("C0002") in (None, "0.00")
    services = Services.open(shop, upgrade=False)
    assert services.sales.load_draft(2).customer == "C0001"
    services.db.dispose()
    verify = run("db", "verify", "--db", db)
    assert verify.exit_code == 0, verify.output
