"""`servicenorm serve`: the API (and pages) with uvicorn; `--demo` loads demo data first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from servicenorm.cli.errors import UsageError

DEMO_BUILTIN = "builtin"
DEMO_MARK = "servicenorm.db.demo"  # next to a data directory's database that the demo made


def demo_database(data_dir: Path) -> Path:
    """The demo's store: the data directory's own database (`DIR/servicenorm.db`), the one
    every other command reads by default, so `servicenorm queue` finds the demo's sellers.
    Made afresh at each demo start; a database the demo did not make is never replaced."""
    db = (data_dir / "servicenorm.db").resolve()
    mark = data_dir / DEMO_MARK
    if db.exists() and not mark.exists():
        raise UsageError(
            f"{db} holds data that is not the demo's: give the demo another data directory "
            "(--data DIR or SERVICENORM_DATA_DIR)"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    mark.write_text("made by servicenorm serve --demo; replaced at the next demo start\n")
    return db


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0 = any free port)")] = 8000,
    demo_flag: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="load demo data into a fresh SQLite file under the data directory: "
            "alone the built-in "
            "demo, or `--demo DIR` the .jsonl event files of DIR",
        ),
    ] = False,
    demo_dir: Annotated[
        Path | None,
        typer.Argument(metavar="[DIR]", help="with --demo: a directory of .jsonl event files"),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="the data directory (default: SERVICENORM_DATA_DIR or ./data); "
            "--demo keeps its database there",
        ),
    ] = None,
    enforce_every: Annotated[
        float,
        typer.Option(
            "--enforce-every",
            help="seconds between enforcement rounds "
            "(scheduled evaluations, takeovers, absences, e-mail); 0 = off",
        ),
    ] = 60.0,
) -> None:
    """Start the helpdesk API; OpenAPI docs at /docs."""
    if demo_dir is not None and not demo_flag:
        raise ValueError(
            f"{demo_dir}: a directory is only read with --demo (servicenorm serve --demo DIR)"
        )
    demo = None if not demo_flag else (str(demo_dir) if demo_dir is not None else DEMO_BUILTIN)
    import uvicorn

    from servicenorm.bootstrap import bootstrap
    from servicenorm.settings import Settings
    from servicenorm.web.app import create_app

    settings = Settings()
    if data is not None:
        settings = settings.model_copy(update={"data_dir": data})
    if demo is not None and settings.database_url is not None:
        # demo data and its public operator token never go into a configured database
        raise UsageError(
            "--demo writes its data into a fresh SQLite file of its own in the data directory, "
            "never into SERVICENORM_DATABASE_URL: unset it to run the demo"
        )
    if demo is not None:
        db = demo_database(settings.data_dir)
        settings = settings.model_copy(update={"database_url": f"sqlite:///{db}"})
    container = bootstrap(settings)
    tokens: dict[str, str] = {}
    if demo is not None:
        from servicenorm.demo.store_seed import load_builtin, load_directory

        now = container.clock()
        with container.sessions() as s:
            logins = (
                load_builtin(s, container.pepper, now)
                if demo == DEMO_BUILTIN
                else load_directory(s, Path(demo), container.pepper, now)
            )
            s.commit()
        tokens = logins.tokens
        if logins.report is not None:
            r = logins.report
            typer.echo(
                f"demo data: {r.accepted} events accepted, {r.duplicates} duplicates, "
                f"{len(r.errors)} rejected"
            )
            for e in r.errors[:5]:
                typer.echo(f"  line {e.line}: field {e.field}: {e.reason}")
    app = create_app(settings, container=container)
    worker = None
    # daily/weekly/monthly evaluations on the presets' schedules, and e-mail from the outbox
    worker = container.worker(interval=enforce_every).start() if enforce_every > 0 else None
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)

    original_startup = server.startup

    async def startup(sockets: object = None) -> None:
        await original_startup(sockets=sockets)  # type: ignore[arg-type]
        bound = port
        for srv in getattr(server, "servers", []):
            for sock in srv.sockets:
                bound = sock.getsockname()[1]
        base = f"http://{host}:{bound}"
        typer.echo(f"servicenorm is running on {base}")
        typer.echo(f"  API documentation (OpenAPI): {base}/docs")
        typer.echo(f"  database: {settings.resolved_database_url}")
        if worker is not None:
            typer.echo(
                f"  enforcement: a round every {enforce_every:g} s (servicenorm enforce status)"
            )
        for who, token in tokens.items():
            typer.echo(f"  web page for {who}: {base}/ui/login#token={token}")
        if tokens:
            default_dir = Settings().data_dir.resolve()
            moved = data is not None and data.resolve() != default_dir
            env = f"SERVICENORM_DATA_DIR={settings.data_dir} " if moved else ""
            seller = next((w.split(" ", 1)[1] for w in tokens if w.startswith("seller ")), "")
            if seller:
                typer.echo(
                    f"  the queue from the command line: {env}servicenorm queue --seller {seller}"
                )
        for who, token in tokens.items():
            typer.echo(f"  token for {who}: {token}")
        if tokens:
            typer.echo(
                "  try: curl -H 'Authorization: Bearer "
                f"{tokens.get('operator', '')}' {base}/sellers"
            )
        typer.echo("Press Ctrl+C to stop.", nl=True)

    server.startup = startup  # type: ignore[method-assign]
    try:
        server.run()
    finally:
        if worker is not None:
            worker.stop()
