"""The live store at marketplace scale (issue 10): page and API latency, the first view after a
post, enforcement rounds, server memory and ingest speed, on the 400-seller bol demo log.

    python -m bench live
    BENCH_LIVE_SELLERS=100 python -m bench live     # a smaller log, same steps

Steps, all against one SQLite file:

1. `servicenorm demo generate --sellers 400 --days 38 --start 2026-10-26` (cached under
   /tmp), split into everything but the last 24 hours and that last day;
2. bulk ingest of the first part through the one writer (`ingest_many`, as `serve --demo
   DIR` does; items and aggregates maintained): events/s;
3. an enforcement round (`run_due_evaluations`, what the server's loop runs) twice at the end
   of the first part: the second is the idle round; then the last day is ingested and a round
   runs at its end (the round after a day of events);
4. `servicenorm serve` in its own process (one uvicorn worker, enforcement loop off), one
   client on loopback: the seller performance page, `GET /sellers/{id}/performance`, the
   seller's queue page and the operator overview, for random sellers; then, for the busiest
   seller, a reply posted through the API followed at once by its page and its API figures
   (the first view after a post); the server's resident memory (VmRSS, peak VmHWM).
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

SELLERS = int(os.environ.get("BENCH_LIVE_SELLERS", "400"))
DAYS, START = 38, "2026-10-26"
SAMPLES = int(os.environ.get("BENCH_LIVE_SAMPLES", "40"))
CACHE = Path(tempfile.gettempdir()) / f"servicenorm-bench-live-{SELLERS}"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log() -> Path:
    out = CACHE / "log"
    if not (out / "events.jsonl").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "servicenorm.cli",
                "demo",
                "generate",
                "--sellers",
                str(SELLERS),
                "--days",
                str(DAYS),
                "--start",
                START,
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out / "events.jsonl"


def _split(path: Path) -> tuple[list[Any], list[Any], datetime, datetime]:
    objs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    last = max(datetime.fromisoformat(o["at"]) for o in objs)
    cut = last - timedelta(days=1)
    head = [o for o in objs if datetime.fromisoformat(o["at"]) < cut]
    tail = [o for o in objs if datetime.fromisoformat(o["at"]) >= cut]
    return head, tail, cut, last


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _ms(xs: list[float]) -> str:
    return f"{_pct(xs, 0.5) * 1000:.0f} / {_pct(xs, 0.95) * 1000:.0f}"


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0]) * 1024
    return out


def run() -> str:
    from sqlalchemy import func, select

    from servicenorm.bootstrap import bootstrap
    from servicenorm.demo.store_seed import OPERATOR
    from servicenorm.enforce.schedule import run_due_evaluations
    from servicenorm.helpdesk import accounts
    from servicenorm.helpdesk.ingest import ingest_many
    from servicenorm.settings import Settings
    from servicenorm.store.tables import Conversation, Seller

    head, tail, cut, last = _split(_log())
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    url = f"sqlite:///{work}/servicenorm.db"
    settings = Settings(data_dir=work, database_url=url)
    c = bootstrap(settings)
    received = datetime.now(UTC)
    rows: list[tuple[str, str]] = []

    t0 = time.perf_counter()
    with c.sessions() as s:
        rep = ingest_many(s, OPERATOR, list(enumerate(head, start=1)), received)
        s.commit()
    ingest_s = time.perf_counter() - t0
    rows.append(
        (
            f"bulk ingest, {len(head):,} events (items and aggregates kept)",
            f"{len(head) / ingest_s:,.0f} events/s ({ingest_s:.0f} s; "
            f"{rep.accepted:,} accepted, {len(rep.errors)} refused)",
        )
    )

    rounds = []
    for _ in range(2):
        t0 = time.perf_counter()
        with c.sessions() as s:
            run_due_evaluations(s, cut)
        rounds.append(time.perf_counter() - t0)
    rows.append(("enforcement round at the cut (the first: due evaluations)", f"{rounds[0]:.1f} s"))
    rows.append(("enforcement round, nothing new (idle)", f"{rounds[1]:.2f} s"))

    t0 = time.perf_counter()
    with c.sessions() as s:
        rep = ingest_many(
            s, OPERATOR, list(enumerate(tail, start=len(head) + 1)), received + timedelta(days=1)
        )
        s.commit()
    day_s = time.perf_counter() - t0
    rows.append(
        (
            f"ingest of the last day, {len(tail):,} events into the loaded store",
            f"{len(tail) / day_s:,.0f} events/s ({day_s:.1f} s)",
        )
    )
    t0 = time.perf_counter()
    with c.sessions() as s:
        run_due_evaluations(s, last)
    rows.append(("enforcement round after that day", f"{time.perf_counter() - t0:.1f} s"))

    with c.sessions() as s:
        accounts.ensure_operator_token(s, "sn_bench_operator", c.pepper, received)
        sellers = list(s.scalars(select(Seller.id).order_by(Seller.id)))
        waiting = func.count(Conversation.deadline)
        busiest = s.execute(
            select(Seller.id)
            .join(Conversation, Conversation.seller_id == Seller.id)
            .group_by(Seller.id)
            .order_by(waiting.desc(), Seller.id)
            .limit(1)
        ).scalar_one()
        _acc, seller_token = accounts.create_account(
            s,
            OPERATOR,
            "seller",
            busiest,
            None,
            marketplace=None,
            seller=busiest,
            buyer=None,
            pepper=c.pepper,
            now=received,
        )
        open_convs = list(
            s.scalars(
                select(Conversation.id)
                .where(Conversation.seller_id == busiest, Conversation.deadline.is_not(None))
                .order_by(Conversation.id)
            )
        )
        s.commit()
    c.engine.dispose()

    port = _free_port()
    env = {
        **os.environ,
        "SERVICENORM_DATABASE_URL": url,
        "SERVICENORM_DATA_DIR": str(work),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "servicenorm.cli",
            "serve",
            "--port",
            str(port),
            "--enforce-every",
            "0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as h:
            for _ in range(1800):  # a loaded machine starts the server slowly
                with contextlib.suppress(httpx.HTTPError):
                    if h.get("/health").status_code == 200:
                        break
                if server.poll() is not None:
                    raise RuntimeError(f"servicenorm serve exited with {server.returncode}")
                time.sleep(0.1)
            r = h.post(
                "/ui/login",
                data={"token": "sn_bench_operator", "next": "/ui/"},
                headers={"Origin": base},
            )
            assert r.status_code in (200, 303), r.status_code
            api = {"Authorization": "Bearer sn_bench_operator"}
            rng = random.Random(10)
            sample = [rng.choice(sellers) for _ in range(SAMPLES)]

            def timed(path: str, **kw: Any) -> float:
                t = time.perf_counter()
                r = h.get(path, **kw)
                took = time.perf_counter() - t
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                return took

            page = [timed(f"/ui/sellers/{x}/performance") for x in sample]
            perf = [timed(f"/sellers/{x}/performance", headers=api) for x in sample]
            queue = [timed(f"/ui/sellers/{x}/queue") for x in sample]
            overview = [timed("/ui/overview") for _ in range(max(5, SAMPLES // 4))]
            after_page, after_api = [], []
            mine = {"Authorization": f"Bearer {seller_token}"}
            for cid in open_convs[: max(5, SAMPLES // 2)]:
                r = h.post(
                    f"/conversations/{cid}/messages",
                    json={"body": "Thank you, it ships today."},
                    headers=mine,
                )
                assert r.status_code == 201, r.text[:300]
                after_page.append(timed(f"/ui/sellers/{busiest}/performance"))
                r = h.post(
                    f"/conversations/{cid}/messages",
                    json={"body": "Tracking follows by e-mail."},
                    headers=mine,
                )
                after_api.append(timed(f"/sellers/{busiest}/performance", headers=api))
            mem = _status(server.pid)
    finally:
        server.terminate()
        server.wait(30)

    rows += [
        (f"seller performance page, {len(page)} random sellers", _ms(page) + " ms"),
        (f"GET /sellers/{{id}}/performance, {len(perf)} random sellers", _ms(perf) + " ms"),
        (f"seller queue page, {len(queue)} random sellers", _ms(queue) + " ms"),
        (
            f"operator overview (all {len(sellers)} sellers), {len(overview)} views",
            _ms(overview) + " ms",
        ),
        (
            f"first performance page after a post ({busiest}, {len(after_page)} posts)",
            _ms(after_page) + " ms",
        ),
        (
            f"first GET /sellers/{{id}}/performance after a post ({len(after_api)} posts)",
            _ms(after_api) + " ms",
        ),
        (
            "server resident memory after the run (VmRSS, peak VmHWM)",
            f"{mem.get('VmRSS', 0) / 2**20:.0f} MiB, peak {mem.get('VmHWM', 0) / 2**20:.0f} MiB",
        ),
    ]
    lines = [
        "## Live store at marketplace scale (issue 10)\n",
        f"`python -m bench live` (BENCH_LIVE_SELLERS={SELLERS}): the bol demo log of "
        f"`servicenorm demo generate --sellers {SELLERS} --days {DAYS} --start {START}` "
        f"({len(head) + len(tail):,} events) on SQLite; latencies are p50 / p95, one client, "
        "sequential requests, server and client sharing the machine.\n",
        "| what | figure |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    return "\n".join(lines) + "\n"
