"""Saved replies, proactive stage settings, listings and FAQs, contact hours, orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from servicenorm.boundary import Instant
from servicenorm.web.schemas.common import Id, Language, Name, Public, Request, Text

Template = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Stage = Literal["payment", "shipped", "delivered", "problem"]


class SavedReplyCreate(Request):
    title: Name
    body: Template


class SavedReplyUpdate(Request):
    title: Name | None = None
    body: Template | None = None


class SavedReplyPublic(Public):
    id: str
    seller_id: str
    title: str
    body: str
    updated_at: datetime


class StageUpdate(Request):
    enabled: bool | None = None
    templates: dict[Language, Template] | None = None


class ProactiveUpdate(Request):
    enabled: bool | None = None
    stages: dict[Stage, StageUpdate] = Field(default_factory=dict)


class StagePublic(Public):
    stage: str
    enabled: bool
    templates: dict[str, str]


class ProactivePublic(Public):
    enabled: bool
    stages: list[StagePublic]


class Facts(Request):
    shipping_cost: str | None = Field(default=None, max_length=500)
    delivery_time: str | None = Field(default=None, max_length=500)
    returns: str | None = Field(default=None, max_length=500)
    size: str | None = Field(default=None, max_length=500)


class ListingCreate(Request):
    id: Id
    title: Name
    facts: Facts = Facts()


class ListingUpdate(Request):
    title: Name | None = None
    facts: Facts | None = None


class FaqCreate(Request):
    question: Text
    answer: Text


class FaqPublic(Public):
    id: str
    question: str
    answer: str


class ListingPublic(Public):
    id: str
    seller_id: str
    title: str
    facts: dict[str, str]
    faqs: list[FaqPublic] = Field(default_factory=list)


class SuggestRequest(Request):
    text: str = Field(max_length=5000, description="what the buyer has typed so far")
    limit: int = Field(default=5, ge=1, le=20)


class SuggestionPublic(Public):
    kind: Literal["faq", "fact"]
    key: str
    question: str | None
    answer: str
    score: float


class ContactUpdate(Request):
    hours: dict[str, list[list[str]]] | None = Field(
        default=None,
        description='weekday -> [["HH:MM","HH:MM"], ...] in the marketplace zone; null = the marketplace hours',
    )
    expected_response: str | None = Field(
        default=None, max_length=20, description="e.g. 4h; null = the marketplace target"
    )


class ContactPublic(Public):
    seller_id: str
    zone: str
    hours: dict[str, list[list[str]]]
    hours_published: bool
    expected_response: str
    response_norm: str
    open_now: bool
    next_open: datetime | None


class OrderPublic(Public):
    id: str
    seller_id: str
    buyer_id: str
    placed_at: datetime
    ship_by: datetime
    shipped_at: datetime | None
    tracking: str | None
    delivered_at: datetime | None
    cancelled_at: datetime | None


class DelayCreate(Request):
    ship_by: Instant = Field(description="the new ship-by instant, with offset")
