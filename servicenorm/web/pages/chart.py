"""A small trend chart as SVG geometry (drawn by the template; no chart library, no script).

Values are placed on a fixed-size canvas; the norm is a dashed line; each week is a point
that links to the items of that week. The same numbers are in a table next to it for
screen readers and for anyone who wants the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from servicenorm.web.pages.norms import NormRow, TrendPoint

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 8, 20


@dataclass(frozen=True)
class Point:
    x: float
    y: float | None
    week: str
    label: str  # "W45"
    point: TrendPoint
    bad: bool  # on the wrong side of the norm


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    threshold_y: float
    y_ticks: tuple[tuple[float, float], ...]  # (value, y)
    path: str
    width: int = WIDTH
    height: int = HEIGHT


def _range(kind: str, threshold: float, values: Sequence[float]) -> tuple[float, float]:
    """A y range showing the norm and every value, on round numbers."""
    if kind == "rate":
        lo = math.floor((min([threshold, *values]) - 0.05) * 10) / 10
        return max(0.0, lo), 1.0
    if kind == "average":
        return max(1.0, math.floor(min([threshold, *values]) - 0.5)), 5.0
    return 0.0, float(max(math.ceil(max([threshold, *values]) * 1.2), 1))


def chart(row: NormRow) -> Chart | None:
    values = [float(p.value) for p in row.trend if p.value is not None]
    if not values or row.threshold is None:
        return None
    exact_threshold = row.threshold
    threshold = float(exact_threshold)
    lo, hi = _range(row.kind, threshold, values)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(row.trend)

    def y_of(v: float) -> float:
        return round(TOP + inner_h * (1 - (v - lo) / (hi - lo)), 1)

    pts = []
    for i, p in enumerate(row.trend):
        x = round(LEFT + (inner_w * (i + 0.5) / n), 1)
        bad = p.value is not None and not row.spec.holds(p.value, exact_threshold)
        y = None if p.value is None else y_of(float(p.value))
        pts.append(Point(x, y, p.week, p.week.split("-")[-1], p, bad))
    path, pen = [], "M"
    for q in pts:
        if q.y is None:
            pen = "M"
            continue
        path.append(f"{pen}{q.x},{q.y}")
        pen = "L"
    ticks = tuple((v, y_of(v)) for v in sorted({lo, threshold, hi}))
    return Chart(tuple(pts), y_of(threshold), ticks, " ".join(path))
