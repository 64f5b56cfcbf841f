"""Bulk ingest of two versions of the code, alternating, on one local PostgreSQL.

    python -m bench.ingest_ab --base REV [--rounds 3] [--path dir|batch|stages] [--sellers 12]
                              [--demo DIR] [--only base|new]

The demo marketplace `generate(sellers=S, days=35, preset="bol", seed=1)` is ingested into a
fresh database per run, by the code of git revision REV (`git archive`d into a temporary
directory) and by this checkout's, alternately (base, new, new, base, ...), each run in its
own process (`nice`d): `stages` is `bench_ingest`'s split by stage (serial, no parse thread,
the CPU of this process and of the backend per stage), `dir` is `serve --demo DIR`'s ingest (`demo.store_seed.load_directory`,
one transaction), `batch` is `POST /events/batch` (JSON Lines, 5,000 per request, the ASGI
app in-process). Each run prints its rate, the CPU per event of the ingesting process and of
the PostgreSQL backend serving it (`/proc`), and the load average at its start and end: on a
shared machine the ratio of the two versions in the same run is the figure to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START = date(2026, 3, 2)
NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
TOKEN = "sn_bench_operator"
BATCH = 5000


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child(path: str, url: str, directory: Path) -> dict[str, Any]:
    """One ingest in this process (the code on PYTHONPATH): its figures."""
    from sqlalchemy import create_engine, text

    import servicenorm
    from servicenorm.store.db import make_engine
    from servicenorm.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    backends: list[int] = []

    def pids() -> list[int]:  # the backends of this database (the ingest's is the busy one)
        if not url.startswith("postgresql"):
            return []  # SQLite works in this process: its CPU is in ours
        probe = create_engine(url)
        with probe.connect() as c:
            found = c.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
            mine = int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())
            out = [int(p) for p in found if int(p) != mine]
        probe.dispose()
        return out

    def cpu_of_backends() -> float:
        total = 0.0
        for p in backends:
            with contextlib.suppress(OSError):  # a backend that has ended
                total += _backend_cpu(p)
        return total

    load0 = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    if path == "stages":  # the stage split of bench_ingest (of the code on PYTHONPATH)
        from bench.bench_ingest import _stage_table, _stages

        accepted, split = _stages(url, directory)
        table = _stage_table(accepted, split)
        load = [load0, os.getloadavg()[0]]
        return {"code": str(Path(servicenorm.__file__).parent), "table": table, "load": load}
    if path == "dir":
        from servicenorm.demo.store_seed import load_directory
        from servicenorm.store.db import make_session_factory

        engine = make_engine(url)
        with make_session_factory(engine)() as s:
            s.execute(text("SELECT 1"))
            backends.extend(pids())
            b0 = cpu_of_backends()
            logins = load_directory(s, directory, "bench-pepper", NOW)
            s.commit()
            b1 = cpu_of_backends()
        engine.dispose()
        assert logins.report is not None and not logins.report.errors
        accepted = logins.report.accepted
    else:
        from fastapi.testclient import TestClient

        from servicenorm.settings import Settings
        from servicenorm.web.app import create_app

        files = sorted(directory.glob("*.jsonl"))
        lines = [ln for f in files for ln in f.read_bytes().splitlines()]
        app = create_app(Settings(environment="test", database_url=url, operator_token=TOKEN))
        accepted = 0
        with TestClient(app) as c:
            for i in range(0, len(lines), BATCH):
                r = c.post(
                    "/events/batch",
                    content=b"\n".join(lines[i : i + BATCH]),
                    headers={
                        "Authorization": f"Bearer {TOKEN}",
                        "content-type": "application/x-ndjson",
                    },
                )
                r.raise_for_status()
                accepted += int(r.json()["accepted"])
            backends.extend(pids())  # the pool's backends, all started by this run
            b0, b1 = 0.0, cpu_of_backends()
        app.state.container.engine.dispose()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "code": str(Path(servicenorm.__file__).parent),
        "events": accepted,
        "seconds": wall,
        "rate": accepted / wall,
        "cpu_us": cpu / accepted * 1e6,
        "backend_us": (b1 - b0) / accepted * 1e6,
        "load": [load0, os.getloadavg()[0]],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="main")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--path", choices=("dir", "batch", "stages"), default="dir")
    ap.add_argument("--sellers", type=int, default=12)
    ap.add_argument("--demo", type=Path, help="ingest this directory's JSON Lines instead")
    ap.add_argument("--only", choices=("base", "new"), help="run one version only")
    ap.add_argument("--child", nargs=3, metavar=("PATH", "URL", "DIR"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1], Path(args.child[2]))))
        return

    import sqlalchemy as sa

    from servicenorm.demo import generate
    from servicenorm.store.local_pg import LocalPostgres, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL binaries found")
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "base"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.base], check=True, capture_output=True
        ).stdout
        (Path(d) / "base.tar").write_bytes(archive)
        with tarfile.open(Path(d) / "base.tar") as tar:
            tar.extractall(base, filter="data")
        demo = args.demo or Path(d) / "demo"
        if args.demo is None:
            generate(sellers=args.sellers, days=35, out=demo, preset="bol", seed=1, start=START)
        versions = {f"base ({args.base})": base, "new (this checkout)": ROOT}
        if args.only is not None:
            versions = {k: v for k, v in versions.items() if k.startswith(args.only)}
        pg = LocalPostgres(bindir, durable=True)
        admin_url = pg.start()
        try:
            n = 0
            for r in range(args.rounds):
                order = list(versions.items())
                for name, tree in order if r % 2 == 0 else order[::-1]:
                    n += 1
                    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
                    with admin.connect() as c:
                        c.execute(sa.text(f"CREATE DATABASE ab{n}"))
                    admin.dispose()
                    env = dict(os.environ, PYTHONPATH=f"{tree}:{ROOT}")
                    cmd = ["nice", sys.executable, __file__, "--child", args.path]
                    res = subprocess.run(
                        [*cmd, pg.url(f"ab{n}"), str(demo)],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if res.returncode:
                        raise SystemExit(res.stderr[-3000:])
                    x = json.loads(res.stdout.strip().splitlines()[-1])
                    assert x["code"].startswith(str(tree)), x["code"]
                    if "table" in x:
                        print(f"{name}, load {x['load'][0]:.1f} -> {x['load'][1]:.1f}:")
                        print("\n".join(x["table"]), flush=True)
                        continue
                    print(
                        f"{name}: {x['events']:,} events, {x['seconds']:.2f} s, "
                        f"{x['rate']:,.0f} events/s, {x['cpu_us']:.0f} + "
                        f"{x['backend_us']:.0f} us CPU per event (ingest + backend), "
                        f"load {x['load'][0]:.1f} -> {x['load'][1]:.1f}",
                        flush=True,
                    )
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
