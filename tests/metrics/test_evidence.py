"""`evaluate --out DIR` on DuckDB: every metric's evidence as Parquet partitioned by seller,
with the rows and columns `explain` shows (the deadline computed in SQL equals the clock
kernel's). The CLI's `--out` on both engines, Spark's files equal to DuckDB's:
tests/engines/test_spark_cluster.py::test_the_cli_evaluates_on_the_cluster."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from servicenorm.cli.evaluate import explain_rows
from servicenorm.clock import parse_instant
from servicenorm.engines.duckdb_engine import DuckDBEngine
from servicenorm.events import read_events
from servicenorm.metrics import Window, prepare
from servicenorm.metrics.evidence import write_evidence
from tests.evidence import read_evidence
from tests.golden import example


def _as_explain(row: dict[str, Any], zone: Any) -> dict[str, Any]:
    from servicenorm.clock import from_us

    out = {}
    for k, v in row.items():
        if k == "seller":
            continue
        if k == "working_time" and v is not None:
            v = f"{v // 3600}:{v % 3600 // 60:02d}:{v % 60:02d}"
        elif k in {"received", "deadline", "first_reply", "reply", "placed", "ship_by"} | {
            "shipped",
            "scanned",
        }:
            v = "" if v is None else from_us(int(v), zone).isoformat(timespec="seconds")
        out[k] = v
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, list[str]]:
    from servicenorm.policy import load_preset

    events, args, _ = example("bol")  # the richest: phone hours, NL and BE calendars
    policy = load_preset(args["preset"])
    window = Window(
        date.fromisoformat(args["from"]),
        date.fromisoformat(args["to"]),
        parse_instant(args["as_of"]),
        policy.zone,
    )
    run = prepare(read_events(events), policy, window, DuckDBEngine())
    out = tmp_path_factory.mktemp("out")
    return run, out, write_evidence(run, str(out))


def test_the_evidence_is_what_explain_lists_per_seller(
    written: tuple[Any, Path, list[str]],
) -> None:
    from zoneinfo import ZoneInfo

    run, out, metrics = written
    assert "first_response" in metrics and "weekly_late" not in metrics
    zone = ZoneInfo(run.frame.policy.zone)
    for metric in metrics:
        rows = read_evidence(out, metric)
        for seller in run.frame.sellers:
            want = explain_rows(run, metric, seller)
            got = [_as_explain(r, zone) for r in rows if r["seller"] == seller]
            key = lambda r: (str(r["item"]), str(r.get("event_id")))  # noqa: E731
            assert sorted(got, key=key) == sorted(want, key=key), (metric, seller)
        if rows:
            assert (out / metric / f"seller={rows[0]['seller']}").is_dir()
