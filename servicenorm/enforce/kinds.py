"""The vocabulary of enforcement: action kinds, what each restriction switches off, badge
removal reasons, takeover triggers and resolutions (docs/enforcement.md)."""

from __future__ import annotations

from typing import Literal

CONTACT_ACTIONS = frozenset({"notify", "educate"})
RESTRICTIONS = (
    "restrict_search",
    "pause_shop",
    "delay_payouts",
    "suspend_trading",
    "disable_messaging",
    "suspend_permanently",
)
# decisions that restrict a seller without being in force: recorded with a statement of reasons
OTHER_DECISIONS = ("badge_removed", "takeover_charged")
ACTIONS = ("notify", "educate", *RESTRICTIONS, *OTHER_DECISIONS)

# What an operator's systems must switch off while a restriction is in force (Etsy's standards: out
# of
# search and other site features, shop paused, payouts delayed, buying and selling suspended;
# Etsy's Star Seller rules: sending messages disabled).
CAPABILITIES = ("in_search", "accepts_orders", "payouts", "can_buy", "can_sell", "messaging")
BLOCKS: dict[str, frozenset[str]] = {
    "restrict_search": frozenset({"in_search"}),
    "pause_shop": frozenset({"in_search", "accepts_orders"}),
    "delay_payouts": frozenset({"payouts"}),
    "suspend_trading": frozenset({"in_search", "accepts_orders", "can_buy", "can_sell"}),
    "disable_messaging": frozenset({"messaging"}),
    "suspend_permanently": frozenset(
        {"in_search", "accepts_orders", "payouts", "can_buy", "can_sell", "messaging"}
    ),
}

BadgeReason = Literal[
    "criteria", "unpaid_bill", "account_restricted", "terms_violation", "manipulation"
]
BADGE_REASONS: tuple[BadgeReason, ...] = (
    "criteria",
    "unpaid_bill",
    "account_restricted",
    "terms_violation",
    "manipulation",
)

SERIOUS_TRIGGERS = frozenset(
    {
        "locked_device",
        "imei_blacklist",
        "apple_id_lock",
        "google_account_lock",
        "counterfeit",
        "unsafe_product",
    }
)
TRIGGERS = (
    "missed_deadline",
    "quality_dispute",
    "conformity_dispute",
    "ignored_return_rights",
    "ignored_complaint",
    *sorted(SERIOUS_TRIGGERS),
    "absence_coverage",
)
RESOLUTIONS = ("return_accepted", "refund", "replacement", "complaint_rejected", "answered")

SYSTEM = "system"
