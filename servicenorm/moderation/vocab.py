"""Words that give a number or a mention its meaning, in nl, fr, de, pl and en.

All patterns run on the folded view (lower case, accents stripped: "zamówienie" is
"zamowienie", "über" is "uber"). Each list says what it is for; extend a list, not the code.
"""

from __future__ import annotations

import functools
import re


def _alt(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


# A number right after one of these labels is an order number, a tracking code, a tax id...
BENIGN_NUMBER_LABEL = re.compile(
    r"(?:#|\bn°|\bnº|\b"
    + _alt(
        # nl
        "bestel",
        "order",
        "zending",
        "pakket",
        "pakje",
        "track",
        "trace",
        "volgcode",
        "barcode",
        "streepjescode",
        "artikel",
        "art",
        "sku",
        "serie",
        "sn",
        "lot",
        "lotnummer",
        "batch",
        "btw",
        "kvk",
        "factuur",
        "klantnummer",
        "klantnr",
        "referentie",
        "ref",
        "retour",
        "rma",
        "dossier",
        "ticket",
        "zaak",
        "onderdeel",
        "model",
        "typenummer",
        "ondernemingsnummer",
        "postcode",
        "imei",
        "ean",
        "gtin",
        "isbn",
        "upc",
        "nr",
        "no",
        # fr
        "commande",
        "cde",
        "suivi",
        "colis",
        "envoi",
        "reference",
        "facture",
        "tva",
        "siret",
        "siren",
        "rcs",
        "client",
        "modele",
        "numero de serie",
        # de
        "bestellung",
        "auftrag",
        "sendung",
        "paket",
        "rechnung",
        "ust",
        "steuer",
        "handelsregister",
        "hrb",
        "kunden",
        "serien",
        "referenz",
        "vorgang",
        "modell",
        "charge",
        "lieferschein",
        # pl
        "zamowieni",
        "przesylk",
        "paczk",
        "przewozow",
        "faktur",
        "nip",
        "regon",
        "krs",
        "klienta",
        "seryjny",
        "zwrot",
        "reklamacj",
        "sledzeni",
        "nadani",
        # en
        "tracking",
        "parcel",
        "consignment",
        "shipment",
        "invoice",
        "vat",
        "company",
        "customer",
        "serial",
        "part",
        "item",
        "listing",
        "case",
        "return",
        "reg",
    )
    + r")"
)

# ...unless one of these comes closer: it says the number is for calling or texting.
PHONE_LABEL = re.compile(
    r"\b"
    + _alt(
        r"tel(?:efoon|efon|ephone|\.)?(?:\s*(?:no|nr|nummer|number|numer|numero)\.?)?",
        "bel",
        "bellen",
        "belt",
        "telefonisch",
        "mobiel",
        "gsm",
        "sms",
        "whatsapp",
        "app",
        "appen",
        "bereikbaar",
        "call",
        "ring",
        "phone",
        "mobile",
        "cell",
        "text me",
        "reach me",
        "appel",
        "appelez",
        "appelle",
        "telephone",
        "portable",
        "joindre",
        "rappel",
        "numero de portable",
        "anruf",
        "anrufen",
        "ruf",
        "handy",
        "festnetz",
        "erreichbar",
        "zadzwon",
        "dzwon",
        "komork",
        "kom",
        r"(?:mijn|my|mon|ma|meine?|moj|moja|onze|our|notre|unsere?)\s+(?:nummer|number|numero|numer)",
        "signal",
        "telegram",
        "viber",
    )
    + r"\b"
)

# A feature of a device or an app, not an invitation: "supports WhatsApp".
FEATURE = re.compile(
    r"\b"
    + _alt(
        "ondersteun",
        "compatib",
        "werkt met",
        "werkt op",
        "meldingen",
        "notificati",
        "geinstalleerd",
        "vooraf",
        "support",
        "works with",
        "out of the box",
        "preinstall",
        "pre-install",
        "installed",
        "apps? like",
        "such as",
        "fonctionne",
        "marche avec",
        "notifications?",
        "installe",
        "unterstutz",
        "kompatib",
        "funktioniert",
        "benachrichtigung",
        "installiert",
        "obsluguje",
        "dziala z",
        "powiadomien",
        "zainstalowan",
        "app ?store",
        "play ?store",
    )
)

# Negation in the same clause: "we may not use WhatsApp", "nie możemy podawać numeru".
NEGATION = re.compile(
    r"\b"
    + _alt(
        "niet",
        "geen",
        "nooit",
        "not",
        "no",
        "never",
        "cannot",
        "can't",
        "cant",
        "don't",
        "dont",
        "won't",
        "pas",
        "jamais",
        "aucun",
        "nicht",
        "kein",
        "keine",
        "keinen",
        "niemals",
        "nie",
        "zakaz\\w*",
        "verboden",
        "forbidden",
        "interdit",
        "verboten",
    )
    + r"\b"
)

# An invitation to get in touch: a contact verb in the sentence of a messenger mention.
CONTACT_INTENT = re.compile(
    r"\b"
    + _alt(
        # nl
        "bereik",
        "contact",
        "bericht",
        "stuur",
        "app",
        "appen",
        "bel",
        "schrijf",
        "mail",
        "volg",
        "zoek ons",
        "vind",
        "toevoeg",
        "voeg",
        "add",
        "dm",
        "pm",
        "chat",
        "praat",
        "spreek",
        "privé",
        "prive",
        # en
        "reach",
        "message",
        "text",
        "write",
        "send",
        "follow",
        "find",
        "talk",
        "ping",
        "hit me up",
        "hmu",
        "drop me",
        "get in touch",
        "handle",
        # fr
        "ecri",
        "envoy",
        "ajout",
        "suiv",
        "retrouv",
        "trouv",
        "rejoi",
        "joindre",
        "mp",
        "parl",
        # de
        "schreib",
        "meld",
        "folg",
        "such",
        "nachricht",
        "erreich",
        "schick",
        "anschreib",
        # pl
        "napisz",
        "pisz",
        "dodaj",
        "znajdz",
        "obserwuj",
        "wyslij",
        "wiadomos",
        "priv",
        "odezwij",
        "zadzwon",
        "dzwon",
        "odpis",
    )
)

# Straight before a messenger: "via WhatsApp", "op Instagram", "sur Telegram", "na WhatsAppie".
PREPOSITION_BEFORE = re.compile(
    r"\b"
    + _alt(
        "via",
        "op",
        "on",
        "over",
        "sur",
        "par",
        "auf",
        "uber",
        "per",
        "na",
        "przez",
        "w",
        "in",
    )
    + r"\s+(?:(?:mijn|my|mon|ma|mein|meinem|moim|mojego|onze|our|notre|unser\w*|ons|us)\s+)?$"
)

POSSESSIVE = re.compile(
    r"\b"
    + _alt(
        "mijn",
        "my",
        "mon",
        "ma",
        "mein",
        "meine",
        "moj",
        "moja",
        "moje",
        "onze",
        "ons",
        "our",
        "notre",
        "nos",
        "unser",
        "unsere",
        "nasz",
        "nasza",
    )
    + r"\s+$"
)

_SENTENCE_END = re.compile(r"[.!?\n]\s|[!?\n]")
_CLAUSE_END = re.compile(r"[.,;:!?\n]\s|[!?\n;]")


def bounds(text: str, start: int, end: int, *, sentence: bool = False) -> tuple[int, int]:
    """The clause (or sentence) around text[start:end]."""
    stop = _SENTENCE_END if sentence else _CLAUSE_END
    left = max((m.end() for m in stop.finditer(text, 0, start)), default=0)
    right = stop.search(text, end)
    return left, right.start() if right else len(text)


def negated_before(text: str, start: int) -> bool:
    """A negation between the start of the clause and `start`: "we may not ... outside the platform"."""
    left, _ = bounds(text, start, start)
    return bool(NEGATION.search(text, left, start))


_WORD_TOKEN = re.compile(r"[a-z0-9ß']+")


@functools.lru_cache(maxsize=16)
def words(text: str) -> tuple[tuple[int, str], ...]:
    """(start, word) of every word of a folded text; shared by the detectors of one message."""
    return tuple([(m.start(), m.group()) for m in _WORD_TOKEN.finditer(text)])


_MEMO_LIMIT = 100_000  # distinct words remembered per phrase set before starting afresh
_LEADING_WORDS = re.compile(r"\(\?:((?:[a-z'-]+(?:\\w\*)?\|)*[a-z'-]+(?:\\w\*)?)\)|([a-z'-]+)")


class PhraseSet:
    """Regex phrases matched only where a word that can begin one of them starts.

    Every phrase must begin with a literal word or a group of literal words ("buiten\\s+...",
    "(?:stuur|geef)\\w*\\s+..."); those words, as prefixes, say where to try. A long
    alternation tried at every position is what makes naive phrase lists slow."""

    def __init__(self, phrases: list[str]) -> None:
        by_trigger: dict[str, list[str]] = {}
        for p in phrases:
            m = _LEADING_WORDS.match(p)
            if m is None:
                raise ValueError(f"phrase must start with a literal word or (?:a|b): {p!r}")
            for w in (m.group(1) or m.group(2)).split("|"):
                by_trigger.setdefault(w.removesuffix("\\w*"), []).append(p)
        self._lengths = sorted({len(t) for t in by_trigger}, reverse=True)
        self._memo: dict[str, list[re.Pattern[str]]] = {}
        self._patterns = {
            t: re.compile(r"\b(?:" + "|".join(ps) + r")") for t, ps in by_trigger.items()
        }

    def _remember(self, word: str) -> list[re.Pattern[str]]:
        """The patterns a word can start, longest trigger first; remembered, as words repeat."""
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        found = self._memo[word] = [
            self._patterns[word[:n]] for n in self._lengths if word[:n] in self._patterns
        ]
        return found

    def finditer(self, text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        end = -1
        memo = self._memo
        for start, word in words(text):
            candidates = memo.get(word)
            if candidates is None:
                candidates = self._remember(word)
            if not candidates or start < end:
                continue
            for pattern in candidates:
                m = pattern.match(text, start)
                if m:
                    spans.append((m.start(), m.end()))
                    end = m.end()
                    break
        return spans
