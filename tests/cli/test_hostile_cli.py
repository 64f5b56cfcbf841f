"""The CLI's promise for hostile or careless input (issue 11): one line on stderr and exit
status 2. The cases run the command in the test process (tests/cli_process.py); the last
tests run `evaluate` and `explain` through the installed command."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_process import run_cli, run_installed
from tests.golden import EXAMPLES

EXAMPLE = EXAMPLES / "bol" / "events.jsonl"
GOOD = (
    '{"id":"e1","type":"seller_registered","at":"2026-03-02T09:00:00+01:00",'
    '"seller":"s1","marketplace":"bol","country":"NL"}\n'
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


def one_line_exit_2(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("servicenorm: error: "), done.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def log(tmp_path: Path) -> Path:
    p = tmp_path / "events.jsonl"
    p.write_text(GOOD)
    return p


@pytest.mark.parametrize(
    "option, value",
    [
        ("--as-of", "3000-06-01T10:00:00Z"),
        ("--as-of", "0001-01-02T00:00:00Z"),
        ("--as-of", "774"),
        ("--from", "0001-01-01"),
        ("--to", "3000-01-01"),
    ],
)
def test_evaluate_refuses_instants_outside_the_range(
    tmp_path: Path, option: str, value: str
) -> None:
    done = run("evaluate", "--preset", "bol", "--events", str(log(tmp_path)), option, value)
    one_line_exit_2(done, option)


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "deadline", "--preset", "bol", "--country", "NL",
         "3000-06-01T10:00:00Z", "8h"],
        ["calendar", "is-open", "--preset", "bol", "--country", "NL", "0001-01-02T00:00:00Z"],
        ["calendar", "deadline", "--preset", "bol", "--country", "NL",
         "2100-12-31T10:00:00Z", "99999h"],
    ],
)  # fmt: skip
def test_calendar_commands_refuse_instants_outside_the_range(args: list[str]) -> None:
    one_line_exit_2(run(*args), "supported")


def _gz(tmp_path: Path) -> bytes:
    return gzip.compress(EXAMPLE.read_bytes())


def _parquet(path: Path, columns: dict[str, list[object]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)


def damaged_logs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (event log, a word the error line must contain)"""
    whole = _gz(tmp_path)
    out: dict[str, tuple[Path, str]] = {}
    (p := tmp_path / "truncated.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    out["truncated gzip"] = (p, "truncated")
    (p := tmp_path / "plain.jsonl.gz").write_bytes(EXAMPLE.read_bytes())
    out["not gzip"] = (p, "gzip")
    bad = bytearray(whole)
    bad[len(bad) // 2 : len(bad) // 2 + 64] = b"\xff" * 64
    (p := tmp_path / "corrupt.jsonl.gz").write_bytes(bytes(bad))
    out["corrupted gzip"] = (p, "gzip")
    _parquet(
        p := tmp_path / "types.parquet",
        {"id": [1, 2], "type": [3, 4], "at": [5, 6], "seller": [7, 8], "marketplace": [9, 9]},
    )
    out["parquet of wrong types"] = (p, "types.parquet")
    (p := tmp_path / "fake.parquet").write_text(GOOD)
    out["not parquet"] = (p, "fake.parquet")
    (p := tmp_path / "a-directory").mkdir()
    out["a directory"] = (p, "directory")
    (p := tmp_path / "empty.jsonl").write_text("")
    out["empty"] = (p, "no events")
    (p := tmp_path / "invalid.jsonl").write_text('{"id": 1}\nnot json\n')
    out["no valid event"] = (p, "no events")
    return out


@pytest.mark.parametrize(
    "case",
    [
        "truncated gzip",
        "not gzip",
        "corrupted gzip",
        "parquet of wrong types",
        "not parquet",
        "a directory",
        "empty",
        "no valid event",
    ],
)
def test_damaged_event_logs_are_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    path, word = damaged_logs(tmp_path)[case]
    done = run("evaluate", "--preset", "bol", "--events", str(path))
    if case == "no valid event":  # each invalid line is named first, then the one error line
        assert done.returncode == 2, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("servicenorm: error: no events"), done.stderr
        return
    line = one_line_exit_2(done, word)
    assert "meets" not in done.stdout
    assert "Traceback" not in line


def test_explain_reads_logs_the_same_way(tmp_path: Path) -> None:
    logs = damaged_logs(tmp_path)
    for case in ("a directory", "empty", "truncated gzip"):
        path, word = logs[case]
        one_line_exit_2(
            run("explain", "--preset", "bol", "--events", str(path), "--seller", "s"), word
        )


def test_an_id_reused_for_other_content_is_an_error_line_naming_both_lines(
    tmp_path: Path,
) -> None:
    other = GOOD.replace('"country":"NL"', '"country":"BE"')
    same_instant = GOOD.replace("2026-03-02T09:00:00+01:00", "2026-03-02T08:00:00Z")
    path = tmp_path / "events.jsonl"
    path.write_text(GOOD + same_instant + other)
    done = run(
        "evaluate", "--preset", "bol", "--events", str(path), "--as-of", "2026-03-03T00:00:00Z"
    )
    assert done.returncode == 0, done.stderr
    errors = [x for x in done.stderr.splitlines() if "used by a different event" in x]
    assert errors == [
        f"{path}:3: field 'id': event id 'e1' was used by a different event on line 1"
    ]


def test_the_installed_command_keeps_errors_on_stderr_and_exits_2(tmp_path: Path) -> None:
    """The process itself: a damaged log and an instant out of range give status 2 and one
    line on stderr, nothing on stdout; a good log prints the report on stdout only."""
    path, word = damaged_logs(tmp_path)["truncated gzip"]
    done = run_installed("evaluate", "--preset", "bol", "--events", str(path))
    one_line_exit_2(done, word)
    assert done.stdout == ""
    done = run_installed("explain", "--preset", "bol", "--events", str(log(tmp_path)),
                         "--seller", "s1", "--as-of", "3000-06-01T10:00:00Z")  # fmt: skip
    one_line_exit_2(done, "--as-of")
    assert done.stdout == ""
    done = run_installed("evaluate", "--preset", "bol", "--events", str(log(tmp_path)),
                         "--as-of", "2026-03-03T00:00:00Z", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sellers"].keys() == {"s1"}
    assert done.stderr == ""
