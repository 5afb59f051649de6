"""The ``shopterm`` command (DESIGN §11).

``shopterm`` alone opens the TUI; ``shopterm demo`` creates (or reuses) the
demo shop and opens it; ``shopterm init``, ``shopterm db upgrade`` and
``shopterm post FILE|-`` are the headless basics. The report and data
commands live in their own modules and are mounted when they exist:
``day`` (shopterm.commands.day), ``ledger``, ``export``, ``import``
(shopterm.commands.imports) and ``print``.

Global options, accepted before the command (``shopterm --db X post …``) and
on the commands defined here (``shopterm post --db X …``):

``--db URL|PATH``  the shop database (env ``SHOPTERM_DB``; default: the
                   user's data directory, see :func:`shopterm.store.db.default_url`)
``--user NAME``    the acting user of headless commands (env ``SHOPTERM_USER``)
``--pin PIN``      the acting user's PIN (env ``SHOPTERM_PIN``), or
``--token TOKEN``  an API token an admin issued for that user (env ``SHOPTERM_TOKEN``):
                   a headless command acts as a user only with one of them

``SHOPTERM_TODAY=YYYY-MM-DD`` fixes the business date (tests, training).

For sub-command modules: :func:`open_services`, :func:`acting_user` and
:func:`guard` give every command the same database, user and error handling::

    from shopterm.cli import DbOpt, UserOpt, PinOpt, acting_user, guard, open_services

    @app.command()
    def summary(date: str = "", db: DbOpt = None, user: UserOpt = None, pin: PinOpt = None):
        with guard():
            services = open_services(db)
            actor = acting_user(services, user, pin)
            ...

Nothing heavy is imported at module top: ``shopterm --help`` and
``--version`` stay fast; SQLModel and Textual load only when a command needs
them, and Typer only when a command line is parsed (``typer`` and the shared
option types above are loaded on first use, :func:`_load_typer`): the terminal
app (``shopterm``, ``shopterm demo``) opens without it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

from . import __version__
from .core import i18n
from .core.i18n import N_, _

if TYPE_CHECKING:
    import click
    import typer

    from .services import Services
    from .services.context import Actor
    from .services.errors import ShopError

#: Sub-command modules mounted when they exist: name → (module, one-line help for ``shopterm --help``).
SUBAPPS: dict[str, tuple[str, str]] = {
    "day": ("shopterm.commands.day", N_("The shop day: open, close, day summary.")),
    "ledger": ("shopterm.commands.ledger", N_("Customer ledger: balances, open items, statements, ageing.")),
    "export": ("shopterm.commands.export",
               N_("Export the journal (hledger, CSV), the customers or the sales targets (CSV, XLSX).")),
    "import": ("shopterm.commands.imports", N_("Import masters and stock from CSV files.")),
    "print": ("shopterm.commands.print", N_("Print posted documents.")),
    "email": ("shopterm.commands.email", N_("Email a posted invoice or a customer statement (PDF attached).")),
    "customer": ("shopterm.commands.customer", N_("Customer operations: merge duplicates.")),
    "attach": ("shopterm.commands.attach",
               N_("Attachments of sales promotions and discount slabs: list, add, save out.")),
    "user": ("shopterm.commands.user", N_("Users' language and API tokens for headless commands (admin).")),
}

DEMO_FILE = "demo.db"

# -- options shared by every command -------------------------------------------------

#: The option types every command shares, made by :func:`_load_typer` (``from shopterm.cli import DbOpt``).
_OPTIONS = ("DbOpt", "UserOpt", "PinOpt", "TokenOpt")


def _load_typer() -> "Any":
    """Import Typer and make :data:`_OPTIONS` (once). The terminal app opens without Typer (~45 ms CPU and
    ~0.9 MiB at start-up); anything that parses a command line, or exits through Typer, loads it first."""
    g = globals()
    if "typer" in g:
        return g["typer"]
    import typer

    from .commands.params import install

    install(typer)  # plain values (str, bool, int, list[str]) read without pydantic (~85 ms CPU a command)
    g["typer"] = typer
    g["DbOpt"] = Annotated[Optional[str], typer.Option("--db", help=N_("Database URL or file path (env SHOPTERM_DB)."),
                                                       show_default=False)]
    g["UserOpt"] = Annotated[Optional[str], typer.Option("--user", help=N_("Acting user (env SHOPTERM_USER)."),
                                                         show_default=False)]
    g["PinOpt"] = Annotated[Optional[str], typer.Option("--pin", help=N_("The acting user's PIN (env SHOPTERM_PIN)."),
                                                        show_default=False)]
    g["TokenOpt"] = Annotated[Optional[str], typer.Option("--token",
                                                          help=N_("An API token an admin issued (env SHOPTERM_TOKEN)."),
                                                          show_default=False)]
    return typer


def __getattr__(name: str) -> Any:
    """``shopterm.cli.typer`` and the option types load Typer on first use (module-level ``__getattr__``)."""
    if name == "typer" or name in _OPTIONS:
        _load_typer()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _say(text: str, *, err: bool = False) -> None:
    """One line on standard output (or error), as ``typer.echo`` writes plain text: for what the terminal
    app's start (``shopterm demo``) prints without loading Typer."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


@dataclass
class CliState:
    """The global options given before the command (and their environment variables)."""

    db: str | None = None
    user: str | None = None
    pin: str | None = None
    token: str | None = None
    lang: str | None = None  # --lang given on the command line (prints follow it, not the customer's)
    lang_chosen: bool = False  # --lang or SHOPTERM_LANG: else the signed-in user's language (acting_user)


_state = CliState()


def state() -> CliState:
    return _state


def db_url(db: str | None = None) -> str:
    """The database URL: the command's ``--db``, else the global one / ``SHOPTERM_DB``, else the data
    directory's shop — or the demo's database there while no shop has been created (see :func:`default_shop_url`)."""
    from .store.db import normalise_url

    value = db or _state.db or os.environ.get("SHOPTERM_DB")
    return normalise_url(value) if value else default_shop_url()


def default_shop_url(*, for_init: bool = False) -> str:
    """``<data dir>/shop.db``; while it does not exist and ``shopterm demo`` made ``<data dir>/demo.db``,
    the demo's database (``for_init``: always shop.db, the file ``shopterm init`` creates)."""
    from .store.db import default_db_path

    shop = default_db_path()
    demo = shop.with_name(DEMO_FILE)
    if not for_init and not shop.exists() and demo.exists():
        return f"sqlite:///{demo}"
    return f"sqlite:///{shop}"


NO_SHOP = N_("no shop database at {path}: create one with 'shopterm init --location-code … "
              "--location-name … --rate … --admin-pin …', or try 'shopterm demo'")


def business_today() -> "dt.date | None":
    """``SHOPTERM_TODAY`` (YYYY-MM-DD) fixes the business date (tests, training); None: the clock's date."""
    value = os.environ.get("SHOPTERM_TODAY", "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from .services.errors import ValidationError

        raise ValidationError("SHOPTERM_TODAY must be a date YYYY-MM-DD, got {value!r}", field="today",
                              params={"value": value}) from None


def open_services(db: str | None = None, *, upgrade: bool = True, create: bool = False,
                  lite: bool = False) -> "Services":
    """Services on the chosen database, schema upgraded. A database that cannot be opened is a clear error.

    Only ``create=True`` (``shopterm init`` and ``shopterm demo``) may make a new SQLite file: any other
    command on a missing file says so and leaves no empty database behind. ``lite``: a read command that
    runs only named statements (``Services.open``: SQLite without SQLAlchemy).
    """
    from .services import Services
    from .services.errors import ShopError

    url = db_url(db)
    path = _sqlite_path(url)
    if not create and path is not None and not os.path.exists(path):
        raise ShopError(NO_SHOP, field="db", params={"path": path})
    today = business_today()
    try:
        services = Services.open(url, upgrade=upgrade, today=today, lite=lite)
        if not upgrade:
            with services.db.engine.connect():  # fail here, clearly, if it is not a database
                pass
        return services
    except ShopError:
        raise
    except Exception as exc:  # a bad path, a missing driver, a file that is not a database…
        from .store.db import mask_password, sqlite_refusal

        refusal = sqlite_refusal(exc)  # another program holds its write lock, a full disk: as guard() says
        if refusal is not None:
            raise _refused(refusal) from None

        raise ShopError("cannot open the database {url}: {problem}", field="db",
                        params={"url": _display_url(url), "problem": mask_password(_first_line(exc), url)}) from None


def acting_user(services: "Services", user: str | None = None, pin: str | None = None,
                token: str | None = None) -> "Actor":
    """The acting user (``--user``/``SHOPTERM_USER``), only with a credential: the user's PIN
    (``--pin``/``SHOPTERM_PIN``) or an API token (``--token``/``SHOPTERM_TOKEN``, which names its user).
    Without ``--lang``/``SHOPTERM_LANG`` the command reads in that user's language from here on (their
    own, else the shop's), as the terminal app does after its sign-in; machine formats stay neutral."""
    from .services.headless import actor_for

    name = user or _state.user or os.environ.get("SHOPTERM_USER")
    the_pin = pin or _state.pin or os.environ.get("SHOPTERM_PIN")
    token = token or (None if pin else _state.token or os.environ.get("SHOPTERM_TOKEN"))
    actor = actor_for(services, name, the_pin, token)
    if not _state.lang_chosen and actor.language:  # what follows reads in the user's language (README)
        try:
            i18n.set_language(actor.language)
        except i18n.LanguageError:  # a language this build has no catalogue for: English
            pass
    return actor


@contextmanager
def signed_in(db: str | None, user: str | None = None, pin: str | None = None
              ) -> Iterator[tuple["Services", "Actor"]]:
    """The services on ``db`` and the acting user (:func:`acting_user`) for one headless command; the
    database is let go when the block ends. Inside :func:`guard`, which turns their errors into messages."""
    services = open_services(db)
    try:
        yield services, acting_user(services, user, pin)
    finally:
        services.db.dispose()


def fail(message: str, *, field: str | None = None, as_json: bool = False, code: int = 1,
         error: "ShopError | None" = None, **extra: Any) -> NoReturn:
    """Print ``message`` (a business ``error``'s JSON also gives its ``code`` and English ``message_id``,
    the same in every language) and exit with ``code``."""
    typer = _load_typer()
    if as_json:
        out: dict[str, Any] = {"error": message}
        if field:
            out["field"] = field
        if error is not None:
            out["code"] = error.code
            out["message_id"] = error.message_id
        out.update(extra)
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        typer.echo(_("error: {message}").format(message=message), err=True)
    raise typer.Exit(code)


@contextmanager
def guard(*, as_json: bool = False) -> Iterator[None]:
    """Turn a business-rule error (or bad money input) into a clear message and exit 1, never a traceback."""
    from .core.money import MoneyError
    from .services.errors import ShopError, ValidationError
    from .store.db import UnstorableText

    try:
        yield
    except ShopError as exc:
        fail(exc.message, field=exc.field, as_json=as_json, error=exc)
    except MoneyError as exc:  # bad input all the same: the JSON says so with the "invalid" code
        fail(str(exc), as_json=as_json, error=ValidationError(str(exc)))
    except UnstorableText as exc:  # a NUL in some text: no database can be given one
        fail(str(exc), field=exc.field, as_json=as_json, error=ValidationError(str(exc), field=exc.field))
    except Exception as exc:
        from .store.db import SumTooLarge, sqlite_refusal, sum_overflow

        if sum_overflow(exc):  # a sum past a BIGINT that no report named
            fail(str(SumTooLarge()), as_json=as_json, error=ValidationError(str(SumTooLarge())))
        refusal = sqlite_refusal(exc)
        if refusal is None:
            raise
        error = _refused(refusal)
        fail(error.message, field=error.field, as_json=as_json, error=error)


def _refused(refusal: str) -> "ShopError":
    """What SQLite's refusal (:func:`shopterm.store.db.sqlite_refusal`: its busy timeout ran out, a full
    disk) says, the same whichever way the command reached the file; nothing was written."""
    from .services.errors import DatabaseBusy, DatabaseFull
    from .store.db import BUSY_TIMEOUT_MS

    if refusal == "full":
        return DatabaseFull("The disk that holds the database is full. Nothing was written; free some space "
                            "and try again", field="db")
    return DatabaseBusy("The database is busy: another program held it for {seconds} seconds. Nothing was "
                        "written; try again", field="db", params={"seconds": BUSY_TIMEOUT_MS // 1000})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _sqlite_path(url: str) -> str | None:
    """The file of a sqlite URL (None for other databases and in-memory ones)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.split("sqlite:///", 1)[1].split("?", 1)[0]
    return None if not path or path == ":memory:" or path.startswith("file:") else path


def _display_url(url: str) -> str:
    """The URL as printed: a file path for SQLite, the password masked (``postgresql://u:***@…``)."""
    from .store.db import display_url

    return display_url(url)


# -- the commands ------------------------------------------------------------------------


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"shopterm {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", envvar="SHOPTERM_DB", show_default=False,
                                              help=N_("Database URL or file path (default: your data directory)."))] = None,
    user: Annotated[Optional[str], typer.Option("--user", envvar="SHOPTERM_USER", show_default=False,
                                                help=N_("Acting user for headless commands."))] = None,
    pin: Annotated[Optional[str], typer.Option("--pin", envvar="SHOPTERM_PIN", show_default=False,
                                               help=N_("The acting user's PIN."))] = None,
    token: Annotated[Optional[str], typer.Option("--token", envvar="SHOPTERM_TOKEN", show_default=False,
                                                 help=N_("An API token an admin issued (instead of --user/--pin)."))] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help=N_("Show the version and exit."))] = False,
    lang: Annotated[Optional[str], typer.Option("--lang", envvar="SHOPTERM_LANG", show_default=False,
                                                help=N_("Language of what is shown and printed: en or fr "
                                                        "(default: the signed-in user's, else the shop's)."))] = None,
) -> None:
    """shopterm runs a shop's sales day in USD and CDF from the terminal.

    Without a command it opens the terminal app on the shop database.
    """
    global _state, _language_given
    _state = CliState(db=db, user=user, pin=pin, token=token, lang_chosen=lang is not None)
    _language_given = _language_given or lang is not None
    # (Typer carries its own click: compare the source by name, not with click's enum, which never equals it)
    source = ctx.get_parameter_source("lang")
    if lang is not None and getattr(source, "name", None) == "COMMANDLINE":
        _state.lang = lang
    try:  # no --lang and no SHOPTERM_LANG: English (a command run in-process does not keep the last one's)
        i18n.set_language(lang)
    except i18n.LanguageError as exc:
        fail(str(exc), field="lang")
    if ctx.invoked_subcommand is None:
        with guard():
            url = db_url()
            path = _sqlite_path(url)
            if path is not None and not os.path.exists(path):
                fail(_(NO_SHOP).format(path=path), field="db")
            _run_tui(url, user=user or "")


def _run_tui(url: str, *, user: str = "", demo: bool = False) -> None:
    """Open the Textual app; the services open (and upgrade the schema) in a worker while the login waits.

    ``demo``: the worker also makes sure the database holds the demo shop (building it if it is empty).
    """
    from .app import ShoptermApp

    today = business_today()

    def opener():
        from .services import Services

        services = Services.open(url, today=today)
        if demo:
            from .services.admin.demo import ensure_demo

            ensure_demo(services)
        return services

    ShoptermApp(opener, user=user, shop_language=not _language_given).run()


def cmd_demo(
    db: DbOpt = None,
    no_tui: Annotated[bool, typer.Option("--no-tui", help=N_("Only create the demo database; do not open the app."))] = False,
) -> None:
    """Create (or reuse) the demo shop and open it at the login screen.

    Users: cashier (PIN 1111), manager (2222), admin (9999). Without --db the
    demo lives in its own file in your data directory, never in your shop.
    """
    with guard():
        url = _demo_url(db)
        where = _display_url(url)
        path = _sqlite_path(url)
        if not no_tui and path is not None and os.path.exists(path):
            # An existing demo: the TUI opens the services once, in its worker while the sign-in
            # screen shows, and checks there that the file holds the demo (ensure_demo).
            _say(_("Opening the demo shop in {where}").format(where=where))
            _say(_("Users: cashier (PIN 1111), manager (2222), admin (9999)"))
            _run_tui(url, demo=True)
            return
        services = open_services(url, create=True)
        from .services.admin.demo import ensure_demo

        created = ensure_demo(services)
        services.db.dispose()
        if created:
            _say(_("Demo shop created in {where}").format(where=where))
        else:
            _say(_("Demo shop reused from {where}").format(where=where))
        _say(_("Users: cashier (PIN 1111), manager (2222), admin (9999)"))
        if db or _state.db or os.environ.get("SHOPTERM_DB"):
            _say(_("Other commands: give them --db {where} (or SHOPTERM_DB)").format(where=where))
        elif db_url() == url:
            _say(_("Other commands use this database until you create your shop with 'shopterm init'"))
    if not no_tui:
        with guard():
            _run_tui(url)


def _demo_url(db: str | None) -> str:
    explicit = db or _state.db or os.environ.get("SHOPTERM_DB")
    if explicit:
        return db_url(explicit)
    from .store.db import default_db_path

    return f"sqlite:///{default_db_path().with_name(DEMO_FILE)}"


def cmd_init(
    location_code: Annotated[str, typer.Option("--location-code", help=N_("Code of the first location, e.g. AXP."))],
    location_name: Annotated[str, typer.Option("--location-name", help=N_("Its name, e.g. Axpert."))],
    rate: Annotated[str, typer.Option("--rate", help=N_("System exchange rate, CDF per 1 USD, e.g. 2850."))],
    admin_pin: Annotated[str, typer.Option("--admin-pin", help=N_("PIN of the 'admin' user (4 to 8 digits)."))],
    phone: Annotated[str, typer.Option("--phone", help=N_("The shop's phone: printed, and the walk-in customer's "
                                                          "Contact No on its invoices."))] = "",
    db: DbOpt = None,
) -> None:
    """Create an empty shop: default chart, one location (number 01), its shop setup, a rate and an admin."""
    with guard():
        db = db or _state.db or os.environ.get("SHOPTERM_DB") or default_shop_url(for_init=True)
        services = open_services(db, create=True)
        info = services.setup.init_shop(location_code=location_code, location_name=location_name, rate=rate,
                                        admin_pin=admin_pin, phone=phone)
        services.db.dispose()
        typer.echo(_("Shop created in {where}: location {code} {name} (01), rate {rate} CDF per USD, user 'admin'")
                   .format(where=_display_url(db_url(db)), code=info.location_code, name=info.location_name, rate=rate))


def cmd_db_upgrade(db: DbOpt = None) -> None:
    """Bring an existing shop database's schema up to date (a no-op when current; 'init' creates a shop)."""
    with guard():
        from .store.migrate import current_revision, head_revision, needs_catch_up

        services = open_services(db, upgrade=False)
        before = current_revision(services.db.engine)
        head = head_revision()
        if before == head and needs_catch_up(services.db.engine):
            from .store.migrate import upgrade

            try:
                added = upgrade(services.db.engine)
            except Exception as exc:
                fail(_("upgrade failed: {reason}").format(reason=_first_line(exc)), field="db")
            typer.echo(_("Database {where} (revision {head}, made by an earlier build): added {added}").format(
                where=_display_url(db_url(db)), head=head, added=", ".join(added) or _("nothing")))
        elif before == head:
            typer.echo(_("Database {where} is up to date (revision {head})").format(where=_display_url(db_url(db)),
                                                                                    head=head))
        else:
            from .store.migrate import upgrade

            try:
                upgrade(services.db.engine)
            except Exception as exc:
                fail(_("upgrade failed: {reason}").format(reason=_first_line(exc)), field="db")
            typer.echo(_("Database {where} upgraded from {before} to {head}").format(
                where=_display_url(db_url(db)), before=before or _("empty"), head=head))
        services.db.dispose()


def cmd_db_verify(db: DbOpt = None) -> None:
    """Recompute the hash chains of the audit log and the journal; name the first row that does not match.

    Exit 0 when both chains are intact, 1 when one is broken (a row changed, added or removed outside shopterm).
    """
    with guard():
        services = open_services(db, upgrade=False)
        try:
            reports = _verify_books(services)
        finally:
            services.db.dispose()
    broken = False
    for report in reports:
        head = report.head[:16] or _("(empty)")
        if report.ok and report.chain == "audit":
            typer.echo(_("audit log: {count} rows, chain intact, head {head}").format(count=report.rows, head=head))
        elif report.ok:
            typer.echo(_("journal: {count} vouchers, chain intact, head {head}").format(count=report.rows, head=head))
        else:
            broken = True
            label = _("audit log") if report.chain == "audit" else _("journal")
            typer.echo(_("{chain}: BROKEN — {problem}").format(chain=label, problem=report.problem))
    if broken:
        raise typer.Exit(1)


def cmd_db_backup(
    file: Annotated[str, typer.Argument(help=N_("The new backup file (never overwritten)."))],
    db: DbOpt = None,
) -> None:
    """Copy the live shop database into FILE while the tills keep posting, then verify the copy.

    SQLite's online backup API takes one consistent snapshot; the copy must pass PRAGMA
    integrity_check and 'db verify' before it is kept. For PostgreSQL use pg_dump.
    """
    with guard():
        from .services.admin.backup import backup

        report = backup(_existing_url(db), file)
        typer.echo(_("Backup written to {path} ({size} bytes): integrity ok, {audit} audit rows and {vouchers} "
                     "vouchers verified").format(path=report.path, size=i18n.localize_number(f"{report.size:,}"),
                                                 audit=report.audit_rows, vouchers=report.vouchers))


def cmd_db_restore(
    file: Annotated[str, typer.Argument(help=N_("The backup file to restore."))],
    db: DbOpt = None,
) -> None:
    """Restore the backup FILE into a new database file (--db; never an existing one), verified."""
    with guard():
        from .services.admin.backup import restore

        report = restore(file, db_url(db))
        typer.echo(_("Restored {file} into {path}: integrity ok, {audit} audit rows and {vouchers} vouchers verified")
                   .format(file=file, path=report.path, audit=report.audit_rows, vouchers=report.vouchers))
        if not (db or _state.db or os.environ.get("SHOPTERM_DB")):
            return
        typer.echo(_("Use it with --db {path} (or SHOPTERM_DB)").format(path=report.path))


def _existing_url(db: str | None) -> str:
    from .services.errors import ShopError

    url = db_url(db)
    path = _sqlite_path(url)
    if path is not None and not os.path.exists(path):
        raise ShopError(NO_SHOP, field="db", params={"path": path})
    return url


def _verify_books(services: "Services") -> list:
    from .services.admin import chain

    with services.db.read() as session:
        return chain.verify(session)


def cmd_post(
    file: Annotated[str, typer.Argument(help=N_("A JSON file with one document or a list of them; - reads stdin."))],
    db: DbOpt = None,
    user: UserOpt = None,
    pin: PinOpt = None,
    token: TokenOpt = None,
) -> None:
    """Post documents given as JSON; print a JSON list of {type, number, totals}.

    Each document is posted whole or not at all (a savepoint of the list's
    transaction, committed every 0.1 s and at the end). On the first rejected document the
    output is {"error", "field", "index", "type", "posted": [...]} (the
    documents before it stay posted) and the exit code is 1. Amounts,
    quantities and rates are JSON strings ("2.50"); JSON numbers are refused.
    """
    if file == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            fail(_("cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc), field="file",
                 as_json=True)
        except UnicodeDecodeError:
            fail(_("cannot read {file}: not UTF-8 text").format(file=file), field="file", as_json=True)
    with guard(as_json=True):
        from .services.headless import parse_json, post_documents

        data = parse_json(text)  # before opening the database: a malformed file touches nothing
        services = open_services(db)
        actor = acting_user(services, user, pin, token)
        try:
            with _ctrl_c_stops_the_list() as pressed:
                outcome = post_documents(services, actor, data, after_first=_set_aside_startup_objects, stop=pressed)
        except KeyboardInterrupt as exc:  # a second Ctrl+C, inside a document: it and the rest are not posted
            from .services.errors import Interrupted

            error = Interrupted(_INTERRUPTED)
            fail(error.message, as_json=True, code=130, error=error, index=getattr(exc, "index", None),
                 posted=getattr(exc, "posted", []))
        except Exception as exc:  # not a rule: say where the list stopped and what was posted
            from .store.db import sqlite_refusal

            stopped = {"index": exc.index, "posted": exc.posted} if hasattr(exc, "posted") else {}
            refusal = sqlite_refusal(exc)
            if refusal is not None:  # the database refused this document (busy, full): nothing of it written
                error = _refused(refusal)
                fail(error.message, field=error.field, as_json=True, error=error, **stopped)
            import traceback  # a bug, not bad input: the traceback too

            traceback.print_exc(file=sys.stderr)
            fail(f"internal error: {type(exc).__name__}: {_first_line(exc)}", as_json=True, code=2, internal=True,
                 **stopped)
        finally:
            services.db.dispose()
    _say(json.dumps(outcome.output(), indent=2, ensure_ascii=False))  # as typer.echo (a list may come without Typer)
    if not outcome.ok:
        raise _load_typer().Exit(130 if outcome.error.get("code") == "interrupted" else 1)


#: what ``shopterm post`` says when Ctrl+C stopped its list (services.headless.post_documents says the same)
_INTERRUPTED = N_("Stopped (Ctrl+C): the documents before this one are posted, this one and the rest are not")


@contextmanager
def _ctrl_c_stops_the_list() -> Iterator[Any]:
    """A first Ctrl+C while a list is posted stops it between two documents (the ones before are committed
    and said posted, exit 130); a second one interrupts at once (the document under way and those not yet
    committed are rolled back, and said not posted). Yields whether Ctrl+C was pressed. Off the main thread,
    or where SIGINT is ignored, nothing changes."""
    import signal
    import threading

    pressed: list[bool] = []
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if previous is None or previous is signal.SIG_IGN:
        yield lambda: False
        return

    def first(signum: int, frame: Any) -> None:
        pressed.append(True)
        signal.signal(signal.SIGINT, previous)  # the next Ctrl+C interrupts at once

    signal.signal(signal.SIGINT, first)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


_set_aside = False


def _set_aside_startup_objects() -> None:
    """Once per process: move the objects made so far (SQLAlchemy's, the models', the services') out of
    the garbage collector's reach (``gc.freeze``, no collection first). In a list of 200 invoices the
    collector's full passes went over all of them twice, 30-60 ms each; they now go over what the
    documents made since. What is set aside is never collected: a command's start-up, once."""
    global _set_aside
    if not _set_aside:
        _set_aside = True
        import gc

        gc.freeze()


# -- building the app ----------------------------------------------------------------------

_GLOBAL_VALUE_OPTIONS = {"--db", "--user", "--pin", "--token", "--lang"}


def _command_name(argv: Sequence[str]) -> str | None:
    """The first token of ``argv`` that is not a global option (or its value)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token in _GLOBAL_VALUE_OPTIONS:
            skip = True
            continue
        if token.startswith("-"):
            continue
        return token
    return None


def make_app(argv: Sequence[str] | None = None) -> "typer.Typer":
    """The ``shopterm`` Typer app. Sub-apps are imported only when ``argv`` names them."""
    typer = _load_typer()
    app = typer.Typer(
        name="shopterm",
        add_completion=False,
        no_args_is_help=False,
        invoke_without_command=True,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    app.command("demo")(cmd_demo)
    app.command("init")(cmd_init)
    app.command("post")(cmd_post)
    db_app = typer.Typer(help=N_("Database maintenance."), no_args_is_help=True)
    db_app.command("upgrade")(cmd_db_upgrade)
    db_app.command("verify")(cmd_db_verify)
    db_app.command("backup")(cmd_db_backup)
    db_app.command("restore")(cmd_db_restore)
    app.add_typer(db_app, name="db")

    wanted = _command_name(sys.argv[1:] if argv is None else argv)
    for name, (module, help_text) in SUBAPPS.items():
        if name == wanted:
            sub = getattr(importlib.import_module(module), "app")
            app.add_typer(sub, name=name)
        else:  # listed in --help without importing the module (it may import the whole store)
            app.add_typer(typer.Typer(help=_(help_text)), name=name, help=_(help_text))
    return app


#: True when --lang or SHOPTERM_LANG chose the language; else the sign-in screen reads in the shop's
#: own language (Shop Setup) as soon as the database is open.
_language_given = False


def _language_from_args(args: Sequence[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` anywhere in ``args``, else ``SHOPTERM_LANG``: set before the
    commands are built, so their help reads in that language too."""
    for i, token in enumerate(args):
        if token == "--":
            break
        if token == "--lang" and i + 1 < len(args):
            return i18n.normalize(args[i + 1], field="--lang")
        if token.startswith("--lang="):
            return i18n.normalize(token.partition("=")[2], field="--lang")
    return i18n.language_from_env()


def main(argv: Sequence[str] | None = None) -> Any:
    global _language_given
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        lang = _language_from_args(args)
        _language_given = lang is not None
        i18n.set_language(lang)
    except i18n.LanguageError as exc:
        _say(str(exc), err=True)
        raise SystemExit(2) from None
    tui = _tui_options(args)
    if tui is not None:  # `shopterm [demo] [--db …]`: the app at once, without building the commands
        return _open_tui(**tui)
    post = _post_options(args)
    if post is not None:  # `shopterm [--db …] post FILE [--user …]`: a list posted without building the commands
        return _post_without_typer(**post)
    app = make_app(args)
    _translate_typer_words()
    if i18n.current() == i18n.DEFAULT_LANGUAGE:
        return app(args=args, prog_name="shopterm")
    command = typer.main.get_command(app)
    translate_help(command)
    return command(args=args, prog_name="shopterm")


def _translate_rich_words(rich_utils: Any) -> None:
    """Typer's own words in ``--help`` and its error panels (panel titles, [default: …])."""
    for name, text in (("DEFAULT_STRING", N_("[default: {}]")), ("ENVVAR_STRING", N_("[env var: {}]")),
                       ("REQUIRED_LONG_STRING", N_("[required]")), ("ARGUMENTS_PANEL_TITLE", N_("Arguments")),
                       ("OPTIONS_PANEL_TITLE", N_("Options")), ("COMMANDS_PANEL_TITLE", N_("Commands")),
                       ("ERRORS_PANEL_TITLE", N_("Error")), ("ABORTED_TEXT", N_("Aborted.")),
                       # above a usage error's panel (Rich markup and fields kept in the translation)
                       ("RICH_HELP", N_("Try [blue]'{command_path} {help_option}'[/] for help."))):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, _(text))
    rich_utils._ = i18n.gettext


class _RichWordsOnImport:
    """Translates ``typer.rich_utils`` when Typer first imports it (to show help or an error):
    importing it up front loads Rich's markdown and syntax modules, ~0.1 s of CPU that a command
    which shows neither does not need."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "typer.rich_utils":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                run(module)
                _translate_rich_words(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _translate_typer_words() -> None:
    """Typer's own words in ``--help`` (panel titles, [default: …])."""
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        _translate_rich_words(rich_utils)
    elif not any(isinstance(f, _RichWordsOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RichWordsOnImport())
    # Typer's own messages ("No such command …") go through gettext's default domain, which has
    # no catalogue, and the Click it carries hard-codes "Usage:" and the --help option's help:
    # all are read from ours.
    import typer.core as typer_core
    from typer._click import core as click_core
    from typer._click.formatting import HelpFormatter

    typer_core._ = i18n.gettext  # type: ignore[attr-defined]
    if not getattr(HelpFormatter.write_usage, "_shopterm", False):
        write_usage = HelpFormatter.write_usage
        get_help_option = click_core.Command.get_help_option

        def usage_in_language(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            write_usage(self, prog, args, f"{_('Usage:')} " if prefix is None else prefix)

        def help_option_in_language(self: Any, ctx: Any) -> Any:
            option = get_help_option(self, ctx)
            if option is not None and option.help:
                option.help = _(option.help)
            return option

        usage_in_language._shopterm = True  # type: ignore[attr-defined]
        HelpFormatter.write_usage = usage_in_language  # type: ignore[method-assign]
        click_core.Command.get_help_option = help_option_in_language  # type: ignore[method-assign]


# Typer's and Click's words shown in --help and its errors, for the catalogue (read through _() above).
CLICK_WORDS = (N_("Usage:"), N_("Show this message and exit."), N_("No such command {name!r}."),
               N_("Missing command."))


def translate_help(command: click.Command) -> None:
    """``--help`` in the current language: every command's help (its docstring, extracted by
    scripts/i18n.py) and every option's and argument's help (marked with ``N_``)."""
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


_POST_VALUE_OPTIONS = {"--db", "--user", "--pin", "--token"}
_OPTION_ENV = {"--db": "SHOPTERM_DB", "--user": "SHOPTERM_USER", "--pin": "SHOPTERM_PIN", "--token": "SHOPTERM_TOKEN"}


def _tui_options(args: Sequence[str]) -> dict[str, Any] | None:
    """The root options when ``args`` holds only them (each with its value), and at most the
    command ``demo``: the terminal app opens without Typer parsing the line (its parameter types
    load pydantic, ~0.1 s of the start-up). Anything else (another command or option, --help,
    --version, --no-tui): None."""
    found: dict[str, str | None] = {}
    demo = False
    it = iter(args)
    for token in it:
        if token == "demo" and not demo:
            demo = True
            continue
        if not _take_option(token, it, found, _GLOBAL_VALUE_OPTIONS):
            return None
    out: dict[str, Any] = {k[2:]: found.get(k, os.environ.get(v) or None) for k, v in _OPTION_ENV.items()}
    out["demo"] = demo
    return out


def _take_option(token: str, rest: Iterator[str], found: dict[str, str], allowed: set[str]) -> bool:
    """``--name value`` / ``--name=value`` into ``found`` (the value taken from ``rest`` when not joined);
    False for what only Typer should read: a name not ``allowed``, given twice, or without a plain value."""
    name, eq, value = token.partition("=")
    if name not in allowed or name in found:
        return False
    if not eq:
        value = next(rest, None)
        if value is None or value.startswith("-"):
            return False
    found[name] = value
    return True


def _post_options(args: Sequence[str]) -> dict[str, Any] | None:
    """``shopterm [root options] post FILE [--db/--user/--pin/--token …]`` read as plain values: a list is
    posted without Typer parsing the line (importing Typer and building the commands cost ~40 ms CPU of
    each ``shopterm post``). Anything else — --help, an unknown or repeated option, a value that looks
    like an option, a second file, ``--`` — is None: Typer reads it (and says what is wrong)."""
    root: dict[str, str] = {}
    own: dict[str, str] = {}
    file: str | None = None
    command = False
    it = iter(args)
    for token in it:
        if not command and token == "post":
            command = True
            continue
        if command and (token == "-" or not token.startswith("-")):
            if file is not None:
                return None
            file = token
            continue
        found, allowed = (own, _POST_VALUE_OPTIONS) if command else (root, _GLOBAL_VALUE_OPTIONS)
        if not _take_option(token, it, found, allowed):
            return None
    if not command or file is None:
        return None
    state = {k[2:]: root.get(k, os.environ.get(v) or None) for k, v in _OPTION_ENV.items()}
    return {"file": file, "state": state, "lang": root.get("--lang"), "own": {k[2:]: v for k, v in own.items()}}


def _post_without_typer(file: str, state: dict[str, str | None], lang: str | None, own: dict[str, str]) -> None:
    """What Typer does for ``post`` (the root callback's options, then the command; the language is already
    set by ``main``); an exit through :func:`fail` (which loads Typer) keeps its code."""
    global _state
    _state = CliState(**state, lang=lang, lang_chosen=_language_given)
    try:
        cmd_post(file, **own)
    except Exception as exc:
        exit_type = getattr(sys.modules.get("typer"), "Exit", None)
        if exit_type is None or not isinstance(exc, exit_type):
            raise
        raise SystemExit(exc.exit_code) from None


def _open_tui(db: str | None, user: str | None, pin: str | None, token: str | None, demo: bool = False) -> None:
    """What the root callback does without a command, or ``demo`` (the language is already set by
    ``main``)."""
    global _state
    _state = CliState(db=db, user=user, pin=pin, token=token, lang_chosen=_language_given)
    try:
        if demo:
            cmd_demo(db=db)
            return
        with guard():
            url = db_url()
            path = _sqlite_path(url)
            if path is not None and not os.path.exists(path):
                fail(NO_SHOP.format(path=path), field="db")
            _run_tui(url, user=user or "")
    except Exception as exc:  # fail() (which loaded Typer): its message is out, the exit code as Typer gives it
        exit_type = getattr(sys.modules.get("typer"), "Exit", None)
        if exit_type is None or not isinstance(exc, exit_type):
            raise
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":  # pragma: no cover
    main()
