"""The API fixtures of tests/integration (SQLite and a real PostgreSQL per worker) for the
helpdesk's own API tests."""

from tests.integration.conftest import (  # noqa: F401
    client,
    database_url,
    pg_server,
    settings,
    sqlite_template,
)
