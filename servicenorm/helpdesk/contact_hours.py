"""Published contact hours and the response time buyers can expect (docs/helpdesk.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid
from servicenorm.access.principal import Principal, manage_seller, see_seller_public
from servicenorm.clock import Calendar, format_duration, parse_duration, parse_weekly
from servicenorm.clock.calendar import weekly_to_dict
from servicenorm.helpdesk.directory import caller_buyer, seller_row
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace, Seller


@dataclass(frozen=True)
class ContactCard:
    seller_id: str
    zone: str
    hours: dict[str, list[list[str]]]
    hours_published: bool  # False: the marketplace's response hours are shown instead
    expected_response: str
    response_norm: str  # what the marketplace holds the seller to, e.g. "8h working time"
    open_now: bool
    next_open: datetime | None


def _preset(s: Session, seller: Seller) -> str:
    m = s.get(Marketplace, seller.marketplace_id)
    assert m is not None
    return m.preset


def card(s: Session, p: Principal, seller_id: str, now: datetime) -> ContactCard:
    seller = seller_row(s, seller_id)
    see_seller_public(p, seller, caller_buyer(s, p))
    policy = policy_for(_preset(s, seller))
    norm_cal = policy.response_calendar(seller.country)
    published = seller.contact_hours is not None
    if seller.contact_hours is not None:
        cal = Calendar(
            norm_cal.zone_name, parse_weekly(seller.contact_hours), norm_cal.holiday_sets
        )
    else:
        cal = norm_cal
    expected = seller.expected_response or policy.response_target_shown or policy.response.within
    is_open = cal.is_open(now)
    return ContactCard(
        seller_id=seller.id,
        zone=cal.zone_name,
        hours=weekly_to_dict(cal.weekly),
        hours_published=published,
        expected_response=expected,
        response_norm=f"{policy.response.within} on the {policy.response.calendar} calendar",
        open_now=is_open,
        next_open=None if is_open else cal.next_open(now),
    )


def publish(
    s: Session,
    p: Principal,
    seller_id: str,
    hours: dict[str, Any] | None,
    expected_response: str | None,
) -> Seller:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    if hours is not None:
        try:
            weekly = parse_weekly(hours, "hours")
        except ValueError as e:
            raise Invalid(str(e), "hours") from None
        if not any(weekly):
            raise Invalid(
                "publish at least one opening interval, or null to show the marketplace's hours",
                "hours",
            )
        seller.contact_hours = weekly_to_dict(weekly)
    else:
        seller.contact_hours = None
    if expected_response is not None:
        try:
            d = parse_duration(expected_response)
        except ValueError as e:
            raise Invalid(str(e), "expected_response") from None
        seller.expected_response = format_duration(d)
    else:
        seller.expected_response = None
    return seller
