"""Alembic environment: one linear history for every servicenorm table.

Table modules register on `servicenorm.store.base.Base`; modules whose name ends in `tables`
anywhere in the package (servicenorm/store/tables.py, servicenorm/enforce/enforce_tables.py,
servicenorm/notify/notify_tables.py: each area's module is named after its tables' prefix)
are imported so that autogenerate sees the whole schema.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

from servicenorm.store.base import Base
from servicenorm.store.db import make_engine


def _import_table_modules() -> None:
    # found on disk, not by walking packages: walking would import every package on the way
    root = Path(__file__).resolve().parents[2]  # the servicenorm package: migrations/ is in store/
    for path in sorted(root.rglob("*tables.py")):
        importlib.import_module(
            ".".join(("servicenorm", *path.relative_to(root).with_suffix("").parts))
        )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    _import_table_modules()
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from servicenorm.settings import Settings

        url = Settings().resolved_database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


run()
