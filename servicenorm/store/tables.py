"""Every helpdesk table, imported once so `Base.metadata` is complete (Alembic, tests)."""

from servicenorm.store.accounts import ROLES, Account, ApiToken, WebSession
from servicenorm.store.aggregates import (
    CallDay,
    MarketOrderDay,
    OrderDay,
    QuestionDay,
    ReviewDay,
    TurnDay,
)
from servicenorm.store.content import Faq, Listing, ProactiveStage, SavedReply
from servicenorm.store.conversations import AUTHORS, ORIGINS, Conversation, Message, Violation
from servicenorm.store.events import EventRow
from servicenorm.store.items import CallItem, QuestionItem, ReviewItem, TurnItem
from servicenorm.store.orders import Order
from servicenorm.store.standings import SellerStanding, StandingHour, StandingMark
from servicenorm.store.tenancy import Buyer, Marketplace, Seller

__all__ = [
    "AUTHORS",
    "ORIGINS",
    "ROLES",
    "Account",
    "ApiToken",
    "Buyer",
    "CallDay",
    "CallItem",
    "Conversation",
    "EventRow",
    "Faq",
    "Listing",
    "MarketOrderDay",
    "Marketplace",
    "Message",
    "Order",
    "OrderDay",
    "ProactiveStage",
    "QuestionDay",
    "QuestionItem",
    "ReviewDay",
    "ReviewItem",
    "SavedReply",
    "Seller",
    "SellerStanding",
    "StandingHour",
    "StandingMark",
    "TurnDay",
    "TurnItem",
    "Violation",
    "WebSession",
]
