"""``shopterm customer``: customer operations from a shell.

::

    shopterm customer merge KEEP DUP [DUP ...]     # a manager's

Merges the duplicate customers into KEEP: their documents, ledger entries and matches, loyalty
points and card, drafts, locations and missing contact details move to KEEP; each duplicate
becomes inactive, pointing to KEEP; one audit row names them. Refused, with the reason, when a
draft of either is open on a screen (the draft, the user and the till are named), when their receivables are on different control accounts, when a cash customer
would take a credit balance, or when a duplicate is a location's walk-in customer.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..cli import DbOpt, PinOpt, UserOpt, guard, signed_in

app = typer.Typer(help="Customer operations (merge duplicates).", no_args_is_help=True)


@app.command("merge")
def cmd_merge(
    keep: Annotated[str, typer.Argument(help="The customer to keep (code).")],
    duplicates: Annotated[list[str], typer.Argument(help="The duplicate customer(s) merged into it (codes).")],
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """Merge duplicate customers into the one kept; balances are kept to the cent."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        result = services.merge.merge(actor, keep, duplicates)
    typer.echo(result.message)
