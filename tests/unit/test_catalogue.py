"""The French catalogue is complete: every string marked for translation in shopterm/
(``_()``, ``N_()``, ``ngettext``, ``pgettext`` and the messages of business errors) has a
French translation that is not fuzzy and keeps the English text's ``{fields}``.

When this fails: ``python scripts/i18n.py update`` then ``missing --json`` lists what to
translate; ``fill FILE.json`` puts the translations in (see the script's docstring)."""

from __future__ import annotations

import importlib.util
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("shopterm_i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return set()


def test_every_marked_string_has_a_french_translation(tool):
    gaps = tool.missing("fr")
    shown = "\n".join(f"  {m.id!r} ({', '.join(f'{f}:{n}' for f, n in m.locations[:2])})" for m in gaps[:40])
    assert not gaps, f"{len(gaps)} strings have no French translation:\n{shown}"


def test_translations_keep_the_fields_of_the_english_text(tool):
    catalog = tool.load("fr")
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        want = set().union(*(_fields(i) for i in ids))
        for text in strs:
            if text and _fields(text) - want:
                wrong.append(f"{message.id!r} → {text!r}")
            if text and len(ids) == 1 and _fields(text) != want:
                wrong.append(f"{message.id!r} → {text!r}")
    assert not wrong, "translations whose {fields} differ from the English:\n" + "\n".join(wrong[:40])
