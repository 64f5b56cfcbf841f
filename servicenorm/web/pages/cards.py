"""The performance page's cards: one per norm, every text in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from servicenorm.policy import Policy
from servicenorm.web.pages.chart import Chart, chart
from servicenorm.web.pages.norms import NormRow
from servicenorm.web.pages.render import Fmt


@dataclass(frozen=True)
class TrendCell:
    week: str  # the ISO week code (links)
    label: str  # its dates, as people read them
    value: str
    detail: str
    url: str | None


@dataclass(frozen=True)
class Card:
    row: NormRow
    title: str
    value: str
    sentence: str
    threshold: str
    counts: list[tuple[str, int]]
    need: str
    note: str
    chart: Chart | None
    trend: list[TrendCell]
    explain_url: str | None
    explain_text: str
    period: str  # the window the figure covers, stated on the card


def allowance_text(policy: Policy, f: Fmt) -> str:
    cal = policy.response_calendar(None)
    hours = policy.response.allowance.total_seconds() / 3600
    n = f"{hours:g}".replace(".", f.t.decimal)
    continuous = (
        not cal.holiday_sets and not cal.closed and all(day == ((0, 86_400),) for day in cal.weekly)
    )
    return f.t("format.hours" if continuous else "format.working_hours", n=n)


def value_text(row: NormRow, v: float | None, f: Fmt) -> str:
    if v is None:
        return "—"
    if row.kind == "rate":
        return f.pct(v)
    if row.kind == "count":
        return str(int(v))
    if row.kind == "ratio":
        return f.number(v, 3)
    return f.number(v, 2)


def _need(row: NormRow, policy: Policy, f: Fmt) -> str:
    key = f"norm.{row.norm}"
    need = row.need
    threshold = value_text(row, row.threshold, f)
    if row.status == "no_data" or need is None:
        return ""
    values = {
        "n": need.good_needed,
        "k": need.misses_allowed,
        "pending": row.pending,
        "threshold": threshold,
        "days": policy.window.days,
        "value": value_text(row, row.value, f),
        "week": f.week(row.detail),
        # late questions that make the alert go out: the one after the misses still allowed
        "fire": need.misses_allowed + 1,
    }
    if row.status == "below":
        return f.t(f"{key}.need_impossible" if need.impossible else f"{key}.need_below", **values)
    if row.status == "at_risk":
        return f.t(f"{key}.need_at_risk", **values)
    return f.t(f"{key}.need_meets", **values)


def card(row: NormRow, policy: Policy, f: Fmt, base: str, period: str = "") -> Card:
    """`period`: the window the figures cover, in words (the weekly count states its week)."""
    t, key = f.t, f"norm.{row.norm}"
    title = t(f"{key}.title", within=allowance_text(policy, f), week=f.week(row.detail))
    if row.norm == "weekly_late":
        period = t("perf.period_week", week=f.week(row.detail))
    threshold = value_text(row, row.threshold, f)
    if row.norm == "weekly_late":
        thr = t("perf.threshold_below", threshold=threshold)
    elif row.higher_is_better:
        thr = t("perf.threshold_at_least", threshold=threshold)
    else:
        thr = t("perf.threshold_at_most", threshold=threshold)
    counts = [
        (t(f"{key}.{k}"), n)
        for k, n in (("good", row.good), ("bad", row.bad), ("pending", row.pending))
        if t(f"{key}.{k}") and (n or k != "pending")
    ]
    if row.norm == "question_rate":
        counts = [(t(f"{key}.good"), row.good), (t(f"{key}.bad"), row.bad)]
    note = ""
    if row.norm == "weekly_late" and row.alert_weeks:
        note = t(f"{key}.alerts", weeks=", ".join(f.week(w) for w in row.alert_weeks))
    if row.norm == "question_rate" and row.extra.get("norm") is not None:
        note = t(f"{key}.norm_line", norm=f.number(float(row.extra["norm"]), 3))
    total = row.good + row.bad + row.pending if row.norm != "question_rate" else row.good
    explain_url = f"{base}/{row.norm}" if row.explain else None
    if row.norm == "weekly_late":
        explain_url = f"{base}/{row.norm}?week={row.detail}"
    trend = [
        TrendCell(
            p.week,
            f.week(p.week),
            value_text(row, p.value, f),
            ""
            if row.norm in ("weekly_late", "reviews")
            else f"{p.good}/{p.good + p.bad}"
            if p.good + p.bad
            else "",
            f"{base}/{row.norm}?week={p.week}" if row.explain else None,
        )
        for p in row.trend
    ]
    return Card(
        row,
        title,
        value_text(row, row.value, f),
        t(f"{key}.value", value=value_text(row, row.value, f)),
        thr,
        counts,
        _need(row, policy, f),
        note,
        chart(row),
        trend,
        explain_url,
        t(f"{key}.items", count=total),
        period,
    )
