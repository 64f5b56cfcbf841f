"""Issue 11 item 11: start-up under concurrency.

Two workers migrating one fresh PostgreSQL database at the same time both come up (the
migrations run under an advisory lock), and the language model is loaded once, at start,
not once per concurrent first message post."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, inspect, text

from servicenorm.moderation import language
from servicenorm.settings import Settings
from servicenorm.store.db import make_engine
from servicenorm.store.local_pg import LocalPostgres
from servicenorm.store.migrate import current_heads, upgrade
from servicenorm.web.app import create_app
from tests.integration.conftest import OPERATOR_TOKEN, new_database
from tests.integration.world import auth


def _fresh_pg_database(server: LocalPostgres) -> str:
    name = f"fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.url(name)


@pytest.mark.parametrize("attempt", range(3))
def test_two_workers_migrating_a_fresh_postgresql_database_both_come_up(
    pg_server: LocalPostgres, attempt: int
) -> None:
    url = _fresh_pg_database(pg_server)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        engine = make_engine(url, 2)
        try:
            start.wait()
            upgrade(engine)
        except BaseException as e:  # the failure to show: UniqueViolation on alembic_version
            errors.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    engine = make_engine(url)
    with engine.connect() as c:
        versions = {r[0] for r in c.execute(text("SELECT version_num FROM alembic_version"))}
        assert "conversations" in inspect(c).get_table_names()
    engine.dispose()
    assert versions == set(current_heads())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(tmp_path: Path, request: pytest.FixtureRequest, backend: str) -> Iterator[str]:
    """`create_app` under uvicorn (with its lifespan, as `serve` runs it) on a free port."""
    url = new_database(backend, request, tmp_path)
    settings = Settings(
        environment="test", data_dir=tmp_path, database_url=url, operator_token=OPERATOR_TOKEN
    )
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_twenty_concurrent_first_posts_do_not_each_load_the_language_model(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py3langid.langid import LanguageIdentifier

    loads: list[float] = []
    real = LanguageIdentifier.from_model_file.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, *args: Any, **kwargs: Any) -> Any:
        loads.append(time.monotonic())
        time.sleep(0.2)  # a slow disk: every caller that misses the cache piles up here
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", classmethod(counting))
    language.forget_model()  # a fresh process: nothing loaded yet
    # PostgreSQL: posts run in parallel there (SQLite's one writer would line them up)
    with (
        live_server(tmp_path, request, "postgresql") as base,
        httpx.Client(base_url=base, timeout=60) as c,
    ):
        op = auth(OPERATOR_TOKEN)

        def post(path: str, body: Any, headers: dict[str, str]) -> Any:
            r = c.post(path, json=body, headers=headers)
            assert r.status_code in (200, 201), r.text
            return r.json()

        post("/marketplaces", {"id": "bol", "preset": "bol", "title": "bol"}, op)
        post("/sellers", {"id": "s", "marketplace": "bol", "name": "S", "country": "NL"}, op)
        post("/buyers", {"id": "b", "marketplace": "bol", "name": "B"}, op)
        seller = post("/accounts", {"role": "seller", "name": "s", "seller": "s"}, op)
        buyer = post("/accounts", {"role": "buyer", "name": "b", "buyer": "b"}, op)
        ids = [
            post("/conversations", {"seller": "s", "body": f"Vraag {i}"}, auth(buyer["token"]))[
                "conversation"
            ]["id"]
            for i in range(20)
        ]
        answer = {"body": "Dank voor uw vraag, het pakket is vandaag verzonden."}
        with ThreadPoolExecutor(20) as pool:
            list(
                pool.map(
                    lambda cid: post(
                        f"/conversations/{cid}/messages", answer, auth(seller["token"])
                    ),
                    ids,
                )
            )
    assert len(loads) == 1
