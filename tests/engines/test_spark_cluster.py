"""`evaluate --engine spark` on a real standalone cluster: the executors read the log (files,
directories, globs of JSON Lines, gzip and Parquet partitions), validate it with the models'
rules and messages, drop duplicates, and the report equals DuckDB's exactly."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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
from servicenorm.metrics.definitions import REGISTRY
from servicenorm.metrics.sql import bind
from servicenorm.policy import load_preset
from tests.evidence import read_evidence
from tests.golden import NAMES, assert_report_equal, example
from tests.spark_cluster import SPARK_TEST_CONF

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
AS_OF = "2026-03-25T12:00:00+01:00"


def _window(preset: str, start: str, end: str, as_of: str) -> Window:
    policy = load_preset(preset)
    return Window(
        date.fromisoformat(start), date.fromisoformat(end), parse_instant(as_of), policy.zone
    )


def _both(
    events: str | Path,
    whole: Path,
    preset: str,
    window: Window,
    engine: Any,
    no_python: bool = False,
) -> tuple[Any, Any]:
    policy = load_preset(preset)
    log = read_log(engine.spark, str(events), strict=False)
    try:
        run = prepare_cluster(log, policy, window, engine)
        spark = report(run, extended=True)
        if no_python:
            _assert_no_python(run, engine)
    finally:
        log.close()
    duck = report(prepare(read_events(whole), policy, window, DuckDBEngine()), extended=True)
    return spark, duck


def _assert_no_python(run: Any, engine: Any) -> None:
    """No metric query runs Python on the executors (the log they read is cached there: the
    Python that judged its non-canonical rows ran once, inside the cached plan)."""
    for m in REGISTRY.values():
        plan = engine.spark.sql(bind(m.summary, run.params()))._jdf.queryExecution()
        lines, skip = str(plan.executedPlan().treeString()).splitlines(), None
        for line in lines:
            depth = len(line) - len(line.lstrip(" :+-*()0123456789"))
            if skip is not None and depth > skip:
                continue
            skip = depth if "InMemoryRelation" in line else None
            assert not re.search(r"Python|ArrowEval|MapInArrow|MapInPandas", line), (m.slug, line)


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

    return generate(4, 21, tmp_path_factory.mktemp("demo"), preset="bol", seed=3)


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
    # (one schema for both files: a field null throughout one part keeps its type)
    keys = sorted({k for x in parts[3] + parts[4] for k in json.loads(x)})
    rows = [{k: json.loads(x).get(k) for k in keys} for x in parts[3] + parts[4]]
    both = pa.Table.from_pylist(rows)
    pq.write_table(both.slice(0, len(parts[3])), d / "part-3.parquet")
    pq.write_table(both.slice(len(parts[3])), d / "part-4.parquet")
    (d / "_SUCCESS").write_bytes(b"")
    window = _window("bol", "2026-03-02", "2026-03-23", AS_OF)
    spark, duck = _both(d, demo_log, "bol", window, spark_engine, no_python=True)
    assert spark["sellers"], "the demo has bol sellers"
    assert_report_equal(spark, duck)


def test_invalid_lines_and_repeated_ids_read_as_on_duckdb(
    tmp_path: Path, spark_engine: Any
) -> None:
    events, _, _ = example("bol")
    lines = events.read_text().splitlines()[:40]
    call = {"id": "c1", "type": "call_attempt", "seller": "s", "answered": True}
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
        json.dumps({**call, "at": "2026-03-03T09:00:00Z"}),
        json.dumps({**call, "at": "2026-03-03T10:00:00+01:00"}),  # the same instant: a duplicate
        json.dumps({**call, "at": "2026-03-03T11:00:00+01:00"}),  # other content: an error
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines[:10] + bad + lines[10:]) + "\n")
    duck = read_events(path)
    log = read_log(spark_engine.spark, str(path), strict=False)
    try:
        # the same messages (file:line, field, reason), the repeated id's naming both lines
        assert [str(e) for e in log.errors] == [str(e) for e in duck.errors]
        assert any("'c1'" in str(e) and ":21:" in str(e) for e in log.errors)
        assert log.invalid == len(duck.errors)
        assert log.duplicates == duck.duplicates == 2
        assert log.count_valid() == duck.valid
    finally:
        log.close()
    with pytest.raises(EventError) as first:
        read_log(spark_engine.spark, str(path), strict=True)
    with pytest.raises(EventError) as want:
        read_events(path, strict=True)
    assert str(first.value) == str(want.value)


@dataclass
class CliRun:
    spark: subprocess.Popen[bytes]
    duck: subprocess.Popen[bytes]
    out: Path  # --out of each: spark/ and duckdb/


def _cli(example_name: str) -> list[str]:
    _, args, _ = example(example_name)
    cmd = [sys.executable, "-m", "servicenorm", "evaluate", "--preset", args["preset"]]
    cmd += ["--from", args["from"], "--to", args["to"], "--as-of", args["as_of"]]
    return [*cmd, "--format", "json"]


@pytest.fixture(scope="module", autouse=True)
def cli_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CliRun | None]:
    """The CLI's own application on the cluster, started with the module (as soon as the
    master is up) so that its JVM, its executor and its job overlap the tests in this
    driver; `test_the_cli_evaluates_on_the_cluster` reads its result."""
    if "test_the_cli_evaluates_on_the_cluster" not in {i.name for i in request.session.items}:
        yield None
        return
    cluster = request.getfixturevalue("spark_cluster")
    events, _, _ = example("bol")
    root = tmp_path_factory.mktemp("cli")
    d = root / "parts"
    d.mkdir()
    for i, part in enumerate(_split(events.read_bytes().splitlines(keepends=True), 3)):
        (d / f"part-{i}.jsonl").write_bytes(b"".join(part))
    conf = {
        "spark.executor.memory": "1g",
        "spark.cores.max": "1",
        "spark.pyspark.python": sys.executable,
        **SPARK_TEST_CONF,
    }
    spark = subprocess.Popen(
        [
            *_cli("bol"),
            "--events",
            f"{d}/part-*.jsonl",
            "--engine",
            "spark",
            "--spark-master",
            cluster.url,
            *(a for k, v in conf.items() for a in ("--spark-conf", f"{k}={v}")),
            "--out",
            f"file://{root}/out/spark",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    duck = subprocess.Popen(
        [*_cli("bol"), "--events", str(events), "--out", str(root / "out" / "duckdb")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    run = CliRun(spark, duck, root / "out")
    yield run
    for proc in (spark, duck):
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_the_cli_evaluates_on_the_cluster(cli_run: CliRun | None, spark_master: str) -> None:
    assert cli_run is not None
    out, err = cli_run.spark.communicate(timeout=600)
    assert cli_run.spark.returncode == 0, err.decode()[-3000:]
    duck, _ = cli_run.duck.communicate(timeout=60)
    assert cli_run.duck.returncode == 0
    assert_report_equal(json.loads(out), json.loads(duck))
    # --out: the executors wrote the evidence, the same rows and columns as DuckDB's
    metrics = sorted(p.name for p in (cli_run.out / "duckdb").iterdir())
    assert "first_response" in metrics
    assert sorted(p.name for p in (cli_run.out / "spark").iterdir() if p.is_dir()) == metrics
    for metric in metrics:
        got = read_evidence(cli_run.out / "spark", metric)
        assert got == read_evidence(cli_run.out / "duckdb", metric), metric
    bad = subprocess.run(
        [*_cli("bol"), "--events", "x.jsonl", "--engine", "spark", "--spark-conf", "nonsense"],
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2
    assert b"--spark-conf 'nonsense' is not key=value" in bad.stderr
