"""Performance on the live store (issue 10): a seller's metrics for a window and an as-of,
read from the evidence items kept as events arrive, with the norms' findings. `metrics` is the
per-seller object of the `evaluate --format json` contract (same keys, numbers, rounding)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servicenorm.boundary import Day, Instant
from servicenorm.helpdesk.performance import marketplace_performance, seller_performance
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id, Limit, Offset

router = APIRouter(tags=["performance"])

FromQuery = Annotated[
    Day | None,
    Query(alias="from", description="first local date of the window (default: the policy's)"),
]
ToQuery = Annotated[
    Day | None, Query(alias="to", description="local date after the window (exclusive)")
]
AsOfQuery = Annotated[
    Instant | None, Query(description="see only what happened up to this instant (default: now)")
]


class FindingOut(BaseModel):
    norm: str
    value: float
    threshold: float
    comparison: str
    detail: str
    in_score: bool
    reason: str


class PerformancePublic(BaseModel):
    seller: str
    preset: str
    window: dict[str, str]
    as_of: str
    metrics: dict[str, Any]
    findings: list[FindingOut]


class PerformancePage(BaseModel):
    total: int
    limit: int
    offset: int
    sellers: list[PerformancePublic]


@router.get("/sellers/{seller_id}/performance", response_model=PerformancePublic)
def get_seller_performance(
    seller_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    start: FromQuery = None,
    end: ToQuery = None,
    as_of: AsOfQuery = None,
) -> PerformancePublic:
    """The seller and its staff see their own; operators and agents their marketplaces'."""
    out = seller_performance(s, p, seller_id, start, end, as_of or now)
    return PerformancePublic.model_validate(out)


@router.get("/marketplaces/{marketplace_id}/performance", response_model=PerformancePage)
def get_marketplace_performance(
    marketplace_id: Id,
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    start: FromQuery = None,
    end: ToQuery = None,
    as_of: AsOfQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PerformancePage:
    """Every seller of the marketplace, by seller id, a page at a time (operators, agents)."""
    total, page = marketplace_performance(
        s, p, marketplace_id, start, end, as_of or now, limit, offset
    )
    return PerformancePage(
        total=total,
        limit=limit,
        offset=offset,
        sellers=[PerformancePublic.model_validate(x) for x in page],
    )
