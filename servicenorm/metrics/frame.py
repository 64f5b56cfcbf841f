"""The tables a metric run reads, prepared once and handed to any engine.

Everything here is integer-keyed: instants are epoch microseconds with an hour key `*_h`,
and each seller is mapped to the ids of its clock calendars, whose hour tables come from
the clock kernel. The SQL of the metric definitions then needs no time-zone functions and
gives the same numbers on DuckDB and on Spark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from servicenorm.clock import Calendar, parse_duration
from servicenorm.clock.calendar import parse_weekly
from servicenorm.clock.kernel import DAY, HOUR
from servicenorm.events import EventError, EventLog
from servicenorm.metrics.window import Window
from servicenorm.policy import Policy
from servicenorm.policy.schema import waiver_refusal

_TIME_COLUMNS = {
    "question_opened": ["at"],
    "message_sent": ["at"],
    "reply_waived": ["at"],
    "call_attempt": ["at"],
}
# the tables the response metrics join on a conversation (`conv_key`)
CONVERSATION_TABLES = ("question_opened", "message_sent", "reply_waived")
_NEVER = -(2**62)  # the default phone hours apply "since forever"


@dataclass
class Frame:
    policy: Policy
    window: Window
    tables: dict[str, pa.Table]
    calendars: dict[int, Calendar] = field(default_factory=dict)
    sellers: list[str] = field(default_factory=list)
    # `reply_waived` lines about this marketplace's questions that its policy does not allow:
    # left out of the run and reported, as an invalid line is
    refused: list[EventError] = field(default_factory=list)

    def params(self) -> dict[str, int]:
        w = self.window
        return {
            "start": w.start_us,
            "end": w.end_us,
            "as_of": w.as_of_us,
            "as_of_h": w.as_of_us // HOUR,
            "allow": int(self.policy.response.allowance.total_seconds()) * 1_000_000,
            "scan_tolerance": int(
                parse_duration(self.policy.shipping.marked_before_scan_tolerance).total_seconds()
            )
            * 1_000_000,
            "week": 7 * DAY,
        }


_HOUR_COLUMNS = ("cal_id", "h", "h0", "cum", "a1", "b1", "a2", "b2", "utc_offset")


def _hour_tables(cals: dict[Calendar, int], lo: int, hi: int) -> pa.Table:
    """The hour tables of `cals`, the rows of the hours from `lo` to `hi` only."""
    parts = []
    for cal, cid in cals.items():
        cols = cal.hour_table(lo, hi)
        keep = (cols["h"] >= lo // HOUR) & (cols["h"] <= hi // HOUR)
        cols = {k: v[keep] for k, v in cols.items()}
        parts.append(pa.table({"cal_id": np.full(len(cols["h"]), cid, dtype=np.int64), **cols}))
    if not parts:
        return pa.table({k: pa.array([], pa.int64()) for k in _HOUR_COLUMNS})
    return pa.concat_tables(parts)


class _CalendarIds:
    def __init__(self) -> None:
        self.by_cal: dict[Calendar, int] = {}

    def id(self, cal: Calendar) -> int:
        return self.by_cal.setdefault(cal, len(self.by_cal) + 1)


def _seen(log: EventLog, as_of_us: int) -> dict[str, pa.Table]:
    """Only events with at <= as-of are seen; instants used by the clock get an hour key."""
    out = {}
    for name, t in log.tables.items():
        if t.num_rows and pc.max(t.column("at")).as_py() > as_of_us:  # a copy only when needed
            t = t.filter(pc.less_equal(t.column("at"), as_of_us))
        for col in _TIME_COLUMNS.get(name, []):
            t = t.append_column(f"{col}_h", pc.divide(t.column(col), pa.scalar(HOUR, pa.int64())))
        out[name] = t
    return out


def build_frame(log: EventLog, policy: Policy, window: Window) -> Frame:
    as_of = window.as_of_us
    tables = _seen(log, as_of)
    lo = min(
        [window.start_us]
        + [int(pc.min(tables[t].column("at")).as_py()) for t in _TIME_COLUMNS if tables[t].num_rows]
    )
    small = clock_tables(tables["seller_registered"], tables["phone_hours_set"], policy, window, lo)
    tables.update(small.tables)

    # Shop closures as one status table.
    parts = []
    for name, closed in (("shop_closed", True), ("shop_reopened", False)):
        t = tables[name].select(["seller", "at", "line"])
        parts.append(t.append_column("closed", pa.array(np.full(t.num_rows, closed), pa.bool_())))
    tables["shop_status"] = pa.concat_tables(parts)

    # Conversations as integers: the response metrics join and partition on them.
    known = pc.unique(tables["question_opened"].column("conversation"))
    for name in CONVERSATION_TABLES:
        t = tables[name]
        tables[name] = t.append_column(
            "conv_key", pc.cast(pc.index_in(t.column("conversation"), known), pa.int64())
        )
    refused: list[EventError] = []
    if not policy.response.reply_waiver:
        refused = refused_waivers(
            tables["reply_waived"], tables["question_opened"], small.sellers, policy.name
        )
        tables["reply_waived"] = tables["reply_waived"].slice(0, 0)
    return Frame(policy, window, renamed(tables), small.calendars, small.sellers, refused)


def refused_waivers(
    waivers: pa.Table, questions: pa.Table, sellers: list[str], policy_name: str
) -> list[EventError]:
    """The waivers about questions of `sellers` (a marketplace whose policy refuses them)."""
    if not waivers.num_rows:
        return []
    mine = questions.filter(pc.is_in(questions.column("seller"), pa.array(sellers, pa.string())))
    hit = waivers.filter(pc.is_in(waivers.column("conversation"), mine.column("conversation")))
    reason = waiver_refusal(policy_name)
    return [
        EventError("type", reason, int(line)) for line in sorted(hit.column("line").to_pylist())
    ]


def renamed(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """`at` is a keyword in some SQL dialects: the engines see instants as `ts` / `ts_h`."""
    names = {"at": "ts", "at_h": "ts_h"}
    return {
        n: t.rename_columns([names.get(c, c) for c in t.column_names]) for n, t in tables.items()
    }


@dataclass
class ClockTables:
    """What the driver builds for any engine: sellers, phone-hour regimes, the clock's hour
    tables and the weeks (all small: per seller, per calendar and hour)."""

    tables: dict[str, pa.Table]
    calendars: dict[int, Calendar]
    sellers: list[str]


def clock_tables(
    registered: pa.Table, phone_sets: pa.Table, policy: Policy, window: Window, lo: int
) -> ClockTables:
    """From the (as-of) registrations and phone-hour events; `lo` is the earliest instant the
    metrics look at (questions, messages, calls and the window start)."""
    as_of = window.as_of_us
    tables: dict[str, pa.Table] = {}
    ids = _CalendarIds()

    # The preset's sellers: the latest registration with this marketplace wins.
    reg = registered.to_pylist()
    latest: dict[str, dict[str, object]] = {}
    first_seen: dict[str, int] = {}
    for r in sorted(reg, key=lambda r: (r["at"], r["line"])):
        latest[str(r["seller"])] = r
        first_seen.setdefault(str(r["seller"]), int(r["at"]))
    sellers = sorted(s for s, r in latest.items() if r["marketplace"] == policy.name)
    country = {s: str(latest[s]["country"]) for s in sellers}

    resp = {s: ids.id(policy.response_calendar(country[s])) for s in sellers}
    seller_rows: dict[str, list[object]] = {
        "seller": [],
        "country": [],
        "resp_cal": [],
        "registered": [],
    }
    for s in sellers:
        seller_rows["seller"].append(s)
        seller_rows["country"].append(country[s])
        seller_rows["resp_cal"].append(resp[s])
        seller_rows["registered"].append(first_seen[s])
    tables["sellers"] = pa.table(
        seller_rows,
        schema=pa.schema(
            [
                ("seller", pa.string()),
                ("country", pa.string()),
                ("resp_cal", pa.int64()),
                ("registered", pa.int64()),
            ]
        ),
    )

    # Phone hours: each distinct set of hours is a calendar of its own (with the preset's
    # phone holidays); a seller's regime at a call is the latest set at or before it.
    regimes: dict[str, list[object]] = {"seller": [], "at": [], "line": [], "cal_id": []}
    if policy.phone is not None:
        for s in sellers:
            base = policy.phone_calendar(country[s])
            regimes["seller"].append(s)
            regimes["at"].append(_NEVER)
            regimes["line"].append(0)
            regimes["cal_id"].append(ids.id(base))
        wanted = set(sellers)
        for r in phone_sets.to_pylist():
            if r["seller"] not in wanted:
                continue
            base = policy.phone_calendar(country[str(r["seller"])])
            # named by content, not by event: sellers with the same hours share one calendar
            cal = Calendar(
                base.zone_name,
                parse_weekly(json.loads(str(r["hours"]))),
                base.holiday_sets,
                base.closed,
                base.reopened,
                f"{base.name} (seller's own hours)",
            )
            regimes["seller"].append(r["seller"])
            regimes["at"].append(r["at"])
            regimes["line"].append(r["line"])
            regimes["cal_id"].append(ids.id(cal))
    tables["phone_regimes"] = pa.table(
        regimes,
        schema=pa.schema(
            [
                ("seller", pa.string()),
                ("at", pa.int64()),
                ("line", pa.int64()),
                ("cal_id", pa.int64()),
            ]
        ),
    )

    # Hour tables of every calendar used, over a span covering all instants we look at: the
    # response calendars (a few) apart from the phone-hours calendars (one per distinct set of
    # hours), so the response joins stay small.
    hi = max(as_of, window.end_us)
    response_ids, phone_ids = set(resp.values()), set(regimes["cal_id"])
    tables["resp_hours"] = _hour_tables(
        {c: i for c, i in ids.by_cal.items() if i in response_ids}, lo, hi
    )
    # calls are counted in the window only: their hour tables need no more than that
    tables["phone_hours"] = _hour_tables(
        {c: i for c, i in ids.by_cal.items() if i in phone_ids}, window.start_us, window.end_us
    )

    weeks = window.iso_weeks()
    tables["weeks"] = pa.table(
        {"week": [w[0] for w in weeks], "ws": [w[1] for w in weeks], "we": [w[2] for w in weeks]},
        schema=pa.schema([("week", pa.string()), ("ws", pa.int64()), ("we", pa.int64())]),
    )
    return ClockTables(tables, {cid: cal for cal, cid in ids.by_cal.items()}, sellers)
