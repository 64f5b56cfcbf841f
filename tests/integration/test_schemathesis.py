"""Schemathesis against the published OpenAPI schema: generated requests (valid and
invalid) never get a server error, as the operator (sees everything) and as a buyer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from servicenorm.settings import Settings
from servicenorm.web.app import create_app
from tests.integration.conftest import OPERATOR_TOKEN, new_database
from tests.integration.world import auth, build_world


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    url = new_database(str(request.param), request, tmp_path)
    app = create_app(
        Settings(
            environment="test",
            data_dir=tmp_path,
            database_url=url,
            operator_token=OPERATOR_TOKEN,
            db_pool_size=4,
        )
    )
    with TestClient(app) as c:
        w = build_world(c)  # real ids for the generator to stumble on
    yield app, w.tokens
    app.state.container.engine.dispose()


def test_no_server_errors(api: tuple[FastAPI, dict[str, str]]) -> None:
    app, tokens = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            for who in ("operator", "buyer A"):
                response = case.call(headers=auth(tokens[who]))
                if response.status_code >= 500:
                    failures.append(
                        f"{who}: {case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{response.text[:300]}"
                    )
                case.validate_response(response, checks=[not_a_server_error])

        try:
            check()
        except Exception as e:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(e)[:500]}")
    assert not failures, "\n".join(failures)
