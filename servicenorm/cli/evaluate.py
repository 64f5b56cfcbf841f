"""`servicenorm evaluate` and `servicenorm explain`: metrics per seller, and the items behind them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from servicenorm.cli.eventlog import load_log, resolve_window

if TYPE_CHECKING:  # the heavy modules load when a command runs, not on every CLI start
    from servicenorm.events import EventLog
    from servicenorm.metrics import Run, Window
    from servicenorm.policy import Policy

PresetOpt = Annotated[
    str,
    typer.Option("--preset", help="policy preset (bol, etsy, ebay, swopify) or a policy TOML file"),
]
EventsOpt = Annotated[
    str,
    typer.Option(
        "--events",
        help="event log: .jsonl, .jsonl.gz or .parquet; with --engine spark also a directory "
        "or glob of them, on any filesystem Spark reads (hdfs://, s3a://)",
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="first local date of the window (inclusive); default: the preset's window before --to",
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="local date after the window (exclusive); default: the day after the as-of date "
        "(the current window includes the as-of's day, as the pages show it)",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="evaluate as of this instant (ISO 8601 with offset); default: now"
    ),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="stop at the first invalid line (exit status 2)")
]
EngineOpt = Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark")]
MasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL: local[2] (default), spark://host:7077, yarn, k8s://...",
    ),
]
SparkConfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--spark-conf",
        help="key=value passed to Spark as is (repeatable), e.g. spark.executor.memory=4g",
    ),
]


def _run(
    preset: str,
    events: str,
    start: str | None,
    end: str | None,
    as_of: str | None,
    strict: bool,
    engine: str,
    master: str | None,
    keep_text: bool = False,
    spark_conf: list[str] | None = None,
) -> tuple[Policy, Run, EventLog | None]:
    from servicenorm.engines import make_engine
    from servicenorm.metrics import prepare
    from servicenorm.policy import load_policy

    policy = load_policy(preset)
    window = resolve_window(policy, start, end, as_of)
    if engine == "spark":
        run = _cluster_run(str(events), policy, window, strict, master, spark_conf)
        return policy, _refusals(run, strict, ""), None
    if spark_conf:
        raise ValueError("--spark-conf needs --engine spark")
    log = load_log(Path(events), strict, keep_text)
    run = prepare(log, policy, window, make_engine(engine, master))
    return policy, _refusals(run, strict, str(events)), log


def _refusals(run: Run, strict: bool, source: str) -> Run:
    """The lines the marketplace's policy refuses (a `reply_waived` where it allows none):
    printed as invalid lines, left out of the run; the first one stops a --strict run."""
    errors = [e if e.source else replace(e, source=source) for e in run.frame.refused]
    if errors and strict:
        raise ValueError(f"invalid event (--strict): {errors[0]}")
    for err in errors:
        typer.echo(f"{err}", err=True)
    if errors:
        typer.echo(f"{len(errors)} line(s) refused by the {run.frame.policy.name} policy", err=True)
    return run


def _cluster_run(
    events: str,
    policy: Policy,
    window: Window,
    strict: bool,
    master: str | None,
    spark_conf: list[str] | None,
) -> Run:
    """The executors read, validate and de-duplicate the log; the driver prints the first
    invalid lines, builds the clock's tables and gets the per-seller summaries back."""
    from servicenorm.engines.spark.frame import prepare_cluster
    from servicenorm.engines.spark.log import read_log
    from servicenorm.engines.spark.session import parse_conf
    from servicenorm.engines.spark_engine import SparkEngine
    from servicenorm.events import EventError

    engine = SparkEngine(master=master, conf=parse_conf(spark_conf or []))
    try:
        log = read_log(engine.spark, events, strict)
    except EventError as e:
        raise ValueError(f"invalid event (--strict): {e}") from None
    for err in log.errors:
        typer.echo(f"{err}", err=True)
    if log.invalid:
        more = log.invalid - len(log.errors)
        if more > 0:
            typer.echo(f"... and {more} more invalid line(s)", err=True)
        typer.echo(
            f"{log.invalid} invalid line(s) skipped; {log.count_valid()} valid events"
            f"{f', {log.duplicates} duplicate id(s) stored once' if log.duplicates else ''}",
            err=True,
        )
    return prepare_cluster(log, policy, window, engine)


def evaluate(
    preset: PresetOpt,
    events: EventsOpt,
    start: FromOpt = None,
    end: ToOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="json (the contract) or table")] = "table",
    strict: StrictOpt = False,
    engine: EngineOpt = "duckdb",
    spark_master: MasterOpt = None,
    spark_conf: SparkConfOpt = None,
    extended: Annotated[
        bool,
        typer.Option(
            "--extended",
            help="add cases, tenure, surge, shipping flags and message-policy violations (beyond the JSON contract)",
        ),
    ] = False,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="also act on the findings in the store: e-mails, ladder steps (idempotent; see `servicenorm enforce`)",
        ),
    ] = False,
    badges: Annotated[
        bool,
        typer.Option(
            "--badges",
            help="with --apply: evaluate the preset's badge over this window instead of the ladder",
        ),
    ] = False,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="also write the evidence (every metric's items, explain's columns) as Parquet "
            "under this directory, one per metric, partitioned by seller; with --engine spark "
            "the executors write it, so it must be storage they all reach (hdfs://, s3a://)",
        ),
    ] = None,
) -> None:
    """Every seller's service metrics for a window, and the findings against the preset."""
    if fmt not in {"json", "table"}:
        raise ValueError(f"--format must be json or table, not {fmt!r}")
    from servicenorm.metrics import report

    if engine == "spark" and apply:
        raise ValueError("--apply reads the log on this machine: use --engine duckdb")
    policy, run, log = _run(
        preset,
        events,
        start,
        end,
        as_of,
        strict,
        engine,
        spark_master,
        keep_text=extended and engine != "spark",
        spark_conf=spark_conf,
    )
    rep = report(run, extended=extended)
    if out:
        from servicenorm.metrics.evidence import write_evidence

        written = write_evidence(run, out)
        typer.echo(f"evidence written to {out}: {', '.join(written)}", err=True)
    if apply and log is not None:
        from servicenorm.cli.enforce import apply_log

        summary = apply_log(log, policy, run.frame.window, badges)
        typer.echo(f"applied: {json.dumps(summary)}", err=True)
    if fmt == "json":
        typer.echo(json.dumps(rep, indent=1, ensure_ascii=False))
        return
    _print_table(rep, policy)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _print_table(rep: dict[str, Any], policy: Policy) -> None:
    from rich.console import Console
    from rich.table import Table

    from servicenorm.metrics.findings import findings

    console = Console()
    last = date.fromisoformat(rep["window"]["to"]) - timedelta(days=1)
    t = Table(
        title=f"{policy.title}: {rep['window']['from']} to {last} (both days included), "
        f"as of {rep['as_of']}"
    )
    for col in (
        "seller",
        "first response",
        "every message",
        "late weeks",
        "phone",
        "questions/order (norm)",
        "shipped on time",
        "with tracking",
        "reviews",
    ):
        t.add_column(col)
    for s, m in rep["sellers"].items():
        fr, mr, q, sh, rv = (
            m["first_response"],
            m["message_response"],
            m["question_rate"],
            m["shipping"],
            m["reviews"],
        )
        t.add_row(
            s,
            f"{_pct(fr['rate'])} ({fr['on_time']}/{fr['on_time'] + fr['late']}, {fr['pending']} pending)",
            _pct(mr["rate"]),
            str(sum(1 for v in m["weekly_late"].values() if v)),
            "—"
            if m["phone"] is None
            else f"{_pct(m['phone']['rate'])} of {m['phone']['attempts']}",
            "—" if q["rate"] is None else f"{q['rate']:.3f} ({q['norm']:.3f})",
            _pct(sh["rate_on_time"]),
            _pct(sh["rate_on_time_with_tracking"]),
            "—" if rv["average"] is None else f"{rv['average']:.2f} ({rv['count']})",
        )
    console.print(t)
    found = findings(rep, policy)
    if not found:
        console.print("No findings: every seller meets the preset's norms.")
        return
    f = Table(title="Findings against the preset's norms")
    for col in ("seller", "norm", "finding", "in score"):
        f.add_column(col)
    for x in found:
        f.add_row(x.seller, x.norm, x.describe(), "yes" if x.in_score else "no")
    console.print(f)


def _fmt_instant(us: Any, zone: Any) -> str:
    from servicenorm.clock import from_us

    return "" if us is None else from_us(int(us), zone).isoformat(timespec="seconds")


def _fmt_span(us: Any) -> str:
    if us is None:
        return ""
    secs = int(us) // 1_000_000
    return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def explain(
    preset: PresetOpt,
    events: EventsOpt,
    seller: Annotated[str, typer.Option("--seller", help="the seller whose items to list")],
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="first_response, message_response, weekly_late, phone, question_rate, shipping, reviews or cases",
        ),
    ] = "first_response",
    start: FromOpt = None,
    end: ToOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    strict: StrictOpt = False,
    engine: EngineOpt = "duckdb",
    spark_master: MasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """List each item behind a seller's metric (question, received, deadline, reply, working time, status)."""
    from rich.console import Console
    from rich.table import Table

    from servicenorm.metrics import REGISTRY

    if metric not in REGISTRY or REGISTRY[metric].items is None:
        raise ValueError(
            f"unknown metric {metric!r}; explainable: {', '.join(m for m, d in REGISTRY.items() if d.items)}"
        )
    if fmt not in {"table", "csv", "json"}:
        raise ValueError(f"--format must be table, csv or json, not {fmt!r}")
    policy, run, _ = _run(
        preset, events, start, end, as_of, strict, engine, spark_master, spark_conf=spark_conf
    )
    if seller not in run.frame.sellers:
        raise ValueError(
            f"seller {seller!r} is not registered with {policy.name} (as of the evaluation)"
        )
    rows = explain_rows(run, metric, seller)
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    else:
        t = Table(title=f"{seller}: {metric} ({len(rows)} items)")
        for col in rows[0] if rows else ["item"]:
            t.add_column(col)
        for r in rows:
            t.add_row(*("" if v is None else str(v) for v in r.values()))
        Console().print(t)


def explain_rows(run: Run, metric: str, seller: str) -> list[dict[str, Any]]:
    """The evidence of one metric for one seller, instants in the preset's zone."""
    import numpy as np

    from servicenorm.metrics import REGISTRY

    frame = run.frame
    zone = ZoneInfo(frame.policy.zone)
    raw = sorted(
        run.items(REGISTRY[metric], seller),
        key=lambda r: (r.get("received") or r.get("placed") or 0, str(r["item"])),
    )
    if metric in {"first_response", "message_response", "weekly_late"} and raw:
        cal = frame.calendars[int(raw[0]["resp_cal"])]
        allow = frame.params()["allow"]
        deadlines = cal.deadline_us(
            np.array([int(r["received"]) for r in raw], dtype=np.int64), allow
        )
        return [
            {
                "item": r["item"],
                "event_id": r["event_id"],
                "received": _fmt_instant(r["received"], zone),
                "deadline": _fmt_instant(int(d), zone),
                "first_reply" if metric != "message_response" else "reply": _fmt_instant(
                    r["replied"], zone
                ),
                "working_time": _fmt_span(
                    r["wt_reply"] if r["replied"] is not None else r["wt_as_of"]
                ),
                "status": r["status"],
            }
            for r, d in zip(raw, deadlines, strict=True)
        ]
    out = []
    for r in raw:
        row = {
            k: v for k, v in r.items() if k not in {"seller", "resp_cal", "received_h", "replied_h"}
        }
        for k in ("received", "placed", "ship_by", "shipped", "scanned"):
            if k in row:
                row[k] = _fmt_instant(row[k], zone)
        out.append(row)
    return out
