"""Weekly trend per norm: the registry's own item queries, counted per ISO week.

The trend run's window covers whole ISO weeks; its `weeks` table holds them. Each norm's
weekly value is computed from the same item rows the drill-down shows, grouped the way the
registry's `weekly_late` summary groups first responses, so a point of the chart and the
items behind it cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any

from servicenorm.metrics import REGISTRY, Run
from servicenorm.metrics.sql import bind
from servicenorm.norms import Norm
from servicenorm.norms.evidence import sql
from servicenorm.web.pages.norms import TrendPoint


def _weekly(run: Run, metric: str, at: str, select: str) -> list[dict[str, Any]]:
    items = REGISTRY[metric].items
    assert items is not None
    sql = f"""SELECT i.seller, w.week, {select}
              FROM ({items}) i JOIN weeks w ON i.{at} >= w.ws AND i.{at} < w.we
              GROUP BY i.seller, w.week"""
    return run.engine.query(bind(sql, run.params()))


def _sum(cond: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def trends(run: Run, norms: list[Norm]) -> dict[str, dict[str, tuple[TrendPoint, ...]]]:
    """seller -> norm -> one point per ISO week of the run's window (oldest first). A point's
    good, bad and pending items are the norm's evidence selector, counted per week."""
    weeks = [w[0] for w in run.frame.window.iso_weeks()]
    out: dict[str, dict[str, tuple[TrendPoint, ...]]] = defaultdict(dict)
    for norm in norms:
        ev = norm.evidence
        if ev.at is None:
            continue
        cells: dict[str, dict[str, TrendPoint]] = defaultdict(dict)
        if norm.kind == "average":
            for r in _weekly(
                run, ev.metric, ev.at, "COUNT(*) AS n, SUM(CAST(rating AS BIGINT)) AS total"
            ):
                n = int(r["n"])
                # the weekly average as the report writes averages: two decimals
                avg = Fraction(round(Fraction(int(r["total"]), n) * 100), 100)
                cells[r["seller"]][r["week"]] = TrendPoint(r["week"], avg, n)
        else:
            counts = f"{_sum(sql(ev.good))} AS good, {_sum(sql(ev.bad))} AS bad, "
            rows = _weekly(run, ev.metric, ev.at, counts + f"{_sum(sql(ev.pending))} AS pending")
            for r in rows:
                g, b, p = int(r["good"] or 0), int(r["bad"] or 0), int(r["pending"] or 0)
                value = (
                    Fraction(b) if norm.kind == "count" else (Fraction(g, g + b) if g + b else None)
                )
                cells[r["seller"]][r["week"]] = TrendPoint(r["week"], value, g, b, p)
        empty = Fraction(0) if norm.kind == "count" else None
        for seller in run.frame.sellers:
            got = cells.get(seller, {})
            out[seller][norm.slug] = tuple(got.get(w, TrendPoint(w, empty)) for w in weeks)
    return dict(out)
