"""The performance API's view of the live store: one seller, or a marketplace's sellers a page at
a time, with the norms' findings. The figures are `tally.seller_metrics` (aggregates, open
items, and the items of days not settled by as-of): the per-seller object of the `evaluate
--format json` contract, which stays the reference (tests/helpdesk/test_live_parity.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Invalid, NotFound
from servicenorm.access.principal import Principal, see_marketplace, work_seller
from servicenorm.clock import from_us
from servicenorm.helpdesk.directory import seller_row
from servicenorm.helpdesk.tally import seller_metrics
from servicenorm.metrics.findings import findings
from servicenorm.metrics.window import Window, current_window
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.tenancy import Marketplace, Seller

__all__ = ["marketplace_performance", "seller_metrics", "seller_performance", "window_for"]


def window_for(policy: Policy, start: date | None, end: date | None, as_of: datetime) -> Window:
    """The window asked for; by default the policy's current window (as `evaluate`)."""
    current = current_window(policy.window.days, policy.zone, as_of)
    to = end or current.end
    frm = start or to - timedelta(days=policy.window.days)
    try:
        return Window(frm, to, as_of, policy.zone)
    except ValueError as e:
        raise Invalid(str(e), "from") from None


def _report(
    policy: Policy, window: Window, metrics: dict[str, dict[str, Any]], seller: str
) -> dict[str, Any]:
    rep = {
        "preset": policy.name,
        "as_of": from_us(window.as_of_us).isoformat(),  # as evaluate writes it
        "window": {"from": window.start.isoformat(), "to": window.end.isoformat()},
        "sellers": {seller: metrics[seller]},
    }
    return {
        "seller": seller,
        "preset": policy.name,
        "window": rep["window"],
        "as_of": rep["as_of"],
        "metrics": metrics[seller],
        "findings": [
            {
                "norm": f.norm,
                "value": f.value,
                "threshold": f.threshold,
                "comparison": f.comparison,
                "detail": f.detail,
                "in_score": f.in_score,
                "reason": f.describe(),
            }
            for f in findings(rep, policy)
        ],
    }


def seller_performance(
    s: Session, p: Principal, seller_id: str, start: date | None, end: date | None, as_of: datetime
) -> dict[str, Any]:
    seller = seller_row(s, seller_id)
    work_seller(p, seller)
    market = s.get(Marketplace, seller.marketplace_id)
    assert market is not None  # foreign key
    policy = policy_for(market.preset)
    window = window_for(policy, start, end, as_of)
    metrics = seller_metrics(s.connection(), policy, [seller.id], window)
    return _report(policy, window, metrics, seller.id)


def marketplace_performance(
    s: Session,
    p: Principal,
    marketplace_id: str,
    start: date | None,
    end: date | None,
    as_of: datetime,
    limit: int,
    offset: int,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many sellers, this page of their performance, by seller id)."""
    see_marketplace(p, marketplace_id)
    market = s.get(Marketplace, marketplace_id)
    if market is None:
        raise NotFound(f"marketplace {marketplace_id!r} not found")
    policy = policy_for(market.preset)
    window = window_for(policy, start, end, as_of)
    total = int(s.scalar(select(func.count()).where(Seller.marketplace_id == marketplace_id)) or 0)
    page = list(
        s.scalars(
            select(Seller.id)
            .where(Seller.marketplace_id == marketplace_id)
            .order_by(Seller.id)
            .limit(limit)
            .offset(offset)
        )
    )
    metrics = seller_metrics(s.connection(), policy, page, window)
    return total, [_report(policy, window, metrics, x) for x in page]
