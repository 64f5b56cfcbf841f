"""Message policy checks (docs/moderation.md): off-platform contact, market language, canned
replies, tone.

moderate(text, market)          -> ModerationResult   every per-message check
decide(result, rules, text)     -> Decision           the preset's action for it
canned_replies(records, ...)    -> {seller: CannedStats}   R5.3 over a window
"""

from servicenorm.moderation.canned import CannedItem, CannedRules, CannedStats, canned_replies
from servicenorm.moderation.check import moderate
from servicenorm.moderation.decision import ABUSE_MASK, CONTACT_MASK, decide, mask
from servicenorm.moderation.markets import MARKET_LANGUAGES, accepted_languages
from servicenorm.moderation.result import CONTACT_KINDS, Decision, ModerationResult, Span

__all__ = [
    "ABUSE_MASK",
    "CONTACT_KINDS",
    "CONTACT_MASK",
    "MARKET_LANGUAGES",
    "CannedItem",
    "CannedRules",
    "CannedStats",
    "Decision",
    "ModerationResult",
    "Span",
    "accepted_languages",
    "canned_replies",
    "decide",
    "mask",
    "moderate",
]
