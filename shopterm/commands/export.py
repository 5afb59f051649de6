"""``shopterm export journal|customers``: the journal for an accountant (DESIGN §8, §11), the customers as a re-importable file.

``--format hledger`` (default) writes an hledger journal whose ``hledger bal``
reproduces the trial balance in USD; ``--format csv`` one row per journal
line. Without ``--output`` the journal goes to standard output. Needs a
manager or an admin.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, acting_user, guard, open_services
from ..core.i18n import N_, _

app = typer.Typer(help=N_("Export the journal (hledger, CSV) the customers or the sales targets (CSV, XLSX)."), no_args_is_help=True)


@app.command("journal")
def cmd_journal(format: Annotated[str, typer.Option("--format", "-f", help=N_("hledger or csv."))] = "hledger",
                output: Annotated[Optional[str], typer.Option("--output", "-o", help=N_("Write to FILE."),
                                                              show_default=False)] = None,
                db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """The whole journal, one transaction per voucher, amounts in USD."""
    with guard():
        from ..services.errors import ValidationError
        from ..services.ledger.hledger import EXPORT_FORMATS, export_journal

        fmt = (format or "").strip().lower()
        if fmt not in EXPORT_FORMATS:
            raise ValidationError("--format must be one of {formats}, got {value!r}",
                                  params={"formats": ", ".join(EXPORT_FORMATS), "value": format},
                                  field="format")
        services = open_services(db)
        actor = acting_user(services, user, pin)
        if output:
            from ..services.ledger.exports import atomic_output
            from .progress import terminal_progress

            # a temporary file renamed at the end: Ctrl+C or an error leaves no half journal
            with terminal_progress(_("Exporting the journal")) as progress, atomic_output(output) as fh:
                export_journal(services, actor, fmt, fh, on_progress=progress)
            typer.echo(_("wrote {file}").format(file=output), err=True)
        else:
            from .progress import stdout_piped, terminal_progress

            # redirected to a file (> shop.journal): the bar on the terminal; to the terminal itself or
            # piped into another program: the journal only
            with terminal_progress(_("Exporting the journal"),
                                   enabled=not stdout_piped() and not sys.stdout.isatty()) as progress:
                export_journal(services, actor, fmt, sys.stdout, on_progress=progress)


FormatOpt = Annotated[str, typer.Option("--format", "-f", help=N_("csv or xlsx."))]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", help=N_("Write to FILE."), show_default=False)]


@app.command("customers")
def cmd_customers(format: FormatOpt = "csv", output: OutputOpt = None,
                  db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Every customer, in the columns `shopterm import customers` takes (the CSV re-imports as it is)."""

    def export(services, actor, fmt: str) -> bytes:
        from ..services.masters.imports import ImportService

        return ImportService(services).export(actor, "customers", fmt)

    _table_export(export, format, output, db, user, pin)


@app.command("targets")
def cmd_targets(kind: Annotated[str, typer.Option("--kind", help=N_("location or delegate."))] = "location",
                year: Annotated[int, typer.Option("--year", help=N_("The financial year (default: this year)."))] = 0,
                format: FormatOpt = "csv", output: OutputOpt = None,
                db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Sales targets of a year with their actuals: a row per location or sales person and month."""

    def export(services, actor, fmt: str) -> bytes:
        return services.masters.export_targets(actor, kind=kind, financial_year=year or services.today().year,
                                               fmt=fmt)

    _table_export(export, format, output, db, user, pin)


def _table_export(export, format: str, output: str | None, db: str | None, user: str | None,
                  pin: str | None) -> None:
    """A CSV (to standard output or FILE) or an XLSX (to FILE) made by ``export(services, actor, fmt)``."""
    with guard():
        from ..services.errors import ValidationError

        fmt = (format or "").strip().lower()
        if fmt == "xlsx" and not output:
            raise ValidationError("--format xlsx needs --output FILE (a workbook is not text)", field="output")
        services = open_services(db)
        data = export(services, acting_user(services, user, pin), fmt)
        if not output:
            sys.stdout.write(data.decode("utf-8"))
            return
        from ..services.ledger.exports import write_file

        write_file(output, data)  # whole or not at all
        typer.echo(_("wrote {file}").format(file=output), err=True)
