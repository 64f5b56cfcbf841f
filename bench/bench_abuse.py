"""What hostile requests cost a running server (issue 11): time and memory per request.

    python -m bench abuse

`servicenorm serve` runs as its own process on SQLite and on PostgreSQL 15; each hostile
request of issue 11 is sent REPEAT times after one warm-up. Per request: the answer, the
median and slowest wall time seen by the client (an upper bound of the server's time), the
server's CPU time per request (/proc/PID/stat), and its resident memory after the repetitions
minus before them (lasting growth). Target: < 50 ms each, no lasting growth. The 300 MB
bodies are streamed until the server answers (raw socket): the time is until the answer.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.integration.hostile_http import stream
from tests.integration.live import Live, live_server

REPEAT = 20
OPERATOR = "sn_bench_abuse_operator_token"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Row:
    store: str
    name: str
    status: int
    median_ms: float
    max_ms: float
    cpu_ms: float
    rss_growth_mb: float


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, seconds


def _world(c: httpx.Client) -> dict[str, Any]:
    def post(path: str, body: Any, token: str = OPERATOR) -> Any:
        r = c.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        r.raise_for_status()
        return r.json()

    post("/marketplaces", {"id": "bol", "preset": "bol", "title": "bol"})
    post("/sellers", {"id": "s1", "marketplace": "bol", "name": "S1", "country": "NL"})
    post("/buyers", {"id": "b1", "marketplace": "bol", "name": "B1", "language": "nl"})
    seller = post("/accounts", {"role": "seller", "name": "s", "seller": "s1"})["token"]
    buyer = post("/accounts", {"role": "buyer", "name": "b", "buyer": "b1"})["token"]
    conv = post("/conversations", {"seller": "s1", "body": "Waar is mijn pakket?"}, buyer)
    c.post(
        "/sellers/s1/listings",
        json={"id": "l1", "title": "Atlas", "facts": {}},
        headers={"Authorization": f"Bearer {seller}"},
    ).raise_for_status()
    # a second marketplace whose operator imports ids bol's events hold (item 8)
    post("/marketplaces", {"id": "ebay", "preset": "ebay", "title": "ebay"})
    post("/sellers", {"id": "s2", "marketplace": "ebay", "name": "S2", "country": "DE"})
    ebay = post("/accounts", {"role": "operator", "name": "o", "marketplace": "ebay"})["token"]
    post(
        "/events",
        {"id": "taken", "type": "shop_closed", "at": "2026-03-02T09:00:00Z"} | {"seller": "s1"},
    )
    # a browser logged in on the pages as the seller (its cookie holds the page session)
    pages = httpx.Client(base_url=str(c.base_url), timeout=60)
    login = pages.post("/ui/login", data={"token": seller})
    assert login.status_code == 303 and "sn_session" in pages.cookies, login.text
    return {
        "seller": seller,
        "buyer": buyer,
        "ebay": ebay,
        "conversation": conv["conversation"]["id"],
        "pages": pages,
        "stranger": httpx.Client(base_url=str(c.base_url), timeout=60),  # no page session
    }


def _requests(w: dict[str, Any]) -> list[tuple[str, Callable[[httpx.Client, Live], int]]]:
    def get(path: str, who: str, **params: str) -> Callable[[httpx.Client, Live], int]:
        h = {"Authorization": f"Bearer {w[who]}"}
        return lambda c, _live: c.get(path, params=params, headers=h).status_code

    def raw(path: str, who: str, text: str) -> Callable[[httpx.Client, Live], int]:
        h = {"Authorization": f"Bearer {w.get(who, OPERATOR)}", "content-type": "application/json"}
        body = text.encode("utf-8", "surrogatepass")
        return lambda c, _live: c.post(path, content=body, headers=h).status_code

    def big(path: str, token: str | None, declare: bool) -> Callable[[httpx.Client, Live], int]:
        return lambda _c, live: (
            stream(live.host, live.port, path, token=token, declare_length=declare).status
        )

    def form(path: str, body: str, browser: httpx.Client) -> Callable[[httpx.Client, Live], int]:
        h = {"content-type": "application/x-www-form-urlencoded"}
        data = body.encode()
        return lambda _c, _live: browser.post(path, content=data, headers=h).status_code

    cid = w["conversation"]
    msg = f"/conversations/{cid}/messages"
    reply = f"/ui/conversations/{cid}/reply"
    stranger = w["stranger"]
    ebay_event = {
        "id": "taken",
        "type": "shop_closed",
        "at": "2026-03-02T09:00:00Z",
        "seller": "s2",
    }
    resent = {
        "id": "taken",
        "type": "shop_closed",
        "at": "2026-03-02T10:00:00+01:00",
        "seller": "s1",
    }
    nul_batch = "\n".join(
        json.dumps(
            {
                "id": f"ev-{i}",
                "type": "shop_closed",
                "at": "2026-03-02T10:00:00+01:00",
                "seller": "s\u0000" if i == 4 else "s1",
            }
        )
        for i in range(10)
    )
    return [
        ("contact ?at=3000-06-01", get("/sellers/s1/contact", "buyer", at="3000-06-01T10:00:00Z")),
        ("queue ?at=0001-01-02", get("/sellers/s1/queue", "seller", at="0001-01-02T00:00:00Z")),
        ("contact ?at=774", get("/sellers/s1/contact", "buyer", at="774")),
        ("message post, NUL", raw(msg, "seller", '{"body": "a\\u0000b"}')),
        ("conversation open, NUL", raw("/conversations", "buyer", '{"seller":"s1","body":"\\u0000"}')),
        ("saved reply, NUL", raw("/sellers/s1/saved-replies", "seller", '{"title":"t","body":"\\u0000"}')),
        ("listing title, NUL", raw("/sellers/s1/listings", "seller", '{"id":"l2","title":"\\u0000"}')),
        ("POST /events, NUL", raw("/events", "operator", '{"id":"e","type":"shop_closed","at":"2026-03-02T10:00:00Z","seller":"\\u0000"}')),
        ("events/batch, 1 NUL line of 10", lambda c, _l: c.post("/events/batch", content=nul_batch.encode(), headers={"Authorization": f"Bearer {OPERATOR}", "content-type": "application/x-ndjson"}).status_code),
        ("message post, NaN", raw(msg, "seller", '{"body": NaN}')),
        ("message post, 1e400", raw(msg, "seller", '{"body": 1e400}')),
        ("message post, lone surrogate", raw(msg, "seller", '{"body": "\\ud800"}')),
        ("suggestions, Infinity", raw("/listings/l1/suggestions", "buyer", '{"text": Infinity}')),
        ("marketplace preset /etc/passwd", raw("/marketplaces", "operator", '{"id":"m","preset":"/etc/passwd","title":"x"}')),
        ("300 MB chunked, no token", big("/events/batch", None, False)),
        ("300 MB Content-Length, operator", big("/events/batch", OPERATOR, True)),
        ("300 MB chunked, seller (message post)", big(msg, w["seller"], False)),
        ("60 KB message post, no token (unread)", lambda c, _l: c.post(msg, content=b"x" * 60_000).status_code),
        ("60 KB page form, no session (unread)", form(reply, "body=" + "x" * 60_000, stranger)),
        ("64 KB login form (unread)", form("/ui/login", "token=" + "x" * 65_536, stranger)),
        ("page form reply, NUL", form(reply, "body=a%00b&csrf=x", w["pages"])),
        ("page form reply, lone surrogate", form(reply, "body=a%ED%A0%80b&csrf=x", w["pages"])),
        ("page form reply, 20,001 characters", form(reply, "body=" + "x" * 20_001 + "&csrf=x", w["pages"])),
        ("page form, NUL in the path", form(f"/ui/conversations/{cid}%00/reply", "body=a&csrf=x", w["pages"])),
        ("POST /events, an id ebay does not hold (bol's)", lambda c, _l: c.post("/events", json=ebay_event, headers={"Authorization": f"Bearer {w['ebay']}"}).status_code),
        ("POST /events re-sent, same instant at +01:00", lambda c, _l: c.post("/events", json=resent, headers={"Authorization": f"Bearer {OPERATOR}"}).status_code),
    ]  # fmt: skip


def _measure(store: str, url: str) -> list[Row]:
    rows = []
    with (
        tempfile.TemporaryDirectory() as d,
        live_server(url, Path(d), operator_token=OPERATOR) as live,
        httpx.Client(base_url=live.url, timeout=60) as c,
    ):
        w = _world(c)
        for name, send in _requests(w):  # (the first send of each is its warm-up)
            send(c, live)  # warm-up (first use of a code path, caches)
            rss0, cpu0 = live.rss(), _cpu(live.pid)
            times, status = [], 0
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                status = send(c, live)
                times.append(time.perf_counter() - t0)
            cpu = (_cpu(live.pid) - cpu0) / REPEAT
            rows.append(
                Row(
                    store,
                    name,
                    status,
                    statistics.median(times) * 1000,
                    max(times) * 1000,
                    cpu * 1000,
                    (live.rss() - rss0) / 2**20,
                )
            )
        w["pages"].close()
        w["stranger"].close()
    return rows


def run() -> str:
    from servicenorm.store.local_pg import LocalPostgres, find_bindir

    rows: list[Row] = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        rows += _measure("SQLite", f"sqlite:///{d}/abuse.db")
    bindir = find_bindir()
    if bindir is not None:
        pg = LocalPostgres(bindir)
        pg.start()
        try:
            import sqlalchemy as sa

            admin = sa.create_engine(pg.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(sa.text("CREATE DATABASE abuse"))
            admin.dispose()
            rows += _measure("PostgreSQL 15", pg.url("abuse"))
        finally:
            pg.stop()
    out = [
        "## abuse: what hostile requests cost the server\n",
        "Command: `python -m bench abuse` (`servicenorm serve` as its own process, each request "
        f"{REPEAT} times after a warm-up; wall time at the client, CPU time and resident memory "
        "of the server process from /proc). Target: < 50 ms and no lasting memory growth each.\n",
        "| store | request | answer | median ms | max ms | server CPU ms | RSS growth MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r.store} | {r.name} | {r.status} | {r.median_ms:.1f} | {r.max_ms:.1f} | "
            f"{r.cpu_ms:.1f} | {r.rss_growth_mb:+.1f} |"
        )
    worst = max(rows, key=lambda r: r.median_ms)
    cpu = max(rows, key=lambda r: r.cpu_ms)
    out.append(
        f"\nSlowest median: {worst.name} on {worst.store}, {worst.median_ms:.1f} ms; most server "
        f"CPU: {cpu.name} on {cpu.store}, {cpu.cpu_ms:.1f} ms; largest RSS change: "
        f"{max(r.rss_growth_mb for r in rows):+.1f} MB. Load average when the run started: "
        f"{load:.1f} on {os.cpu_count()} cores (wall times include waiting for a core; the "
        "server's CPU time per request is what the request itself costs)."
    )
    return "\n".join(out) + "\n"
