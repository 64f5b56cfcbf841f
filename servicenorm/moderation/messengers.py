"""Messengers and social networks (docs/moderation.md): "app me", "via WhatsApp", "volg ons op
Instagram @winkel", "napisz na WhatsAppie". A mention counts when it is an invitation (a
contact verb, a preposition before it, a handle after it) and not a device feature ("supports
WhatsApp", "meldingen van Instagram") or a refusal ("we may not use WhatsApp")."""

from __future__ import annotations

import re

from servicenorm.moderation.vocab import (
    CONTACT_INTENT,
    FEATURE,
    NEGATION,
    POSSESSIVE,
    PREPOSITION_BEFORE,
    bounds,
    words,
)

_MESSENGER = re.compile(
    r"\b(?:"
    r"wh?[a4@]t+(?:'?[s5$z][\s'-]{0,2})?[a4@]pp?[a-z]{0,4}"  # whatsapp and its misspellings
    r"|insta(?:gram[a-z]{0,4})?|ig"
    r"|facebook[a-z]{0,3}|fb|messenger(?!\s*(?:bag|tas|tasche|sac|torba))[a-z]{0,3}"
    r"|telegram(?!m)[a-z]{0,3}|signal|snapchat[a-z]{0,3}|snap(?=\s*:)|tik\s?tok[a-z]{0,3}|viber[a-z]{0,3}"
    r"|skype[a-z]{0,3}|wechat|threema|discord[a-z]{0,3}|imessage|facetime|linkedin"
    r")\b"
)
# Names that are also ordinary words need a cue next to them, not just a contact verb nearby.
_ORDINARY_WORDS = frozenset({"signal", "telegram", "messenger", "discord", "snap", "ig"})
# First letters of the names above, to skip words that cannot start one.
_TRIGGERS = (
    "wh",
    "wa",
    "w4",
    "insta",
    "ig",
    "face",
    "fb",
    "messeng",
    "telegr",
    "signal",
    "snap",
    "tik",
    "viber",
    "skype",
    "wechat",
    "threema",
    "discord",
    "imessage",
    "facetime",
    "linkedin",
    "app",
)
# Dutch "appen" is WhatsApp by itself: "app me even", "stuur een appje".
_APP_VERB = re.compile(
    r"\b(?:app(?:\s+(?:me|mij|ons|even)\b)|appje\b|appen\b|appt\s+(?:me|mij|ons)\b)"
)
_HANDLE_AFTER = re.compile(
    r"\s*(?::|=|-)\s*@?[a-z0-9_.]{3,}|\s+@[a-z0-9_.]{3,}"
)  # ": name", " @name"
_VERB_AFTER = re.compile(
    r"\s*(?:me|mij|ons|us|mir|uns|moi|nous|mi|nam)\b"
)  # "WhatsApp me", "whatsap mir"
_HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]{1,28}[a-z0-9_])(?![\w@]|\.[a-z]{2})")


def _invitation(text: str, start: int, end: int) -> bool:
    s0, s1 = bounds(text, start, end, sentence=True)
    c0, c1 = bounds(text, start, end)
    sentence, clause = text[s0:s1], text[c0:c1]
    if FEATURE.search(sentence) or NEGATION.search(clause):
        return False
    if _HANDLE_AFTER.match(text, end) or _VERB_AFTER.match(
        text, end
    ):  # "Snapchat: name", "WhatsApp me"
        return True
    if POSSESSIVE.search(text, max(0, start - 12), start):  # "mijn insta", "my WhatsApp"
        return True
    if PREPOSITION_BEFORE.search(text, max(0, start - 24), start):
        return True
    if text[start:end] in _ORDINARY_WORDS:
        return False  # "ein Signal senden", "a messenger will bring it": only the cues above count
    without = sentence[: start - s0] + " " + sentence[end - s0 :]
    return bool(CONTACT_INTENT.search(without))


def find_messengers(text: str) -> list[tuple[int, int]]:
    """Spans of messenger invitations in a folded text."""
    spans: list[tuple[int, int]] = []
    for start, word in words(text):
        if not word.startswith(_TRIGGERS):
            continue
        m = _MESSENGER.match(text, start)
        if m and _invitation(text, m.start(), m.end()):
            spans.append((m.start(), m.end()))
            continue
        m = _APP_VERB.match(text, start)
        if m:
            c0, c1 = bounds(text, m.start(), m.end())
            if not NEGATION.search(text, c0, c1):
                spans.append((m.start(), m.end()))
    return spans


def find_handles(text: str) -> list[tuple[int, int]]:
    """ "@name" handles (not e-mail addresses, not "@ 14:00")."""
    if "@" not in text:
        return []
    return [(m.start(), m.end()) for m in _HANDLE.finditer(text)]
