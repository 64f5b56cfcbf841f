"""Off-platform contact (docs/moderation.md): every detector over the folded view, spans mapped
back to
the input, one span per stretch of text."""

from __future__ import annotations

from collections.abc import Callable

from servicenorm.moderation.emails import find_emails
from servicenorm.moderation.messengers import find_handles, find_messengers
from servicenorm.moderation.offplatform import find_offplatform
from servicenorm.moderation.payments import find_payments
from servicenorm.moderation.phones import find_phones
from servicenorm.moderation.result import Span
from servicenorm.moderation.text import View, collapse_spaced
from servicenorm.moderation.urls import find_urls, is_allowed_host

Finder = Callable[[str], list[tuple[int, int]]]

# When one span lies inside another, the stretch keeps the more specific kind of the two:
# "wa.me/316..." is a link before it is a phone number, "find us on Instagram" is a messenger.
_SPECIFIC_FIRST = ("email", "url", "payment", "phone", "handle", "messenger", "offplatform")
_RANK = {kind: i for i, kind in enumerate(_SPECIFIC_FIRST)}


def find_contact(
    source: str, view: View, allowed_domains: frozenset[str] = frozenset()
) -> list[Span]:
    """Spans of off-platform contact details and invitations in `source` (its folded `view`)."""
    raw: list[tuple[int, int, str]] = []

    def run(v: View, kind: str, finder: Finder) -> None:
        for s, e in finder(v.text):
            raw.append((*v.to_source(s, e), kind))

    def urls(v: View) -> Finder:
        return lambda t: find_urls(t, source, v.to_source, allowed_domains)

    def emails(t: str) -> list[tuple[int, int]]:
        return find_emails(t, lambda host: is_allowed_host(host, allowed_domains))

    run(view, "email", emails)
    run(view, "url", urls(view))
    run(view, "phone", find_phones)
    run(view, "payment", find_payments)
    run(view, "handle", find_handles)
    run(view, "messenger", find_messengers)
    run(view, "offplatform", find_offplatform)
    collapsed = collapse_spaced(view)
    if collapsed is not None:  # "j a n @ g m a i l . c o m"
        run(collapsed, "email", emails)
        run(collapsed, "url", urls(collapsed))
    return _distinct(source, raw)


def _distinct(source: str, raw: list[tuple[int, int, str]]) -> list[Span]:
    """One span per stretch: a span inside a kept one goes (lending it its kind when more
    specific); a same-kind overlap stretches the kept span."""
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(raw, key=lambda r: (r[0], -r[1], _RANK[r[2]])):
        if end <= start:
            continue
        for i, (k_start, k_end, k_kind) in enumerate(kept):
            if k_start <= start and end <= k_end:
                kept[i] = (k_start, k_end, min(k_kind, kind, key=_RANK.__getitem__))
                break
            if k_kind == kind and start < k_end:
                kept[i] = (k_start, max(k_end, end), k_kind)
                break
        else:
            kept.append((start, end, kind))
    return [Span(s, e, k, source[s:e]) for s, e, k in kept]
