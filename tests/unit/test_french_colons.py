"""French typography in the catalogue: a colon after a word takes a space before it
("mot de passe : README"), as every other French message does. Only a JSON shape written
out (``billet: nombre``) keeps the code's colon."""

from __future__ import annotations

import re
from pathlib import Path

from shopterm.core.i18n import read_po

PO = Path(__file__).resolve().parents[2] / "shopterm" / "locale" / "fr" / "LC_MESSAGES" / "shopterm.po"
WORD_COLON = re.compile(r"[^\W\d_)]: |\): ")
CODE_SHAPES = ("billet: nombre",)


def test_french_messages_put_a_space_before_a_colon():
    entries = read_po(PO.read_text(encoding="utf-8"))
    bad = [text for forms in entries.values() for text in forms
           if WORD_COLON.search(text) and not any(shape in text for shape in CODE_SHAPES)]
    assert bad == []
