"""`servicenorm evaluate --format json` reproduces the contract's golden reports exactly. The
cases run the command in the test process (tests/cli_process.py); `--strict` runs it as
`python -m servicenorm.cli`, in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_process import run_cli
from tests.golden import NAMES, assert_report_equal, example

CLI = [sys.executable, "-m", "servicenorm.cli"]


def evaluate(
    events: Path, args: dict[str, str], *extra: str, process: bool = False
) -> subprocess.CompletedProcess[str]:
    argv = [
        "evaluate",
        "--preset",
        args["preset"],
        "--events",
        str(events),
        "--from",
        args["from"],
        "--to",
        args["to"],
        "--as-of",
        args["as_of"],
        "--format",
        "json",
        *extra,
    ]
    if not process:
        return run_cli(*argv)
    return subprocess.run([*CLI, *argv], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name", NAMES)
def test_golden_report(name: str) -> None:
    events, args, expected = example(name)
    proc = evaluate(events, args)
    assert proc.returncode == 0, proc.stderr
    assert_report_equal(json.loads(proc.stdout), expected)


@pytest.mark.parametrize("name", NAMES)
def test_invalid_lines_are_reported_with_line_and_field(name: str) -> None:
    events, args, _ = example(name)
    proc = evaluate(events, args)
    assert f"{events}:7: field 'at': time has no UTC offset" in proc.stderr
    assert f"{events}:503: field 'type': unknown event type 'teleport'" in proc.stderr
    assert "2 invalid line(s) skipped" in proc.stderr


def test_strict_stops_at_first_invalid_line() -> None:
    events, args, _ = example("bol")
    proc = evaluate(events, args, "--strict", process=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and ":7: field 'at'" in lines[0]


def test_missing_field_and_broken_json_are_skipped_not_fatal(tmp_path: Path) -> None:
    events, args, expected = example("bol")
    bad = tmp_path / "events.jsonl"
    extra = [
        '{"id": "bad3", "type": "call_attempt", "at": "2026-03-03T10:00:00+01:00", "seller": "shop0"}',
        '{"id": "bad4", "type": "call_attempt", "at": ',
        "",
    ]
    bad.write_text(events.read_text() + "\n".join(extra) + "\n")
    proc = evaluate(bad, args)
    assert proc.returncode == 0, proc.stderr
    assert ":1134: field 'answered': required field is missing" in proc.stderr
    assert ":1135: field '(line)': not valid JSON" in proc.stderr
    assert ":1136: field '(line)': empty line" in proc.stderr
    assert "5 invalid line(s) skipped" in proc.stderr
    assert_report_equal(json.loads(proc.stdout), expected)


def test_gzip_and_parquet_give_the_same_report(tmp_path: Path) -> None:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    events, args, expected = example("etsy")
    gz = tmp_path / "events.jsonl.gz"
    gz.write_bytes(gzip.compress(events.read_bytes()))
    proc = evaluate(gz, args)
    assert proc.returncode == 0, proc.stderr
    assert_report_equal(json.loads(proc.stdout), expected)

    rows = []
    for line in events.read_text().splitlines():
        obj = json.loads(line)
        if (
            "hours" in obj
        ):  # a struct of the seven weekdays, closed days empty (as the demo writes it)
            obj["hours"] = {
                d: obj["hours"].get(d, [])
                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            }
        rows.append(obj)
    keys = sorted({k for r in rows for k in r})
    pq.write_table(
        pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in rows]),
        tmp_path / "events.parquet",
    )
    proc = evaluate(tmp_path / "events.parquet", args)
    assert proc.returncode == 0, proc.stderr
    assert_report_equal(json.loads(proc.stdout), expected)
