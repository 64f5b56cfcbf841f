"""`servicenorm demo generate`: a realistic demo marketplace event log."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Demo data: a realistic marketplace event log for trying servicenorm.",
    no_args_is_help=True,
)

PROGRESS_FROM = 200_000  # events; smaller runs finish before a bar is worth drawing


@app.command()
def generate(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="directory to write events.<format>, README.txt and sellers.csv to"
        ),
    ],
    sellers: Annotated[
        int,
        typer.Option(
            "--sellers", min=1, help="number of sellers (about 50 events per seller and day)"
        ),
    ] = 20,
    days: Annotated[int, typer.Option("--days", min=1, help="length of the period in days")] = 28,
    preset: Annotated[
        str, typer.Option("--preset", help="bol, etsy, ebay, swopify, or all (sellers of all four)")
    ] = "bol",
    seed: Annotated[int, typer.Option("--seed", help="the same seed gives the same file")] = 0,
    start: Annotated[
        str,
        typer.Option("--start", help="first day, YYYY-MM-DD (local midnight in the preset's zone)"),
    ] = "2026-03-02",
    fmt: Annotated[str, typer.Option("--format", help="jsonl, jsonl.gz or parquet")] = "jsonl",
    shuffle: Annotated[
        bool, typer.Option("--shuffle", help="write events in random order instead of by time")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="no progress bar, no summary")
    ] = False,
) -> None:
    """Write a demo marketplace event log (event contract) plus README.txt describing it."""
    from servicenorm.demo import estimate_events
    from servicenorm.demo import generate as run

    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        raise ValueError(f"--start {start!r} is not a date such as 2026-03-02") from None
    command = (
        "servicenorm demo " + " ".join(sys.argv[sys.argv.index("generate") :])
        if "generate" in sys.argv
        else ""
    )
    big = estimate_events(sellers, days, preset) >= PROGRESS_FROM
    path = run(
        sellers,
        days,
        out,
        preset=preset,
        seed=seed,
        start=first_day,
        fmt=fmt,
        shuffle=shuffle,
        progress=big and not quiet,
        command=command,
    )
    if not quiet:
        readme = path.parent / "README.txt"
        total = next(
            (
                line.split()[-1]
                for line in readme.read_text(encoding="utf-8").splitlines()
                if line.strip().startswith("total")
            ),
            "?",
        )
        typer.echo(f"wrote {path} ({total} events) and {readme}", err=True)
