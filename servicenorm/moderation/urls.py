"""Links to other sites and link shorteners (docs/moderation.md): written out ("shop.nl",
"https://..."), or disguised ("winkel punt nl", "shop(dot)com", "www . shop . de").
The marketplaces' own pages and carriers' tracking pages are allowed (data/allowed_domains.txt)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.resources import files

from linkify_it import LinkifyIt
from linkify_it.tlds import TLDS

from servicenorm.moderation.emails import DOT as _ANY_DOT

ToSource = Callable[[int, int], tuple[int, int]]

_LINKIFY = LinkifyIt().tlds(TLDS)
_HINT = re.compile(r"[a-z0-9-]\.[a-z]{2}|www|://")
_SPACE = re.compile(r"\s")
_DISGUISE_HINT = re.compile(r"\b(?:dot|punt|point|kropka|punkt)\b|[\[({<]\s*\.|\s\.\s")

# A disguised dot: a word or brackets, not a plain "." (plain ones are linkify's).
_WORD_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt|point|kropka|punkt|\.)\s*[\])}>]\s*|\s+(?:dot|punt|point|kropka|punkt)\s+|\s+\.\s+)"
# Top-level domains that are not also common words in the five languages ("de", "be", "net"...)
_CLEAR_TLDS = r"(?:nl|com|pl|fr|eu|org|uk|co\s*(?:\.|dot|punt|point|kropka|punkt)\s*uk|io|shop|store|online|info|biz)"
_WORDLIKE_TLDS = r"(?:de|be|net|at|it|me|es|ch)"
_DISGUISED = re.compile(
    r"(?<![\w.@])(?:www"
    + _ANY_DOT
    + r")?[a-z0-9][a-z0-9-]*(?:"
    + _ANY_DOT
    + r"[a-z0-9][a-z0-9-]*)*?"
    + _WORD_DOT
    + r"(?:"
    + _CLEAR_TLDS
    + r"\b|"
    + _WORDLIKE_TLDS
    + r"\b(?!\s*[a-z]))"
)


_TWO_LABEL_TLDS = frozenset({"co.uk", "com.au", "co.nz", "com.pl", "com.fr", "com.de"})


@cache
def _allowed() -> tuple[frozenset[str], frozenset[str]]:
    exact: set[str] = set()
    any_tld: set[str] = set()
    text = (
        files("servicenorm.moderation")
        .joinpath("data/allowed_domains.txt")
        .read_text(encoding="utf-8")
    )
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line.endswith(".*"):
            any_tld.add(line[:-2])
        elif line:
            exact.add(line)
    return frozenset(exact), frozenset(any_tld)


def is_allowed_host(host: str, extra: frozenset[str] = frozenset()) -> bool:
    exact, any_tld = _allowed()
    labels = host.lower().rstrip(".").split(".")
    for i in range(len(labels) - 1):
        suffix = ".".join(labels[i:])
        if suffix in exact or suffix in extra:
            return True
        # "ebay.*": the name with any top-level domain (ebay.de) or a known two-label one
        # (ebay.co.uk); not "ebay.myshop.nl", which belongs to myshop.nl
        tld = ".".join(labels[i + 1 :])
        if labels[i] in any_tld and (len(labels) - i == 2 or tld in _TWO_LABEL_TLDS):
            return True
    return False


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return re.split(r"[/?#:]", rest, maxsplit=1)[0].split("@")[-1]


def find_urls(
    text: str, source: str, to_source: ToSource, extra_allowed: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Spans of links to other sites in a folded text. `source` and `to_source` give the input
    text, to tell "shop.NL" from a missing space before a capitalised word ("verzonden.De")."""
    spans: list[tuple[int, int]] = []
    for lo, hi in _stretches(text):
        for m in _LINKIFY.match(text[lo:hi]) or []:
            start, end = lo + m.index, lo + m.last_index
            if m.schema == "mailto:" or is_allowed_host(_host(m.url), extra_allowed):
                continue
            if not m.schema and _not_a_link(text, start, end, source, to_source):
                continue
            spans.append((start, end))
    if _DISGUISE_HINT.search(text):
        spans.extend((m.start(), m.end()) for m in _DISGUISED.finditer(text))
    return spans


def _stretches(text: str) -> list[tuple[int, int]]:
    """The whitespace-delimited stretches holding something link-like: linkify is slow on
    whole messages and needs no more context than the stretch."""
    out: list[tuple[int, int]] = []
    for m in _HINT.finditer(text):
        if out and m.start() < out[-1][1]:
            continue
        lo = max(text.rfind(c, 0, m.start()) for c in " \n\t") + 1
        ws = _SPACE.search(text, m.end())
        out.append((lo, ws.start() if ws else len(text)))
    return out


def _not_a_link(text: str, start: int, end: int, source: str, to_source: ToSource) -> bool:
    """A bare "name.tld" (no www, no path, one dot) that is really prose: an abbreviation
    ("m.in.", "z.B.", "i.e."), or a sentence missing its space ("verzonden.De", the last label
    Capitalised in the input)."""
    link = text[start:end]
    if link.startswith("www") or "/" in link or link.count(".") != 1:
        return False
    name = link.index(".")
    if name == 1 or (name == 2 and text[end : end + 1] == "."):
        return True
    dot = start + link.index(".")
    s, e = to_source(dot + 1, end)
    tld = source[s:e]
    return len(tld) >= 2 and tld[0].isupper() and tld[1:].islower()
