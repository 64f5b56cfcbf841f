"""Tone (docs/moderation.md): abusive words and phrases in nl, fr, de, pl and en, from the word
lists in
data/tone/ (see data/tone/README.txt for the format). Masked ("f*ck") and l33t ("1d10t")
spellings are undone before the lists are consulted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from servicenorm.moderation.text import fold

LANGUAGES = ("nl", "fr", "de", "pl", "en")
_TOKEN = re.compile(
    r"[a-zß0-9@$*]+(?:-[a-zß0-9@$*]+)*"
)  # "d'abrutis" is two words, "idiot-proof" one
_LEET = str.maketrans("1340@$57", "ieaoasst")
_HAS_LETTER = re.compile(r"[a-zß]")


@dataclass(frozen=True)
class Lexicon:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: frozenset[tuple[str, ...]]
    phrase_starts: frozenset[str]
    longest_phrase: int
    never_words: frozenset[str]
    never_prefixes: tuple[str, ...]
    _verdicts: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def is_abusive_word(self, token: str) -> bool:
        if token in self.words or token.startswith(self.prefixes):
            return not (token in self.never_words or token.startswith(self.never_prefixes))
        return False

    def verdict(self, token: str) -> bool:
        """`is_abusive_word`, remembered: the same words come back in every message."""
        v = self._verdicts.get(token)
        if v is None:
            if len(self._verdicts) > 100_000:
                self._verdicts.clear()
            v = self._verdicts[token] = self.is_abusive_word(token)
        return v


@cache
def lexicon() -> Lexicon:
    words: set[str] = set()
    prefixes: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    never_words: set[str] = set()
    never_prefixes: set[str] = set()
    root = files("servicenorm.moderation").joinpath("data/tone")
    for lang in LANGUAGES:
        for raw in root.joinpath(f"{lang}.txt").read_text(encoding="utf-8").splitlines():
            entry = fold(raw.split("#", 1)[0].strip()).text
            if not entry:
                continue
            never = entry.startswith("!")
            entry = entry.lstrip("!")
            tokens = tuple(_TOKEN.findall(entry))
            if len(tokens) > 1:
                phrases.add(tokens)
            elif entry.endswith("*") and len(entry) > 1 and "*" not in entry[:-1]:
                (never_prefixes if never else prefixes).add(entry[:-1])
            else:
                (never_words if never else words).add(entry)
    return Lexicon(
        frozenset(words),
        tuple(sorted(prefixes)),
        frozenset(phrases),
        frozenset(p[0] for p in phrases),
        max((len(p) for p in phrases), default=1),
        frozenset(never_words),
        tuple(sorted(never_prefixes)),
    )


def _leet(token: str) -> str | None:
    """The token with l33t digits undone ("1d10t" -> "idiot"), or None if it has none."""
    if _HAS_LETTER.search(token) and any(c in token for c in "1340@$57"):
        return token.translate(_LEET)
    return None


def _masked_match(token: str, lex: Lexicon) -> bool:
    """ "f*ck", "sh**", "k*rwa": stars stand for one to three letters."""
    parts = [re.escape(p) for p in re.split(r"\*+", token)]
    if not any(parts):
        return False
    word = re.compile(r"[a-zß]{1,3}".join(parts) + r"\Z")
    stem = re.compile(r"[a-zß]{1,3}".join(parts))
    return any(word.match(w) for w in lex.words) or any(
        stem.match(p) for p in lex.prefixes if len(p) >= 3
    )


def _disguised(token: str) -> bool:
    """Letters mixed with digits or symbols ("sh1t", "f*ck"), not a number or a hyphenated word."""
    return not token.isalpha() and not token.isdigit() and not token.replace("-", "").isalpha()


def find_abuse(text: str) -> list[tuple[int, int]]:
    """Spans of abusive words and phrases in a folded text."""
    lex = lexicon()
    if not any(
        t in lex.phrase_starts or lex.verdict(t) or _disguised(t) for t in _TOKEN.findall(text)
    ):
        return []  # the common case, decided without positions
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    for i, (start, end, tok) in enumerate(tokens):
        if tok in lex.phrase_starts:
            for n in range(min(lex.longest_phrase, len(tokens) - i), 1, -1):
                if tuple(t[2] for t in tokens[i : i + n]) in lex.phrases:
                    spans.append((start, tokens[i + n - 1][1]))
                    break
        if lex.verdict(tok):
            spans.append((start, end))
        elif _disguised(tok):
            leet = _leet(tok)
            if (leet is not None and lex.is_abusive_word(leet)) or (
                "*" in tok and _masked_match(tok, lex)
            ):
                spans.append((start, end))
    return spans
