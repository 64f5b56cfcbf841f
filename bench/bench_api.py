"""Messages posted per second through the API: 20 concurrent clients on loopback, against
`uvicorn` serving `servicenorm.web.app:create_app`, on SQLite and on PostgreSQL.

    python -m bench api

Each client owns a conversation and alternates a staff reply and a buyer question, so every
post settles a turn (reply) or computes a deadline (buyer), is moderated (replies), and writes
the message, the conversation and an event-log row in one commit. Baseline: GET /health with
the same clients and server (the framework's ceiling on this machine, in the same run).

The load generator shares the machine's two cores with the server and the database, so the
run also accounts for CPU: per message, the seconds spent by the server's processes, by
PostgreSQL's, by the client, and by everything else on the machine (other users), read from
/proc before and after each measurement."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

CLIENTS = 20
SECONDS = 8.0
MAX_REQUESTS = 40_000
# uvicorn worker processes per database: SQLite has one writer at a time, and its busy
# handler sleeps (1, 2, 5, 10 ms ...) while another process holds the lock
WORKERS = {
    "sqlite": int(os.environ.get("BENCH_API_SQLITE_WORKERS", "1")),
    "postgresql": int(os.environ.get("BENCH_API_PG_WORKERS", "2").split(",")[0]),
}
# PostgreSQL measured once per worker count listed (`BENCH_API_PG_WORKERS=1,2`), same run
PG_WORKERS = [int(w) for w in os.environ.get("BENCH_API_PG_WORKERS", "2").split(",")]
TICK = os.sysconf("SC_CLK_TCK")
# the server runs as in production: production settings (a real pepper, gc.freeze after start)
PEPPER = "bench-" + os.urandom(12).hex()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> dict[str, str]:
    """Schema, a seller with a staff member, 20 buyers with their own token."""
    from servicenorm.access.principal import Principal
    from servicenorm.bootstrap import bootstrap
    from servicenorm.helpdesk import accounts, directory
    from servicenorm.settings import Settings

    c = bootstrap(Settings(environment="production", database_url=url, token_pepper=PEPPER))
    op = Principal(account_id="bench", role="operator", name="bench")
    now = datetime.now(UTC)
    tokens: dict[str, str] = {}
    with c.sessions() as s:
        directory.create_marketplace(s, op, "bol", "bol", "bol.com", now)
        directory.create_seller(s, op, "shop", "bol", "Shop", "NL", [], now)
        _a, tokens["staff"] = accounts.create_staff(s, op, "shop", "staff", None, c.pepper, now)
        for i in range(CLIENTS):
            directory.create_buyer(s, op, f"b{i}", "bol", f"Buyer {i}", "nl", now)
            _a, tokens[f"b{i}"] = accounts.create_account(
                s,
                op,
                "buyer",
                f"b{i}",
                None,
                marketplace=None,
                seller=None,
                buyer=f"b{i}",
                pepper=c.pepper,
                now=now,
            )
        s.commit()
    c.engine.dispose()
    return tokens


# -- CPU accounting from /proc ------------------------------------------------------------------


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(ppid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v) - idle) / TICK, sum(v) / TICK


@dataclass
class Cpu:
    server: float
    database: float
    client: float
    machine_busy: float
    machine_total: float

    def __sub__(self, o: Cpu) -> Cpu:
        return Cpu(
            self.server - o.server,
            self.database - o.database,
            self.client - o.client,
            self.machine_busy - o.machine_busy,
            self.machine_total - o.machine_total,
        )


def _cpu(server_pid: int, pg_pid: int | None) -> Cpu:
    server = sum(_proc_cpu(p) for p in [server_pid, *_children(server_pid)])
    database = sum(_proc_cpu(p) for p in [pg_pid, *_children(pg_pid)]) if pg_pid else 0.0
    t = os.times()
    return Cpu(server, database, t.user + t.system, *_machine_busy())


# -- the load -----------------------------------------------------------------------------------


class _Conn:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost far less CPU than
    the server it measures (httpx spends more per request than the endpoint does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.r, self.w = reader, writer

    async def call(
        self, method: str, path: str, token: str | None, body: bytes | None
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.w.write(head.encode() + b"\r\n" + (body or b""))
        status_line = await self.r.readline()
        length = 0
        while True:
            line = await self.r.readline()
            if line in (b"\r\n", b""):
                break
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return int(status_line.split()[1]), await self.r.readexactly(length)


async def _client(
    port: int, i: int, tokens: dict[str, str], stop: float, lat: list[float], mode: str
) -> int:
    import orjson

    conn = _Conn(*await asyncio.open_connection("127.0.0.1", port))
    n = 0
    try:
        if mode == "health":
            while time.perf_counter() < stop and n < MAX_REQUESTS // CLIENTS:
                t0 = time.perf_counter()
                status, _ = await conn.call("GET", "/health", None, None)
                lat.append(time.perf_counter() - t0)
                assert status == 200
                n += 1
            return n
        status, out = await conn.call(
            "POST",
            "/conversations",
            tokens[f"b{i}"],
            orjson.dumps({"seller": "shop", "body": "Waar blijft mijn pakket?"}),
        )
        assert status == 201, out
        cid = orjson.loads(out)["conversation"]["id"]
        reply = orjson.dumps({"body": "Het pakket is vandaag verzonden."})
        ask = orjson.dumps({"body": "Dank je, nog een vraag."})
        while time.perf_counter() < stop and n < MAX_REQUESTS // CLIENTS:
            token, body = (tokens["staff"], reply) if n % 2 == 0 else (tokens[f"b{i}"], ask)
            t0 = time.perf_counter()
            status, out = await conn.call("POST", f"/conversations/{cid}/messages", token, body)
            lat.append(time.perf_counter() - t0)
            assert status == 201, out
            n += 1
    finally:
        conn.w.close()
    return n


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu: Cpu
    requests: int
    load: str

    def per_request_ms(self, seconds: float) -> float:
        return seconds / self.requests * 1000


async def _load(
    port: int, tokens: dict[str, str], mode: str, server_pid: int, pg_pid: int | None
) -> Result:
    lat: list[float] = []
    # warm up
    await asyncio.gather(
        *(_client(port, i, tokens, time.perf_counter() + 1.0, [], mode) for i in range(CLIENTS))
    )
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    before = _cpu(server_pid, pg_pid)
    t0 = time.perf_counter()
    counts = await asyncio.gather(
        *(_client(port, i, tokens, t0 + SECONDS, lat, mode) for i in range(CLIENTS))
    )
    elapsed = time.perf_counter() - t0
    used = _cpu(server_pid, pg_pid) - before
    q = statistics.quantiles(lat, n=100)
    return Result(sum(counts) / elapsed, q[49] * 1000, q[98] * 1000, used, sum(counts), load)


def _run_load(
    port: int, tokens: dict[str, str], mode: str, server_pid: int, pg_pid: int | None
) -> Result:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_load(port, tokens, mode, server_pid, pg_pid))
    return uvloop.run(_load(port, tokens, mode, server_pid, pg_pid))


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SERVICENORM_DATABASE_URL": url,
        "SERVICENORM_ENVIRONMENT": "production",
        "SERVICENORM_TOKEN_PEPPER": PEPPER,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "servicenorm.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    deadline = time.time() + 300  # a loaded machine: production start loads the language model
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the API server did not start")


def _measure(url: str, workers: int, pg_pid: int | None = None) -> tuple[Result, Result]:
    tokens = _prepare(url)
    port = _free_port()
    proc = _serve(url, port, workers)
    try:
        health = _run_load(port, tokens, "health", proc.pid, pg_pid)
        msgs = _run_load(port, tokens, "messages", proc.pid, pg_pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return health, msgs


def _postmaster_pid(pg: object) -> int | None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return int((Path(pg.root) / "data" / "postmaster.pid").read_text().split()[0])  # type: ignore[attr-defined]
    return None


def run() -> str:
    from servicenorm.store.local_pg import LocalPostgres, find_bindir

    rows: list[tuple[str, int, Result, Result]] = []
    with tempfile.TemporaryDirectory() as d:
        if WORKERS["sqlite"] > 0:  # BENCH_API_SQLITE_WORKERS=0: PostgreSQL only
            rows.append(
                (
                    "SQLite (WAL, file)",
                    WORKERS["sqlite"],
                    *_measure(f"sqlite:///{Path(d) / 'bench.db'}", WORKERS["sqlite"]),
                )
            )
    bindir = find_bindir()
    if bindir is not None:
        pg = LocalPostgres(bindir, durable=True)
        pg.start()
        try:
            import sqlalchemy as sa

            admin = sa.create_engine(pg.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                for w in PG_WORKERS:
                    c.execute(sa.text(f"CREATE DATABASE bench{w}"))
            admin.dispose()
            for w in PG_WORKERS:
                rows.append(
                    (
                        "PostgreSQL 15 (local, fsync on, synchronous_commit on)",
                        w,
                        *_measure(pg.url(f"bench{w}"), w, _postmaster_pid(pg)),
                    )
                )
        finally:
            pg.stop()
    lines = [
        "## API: messages posted per second",
        "",
        f"`python -m bench api`: {CLIENTS} concurrent HTTP clients on loopback (a minimal keep-alive HTTP/1.1 "
        "client on uvloop, one process) against uvicorn (uvloop, httptools) serving "
        "`servicenorm.web.app:create_app`; each client alternates a staff reply and a buyer message in its own "
        "conversation (deadline or settle, moderation gate, message + conversation + event-log row, one "
        f"commit). {SECONDS:.0f} s per measurement after a 1 s warm-up; client, server and database share "
        "the machine's 2 cores with whatever else runs on it. Baseline: `GET /health` with the same clients "
        "and server.",
        "",
        "| database | workers | health req/s (baseline) | messages/s | ratio to baseline | p50 ms | p99 ms | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, workers, h, m in rows:
        lines.append(
            f"| {name} | {workers} | {h.rps:,.0f} | {m.rps:,.0f} | {m.rps / h.rps:.2f} | {m.p50_ms:.1f} "
            f"| {m.p99_ms:.1f} | {m.load} |"
        )
    lines += [
        "",
        "CPU per request (ms), from /proc over the measurement: the server's processes, PostgreSQL's, the "
        "load client, and everything else on the machine; `busy` is the share of the 2 cores in use.",
        "",
        "| database | what | server | database | client | others | machine busy |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, w, h, m in rows:
        for what, r in (("health", h), ("message", m)):
            c = r.cpu
            others = c.machine_busy - c.server - c.database - c.client
            lines.append(
                f"| {name.split(' (')[0]}, {w} worker{'s' if w > 1 else ''} | {what} | {r.per_request_ms(c.server):.2f} "
                f"| {r.per_request_ms(c.database):.2f} | {r.per_request_ms(c.client):.2f} "
                f"| {r.per_request_ms(max(others, 0.0)):.2f} | {c.machine_busy / c.machine_total:.0%} |"
            )
    lines += [
        "",
        "Target (issue 10): >= 1,000 messages/s with p99 <= 100 ms on PostgreSQL, this workload "
        "(20 clients alternating buyer messages and staff replies).",
    ]
    return "\n".join(lines) + "\n"
