"""``shopterm user token create|list|revoke``: API tokens for headless commands (DESIGN §10, §11).

An admin issues a token to act as a user without that user's PIN (a script, an
integration). The token is printed once; only its sha256 is stored. Every use
is audited, and a revoked token stops working at once::

    shopterm --user admin --pin 9999 user token create manager --label "nightly export"
    SHOPTERM_TOKEN=st_… shopterm ledger balances
    shopterm --user admin --pin 9999 user token list
    shopterm --user admin --pin 9999 user token revoke st_AbCdEfGh

``shopterm user language NAME fr`` sets the language a user reads (``shop``: the
Shop Setup's); without a language it shows the user's.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..cli import DbOpt, PinOpt, UserOpt, guard, signed_in
from ..core import i18n
from ..core.i18n import N_, _

app = typer.Typer(help=_("Users' language and API tokens for headless commands (admin)."), no_args_is_help=True)
token_app = typer.Typer(help=_("Issue, list and revoke API tokens (admin)."), no_args_is_help=True)
app.add_typer(token_app, name="token")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


@token_app.command("create")
def cmd_create(name: Annotated[str, typer.Argument(help=N_("The user the token acts as."))],
               label: Annotated[str, typer.Option("--label", help=N_("What the token is for."))] = "",
               db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Issue a token acting as NAME. It is shown once: keep it like a password."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        token, info = services.users.create_token(actor, name, label=label)
    typer.echo(token)
    typer.echo(_("API token {prefix}… for {user}: shown only now; use it as SHOPTERM_TOKEN or --token. "
                 "Revoke it with 'shopterm user token revoke {prefix}'").format(prefix=info.prefix, user=info.user),
               err=True)


@token_app.command("list")
def cmd_list(db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """The tokens issued: id, prefix, user, label, created, last used, revoked."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        tokens = services.users.list_tokens(actor)
    if not tokens:
        typer.echo(_("(no API tokens)"))
        return
    prefix, who, created, used, revoked, label = (_("prefix"), _("user"), _("created"), _("last used"), _("revoked"),
                                                  _("label"))
    typer.echo(f"{'id':>4}  {prefix:<12}  {who:<12}  {created:<16}  {used:<16}  {revoked:<16}  {label}")
    for t in tokens:
        typer.echo(f"{t.id:>4}  {t.prefix:<12}  {t.user:<12}  {_when(t.created_at):<16}  {_when(t.last_used_at):<16}  "
                   f"{_when(t.revoked_at):<16}  {t.label}")


@token_app.command("revoke")
def cmd_revoke(token: Annotated[str, typer.Argument(help=N_("The token's id or prefix, as listed."))],
               db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    """Revoke a token: it stops working at once."""
    with guard(), signed_in(db, user, pin) as (services, actor):
        info = services.users.revoke_token(actor, token)
    typer.echo(_("API token {prefix}… of {user} revoked").format(prefix=info.prefix, user=info.user))


@app.command("language", help=_("Show or set the language NAME reads (en, fr; 'shop': the Shop Setup's)."))
def cmd_language(name: Annotated[str, typer.Argument(help=_("The user."))],
                 language: Annotated[str, typer.Argument(help=_("en, fr, or 'shop' for the Shop Setup's."),
                                                         show_default=False)] = "",
                 db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None) -> None:
    with guard(), signed_in(db, user, pin) as (services, actor):
        if language:
            code = "" if language.strip().lower() in ("shop", "-") else language
            info = services.users.update(actor, name, language=code)
        else:
            wanted = name.strip().lower()
            info = next((u for u in services.users.list(actor) if u.name == wanted), None)
            if info is None:
                from ..services.errors import NotFound

                raise NotFound("User {name} not found", field="name", params={"name": name})
    if info.language:
        typer.echo(_("{user} reads {language}").format(user=info.name, language=i18n.language_name(info.language)))
    else:
        typer.echo(_("{user} reads the shop's language (Shop Setup)").format(user=info.name))
