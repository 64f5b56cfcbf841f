"""The REST API: one router per resource family, all under the same OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from servicenorm.web.api import (
    accounts,
    buyers,
    conversations,
    decisions,
    enforcement,
    events,
    health,
    listings,
    marketplaces,
    orders,
    performance,
    saved_replies,
    sellers,
)

router = APIRouter()
for module in (
    health,
    events,
    marketplaces,
    sellers,
    buyers,
    accounts,
    conversations,
    saved_replies,
    listings,
    orders,
    enforcement,
    decisions,
    performance,
):
    router.include_router(module.router)
