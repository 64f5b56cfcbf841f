"""The API suite runs on SQLite and on a real PostgreSQL server (one per test session and
xdist worker; every test gets its own database cloned from a migrated template)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from servicenorm.settings import Settings
from servicenorm.store.db import make_engine
from servicenorm.store.local_pg import LocalPostgres, find_bindir
from servicenorm.store.migrate import upgrade
from servicenorm.web.app import create_app

OPERATOR_TOKEN = "sn_test_operator_token"
# What the apps' clock reads (Settings.now): a fixed Thursday after every event the tests send,
# so no test depends on the day it runs.
NOW = datetime(2026, 4, 2, 11, 30, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl) not installed; apt-get install postgresql"
        )
    server = LocalPostgres(bindir)
    server.start()
    engine = make_engine(server.url("postgres"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("CREATE DATABASE sn_template"))
    engine.dispose()
    template = make_engine(server.url("sn_template"))
    upgrade(template)
    template.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close folds the WAL into the file
    return path


def new_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, copy_of: str | None = None
) -> str:
    """A fresh migrated database, or with `copy_of` (a URL from here) a copy of that one as it is now."""
    if backend == "sqlite":
        source: Path = (
            Path(copy_of.removeprefix("sqlite:///"))
            if copy_of
            else request.getfixturevalue("sqlite_template")
        )
        target = tmp_path / (f"copy-{uuid.uuid4().hex[:8]}.db" if copy_of else "servicenorm.db")
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    server: LocalPostgres = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    template = copy_of.rsplit("/", 1)[1] if copy_of else "sn_template"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_database(str(request.param), request, tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        operator_token=OPERATOR_TOKEN,
        db_pool_size=4,
        now=NOW,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.container.engine.dispose()
