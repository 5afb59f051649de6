"""``shopterm ledger``: the customer ledger from a shell (DESIGN §8, §11).

Reports modelled on PowerOffice Go's customer ledger::

    shopterm ledger balances   [--at DATE] [--customer C] [--group G]
    shopterm ledger open-items [--at DATE] [--customer C]
    shopterm ledger statement  --from D1 --to D2 [--customer C] [--voucher-type T …]
                               [--changed-since TIMESTAMP] [--partly-settled]
    shopterm ledger ageing     [--at DATE] [--customer C]
    shopterm ledger general-ledger [--from D1] [--to D2] [--location L] [--all]
    shopterm ledger trial-balance  [--at DATE]
    shopterm ledger register   ACCOUNT --from D1 --to D2

each with ``--format table|json|csv|xlsx|pdf`` and ``--output FILE``. Dates
default to the business date. ``xlsx`` and ``pdf`` need ``--output`` unless
standard output is redirected. The global ``--db``/``--user``/``--pin`` work
before the command or on it. Reading ledgers needs a manager or an admin.

Matching, unmatching and payments on account are documents for ``shopterm
post`` (types ``match``, ``unmatch``, ``customer_payment``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from typing import Annotated, Any, Callable, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, acting_user, guard, open_services
from ..core.i18n import N_, _

app = typer.Typer(help=N_("Customer ledger: balances, open items, statements, ageing."), no_args_is_help=True)

FORMATS = ("table", "json", "csv", "xlsx", "pdf")

FormatOpt = Annotated[str, typer.Option("--format", "-f", help=N_("table, json, csv, xlsx or pdf."))]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", help=N_("Write to FILE instead of the screen."),
                                                  show_default=False)]
AtOpt = Annotated[Optional[str], typer.Option("--at", help=N_("The date, YYYY-MM-DD, inclusive (default: today)."),
                                              show_default=False)]
CustomerOpt = Annotated[Optional[str], typer.Option("--customer", help=N_("One customer (code)."), show_default=False)]
FromOpt = Annotated[Optional[str], typer.Option("--from", help=N_("First date, YYYY-MM-DD (inclusive)."),
                                                show_default=False)]
ToOpt = Annotated[Optional[str], typer.Option("--to", help=N_("Last date, YYYY-MM-DD (inclusive)."), show_default=False)]


def parse_date(value: str | None, option: str, default: dt.date | None = None) -> dt.date | None:
    from ..services.errors import ValidationError

    if value is None or not value.strip():
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("{option} must be a date YYYY-MM-DD, got {value!r}", field=option.lstrip("-"),
                              params={"option": option, "value": value}) from None


def parse_timestamp(value: str | None, option: str) -> dt.datetime | None:
    """ISO date or date-time; without a zone it is UTC."""
    from ..services.errors import ValidationError

    if value is None or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        ts = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("{option} must be a timestamp such as 2026-11-23T08:00:00, got {value!r}",
                              field=option.lstrip("-"), params={"option": option, "value": value}) from None
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.timezone.utc)


def _check_format(fmt: str) -> str:
    from ..services.errors import ValidationError

    f = (fmt or "table").strip().lower()
    if f not in FORMATS:
        raise ValidationError("--format must be one of {formats}, got {value!r}", field="format",
                              params={"formats": ", ".join(FORMATS), "value": fmt})
    return f


def emit(report: Any, fmt: str, output: str | None, *, letterhead: Any = None, ageing: Any = None) -> None:
    """Render ``report`` and write it to ``output`` or standard output."""
    from ..services.errors import ValidationError
    from ..printing.reports import BINARY_FORMATS, render

    binary = fmt in BINARY_FORMATS
    if binary and not output and sys.stdout.isatty():
        raise ValidationError("--format {format} writes a file: give --output FILE (or redirect the output)",
                              params={"format": fmt},
                              field="output")
    width = 80
    if fmt == "table" and not output and sys.stdout.isatty():
        width = max(60, shutil.get_terminal_size((80, 24)).columns)
    from .progress import stdout_piped, terminal_progress

    # an XLSX or PDF of a big report takes long to lay out (a month of statements of 2,000 customers:
    # ~25 s CPU as XLSX, ~90 s as PDF): rows written / in all
    with terminal_progress(_("Writing the {format} file").format(format=fmt.upper()),
                           enabled=binary and (bool(output) or not stdout_piped())) as progress:
        data = render(report, fmt, letterhead=letterhead, ageing=ageing, width=width, on_progress=progress)
    if output:
        from ..services.ledger.exports import write_file

        write_file(output, data)  # whole or not at all: a temporary file renamed at the end
        typer.echo(_("wrote {file}").format(file=output), err=True)
        return
    if binary:
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if stream is None:  # pragma: no cover - a text-only stdout
            raise ValidationError("--format {fmt} writes a file: give --output FILE", field="output",
                                  params={"fmt": fmt})
        stream.write(data)  # type: ignore[arg-type]
        stream.flush()
        return
    typer.echo(data, nl=not str(data).endswith("\n"))


def _session(db: str | None, user: str | None, pin: str | None, *, lite: bool = False):
    services = open_services(db, lite=lite)
    return services, acting_user(services, user, pin)


def read(label: str, fmt: str, output: str | None, build: Callable[[Any], Any]) -> Any:
    """``build(on_progress)`` under a progress bar on standard error (counts done / in all, time left)
    when that is a terminal; with ``--format json``, or the report piped into another program,
    nothing extra (``on_progress`` is None)."""
    from .progress import stdout_piped, terminal_progress

    with terminal_progress(label, enabled=fmt != "json" and (bool(output) or not stdout_piped())) as progress:
        return build(progress)


def period(services: Any, date_from: str | None, date_to: str | None,
           to_option: str = "--to") -> tuple[dt.date, dt.date]:
    """The dates of a statement or a register: ``--from`` (default: the 1st of the last date's month) to
    ``to_option`` (default: today)."""
    d2 = parse_date(date_to, to_option, services.today())
    return parse_date(date_from, "--from", d2.replace(day=1)), d2


def _report_at(label: str, at: str | None, format: str, output: str | None, db: str | None, user: str | None,
               pin: str | None, report_of: Callable[[Any, Any, dt.date, Any], Any], *, lite: bool = False) -> None:
    """A report as it stood at ``--at`` (default: today), read under a progress bar (``label``, see
    :func:`read`): ``report_of(services, actor, date, on_progress)``, emitted. ``lite``: the report, the
    sign-in and the letterhead run only named statements (SQLite without SQLAlchemy, ``open_services``)."""
    with guard():
        fmt = _check_format(format)
        services, actor = _session(db, user, pin, lite=lite)
        day = parse_date(at, "--at", services.today())
        report = read(label, fmt, output, lambda progress: report_of(services, actor, day, progress))
        emit(report, fmt, output, letterhead=services.ledger_reads.letterhead(actor=actor))


@app.command("balances")
def cmd_balances(at: AtOpt = None, customer: CustomerOpt = None,
                 group: Annotated[Optional[str], typer.Option("--group", help=N_("One customer group (name)."),
                                                              show_default=False)] = None,
                 format: FormatOpt = "table", output: OutputOpt = None,
                 db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Each customer's balance at a date (inclusive), in USD and per currency."""
    _report_at(_("Adding up the balances"), at, format, output, db, user, pin,
               lambda s, actor, day, progress: s.ledger_reads.balances(actor, day, customer, group, on_progress=progress),
               lite=True)


@app.command("open-items")
def cmd_open_items(at: AtOpt = None, customer: CustomerOpt = None, format: FormatOpt = "table",
                   output: OutputOpt = None, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Open items as they stood at a date (matches dated later do not count), with their match ids."""
    _report_at(_("Reading the open items"), at, format, output, db, user, pin,
               lambda s, actor, day, progress: s.ledger_reads.open_items(actor, day, customer, on_progress=progress))


@app.command("statement")
def cmd_statement(customer_code: Annotated[Optional[str], typer.Argument(
                      metavar="[CUSTOMER]", help=_("One customer (code), as --customer."), show_default=False)] = None,
                  date_from: FromOpt = None, date_to: ToOpt = None, customer: CustomerOpt = None,
                  voucher_type: Annotated[Optional[list[str]], typer.Option(
                      "--voucher-type", help=N_("Only these voucher types (SI, PI, SR, RD, RC, CR); repeatable."),
                      show_default=False)] = None,
                  changed_since: Annotated[Optional[str], typer.Option(
                      "--changed-since", help=N_("Only entries changed (posted or matched) since this timestamp (UTC)."),
                      show_default=False)] = None,
                  partly_settled: Annotated[bool, typer.Option(
                      "--partly-settled", help=N_("Only entries whose open balance is less than their amount."))] = False,
                  format: FormatOpt = "table", output: OutputOpt = None,
                  db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Opening balance, entries with running balance, closing balance, between two dates (inclusive)."""
    with guard():
        fmt = _check_format(format)
        customer = customer or customer_code
        services, actor = _session(db, user, pin)
        d1, d2 = period(services, date_from, date_to)
        since = parse_timestamp(changed_since, "--changed-since")
        report = read(_("Reading the statements"), fmt, output, lambda progress: services.ledger_reads.statement(
            actor, d1, d2, customer, voucher_type or None, since, partly_settled, on_progress=progress))
        ageing = read(_("Ageing the open items"), fmt, output, lambda progress: services.ledger_reads.ageing(
            actor, d2, customer, on_progress=progress)) if fmt == "pdf" else None
        emit(report, fmt, output, letterhead=services.ledger_reads.letterhead(actor=actor), ageing=ageing)


@app.command("ageing")
def cmd_ageing(at: AtOpt = None, customer: CustomerOpt = None, format: FormatOpt = "table", output: OutputOpt = None,
               db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Open balances by days past due (0-30, 31-60, 61-90, 90+), per customer and customer group."""
    _report_at(_("Ageing the open items"), at, format, output, db, user, pin,
               lambda s, actor, day, progress: s.ledger_reads.ageing(actor, day, customer, on_progress=progress),
               lite=True)


@app.command("general-ledger")
def cmd_general_ledger(date_from: FromOpt = None, date_to: ToOpt = None,
                       location: Annotated[Optional[str], typer.Option("--location", help=N_("Location code."),
                                                                       show_default=False)] = None,
                       show_all: Annotated[bool, typer.Option("--all", help=N_("All transactions, not only payments "
                                                                             "and refunds."))] = False,
                       format: FormatOpt = "table", output: OutputOpt = None,
                       db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Payments and refunds (or all customer transactions) at a location, with the customers' balances."""
    with guard():
        fmt = _check_format(format)
        services, actor = _session(db, user, pin)
        d1, d2 = period(services, date_from, date_to)
        report = read(_("Reading the general ledger"), fmt, output, lambda progress: services.ledger_reads.general_ledger(
            actor, location, d1, d2, show_all, on_progress=progress))
        emit(report, fmt, output, letterhead=services.ledger_reads.letterhead(location, actor))


@app.command("trial-balance")
def cmd_trial_balance(at: AtOpt = None, format: FormatOpt = "table", output: OutputOpt = None,
                      db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Every account's balance at a date, debit and credit (USD), and CDF for CDF accounts."""
    _report_at(_("Adding up the accounts"), at, format, output, db, user, pin,
               lambda s, actor, day, progress: s.ledger_reads.trial_balance(actor, day, on_progress=progress),
               lite=True)


@app.command("register")
def cmd_register(account: Annotated[str, typer.Argument(help=N_("Account code, e.g. 1100."))],
                 date_from: FromOpt = None, date_to: ToOpt = None, format: FormatOpt = "table",
                 output: OutputOpt = None, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """One account's lines between two dates with opening, running and closing balance."""
    with guard():
        fmt = _check_format(format)
        services, actor = _session(db, user, pin)
        d1, d2 = period(services, date_from, date_to)
        report = read(_("Reading the account register"), fmt, output, lambda progress: services.ledger_reads.account_register(
            actor, account, d1, d2, on_progress=progress))
        emit(report, fmt, output, letterhead=services.ledger_reads.letterhead(actor=actor))
