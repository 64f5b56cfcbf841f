"""Settings fail closed; the migrations build exactly the models; instants stay aware."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy import MetaData, select

from servicenorm.clock import NaiveDatetimeError
from servicenorm.settings import Settings
from servicenorm.store import tables
from servicenorm.store.base import Base
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.migrate import alembic_config, current_heads, upgrade


def test_production_refuses_the_development_pepper_and_a_missing_database() -> None:
    with pytest.raises(ValidationError, match="TOKEN_PEPPER"):
        Settings(environment="production", database_url="postgresql://x/y")
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Settings(environment="production", token_pepper="a-real-secret-of-some-length")
    ok = Settings(
        environment="production",
        token_pepper="a-real-secret-of-some-length",
        database_url="postgresql://x/y",
    )
    assert ok.resolved_database_url == "postgresql://x/y"


def test_default_database_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    assert (
        Settings(data_dir=tmp_path).resolved_database_url
        == f"sqlite:///{tmp_path.resolve()}/servicenorm.db"
    )


def test_migrations_are_one_linear_history_matching_the_models(tmp_path: Path) -> None:
    # one head for the helpdesk's history; other areas keep labelled branches of their own
    # (branch labels pass down to every descendant revision)
    script = ScriptDirectory.from_config(alembic_config())
    assert (
        len([r for r in script.get_revisions("heads") if r is not None and not r.branch_labels])
        == 1
    )
    assert len(current_heads()) == len(script.get_revisions("heads"))
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    mine = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in HELPDESK_TABLES:
        Base.metadata.tables[name].to_metadata(mine)
    with engine.connect() as c:
        # only the helpdesk's own tables: other areas add theirs in later revisions
        diff = compare_metadata(MigrationContext.configure(c, opts={"include_name": _mine}), mine)
    engine.dispose()
    assert diff == []


HELPDESK_TABLES = {
    t.__tablename__
    for t in (
        tables.Account,
        tables.ApiToken,
        tables.Buyer,
        tables.Conversation,
        tables.EventRow,
        tables.Faq,
        tables.Listing,
        tables.Marketplace,
        tables.Message,
        tables.Order,
        tables.ProactiveStage,
        tables.SavedReply,
        tables.Seller,
        tables.Violation,
    )
}


def _mine(name: str | None, type_: str, _parent: object) -> bool:
    return type_ != "table" or name in HELPDESK_TABLES


def test_instants_round_trip_as_aware_utc_and_naive_ones_are_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    at = datetime.fromisoformat("2026-03-29T02:30:00+02:00")
    with sessions() as s:
        s.add(tables.Marketplace(id="m", preset="bol", title="t", created_at=at))
        s.commit()
    with sessions() as s:
        got = s.scalars(select(tables.Marketplace)).one().created_at
        assert got == at and got.utcoffset() is not None
        s.add(tables.Marketplace(id="n", preset="bol", title="t", created_at=datetime(2026, 3, 1)))  # noqa: DTZ001
        with pytest.raises(Exception) as e:
            s.commit()
        assert isinstance(e.value, NaiveDatetimeError) or isinstance(
            getattr(e.value, "orig", None), NaiveDatetimeError
        )
    engine.dispose()
