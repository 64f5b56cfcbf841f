"""The Spark path runs the same SQL as DuckDB and must give every figure identically."""

from __future__ import annotations

from datetime import date

import pytest

from servicenorm.clock import parse_instant
from servicenorm.engines import Engine
from servicenorm.engines.duckdb_engine import DuckDBEngine
from servicenorm.events import read_events
from servicenorm.metrics import Window, prepare, report
from servicenorm.policy import load_preset
from tests.golden import NAMES, assert_report_equal, example

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
EXTENDED = {"cases", "tenure_days", "surge", "shipping_flags"}


@pytest.mark.parametrize("name", NAMES)
def test_spark_reproduces_golden_report(name: str, spark_engine: Engine) -> None:
    events, args, expected = example(name)
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


def test_spark_and_duckdb_agree_on_a_demo_marketplace(spark_engine: Engine) -> None:
    from servicenorm.demo import generate_events
    from servicenorm.events import events_from_objects

    log = events_from_objects(list(generate_events(sellers=12, days=21, preset="bol", seed=3)))
    assert not log.errors
    for preset in ("bol",):  # the richest preset: phone hours, weekly alerts, NL and BE calendars
        policy = load_preset(preset)
        window = Window(
            date(2026, 3, 2),
            date(2026, 3, 23),
            parse_instant("2026-03-25T12:00:00+01:00"),
            policy.zone,
        )
        spark = report(prepare(log, policy, window, spark_engine), extended=True)
        duck = report(prepare(log, policy, window, DuckDBEngine()), extended=True)
        assert spark["sellers"], f"the demo has {preset} sellers"
        assert_report_equal(spark, duck)
