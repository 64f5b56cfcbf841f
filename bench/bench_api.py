"""Messages posted per second through the API: 20 concurrent clients on loopback, against
`uvicorn` serving `servicenorm.web.app:create_app`, on SQLite and on PostgreSQL.

Each client owns conversations and alternates a buyer question and a staff reply, so every
post computes a deadline (buyer) or settles a turn (reply), is moderated, and writes the
message, the conversation and an event-log row. Baseline: GET /health with the same clients
and server (the framework's ceiling on this machine)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

CLIENTS = 20
SECONDS = 8.0
MAX_REQUESTS = 20_000
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "2"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> dict[str, str]:
    """Schema, a seller with a staff member, 20 buyers with their own token."""
    from servicenorm.bootstrap import bootstrap
    from servicenorm.helpdesk import accounts, directory
    from servicenorm.helpdesk.principal import Principal
    from servicenorm.settings import Settings

    c = bootstrap(Settings(environment="test", database_url=url))
    op = Principal(account_id="bench", role="operator", name="bench")
    now = datetime.now(UTC)
    tokens: dict[str, str] = {}
    with c.sessions() as s:
        directory.create_marketplace(s, op, "bol", "bol", "bol.com", now)
        directory.create_seller(s, op, "shop", "bol", "Shop", "NL", [], now)
        _a, tokens["staff"] = accounts.create_staff(s, op, "shop", "staff", None, c.pepper, now)
        for i in range(CLIENTS):
            directory.create_buyer(s, op, f"b{i}", "bol", f"Buyer {i}", "nl", now)
            _a, tokens[f"b{i}"] = accounts.create_account(s, op, "buyer", f"b{i}", None, marketplace=None, seller=None,
                                                          buyer=f"b{i}", pepper=c.pepper, now=now)
        s.commit()
    c.engine.dispose()
    return tokens


class _Conn:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost far less CPU than
    the server it measures (httpx spends more per request than the endpoint does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.r, self.w = reader, writer

    async def call(self, method: str, path: str, token: str | None, body: bytes | None) -> tuple[int, bytes]:
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


async def _client(port: int, i: int, tokens: dict[str, str], stop: float, lat: list[float], mode: str) -> int:
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
        status, out = await conn.call("POST", "/conversations", tokens[f"b{i}"],
                                      orjson.dumps({"seller": "shop", "body": "Waar blijft mijn pakket?"}))
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


async def _load(port: int, tokens: dict[str, str], mode: str) -> tuple[float, float, float]:
    lat: list[float] = []
    # warm up
    await asyncio.gather(*(_client(port, i, tokens, time.perf_counter() + 1.0, [], mode) for i in range(CLIENTS)))
    t0 = time.perf_counter()
    counts = await asyncio.gather(*(_client(port, i, tokens, t0 + SECONDS, lat, mode) for i in range(CLIENTS)))
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100)
    return sum(counts) / elapsed, q[49] * 1000, q[98] * 1000


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SERVICENORM_DATABASE_URL": url, "SERVICENORM_ENVIRONMENT": "test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "servicenorm.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the API server did not start")


def _measure(url: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    tokens = _prepare(url)
    port = _free_port()
    proc = _serve(url, port)
    try:
        health = asyncio.run(_load(port, tokens, "health"))
        msgs = asyncio.run(_load(port, tokens, "messages"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return health, msgs


def run() -> str:
    from servicenorm.store.local_pg import LocalPostgres, find_bindir

    rows = []
    with tempfile.TemporaryDirectory() as d:
        rows.append(("SQLite (WAL, file)", *_measure(f"sqlite:///{Path(d) / 'bench.db'}")))
    bindir = find_bindir()
    if bindir is not None:
        pg = LocalPostgres(bindir, durable=True)
        pg.start()
        try:
            import sqlalchemy as sa

            admin = sa.create_engine(pg.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(sa.text("CREATE DATABASE bench"))
            admin.dispose()
            rows.append(("PostgreSQL 15 (local, fsync on)", *_measure(pg.url("bench"))))
        finally:
            pg.stop()
    lines = [
        "## API: messages posted per second",
        "",
        "`python -m bench api`: " + f"{CLIENTS} concurrent HTTP clients on loopback (a minimal keep-alive HTTP/1.1 client on asyncio, one process) against "
        f"uvicorn with {WORKERS} worker processes serving `servicenorm.web.app:create_app`; each client alternates "
        "a staff reply and a buyer message in its own conversation (deadline or settle, moderation gate, "
        f"message + conversation + event-log row, one commit). {SECONDS:.0f} s per measurement after a 1 s warm-up; "
        "client and server share the machine's 2 cores. Baseline: `GET /health` with the same clients and server.",
        "",
        "| database | health req/s (baseline) | messages/s | ratio to baseline | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (h_rps, _h50, _h99), (m_rps, m50, m99) in rows:
        lines.append(f"| {name} | {h_rps:,.0f} | {m_rps:,.0f} | {m_rps / h_rps:.2f} | {m50:.1f} | {m99:.1f} |")
    lines += ["", "Target (issue 4): >= 500 messages/s on PostgreSQL with p99 < 100 ms."]
    return "\n".join(lines) + "\n"
