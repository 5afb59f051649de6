"""Languages (core/i18n.py): numbers and dates the reader's way, read back as shown;
the French catalogue read from its .po; errors rendered in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from shopterm.core import i18n
from shopterm.core.money import MoneyError, format_amount, format_qty, format_rate, read_typed

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def test_french_amounts_are_grouped_with_spaces_and_a_decimal_comma():
    with i18n.use("fr"):
        assert format_amount(Decimal("2500.5")) == "2\u00a0500,50"
        assert format_amount(Decimal("-1234567.25")) == "-1\u00a0234\u00a0567,25"
        assert format_qty(Decimal("1500.250")) == "1\u00a0500,25"
        assert format_rate(Decimal("2850.500000"), group=True) == "2\u00a0850,5"
    assert format_amount(Decimal("2500.5")) == "2,500.50"


@given(amounts)
def test_amounts_match_babels_cldr_forms(value):
    for lang in ("en", "fr"):
        with i18n.use(lang):
            ours = format_amount(value)
        cldr = format_decimal(value, format="#,##0.00", locale=lang).replace("\u202f", "\u00a0")
        assert ours == cldr.replace("\u2212", "-")


@given(amounts)
def test_what_is_shown_reads_back_as_the_same_number(value):
    for lang in ("en", "fr"):
        with i18n.use(lang):
            assert read_typed(format_amount(value)) == value
            assert read_typed(format_rate(value)) == value
    with i18n.use("fr"):  # French groups never read two ways ("30,539" does in English)
        assert read_typed(format_rate(value, group=True)) == value
        assert read_typed(format_qty(value)) == value


def test_a_comma_is_the_decimal_mark_in_french_and_a_point_reads_two_ways():
    with i18n.use("fr"):
        assert read_typed("1,500") == Decimal("1.5")
        assert read_typed("2 500,50") == Decimal("2500.50")
        with pytest.raises(MoneyError):
            read_typed("1.500")
    with pytest.raises(MoneyError):
        read_typed("1,500")  # English: 1.5 or 1500?
    assert read_typed("1.500") == Decimal("1.5")


def test_dates_are_day_first_in_french_and_read_back():
    day = dt.date(2026, 12, 5)
    with i18n.use("fr"):
        assert i18n.format_date(day) == "05/12/2026"
        assert i18n.parse_date("05/12/2026") == day
        assert i18n.parse_date("2026-12-05") == day
        with pytest.raises(ValueError, match="JJ/MM/AAAA"):
            i18n.parse_date("31/02/2026")
    assert i18n.format_date(day) == "2026-12-05"
    with pytest.raises(ValueError):
        i18n.parse_date("05/12/2026")  # English reads ISO dates only: 05/12 is ambiguous


def test_languages_are_named_by_code_and_unknown_ones_refused():
    assert i18n.available()[:2] == ["en", "fr"]
    assert i18n.normalize("fr_CD.UTF-8") == "fr"
    assert i18n.normalize("FR") == "fr"
    assert i18n.normalize("") is None
    with pytest.raises(i18n.LanguageError, match="--lang"):
        i18n.normalize("xx", field="--lang")
    assert i18n.language_from_env({"SHOPTERM_LANG": "fr"}) == "fr"


def test_the_catalogue_translates_and_falls_back_to_english():
    with i18n.use("fr"):
        assert i18n._("Unknown user or wrong PIN") == "Utilisateur inconnu ou PIN erroné"
        assert i18n._("a text nobody translated") == "a text nobody translated"
        assert i18n._("") == ""
    assert i18n._("Unknown user or wrong PIN") == "Unknown user or wrong PIN"


def test_the_po_reader_skips_fuzzy_and_untranslated_entries_and_reads_plurals():
    text = '''msgid ""
msgstr "Language: fr\\n"

#, fuzzy
msgid "Save"
msgstr "Enregistrer"

msgid "Empty"
msgstr ""

msgctxt "menu"
msgid "Close"
msgstr "Cl"
"\\u00f4ture"

msgid "{n} line"
msgid_plural "{n} lines"
msgstr[0] "{n} ligne"
msgstr[1] "{n} lignes"
'''
    entries = i18n.read_po(text)
    assert ("menu", "Close") in entries and entries[("menu", "Close")] == ["Cl\u00f4ture"]
    assert (None, "Save") not in entries and (None, "Empty") not in entries
    cat = i18n._PoTranslations(entries)
    assert cat.ngettext("{n} line", "{n} lines", 1) == "{n} ligne"
    assert cat.ngettext("{n} line", "{n} lines", 0) == "{n} ligne"
    assert cat.ngettext("{n} line", "{n} lines", 3) == "{n} lignes"


def test_a_business_error_reads_in_the_readers_language_with_its_figures():
    from shopterm.services.errors import AuthError, ValidationError

    err = AuthError("Unknown user or wrong PIN", field="pin")
    assert err.message == "Unknown user or wrong PIN"
    with i18n.use("fr"):
        assert err.message == "Utilisateur inconnu ou PIN erroné"
        assert err.as_dict() == {"error": "Utilisateur inconnu ou PIN erroné", "code": "auth", "field": "pin"}
        shown = ValidationError("{qty} asked on {day}", params={"qty": Decimal("2500.5"), "day": dt.date(2026, 12, 5)})
        assert str(shown) == "2\u00a0500,5 asked on 05/12/2026"
    assert err.message_id == "Unknown user or wrong PIN"

