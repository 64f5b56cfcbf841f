"""`servicenorm policy show|check|list`: presets as readable data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Policy presets: show them, check your own policy file.", no_args_is_help=True
)


@app.command("list")
def list_presets() -> None:
    """The shipped presets."""
    from servicenorm.policy import PRESETS, load_preset

    for name in PRESETS:
        p = load_preset(name)
        typer.echo(f"{name:8} {p.title} — {p.source}")


@app.command()
def show(
    preset: Annotated[str, typer.Argument(help="a preset name or a policy file")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Print a preset's norms, calendars and enforcement readably."""
    from rich.console import Console
    from rich.table import Table

    from servicenorm.policy import load_policy

    p = load_policy(preset)
    if fmt == "json":
        typer.echo(json.dumps(p.summary(), indent=1, ensure_ascii=False))
        return
    console = Console()
    console.print(
        f"[bold]{p.title}[/bold] ({p.name}) — zone {p.zone}, window {p.window.days} days\n{p.source}"
    )
    norms = Table(title="Norms")
    for c in ("norm", "value", "source"):
        norms.add_column(c)
    r = p.response
    norms.add_row(
        "response" + (" (every message)" if r.every_message else " (first reply)"),
        f">= {r.target:.0%} within {r.within} on calendar '{r.calendar}'"
        + ("" if r.in_score else " (not in score)"),
        r.source,
    )
    norms.add_row(
        "no reply needed",
        "allowed: a question waived by its deadline leaves the response figures"
        if r.reply_waiver
        else "not allowed: every question needs an answer",
        "docs/events-extensions.md",
    )
    if p.weekly_alert:
        norms.add_row(
            "weekly alert",
            f">= {p.weekly_alert.late_at_least} late questions in an ISO week -> {p.weekly_alert.action}",
            p.weekly_alert.source,
        )
    if p.phone:
        norms.add_row(
            "phone",
            f">= {p.phone.target:.0%} of attempts in hours on '{p.phone.calendar}'",
            p.phone.source,
        )
    if p.question_rate:
        norms.add_row(
            "question rate",
            f"above personal norm x{1 + p.question_rate.tolerance:g} -> {p.question_rate.action}",
            p.question_rate.source,
        )
    if p.shipping.target_on_time or p.shipping.target_on_time_with_tracking:
        norms.add_row(
            "shipping",
            f"on time >= {p.shipping.target_on_time or 0:.0%}, with tracking >= {p.shipping.target_on_time_with_tracking or 0:.0%}",
            p.shipping.source,
        )
    if p.reviews.min_average:
        norms.add_row("reviews", f"average >= {p.reviews.min_average}", p.reviews.source)
    if p.badge:
        b = p.badge
        norms.add_row(
            f"badge: {b.name}",
            f"every {b.every}: response {b.min_response_rate:.0%} in {b.first_response_within}, on time with tracking {b.min_on_time_with_tracking:.0%}, rating {b.min_average_rating}, >= {b.min_orders} orders and {b.min_sales} {b.sales_currency}",
            b.source,
        )
    console.print(norms)
    cals = Table(title="Calendars")
    for c in ("name", "zone", "hours", "holidays", "by country"):
        cals.add_column(c)
    for name, spec in p.calendars.items():
        hours = ", ".join(
            f"{d} {'/'.join(f'{a}-{b}' for a, b in iv)}" for d, iv in spec.hours.items()
        )
        hol = ", ".join(spec.holidays.sets + spec.holidays.countries) or "none"
        byc = "; ".join(
            f"{k}: {', '.join(v.sets + v.countries)}" for k, v in spec.by_country.items()
        )
        cals.add_row(name, spec.zone, hours, hol, byc)
    console.print(cals)
    if p.ladder:
        console.print(
            "Escalation ladder: "
            + " -> ".join(
                s.action + (f" (+{s.after_days}d)" if s.after_days else "") for s in p.ladder.steps
            )
        )


@app.command()
def check(path: Annotated[Path, typer.Argument(help="your policy TOML file")]) -> None:
    """Validate a policy file; prints every problem with its key, exit status 2 when invalid."""
    from servicenorm.policy import load_policy

    p = load_policy(str(path))
    typer.echo(f"{path}: valid policy '{p.name}' ({p.title})")
