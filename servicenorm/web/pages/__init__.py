"""Web pages (docs/web.md): the seller's performance page and queue, the operator's overview.

Server-rendered (Jinja2) on the same store, clock and metric registry as the API; the app
factory includes `router`. Everything lives under /ui; / sends a visitor there.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from servicenorm.web.pages import (
    auth,
    buyer,
    conversation,
    decisions,
    history,
    history_actions,
    overview,
    queue,
    seller,
    seller_language,
    waive,
    workbench,
)
from servicenorm.web.pages.input import checked_input

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    seller,
    queue,
    conversation,
    overview,
    decisions,
    buyer,
    workbench,
    history,
    history_actions,
    waive,
    seller_language,
):
    # no NUL byte or invalid UTF-8 in any page's path, query or form (pages.input)
    router.include_router(module.router, dependencies=[Depends(checked_input)])

__all__ = ["router"]
