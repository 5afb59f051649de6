"""``shopterm attach``: the attachments of a Sales Promotion or a Discount Slabs table from a shell.

::

    shopterm attach list promotion SP000001          # id, name, size, SHA-256, by, date
    shopterm attach add promotion SP000001 FILE      # at most 5 MB; stored in the database
    shopterm attach save ID [--to PATH]              # write it out (default: attachments/ beside the db)

The same service as Ctrl+G on the master screens: a manager's; every add and save is audited.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..cli import DbOpt, PinOpt, UserOpt, guard, signed_in
from ..core.i18n import N_, _

app = typer.Typer(help=N_("Attachments of sales promotions and discount slabs: list, add, save out."),
                  no_args_is_help=True)

EntityArg = Annotated[str, typer.Argument(help=N_("promotion or discount_slab."))]
KeyArg = Annotated[str, typer.Argument(help=N_("The scheme no (SP000001) or the slab table's no (DS000001)."))]


@app.command("list")
def cmd_list(entity: EntityArg, key: KeyArg, db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """The files attached to the record."""
    with guard():
        from ..services.masters.attachments import size_text

        with signed_in(db, user, pin) as (services, _actor):
            for a in services.masters.attachments(entity, key.strip().upper()):
                typer.echo(f"{a.id}\t{a.name}\t{size_text(a.size)}\t{a.sha256}\t{a.created_by}\t"
                           f"{a.created_at.date().isoformat()}")


@app.command("add")
def cmd_add(entity: EntityArg, key: KeyArg, file: Annotated[str, typer.Argument(help=N_("The file to attach."))],
            db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Attach FILE to the record."""
    with guard():
        from ..services.masters.attachments import size_text

        with signed_in(db, user, pin) as (services, actor):
            info = services.masters.attach(actor, entity, key.strip().upper(), file)
            typer.echo(_("attached {name} ({size}, sha256 {sha}) as {id}").format(
                name=info.name, size=size_text(info.size), sha=info.sha256, id=info.id))


@app.command("save")
def cmd_save(attachment: Annotated[int, typer.Argument(help=N_("The attachment's id (see list)."))],
             to: Annotated[Optional[str], typer.Option("--to", help=N_("A folder or a file name."),
                                                       show_default=False)] = None,
             db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Write the attachment out (checked against its hash)."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        path = services.masters.save_attachment(actor, attachment, to)
        typer.echo(_("saved {path}").format(path=path))
