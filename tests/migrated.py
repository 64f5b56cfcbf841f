"""A migrated SQLite store for tests that need an empty one: the Alembic history (every
branch, `upgrade heads`) runs once per test process, and each test gets a byte copy of that
file. Running the migrations takes seconds under load, a copy a millisecond; the copy holds
the same schema, `alembic_version` rows and persistent pragmas (WAL) as a fresh upgrade.

The migrations themselves are exercised where they are the subject: tests/enforce/
test_migration.py, tests/integration (its templates are built by `upgrade`) and the start-up
tests."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from servicenorm.store.db import make_engine
from servicenorm.store.migrate import upgrade


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="sn-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "heads")
    engine.dispose()  # the last connection to close folds the WAL into the file
    return path


def migrated_sqlite(path: Path) -> str:
    """Put a freshly migrated SQLite store at `path`; returns its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(), path)
    return f"sqlite:///{path}"
