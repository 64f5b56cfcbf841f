"""Phone numbers written as words: "nul zes twaalf vierendertig", "zéro six douze trente-quatre",
"pięćset dwanaście". Words are in folded form (lower case, no accents; see `text.fold`).

Each language dictates numbers its own way: digit by digit everywhere, in pairs in French and
Dutch, in three-digit groups in Polish, "double seven" in English. The tables below spell the
numbers 0-99 (0-999 in Polish); `PHRASES` maps every spelling, as a tuple of words, to its
digits.
"""

from __future__ import annotations

from collections.abc import Iterator

_UNITS = {
    "nl": ["nul", "een|eentje", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"],
    "de": [
        "null",
        "eins|ein|eine",
        "zwei|zwo",
        "drei",
        "vier",
        "funf|fuenf",
        "sechs",
        "sieben",
        "acht",
        "neun",
    ],
    "en": [
        "zero|oh|nought|nil",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
    ],
    "fr": ["zero", "un|une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    "pl": [
        "zero",
        "jeden|jedna|jedno",
        "dwa|dwie",
        "trzy",
        "cztery",
        "piec",
        "szesc",
        "siedem",
        "osiem",
        "dziewiec",
    ],
}
_TEENS = {
    "nl": [
        "tien",
        "elf",
        "twaalf",
        "dertien",
        "veertien",
        "vijftien",
        "zestien",
        "zeventien",
        "achttien",
        "negentien",
    ],
    "de": [
        "zehn",
        "elf",
        "zwolf|zwoelf",
        "dreizehn",
        "vierzehn",
        "funfzehn|fuenfzehn",
        "sechzehn",
        "siebzehn",
        "achtzehn",
        "neunzehn",
    ],
    "en": [
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ],
    "fr": [
        "dix",
        "onze",
        "douze",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "dix sept",
        "dix huit",
        "dix neuf",
    ],
    "pl": [
        "dziesiec",
        "jedenascie",
        "dwanascie",
        "trzynascie",
        "czternascie",
        "pietnascie",
        "szesnascie",
        "siedemnascie",
        "osiemnascie",
        "dziewietnascie",
    ],
}
_TENS = {  # 20, 30, ... 90
    "nl": ["twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"],
    "de": [
        "zwanzig",
        "dreißig|dreissig|dreisig",
        "vierzig",
        "funfzig|fuenfzig",
        "sechzig",
        "siebzig",
        "achtzig",
        "neunzig",
    ],
    "en": ["twenty", "thirty", "forty|fourty", "fifty", "sixty", "seventy", "eighty", "ninety"],
    "fr": [
        "vingt",
        "trente",
        "quarante",
        "cinquante",
        "soixante",
        "",
        "quatre vingt|quatre vingts",
        "",
    ],
    "pl": [
        "dwadziescia",
        "trzydziesci",
        "czterdziesci",
        "piecdziesiat",
        "szescdziesiat",
        "siedemdziesiat",
        "osiemdziesiat",
        "dziewiecdziesiat",
    ],
}
_PL_HUNDREDS = [
    "sto",
    "dwiescie",
    "trzysta",
    "czterysta",
    "piecset",
    "szescset",
    "siedemset",
    "osiemset",
    "dziewiecset",
]

# Dutch and German put the unit first in one word: vierendertig, vierunddreißig.
_JOINED = {"nl": ("en", "een"), "de": ("und", "ein")}

REPEAT = {"double": 2, "dubbel": 2, "triple": 3, "doppel": 2}  # "double seven" -> 77
PLUS = frozenset({"plus"})


def _spellings(cell: str) -> list[tuple[str, ...]]:
    return [tuple(s.split()) for s in cell.split("|") if s]


def _numbers(lang: str) -> Iterator[tuple[tuple[str, ...], int]]:
    units, teens, tens = _UNITS[lang], _TEENS[lang], _TENS[lang]
    for v, cell in enumerate(units):
        for s in _spellings(cell):
            yield s, v
    for v, cell in enumerate(teens, 10):
        for s in _spellings(cell):
            yield s, v
    for t, cell in enumerate(tens, 2):
        for s in _spellings(cell):
            yield s, 10 * t
            for u in range(1, 10):
                unit_cells = _spellings(units[u])
                if lang in _JOINED:
                    link, one = _JOINED[lang]
                    for us in _spellings(one) if u == 1 else unit_cells:
                        yield (us[0] + link + s[0],), 10 * t + u
                elif lang == "fr" and u == 1 and t < 8:
                    yield (*s, "et", "un"), 10 * t + 1
                else:
                    for us in unit_cells:
                        yield (*s, *us), 10 * t + u
    if lang == "fr":  # 70-79 and 90-99 are sixty/eighty plus a teen
        for base, prefix in ((60, ("soixante",)), (80, ("quatre", "vingt"))):
            for v, cell in enumerate(teens, 10):
                for s in _spellings(cell):
                    yield (*prefix, *s), base + v
        yield ("soixante", "et", "onze"), 71


def _build() -> dict[tuple[str, ...], str]:
    phrases: dict[tuple[str, ...], str] = {}
    for lang in _UNITS:
        for words, value in _numbers(lang):
            phrases.setdefault(words, str(value))
    polish = {
        w
        for cells in (_UNITS["pl"], _TEENS["pl"], _TENS["pl"])
        for c in cells
        for s in _spellings(c)
        for w in s
    }
    below_100 = [(w, int(v)) for w, v in phrases.items() if polish.issuperset(w)]
    for h, cell in enumerate(_PL_HUNDREDS, 1):
        phrases[(cell,)] = str(100 * h)
        for words, v in below_100:
            if v > 0:
                phrases[(cell, *words)] = str(100 * h + v)
    return phrases


PHRASES: dict[tuple[str, ...], str] = _build()
LONGEST = max(len(k) for k in PHRASES)
FIRST_WORDS: frozenset[str] = frozenset(k[0] for k in PHRASES) | frozenset(REPEAT) | PLUS
