"""`servicenorm report complaints` (P2B Art. 11(4), DSA Art. 15) and `servicenorm enforce
statements` (the DSA Transparency Database export, Art. 24(5)), both on the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

report_app = typer.Typer(help="Yearly figures from the store.", no_args_is_help=True)


def register(root: typer.Typer, enforce: typer.Typer) -> None:
    root.add_typer(report_app, name="report")
    enforce.command("statements")(statements)


@report_app.command("complaints")
def complaints(
    year: Annotated[int, typer.Option("--year", help="complaints filed in this year (UTC)")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    marketplace: Annotated[
        str | None, typer.Option("--marketplace", help="one marketplace; default: all")
    ] = None,
) -> None:
    """Complaints, their main types, handling time (average, median) and outcomes."""
    from sqlalchemy import select

    from servicenorm.cli.enforce import _container
    from servicenorm.enforce.complaint_report import ComplaintFacts, figures
    from servicenorm.enforce.enforce_tables import Complaint
    from servicenorm.store.tables import Seller

    if fmt not in ("table", "json"):
        raise ValueError(f"--format must be table or json, not {fmt!r}")
    if not 2000 <= year <= 2100:
        raise ValueError(f"--year {year} is not a plausible year")
    with _container().sessions() as s:
        q = select(Complaint)
        if marketplace is not None:
            q = q.join(Seller, Seller.id == Complaint.seller_id).where(
                Seller.marketplace_id == marketplace
            )
        rows = [
            ComplaintFacts(c.kind, c.reason_code, c.filed_at, c.decided_at, c.outcome)
            for c in s.scalars(q)
        ]
    data = figures(year, rows)
    if marketplace is not None:
        data["marketplace"] = marketplace
    if fmt == "json":
        typer.echo(json.dumps(data, indent=1))
        return
    t = Table(title=f"Complaints {year}")
    t.add_column("figure")
    t.add_column("value", justify="right")
    for k in ("complaints", "decided", "open"):
        t.add_row(k, str(data[k]))
    for o, n in data["outcomes"].items():
        t.add_row(f"outcome {o}", str(n))
    for k, v in data["handling_hours"].items():
        t.add_row(f"handling hours, {k}", "-" if v is None else f"{v:.2f}")
    d15 = data["dsa_art_15"]
    t.add_row(
        "DSA Art. 15 median hours",
        "-"
        if d15["median_hours_to_decision"] is None
        else f"{d15['median_hours_to_decision']:.2f}",
    )
    t.add_row("DSA Art. 15 reversed", str(d15["reversed"]))
    for row in data["main_types"]:
        t.add_row(f"type {row['type']}", str(row["complaints"]))
    Console().print(t)


def statements(
    out: Annotated[Path, typer.Option("--out", help="the JSONL file to write")],
    fmt: Annotated[
        str, typer.Option("--format", help="tdb: the DSA Transparency Database")
    ] = "tdb",
    start: Annotated[
        str | None, typer.Option("--from", help="first date of the decisions (UTC, inclusive)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="date after the decisions (UTC, exclusive)")
    ] = None,
    batch_dir: Annotated[
        Path | None,
        typer.Option("--batch-dir", help="also write files of at most 100 objects for submission"),
    ] = None,
) -> None:
    """The statements of reasons in DSA scope as Transparency Database objects (DSA Art.
    24(5)), each validated before anything is written. No network call: submit the files."""
    from datetime import UTC, date, datetime

    from sqlalchemy import select

    from servicenorm.cli.enforce import _container
    from servicenorm.enforce.enforce_tables import Statement
    from servicenorm.enforce.tdb import BATCH, tdb_object, validate

    if fmt != "tdb":
        raise ValueError(f"--format must be tdb, not {fmt!r}")

    def day(text: str | None, flag: str) -> datetime | None:
        if text is None:
            return None
        try:
            d = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{flag} is a date YYYY-MM-DD, not {text!r}") from None
        return datetime(d.year, d.month, d.day, tzinfo=UTC)

    lo, hi = day(start, "--from"), day(end, "--to")
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError("--to must be after --from")
    objects = []
    with _container().sessions() as s:
        q = select(Statement).where(Statement.dsa.is_(True))
        if lo is not None:
            q = q.where(Statement.stated_at >= lo)
        if hi is not None:
            q = q.where(Statement.stated_at < hi)
        for st in s.scalars(q.order_by(Statement.stated_at, Statement.id)):
            obj = tdb_object(
                st.id, st.content, st.kind, st.reason_code, st.stated_at, st.start_at, st.end_at
            )
            errs = validate(obj)
            if errs:
                raise ValueError(f"statement {st.id}: {'; '.join(errs)}")
            objects.append(obj)
    lines = [json.dumps(o, ensure_ascii=False, sort_keys=True) for o in objects]
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    files = 0
    if batch_dir is not None:
        batch_dir.mkdir(parents=True, exist_ok=True)
        for i in range(0, len(lines), BATCH):
            files += 1
            part = batch_dir / f"statements-{files:04d}.jsonl"
            part.write_text("".join(line + "\n" for line in lines[i : i + BATCH]), encoding="utf-8")
    typer.echo(
        f"{len(objects)} statements written to {out}"
        + (f" and {files} batch file(s) in {batch_dir}" if batch_dir is not None else ""),
        err=True,
    )
