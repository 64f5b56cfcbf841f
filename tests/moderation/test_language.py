"""Language of the market (docs/moderation.md): markets map to languages; short text is unknown."""

from __future__ import annotations

import pytest

from servicenorm.moderation import MARKET_LANGUAGES, accepted_languages, moderate


def test_markets_and_their_languages() -> None:
    assert MARKET_LANGUAGES == {
        "NL": ("nl",),
        "BE": ("nl", "fr"),
        "FR": ("fr",),
        "DE": ("de",),
        "PL": ("pl",),
        "GB": ("en",),
    }
    assert accepted_languages("be") == ("nl", "fr")
    assert accepted_languages("UK") == ("en",)


def test_a_presets_languages_override_the_market() -> None:
    assert accepted_languages("NL", {"NL": ["nl", "en"]}) == ("nl", "en")
    assert accepted_languages("AT", {"AT": ["de"]}) == ("de",)
    r = moderate(
        "Thanks for your order, we will ship it tomorrow morning.",
        "NL",
        languages={"NL": ["nl", "en"]},
    )
    assert (r.language, r.language_ok) == ("en", True)


def test_an_unknown_market_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match="unknown market 'XX'; known markets: BE, DE, FR, GB, NL, PL"
    ):
        moderate("hallo", "XX")


@pytest.mark.parametrize(
    ("market", "text", "language", "ok"),
    [
        (
            "NL",
            "Bedankt voor je bestelling, we versturen het pakket morgen met PostNL.",
            "nl",
            True,
        ),
        ("BE", "Merci pour votre commande, nous envoyons le colis demain.", "fr", True),
        ("BE", "Bedankt voor je bestelling, we versturen het pakket morgen.", "nl", True),
        ("BE", "Thanks for your order, we will ship the parcel tomorrow.", "en", False),
        ("FR", "Hola, gracias por su pedido, lo enviamos mañana por la mañana.", "es", False),
        ("PL", "Dziekuje za zamowienie, wyslemy jutro rano", "pl", True),
        ("DE", "Vielen Dank für Ihre Bestellung, wir versenden sie morgen früh.", "de", True),
        ("GB", "Hallo, ja dit artikel is op voorraad en wordt morgen verstuurd", "nl", False),
    ],
)
def test_verdicts(market: str, text: str, language: str, ok: bool) -> None:
    r = moderate(text, market)
    assert (r.language, r.language_ok) == (language, ok)


@pytest.mark.parametrize(
    "text", ["Bedankt!", "Graag gedaan", "Dat is prima", "Oké, top!", "👍", "", "  ", "12345"]
)
def test_short_replies_are_unknown_and_acceptable(text: str) -> None:
    r = moderate(text, "NL")
    assert r.language is None and r.language_ok is True


def test_addresses_do_not_decide_the_language() -> None:
    r = moderate("Stuur je vraag naar support@example-shop.co.uk of www.example-shop.co.uk", "NL")
    assert r.language in ("nl", None)
