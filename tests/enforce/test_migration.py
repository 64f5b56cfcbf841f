"""The enforcement migration is a branch of its own and builds exactly the ORM tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect

import servicenorm.enforce.enforce_tables
import servicenorm.notify.notify_tables  # noqa: F401
from servicenorm.store.base import Base
from servicenorm.store.migrate import alembic_config
from tests.enforce import factories as fx

MINE = {t.name for t in Base.metadata.sorted_tables if t.name.startswith(("enforce_", "notify_"))}


def test_enforce_is_a_separate_branch_without_a_parent() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    rev = script.get_revision("enforce@head")
    assert rev is not None
    while rev.down_revision is not None:  # the branch's later revisions extend it linearly
        assert isinstance(rev.down_revision, str)
        rev = script.get_revision(rev.down_revision)
        assert rev is not None
    assert rev.revision == "0100_enforce" and "enforce" in rev.branch_labels


def test_upgrade_heads_builds_exactly_the_models_and_the_branch_downgrades_alone(
    tmp_path: Path,
) -> None:
    engine, _ = fx.migrated(tmp_path)
    mine = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in MINE:
        Base.metadata.tables[name].to_metadata(mine)
    with engine.connect() as c:
        diff = compare_metadata(
            MigrationContext.configure(
                c, opts={"include_name": lambda name, type_, _p: type_ != "table" or name in MINE}
            ),
            mine,
        )
    assert diff == []
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "enforce@base")
    tables = set(inspect(engine).get_table_names())
    assert not (tables & MINE) and "conversations" in tables  # the helpdesk's branch is untouched
    engine.dispose()
