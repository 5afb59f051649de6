"""``shopterm import sales-persons|suppliers|items|customers|prices|stock FILE.csv`` (DESIGN §11).

Each command checks the whole file first. With a bad row nothing is imported:
a table of every bad row (its number, the header being row 1, and the reason)
is printed and the exit code is 1. Otherwise it prints e.g. ``imported 12
customers (10 new, 2 updated)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..core.i18n import N_, _

from shopterm.cli import DbOpt, PinOpt, UserOpt, acting_user, guard, open_services

app = typer.Typer(help=N_("Import masters and stock from CSV files (UTF-8, header row)."), no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help=N_("The CSV file (UTF-8 with a header row)."), show_default=False)]


def _run(kind: str, file: Path, db: str | None, user: str | None, pin: str | None, force: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    from shopterm.services.masters.imports import ImportService

    with guard():
        services = open_services(db)
        actor = acting_user(services, user, pin)
        from .progress import terminal_progress

        with terminal_progress(_("Importing {file}").format(file=file.name)) as progress:
            result = ImportService(services).run(actor, kind, file, on_progress=progress, force=force)
    console = Console(width=80, highlight=False, soft_wrap=False)
    for warning in result.warnings:
        console.print(_("warning: {text}").format(text=warning), markup=False)
    if not result.ok:
        table = Table(title=f"{file.name}: {result.summary()}", title_justify="left", show_lines=False, width=80)
        table.add_column(_("Row"), justify="right", no_wrap=True)
        table.add_column(_("Problem"), overflow="fold")
        for bad in result.errors:
            table.add_row(str(bad.row), bad.reason)
        console.print(table)
        raise typer.Exit(1)
    typer.echo(result.summary())


@app.command("sales-persons")
def sales_persons(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Sales persons: code, name."""
    _run("sales-persons", file, db, user, pin)


@app.command("suppliers")
def suppliers(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Suppliers (of batches, named by the stock file's supplier column): code, name."""
    _run("suppliers", file, db, user, pin)


@app.command("items")
def items(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Items: code, name, unit, pack_size, tax_rate, cost_usd."""
    _run("items", file, db, user, pin)


@app.command("customers")
def customers(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Customers: code, name, kind, category, group, price_category, credit_limit_usd, credit_days, mobile,
    email, address, sales_person, tax_exempt, free_offer, loyalty_card, locations (codes separated by ;)."""
    _run("customers", file, db, user, pin)


@app.command("prices")
def prices(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Prices: location, item, currency, retail_price, wholesale_price, effective_from."""
    _run("prices", file, db, user, pin)


@app.command("stock")
def stock(file: FileArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None,
          force: Annotated[bool, typer.Option("--force", help=N_("Import a file already imported once."))] = False) -> None:
    """Stock (posted as stock receipts): location, item, batch, qty, cost_usd, expiry, supplier, supplier_batch,
    mfg_date."""
    _run("stock", file, db, user, pin, force=force)
