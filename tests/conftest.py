"""Options shared by every test folder: the database backend of tests/store and tests/cli."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests import backend

# Property tests check what holds, not how fast: on a loaded 2-core machine an example can take
# longer than Hypothesis' 200 ms default, which failed runs that were right. No deadline, and no
# health check on slow data generation, for every property test (a test's own settings still win).
#
# The test run draws the same examples every time (derandomize): a run that passes here passes in
# CI, and a failure is reproduced by running the test again. Looking for new failures is a separate
# run that draws fresh random examples each time (repeat it as long as you like):
#     SHOPTERM_HYPOTHESIS=explore .venv/bin/pytest tests/store/test_headless_fuzz.py
# What it finds becomes a fixed test (as test_a_row_number_past_what_the_store_holds_…).
settings.register_profile("shopterm", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, database=None)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("explore" if os.environ.get("SHOPTERM_HYPOTHESIS") == "explore" else "shopterm")


def pytest_addoption(parser):
    parser.addoption("--test-db", default=None, metavar="URL",
                     help="run tests/store and tests/cli on this PostgreSQL server "
                          "(same as SHOPTERM_TEST_DB=URL); each test gets its own database")


def pytest_configure(config):
    url = config.getoption("--test-db")
    if url:
        os.environ["SHOPTERM_TEST_DB"] = url
        backend.set_test_db(url)


def pytest_report_header(config):
    return f"shopterm test database: {backend.BACKEND}" + (f" ({backend.TEST_DB.split('@')[-1]})" if backend.PG else "")


@pytest.fixture(autouse=True)
def _drop_test_databases():
    """On PostgreSQL, drop the databases a test made once it ends (templates live for the session)."""
    yield
    if backend.PG:
        backend.drop_test_databases()


def pytest_sessionfinish(session, exitstatus):
    if backend.PG:
        backend.drop_templates()
