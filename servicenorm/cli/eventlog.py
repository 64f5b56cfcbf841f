"""The event log and the window a command reads: shared by `evaluate`/`explain`
(cli/evaluate.py) and `enforce apply` (cli/enforce.py), which `evaluate --apply` calls, so
neither command module imports the other for them."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the heavy modules load when a command runs, not on every CLI start
    from servicenorm.events import EventLog
    from servicenorm.metrics import Window
    from servicenorm.policy import Policy

_PROGRESS_FROM = 32 * 1024 * 1024  # bytes: show a progress bar for logs at least this large


def _date(text: str, option: str) -> date:
    from servicenorm.boundary import FIRST_DAY, LAST_DAY
    from servicenorm.clock.instants import SUPPORTED_RANGE

    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date YYYY-MM-DD") from None
    if not FIRST_DAY <= d <= LAST_DAY + timedelta(days=1):  # (--to is exclusive)
        raise ValueError(f"{option} {text} is outside the supported range {SUPPORTED_RANGE}")
    return d


def resolve_window(policy: Policy, start: str | None, end: str | None, as_of: str | None) -> Window:
    """The window asked for; without --from and --to, the current window
    (`metrics.window.current_window`, the one the pages and run-demo show)."""
    from servicenorm.bootstrap import current_instant
    from servicenorm.clock import parse_instant
    from servicenorm.metrics import Window, current_window

    t = parse_instant(as_of, "--as-of") if as_of else current_instant()
    current = current_window(policy.window.days, policy.zone, t)
    to = _date(end, "--to") if end else current.end  # windows are in the preset's zone
    frm = _date(start, "--from") if start else to - timedelta(days=policy.window.days)
    return Window(frm, to, t, policy.zone)


def load_log(path: Path, strict: bool, keep_text: bool = False) -> EventLog:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from servicenorm.events import EventError, read_events

    if not path.exists():
        raise ValueError(f"event log {path} does not exist")
    size = path.stat().st_size
    try:
        if size < _PROGRESS_FROM or (not sys.stderr.isatty() and size < 4 * _PROGRESS_FROM):
            log = read_events(path, strict=strict, keep_text=keep_text)
        else:
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            ) as bar:
                task = bar.add_task(f"reading {path.name}", total=size)
                log = read_events(
                    path,
                    strict=strict,
                    keep_text=keep_text,
                    progress=lambda n: bar.advance(task, n),
                )
    except EventError as e:
        raise ValueError(f"invalid event (--strict): {e}") from None
    for err in log.errors:
        typer.echo(f"{err}", err=True)
    if not log.valid:  # an empty report would read as "every seller meets the norms"
        raise ValueError(
            f"no events in {path}"
            + (
                f": none of its {log.lines} line(s) is a valid event"
                if log.lines
                else " (it is empty)"
            )
        )
    if log.errors:
        typer.echo(
            f"{len(log.errors)} invalid line(s) skipped; {log.valid} valid events"
            f"{f', {log.duplicates} duplicate id(s) stored once' if log.duplicates else ''}",
            err=True,
        )
    return log
