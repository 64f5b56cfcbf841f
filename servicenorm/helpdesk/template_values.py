"""The values that fill template variables, read from a conversation's seller, buyer, order.

They take anything with the attributes they read: the store's rows, or the plain records the
projector (`helpdesk.projection`) keeps in memory."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from servicenorm.helpdesk.templates import format_date

# a market's first language when the buyer has not chosen one (stage messages, dates)
COUNTRY_LANGUAGE = {
    "NL": "nl",
    "BE": "nl",
    "FR": "fr",
    "LU": "fr",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "PL": "pl",
}
LANGUAGES = ("nl", "fr", "de", "pl", "en")


class SellerFacts(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def country(self) -> str: ...


class BuyerFacts(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str | None: ...


class OrderFacts(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def ship_by(self) -> datetime: ...
    @property
    def shipped_at(self) -> datetime | None: ...
    @property
    def tracking(self) -> str | None: ...


def buyer_language(
    buyer: BuyerFacts, seller: SellerFacts, market_languages: dict[str, list[str]]
) -> str:
    if buyer.language in LANGUAGES:
        return str(buyer.language)
    for lang in market_languages.get(seller.country, []):
        if lang in LANGUAGES:
            return lang
    return COUNTRY_LANGUAGE.get(seller.country, "en")


def template_values(
    seller: SellerFacts, buyer: BuyerFacts, order: OrderFacts | None, language: str, zone: str
) -> dict[str, str | None]:
    values: dict[str, str | None] = {"buyer_name": buyer.name, "seller_name": seller.name}
    if order is not None:
        tz = ZoneInfo(zone)
        values["order_number"] = order.id
        ship = order.shipped_at or order.ship_by
        values["ship_date"] = format_date(ship.astimezone(tz), language)
        values["tracking_link"] = order.tracking or None
    return values
