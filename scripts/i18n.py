"""The translation catalogues: extract the strings people read, keep the ``.po`` files up to date.

    python scripts/i18n.py update            # add new strings to every catalogue (untranslated)
    python scripts/i18n.py missing [--json]  # what has no translation yet (or is fuzzy)
    python scripts/i18n.py fill FILE.json    # put translations {"English": "Français", …} in
    python scripts/i18n.py check             # exit 1 when anything is missing (the test does this too)
    python scripts/i18n.py compile           # write the .mo files (optional: the app reads the .po)

Options: ``--lang fr`` (default: every language with a catalogue).

What is extracted (Babel's Python extractor over ``shopterm/``): ``_()``, ``N_()``,
``gettext``, ``ngettext``, ``pgettext``, and the message of every business error raised
with a literal text (``raise NotFound("Unknown customer {code}", params=…)``). Catalogues
are written sorted, unwrapped and without source locations, so that two people adding
strings at once rarely touch the same lines (and ``scripts/po_merge.py`` unions them when they do).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import inspect
import json
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "shopterm"
LOCALE = PACKAGE / "locale"
DOMAIN = "shopterm"


def keywords() -> dict[str, tuple]:
    """gettext's functions plus every business error class (its first argument is the message id)."""
    sys.path.insert(0, str(ROOT))
    from shopterm.core import errors as core_errors  # noqa: F401 - the classes below
    from shopterm.core.money import MoneyError
    from shopterm.services import errors

    words: dict[str, tuple] = {
        "_": (1,), "N_": (1,), "gettext": (1,), "translate": (1,),
        "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
    }
    for module in (errors, core_errors):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, (errors.ShopError, MoneyError)):
                words[name] = (1,)
    words["MoneyError"] = (1,)
    # Actor.require(permission, what): ``what`` names the action in the refusal a person reads
    words["require"] = (2,)
    # MastersBase._write(actor, permission, what): the same ``what``
    words["_write"] = (3,)
    return words


# Babel's warnings of the last extraction: f-strings given to _() or to an error, which
# cannot be translated as written (``python scripts/i18n.py fstrings`` lists them).
SKIPPED: list[str] = []


def extract() -> Catalog:
    """Every marked string of the package, as a fresh template catalogue."""
    template = Catalog(project="shopterm", domain=DOMAIN)
    method_map = [("**/locale/**", "ignore"), ("**.py", "python")]
    noise = io.StringIO()
    with contextlib.redirect_stderr(noise):
        found = list(extract_from_dir(str(PACKAGE), method_map=method_map, keywords=keywords(),
                                      comment_tags=("TRANSLATORS:",), strip_comment_tags=True))
    SKIPPED[:] = [line.replace(str(ROOT) + "/", "") for line in noise.getvalue().splitlines() if line.strip()]
    for filename, lineno, message, comments, context in found:
        if not message or (isinstance(message, str) and not message.strip()):
            continue
        if isinstance(message, tuple) and not message[0]:
            continue
        template.add(message, None, [(f"shopterm/{filename}", lineno)], auto_comments=comments, context=context)
    for message, location in command_docstrings():
        template.add(message, None, [location])
    return template


def command_docstrings() -> list[tuple[str, tuple[str, int]]]:
    """The shell commands' help: the docstring of every function of ``shopterm/cli.py`` and
    ``shopterm/commands/`` named ``cmd_*`` (or ``_root``), as ``--help`` shows it (cleaned);
    ``cli.main`` translates it with the options' help."""
    import ast

    found = []
    for path in [PACKAGE / "cli.py", *sorted((PACKAGE / "commands").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (node.name.startswith("cmd_") or node.name == "_root"):
                doc = ast.get_docstring(node, clean=True)
                if doc:
                    found.append((doc, (str(path.relative_to(ROOT)), node.lineno)))
    return found


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if po_path(p.name).is_file()) if LOCALE.is_dir() else []


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, project="shopterm", domain=DOMAIN)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def save(catalog: Catalog, lang: str) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = BytesIO()
    write_po(buf, catalog, width=0, no_location=True, omit_header=False, sort_output=True,
             ignore_obsolete=True, include_previous=False)
    # Dates and tool names in the header would make every update a conflict between branches.
    volatile = (b'"POT-Creation-Date', b'"PO-Revision-Date', b'"Generated-By', b'"Report-Msgid-Bugs-To',
                b'"Last-Translator', b'"Language-Team')
    lines = [line for line in buf.getvalue().splitlines(keepends=True) if not line.startswith(volatile)]
    path.write_bytes(b"".join(lines))


def update(lang: str, *, prune: bool = False) -> tuple[int, int]:
    """Add the extracted strings missing from ``lang``'s catalogue; returns (added, pruned).

    Translated entries no longer extracted are kept (another branch may still use them)
    unless ``prune``."""
    template = extract()
    catalog = load(lang)
    added = 0
    for message in template:
        if not message.id:
            continue
        if catalog.get(message.id, context=message.context) is None:
            catalog.add(message.id, "" if not isinstance(message.id, tuple) else ("", ""),
                        context=message.context, auto_comments=message.auto_comments)
            added += 1
    pruned = 0
    if prune:
        wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
        for message in list(catalog):
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            if message.id and key not in wanted:
                catalog.delete(message.id, context=message.context)
                pruned += 1
    save(catalog, lang)
    return added, pruned


def missing(lang: str) -> list[Catalog]:
    """The extracted strings with no (or a fuzzy) translation in ``lang``."""
    template = extract()
    catalog = load(lang)
    out = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = () if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
        if found is None or found.fuzzy or not all(strings):
            out.append(message)
    return out


def fill(lang: str, translations: dict[str, object]) -> int:
    """Put ``{msgid: msgstr}`` (``[singular, plural]`` for plurals; a ``"context\\x04msgid"`` key
    for a context) into ``lang``'s catalogue; returns how many were set."""
    catalog = load(lang)
    template = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in extract() if m.id}
    done = 0
    for key, value in translations.items():
        context, _, msgid = key.rpartition("\x04")
        context = context or None
        existing = catalog.get(msgid, context=context)
        if existing is None:
            source = template.get((msgid, context))
            ident = source.id if source is not None else msgid
            catalog.add(ident, tuple(value) if isinstance(value, list) else value, context=context)
        else:
            existing.string = tuple(value) if isinstance(value, list) else value
            existing.flags.discard("fuzzy")
        done += 1
    save(catalog, lang)
    return done


def compile_mo(lang: str) -> Path:
    catalog = load(lang)
    out = po_path(lang).with_suffix(".mo")
    with out.open("wb") as fh:
        write_mo(fh, catalog)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "missing", "fill", "check", "compile", "extract", "fstrings"])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--lang", action="append")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--prune", action="store_true")
    args = parser.parse_args(argv)
    langs = args.lang or languages() or ["fr"]
    status = 0
    for lang in langs:
        if args.command == "update":
            added, pruned = update(lang, prune=args.prune)
            print(f"{lang}: {added} new strings" + (f", {pruned} pruned" if args.prune else ""))
        elif args.command == "extract":
            for message in extract():
                if message.id:
                    print(message.id if isinstance(message.id, str) else message.id[0])
        elif args.command in ("missing", "check"):
            gaps = missing(lang)
            if args.json:
                print(json.dumps({(m.context + "\x04" if m.context else "") + (m.id if isinstance(m.id, str) else m.id[0]):
                                  ("" if isinstance(m.id, str) else ["", ""]) for m in gaps},
                                 ensure_ascii=False, indent=1))
            else:
                for m in gaps:
                    where = ", ".join(f"{f}:{n}" for f, n in m.locations[:2])
                    print(f"{lang}: {m.id!r}  ({where})")
                print(f"{lang}: {len(gaps)} strings without a translation", file=sys.stderr)
            if gaps and args.command == "check":
                status = 1
        elif args.command == "fill":
            if not args.file:
                parser.error("fill needs a JSON file")
            data = json.loads(Path(args.file).read_text(encoding="utf-8"))
            print(f"{lang}: {fill(lang, data)} translations set")
        elif args.command == "fstrings":
            extract()
            print("\n".join(SKIPPED))
            print(f"{len(SKIPPED)} f-strings given to _() or to an error", file=sys.stderr)
            break
        elif args.command == "compile":
            print(compile_mo(lang))
    return status


if __name__ == "__main__":
    sys.exit(main())
