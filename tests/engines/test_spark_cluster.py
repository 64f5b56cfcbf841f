"""`evaluate --engine spark` on a real standalone cluster: the executors read the log (files,
directories, globs of JSON Lines, gzip and Parquet partitions), validate it with the models'
rules and messages, drop duplicates, and the report equals DuckDB's exactly."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from servicenorm.clock import parse_instant
from servicenorm.engines.duckdb_engine import DuckDBEngine
from servicenorm.engines.spark.frame import prepare_cluster
from servicenorm.engines.spark.log import read_log
from servicenorm.events import EventError, read_events
from servicenorm.metrics import Window, prepare, report
from servicenorm.policy import load_preset
from tests.golden import NAMES, assert_report_equal, example

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
AS_OF = "2026-03-25T12:00:00+01:00"


def _window(preset: str, start: str, end: str, as_of: str) -> Window:
    policy = load_preset(preset)
    return Window(
        date.fromisoformat(start), date.fromisoformat(end), parse_instant(as_of), policy.zone
    )


def _both(
    events: str | Path, whole: Path, preset: str, window: Window, engine: Any
) -> tuple[Any, Any]:
    policy = load_preset(preset)
    log = read_log(engine.spark, str(events), strict=False)
    try:
        spark = report(prepare_cluster(log, policy, window, engine), extended=True)
    finally:
        log.close()
    duck = report(prepare(read_events(whole), policy, window, DuckDBEngine()), extended=True)
    return spark, duck


@pytest.mark.parametrize("name", NAMES)
def test_golden_examples_on_the_cluster(name: str, spark_engine: Any) -> None:
    events, args, expected = example(name)
    window = _window(args["preset"], args["from"], args["to"], args["as_of"])
    spark, duck = _both(events, events, args["preset"], window, spark_engine)
    assert_report_equal(spark, duck)  # the extended figures too
    extended = {"cases", "tenure_days", "surge", "shipping_flags"}
    contract = {
        **spark,
        "sellers": {
            s: {k: v for k, v in m.items() if k not in extended}
            for s, m in spark["sellers"].items()
        },
    }
    assert_report_equal(contract, expected)


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from servicenorm.demo import generate

    return generate(10, 21, tmp_path_factory.mktemp("demo"), preset="bol", seed=3)


def _split(lines: list[bytes], n: int) -> list[list[bytes]]:
    k = -(-len(lines) // n)
    return [lines[i : i + k] for i in range(0, len(lines), k)]


def test_partitions_of_every_format_equal_the_whole_log_on_duckdb(
    demo_log: Path, tmp_path: Path, spark_engine: Any
) -> None:
    lines = demo_log.read_bytes().splitlines(keepends=True)
    parts = _split(lines, 5)
    d = tmp_path / "log"
    (d / "day=1").mkdir(parents=True)
    (d / "part-0.jsonl").write_bytes(b"".join(parts[0]))
    with gzip.open(d / "part-1.jsonl.gz", "wb") as f:
        f.write(b"".join(parts[1]))
    (d / "day=1" / "part-2.jsonl").write_bytes(b"".join(parts[2]))
    # Parquet: one column per field (null where an event has none), values as in JSON
    keys = sorted({k for x in parts[3] + parts[4] for k in json.loads(x)})
    for i in (3, 4):
        rows = [{k: json.loads(x).get(k) for k in keys} for x in parts[i]]
        pq.write_table(pa.Table.from_pylist(rows), d / f"part-{i}.parquet")
    (d / "_SUCCESS").write_bytes(b"")
    window = _window("bol", "2026-03-02", "2026-03-23", AS_OF)
    spark, duck = _both(d, demo_log, "bol", window, spark_engine)
    assert spark["sellers"], "the demo has bol sellers"
    assert_report_equal(spark, duck)


def test_invalid_lines_read_as_on_duckdb_and_duplicates_are_dropped(
    tmp_path: Path, spark_engine: Any
) -> None:
    events, args, _ = example("bol")
    lines = events.read_text().splitlines()
    bad = [
        '{"id": "x1", "type": "call_attempt", "at": "2026-03-03T10:00:00+01:00", "seller": "s"}',
        "not json",
        "",
        '{"id": "x2", "type": "nope", "at": "2026-03-03T10:00:00+01:00"}',
        '{"id": "x3", "type": "review_posted", "at": "2026-03-03T10:00:00+01:00", "order": "o", "rating": 9}',
        '{"id": "x4", "type": "call_attempt", "at": "2026-03-03 10:00", "seller": "s", "answered": true}',
        # valid, though not in the canonical spelling the cluster's SQL vouches for
        '{"id": "x5", "type": "call_attempt", "at": "2026-03-03T10:00:00+01:00", "seller": "s", "answered": "true"}',
        lines[5],  # the same event again: a duplicate, stored once
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines[:10] + bad + lines[10:]) + "\n")
    duck = read_events(path)
    log = read_log(spark_engine.spark, str(path), strict=False)
    try:
        assert [str(e) for e in log.errors] == [str(e) for e in duck.errors]
        assert log.invalid == len(duck.errors)
        assert log.duplicates == duck.duplicates  # the example's own, and ours
        assert log.count_valid() == duck.valid
        window = _window(args["preset"], args["from"], args["to"], args["as_of"])
        policy = load_preset(args["preset"])
        spark = report(prepare_cluster(log, policy, window, spark_engine))
    finally:
        log.close()
    assert_report_equal(spark, report(prepare(duck, policy, window, DuckDBEngine())))
    with pytest.raises(EventError) as first:
        read_log(spark_engine.spark, str(path), strict=True)
    with pytest.raises(EventError) as want:
        read_events(path, strict=True)
    assert str(first.value) == str(want.value)


def test_an_id_repeated_with_other_content_is_an_error_naming_both_lines(
    tmp_path: Path, spark_engine: Any
) -> None:
    call = {"id": "c1", "type": "call_attempt", "seller": "s", "answered": True}
    rows = [
        {**call, "at": "2026-03-03T09:00:00Z"},
        {**call, "at": "2026-03-03T10:00:00+01:00"},  # the same instant: the same content
        {**call, "at": "2026-03-03T11:00:00+01:00"},
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    log = read_log(spark_engine.spark, str(path), strict=False)
    try:
        assert log.duplicates == 1
        assert [str(e) for e in log.errors] == [
            f"{path}:3: field 'id': id 'c1' was already used by line 1 with other content"
        ]
        assert log.count_valid() == 1
    finally:
        log.close()


def test_the_cli_evaluates_on_the_cluster(
    demo_log: Path, tmp_path: Path, spark_master: str
) -> None:
    cmd = [sys.executable, "-m", "servicenorm", "evaluate", "--preset", "bol"]
    cmd += ["--from", "2026-03-02", "--to", "2026-03-23", "--as-of", AS_OF, "--format", "json"]
    duck = subprocess.run([*cmd, "--events", str(demo_log)], capture_output=True, check=True)
    d = tmp_path / "parts"
    d.mkdir()
    for i, part in enumerate(_split(demo_log.read_bytes().splitlines(keepends=True), 3)):
        (d / f"part-{i}.jsonl").write_bytes(b"".join(part))
    spark = subprocess.run(
        [
            *cmd,
            "--events",
            f"{d}/part-*.jsonl",
            "--engine",
            "spark",
            "--spark-master",
            spark_master,
            "--spark-conf",
            "spark.executor.memory=1g",
            "--spark-conf",
            "spark.cores.max=1",
            "--spark-conf",
            "spark.pyspark.python=/nonexistent",
        ],
        capture_output=True,
        check=False,
    )
    assert spark.returncode == 0, spark.stderr.decode()[-3000:]
    assert_report_equal(json.loads(spark.stdout), json.loads(duck.stdout))
    bad = subprocess.run(
        [*cmd, "--events", str(demo_log), "--engine", "spark", "--spark-conf", "nonsense"],
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2
    assert b"--spark-conf 'nonsense' is not key=value" in bad.stderr
