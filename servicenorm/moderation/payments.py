"""Payment outside the platform (docs/moderation.md): bank account numbers (IBAN with its check
digits), Tikkie, BLIK to a phone, PayPal "friends and family", "transfer it directly"."""

from __future__ import annotations

import re

from servicenorm.moderation.vocab import PhraseSet, negated_before

# IBAN length per country (ISO 13616 registry) for the countries a seller here banks in.
_IBAN_LENGTH = {
    "nl": 18,
    "be": 16,
    "de": 22,
    "fr": 27,
    "pl": 28,
    "gb": 22,
    "lu": 20,
    "at": 20,
    "es": 24,
    "it": 27,
    "ie": 22,
    "pt": 25,
    "ch": 21,
    "dk": 18,
    "se": 24,
    "fi": 18,
    "no": 15,
    "cz": 24,
    "sk": 24,
    "hu": 28,
    "lt": 20,
    "lv": 21,
    "ee": 20,
    "mc": 27,
    "li": 21,
    "ro": 24,
    "bg": 22,
    "hr": 21,
    "si": 19,
    "gr": 27,
}
_IBAN = re.compile(r"\b([a-z]{2})\s?(\d{2})((?:[\s-]?[a-z0-9]{2,4}){3,8})\b")
_ACCOUNT_WORD = re.compile(
    r"\b(?:iban|rekening|rekeningnummer|konto|kontonummer|compte|rib|account|rachun\w*|bank)\b"
)

_PHRASES = PhraseSet(
    [
        r"tikkie\w*",
        r"pay\s*pal\W{0,3}(?:friends|vrienden|freunde|amis|znajom\w*|f\s*&\s*f|ff)\b",
        r"(?:friends|family)\s*(?:and|&)\s*(?:family|friends)",
        r"vrienden\s+en\s+familie",
        r"freunde\s+(?:und|&)\s+familie",
        r"entre\s+amis",
        r"amis\s+(?:et|&)\s+famille",
        r"dla\s+znajomych",
        r"paypal\.me",
        r"paypal[\s-]*link",
        r"(?:naar|to|sur|auf|na|via)\s+(?:mijn|my|mon|mein|moj|moje)\s+paypal",
        r"blik(?:iem|a|u)\b",
        r"(?:kod|przelew\w*|telefon\w*)\s+blik",
        r"blik\s+na\s+(?:numer|telefon)",
        # paying the seller by bank, not through the platform; a refund "by transfer to your
        # account" or "pay directly at checkout" is the platform's own business and must not match
        r"rechtstreeks\s+(?:aan\s+(?:mij|ons)\s+)?(?:over\s*maken|overmaken|betalen|storten)",
        r"(?:direct|meteen)\s+aan\s+(?:mij|ons)\s+(?:overmaken|betalen|storten)",
        r"(?:naar|op)\s+(?:mijn|onze)\s+(?:bank)?rekening",
        r"(?:betaal|betalen|betaling)\s+(?:\w+\s+)?(?:per|via|met)\s+(?:bank)?overschrijving",
        r"(?:payez|payer|paiez|reglez|regler)[-\s]moi\s+directement",
        r"(?:payez|payer|paiez|reglez|regler|paiement)\s+(?:\w+\s+)?par\s+virement",
        r"virement\s+direct",
        r"(?:mon|notre)\s+(?:rib|iban)",
        r"(?:direkt|gleich)\s+an\s+(?:mich|uns)\s+(?:uberweisen|zahlen|bezahlen)",
        r"(?:zahlen|uberweisen)\s+sie\s+(?:bitte\s+|mir\s+)?(?:direkt\s+)?an\s+mich",
        r"direkt\s+an\s+mich",
        r"auf\s+(?:mein|unser)\s+konto",
        r"(?:zahlen|bezahlen|zahlung|bezahlung)\s+(?:sie\s+)?(?:lieber\s+|bitte\s+)?per\s+uberweisung",
        r"przel\w*\s+(?:bezposrednio|na\s+(?:moje|nasze)\s+konto)",
        r"na\s+(?:moje|nasze)\s+konto",
        r"pay\s+(?:me|us)\s+direct(?:ly)?",
        r"pay\s+direct(?:ly)?\s+(?:to|into)\s+(?:me|us|my|our)",
        r"pay(?:ment)?\s+(?:me\s+|us\s+)?(?:by|via|with)\s+bank\s+transfer",
        r"transfer\s+(?:it\s+|the\s+money\s+)?direct(?:ly)?\s+(?:to|into)\s+(?:me|us|my|our)",
        r"send\s+(?:me\s+)?the\s+money",
        r"western\s+union",
        r"moneygram",
        r"revolut",
    ]
)


def _iban_ok(country: str, check: str, rest: str) -> bool:
    body = re.sub(r"[\s-]", "", rest)
    if _IBAN_LENGTH.get(country) != 4 + len(body):
        return False
    digits = "".join(str(int(c, 36)) for c in (body + country + check).upper())
    return int(digits) % 97 == 1


def find_payments(text: str) -> list[tuple[int, int]]:
    """Spans of off-platform payment details or invitations in a folded text."""
    spans: list[tuple[int, int]] = []
    for m in _IBAN.finditer(text):
        country, check, rest = m.groups()
        # the rest may run into the next word ("... 00 dan"); shorten it until the length fits
        groups = re.findall(r"[\s-]?[a-z0-9]{2,4}", rest)
        for n in range(len(groups), 2, -1):
            part = "".join(groups[:n])
            labelled = bool(_ACCOUNT_WORD.search(text, max(0, m.start() - 30), m.start()))
            if _iban_ok(country, check, part) or (
                labelled and _IBAN_LENGTH.get(country) == 4 + len(re.sub(r"[\s-]", "", part))
            ):
                spans.append((m.start(), m.start(3) + len(part)))
                break
    spans.extend((s, e) for s, e in _PHRASES.finditer(text) if not negated_before(text, s))
    return spans
