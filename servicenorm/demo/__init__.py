"""The demo marketplace generator: realistic event logs for tests, benchmarks and `make run`.

    from servicenorm.demo import generate
    path = generate(sellers=40, days=28, out=Path("demo"), preset="bol", seed=1)

writes `demo/events.jsonl` (event contract, docs/contract/events.md), `demo/README.txt`
and `demo/sellers.csv` (each seller's behaviour profile: the ground truth to test against).
Arrays all the way: about 50 events per seller and day, a million events in a few seconds.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from servicenorm.demo.build import ALL, Demo, build
from servicenorm.demo.readme import write_readme
from servicenorm.demo.roster import Skew
from servicenorm.demo.writer import FORMATS, layout, write, write_jsonl

DEFAULT_START = date(2026, 3, 2)  # a Monday; 28 days from it cross the DST change of 29 March
# measured: events written per seller and day (1500 sellers, 28 days); short runs write a
# little less, because replies and shipments that fall after the end are cut off
EVENTS_PER_SELLER_DAY = {"bol": 50.3, "etsy": 48.4, "ebay": 50.7, "swopify": 51.2, ALL: 50.1}


def generate(
    sellers: int,
    days: int,
    out: Path | str,
    preset: str = "bol",
    seed: int = 0,
    start: date = DEFAULT_START,
    fmt: str = "jsonl",
    shuffle: bool = False,
    progress: bool = False,
    command: str = "",
    skew: Skew | None = None,
) -> Path:
    """Write a demo marketplace to `out`; returns the path of the events file."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    with _Progress(progress) as bar:
        demo = build(sellers, days, preset, seed, start, step=bar.step, skew=skew)
        bar.start_writing(_kept(demo))
        path, lay = write(demo, out, fmt, shuffle, advance=bar.advance)
    command = command or (
        f"servicenorm demo generate --sellers {sellers} --days {days} --out {out} --preset {preset} "
        f"--seed {seed} --start {start.isoformat()} --format {fmt}"
        + (" --shuffle" if shuffle else "")
    )
    write_readme(demo, out, path, lay, command)
    return path


def generate_events(
    sellers: int,
    days: int,
    preset: str = "bol",
    seed: int = 0,
    start: date = DEFAULT_START,
    shuffle: bool = False,
) -> Iterator[dict[str, Any]]:
    """The same events as `generate`, as dicts in memory (for small runs in tests)."""
    demo = build(sellers, days, preset, seed, start)
    buf = io.BytesIO()
    write_jsonl(demo, layout(demo, shuffle), buf, lambda _: None)
    for line in buf.getvalue().splitlines():
        yield orjson.loads(line)


def estimate_events(sellers: int, days: int, preset: str = "bol") -> int:
    """Roughly how many events `generate` writes (within about 10 % for 20+ sellers)."""
    return int(sellers * days * EVENTS_PER_SELLER_DAY.get(preset, 48.0))


def sellers_for(events: int, days: int, preset: str = "bol") -> int:
    """How many sellers give about `events` events over `days` days (for benchmarks)."""
    return max(1, math.ceil(events / (days * EVENTS_PER_SELLER_DAY.get(preset, 48.0))))


def _kept(demo: Demo) -> int:
    end = demo.end_us
    return sum(int((b.at < end).sum()) for b in demo.blocks)


class _Progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("generating", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def step(self, what: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"generating {what}")

    def start_writing(self, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description="writing events", total=total, completed=0)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)


__all__ = [
    "DEFAULT_START",
    "FORMATS",
    "Skew",
    "estimate_events",
    "generate",
    "generate_events",
    "sellers_for",
]
