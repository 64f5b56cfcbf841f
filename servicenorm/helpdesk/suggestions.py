"""While a buyer types a question, suggest the listing's FAQ answers and facts that may
already answer it (docs/helpdesk.md, eBay's automatic answers). Pure: text in, suggestions out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

FACTS = ("shipping_cost", "delivery_time", "returns", "size")

# words that point at a fact, in the market languages (nl, fr, de, pl, en), accents folded
FACT_WORDS: dict[str, tuple[str, ...]] = {
    "shipping_cost": (
        "verzendkosten",
        "verzending kost",
        "portokosten",
        "frais de port",
        "frais d'envoi",
        "livraison gratuite",
        "versandkosten",
        "porto",
        "koszt wysylki",
        "koszty wysylki",
        "darmowa dostawa",
        "shipping cost",
        "shipping costs",
        "postage",
        "free shipping",
        "delivery cost",
    ),
    "delivery_time": (
        "levertijd",
        "wanneer geleverd",
        "wanneer binnen",
        "wanneer komt",
        "hoe lang",
        "bezorgd",
        "delai de livraison",
        "quand",
        "combien de temps",
        "lieferzeit",
        "wann kommt",
        "wie lange",
        "czas dostawy",
        "kiedy",
        "jak dlugo",
        "delivery time",
        "when will",
        "how long",
        "arrive",
    ),
    "returns": (
        "retour",
        "retourneren",
        "terugsturen",
        "ruilen",
        "retourner",
        "remboursement",
        "rucksendung",
        "zuruckschicken",
        "umtausch",
        "zwrot",
        "zwrocic",
        "wymiana",
        "return",
        "refund",
        "send back",
        "exchange",
    ),
    "size": (
        "maat",
        "maten",
        "afmeting",
        "groot",
        "taille",
        "dimension",
        "grosse",
        "abmessung",
        "rozmiar",
        "wymiary",
        "size",
        "dimensions",
        "how big",
        "fit",
    ),
}

FAQ_MIN_SCORE = 60.0


@dataclass(frozen=True)
class Suggestion:
    kind: Literal["faq", "fact"]
    key: str  # the FAQ id or the fact name
    question: str | None
    answer: str
    score: float


def fold(text: str) -> str:
    """Lower case without accents and punctuation: 'Rücksendung?' -> 'rucksendung'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l")
    return re.sub(r"[^\w']+", " ", plain).strip()


def suggest(
    text: str, faqs: Sequence[tuple[str, str, str]], facts: Mapping[str, str], limit: int = 5
) -> list[Suggestion]:
    """`faqs` are (id, question, answer); `facts` maps a fact name to its value."""
    q = fold(text)
    if len(q) < 3:
        return []
    padded = f" {q} "
    out: list[Suggestion] = []
    for name, words in FACT_WORDS.items():
        value = facts.get(name)
        if value and any(f" {w} " in padded or (len(w) > 5 and w in q) for w in words):
            out.append(Suggestion("fact", name, None, str(value), 100.0))
    for fid, question, answer in faqs:
        score = max(
            fuzz.token_set_ratio(q, fold(question)), fuzz.partial_ratio(q, fold(question)) * 0.9
        )
        if score >= FAQ_MIN_SCORE:
            out.append(Suggestion("faq", fid, question, answer, round(float(score), 1)))
    out.sort(key=lambda x: (-x.score, x.kind, x.key))
    return out[:limit]
