"""Engines and sessions for SQLite (default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for `url`; a SQLite file's directory is created on demand.

    SQLite: WAL for concurrent readers, foreign keys on, and every transaction opened with
    BEGIN IMMEDIATE. A deferred transaction that reads and then writes fails at once with
    SQLITE_BUSY when another writer committed in between (busy_timeout does not apply), so
    taking the write lock up front turns that race into a short wait. Within a process the
    threads queue for that lock on a Python lock (`_Writer`) instead of SQLite's busy handler,
    which sleeps 1, 2, 5, 10 ... 100 ms between tries and so turns a 0.1 ms wait into tens of
    milliseconds under load; between processes the busy handler still arbitrates.
    """
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (savepoints need it)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        writer = _writer_for(u.database)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            dbapi_conn = conn.connection.dbapi_connection
            writer.acquire(dbapi_conn)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                writer.release(dbapi_conn)
                raise

        _release_after(engine, writer)
        return engine
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    engine = create_engine(u, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


class _Writer:
    """The write lock of one SQLite file among this process's threads: taken before BEGIN
    IMMEDIATE, given back once COMMIT or ROLLBACK has run (or the connection leaves the pool).
    A thread that holds it and opens a second transaction on another connection does not wait
    for itself: that transaction meets SQLite's busy handler, as without this lock."""

    TIMEOUT_S = 30.0  # as busy_timeout

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None
        self._thread: int | None = None

    def acquire(self, dbapi_conn: Any) -> None:
        if self._thread == threading.get_ident():
            return
        if not self._lock.acquire(timeout=self.TIMEOUT_S):
            raise exc.OperationalError(
                "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
            )
        self._holder, self._thread = dbapi_conn, threading.get_ident()

    def release(self, dbapi_conn: Any) -> None:
        if dbapi_conn is not None and self._holder is dbapi_conn:
            self._holder = self._thread = None
            self._lock.release()


_WRITERS: dict[str, _Writer] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_for(database: str | None) -> _Writer:
    if not database or database == ":memory:" or database.startswith("file:"):
        return _Writer()
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(str(Path(database).resolve()), _Writer())


def _release_after(engine: Engine, writer: _Writer) -> None:
    """Give the lock back after the DBAPI commit or rollback itself (the `commit` and `rollback`
    events come before it), and whenever a connection is returned, closed or invalidated."""
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_conn: Any) -> None:
        try:
            commit(dbapi_conn)
        finally:
            writer.release(dbapi_conn)

    def do_rollback(dbapi_conn: Any) -> None:
        try:
            rollback(dbapi_conn)
        finally:
            writer.release(dbapi_conn)

    # this engine's dialect instance only; SQLAlchemy has no event after the DBAPI commit
    setattr(dialect, "do_commit", do_commit)  # noqa: B010
    setattr(dialect, "do_rollback", do_rollback)  # noqa: B010
    for name in ("checkin", "close", "invalidate", "soft_invalidate", "detach"):
        event.listen(engine, name, lambda dbapi_conn, *_rest: writer.release(dbapi_conn))


PING_AFTER_IDLE_S = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """`pool_pre_ping`, but only for a connection that sat in the pool for a while: a ping is a
    round trip, as dear as a small query, and a connection used a moment ago is alive. A dead one
    is replaced before use (DisconnectionError makes the pool retry with a new connection); one
    that dies within the idle window fails its request once and is then discarded."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > PING_AFTER_IDLE_S:
            try:
                alive = engine.dialect.do_ping(dbapi_conn)
            except Exception as e:
                raise exc.DisconnectionError(str(e)) from e
            if not alive:
                raise exc.DisconnectionError("the ping found the connection closed")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
