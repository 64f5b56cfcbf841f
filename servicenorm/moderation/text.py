"""A folded view of a message that detectors read, with a map back to the input's offsets.

Evasions hide behind Unicode: full-width and mathematical digits, keycap emoji, zero-width
characters, Cyrillic or Greek letters that look Latin. The folded view undoes these (NFKC,
a confusables table, zero-width removal), lower-cases and strips accents, so that detectors
need one spelling per word. Every folded character remembers the index of the input
character it came from, so a span found in the view is reported in the input's offsets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters that render as nothing (or as a decoration of the previous character).
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\ufe0e\ufe0f\u20e3"  # variation selectors and the keycap combiner: 6️⃣ -> 6
)

# Look-alikes of Latin letters (a subset of Unicode's confusables.txt: the letters a seller
# can type on Cyrillic and Greek keyboards, plus IPA/Latin-extended shapes seen in spam).
_CONFUSABLES = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "ɡ": "g",
    "ɑ": "a",
    "ο": "o",
    "α": "a",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "ϲ": "c",
    "ı": "i",
    "ӏ": "l",
    "ℓ": "l",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "․": ".",
    "＠": "@",
    "﹫": "@",
    "。": ".",
    "｡": ".",
    "·": ".",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "´": "'",
}


# One character in, one character out: accents off, so "małpa", "zéro", "fünf" match plain
# spellings. Characters without an ASCII base stay as they are.
def _fold_char(c: str) -> str:
    base = unicodedata.normalize("NFKD", c)[0]
    return base if base.isascii() else {"ł": "l", "ø": "o", "đ": "d", "æ": "a", "œ": "o"}.get(c, c)


_FOLD_CACHE: dict[str, str] = {}

# Text that needs no per-character work: plain ASCII, or Latin letters with ordinary accents.
_SIMPLE = re.compile(r"[\x00-\x7f\u00c0-\u017e]*\Z")


@dataclass(frozen=True, slots=True)
class View:
    """`text` is the folded string; input characters `starts[i]` up to `ends[i]` produced
    `text[i]` (an invisible character is absorbed by the character before it)."""

    text: str
    starts: tuple[int, ...] | None  # None: same length and offsets as the input
    ends: tuple[int, ...] | None
    source_len: int

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Input offsets of the folded span [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= len(self.starts):
            return self.source_len, self.source_len
        return self.starts[start], self.ends[end - 1] if end > start else self.starts[start]


_LATIN_FOLD = {c: _fold_char(chr(c)) for c in range(0xC0, 0x17F)}


def _fold_simple(text: str) -> str:
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.translate(_LATIN_FOLD)


def _cached_fold(c: str) -> str:
    f = _FOLD_CACHE.get(c)
    if f is None:
        f = _FOLD_CACHE[c] = _fold_char(c) if not c.isascii() else c
    return f


def fold(text: str) -> View:
    """The folded view of `text` (see the module docstring)."""
    if _SIMPLE.match(text):
        folded = _fold_simple(text)
        if len(folded) == len(text):
            return View(folded, None, None, len(text))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        if c in _INVISIBLE or unicodedata.combining(c):
            if ends:  # decomposed accents and keycaps belong to the character before
                ends[-1] = i + 1
            continue
        c = _CONFUSABLES.get(c, c)
        for n in unicodedata.normalize("NFKC", c):
            n = _CONFUSABLES.get(n, n)
            for low in n.lower():
                if unicodedata.combining(low):
                    continue
                chars.append(_cached_fold(low))
                starts.append(i)
                ends.append(i + 1)
    return View("".join(chars), tuple(starts), tuple(ends), len(text))


_SPACED_RUN = re.compile(r"(?<![\w.@])(?:[a-z0-9@._-] ){4,}[a-z0-9@._-](?![\w@])")


def collapse_spaced(view: View) -> View | None:
    """A second view with letter-by-letter spacing removed ("j a n @ g m a i l . c o m"),
    or None when the text has no such run. Offsets still map to the input."""
    runs = list(_SPACED_RUN.finditer(view.text))
    if not runs:
        return None
    drop: set[int] = set()
    for m in runs:
        drop.update(i for i in range(m.start(), m.end()) if view.text[i] == " ")
    keep = [i for i in range(len(view.text)) if i not in drop]
    return View(
        "".join(view.text[i] for i in keep),
        tuple(view.starts[i] if view.starts is not None else i for i in keep),
        tuple(view.ends[i] if view.ends is not None else i + 1 for i in keep),
        view.source_len,
    )
