"""Every language has every text, with the same placeholders; the browser's choice is honoured."""

from __future__ import annotations

import string

import pytest

from servicenorm.web.i18n import _texts, languages, negotiate, texts


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("code", [c for c in languages() if c != "en"])
def test_same_keys_and_placeholders_as_english(code: str) -> None:
    en, other = _texts("en"), _texts(code)
    assert set(other) == set(en), (
        f"{code}: missing {sorted(set(en) - set(other))}, extra {sorted(set(other) - set(en))}"
    )
    for key, text in en.items():
        assert _fields(other[key]) == _fields(text), key


def test_languages_and_negotiation() -> None:
    assert {"en", "nl"} <= set(languages())
    assert negotiate("nl-BE,nl;q=0.9,en;q=0.8") == "nl"
    assert negotiate("fr-FR,fr;q=0.9,en;q=0.5") == "en"
    assert negotiate("de;q=0.9, nl;q=0.95") == "nl"
    assert negotiate(None) == "en"
    assert texts("xx").code == "en"


def test_plural_and_names() -> None:
    nl = texts("nl")
    assert nl.plural("perf.open_questions", 1) == "Er wacht 1 vraag op antwoord."
    assert nl.plural("perf.open_questions", 3) == "Er wachten 3 vragen op antwoord."
    assert nl.names("format.weekdays")[0] == "ma"
