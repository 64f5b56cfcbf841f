"""A metric run: the frame, the engine, the registry, and the contract's JSON report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicenorm.clock.instants import from_us
from servicenorm.clock.kernel import DAY
from servicenorm.engines import Engine
from servicenorm.events import EventLog
from servicenorm.metrics.definitions import REGISTRY, Metric
from servicenorm.metrics.frame import Frame, build_frame
from servicenorm.metrics.sql import bind
from servicenorm.metrics.window import Window
from servicenorm.policy import Policy

CONTRACT_ORDER = (
    "first_response",
    "message_response",
    "weekly_late",
    "phone",
    "question_rate",
    "shipping",
    "reviews",
)


def _rate(num: int, den: int, digits: int = 4) -> float | None:
    return round(num / den, digits) if den else None


@dataclass
class Run:
    """A prepared metric run on one engine: ask it for summaries or for the evidence."""

    frame: Frame
    engine: Engine

    def params(self) -> dict[str, int]:
        return self.frame.params()

    def summary(self, metric: Metric) -> list[dict[str, Any]]:
        return self.engine.query(bind(metric.summary, self.params()))

    def summaries(self, metrics: dict[str, Metric]) -> dict[str, list[dict[str, Any]]]:
        """Every metric's summary; an engine that can (`query_many`: a cluster) runs them
        together, so one query's planning overlaps another's execution."""
        params = self.params()
        sqls = {slug: bind(m.summary, params) for slug, m in metrics.items()}
        many = getattr(self.engine, "query_many", None)
        if many is not None:
            rows: dict[str, list[dict[str, Any]]] = many(sqls)
            return rows
        return {slug: self.engine.query(sql) for slug, sql in sqls.items()}

    def items(self, metric: Metric, seller: str | None = None) -> list[dict[str, Any]]:
        if metric.items is None:
            raise ValueError(f"metric {metric.slug} has no item list")
        sql = bind(metric.items, self.params())
        by_seller = getattr(self.engine, "query_seller", None)
        if seller is not None and by_seller is not None:  # a cluster sends one seller's rows
            rows: list[dict[str, Any]] = by_seller(sql, seller)
            return rows
        rows = self.engine.query(sql)
        return [r for r in rows if seller is None or r["seller"] == seller]


def prepare(log: EventLog, policy: Policy, window: Window, engine: Engine) -> Run:
    frame = build_frame(log, policy, window)
    engine.load(frame.tables)
    return start(frame, engine)


def start(frame: Frame, engine: Engine) -> Run:
    """A run over a frame whose tables the engine has: the shared item tables computed."""
    run = Run(frame, engine)
    params = run.params()
    for m in REGISTRY.values():
        if m.shared and m.items is not None:
            engine.materialize(m.table, bind(m.items, params))
    return run


def _by_seller(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["seller"]): r for r in rows}


def report(run: Run, extended: bool = False) -> dict[str, Any]:
    """The JSON report of the CLI contract (`servicenorm evaluate --format json`)."""
    frame, policy, window = run.frame, run.frame.policy, run.frame.window
    res = run.summaries(
        {slug: m for slug, m in REGISTRY.items() if m.applies(policy) and (m.contract or extended)}
    )
    fr, mr = _by_seller(res["first_response"]), _by_seller(res["message_response"])
    phone = _by_seller(res["phone"]) if "phone" in res else None
    qr, sh, rv = (
        _by_seller(res["question_rate"]),
        _by_seller(res["shipping"]),
        _by_seller(res["reviews"]),
    )
    weekly: dict[str, dict[str, int]] = {}
    for r in res["weekly_late"]:
        weekly.setdefault(str(r["seller"]), {})[str(r["week"])] = int(r["late"])
    weeks = [w[0] for w in window.iso_weeks()]

    def counts(row: dict[str, Any] | None) -> dict[str, Any]:
        on, late, pend = (int(row[k] or 0) if row else 0 for k in ("on_time", "late", "pending"))
        return {"on_time": on, "late": late, "pending": pend, "rate": _rate(on, on + late)}

    from servicenorm.metrics.message_policy import has_texts, message_policy

    policy_checks = message_policy(frame) if extended and has_texts(frame) else None
    extra = {
        k: _by_seller(res.get(k, [])) for k in ("cases", "shipping", "surge")
    }  # once, not per seller
    extra["registered"] = {str(r["seller"]): r for r in frame.tables["sellers"].to_pylist()}
    sellers: dict[str, Any] = {}
    for s in frame.sellers:
        p = (phone or {}).get(s)
        q = qr.get(s)
        orders, questions = (int(q["orders"]), int(q["questions"])) if q else (0, 0)
        shp = sh.get(s)
        s_on, s_late = counts(shp)["on_time"], counts(shp)["late"]
        s_trk = int(shp["on_time_with_tracking"]) if shp else 0
        rev = rv.get(s)
        entry: dict[str, Any] = {
            "first_response": counts(fr.get(s)),
            "message_response": counts(mr.get(s)),
            "weekly_late": {w: weekly.get(s, {}).get(w, 0) for w in weeks},
            "phone": None
            if phone is None
            else {
                "attempts": int(p["attempts"]) if p else 0,
                "answered": int(p["answered"]) if p else 0,
                "rate": _rate(int(p["answered"]), int(p["attempts"])) if p else None,
            },
            "question_rate": {
                "orders": orders,
                "questions": questions,
                "rate": _rate(questions, orders),
                "norm": round(float(q["norm"]), 4) if q and orders else None,
            },
            "shipping": {
                **{k: v for k, v in counts(shp).items() if k != "rate"},
                "on_time_with_tracking": s_trk,
                "rate_on_time": _rate(s_on, s_on + s_late),
                "rate_on_time_with_tracking": _rate(s_trk, s_on + s_late),
            },
            "reviews": {
                "count": int(rev["n"]) if rev else 0,
                "average": round(float(rev["average"]), 2) if rev else None,
            },
        }
        if extended:
            entry.update(_extended(s, extra, frame, entry))
            if policy_checks is not None:
                entry["message_policy"] = policy_checks.get(s)
        sellers[s] = entry
    return {
        "preset": policy.name,
        "as_of": from_us(window.as_of_us).isoformat(),
        "window": {"from": window.start.isoformat(), "to": window.end.isoformat()},
        "sellers": sellers,
    }


def _extended(
    seller: str, extra: dict[str, dict[str, dict[str, Any]]], frame: Frame, entry: dict[str, Any]
) -> dict[str, Any]:
    """Beyond the JSON contract: cases, tenure, order surge, marked-before-scan (R3.6-R3.11)."""
    c, sh, sg = (extra[k].get(seller) for k in ("cases", "shipping", "surge"))
    orders = entry["question_rate"]["orders"]
    registered = int(extra["registered"][seller]["registered"])
    last7 = int(sg["last_7_days"]) if sg else 0
    normal = (int(sg["prior_8_weeks"]) / 8.0) if sg else 0.0
    ratio = round(last7 / normal, 2) if normal else None
    fr, on_time = entry["first_response"]["rate"], entry["shipping"]["rate_on_time"]
    slipping = (fr is not None and fr < frame.policy.response.target) or (
        on_time is not None and on_time < 0.9
    )
    return {
        "cases": {
            "cases": int(c["cases"]) if c else 0,
            "per_order": _rate(int(c["cases"]), orders) if c else (0.0 if orders else None),
            "not_as_described": int(c["not_as_described"]) if c else 0,
            "closed_without_seller": int(c["closed_without_seller"]) if c else 0,
        },
        "tenure_days": (frame.window.as_of_us - registered) // DAY,
        "surge": {
            "last_7_days": last7,
            "weekly_normal": round(normal, 2),
            "ratio": ratio,
            "surge": bool(ratio is not None and ratio >= 3.0 and last7 >= 10 and slipping),
        },
        "shipping_flags": {"marked_before_scan": int(sh["marked_before_scan"]) if sh else 0},
    }
