"""How a payment's stored codes read to a person (pure).

A payment on account stores its method as a code (``cash``, ``mobile``, ``bank``, ``cheque``)
and, when none was typed, the reference ``On account``: both are stored as they are (exports,
JSON and the journal keep them); screens and printed pages show them in the reader's language.
"""

from __future__ import annotations

from shopterm.core.i18n import N_, _, pgettext

ON_ACCOUNT = N_("On account")  # the reference stored when none is typed


def method_label(code: str | None) -> str:
    """The payment method ``code`` in the reader's language (English: the code itself; an
    unknown code as it is)."""
    if not code:
        return ""
    labels = {"cash": pgettext("payment method", "cash"), "mobile": pgettext("payment method", "mobile"),
              "bank": pgettext("payment method", "bank"), "cheque": pgettext("payment method", "cheque")}
    return labels.get(code, code)


def reference_label(reference: str | None) -> str:
    """A stored reference as shown: the default ``On account`` in the reader's language."""
    if not reference:
        return ""
    if reference == ON_ACCOUNT:
        return _(ON_ACCOUNT)
    from shopterm.core.narration import shown  # a generated memo kept as the reference ("return of …")

    return shown(reference)


__all__ = ["ON_ACCOUNT", "method_label", "reference_label"]
