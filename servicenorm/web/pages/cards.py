"""The performance page's cards: one per norm, every text in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from servicenorm.norms import display as norms_display
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
    of: str  # the counts behind the value: "(350/389)"
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


def figures(row: NormRow, f: Fmt) -> tuple[str, str]:
    """(value, threshold) as the registry writes them, in the reader's language: digits enough
    that a value shown below the norm is visibly below it."""
    return norms_display.texts(row.reading, f.t.decimal, f.t("format.percent"))


def point_text(row: NormRow, v: Fraction | None, f: Fmt) -> str:
    """A trend point, with the digits that keep it apart from the norm's threshold."""
    return norms_display.plain(row.spec, v, row.threshold, f.t.decimal, f.t("format.percent"))


def counts_text(row: NormRow) -> str:
    """The counts behind a rate or ratio: "(350/389)"."""
    of = row.reading.of
    return f"({of[0]}/{of[1]})" if of is not None and of[1] and row.kind != "average" else ""


def title_text(row: NormRow, policy: Policy, f: Fmt, week: str | None = None) -> str:
    """The norm's display name (the registry's) in the reader's language."""
    return row.spec.name(
        f.t.code, within=allowance_text(policy, f), week=f.week(week or row.detail)
    )


def _need(row: NormRow, policy: Policy, f: Fmt) -> str:
    key = f"norm.{row.norm}"
    need = row.need
    value, threshold = figures(row, f)
    if row.status == "no_data" or need is None:
        return ""
    values = {
        "n": need.good_needed,
        "k": need.misses_allowed,
        "pending": row.pending,
        "threshold": threshold,
        "days": policy.window.days,
        "value": value,
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
    t, key, weekly = f.t, f"norm.{row.norm}", row.spec.weekly
    if weekly:
        period = t("perf.period_week", week=f.week(row.detail))
    value, threshold = figures(row, f)
    if row.spec.comparison == "below":
        thr = t("perf.threshold_below", threshold=threshold)
    elif row.spec.comparison == "at_least":
        thr = t("perf.threshold_at_least", threshold=threshold)
    else:
        thr = t("perf.threshold_at_most", threshold=threshold)
    counts = [
        (t(f"{key}.{k}"), n)
        for k, n in (("good", row.good), ("bad", row.bad), ("pending", row.pending))
        if t(f"{key}.{k}") and (n or k != "pending")
    ]
    ratio = row.kind == "ratio"
    if ratio:
        counts = [(t(f"{key}.good"), row.good), (t(f"{key}.bad"), row.bad)]
    note = ""
    if weekly and row.alert_weeks:
        note = t(f"{key}.alerts", weeks=", ".join(f.week(w) for w in row.alert_weeks))
    if ratio and row.threshold is not None:
        note = t(f"{key}.norm_line", norm=threshold)
    total = row.good if ratio else row.good + row.bad + row.pending
    explain_url = f"{base}/{row.norm}?week={row.detail}" if weekly else f"{base}/{row.norm}"
    trend = [
        TrendCell(
            p.week,
            f.week(p.week),
            point_text(row, p.value, f),
            f"{p.good}/{p.good + p.bad}" if row.kind == "rate" and p.good + p.bad else "",
            f"{base}/{row.norm}?week={p.week}",
        )
        for p in row.trend
    ]
    return Card(
        row,
        title_text(row, policy, f),
        value,
        counts_text(row),
        t(f"{key}.value", value=value),
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
