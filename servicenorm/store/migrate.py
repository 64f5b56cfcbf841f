"""Apply the Alembic history programmatically (serve, tests, bootstrap)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

# the advisory lock key migrations hold on PostgreSQL (any constant other code does not use)
MIGRATION_LOCK = 0x736E_6D69_6772  # "snmigr"


def alembic_config() -> Config:
    ini = files("servicenorm.store").joinpath("migrations/alembic.ini")
    return Config(str(ini))


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database behind `engine` to `revision` (default: the newest of every branch:
    the helpdesk's history and the labelled branches other areas keep, e.g. `enforce`), under
    a PostgreSQL advisory lock so that concurrent starters migrate one after the other."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # several workers starting on one database: one migrates, the others wait here and
            # then find nothing left to do (the lock ends with this transaction)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
