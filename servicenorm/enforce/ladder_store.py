"""Ladder positions in the store: read as a pure `LadderState`, advanced by compare-and-set."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.enforce.ladder import LadderState
from servicenorm.enforce.tables import LadderPosition
from servicenorm.notify.ids import new_id
from servicenorm.store.once import insert_once


def position(s: Session, seller_id: str, policy: str) -> LadderPosition:
    row = s.scalar(
        select(LadderPosition).where(
            LadderPosition.seller_id == seller_id, LadderPosition.policy == policy
        )
    )
    if row is not None:
        return row
    row = LadderPosition(
        id=new_id(), seller_id=seller_id, policy=policy, level=-1, cycle=0, version=1
    )
    if not insert_once(s, row):  # created concurrently
        found = s.scalar(
            select(LadderPosition).where(
                LadderPosition.seller_id == seller_id, LadderPosition.policy == policy
            )
        )
        assert found is not None
        return found
    return row


def state_of(row: LadderPosition) -> LadderState:
    return LadderState(
        row.level,
        row.cycle,
        row.last_step_at,
        row.contacted_at,
        row.last_finding_at,
        row.evaluated_as_of,
    )


def advance(s: Session, row: LadderPosition, new: LadderState) -> bool:
    """Compare-and-set: store `new` only if nobody moved the position since it was read."""
    res = s.execute(
        update(LadderPosition)
        .where(LadderPosition.id == row.id, LadderPosition.version == row.version)
        .values(
            level=new.level,
            cycle=new.cycle,
            last_step_at=new.last_step_at,
            contacted_at=new.contacted_at,
            last_finding_at=new.last_finding_at,
            evaluated_as_of=new.evaluated_as_of,
            version=LadderPosition.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        return False
    s.refresh(row)
    return True
