"""`servicenorm simulate` and `servicenorm enforce run|apply|status|lift|deliver`.

`simulate` touches no database: it replays a period's scheduled evaluations for the current
preset and a candidate policy and lists what would differ. The `enforce` commands work on the
store (SERVICENORM_DATABASE_URL, default SQLite under the data directory).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from servicenorm.bootstrap import Container
    from servicenorm.events import EventLog
    from servicenorm.metrics import Window
    from servicenorm.policy import Policy

app = typer.Typer(
    help="Enforcement: scheduled evaluations, restrictions, badges, notifications.",
    no_args_is_help=True,
)

NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="act as of this instant (ISO 8601 with offset); default: now"),
]


def register(root: typer.Typer) -> None:
    """Add `enforce ...` and the top-level `simulate` to the root command."""
    root.add_typer(app, name="enforce")
    root.command("simulate")(simulate)


def _container() -> Container:
    """The store's commands run on the composition root's container (migrated to every
    branch's head, the policy directory, mail settings, the clock)."""
    from servicenorm.bootstrap import bootstrap
    from servicenorm.settings import Settings

    return bootstrap(Settings())


def _now(c: Container, text: str | None) -> datetime:
    from servicenorm.clock import parse_instant

    return parse_instant(text, "--now") if text else c.clock()


def simulate(
    policy: Annotated[
        Path,
        typer.Option("--policy", help="the candidate policy file (a changed copy of a preset)"),
    ],
    events: Annotated[
        Path, typer.Option("--events", help="past events: .jsonl, .jsonl.gz or .parquet")
    ],
    start: Annotated[
        str, typer.Option("--from", help="first local date of the period (inclusive)")
    ],
    end: Annotated[str, typer.Option("--to", help="local date after the period (exclusive)")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="see events up to this instant; default: the end of the period"
        ),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="the current preset or policy file; "
            "default: the preset the candidate is named after",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    engine: Annotated[str, typer.Option("--engine", help="duckdb or spark")] = "duckdb",
) -> None:
    """Which sellers would gain or lose findings, actions and badges under a changed policy."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from servicenorm.cli.eventlog import load_log
    from servicenorm.clock import parse_instant
    from servicenorm.enforce.simulate import simulate as run
    from servicenorm.policy import PRESETS, load_policy

    if fmt not in ("table", "json"):
        raise ValueError(f"--format must be table or json, not {fmt!r}")
    candidate = load_policy(str(policy))
    if against is None:
        if candidate.name not in PRESETS:
            raise ValueError(
                f"{policy} is named {candidate.name!r}, not a shipped preset: give --against PRESET"
            )
        against = candidate.name
    current = load_policy(against)
    try:
        frm, to = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ValueError("--from and --to are dates YYYY-MM-DD") from None
    if to <= frm:
        raise ValueError("--to must be after --from")
    t = (
        parse_instant(as_of, "--as-of")
        if as_of
        else datetime(to.year, to.month, to.day, tzinfo=ZoneInfo(current.zone))
    )
    log = load_log(events, strict=False)
    diffs, now_out, _ = run(log, current, candidate, frm, to, t, engine)
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "current": current.name,
                    "candidate": str(policy),
                    "from": start,
                    "to": end,
                    "as_of": t.isoformat(),
                    "sellers": len(now_out),
                    "differences": [d.as_dict() for d in diffs],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        return
    console = Console()
    if not diffs:
        console.print(
            f"No differences: {policy} gives the same findings, actions and badges as "
            f"{current.name} "
            f"for {len(now_out)} sellers."
        )
        return
    table = Table(
        title=f"{policy} against {current.name}, {start} .. {end}: "
        f"{len(diffs)} of {len(now_out)} sellers differ"
    )
    for col in (
        "seller",
        "gains findings",
        "loses findings",
        "gains actions",
        "loses actions",
        "badge",
    ):
        table.add_column(col)
    for d in diffs:
        badge = "" if d.badge_now == d.badge_then else f"{d.badge_now} -> {d.badge_then}"
        table.add_row(
            d.seller,
            ", ".join(d.gained_findings),
            ", ".join(d.lost_findings),
            ", ".join(d.gained_actions),
            ", ".join(d.lost_actions),
            badge,
        )
    console.print(table)


@app.command("run")
def run_cmd(
    now: NowOpt = None,
    deliver: Annotated[bool, typer.Option(help="also send due e-mails (SMTP settings)")] = True,
) -> None:
    """Run the due evaluations and continuous enforcement once (what `serve` does every minute)."""
    from servicenorm.enforce.worker import tick

    c = _container()
    mail = c.mail_settings()
    transport = c.transport() if deliver else None
    report, delivered = tick(
        c.sessions,
        _now(c, now),
        transport,
        mail.sender,
        mail.batch,
        c.settings.metric_engine,
        c.live_store(),
    )
    for market, cadence, period, outcome in report.runs:
        typer.echo(f"{market} {cadence} {period}: {outcome}")
    for market, changed in report.changed.items():
        typer.echo(
            f"{market}: {len(changed.new_events)} sellers with new events, "
            f"{len(changed.deadlines)} with a deadline passed since the last round; "
            f"{len(report.evaluated.get(market, []))} evaluated"
        )
    typer.echo(
        f"expired {report.expired}, takeovers {report.takeovers}, absences {report.absences}, "
        f"badge changes {report.badge_events}"
    )
    if delivered is not None:
        typer.echo(
            f"mail: sent {delivered.sent}, retry {delivered.retry}, failed {delivered.failed}"
        )
    for e in report.errors:
        typer.echo(f"error: {e}", err=True)
    if report.errors:
        raise typer.Exit(1)


@app.command("apply")
def apply_cmd(
    preset: Annotated[
        str, typer.Option("--preset", help="the marketplace's preset or policy file")
    ],
    events: Annotated[
        Path, typer.Option("--events", help="event log: .jsonl, .jsonl.gz or .parquet")
    ],
    start: Annotated[str | None, typer.Option("--from")] = None,
    end: Annotated[str | None, typer.Option("--to")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    badges: Annotated[
        bool,
        typer.Option("--badges", help="evaluate the badge over this window instead of the ladder"),
    ] = False,
) -> None:
    """Apply one evaluation of an event file to the store (`evaluate --apply` by hand)."""
    from servicenorm.cli.eventlog import load_log, resolve_window
    from servicenorm.policy import load_policy

    policy = load_policy(preset)
    w = resolve_window(policy, start, end, as_of)
    log = load_log(events, strict=False)
    typer.echo(json.dumps(apply_log(log, policy, w, badges)))


def apply_log(log: EventLog, policy: Policy, w: Window, badges: bool = False) -> dict[str, Any]:
    """One evaluation of a log applied to the store: findings, ladder steps or badges, mail.
    Idempotent: the same evaluation applied twice acts once."""
    from servicenorm.enforce.apply import apply_evaluation
    from servicenorm.enforce.evaluation import evaluate_policy

    rep, found = evaluate_policy(log, policy, w.start, w.end, w.as_of)
    countries = {
        str(r["seller"]): str(r["country"]) for r in log.tables["seller_registered"].to_pylist()
    }
    c = _container()
    with c.sessions() as s:
        res = apply_evaluation(
            s,
            rep,
            found,
            policy,
            w.as_of,
            now=_now(c, None),
            log=log,
            badges=badges,
            ladder=not badges,
            countries=countries,
        )
        s.commit()
    summary: dict[str, Any] = res.summary()
    return summary


@app.command("status")
def status(
    seller: Annotated[
        str | None, typer.Option("--seller", help="one seller: restrictions, badges, actions")
    ] = None,
    now: NowOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Restrictions in force, badges, recent runs and the outbox."""
    from servicenorm.enforce.actions import actions_of, in_force
    from servicenorm.enforce.badges import badges_of
    from servicenorm.enforce.schedule import runs
    from servicenorm.notify.sender import outbox_counts

    c = _container()
    t = _now(c, now)
    with c.sessions() as s:
        force = in_force(s, t, [seller] if seller else None)
        data: dict[str, Any] = {
            "at": t.isoformat(),
            "restrictions": [
                {
                    "id": a.id,
                    "seller": a.seller_id,
                    "kind": a.kind,
                    "reason": a.reason,
                    "start": a.start_at.isoformat(),
                    "end": a.end_at.isoformat() if a.end_at else "until lifted",
                }
                for a in force
            ],
            "outbox": outbox_counts(s),
            "runs": [
                {
                    "marketplace": r.marketplace,
                    "cadence": r.cadence,
                    "period": r.period,
                    "state": r.state,
                    "error": r.last_error,
                }
                for r in runs(s, limit=10)
            ],
        }
        if seller:
            data["badges"] = [
                {"badge": b.badge, "status": b.status, "reason": b.reason}
                for b in badges_of(s, seller)
            ]
            data["actions"] = [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "state": a.state,
                    "start": a.start_at.isoformat(),
                    "reason": a.reason,
                }
                for a in actions_of(s, seller)
            ]
    if fmt == "json":
        typer.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    console = Console()
    table = Table(title=f"restrictions in force at {data['at']}")
    for col in ("id", "seller", "kind", "since", "until", "reason"):
        table.add_column(col)
    for r in data["restrictions"]:
        table.add_row(r["id"], r["seller"], r["kind"], r["start"], r["end"], r["reason"])
    console.print(table)
    console.print(f"outbox: {data['outbox'] or 'empty'}")
    for key in ("badges", "actions"):
        for row in data.get(key, []):
            console.print(f"{key[:-1]}: {row}")


@app.command("lift")
def lift(
    action_id: Annotated[str, typer.Argument(help="the restriction's id (see `enforce status`)")],
    reason: Annotated[str, typer.Option("--reason", help="why it is lifted (the seller reads it)")],
    by: Annotated[
        str, typer.Option("--by", help="who lifts it (recorded in the audit trail)")
    ] = "operator",
    now: NowOpt = None,
) -> None:
    """Lift a restriction (and what it extended to linked shops); the seller is told."""
    from servicenorm.enforce.enforce_tables import Action
    from servicenorm.enforce.operator import lift as lift_it
    from servicenorm.policy import load_policy

    c = _container()
    t = _now(c, now)
    with c.sessions() as s:
        row = s.get(Action, action_id)
        if row is None:
            raise ValueError(f"no action {action_id!r}")
        lifted = lift_it(
            c.notifier(s, load_policy(row.policy), t), action_id, at=t, by=by, reason=reason
        )
        s.commit()
    typer.echo(f"lifted {', '.join(a.id for a in lifted)}")


@app.command("deliver")
def deliver(now: NowOpt = None) -> None:
    """Send the due e-mails of the outbox once (SERVICENORM_SMTP_* settings)."""
    from servicenorm.notify import deliver_due

    c = _container()
    mail, transport = c.mail_settings(), c.transport()
    if transport is None:
        raise ValueError("no SMTP host configured: set SERVICENORM_SMTP_HOST")
    rep = deliver_due(c.sessions, transport, _now(c, now), sender=mail.sender, limit=mail.batch)
    typer.echo(f"sent {rep.sent}, retry {rep.retry}, failed {rep.failed}")
    for e in rep.errors:
        typer.echo(f"  {e}", err=True)
