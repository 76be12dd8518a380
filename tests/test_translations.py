"""The four catalogs are complete, current with the code, and keep every placeholder."""

import os
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("da", "tr", "ur", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
ARABIC_PLURALS = "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)"


def catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def messages(lang):
    return [message for message in catalog(lang) if message.id]


@pytest.fixture(scope="module")
def strings_in_code(tmp_path_factory):
    """Extract the strings from the code now, as `make extract` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    arguments = [
        "pybabel",
        "-q",
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--ignore-dirs=.* _* instance tests bench static translations",
        "-o",
        str(pot),
        ".",
    ]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(arguments)
    finally:
        os.chdir(cwd)
    with open(pot, "rb") as f:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(f)
            if message.id
        }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_untranslated_or_fuzzy(lang):
    problems = []
    for message in messages(lang):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_holds_every_string_in_the_code(lang, strings_in_code):
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in messages(lang)}
    assert strings_in_code - in_catalog == set(), "run `make translations` and translate"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    for message in messages(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= wanted | set(PLACEHOLDER.findall(ids[0])), message.id
            if not isinstance(message.id, tuple):
                assert set(PLACEHOLDER.findall(string)) == wanted, message.id


@pytest.mark.parametrize("lang", ["tr", "ur", "ar"])
def test_translations_are_not_copied_english(lang):
    copied = [m.id for m in messages(lang) if isinstance(m.id, str) and m.string == m.id and len(m.id) > 3]
    assert copied == []


def test_arabic_has_six_plural_forms_in_gettext_order():
    # Babel writes forms 4 and 5 swapped (babel issue 816); the header must be the gettext one.
    arabic = catalog("ar")
    assert arabic.num_plurals == 6
    assert arabic.plural_expr.replace(" ", "").strip("()") == ARABIC_PLURALS.replace(" ", "").strip("()")


@pytest.mark.parametrize("lang, forms", [("da", 2), ("tr", 1), ("ur", 2), ("ar", 6)])
def test_plural_entries_have_every_form(lang, forms):
    for message in messages(lang):
        if isinstance(message.id, tuple):
            assert len(message.string) == forms, message.id
