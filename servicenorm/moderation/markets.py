"""Which languages a market accepts (docs/moderation.md). A preset's `[moderation] languages` table
overrides these per market."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MARKET_LANGUAGES: dict[str, tuple[str, ...]] = {
    "NL": ("nl",),
    "BE": ("nl", "fr"),
    "FR": ("fr",),
    "DE": ("de",),
    "PL": ("pl",),
    "GB": ("en",),
}
_ALIASES = {"UK": "GB"}


def normalise_market(market: str) -> str:
    code = market.strip().upper()
    return _ALIASES.get(code, code)


def accepted_languages(
    market: str, overrides: Mapping[str, Sequence[str]] | None = None
) -> tuple[str, ...]:
    """The languages a reply may be in on `market` (ISO 3166 alpha-2)."""
    code = normalise_market(market)
    if overrides:
        for key, langs in overrides.items():
            if normalise_market(key) == code:
                return tuple(langs)
    try:
        return MARKET_LANGUAGES[code]
    except KeyError:
        known = ", ".join(
            sorted({*MARKET_LANGUAGES, *(normalise_market(k) for k in overrides or {})})
        )
        raise ValueError(f"unknown market {market!r}; known markets: {known}") from None
