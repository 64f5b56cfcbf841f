"""Issue 11 item 2: demo data and the public demo tokens never reach a real deployment.

`serve --demo` refuses a configured database (one line, exit 2, nothing written); in
production every well-known token is refused at authentication, even when the database
holds it (a demo loaded there before this fix, or a copied test database)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from servicenorm.helpdesk.accounts import ensure_operator_token
from servicenorm.helpdesk.tokens import WELL_KNOWN
from servicenorm.settings import Settings
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.web.app import create_app
from tests.integration.conftest import BACKENDS, NOW, new_database

PEPPER = "a-production-pepper-of-some-length"


def test_serve_demo_refuses_a_configured_database_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "production.db"
    env = {
        **os.environ,
        "SERVICENORM_DATA_DIR": str(tmp_path / "data"),
        "SERVICENORM_DATABASE_URL": f"sqlite:///{target}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "servicenorm.cli", "serve", "--port", "0", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SERVICENORM_DATABASE_URL" in lines[0], done.stderr
    assert "sn_demo_operator" not in done.stdout
    assert not target.exists()  # not even created, let alone migrated or filled
    assert not (tmp_path / "data").exists()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_database(str(request.param), request, tmp_path)


def _holding_well_known_tokens(url: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        for token in sorted(WELL_KNOWN):
            ensure_operator_token(s, token, PEPPER, NOW)
        s.commit()
    engine.dispose()


def _client(url: str, environment: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        environment=environment,  # type: ignore[arg-type]
        data_dir=tmp_path,
        database_url=url,
        token_pepper=PEPPER,  # type: ignore[arg-type]
        db_pool_size=2,
    )
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.container.engine.dispose()


def test_production_refuses_every_well_known_token_even_when_the_database_has_it(
    url: str, tmp_path: Path
) -> None:
    _holding_well_known_tokens(url)
    for token in sorted(WELL_KNOWN):
        bearer = {"Authorization": f"Bearer {token}"}
        for c in _client(url, "development", tmp_path):  # the same database outside production
            assert c.get("/sellers", headers=bearer).status_code == 200
        for c in _client(url, "production", tmp_path):
            assert c.get("/sellers", headers=bearer).status_code == 401
            # the message post's cached-caller path and the fast lane refuse it too
            r = c.post("/conversations/x/messages", json={"body": "hallo"}, headers=bearer)
            assert r.status_code == 401
            page = c.post("/ui/login", data={"token": token}, follow_redirects=False)
            assert page.status_code == 401 and "set-cookie" not in page.headers


def test_production_settings_refuse_a_well_known_bootstrap_operator_token() -> None:
    with pytest.raises(ValidationError, match="well-known"):
        Settings(
            environment="production",
            database_url="sqlite:///x.db",
            token_pepper=PEPPER,  # type: ignore[arg-type]
            operator_token="sn_demo_operator",  # type: ignore[arg-type]
        )
