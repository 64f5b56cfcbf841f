"""Files: the three formats hold the same events, a seed fixes the output, the CLI writes them."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from servicenorm.cli.demo import generate as cli_generate
from servicenorm.demo import estimate_events, generate, generate_events, sellers_for
from servicenorm.events import read_events
from tests.cli_process import run_cli

from .contract import problems

SMALL = {"sellers": 8, "days": 10, "preset": "bol", "seed": 5}


def jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return [orjson.loads(line) for line in f]


def parquet(path: Path) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in row.items() if v is not None} for row in pq.read_table(path).to_pylist()
    ]


def test_three_formats_hold_the_same_events(tmp_path: Path) -> None:
    loaded = {}
    for fmt in ("jsonl", "jsonl.gz", "parquet"):
        path = generate(**SMALL, out=tmp_path / fmt, fmt=fmt)
        assert path.name == f"events.{fmt}"
        loaded[fmt] = parquet(path) if fmt == "parquet" else jsonl(path)
        log = read_events(path, keep_text=True)  # the product's own reader takes every format
        assert (log.errors, log.valid, log.duplicates) == ([], len(loaded[fmt]), 0)
    assert loaded["jsonl"] == loaded["jsonl.gz"] == loaded["parquet"]
    assert all(not problems(e) for e in loaded["parquet"])


def test_a_seed_fixes_the_file_and_another_seed_changes_it(tmp_path: Path) -> None:
    a = generate(**SMALL, out=tmp_path / "a").read_bytes()
    b = generate(**SMALL, out=tmp_path / "b").read_bytes()
    c = generate(**{**SMALL, "seed": 6}, out=tmp_path / "c").read_bytes()
    assert a == b
    assert a != c
    assert [orjson.loads(line) for line in a.splitlines()] == list(generate_events(**SMALL))


def test_shuffle_writes_the_same_events_out_of_order(tmp_path: Path) -> None:
    ordered = generate(**SMALL, out=tmp_path / "o").read_bytes().splitlines()
    shuffled = generate(**SMALL, out=tmp_path / "s", shuffle=True).read_bytes().splitlines()
    assert sorted(ordered) == sorted(shuffled)
    assert ordered != shuffled


def test_readme_and_seller_truth_describe_the_run(tmp_path: Path) -> None:
    path = generate(**SMALL, out=tmp_path)
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    n = len(path.read_bytes().splitlines())
    assert f"({n:,} events" in readme
    assert "Seed:         5" in readme
    assert "slow" in readme and "early_shipper" in readme
    sellers = (tmp_path / "sellers.csv").read_text(encoding="utf-8").splitlines()
    assert len(sellers) == 1 + SMALL["sellers"]


def test_the_size_estimate_is_close_enough_for_benchmarks() -> None:
    for preset in ("bol", "etsy"):
        n = sum(1 for _ in generate_events(sellers=30, days=14, preset=preset, seed=2))
        assert 0.75 < n / estimate_events(30, 14, preset) < 1.25
    for events, days in ((1_000_000, 28), (10_000_000, 91)):
        k = sellers_for(events, days)
        assert estimate_events(k, days) >= events > estimate_events(k - 1, days)


def test_bad_arguments_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown preset 'amazon'"):
        generate(5, 5, tmp_path, preset="amazon")
    with pytest.raises(ValueError, match="--format must be one of"):
        generate(5, 5, tmp_path, fmt="csv")
    with pytest.raises(ValueError, match="--days"):
        generate(5, 0, tmp_path)


def servicenorm_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("servicenorm")
    return (
        [str(exe)]
        if exe.exists()
        else [sys.executable, "-c", "from servicenorm.cli import main; main()"]
    )


def test_cli_generates_through_the_installed_command(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run(
        [
            *servicenorm_cmd(),
            "demo",
            "generate",
            "--sellers",
            "8",
            "--days",
            "7",
            "--out",
            str(out),
            "--preset",
            "all",
            "--seed",
            "3",
            "--start",
            "2026-10-23",
            "--format",
            "jsonl.gz",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    events = jsonl(out / "events.jsonl.gz")
    assert events and all(not problems(e) for e in events)
    assert "+01:00" in {e["at"][-6:] for e in events} and "+02:00" in {
        e["at"][-6:] for e in events
    }  # DST ends 25 Oct
    assert "wrote" in done.stderr
    assert "--start 2026-10-23" in (out / "README.txt").read_text(encoding="utf-8")


def test_cli_refuses_bad_input_with_one_line_and_status_2(tmp_path: Path) -> None:
    # in the test process (tests/cli_process.py); the test above runs the installed command
    done = run_cli("demo", "generate", "--out", str(tmp_path), "--preset", "amazon")
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "servicenorm: error: unknown preset 'amazon'; use one of bol, etsy, ebay, swopify, all"
    )
    with pytest.raises(ValueError, match="--start '2026-02-30' is not a date"):
        cli_generate(out=tmp_path, start="2026-02-30")
