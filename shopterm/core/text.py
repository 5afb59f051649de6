"""Free text typed by a user or sent as JSON: names, narrations, references, contacts.

A terminal obeys control characters: an ESC or an OSC sequence (``\\x1b]0;…\\x07``)
in a customer's name or a narration would reach the printed receipt, the
statement and every screen that shows it. So text is checked when it comes in:

* control characters (C0 and C1, e.g. NUL, ESC, BEL, CSI ``\\x9b``), a lone
  surrogate (``\\ud800``, not valid Unicode text) and the bidirectional
  overrides (U+202A–U+202E, U+2066–U+2069) are refused with the field named;
  a multi-line field keeps newlines (``\\n``) and tabs;
* a text longer than the field's limit is refused with the limit — it is
  never cut silently.
"""

from __future__ import annotations

import unicodedata

from shopterm.core.i18n import _, localize_number

#: Bidirectional embedding/override/isolate controls: they reorder what is printed after them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

NARRATION_MAX = 500
CONTACT_MAX = 40
ADDRESS_MAX = 200
REFERENCE_MAX = 60


class TextError(ValueError):
    """A text that cannot be stored as typed; ``field`` names it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def bad_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character ``value`` may not hold, as ``U+001B``; None when it is clean."""
    if value.isprintable():  # no C0/C1 control, surrogate or format character (the overrides are those)
        return None
    for ch in value:
        if multiline and ch in "\n\t":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs") or ch in _BIDI:
            return f"U+{ord(ch):04X}"
    return None


def clean_text(value: object, *, field: str, label: str | None = None, max_len: int,
               multiline: bool = False, required: bool = False) -> str:
    """``value`` stripped, or :class:`TextError` naming ``label`` (default ``field``).

    ``None`` is the empty text. Nothing is dropped: a forbidden character or an
    over-long text is an error, not a silent fix.
    """
    label = _(label or field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TextError(_("{label}: expected text, got {kind}").format(label=label, kind=type(value).__name__), field)
    text = value.strip()
    if required and not text:
        raise TextError(_("{label} is required").format(label=label), field)
    bad = bad_character(text, multiline=multiline)
    if bad is not None:
        raise TextError(_("{label}: control characters are not allowed ({bad}); type plain text").format(label=label, bad=bad), field)
    if len(text) > max_len:
        raise TextError(_("{label}: at most {limit} characters (got {length})").format(
            label=label, limit=localize_number(f"{max_len:,}"), length=localize_number(f"{len(text):,}")), field)
    return text


def postal_address(*parts: object) -> str:
    """A customer's address on one line for prints: street, city, province, country — the
    blank parts left out, a part already named by the one before it not repeated."""
    out: list[str] = []
    for p in parts:
        s = str(p or "").strip()
        if s and not (out and s.casefold() in out[-1].casefold()):
            out.append(s)
    return ", ".join(out)
