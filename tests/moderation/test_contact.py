"""Off-platform contact (docs/moderation.md): each kind of detail and disguise, and what is not
one."""

from __future__ import annotations

import pytest

from servicenorm.moderation import Span, moderate
from servicenorm.moderation.text import fold
from servicenorm.moderation.vocab import PhraseSet


def spans(text: str, market: str = "NL") -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in moderate(text, market).spans]


def kinds(text: str, market: str = "NL") -> set[str]:
    return {k for k, _ in spans(text, market)}


def test_the_contract_example() -> None:
    r = moderate("Bel me op 06-12345678", "NL")
    assert r.to_json() == {
        "contact": True,
        "spans": [{"start": 10, "end": 21, "kind": "phone", "text": "06-12345678"}],
        "language": "nl",
        "language_ok": True,
        "abusive": False,
    }
    assert moderate("Je bestelling 1143567890 is verzonden", "NL").to_json() == {
        "contact": False,
        "spans": [],
        "language": "nl",
        "language_ok": True,
        "abusive": False,
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("mail jan.smit@gmail.com", "jan.smit@gmail.com"),
        ("jan punt smit apenstaartje gmail punt com", "jan punt smit apenstaartje gmail punt com"),
        ("marie arobase orange point fr", "marie arobase orange point fr"),
        ("max ät web punkt de", "max ät web punkt de"),
        ("jan.kowalski małpa wp kropka pl", "jan.kowalski małpa wp kropka pl"),
        ("info[at]winkel[dot]nl", "info[at]winkel[dot]nl"),
        ("john at smith dot co dot uk", "john at smith dot co dot uk"),
        ("schrijf naar jan.smit at gmail", "jan.smit at gmail"),
        ("mijn gmail is jansmit1980", "mijn gmail is jansmit1980"),
    ],
)
def test_e_mail_addresses_and_their_disguises(text: str, found: str) -> None:
    assert ("email", found) in spans(text)


@pytest.mark.parametrize(
    "text", ["I am at home now", "my mail is broken", "look at the dot", "we ship at noon"]
)
def test_at_and_dot_in_prose_are_not_addresses(text: str) -> None:
    assert spans(text, "GB") == []


@pytest.mark.parametrize(
    ("text", "market"),
    [
        ("nul zes een twee drie vier vijf zes zeven acht", "NL"),
        ("nul zes, twaalf, vierendertig, zesenvijftig, achtenzeventig", "NL"),
        ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "FR"),
        ("null eins fünf eins, zwei drei vier fünf sechs sieben acht neun", "DE"),
        ("pięćset dwanaście, trzysta czterdzieści pięć, sześćset siedemdziesiąt osiem", "PL"),
        ("oh seven seven one two three four five six seven eight", "GB"),
        ("double oh four four seven seven one two three four five six seven eight", "GB"),
    ],
)
def test_phone_numbers_spelled_out_in_each_language(text: str, market: str) -> None:
    assert kinds(f"bel {text}", market) == {"phone"}


@pytest.mark.parametrize(
    "written",
    [
        "06-12345678",
        "+31 6 1234 5678",
        "0031612345678",
        "0 6 1 2 3 4 5 6 7 8",
        "０６－１２３４５６７８",  # full-width
        "𝟎𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",  # mathematical bold
        "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",  # keycaps
        "06\u200b1234\u200b5678",  # zero-width spaces
        "O6-I2345678",  # l33t letters for digits
    ],
)
def test_phone_numbers_however_written_are_reported_at_their_input_offsets(written: str) -> None:
    text = f"Bel me: {written} graag"
    [span] = moderate(text, "NL").spans
    assert span.kind == "phone"
    assert text[span.start : span.end] == span.text
    assert span.start == len("Bel me: ")
    assert span.end == len("Bel me: ") + len(written)


@pytest.mark.parametrize(
    "text",
    [
        "Je bestelnummer is 512345678",  # a valid Polish mobile, labelled as an order
        "Order number 7712345678, please quote it",
        "IMEI 356938035643809",  # 15 digits, Luhn
        "EAN 8712345678906",
        "Artikelnummer 4006381333931",
        "levering op 12-03-2026 om 14:30",
        "prijs € 1.249,95",
        "postcode 1012 AB",
        "REGON 146512345",
        "framenummer WBK123456789",  # digits glued to letters
        "NIP 526-000-12-46",
    ],
)
def test_numbers_that_are_not_phone_numbers(text: str) -> None:
    assert spans(text) == []


def test_a_phone_label_closer_than_an_order_label_wins() -> None:
    assert kinds("Bestelling ontvangen! Bel me op 0612345678") == {"phone"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("kijk op www.dekleinewinkel.nl", "url"),
        ("winkel punt nl", "url"),
        ("bit.ly/3xYzAbc", "url"),
        ("wa.me/31612345678", "url"),
        ("t.me/winkel", "url"),
    ],
)
def test_links_to_other_sites(text: str, kind: str) -> None:
    assert kinds(text) == {kind}


@pytest.mark.parametrize(
    "text",
    [
        "retour via bol.com/nl/rnwy/account/retourneren",
        "zie www.ebay.de/mye/myebay",
        "https://www.etsy.com/your/purchases",
        "volg het op https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1012AB",
        "verzonden.De bestelling komt morgen",  # a missing space, not a link
        "Dat is een goed punt de komende tijd",
        "obejmują m.in. zwroty",
        "z.B. das Kabel",
        "i.e. this one",
    ],
)
def test_the_platforms_own_pages_carriers_and_prose_are_not_links(text: str) -> None:
    assert spans(text) == []


def test_extra_allowed_domains() -> None:
    assert (
        moderate(
            "zie handleiding op fabrikant.nl", "NL", allowed_domains=frozenset({"fabrikant.nl"})
        ).spans
        == []
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je kunt ons bereiken via WhatsApp", True),
        ("App me even", True),
        ("Volg ons op Instagram", True),
        ("Snapchat: winkeltje123", True),
        ("WhatsApp me", True),
        ("Wh4tsApp ons", True),
        ("Dit toestel ondersteunt WhatsApp en Instagram", False),
        ("The phone supports WhatsApp and Signal out of the box", False),
        ("Helaas mogen we niet via WhatsApp communiceren", False),
        ("The messenger bag fits a 15 inch laptop", False),
        ("De signaalsterkte is goed", False),
    ],
)
def test_messengers_count_when_they_are_an_invitation(text: str, expected: bool) -> None:
    assert bool(kinds(text)) is expected, spans(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maak het over naar NL91 ABNA 0417 1643 00", True),
        ("Stort op BE68 5390 0754 7034", True),
        ("ik stuur je een Tikkie", True),
        ("PayPal vrienden en familie graag", True),
        ("Zapłać BLIKiem na mój numer", True),
        ("Pay me directly by bank transfer", True),
        ("Ons btw-nummer is NL123456789B01", False),  # IBAN-shaped, wrong length and checksum
        ("Płatność BLIK przy zamówieniu na platformie została zaksięgowana", False),
        ("We refunded £24.95 to your original payment method", False),
    ],
)
def test_payment_outside_the_platform(text: str, expected: bool) -> None:
    assert ("payment" in kinds(text)) is expected, spans(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Laten we het buiten het platform om regelen", True),
        ("Let's deal outside the platform", True),
        ("Stuur me je telefoonnummer", True),
        ("What's your phone number?", True),
        ("Zoek ons op Marktplaats", True),
        ("What's your order number?", False),
        ("We mogen niet buiten het platform om handelen", False),
        ("Je vindt ons op bol.com", False),
    ],
)
def test_invitations_to_deal_elsewhere(text: str, expected: bool) -> None:
    assert bool(kinds(text)) is expected, spans(text)


def test_handles_but_not_times_or_addresses() -> None:
    assert spans("volg @dekleinewinkel") == [("handle", "@dekleinewinkel")]
    assert spans("levering @ 14:00") == []
    assert [k for k, _ in spans("mail info@winkel.nl")] == ["email"]


def test_one_span_per_stretch_with_the_most_specific_kind() -> None:
    assert spans("Find us on Instagram", "GB") == [("messenger", "Find us on Instagram")]
    assert spans("Sneller via wa.me/31612345678") == [("url", "wa.me/31612345678")]


def test_the_folded_view_maps_back_to_the_input() -> None:
    text = (
        "Mail: jan\u200b@gmаil.com ４２ İx"  # zero-width, Cyrillic а, full-width digits, dotted I
    )
    view = fold(text)
    assert "jan@gmail.com 42" in view.text
    start = view.text.index("jan")
    assert view.to_source(start, start + len("jan@gmail.com")) == (6, 20)


def test_phrase_sets_refuse_phrases_they_cannot_anchor() -> None:
    with pytest.raises(ValueError, match="literal word"):
        PhraseSet([r"\w+\s+platform"])


def test_result_spans_are_frozen_values() -> None:
    s = Span(1, 3, "phone", "12")
    assert s.to_json() == {"start": 1, "end": 3, "kind": "phone", "text": "12"}
    with pytest.raises(AttributeError):
        s.start = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "market"),
    [
        ("Je kunt direct betalen via iDEAL bij het afrekenen", "NL"),
        ("Je terugbetaling volgt per bankoverschrijving binnen drie dagen", "NL"),
        ("Le remboursement sera effectué par virement sous trois jours", "FR"),
        ("Vous pouvez payer directement sur la plateforme", "FR"),
        ("Die Erstattung erfolgt per Überweisung auf Ihr Konto", "DE"),
        ("Sie können direkt beim Kauf bezahlen", "DE"),
        ("Zwrot zostanie wykonany przelewem na konto w ciągu 3 dni", "PL"),
        ("You can pay directly at checkout with your card", "GB"),
        ("The refund will go back by bank transfer within three days", "GB"),
    ],
)
def test_refunds_and_checkout_payments_are_the_platforms_business(text: str, market: str) -> None:
    assert spans(text, market) == []


@pytest.mark.parametrize(
    ("text", "market"),
    [
        ("Das Gerät sendet ein Signal an die App, schreiben Sie uns bei Fragen", "DE"),
        ("Instant coffee included, send us a message if you need more", "GB"),
        ("What a pity, please message us again here", "GB"),
        ("What apps do you use? Send us a message and we'll check", "GB"),
        ("A messenger will bring it, write to us if it does not arrive", "GB"),
    ],
)
def test_messenger_names_that_are_also_words(text: str, market: str) -> None:
    assert spans(text, market) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("zie ebay.co.uk/itm/123", False),
        ("zie ebay.de", False),
        ("zie ebay.myshop.nl voor de echte prijs", True),  # a subdomain of the seller's own site
        ("zie postnl.nl.myshop.com", True),
    ],
)
def test_the_allow_list_names_sites_not_prefixes(text: str, flagged: bool) -> None:
    assert bool(spans(text)) is flagged
