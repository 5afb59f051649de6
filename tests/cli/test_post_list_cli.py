"""``shopterm post`` of a list stopped by the database (not a rule): the JSON says where the list
stopped (``index``) and what stayed posted (``posted``), as for a rejected document; the documents
before it are in the database."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from shopterm.cli import make_app
from shopterm.services import headless
from tests import backend
from tests.cli.conftest import with_pin
from tests.store.conftest import DAY, _copy_services, _template, open_day

ENV = {"SHOPTERM_DB": None, "SHOPTERM_USER": None, "SHOPTERM_PIN": None, "SHOPTERM_TODAY": DAY.isoformat()}
INVOICE = {"type": "sales_invoice", "location": "AXP", "date": DAY.isoformat(), "customer": "CASH",
           "sales_type": "cash", "currency": "USD", "rate": "2850", "sales_person": "SP01",
           "lines": [{"item": "BAND01", "qty": "4"}]}


def _full() -> Exception:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorname = "SQLITE_FULL"
    return exc


@pytest.mark.parametrize(("error", "exit_code", "message"), [
    (_full, 1, "The disk that holds the database is full"),
    (lambda: RuntimeError("a bug"), 2, "internal error: RuntimeError: a bug"),
])
def test_a_list_stopped_by_the_database_says_where_and_what_was_posted(tmp_path_factory, tmp_path, monkeypatch,
                                                                     error, exit_code, message):
    services = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(services)
    url = services.db.url
    services.db.dispose()
    real, calls = headless.post_one, []

    def post_one(svc, actor, doc):
        calls.append(doc)
        if len(calls) == 3:
            raise error()
        return real(svc, actor, doc)

    monkeypatch.setattr(headless, "post_one", post_one)
    args = ["post", "-", "--db", backend.db_arg(url), "--user", "cashier"]
    result = CliRunner(env={**ENV, **with_pin(args)}).invoke(make_app(args), args, input=json.dumps([INVOICE] * 4))
    assert result.exit_code == exit_code, result.output
    out = json.loads(result.stdout[result.stdout.index("{"):])
    assert out["error"].startswith(message)
    assert out["index"] == 2
    assert [d["number"] for d in out["posted"]] == ["261101SI000001", "261101SI000002"]
    assert [d["totals"]["net"] for d in out["posted"]] == ["5.00", "5.00"]
    assert _invoice_numbers(url) == ["261101SI000001", "261101SI000002"]


def _invoice_numbers(url: str) -> list[str]:
    """The invoice numbers the database holds, in the order posted."""
    from sqlalchemy import select

    from shopterm.services import Services
    from shopterm.store.models import Document

    again = Services.open(url, upgrade=False, today=DAY)
    try:
        with again.db.read() as s:
            return s.execute(select(Document.number).where(Document.doc_type == "SI")
                             .order_by(Document.id)).scalars().all()
    finally:
        again.db.dispose()


# ---------------------------------------------------------------- `shopterm post` without Typer


def _shop(tmp_path_factory, tmp_path) -> str:
    services = _copy_services(_template(tmp_path_factory), tmp_path)
    open_day(services)
    url = services.db.url
    services.db.dispose()
    return url


def _through_main(argv, stdin: str, monkeypatch, capsys) -> tuple[int, str]:
    import io

    from shopterm import cli

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        cli.main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    return code, capsys.readouterr().out


def test_post_options_are_read_without_typer_only_when_plain():
    from shopterm.cli import _post_options

    got = _post_options(["--db", "a.db", "--user=cashier", "post", "-", "--pin", "1111"])
    assert got["file"] == "-" and got["own"] == {"pin": "1111"}
    assert got["state"]["db"] == "a.db" and got["state"]["user"] == "cashier"
    for argv in (["post"], ["post", "--help"], ["post", "a.json", "b.json"], ["post", "a.json", "--lang", "fr"],
                 ["post", "a.json", "--db"], ["post", "a.json", "--db", "--user"], ["post", "a.json", "--db", "x",
                 "--db", "y"], ["demo", "post", "a.json"], ["post", "--", "a.json"], ["--version", "post", "a.json"],
                 ["ledger", "balances"], []):
        assert _post_options(argv) is None, argv


@pytest.mark.parametrize("case", ["posted", "refused", "no file", "bad pin", "stdin", "refused in French"])
def test_post_without_typer_answers_as_typer_does(tmp_path_factory, tmp_path, monkeypatch, capsys, case):
    """The same output and exit code through ``main`` (no Typer) as through the Typer app, each on a
    fresh copy of the shop: a file or standard input (``-``), in English or French (``--lang fr``)."""
    from shopterm import cli
    from shopterm.core import i18n

    refused = case.startswith("refused")
    docs = [INVOICE, dict(INVOICE, lines=[{"item": "NOPE", "qty": "1"}])] if refused else [INVOICE]
    listfile = tmp_path / "list.json"
    listfile.write_text(json.dumps(docs))
    file = str(tmp_path / "missing.json") if case == "no file" else "-" if case == "stdin" else str(listfile)
    stdin = json.dumps(docs) if case == "stdin" else ""
    lang = ["--lang", "fr"] if case.endswith("French") else []
    request_language = i18n.current()  # set back after each run
    pin = "0000" if case == "bad pin" else "1111"
    for name, value in {**ENV, "SHOPTERM_USER": "cashier"}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    runs = []
    for way in ("main", "typer"):
        (tmp_path / way).mkdir()
        url = _shop(tmp_path_factory, tmp_path / way)
        monkeypatch.setattr(cli, "_state", cli.CliState())
        argv = [*lang, "--db", backend.db_arg(url), "post", file, "--pin", pin]
        try:
            if way == "main":
                runs.append(_through_main(argv, stdin, monkeypatch, capsys))
            else:
                result = CliRunner().invoke(make_app(argv), argv, input=stdin)
                runs.append((result.exit_code, result.stdout))
        finally:
            i18n.set_language(request_language)
    (code_main, out_main), (code_typer, out_typer) = runs
    assert code_main == code_typer == (0 if case in ("posted", "stdin") else 1)
    assert out_main == out_typer
    out = json.loads(out_main)
    if case in ("posted", "stdin"):
        assert [d["number"] for d in out] == ["261101SI000001"]
    else:
        assert out["error"] and out.get("posted", []) == ([] if not refused else out["posted"])
        if refused:
            assert out["index"] == 1 and [d["number"] for d in out["posted"]] == ["261101SI000001"]
            assert out["message_id"] == "Line {n}: item {code} not found"
            assert out["error"] == ("Ligne 1 : article NOPE introuvable" if lang else "Line 1: item NOPE not found")


def test_post_loads_no_typer(tmp_path_factory, tmp_path):
    import os
    import subprocess
    import sys

    url = _shop(tmp_path_factory, tmp_path)
    listfile = tmp_path / "list.json"
    listfile.write_text(json.dumps([INVOICE]))
    code = ("import sys; from shopterm.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('TYPER' if 'typer' in sys.modules else 'NO TYPER')")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPTERM_")}
    env.update(SHOPTERM_TODAY=DAY.isoformat(), SHOPTERM_PIN="1111")
    out = subprocess.run([sys.executable, "-c", code, "post", str(listfile), "--db", backend.db_arg(url),
                          "--user", "cashier"], capture_output=True, text=True, env=env, check=True).stdout
    assert out.rstrip().endswith("NO TYPER")
    assert json.loads(out[:out.rindex("]") + 1])[0]["number"] == "261101SI000001"


# ---------------------------------------------------------------- Ctrl+C in a list


@pytest.mark.parametrize("press", ["once", "twice"])
@pytest.mark.parametrize("way", ["main", "typer"])
def test_ctrl_c_stops_the_list_and_says_exactly_what_was_posted(tmp_path_factory, tmp_path, monkeypatch, capsys,
                                                                press, way):
    """Ctrl+C pressed while the second of four invoices posts: once, the list stops after it (two posted,
    index 2); twice (a KeyboardInterrupt inside the third document, each document committed after it), the
    third is rolled back (two posted, index 2). Exit 130; the JSON's ``posted`` is what the database holds."""
    import os
    import signal

    from shopterm import cli

    url = _shop(tmp_path_factory, tmp_path)
    monkeypatch.setattr(headless, "GROUP_SECONDS", 0)
    real, calls = headless.post_one, []

    def post_one(svc, actor, doc):
        calls.append(doc)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl+C: the list ends after this document
        if len(calls) == 3:  # reached only when the first press did not stop the list
            raise KeyboardInterrupt
        return real(svc, actor, doc)

    if press == "twice":  # the first press is not seen between documents: the second interrupts the third
        monkeypatch.setattr(cli, "_ctrl_c_stops_the_list", _no_soft_stop)
    monkeypatch.setattr(headless, "post_one", post_one)
    for name, value in {**ENV, "SHOPTERM_USER": "cashier", "SHOPTERM_PIN": "1111"}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "_state", cli.CliState())
    argv = ["--db", backend.db_arg(url), "post", "-"]
    stdin = json.dumps([INVOICE] * 4)
    if way == "main":
        previous = signal.getsignal(signal.SIGINT)
        code, out = _through_main(argv, stdin, monkeypatch, capsys)
        assert signal.getsignal(signal.SIGINT) is previous  # put back as it was
    else:
        result = CliRunner().invoke(make_app(argv), argv, input=stdin)
        code, out = result.exit_code, result.stdout
    assert code == 130, out
    body = json.loads(out)
    assert body["code"] == "interrupted" and body["index"] == 2
    assert body["error"] == "Stopped (Ctrl+C): the documents before this one are posted, this one and the rest are not"
    assert [d["number"] for d in body["posted"]] == ["261101SI000001", "261101SI000002"]
    assert _invoice_numbers(url) == ["261101SI000001", "261101SI000002"]


@contextmanager
def _no_soft_stop():
    """As if the first Ctrl+C came too late to be seen between documents: ignored; the test raises the second."""
    import signal

    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield lambda: False
    finally:
        signal.signal(signal.SIGINT, previous)
