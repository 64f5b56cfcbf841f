"""`servicenorm calendar ...`: deadlines, working time and opening hours (CLI contract)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from servicenorm.clock import Calendar

app = typer.Typer(
    help="Working-time calendars: deadlines, working time, opening hours.", no_args_is_help=True
)

PresetOpt = Annotated[
    str | None,
    typer.Option("--preset", help="policy preset (bol, etsy, ebay, swopify) or a policy file"),
]
CountryOpt = Annotated[
    str | None,
    typer.Option(
        "--country",
        help="seller's country of establishment (ISO 3166, e.g. NL, BE); selects the holiday set",
    ),
]
NormOpt = Annotated[
    str, typer.Option("--norm", help="which of the preset's calendars: response or phone")
]
CalendarOpt = Annotated[
    Path | None, typer.Option("--calendar", help="a calendar TOML file instead of a preset")
]


def resolve_calendar(
    preset: str | None, country: str | None, norm: str, calendar: Path | None
) -> Calendar:
    from servicenorm.clock import load_calendar
    from servicenorm.policy import load_policy

    if calendar is not None:
        if preset is not None:
            raise ValueError("give either --preset or --calendar, not both")
        return load_calendar(calendar)
    if preset is None:
        raise ValueError("give --preset NAME (with --country) or --calendar FILE")
    policy = load_policy(preset)
    if norm == "response":
        return policy.response_calendar(country)
    if norm == "phone":
        return policy.phone_calendar(country)
    raise ValueError(f"--norm must be response or phone, not {norm!r}")


@app.command()
def deadline(
    start: Annotated[str, typer.Argument(help="when the clock starts, ISO 8601 with offset")],
    duration: Annotated[str, typer.Argument(help="working time allowed: 8h, 1h30m, 90s")],
    preset: PresetOpt = None,
    country: CountryOpt = None,
    norm: NormOpt = "response",
    calendar: CalendarOpt = None,
) -> None:
    """Print the last instant at which a reply is still within DURATION of working time."""
    from servicenorm.clock import parse_duration, parse_instant

    cal = resolve_calendar(preset, country, norm, calendar)
    allowance = parse_duration(duration)
    t = parse_instant(start, "start")
    typer.echo(cal.deadline(t, allowance).isoformat(timespec="seconds"))


@app.command("working-time")
def working_time(
    start: Annotated[str, typer.Argument(help="ISO 8601 with offset")],
    end: Annotated[str, typer.Argument(help="ISO 8601 with offset")],
    preset: PresetOpt = None,
    country: CountryOpt = None,
    norm: NormOpt = "response",
    calendar: CalendarOpt = None,
) -> None:
    """Print the working time between START and END in whole seconds."""
    from servicenorm.clock import parse_instant

    cal = resolve_calendar(preset, country, norm, calendar)
    wt = cal.working_time(parse_instant(start, "start"), parse_instant(end, "end"))
    typer.echo(int(wt.total_seconds()))


@app.command("is-open")
def is_open(
    at: Annotated[str, typer.Argument(help="ISO 8601 with offset")],
    preset: PresetOpt = None,
    country: CountryOpt = None,
    norm: NormOpt = "response",
    calendar: CalendarOpt = None,
) -> None:
    """Print `open` or `closed`, and when closed the next opening; exit status 0 either way."""
    from servicenorm.clock import parse_instant

    cal = resolve_calendar(preset, country, norm, calendar)
    t = parse_instant(at, "time")
    if cal.is_open(t):
        typer.echo("open")
    else:
        typer.echo(f"closed, opens {cal.next_open(t).isoformat(timespec='seconds')}")


@app.command()
def show(
    preset: PresetOpt = None,
    country: CountryOpt = None,
    norm: NormOpt = "response",
    calendar: CalendarOpt = None,
    year: Annotated[
        int | None, typer.Option(help="year whose holidays to list (default: this year)")
    ] = None,
) -> None:
    """Show a calendar: zone, weekly hours and the closed days of a year."""
    if year is None:
        from servicenorm.bootstrap import current_instant

        year = current_instant().year
    from rich.console import Console
    from rich.table import Table

    cal = resolve_calendar(preset, country, norm, calendar)
    console = Console()
    hours = Table(title=f"{cal.name or 'calendar'} — {cal.zone_name}")
    hours.add_column("day")
    hours.add_column("hours")
    for day, spans in cal.describe()["hours"].items():  # type: ignore[attr-defined]
        hours.add_row(day, ", ".join(f"{s}-{e}" for s, e in spans))
    console.print(hours)
    closed = Table(title=f"closed days {year} ({', '.join(cal.holiday_sets) or 'no holiday sets'})")
    closed.add_column("date")
    closed.add_column("day")
    closed.add_column("name")
    for d, name in sorted(cal.holidays(range(year, year + 1)).items()):
        closed.add_row(d.isoformat(), d.strftime("%a"), name)
    console.print(closed)
