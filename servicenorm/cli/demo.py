"""The demo commands. `servicenorm demo generate`: a realistic demo marketplace event log.
`servicenorm run-demo`: what `make run` starts. The bol calendars and live deadlines, the
metrics of a demo marketplace that runs up to today, then the helpdesk API and pages on that
same marketplace (`serve --demo DIR`), with logins for the operator, its busiest sellers, a
staff member, customer service and a buyer. The demo data itself: `servicenorm.demo`."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

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


def demo_period(now: datetime, zone: str) -> tuple[date, int]:
    """The demo marketplace's first day and length: from a Monday about five weeks back up to
    today's midnight in `zone`, so yesterday's last questions still wait in the queue."""
    today = now.astimezone(ZoneInfo(zone)).date()
    start = today - timedelta(days=35)
    start -= timedelta(days=start.weekday())
    return start, (today - start).days


def run_demo(
    port: Annotated[int, typer.Option(help="TCP port for the server")] = 8000,
    data: Annotated[
        Path,
        typer.Option(
            help="the data directory: the demo marketplace's events go to DIR/demo-marketplace, "
            "its database to DIR/servicenorm.db (what `servicenorm queue` and the other "
            "commands read with SERVICENORM_DATA_DIR=DIR; ./data is their default)"
        ),
    ] = Path("data"),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="start the server afterwards")
    ] = True,
) -> None:
    """Show the bol calendars and live deadlines, evaluate a demo marketplace, then serve."""
    from rich.console import Console
    from rich.table import Table

    from servicenorm.bootstrap import current_instant
    from servicenorm.policy import load_preset

    console = Console()
    now = current_instant()
    bol = load_preset("bol")
    t = Table(title=f"bol.com response clock: a question received now ({now:%Y-%m-%d %H:%M} UTC)")
    for col in (
        "seller in",
        "open now",
        "answer on time until (8 working hours)",
        "working time left",
    ):
        t.add_column(col)
    for country in ("NL", "BE"):
        cal = bol.response_calendar(country)
        deadline = cal.deadline(now, bol.response.allowance)
        t.add_row(
            country,
            "yes" if cal.is_open(now) else f"no, opens {cal.next_open(now):%a %d %b %H:%M}",
            deadline.isoformat(timespec="seconds"),
            str(cal.working_time(now, deadline)),
        )
    console.print(t)
    year = now.year
    h = Table(
        title=f"Closed days {year}: bol response calendar "
        "(NL sellers: NL-Atw + BE-legal; BE sellers: BE-legal)"
    )
    h.add_column("date")
    h.add_column("holiday")
    for d, name in sorted(bol.response_calendar("NL").holidays(range(year, year + 1)).items()):
        h.add_row(f"{d:%a %Y-%m-%d}", name)
    console.print(h)

    from servicenorm.cli.evaluate import _print_table
    from servicenorm.cli.eventlog import resolve_window
    from servicenorm.demo import generate
    from servicenorm.engines.duckdb_engine import DuckDBEngine
    from servicenorm.events import read_events
    from servicenorm.metrics import prepare, report

    start, days = demo_period(now, bol.zone)
    market_dir = data / "demo-marketplace"
    path = market_dir / "events.jsonl"
    made = {"preset": "bol", "sellers": 12, "seed": 1, "start": start.isoformat(), "days": days}
    marker = market_dir / "run-demo.json"
    if not path.exists() or not marker.exists() or json.loads(marker.read_text()) != made:
        console.print(
            f"Generating a demo marketplace in {market_dir} ({start:%a %Y-%m-%d} to today) ..."
        )
        generate(sellers=12, days=days, out=market_dir, preset="bol", seed=1, start=start)
        marker.write_text(json.dumps(made) + "\n")
    log = read_events(path)
    # the preset's window (bol: the last 4 weeks) up to today, as evaluate and the pages take it
    window = resolve_window(bol, None, None, now.isoformat())
    run = prepare(log, bol, window, DuckDBEngine())
    _print_table(report(run), bol)
    console.print(
        f"Explain any number: servicenorm explain --preset bol --events {path} --seller SELLER "
        f"--metric first_response --from {window.start} --to {window.end}"
    )
    if serve:
        from servicenorm.cli.serve import serve as serve_cmd

        console.print(f"Serving {path} (servicenorm serve --data {data} --demo {market_dir}) ...")
        serve_cmd(port=port, demo_flag=True, demo_dir=market_dir, data=data)
