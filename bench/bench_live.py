"""The live store at marketplace scale (issue 10): page and API latency, the first view after a
post, enforcement rounds, server memory and ingest speed.

    python -m bench live                                  # 400 sellers, demo mix, SQLite
    BENCH_LIVE_SELLERS=100 python -m bench live           # a smaller log, same steps
    BENCH_LIVE_DB=postgres BENCH_LIVE_SELLERS=47000 BENCH_LIVE_DAYS=28 \
        BENCH_LIVE_EVENTS=3000000 BENCH_LIVE_ROUNDS=0 python -m bench live   # bol at scale

Settings (environment):

* `BENCH_LIVE_DB`: `sqlite` (a file, the default) or `postgres` (a local PostgreSQL 15
  started for the run, fsync on);
* `BENCH_LIVE_SELLERS`, `BENCH_LIVE_DAYS` (default 38, from 2026-10-26);
* `BENCH_LIVE_EVENTS`: a target size; with it the sellers' sizes follow a wide log-normal
  (`BENCH_LIVE_SIGMA`, default 2.0: most shops a question a week or less, the top 1 % tens
  to hundreds a day) scaled so the log holds about that many events; without it the demo's
  mix of similar shops (about 50 events per seller and day);
* `BENCH_LIVE_POST_RATE` (default 50): messages per second a background client posts
  (buyer follow-ups and seller replies, alternating, in conversations of other sellers)
  while the latencies are measured; 0 for none;
* `BENCH_LIVE_ROUNDS` (default 1): the enforcement rounds (0 skips them: the first round
  of a period evaluates the whole log with DuckDB);
* `BENCH_LIVE_SAMPLES` (default 40): views per kind of page.

Steps:

1. the log (cached under /tmp), split into everything but the last 24 hours and that day;
2. bulk ingest of the first part through the one writer (`ingest_many`, as `serve --demo
   DIR` does; items and aggregates maintained), in commits of 50,000 events: events/s;
3. (rounds) an enforcement round twice at the end of the first part (the second is the
   idle round); the last day is ingested and a round runs at its end;
4. `servicenorm serve` in its own process (one uvicorn worker, enforcement loop off); the
   background poster starts; one client on loopback: the seller performance page,
   `GET /sellers/{id}/performance`, the seller's queue page and the operator overview, for
   random sellers; then, for the busiest seller, a reply posted through the API followed at
   once by its page and its API figures (the first view after a post); the server's resident
   memory (VmRSS, peak VmHWM); the poster's rate and latencies.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

DB = os.environ.get("BENCH_LIVE_DB", "sqlite")
SELLERS = int(os.environ.get("BENCH_LIVE_SELLERS", "400"))
DAYS = int(os.environ.get("BENCH_LIVE_DAYS", "38"))
START = "2026-10-26"
EVENTS = int(os.environ.get("BENCH_LIVE_EVENTS", "0"))
SIGMA = float(os.environ.get("BENCH_LIVE_SIGMA", "2.0"))
POST_RATE = float(os.environ.get("BENCH_LIVE_POST_RATE", "50"))
ROUNDS = os.environ.get("BENCH_LIVE_ROUNDS", "1") != "0"
SAMPLES = int(os.environ.get("BENCH_LIVE_SAMPLES", "40"))
CHUNK = 50_000
SKEWED = f"-e{EVENTS}-s{SIGMA:g}" if EVENTS else ""
CACHE = Path(tempfile.gettempdir()) / f"servicenorm-bench-live-{SELLERS}{SKEWED}-d{DAYS}"
if not EVENTS and DAYS == 38:
    CACHE = Path(tempfile.gettempdir()) / f"servicenorm-bench-live-{SELLERS}"  # (older cache)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command() -> str:
    if not EVENTS:
        return f"servicenorm demo generate --sellers {SELLERS} --days {DAYS} --start {START}"
    return (
        f"demo.generate(sellers={SELLERS}, days={DAYS}, start={START}, "
        f"skew=Skew(sigma={SIGMA:g}, mean={_mean():.4f}))"
    )


def _mean() -> float:
    from servicenorm.demo import estimate_events

    return EVENTS / max(1, estimate_events(SELLERS, DAYS))


def _log() -> Path:
    out = CACHE / "log"
    if not (out / "events.jsonl").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        from servicenorm.demo import Skew, generate

        skew = Skew(SIGMA, _mean()) if EVENTS else None
        generate(
            sellers=SELLERS,
            days=DAYS,
            out=out,
            preset="bol",
            start=date.fromisoformat(START),
            skew=skew,
        )
    return out / "events.jsonl"


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                yield orjson.loads(line)


def _cut(path: Path) -> tuple[datetime, datetime, int]:
    """(the instant a day before the last event, the last event's, how many events)."""
    last, n = None, 0
    for o in _lines(path):
        at = datetime.fromisoformat(o["at"])
        last = at if last is None or at > last else last
        n += 1
    assert last is not None, "an empty log"
    return last - timedelta(days=1), last, n


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _ms(xs: list[float]) -> str:
    if not xs:
        return "none"
    return f"{_pct(xs, 0.5) * 1000:.0f} / {_pct(xs, 0.95) * 1000:.0f}"


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0]) * 1024
    return out


def _poster(
    base: str,
    pairs: list[tuple[str, str, str]],
    rate: float,
    stop: Any,
    out: Any,
) -> None:
    """Post `rate` messages a second until `stop` is set: in each conversation a buyer's
    follow-up, then the seller's reply, round the conversations; 4 threads, each keeping its
    own schedule (a late post is sent at once, not skipped). Puts (posts, errors, seconds,
    latencies) on `out`."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    threads = 4
    t0 = time.perf_counter()

    def work(k: int) -> None:
        n = 0
        with httpx.Client(base_url=base, timeout=60) as h:
            while not stop.is_set():
                due = t0 + (n * threads + k) / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                cid, buyer, seller = pairs[(n // 2 * threads + k) % len(pairs)]
                token, body = (
                    (buyer, "Is er al nieuws?") if n % 2 == 0 else (seller, "Ja, vandaag.")
                )
                t = time.perf_counter()
                try:
                    r = h.post(
                        f"/conversations/{cid}/messages",
                        json={"body": body},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    ok = r.status_code == 201
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - t
                with lock:
                    lat.append(took)
                    errors[0] += int(not ok)
                n += 1

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((len(lat), errors[0], time.perf_counter() - t0, lat))


def _database(work: Path) -> tuple[str, Any]:
    """(the store's URL, the PostgreSQL server to stop or None)."""
    if DB == "sqlite":
        return f"sqlite:///{work}/servicenorm.db", None
    if DB != "postgres":
        raise SystemExit(f"BENCH_LIVE_DB must be sqlite or postgres, not {DB!r}")
    import sqlalchemy as sa

    from servicenorm.store.local_pg import LocalPostgres, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("BENCH_LIVE_DB=postgres needs the PostgreSQL binaries (initdb, pg_ctl)")
    pg = LocalPostgres(bindir, durable=True)
    admin = sa.create_engine(pg.start(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text("CREATE DATABASE bench_live"))
    admin.dispose()
    return pg.url("bench_live"), pg


def _ingest(c: Any, objs: Iterator[dict[str, Any]], first: int, received: datetime) -> int:
    """Ingest in commits of CHUNK events; returns the events accepted (refusals fail)."""
    from servicenorm.demo.store_seed import OPERATOR
    from servicenorm.helpdesk.ingest import ingest_many

    accepted, batch, n = 0, [], first
    for o in objs:
        batch.append((n, o))
        n += 1
        if len(batch) == CHUNK:
            accepted += _commit(c, OPERATOR, ingest_many, batch, received)
            batch = []
    if batch:
        accepted += _commit(c, OPERATOR, ingest_many, batch, received)
    return accepted


def _commit(c: Any, op: Any, ingest_many: Any, batch: list[Any], received: datetime) -> int:
    with c.sessions() as s:
        rep = ingest_many(s, op, batch, received)
        s.commit()
    assert not rep.errors, rep.errors[:3]
    print(f"  ingested up to event {batch[-1][0]:,}", file=sys.stderr, flush=True)
    return int(rep.accepted)


def _accounts(c: Any, received: datetime) -> dict[str, Any]:
    """The operator token, the sellers, the busiest seller's token and open conversations,
    and the background poster's (conversation, buyer token, seller token) pairs."""
    from sqlalchemy import func, select

    from servicenorm.demo.store_seed import OPERATOR
    from servicenorm.helpdesk import accounts
    from servicenorm.store.tables import Conversation, Seller

    def token(s: Any, role: str, seller: str | None, buyer: str | None) -> str:
        _acc, t = accounts.create_account(
            s, OPERATOR, role, f"bench {role}", None, marketplace=None, seller=seller,
            buyer=buyer, pepper=c.pepper, now=received,
        )  # fmt: skip
        return str(t)

    with c.sessions() as s:
        accounts.ensure_operator_token(s, "sn_bench_operator", c.pepper, received)
        sellers = list(s.scalars(select(Seller.id).order_by(Seller.id)))
        waiting = func.count(Conversation.deadline)
        ranked = list(
            s.scalars(
                select(Seller.id)
                .join(Conversation, Conversation.seller_id == Seller.id)
                .group_by(Seller.id)
                .order_by(waiting.desc(), Seller.id)
                .limit(6)
            )
        )
        busiest = ranked[0]
        open_convs = list(
            s.scalars(
                select(Conversation.id)
                .where(Conversation.seller_id == busiest, Conversation.deadline.is_not(None))
                .order_by(Conversation.id)
                .limit(100)
            )
        )
        pairs = []
        for seller in ranked[1:]:  # the poster writes in other busy sellers' conversations
            mine = token(s, "seller", seller, None)
            for cid, buyer in s.execute(
                select(Conversation.id, Conversation.buyer_id)
                .where(Conversation.seller_id == seller)
                .order_by(Conversation.last_message_at.desc(), Conversation.id)
                .limit(4)
            ):
                pairs.append((cid, token(s, "buyer", None, buyer), mine))
        seller_token = token(s, "seller", busiest, None)
        s.commit()
    return {
        "sellers": sellers,
        "busiest": busiest,
        "token": seller_token,
        "open": open_convs,
        "pairs": pairs,
    }


def run() -> str:
    from servicenorm.bootstrap import bootstrap
    from servicenorm.enforce.schedule import run_due_evaluations
    from servicenorm.settings import Settings

    load0 = os.getloadavg()
    t_gen = time.perf_counter()
    log = _log()
    gen_s = time.perf_counter() - t_gen
    cut, last, total = _cut(log)
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    url, pg = _database(work)
    server: subprocess.Popen[bytes] | None = None
    try:
        c = bootstrap(Settings(data_dir=work, database_url=url))
        # the log's first part as received a day ago and its last day now: a stamp in the
        # future would hide the server's own posts from the watermarks (rounds, standings)
        received = datetime.now(UTC) - timedelta(days=1)
        rows: list[tuple[str, str]] = [
            (
                "the log",
                f"{total:,} events, {SELLERS:,} sellers, {DAYS} days ({gen_s:.0f} s to make)",
            )
        ]
        t0 = time.perf_counter()
        n_head = _ingest(
            c, (o for o in _lines(log) if datetime.fromisoformat(o["at"]) < cut), 1, received
        )
        ingest_s = time.perf_counter() - t0
        rows.append(
            (
                f"bulk ingest, {n_head:,} events (items and aggregates kept)",
                f"{n_head / ingest_s:,.0f} events/s ({ingest_s:.0f} s)",
            )
        )
        if ROUNDS:
            rounds = []
            for _ in range(2):
                t0 = time.perf_counter()
                with c.sessions() as s:
                    run_due_evaluations(s, cut, live=c.live_store())  # as the server does
                rounds.append(time.perf_counter() - t0)
            rows.append(
                ("enforcement round at the cut (the first: due evaluations)", f"{rounds[0]:.1f} s")
            )
            rows.append(("enforcement round, nothing new (idle)", f"{rounds[1]:.2f} s"))
        t0 = time.perf_counter()
        n_tail = _ingest(
            c,
            (o for o in _lines(log) if datetime.fromisoformat(o["at"]) >= cut),
            n_head + 1,
            datetime.now(UTC),
        )
        day_s = time.perf_counter() - t0
        rows.append(
            (
                f"ingest of the last day, {n_tail:,} events into the loaded store",
                f"{n_tail / day_s:,.0f} events/s ({day_s:.1f} s)",
            )
        )
        if ROUNDS:
            t0 = time.perf_counter()
            with c.sessions() as s:
                run_due_evaluations(s, last, live=c.live_store())
            rows.append(("enforcement round after that day", f"{time.perf_counter() - t0:.1f} s"))
        acc = _accounts(c, received)
        c.engine.dispose()

        port = _free_port()
        env = {**os.environ, "SERVICENORM_DATABASE_URL": url, "SERVICENORM_DATA_DIR": str(work)}
        server = subprocess.Popen(
            [sys.executable, "-m", "servicenorm.cli", "serve", "--port", str(port),
             "--enforce-every", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        rows += _measure(base, server, acc)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)  # the store (hundreds of MB at 200 sellers)
    load1 = os.getloadavg()
    where = "SQLite (a file)" if DB == "sqlite" else "PostgreSQL 15 (local, fsync on)"
    log_text = (
        f"the bol demo log of `{_command()}`"
        if not EVENTS
        else f"a bol log with skewed shop sizes, `{_command()}`"
    )
    lines = [
        "## Live store at marketplace scale (issue 10)\n",
        f"### {SELLERS:,} sellers on {where}\n",
        f"`{_env_text()} python -m bench live`: {log_text} ({total:,} events) on {where}; "
        "latencies are p50 / p95, one client, sequential requests"
        + (f", while a background client posts {POST_RATE:g} messages/s" if POST_RATE else "")
        + f"; server, database and clients share the machine. Load average {load0[0]:.1f} at "
        f"the start, {load1[0]:.1f} at the end (2 cores).\n",
        "| what | figure |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    return "\n".join(lines) + "\n"


def _env_text() -> str:
    keys = ("DB", "SELLERS", "DAYS", "EVENTS", "SIGMA", "POST_RATE", "ROUNDS", "SAMPLES")
    return " ".join(
        f"BENCH_LIVE_{k}={os.environ[f'BENCH_LIVE_{k}']}"
        for k in keys
        if f"BENCH_LIVE_{k}" in os.environ
    )


def _measure(
    base: str, server: subprocess.Popen[bytes], acc: dict[str, Any]
) -> list[tuple[str, str]]:
    sellers, busiest = acc["sellers"], acc["busiest"]
    ctx = multiprocessing.get_context("spawn")
    stop, out = ctx.Event(), ctx.Queue()
    poster = None
    with httpx.Client(base_url=base, timeout=600) as h:
        for _ in range(3000):  # a loaded machine starts the server slowly
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
        if POST_RATE and acc["pairs"]:
            poster = ctx.Process(
                target=_poster, args=(base, acc["pairs"], POST_RATE, stop, out), daemon=True
            )
            poster.start()
            time.sleep(2)  # the poster at its pace before the first measurement
        rng = random.Random(10)
        sample = [rng.choice(sellers) for _ in range(SAMPLES)]

        def timed(path: str, **kw: Any) -> float:
            t = time.perf_counter()
            r = h.get(path, **kw)
            took = time.perf_counter() - t
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            return took

        try:
            page = [timed(f"/ui/sellers/{x}/performance") for x in sample]
            perf = [timed(f"/sellers/{x}/performance", headers=api) for x in sample]
            queue = [timed(f"/ui/sellers/{x}/queue") for x in sample]
            # the first view judges every seller (and counts the week-ago standings); the
            # next ones read what it kept and judge again only the sellers that changed
            first_overview = timed("/ui/overview")
            overview = [timed("/ui/overview") for _ in range(max(5, SAMPLES // 4))]
            after_page, after_api = [], []
            mine = {"Authorization": f"Bearer {acc['token']}"}
            for cid in acc["open"][: max(5, SAMPLES // 2)]:
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
            stop.set()
            posted = out.get(timeout=120) if poster is not None else None
            if poster is not None:
                poster.join(30)
    rows = [
        (f"seller performance page, {len(page)} random sellers", _ms(page) + " ms"),
        (f"GET /sellers/{{id}}/performance, {len(perf)} random sellers", _ms(perf) + " ms"),
        (f"seller queue page, {len(queue)} random sellers", _ms(queue) + " ms"),
        (
            f"operator overview (all {len(sellers):,} sellers), first view",
            f"{first_overview * 1000:.0f} ms",
        ),
        (f"operator overview, the {len(overview)} next views", _ms(overview) + " ms"),
        (
            f"first performance page after a post ({busiest}, the busiest seller, "
            f"{len(after_page)} posts)",
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
    if posted is not None:
        n, errors, secs, lat = posted
        rows.append(
            (
                f"background posts (target {POST_RATE:g}/s, {len(acc['pairs'])} conversations)",
                f"{n / secs:.1f}/s achieved, {n:,} posts, {errors} refused; latency p50 / p95 "
                f"{_ms(lat)} ms, p99 {_pct(lat, 0.99) * 1000:.0f} ms",
            )
        )
    return rows
