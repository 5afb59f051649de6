"""``shopterm print``: print a posted document from a shell.

::

    shopterm print NUMBER [--format pdf|text] [--usd|--no-usd] [--output FILE] [--delivery]
    shopterm print CUSTOMER --statement [--from D1] [--to D2] [--format pdf|text] [--output FILE]

Without ``--output`` the document goes where the Shop Setup says (the print
folder, and the print command if there is one) and the command says where;
``--output FILE`` writes it there instead; ``--output -`` writes it to
standard output (e.g. ``… --format text --output - | lp``). Every print is
counted and audited like one from the screens: a second print is marked
``DUPLICATE — RE-PRINT n``. ``--usd`` prints every amount in USD (default: the
document's own "Print in USD?"). ``--delivery`` prints the delivery note of an
invoice. ``--format text`` to a terminal also shows the text.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, guard, signed_in, state
from ..core import i18n
from ..core.i18n import N_, _

app = typer.Typer(help=N_("Print posted documents."), invoke_without_command=True, no_args_is_help=True,
                  subcommand_metavar="", context_settings={"allow_interspersed_args": True})


@app.callback(invoke_without_command=True)
def cmd_print(
    number: Annotated[Optional[str], typer.Argument(
        help=N_("Document number, e.g. 261101SI000001 (with --statement: a customer code)."), show_default=False)] = None,
    format: Annotated[str, typer.Option("--format", "-f", help=N_("pdf (A4) or text (48 columns, 80 mm)."))] = "pdf",
    usd: Annotated[Optional[bool], typer.Option("--usd/--no-usd", help=N_("Every amount in USD (default: the "
                                                "document's 'Print in USD?')."), show_default=False)] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help=N_("Write to FILE ('-': standard output) "
                                                  "instead of the print folder/command."), show_default=False)] = None,
    delivery: Annotated[bool, typer.Option("--delivery", help=N_("The delivery note of an invoice."))] = False,
    statement: Annotated[bool, typer.Option("--statement", help=N_("A customer statement (NUMBER is the customer)."))]
    = False,
    date_from: Annotated[Optional[str], typer.Option("--from", help=N_("Statement: first date (default: the 1st of "
                                                     "the month)."), show_default=False)] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help=N_("Statement: last date (default: today)."),
                                                   show_default=False)] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help=_("Language printed: en or fr (default: the "
                                                "customer's, else the shop's)."), show_default=False)] = None,
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """Print a posted document (facture, receipt, delivery note, order/proforma, return, refund,
    shop receipt/payment, exchange, commission, shop close) or a customer statement."""
    with guard():
        from ..services.errors import ValidationError

        if not number or not number.strip():
            raise ValidationError("Give the document number to print (or a customer code with --statement)",
                                  field="number")
        if statement and delivery:
            raise ValidationError("--statement and --delivery cannot be used together", field="delivery")
        fmt = (format or "pdf").strip().lower()
        if fmt not in ("pdf", "text", "txt"):
            raise ValidationError("--format must be pdf or text, got {value!r}", field="format",
                                  params={"value": format})
        fmt = "text" if fmt == "txt" else fmt
        lang = lang or state().lang
        if lang:
            try:
                lang = i18n.normalize(lang, field="--lang")
            except i18n.LanguageError as exc:
                raise ValidationError(str(exc), field="lang") from None
        with signed_in(db, user, pin) as (services, actor):
            if statement:
                from .ledger import period

                d1, d2 = period(services, date_from, date_to)
                printed = services.printing.statement(actor, number, d1, d2, format=fmt, output=output,
                                                      lang=lang)
            else:
                if date_from or date_to:
                    raise ValidationError("--from/--to are for --statement", field="from")
                printed = services.printing.print(actor, number, format=fmt, usd=usd,
                                                  kind="delivery" if delivery else None, output=output, lang=lang)
    if output == "-":
        if fmt == "text":
            typer.echo(printed.text, nl=False)
        else:
            stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
            if stream is None:  # pragma: no cover - a text-only stdout
                typer.echo(_("error: --format pdf cannot go to this output: give --output FILE"), err=True)
                raise typer.Exit(1)
            stream.write(printed.data)
            stream.flush()
        return
    if fmt == "text" and output is None and sys.stdout.isatty():
        typer.echo(printed.text)
    if output is not None:
        if printed.duplicate:
            typer.echo(_("Wrote {number} (re-print {n}) to {path}").format(number=printed.number, n=printed.reprint_no,
                                                                           path=printed.path))
        else:
            typer.echo(_("Wrote {number} to {path}").format(number=printed.number, path=printed.path))
    else:
        typer.echo(printed.message())
