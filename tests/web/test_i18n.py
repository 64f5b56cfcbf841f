"""Every language has every text, with the same placeholders; the browser's choice is honoured;
numbers and dates are written each language's way."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicenorm.web.i18n import _texts, languages, negotiate, texts
from servicenorm.web.pages.render import Fmt

LANGUAGES = {"en", "nl", "fr", "de", "pl"}


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
        # an empty text means "not shown" for that norm: the same in every language
        assert (other[key] == "") == (text == ""), key


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.sub(r"\{[^}]*\}", " ", text))


@pytest.mark.parametrize("code", [c for c in languages() if c != "en"])
def test_no_text_is_left_in_english(code: str) -> None:
    """A text of two or more words equal to the English one is a copy waiting for its
    translation (single words such as "Status" or "Badge" may be the same)."""
    en, other = _texts("en"), _texts(code)
    copies = [k for k, v in en.items() if other[k] == v and len(_words(v)) >= 2]
    assert copies == [], f"{code}: still in English: {copies}"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_names_of_days_months_and_the_language(code: str) -> None:
    t = texts(code)
    assert len(t.names("format.weekdays")) == 7 and len(t.names("format.months")) == 12
    assert int(t("format.group_min")) in (1, 2)
    names = {texts(c)("app.language_name") for c in languages()}
    assert len(names) == len(languages())  # each language names itself, differently


def test_languages_and_negotiation() -> None:
    assert set(languages()) == LANGUAGES and languages()[0] == "en"
    assert negotiate("nl-BE,nl;q=0.9,en;q=0.8") == "nl"
    assert negotiate("fr-BE,fr;q=0.9,en;q=0.5") == "fr"  # a French-speaking Belgian seller
    assert negotiate("de-AT,de;q=0.9") == "de"
    assert negotiate("pl-PL,pl;q=0.9,en-US;q=0.8") == "pl"
    assert negotiate("de;q=0.9, nl;q=0.95") == "nl"
    assert negotiate("es-ES,es;q=0.9") == "en"
    assert negotiate(None) == "en"
    assert texts("xx").code == "en"


AMS = ZoneInfo("Europe/Amsterdam")
MORNING = datetime(2026, 12, 3, 8, 5, tzinfo=UTC)  # Thursday 09:05 in Amsterdam


@pytest.mark.parametrize(
    ("code", "big", "small", "pct", "when", "day", "week", "span"),
    [
        ("en", "12,345.5", "1,234", "92.5%", "Thu 3 Dec 09:05", "3 Dec 2026", "30 Nov – 6 Dec", "7 h 05 min"),
        ("nl", "12.345,5", "1.234", "92,5%", "do 3 dec 09:05", "3 dec 2026", "30 nov – 6 dec", "7 u 05 min"),
        ("fr", "12\u202f345,5", "1\u202f234", "92,5\u202f%", "jeu. 3 déc. à 09:05", "3 déc. 2026", "30 nov. – 6 déc.", "7 h 05 min"),
        ("de", "12.345,5", "1.234", "92,5\u00a0%", "Do., 3. Dez., 09:05", "3. Dez. 2026", "30. Nov. – 6. Dez.", "7 Std. 05 Min."),
        ("pl", "12\u00a0345,5", "1234", "92,5%", "czw., 3 gru, 09:05", "3 gru 2026", "30 lis – 6 gru", "7 godz. 05 min"),
    ],
)  # fmt: skip
def test_numbers_and_dates_in_each_language(
    code: str, big: str, small: str, pct: str, when: str, day: str, week: str, span: str
) -> None:
    f = Fmt(texts(code), AMS)
    assert (f.number(12345.5), f.count(1234), f.pct(0.925)) == (big, small, pct)
    assert (f.dt(MORNING), f.day(date(2026, 12, 3)), f.week("2026-W49")) == (when, day, week)
    assert f.span(timedelta(hours=7, minutes=5)) == span


def test_plural_and_names() -> None:
    nl = texts("nl")
    assert nl.plural("perf.open_questions", 1) == "Er wacht 1 vraag op antwoord."
    assert nl.plural("perf.open_questions", 3) == "Er wachten 3 vragen op antwoord."
    assert nl.names("format.weekdays")[0] == "ma"
