"""`evaluate --out DIR`: the evidence behind every metric (its item table) as Parquet, one
directory per metric partitioned by seller, written by the engine itself (on a cluster, by
the executors: no item row comes back to the driver).

The columns are those of `servicenorm explain`, with typed values: instants as UTC
timestamps, `working_time` in whole seconds. The response metrics' `deadline` (the last
instant at which the working time since the question is within the allowance, docs/clock.md)
is computed in the registry's portable SQL from a table of the response calendars' open
segments the clock kernel builds on the driver (`deadline_segments`): per calendar, the
segment where the working time reaches a target is found by an equi-join on the target's
working hour, as the hour tables are joined for the working time itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from servicenorm.clock.kernel import HOUR
from servicenorm.metrics.definitions import REGISTRY, Metric
from servicenorm.metrics.report import Run
from servicenorm.metrics.sql import bind, cum

INSTANTS = (
    "received",
    "deadline",
    "first_reply",
    "reply",
    "placed",
    "ship_by",
    "shipped",
    "scanned",
)
_HIDDEN = {"resp_cal", "received_h", "replied_h"}
_RESPONSE = ("first_response", "message_response")


class Writer(Protocol):
    def add_tables(self, tables: dict[str, pa.Table]) -> None: ...

    def columns(self, sql: str) -> list[str]: ...

    def write_parquet(
        self, sql: str, path: str, partition_by: str, instants: list[str]
    ) -> None: ...


def written_metrics(run: Run) -> list[str]:
    """The metrics whose evidence `--out` writes: every one with items that applies to the
    policy (weekly_late's items are first_response's, written once)."""
    policy = run.frame.policy
    return [
        slug
        for slug, m in REGISTRY.items()
        if m.items is not None and m.applies(policy) and slug != "weekly_late"
    ]


def deadline_segments(run: Run) -> pa.Table:
    """Per response calendar its open segments as (cal_id, k, cum_s, off): a segment opening
    at instant s with working time cum_s there is listed under every working hour k (a
    multiple of an hour of working time, truncated as SQL's `%` does) its working time spans.
    The deadline of a target working time T is T + the largest off = s - cum_s among the
    segments of T's working hour with cum_s <= T. `cum` on the same origin as `resp_hours`."""
    frame = run.frame
    resp = frame.tables["resp_hours"]
    allow = frame.params()["allow"]
    cols: dict[str, list[Any]] = {"cal_id": [], "k": [], "cum_s": [], "off": []}
    ids = resp.column("cal_id").to_numpy()
    hs, cums = resp.column("h").to_numpy(), resp.column("cum").to_numpy()
    for cid in sorted(set(ids.tolist())):
        mine = ids == cid
        first_h, first_cum = int(hs[mine].min()), int(cums[mine][np.argmin(hs[mine])])
        last = (int(hs[mine].max()) + 1) * HOUR
        cal = frame.calendars[int(cid)]
        lo = first_h * HOUR
        hi = int(cal.deadline_us(np.array([last], dtype=np.int64), allow)[0]) + HOUR
        t = cal.hour_table(lo, hi)
        keep = t["h"] >= first_h
        t = {k: v[keep] for k, v in t.items()}
        shift = first_cum - int(t["cum"][0])  # the span's origin onto resp_hours'
        c = t["cum"] + shift
        for s, cs, n in (
            (t["h0"] + t["a1"], c, t["b1"] - t["a1"]),
            (t["h0"] + t["a2"], c + t["b1"] - t["a1"], t["b2"] - t["a2"]),
        ):
            open_ = n > 0
            s, cs, n = s[open_], cs[open_], n[open_]
            for end in (cs, cs + n):  # a segment is at most an hour: two working hours at most
                k = end - np.fmod(end, HOUR)
                cols["cal_id"].append(np.full(len(k), cid, dtype=np.int64))
                cols["k"].append(k)
                cols["cum_s"].append(cs)
                cols["off"].append(s - cs)
    if not cols["k"]:
        return pa.table({k: pa.array([], pa.int64()) for k in cols})
    table = pa.table({k: np.concatenate(v) for k, v in cols.items()})
    return table.group_by(["cal_id", "k", "cum_s", "off"]).aggregate([])  # listed once


def evidence_sql(
    metric: Metric, params: dict[str, int], columns: Callable[[str], list[str]]
) -> tuple[str, list[str]]:
    """The SQL of one metric's evidence with explain's columns (and `seller`), and which of
    its columns are instants (epoch microseconds, typed by the engine when it writes).
    `columns` gives a query's column names (the engine plans it, runs nothing)."""
    assert metric.items is not None
    items = bind(metric.items, params)
    if metric.slug in _RESPONSE:
        reply = "first_reply" if metric.slug == "first_response" else "reply"
        target = f"{cum('hq', 't.received')} + {params['allow']}"
        wt = "CASE WHEN t.replied IS NOT NULL THEN t.wt_reply ELSE t.wt_as_of END"
        sql = f"""
            WITH t AS (
                SELECT t.*, {target} AS target FROM ({items}) t
                JOIN resp_hours hq ON hq.cal_id = t.resp_cal AND hq.h = t.received_h
            )
            SELECT t.seller, t.item, t.event_id, t.received, t.target + MAX(w.off) AS deadline,
                   t.replied AS {reply},
                   CAST(({wt} - ({wt}) % 1000000) / 1000000 AS BIGINT) AS working_time, t.status
            FROM t LEFT JOIN deadline_segments w ON w.cal_id = t.resp_cal
                 AND w.k = t.target - t.target % {HOUR} AND w.cum_s <= t.target
            GROUP BY t.seller, t.item, t.event_id, t.received, t.target, t.replied,
                     t.wt_reply, t.wt_as_of, t.status"""
        return sql, ["received", "deadline", reply]
    keep = [c for c in columns(items) if c not in _HIDDEN]
    sql = f"SELECT {', '.join(keep)} FROM ({items}) t"
    return sql, [c for c in keep if c in INSTANTS]


def write_evidence(run: Run, out: str) -> list[str]:
    """Every metric's evidence under `out` (`out/<metric>/seller=<s>/*.parquet`); returns the
    metrics written."""
    engine: Writer = run.engine  # type: ignore[assignment]  # both engines write
    engine.add_tables({"deadline_segments": deadline_segments(run)})
    params = run.params()
    written = []
    for slug in written_metrics(run):
        sql, instants = evidence_sql(REGISTRY[slug], params, engine.columns)
        engine.write_parquet(sql, f"{out.rstrip('/')}/{slug}", "seller", instants)
        written.append(slug)
    return written
