"""CPU and statements per message post, in-process, on PostgreSQL.

    python -m bench post

The route's own work (`api.conversations.post_in_thread`: the caller's token checked, the
conversation seen, the message policy, the projector and the writer, the commit) called 400
times after 20 warm-up posts, alternating a staff reply and a buyer message in one
conversation of the `bench api` store (a seller with a staff member, 20 buyers), one minute
apart. No HTTP and no concurrency: what one post costs the server process in CPU time
(`time.process_time`, so other load on the machine counts little) and how many statements it
sends to PostgreSQL (psycopg cursor calls counted). The database's own CPU is not included.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

POSTS = 400


def _measure(url: str) -> tuple[float, float, float]:
    import psycopg

    from bench import bench_api
    from servicenorm.bootstrap import bootstrap
    from servicenorm.helpdesk import conversations as conv
    from servicenorm.helpdesk.accounts import principal_for_hash
    from servicenorm.helpdesk.tokencache import TokenCache
    from servicenorm.settings import Settings
    from servicenorm.web.api.conversations import post_in_thread
    from servicenorm.web.deps import Caller, presented_hash
    from servicenorm.web.schemas.conversations import MessageCreate

    tokens = bench_api._prepare(url)
    c = bootstrap(
        Settings(environment="production", database_url=url, token_pepper=bench_api.PEPPER)
    )
    cache = TokenCache()

    def caller(token: str) -> Caller:
        h = presented_hash(c, token)
        assert h is not None
        with c.sessions() as s:
            p = principal_for_hash(s.connection(), h)
        assert p is not None
        return Caller(p, h, cache)

    staff, buyer = caller(tokens["staff"]), caller(tokens["b0"])
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with c.sessions() as s:
        thread = conv.open_question(
            s, buyer.principal, seller_id="shop", body="Waar blijft mijn pakket?", now=start
        )
        cid = thread.conversation.id
        s.commit()
    reply = MessageCreate(body="Het pakket is vandaag verzonden.")
    ask = MessageCreate(body="Dank je, nog een vraag.")
    tick = [0]

    def posts(n: int) -> None:
        for i in range(n):
            tick[0] += 1
            who, body = (staff, reply) if i % 2 == 0 else (buyer, ask)
            post_in_thread(c, who, cid, body, start + timedelta(minutes=tick[0]))

    posts(20)
    sent = [0]
    real: dict[str, Any] = {}
    for name in ("execute", "executemany", "copy"):
        real[name] = getattr(psycopg.Cursor, name)

        def counted(self: Any, *a: Any, _name: str = name, **k: Any) -> Any:
            sent[0] += 1
            return real[_name](self, *a, **k)

        setattr(psycopg.Cursor, name, counted)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        posts(POSTS)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        for name, fn in real.items():
            setattr(psycopg.Cursor, name, fn)
    c.engine.dispose()
    return 1000 * cpu / POSTS, 1000 * wall / POSTS, sent[0] / POSTS


def run() -> str:
    import sqlalchemy as sa

    from servicenorm.store.db import make_engine
    from servicenorm.store.local_pg import LocalPostgres, find_bindir
    from servicenorm.store.migrate import upgrade

    bindir = find_bindir()
    if bindir is None:
        return "## Message post, CPU per post\n\nPostgreSQL binaries not installed: not run.\n"
    pg = LocalPostgres(bindir, durable=True)
    admin = pg.start()
    try:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE post"))
        engine.dispose()
        url = pg.url("post")
        migrated = make_engine(url)
        upgrade(migrated)
        migrated.dispose()
        load = os.getloadavg()[0]
        cpu, wall, statements = _measure(url)
    finally:
        pg.stop()
    return "\n".join(
        [
            "## Message post: CPU and statements per post (in-process, PostgreSQL)",
            "",
            "`python -m bench post`: the route's own work (`post_in_thread`) called "
            f"{POSTS} times, alternating a staff reply and a buyer message in one conversation, "
            "one minute apart, no HTTP; CPU time of this process, statements sent to PostgreSQL "
            f"(psycopg cursor calls). Load average {load:.1f} at the start (2 cores).",
            "",
            "| CPU ms per post | wall ms per post | statements per post |",
            "|---:|---:|---:|",
            f"| {cpu:.2f} | {wall:.2f} | {statements:.1f} |",
            "",
        ]
    )
