"""`servicenorm calendar deadline | working-time | is-open | show`, as operators and the
contract's own tests run it (contract/report.md): the cases in the test process
(tests/cli_process.py), and the last test through the installed command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli_process import run_cli, run_installed

CALENDAR_TOML = """\
zone = "Europe/Berlin"
[hours]
mon = [["09:00", "12:00"], ["13:00", "17:00"]]
sat = [["00:00", "24:00"]]
[holidays]
countries = ["DE"]
closed = ["2016-11-01"]
open = ["2026-04-03"]
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("calendar", *args)


def ok(*args: str) -> str:
    done = run(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "berlin.toml"
    path.write_text(CALENDAR_TOML, encoding="utf-8")
    return path


# --- deadline ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "printed"),
    [
        # the contract's examples
        (
            ["--preset", "bol", "--country", "NL", "2026-04-24T16:30:00+02:00", "8h"],
            "2026-04-28T16:30:00+02:00",
        ),
        (
            ["--preset", "bol", "--country", "NL", "2026-03-02T09:00:00+01:00", "8h"],
            "2026-03-03T09:00:00+01:00",
        ),
        # Koningsdag is not a Belgian holiday
        (
            ["--preset", "bol", "--country", "BE", "2026-04-24T16:30:00+02:00", "8h"],
            "2026-04-27T16:30:00+02:00",
        ),
        # 21 July: closed for the response norm (NL + BE days), open on the phone calendar (NL)
        (
            ["--preset", "bol", "--country", "NL", "2026-07-20T16:00:00+02:00", "8h"],
            "2026-07-22T16:00:00+02:00",
        ),
        (
            [
                "--preset",
                "bol",
                "--country",
                "NL",
                "--norm",
                "phone",
                "2026-07-20T16:00:00+02:00",
                "8h",
            ],
            "2026-07-21T16:00:00+02:00",
        ),
        # input in UTC, printed in the calendar's zone; other duration forms
        (
            ["--preset", "bol", "--country", "NL", "2026-03-02T08:00:00Z", "1h30m"],
            "2026-03-02T10:30:00+01:00",
        ),
        (
            ["--preset", "bol", "--country", "NL", "2026-03-06T16:59:59+01:00", "1s"],
            "2026-03-09T09:00:00+01:00",
        ),
        # across the spring-forward weekend
        (
            ["--preset", "bol", "--country", "NL", "2026-03-27T16:00:00+01:00", "8h"],
            "2026-03-30T16:00:00+02:00",
        ),
        # 24/7 (etsy): plain elapsed time
        (["--preset", "etsy", "2026-03-28T12:00:00+00:00", "24h"], "2026-03-29T12:00:00+00:00"),
    ],
)
def test_deadline(args: list[str], printed: str) -> None:
    assert ok("deadline", *args) == printed + "\n"


def test_deadline_with_a_calendar_file(calendar_file: Path) -> None:
    # Monday 11:00 + 2h: one hour before lunch, one after
    assert (
        ok("deadline", "--calendar", str(calendar_file), "2026-03-02T11:00:00+01:00", "2h")
        == "2026-03-02T14:00:00+01:00\n"
    )
    # Saturday 23:00 + 2h: the rest of Saturday, then Monday 09:00 + 1h
    assert (
        ok("deadline", "--calendar", str(calendar_file), "2026-03-07T23:00:00+01:00", "2h")
        == "2026-03-09T10:00:00+01:00\n"
    )


# --- working-time -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("country", "seconds"),
    [("NL", 8 * 3600), ("BE", 16 * 3600)],
)
def test_working_time_over_koningsdag(country: str, seconds: int) -> None:
    out = ok(
        "working-time",
        "--preset",
        "bol",
        "--country",
        country,
        "2026-04-24T16:30:00+02:00",
        "2026-04-28T16:30:00+02:00",
    )
    assert out == f"{seconds}\n"


def test_working_time_boundaries_and_files(calendar_file: Path) -> None:
    assert (
        ok(
            "working-time",
            "--preset",
            "bol",
            "--country",
            "NL",
            "2026-03-02T08:59:59+01:00",
            "2026-03-02T09:00:01+01:00",
        )
        == "1\n"
    )
    assert (
        ok(
            "working-time",
            "--calendar",
            str(calendar_file),
            "2026-03-02T00:00:00+01:00",
            "2026-03-09T00:00:00+01:00",
        )
        == f"{31 * 3600}\n"
    )


# --- is-open ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("at", "printed"),
    [
        ("2026-03-02T08:59:59+01:00", "closed, opens 2026-03-02T09:00:00+01:00"),
        ("2026-03-02T09:00:00+01:00", "open"),
        ("2026-03-02T17:00:00+01:00", "closed, opens 2026-03-03T09:00:00+01:00"),
        ("2026-04-24T17:00:00+02:00", "closed, opens 2026-04-28T09:00:00+02:00"),
    ],
)
def test_is_open(at: str, printed: str) -> None:
    assert ok("is-open", "--preset", "bol", "--country", "NL", at) == printed + "\n"


# --- show ---------------------------------------------------------------------------------
def test_show_lists_hours_and_the_closed_days_of_a_year() -> None:
    out = ok("show", "--preset", "bol", "--country", "NL", "--year", "2026")
    assert "Europe/Amsterdam" in out
    assert "09:00-17:00" in out
    for day, name in (
        ("2026-04-27", "King's Day"),
        ("2026-05-05", "Liberation Day"),
        ("2026-07-21", "National Day"),
    ):
        assert any(day in line and name in line for line in out.splitlines()), (day, name)
    be = ok("show", "--preset", "bol", "--country", "BE", "--year", "2026")
    assert "2026-04-27" not in be and "2026-07-21" in be


def test_show_a_calendar_file(calendar_file: Path) -> None:
    out = ok("show", "--calendar", str(calendar_file), "--year", "2026")
    assert "Europe/Berlin" in out and "09:00-12:00, 13:00-17:00" in out and "00:00-24:00" in out
    assert "2026-04-03" not in out  # Good Friday reopened
    assert "2026-10-03" in out  # Tag der Deutschen Einheit


# --- bad input: one line on stderr, exit status 2 -------------------------------------------
BAD_TOML = 'zone = "UTC"\n[hours\nmon = []\n'
EMPTY_TOML = 'zone = "UTC"\n'
BAD_HOURS_TOML = 'zone = "UTC"\n[hours]\nmon = [["9:00", "17:00"]]\n'


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["deadline", "--preset", "bol", "2026-03-02T09:00:00", "8h"], "no UTC offset"),
        (
            ["working-time", "--preset", "bol", "2026-03-02T09:00:00+01:00", "2026-03-03T09:00:00"],
            "no UTC offset",
        ),
        (["deadline", "--preset", "bol", "next monday", "8h"], "not an ISO 8601 time"),
        (["deadline", "--preset", "bolcom", "2026-03-02T09:00:00+01:00", "8h"], "unknown preset"),
        (["deadline", "--preset", "bol", "2026-03-02T09:00:00+01:00", "8x"], "duration '8x'"),
        (["deadline", "--preset", "bol", "2026-03-02T09:00:00+01:00", "30m8h"], "in that order"),
        (
            ["deadline", "--preset", "bol", "--norm", "chat", "2026-03-02T09:00:00+01:00", "8h"],
            "--norm must be",
        ),
        (["deadline", "2026-03-02T09:00:00+01:00", "8h"], "give --preset"),
        (["deadline", "--calendar", "{missing}", "2026-03-02T09:00:00+01:00", "8h"], "cannot read"),
        (["deadline", "--calendar", "{bad}", "2026-03-02T09:00:00+01:00", "8h"], "not valid TOML"),
        (
            [
                "working-time",
                "--calendar",
                "{bad_hours}",
                "2026-03-02T09:00:00+01:00",
                "2026-03-03T09:00:00+01:00",
            ],
            "is not a time of day",
        ),
        (
            ["deadline", "--calendar", "{empty}", "2026-03-02T09:00:00+01:00", "8h"],
            "no opening hours",
        ),
        (
            [
                "deadline",
                "--preset",
                "bol",
                "--calendar",
                "{empty}",
                "2026-03-02T09:00:00+01:00",
                "8h",
            ],
            "not both",
        ),
    ],
    ids=[
        "naive-start",
        "naive-end",
        "not-a-time",
        "unknown-preset",
        "duration-unit",
        "duration-order",
        "bad-norm",
        "no-calendar",
        "missing-file",
        "malformed-toml",
        "bad-hours",
        "no-hours",
        "preset-and-file",
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, args: list[str], hint: str
) -> None:
    files = {
        "missing": tmp_path / "missing.toml",
        "bad": tmp_path / "bad.toml",
        "empty": tmp_path / "empty.toml",
        "bad_hours": tmp_path / "hours.toml",
    }
    files["bad"].write_text(BAD_TOML)
    files["empty"].write_text(EMPTY_TOML)
    files["bad_hours"].write_text(BAD_HOURS_TOML)
    done = run(*(a.format(**{k: str(v) for k, v in files.items()}) for a in args))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("servicenorm: error: ")
    assert hint in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["deadline", "--preset", "bol", "2026-03-02T09:00:00+01:00", "8", "hours"],
        ["deadline", "--preset", "bol"],
        ["deadline", "--preset", "bol", "--bogus", "2026-03-02T09:00:00+01:00", "8h"],
    ],
    ids=["extra-argument", "missing-argument", "unknown-option"],
)
def test_usage_errors_exit_2_without_a_traceback(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_the_installed_command_prints_on_stdout_and_fails_with_status_2(tmp_path: Path) -> None:
    """The process itself: the answer alone on stdout; bad input and a usage error exit 2 with
    the message on stderr and nothing on stdout."""
    done = run_installed(
        "calendar", "deadline", "--preset", "bol", "--country", "NL",
        "2026-04-24T16:30:00+02:00", "8h",
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "2026-04-28T16:30:00+02:00\n", "")
    done = run_installed("calendar", "show", "--calendar", str(tmp_path / "missing.toml"))
    assert done.returncode == 2 and done.stdout == "", done
    [line] = done.stderr.splitlines()
    assert line.startswith("servicenorm: error: ") and "missing.toml" in line
    done = run_installed("calendar", "deadline", "--preset", "bol")
    assert done.returncode == 2 and done.stdout == "", done
    assert "Traceback" not in done.stderr and "Missing argument" in done.stderr
