"""Tone (docs/moderation.md): word lists with inflections per language, shipped in the package."""

from __future__ import annotations

from importlib.resources import files

import pytest

from servicenorm.moderation import moderate
from servicenorm.moderation.tone import LANGUAGES, lexicon


def abusive(text: str) -> bool:
    return moderate(text, "NL").abusive


def test_every_language_ships_a_word_list_in_the_package() -> None:
    root = files("servicenorm.moderation").joinpath("data/tone")
    for lang in LANGUAGES:
        entries = [
            line
            for line in root.joinpath(f"{lang}.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert len(entries) >= 40, lang
    lex = lexicon()
    assert lex.words and lex.prefixes and lex.phrases and lex.never_prefixes


@pytest.mark.parametrize(
    "text",
    [
        "Wat een klootzak",
        "Idioten zoals jij",
        "Rot toch op",
        "wat een kutverkoper",
        "espèce de connard",
        "quelle bande d'abrutis",
        "ta gueule",
        "Sie Vollidiot",
        "halt die Fresse",
        "diese Scheißkunden",
        "Scheisse",
        "spierdalaj",
        "ty debilu",
        "kurwą",
        "zamknij mordę",
        "fuck off",
        "what a f*cking moron",
        "you 1d10t",
        "sh1t",
        "are you thick",
    ],
)
def test_abuse_in_five_languages_with_inflections_and_disguises(text: str) -> None:
    assert abusive(text)


@pytest.mark.parametrize(
    "text",
    [
        "Geleverd vanuit Scunthorpe",
        "getest op kankerverwekkende stoffen",
        "de salopette in maat 38",
        "Die Montage ist idiotensicher",
        "It is idiot-proof",
        "debilitating back pain relief",
        "shitake mushroom kit",
        "Sukienka w rozmiarze 38",
        "Kurier jutro",
        "de zak potgrond",
        "Je voudrais connaître la date",
        "hoera, het is binnen",
        "a fickle customer base",
    ],
)
def test_innocent_words_that_contain_a_listed_one(text: str) -> None:
    assert not abusive(text)


def test_abusive_spans_point_at_the_words() -> None:
    text = "Nou, klootzak, lees het nou"
    [span] = moderate(text, "NL").abusive_spans
    assert text[span.start : span.end] == "klootzak" == span.text


@pytest.mark.parametrize(
    "text",
    [
        "Nous sommes désolés pour ce retard de livraison",  # French, not the English slur
        "Je kunt de aanhanger ook huren",  # Dutch "to rent", not German
        "Musik hoeren mit Kopfhoerern",  # German without umlauts, not Dutch
        "Holzspielzeug: Kutsche mit Pferd",  # not the Dutch prefix
        "Balustrada z kutego żelaza",  # Polish "wrought"
    ],
)
def test_a_word_of_one_language_is_not_abuse_in_another(text: str) -> None:
    assert not abusive(text)
