"""E-mail addresses (docs/moderation.md), written out or disguised: "jan at gmail dot com",
"info[at]winkel[punt]nl", "małpa", "arobase", "ät", "mijn gmail is jan1980". Runs on the
folded view, so "ät" is "at" and "＠" is "@" already."""

from __future__ import annotations

import re
from collections.abc import Callable

_DOT_WORDS = "dot|punt|point|kropka|punkt|kropke"
_AT_WORDS = "at|apenstaartje|arobase|arrobase|malpa|malpka|klammeraffe|aet|chez"


def _bracketed(words: str, sym: str) -> str:
    return r"\s*[\[({<]\s*(?:" + words + "|" + sym + r")\s*[\])}>]\s*"


AT = r"(?:@|\s+@\s+|" + _bracketed(_AT_WORDS, "@") + r"|\s+(?:" + _AT_WORDS + r")\s+)"
DOT = r"(?:\s?\.\s?|" + _bracketed(_DOT_WORDS, r"\.") + r"|\s+(?:" + _DOT_WORDS + r")\s+)"

# Top-level domains sellers give out in these markets; an "at ... dot" phrase must end in one.
TLDS = (
    "com",
    "nl",
    "be",
    "fr",
    "de",
    "pl",
    "eu",
    "net",
    "org",
    "info",
    "uk",
    "co",
    "io",
    "me",
    "at",
    "ch",
    "lu",
    "es",
    "it",
    "shop",
    "store",
    "online",
    "biz",
    "email",
    "mail",
    "pro",
    "app",
    "ie",
)
# Mail providers whose names are not ordinary words: "jan.smit at gmail" is an address
# without its ".com", "mijn gmail is jan1980" names one.
PROVIDERS = (
    "gmail",
    "googlemail",
    "hotmail",
    "outlook",
    "yahoo",
    "icloud",
    "gmx",
    "t-online",
    "freenet",
    "posteo",
    "protonmail",
    "proton",
    "wp",
    "onet",
    "interia",
    "tlen",
    "laposte",
    "wanadoo",
    "sfr",
    "ziggo",
    "kpnmail",
    "kpnplanet",
    "xs4all",
    "telenet",
    "skynet",
    "btinternet",
    "virginmedia",
    "yandex",
)

_LOCAL = r"[a-z0-9](?:[a-z0-9_%+-]|" + DOT + r"(?=[a-z0-9]))*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_TLD = r"(?:" + "|".join(TLDS) + r")"
_PROVIDER = r"(?:" + "|".join(re.escape(p) for p in PROVIDERS) + r")"

_PLAIN = re.compile(r"(?<![\w.+%-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
_DISGUISED = re.compile(
    r"(?<![\w.])" + _LOCAL + AT + _LABEL + r"(?:" + DOT + _LABEL + r")*" + DOT + _TLD + r"\b"
)
_TO_PROVIDER = re.compile(r"(?<![\w.])" + _LOCAL + AT + _PROVIDER + r"\b(?!" + DOT + r"[a-z])")
# "mijn gmail is jan1980", "gmail: jan.smit", "kowalski.jan w gmailu"
_PROVIDER_NAMED = re.compile(
    r"\b(?:(?:mijn|my|mon|ma|mein|meine|moj|moja|onze|our|notre|unsere?)\s+"
    + _PROVIDER
    + r"(?:\s*(?:is|=|:|c'est|ist|lautet|to|-)+\s*)|"
    + _PROVIDER
    + r"\s*:\s*)"
    r"([a-z0-9][a-z0-9._-]{2,})"
)
_IN_PROVIDER = re.compile(
    r"(?<![\w.])([a-z0-9]+[._-][a-z0-9._-]+|[a-z]+\d+)\s+(?:w|na|op|bei|chez|at|on|in)\s+"
    + _PROVIDER
    + r"\w{0,3}\b"
)
_HINT = re.compile(r"@|\b(?:" + _AT_WORDS + r")\b|" + _PROVIDER)
_REACH = 60  # characters either side of an "at" that an address can span
_AT_RE = re.compile(AT)
_DOT_RE = re.compile(DOT)


def domain_of(address: str) -> str:
    """ "jan punt smit at gmail punt com" -> "gmail.com"."""
    return _DOT_RE.sub(".", _AT_RE.split(address)[-1]).strip()


def find_emails(
    text: str, is_allowed: Callable[[str], bool] = lambda _: False
) -> list[tuple[int, int]]:
    """Spans of e-mail addresses in a folded text; addresses at `is_allowed` domains (the
    platform's, a carrier's) are not contact details, and neither is "track it at postnl.nl"."""
    spans: set[tuple[int, int]] = set()
    for hint in _HINT.finditer(text):
        # an address lies around its "at" (or its provider): look only there
        lo, hi = max(0, hint.start() - _REACH), min(len(text), hint.end() + _REACH)
        for pattern in (_PLAIN, _DISGUISED, _TO_PROVIDER, _IN_PROVIDER, _PROVIDER_NAMED):
            spans.update((m.start(), m.end()) for m in pattern.finditer(text, lo, hi))
    return sorted((s, e) for s, e in spans if not is_allowed(domain_of(text[s:e])))
