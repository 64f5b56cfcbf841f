"""The pieces under the fast message post: the token cache, SQLite's in-process writer lock,
and pinging only idle pooled PostgreSQL connections."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from servicenorm.access.principal import Principal
from servicenorm.helpdesk.tokencache import TokenCache
from servicenorm.store import db
from servicenorm.store.db import make_engine
from servicenorm.store.local_pg import LocalPostgres


def _p(account: str) -> Principal:
    return Principal(account_id=account, role="buyer", name=account, buyer_id=account)


def test_token_cache_expires_evicts_by_account_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = TokenCache(ttl=10.0, max_size=3)
    cache.put("h1", _p("a"))
    cache.put("h2", _p("a"))
    cache.put("h3", _p("b"))
    assert cache.get("h1") == _p("a") and len(cache) == 3
    cache.evict_account("a")
    assert cache.get("h1") is None and cache.get("h2") is None and cache.get("h3") == _p("b")
    now[0] += 10.5
    assert cache.get("h3") is None and len(cache) == 0
    for i in range(4):
        cache.put(f"x{i}", _p("c"))
    assert len(cache) <= 3 and cache.get("x3") == _p("c")


def test_sqlite_writers_of_one_process_queue_on_the_lock_and_always_give_it_back(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE n (i INTEGER)"))
    writer = db._writer_for(str(tmp_path / "w.db"))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(40):
                with engine.begin() as c:
                    c.execute(text("INSERT INTO n VALUES (1)"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM n")).scalar_one() == 240
        c.rollback()
    assert writer._holder is None
    with pytest.raises(ZeroDivisionError), engine.begin() as c:  # a rollback gives it back
        c.execute(text("INSERT INTO n VALUES (2)"))
        raise ZeroDivisionError
    assert writer._holder is None
    c2 = engine.connect()
    c2.execute(text("SELECT 1"))  # begun, never ended: returning the connection gives it back
    assert writer._holder is not None
    c2.close()
    assert writer._holder is None
    done = threading.Event()

    def another_thread_writes() -> None:
        with engine.begin() as c:
            c.execute(text("INSERT INTO n VALUES (3)"))
        done.set()

    threading.Thread(target=another_thread_writes).start()
    assert done.wait(10)
    engine.dispose()


def test_an_idle_pooled_connection_is_pinged_and_replaced_when_dead(
    pg_server: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_server.url("postgres"), pool_size=1)
    with engine.connect() as c:
        pid = c.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = make_engine(pg_server.url("postgres"))
    with admin.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        c.commit()
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", -1.0)  # every pooled connection counts as idle
    with engine.connect() as c:  # the dead one is found by the ping and replaced
        assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    engine.dispose()
