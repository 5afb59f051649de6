"""Languages: what a person reads, in their language, with numbers and dates as they write them.

Every string a cashier, a manager or a customer reads goes through a gettext
catalogue (``shopterm/locale/<lang>/LC_MESSAGES/shopterm.po``; English is the
source language, so English needs no catalogue). A third language is added by
dropping in its catalogue: :func:`available` lists what is there.

Marking strings (extracted by ``scripts/i18n.py``, checked by the catalogue test):

* ``_("Sales Invoice")`` translates now, in the current language;
* ``N_("Sales Invoice")`` only marks a string kept in a constant (a class
  title, a binding's description, a column head); the code that shows it
  translates it with ``_()`` (a translation of an already translated or an
  unknown text is the text itself, so translating twice is harmless);
* ``ngettext(one, many, n)`` for plurals; ``pgettext(context, text)`` when one
  English word has two French ones.
* Templates use named fields: ``_("{item} has {qty} on hand").format(...)``.

The current language is the process's (set at sign-in from the user's
language, by ``--lang`` / ``SHOPTERM_LANG`` in the shell), overridden inside
``with use("fr"):`` (a print in the customer's language). Worker threads see the
process language.

Numbers and dates: :func:`group_mark` / :func:`decimal_mark` and
:func:`format_date` / :func:`parse_date` give the language's forms: English
``2,500.50`` and ``2026-12-05``; French ``2 500,50`` (no-break space U+00A0 —
it prints on every terminal and in the PDF's fonts) and ``05/12/2026``.
:mod:`shopterm.core.money` reads and writes numbers with them, so what is shown
reads back as the same number.

The catalogue is read with the standard library: a compiled ``shopterm.mo`` when
one is present and newer than the ``.po``, otherwise the ``.po`` itself, compiled in
memory at first use (nothing is written; no build step is needed).
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import datetime as dt
import gettext as _gettext
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "LanguageError",
    "N_",
    "_",
    "available",
    "current",
    "decimal_mark",
    "format_date",
    "gettext",
    "group_mark",
    "language_name",
    "ngettext",
    "normalize",
    "parse_date",
    "pgettext",
    "set_language",
    "translate",
    "use",
]

DEFAULT_LANGUAGE = "en"
DOMAIN = "shopterm"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Names of the languages, each in itself (what a person looks for in a list).
_NAMES = {"en": "English", "fr": "Français", "ln": "Lingála", "sw": "Kiswahili"}

# Number and date forms per language; a language without an entry uses English's.
NBSP = "\u00a0"
_NUMBER_MARKS = {"en": (",", "."), "fr": (NBSP, ",")}
_DATE_FORMATS = {"en": "%Y-%m-%d", "fr": "%d/%m/%Y"}

_process_language = DEFAULT_LANGUAGE
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("shopterm_language", default=None)
_catalogues: dict[str, _gettext.NullTranslations] = {}
_lock = threading.Lock()


class LanguageError(ValueError):
    """A language code that has no catalogue."""


# -- which language ------------------------------------------------------------------


def available() -> list[str]:
    """Codes of the languages there is a catalogue for (English always)."""
    found = {DEFAULT_LANGUAGE}
    if LOCALE_DIR.is_dir():
        for entry in LOCALE_DIR.iterdir():
            if (entry / "LC_MESSAGES" / f"{DOMAIN}.po").is_file() or (entry / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
                found.add(entry.name)
    return sorted(found)


def language_name(code: str) -> str:
    return _NAMES.get(code, code)


def normalize(code: str | None, *, field: str = "language") -> str | None:
    """``"FR"``, ``"fr_CD.UTF-8"``, ``"fr-CD"`` → ``"fr"``; ``None``/blank → ``None``.

    Raises :class:`LanguageError` (naming ``field``) for a language without a catalogue."""
    if code is None:
        return None
    text = str(code).strip()
    if not text:
        return None
    base = re.split(r"[_.@-]", text, maxsplit=1)[0].lower()
    if base in ("c", "posix"):
        return DEFAULT_LANGUAGE
    if base not in available():
        raise LanguageError(
            _("{field}: no catalogue for language {code!r} (available: {codes})").format(
                field=field, code=text, codes=", ".join(available())))
    return base


def current() -> str:
    """The language strings are translated into now."""
    return _override.get() or _process_language


def set_language(code: str | None) -> str:
    """Set the process's language (``None`` → English); returns the code set."""
    global _process_language
    _process_language = normalize(code) or DEFAULT_LANGUAGE
    return _process_language


@contextlib.contextmanager
def use(code: str | None) -> Iterator[str]:
    """Translate into ``code`` inside the block (``None``: keep the current language)."""
    lang = normalize(code) or current()
    token = _override.set(lang)
    try:
        yield lang
    finally:
        _override.reset(token)


# -- catalogues ------------------------------------------------------------------------


def _catalogue(lang: str) -> _gettext.NullTranslations:
    cat = _catalogues.get(lang)
    if cat is None:
        with _lock:
            cat = _catalogues.get(lang)
            if cat is None:
                cat = _load(lang)
                _catalogues[lang] = cat
    return cat


def reload() -> None:
    """Forget the catalogues read so far (after a catalogue file changed)."""
    with _lock:
        _catalogues.clear()


def _load(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.is_file():
        return _PoTranslations(read_po(po.read_text(encoding="utf-8")))
    return _gettext.NullTranslations()


class _PoTranslations(_gettext.NullTranslations):
    """A catalogue read straight from its ``.po`` (the same lookups as a compiled ``.mo``)."""

    def __init__(self, entries: dict[tuple[str | None, str], list[str]]):
        super().__init__()
        self._entries = entries
        self.plural = _french_plural

    def gettext(self, message: str) -> str:
        found = self._entries.get((None, message))
        return found[0] if found and found[0] else message

    def pgettext(self, context: str, message: str) -> str:
        found = self._entries.get((context, message))
        return found[0] if found and found[0] else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self._entries.get((None, msgid1))
        index = self.plural(n)
        if found and len(found) > index and found[index]:
            return found[index]
        return msgid1 if n == 1 else msgid2


def _french_plural(n: int) -> int:
    # French: 0 and 1 are singular ("0 article", "1 article", "2 articles").
    return 0 if n in (0, 1) else 1


def read_po(text: str) -> dict[tuple[str | None, str], list[str]]:
    """The translated entries of a ``.po`` text: ``(context, msgid) → [msgstr, …]``.

    Fuzzy entries and untranslated ones are left out (they fall back to English),
    as ``msgfmt`` does. Only what shopterm's catalogues use is read: ``msgctxt``,
    ``msgid``, ``msgid_plural``, ``msgstr``/``msgstr[n]``, continuation lines, ``#,`` flags."""
    entries: dict[tuple[str | None, str], list[str]] = {}
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        fuzzy = False
        key: str | None = None
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
                continue
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                if key is not None:
                    fields[key] += ast.literal_eval(line)
                continue
            name, _sep, rest = line.partition(" ")
            key = name
            fields[key] = ast.literal_eval(rest.strip()) if rest.strip() else ""
        if "msgid" not in fields or fuzzy or not fields["msgid"]:
            continue
        if "msgid_plural" in fields:
            forms = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr["))]
        else:
            forms = [fields.get("msgstr", "")]
        if any(forms):
            entries[(fields.get("msgctxt"), fields["msgid"])] = forms
    return entries


# -- translating ---------------------------------------------------------------------------


def gettext(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    if not message:
        return message
    lang = current()
    if lang == DEFAULT_LANGUAGE:
        return message
    return _catalogue(lang).gettext(message)


_ = gettext
translate = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for the catalogue without translating it (it is translated where shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = current()
    if lang == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return _catalogue(lang).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    lang = current()
    if lang == DEFAULT_LANGUAGE:
        return message
    return _catalogue(lang).pgettext(context, message)


# -- numbers and dates -------------------------------------------------------------------------


def group_mark(lang: str | None = None) -> str:
    """The thousands separator of ``lang`` (the current language by default)."""
    return _NUMBER_MARKS.get(lang or current(), _NUMBER_MARKS[DEFAULT_LANGUAGE])[0]


def decimal_mark(lang: str | None = None) -> str:
    return _NUMBER_MARKS.get(lang or current(), _NUMBER_MARKS[DEFAULT_LANGUAGE])[1]


def localize_number(text: str, lang: str | None = None) -> str:
    """An English-formatted number (``-2,500.50``) in ``lang``'s marks (``-2 500,50``)."""
    group, point = _NUMBER_MARKS.get(lang or current(), _NUMBER_MARKS[DEFAULT_LANGUAGE])
    if (group, point) == (",", "."):
        return text
    return text.translate({ord(","): group, ord("."): point})


def date_format(lang: str | None = None) -> str:
    """The strftime pattern dates are shown with (``%d/%m/%Y`` in French)."""
    return _DATE_FORMATS.get(lang or current(), _DATE_FORMATS[DEFAULT_LANGUAGE])


def date_hint(lang: str | None = None) -> str:
    """How to type a date, for a placeholder: ``YYYY-MM-DD`` / ``JJ/MM/AAAA``."""
    return {"fr": "JJ/MM/AAAA"}.get(lang or current(), "YYYY-MM-DD")


def format_date(value: dt.date | None, lang: str | None = None) -> str:
    """``2026-12-05`` in English, ``05/12/2026`` in French; ``None`` → ``""``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime(date_format(lang))


def format_datetime(value: dt.datetime | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return f"{format_date(value, lang)} {value:%H:%M}"


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_YMD = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date(text: str, lang: str | None = None) -> dt.date:
    """A typed date: the ISO form ``2026-12-05`` always; in French also ``05/12/2026``
    (day first). Raises ``ValueError`` with a message in the current language."""
    lang = lang or current()
    m = _YMD.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(text)
        if m and lang != DEFAULT_LANGUAGE:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise ValueError(_("{text!r} is not a date (type {hint})").format(text=text, hint=date_hint(lang)))


def language_from_env(environ: dict[str, str] | None = None) -> str | None:
    """``SHOPTERM_LANG`` if set (a bad value raises :class:`LanguageError`)."""
    env = os.environ if environ is None else environ
    return normalize(env.get("SHOPTERM_LANG"), field="SHOPTERM_LANG")
