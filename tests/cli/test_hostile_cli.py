"""The CLI's promise for hostile or careless input (issue 11): one line on stderr and exit
status 2, through the installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVICENORM = Path(sys.executable).parent / "servicenorm"
EXAMPLE = Path("/work/shared/contract/examples/bol/events.jsonl")
GOOD = (
    '{"id":"e1","type":"seller_registered","at":"2026-03-02T09:00:00+01:00",'
    '"seller":"s1","marketplace":"bol","country":"NL"}\n'
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [str(SERVICENORM), *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd
    )


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
