"""Apply the Alembic history programmatically (serve, tests, bootstrap)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def alembic_config() -> Config:
    ini = files("servicenorm.store").joinpath("migrations/alembic.ini")
    return Config(str(ini))


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database behind `engine` to `revision` (default: the newest of every branch:
    the helpdesk's history and the labelled branches other areas keep, e.g. `enforce`)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
