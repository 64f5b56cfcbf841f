"""`moderate`: every per-message check of docs/moderation.md (contact, language, tone) on one
message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from servicenorm.moderation.contact_details import find_contact
from servicenorm.moderation.language import detect_language
from servicenorm.moderation.markets import accepted_languages, normalise_market
from servicenorm.moderation.result import ModerationResult, Span
from servicenorm.moderation.text import fold
from servicenorm.moderation.tone import find_abuse


def moderate(
    text: str,
    market: str,
    *,
    languages: Mapping[str, Sequence[str]] | None = None,
    allowed_domains: frozenset[str] = frozenset(),
) -> ModerationResult:
    """Check one message for `market` (ISO 3166 alpha-2: NL, BE, FR, DE, PL, GB).

    `languages` overrides the accepted languages per market (a preset's
    `[moderation] languages`); `allowed_domains` adds sites to the shipped allow-list.
    """
    accepted = accepted_languages(market, languages)
    view = fold(text)
    spans = find_contact(text, view, allowed_domains)
    abusive = [
        Span(s, e, "abusive", text[s:e])
        for s, e in (view.to_source(*f) for f in find_abuse(view.text))
    ]
    language = detect_language(_without(text, spans), accepted)
    return ModerationResult(
        contact=bool(spans),
        spans=spans,
        language=language,
        language_ok=language is None or language in accepted,
        abusive=bool(abusive),
        market=normalise_market(market),
        abusive_spans=abusive,
    )


def _without(text: str, spans: list[Span]) -> str:
    """The text without addresses and links: they say nothing of the language. Numbers stay
    (spelled-out ones are words of the language)."""
    if not spans:
        return text
    parts: list[str] = []
    at = 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.kind in ("email", "url", "handle") and s.start >= at:
            parts.append(text[at : s.start])
            parts.append(" ")
            at = s.end
    parts.append(text[at:])
    return "".join(parts)
