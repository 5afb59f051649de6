"""``shopterm email``: email a posted invoice or a customer statement, its PDF attached.

::

    shopterm email NUMBER [--to ADDRESS] [--smtp-host HOST] [--smtp-port PORT]
    shopterm email --statement CUSTOMER [--from D1] [--until D2] [--to ADDRESS] [...]

The recipient is the customer's email unless ``--to`` gives one. The server is Shop Setup's;
``--smtp-host``/``--smtp-port`` (env ``SHOPTERM_SMTP_HOST``/``SHOPTERM_SMTP_PORT``) come first.
The password: env ``SHOPTERM_SMTP_PASSWORD``, else the file ``smtp-password`` (mode 0600) in the
shop's data folder, beside the database. Every send, and every failure, is audited.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, guard, signed_in

app = typer.Typer(help="Email a posted invoice or a customer statement (PDF attached).",
                  invoke_without_command=True, no_args_is_help=True, subcommand_metavar="",
                  context_settings={"allow_interspersed_args": True})


@app.callback(invoke_without_command=True)
def cmd_email(
    number: Annotated[Optional[str], typer.Argument(help="Invoice number, e.g. 261101SI000001.",
                                                    show_default=False)] = None,
    statement: Annotated[Optional[str], typer.Option("--statement", help="Email this customer's statement "
                                                     "instead (a customer code).", show_default=False)] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Recipient (default: the customer's email).",
                                              show_default=False)] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Statement: first date (default: the 1st "
                                                     "of the month).", show_default=False)] = None,
    date_until: Annotated[Optional[str], typer.Option("--until", help="Statement: last date (default: today).",
                                                      show_default=False)] = None,
    smtp_host: Annotated[Optional[str], typer.Option("--smtp-host", envvar="SHOPTERM_SMTP_HOST",
                                                     help="SMTP server (default: Shop Setup's).",
                                                     show_default=False)] = None,
    smtp_port: Annotated[Optional[int], typer.Option("--smtp-port", envvar="SHOPTERM_SMTP_PORT",
                                                     help="SMTP port (default: Shop Setup's, else 587/465/25 by "
                                                          "its security).", show_default=False)] = None,
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
) -> None:
    """Email a posted invoice (or, with --statement, a customer statement) as an A4 PDF."""
    with guard():
        from ..services.errors import ValidationError

        if statement and number:
            raise ValidationError("Give an invoice number or --statement CUSTOMER, not both", field="number")
        if not statement and not (number or "").strip():
            raise ValidationError("Give the invoice number to email (or --statement CUSTOMER)", field="number")
        with signed_in(db, user, pin) as (services, actor):
            if statement:
                from .ledger import period

                d1, d2 = period(services, date_from, date_until, "--until")
                sent = services.mail.email_statement(actor, statement, d1, d2, to=to, smtp_host=smtp_host,
                                                     smtp_port=smtp_port)
            else:
                if date_from or date_until:
                    raise ValidationError("--from/--until are for --statement", field="from")
                sent = services.mail.email_document(actor, number, to=to, smtp_host=smtp_host, smtp_port=smtp_port)
    typer.echo(sent.message)
