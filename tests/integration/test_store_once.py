"""store.once.insert_once on SQLite and PostgreSQL (issue 11 item 14): only a unique
violation on the row's key means "already done"; a foreign key or NOT NULL violation is an
error the caller must see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicenorm.enforce.enforce_tables import EvaluationRun
from servicenorm.store.content import SavedReply
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.once import insert_once

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url, pool_size=2)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def run(id: str, period: str = "2026-W10", marketplace: str | None = "bol") -> EvaluationRun:
    return EvaluationRun(
        id=id,
        marketplace=marketplace,
        cadence="week",
        period=period,
        policy="bol",
        as_of=NOW,
        window_from="2026-03-02",
        window_to="2026-03-09",
        state="running",
        attempts=0,
        counts={},
        started_at=NOW,
        version=1,
    )


def test_a_row_with_the_same_cause_key_is_already_done(session: Session) -> None:
    assert insert_once(session, run("r1")) is True
    assert insert_once(session, run("r2")) is False  # same marketplace, cadence, period
    assert insert_once(session, run("r3", period="2026-W11")) is True
    session.commit()
    assert session.scalar(select(func.count()).select_from(EvaluationRun)) == 2


def test_a_not_null_violation_propagates(session: Session) -> None:
    with pytest.raises(IntegrityError):
        insert_once(session, run("r1", marketplace=None))


def test_a_foreign_key_violation_propagates(session: Session) -> None:
    row = SavedReply(
        id="sr1", seller_id="no-such-seller", title="t", body="b", created_at=NOW, updated_at=NOW
    )
    with pytest.raises(IntegrityError):
        insert_once(session, row)
