"""Weekly trend per norm: the registry's own item queries, counted per ISO week.

The trend run's window covers whole ISO weeks; its `weeks` table holds them. Each norm's
weekly value is computed from the same item rows the drill-down shows, grouped the way the
registry's `weekly_late` summary groups first responses, so a point of the chart and the
items behind it cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from servicenorm.metrics import REGISTRY, Run
from servicenorm.metrics.sql import bind
from servicenorm.web.pages.norms import TrendPoint

# norm -> (registry metric, instant column, per-row "good" / "bad" / "pending" conditions)
_RATES: dict[str, tuple[str, str, str, str, str]] = {
    "first_response": (
        "first_response",
        "received",
        "status = 'on_time'",
        "status = 'late'",
        "status = 'pending'",
    ),
    "message_response": (
        "message_response",
        "received",
        "status = 'on_time'",
        "status = 'late'",
        "status = 'pending'",
    ),
    "phone": ("phone", "received", "status = 'answered'", "status = 'missed'", "FALSE"),
    "shipping_on_time": (
        "shipping",
        "placed",
        "status = 'on_time'",
        "status = 'late'",
        "status = 'pending'",
    ),
    "shipping_on_time_with_tracking": (
        "shipping",
        "placed",
        "status = 'on_time' AND has_tracking",
        "status = 'late' OR (status = 'on_time' AND NOT has_tracking)",
        "status = 'pending'",
    ),
}


def _weekly(run: Run, metric: str, at: str, select: str) -> list[dict[str, Any]]:
    items = REGISTRY[metric].items
    assert items is not None
    sql = f"""SELECT i.seller, w.week, {select}
              FROM ({items}) i JOIN weeks w ON i.{at} >= w.ws AND i.{at} < w.we
              GROUP BY i.seller, w.week"""
    return run.engine.query(bind(sql, run.params()))


def _sum(cond: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def trends(run: Run, norms: list[str]) -> dict[str, dict[str, tuple[TrendPoint, ...]]]:
    """seller -> norm -> one point per ISO week of the run's window (oldest first)."""
    weeks = [w[0] for w in run.frame.window.iso_weeks()]
    out: dict[str, dict[str, tuple[TrendPoint, ...]]] = defaultdict(dict)
    for norm in norms:
        cells: dict[str, dict[str, TrendPoint]] = defaultdict(dict)
        if norm in _RATES or norm == "weekly_late":
            metric, at, good, bad, pending = _RATES[
                "first_response" if norm == "weekly_late" else norm
            ]
            rows = _weekly(
                run,
                metric,
                at,
                f"{_sum(good)} AS good, {_sum(bad)} AS bad, {_sum(pending)} AS pending",
            )
            for r in rows:
                g, b, p = int(r["good"] or 0), int(r["bad"] or 0), int(r["pending"] or 0)
                value = float(b) if norm == "weekly_late" else (g / (g + b) if g + b else None)
                cells[r["seller"]][r["week"]] = TrendPoint(r["week"], value, g, b, p)
        elif norm == "reviews":
            for r in _weekly(
                run, "reviews", "received", "COUNT(*) AS n, AVG(CAST(rating AS DOUBLE)) AS average"
            ):
                cells[r["seller"]][r["week"]] = TrendPoint(
                    r["week"], float(r["average"]), int(r["n"])
                )
        else:
            continue
        empty = 0.0 if norm == "weekly_late" else None
        for seller in run.frame.sellers:
            got = cells.get(seller, {})
            out[seller][norm] = tuple(got.get(w, TrendPoint(w, empty)) for w in weeks)
    return dict(out)
