"""The Spark path runs the same SQL as DuckDB and must give every figure identically.

Here the frame is built on the driver and sent to Spark (`SparkEngine.load`, what
`servicenorm enforce --engine spark` does); every golden example, a generated log and its
partitions go through the cluster's own reading in tests/engines/test_spark_cluster.py. One
example, the richest (phone hours, weekly alerts, NL and BE calendars), covers this path."""

from __future__ import annotations

from datetime import date

import pytest

from servicenorm.clock import parse_instant
from servicenorm.engines import Engine
from servicenorm.engines.duckdb_engine import DuckDBEngine
from servicenorm.events import read_events
from servicenorm.metrics import Window, prepare, report
from servicenorm.policy import load_preset
from tests.golden import assert_report_equal, example

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
EXTENDED = {"cases", "tenure_days", "surge", "shipping_flags"}


def test_spark_reproduces_golden_report(spark_engine: Engine) -> None:
    events, args, expected = example("bol")
    policy = load_preset(args["preset"])
    window = Window(
        date.fromisoformat(args["from"]),
        date.fromisoformat(args["to"]),
        parse_instant(args["as_of"]),
        policy.zone,
    )
    log = read_events(events)
    spark = report(prepare(log, policy, window, spark_engine), extended=True)
    duck = report(prepare(log, policy, window, DuckDBEngine()), extended=True)
    assert_report_equal(spark, duck)  # every figure, the extended ones too
    contract = {
        **spark,
        "sellers": {
            s: {k: v for k, v in m.items() if k not in EXTENDED}
            for s, m in spark["sellers"].items()
        },
    }
    assert_report_equal(contract, expected)
