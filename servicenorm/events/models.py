"""The public event contract (docs/contract/events.md) as typed models.

These classes are the one definition of what a valid event is: the bulk reader, the API's
ingest endpoint and the demo generator's tests all validate through them. Unknown extra
fields are ignored so the contract can grow by optional fields without breaking readers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
)

from servicenorm.boundary import Day, Instant, refuse_unsafe_text
from servicenorm.clock.calendar import parse_weekly

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Money = Annotated[Decimal, Field(description="a decimal string such as 237.09")]


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: NonEmpty
    at: Instant

    # every text an event carries is storable on every store (boundary.unsafe_text)
    @field_validator("*")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        return refuse_unsafe_text(v)


class SellerRegistered(_Event):
    type: Literal["seller_registered"]
    seller: NonEmpty
    marketplace: NonEmpty
    country: Country
    linked_sellers: list[NonEmpty] = []


class QuestionOpened(_Event):
    type: Literal["question_opened"]
    conversation: NonEmpty
    seller: NonEmpty
    buyer: NonEmpty
    order: NonEmpty | None = None
    origin: Literal["buyer", "platform_forward"]
    body: str


class MessageSent(_Event):
    type: Literal["message_sent"]
    conversation: NonEmpty
    author: Literal["buyer", "seller", "staff", "agent", "system"]
    body: str
    automated: bool | None = None  # optional; null or absent: false

    @property
    def is_automated(self) -> bool:
        return (
            bool(self.automated) or self.author == "system"
        )  # system messages are always automated


class ReplyWaived(_Event):
    """Added in contract 1.1 (docs/events-extensions.md): the seller or its staff marks a
    conversation as needing no reply, where the marketplace's policy allows it
    (`[response] reply_waiver`)."""

    type: Literal["reply_waived"]
    conversation: NonEmpty
    author: Literal["seller", "staff"]
    reason: str | None = None  # optional: why no reply is needed


class CallAttempt(_Event):
    type: Literal["call_attempt"]
    seller: NonEmpty
    answered: bool


class PhoneHoursSet(_Event):
    type: Literal["phone_hours_set"]
    seller: NonEmpty
    hours: dict[str, list[list[str]]]

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, v: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        parse_weekly(v, "hours")
        return v


class ShopClosed(_Event):
    type: Literal["shop_closed"]
    seller: NonEmpty


class ShopReopened(_Event):
    type: Literal["shop_reopened"]
    seller: NonEmpty


class OrderPlaced(_Event):
    type: Literal["order_placed"]
    order: NonEmpty
    seller: NonEmpty
    buyer: NonEmpty
    ship_by: Instant
    category: NonEmpty
    amount: Money
    currency: NonEmpty


class OrderShipped(_Event):
    type: Literal["order_shipped"]
    order: NonEmpty
    tracking: str | None = None  # empty or missing: no tracking


class CarrierScan(_Event):
    type: Literal["carrier_scan"]
    order: NonEmpty


class OrderDelivered(_Event):
    type: Literal["order_delivered"]
    order: NonEmpty


class OrderCancelled(_Event):
    type: Literal["order_cancelled"]
    order: NonEmpty


class ReviewPosted(_Event):
    type: Literal["review_posted"]
    order: NonEmpty
    rating: Annotated[int, Field(ge=1, le=5, strict=True)]
    text: str | None = None


class CaseOpened(_Event):
    type: Literal["case_opened"]
    case: NonEmpty
    order: NonEmpty
    kind: Literal["not_received", "not_as_described", "return", "other"]


class CaseClosed(_Event):
    type: Literal["case_closed"]
    case: NonEmpty
    resolution: Literal["seller", "platform"]


class BillIssued(_Event):
    type: Literal["bill_issued"]
    bill: NonEmpty
    seller: NonEmpty
    amount: Money
    currency: NonEmpty
    due: Instant | Day


class BillPaid(_Event):
    type: Literal["bill_paid"]
    bill: NonEmpty
    seller: NonEmpty
    amount: Money
    currency: NonEmpty


class AbsenceAnnounced(_Event):
    type: Literal["absence_announced"]
    seller: NonEmpty
    start: Day
    end: Day

    @field_validator("end")
    @classmethod
    def _ordered(cls, v: date, info: object) -> date:
        start = getattr(info, "data", {}).get("start")
        if start is not None and v < start:
            raise ValueError("end is before start")
        return v


Event = Annotated[
    SellerRegistered
    | QuestionOpened
    | MessageSent
    | ReplyWaived
    | CallAttempt
    | PhoneHoursSet
    | ShopClosed
    | ShopReopened
    | OrderPlaced
    | OrderShipped
    | CarrierScan
    | OrderDelivered
    | OrderCancelled
    | ReviewPosted
    | CaseOpened
    | CaseClosed
    | BillIssued
    | BillPaid
    | AbsenceAnnounced,
    Field(discriminator="type"),
]

EVENT_TYPES: dict[str, type[_Event]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in _Event.__subclasses__()
}
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

__all__ = ["EVENT_ADAPTER", "EVENT_TYPES", "Event", "datetime"]
