"""The state machine's state in the store: ladder positions (read as a pure `LadderState`,
advanced by compare-and-set) and active restrictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicenorm.enforce.enforce_tables import Action, LadderPosition
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.ladder import LadderState
from servicenorm.enforce.machine import Restriction, SellerState
from servicenorm.store.ids import new_id
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


def restrictions_of(s: Session, sellers: Sequence[str]) -> dict[str, list[Restriction]]:
    """The active restrictions of `sellers` (in force, or in their notice period) as the
    state machine sees them."""
    rows = list(
        s.scalars(
            select(Action)
            .where(
                Action.seller_id.in_(list(sellers)),
                Action.kind.in_(RESTRICTIONS),
                Action.state == "active",
            )
            .order_by(Action.start_at, Action.id)
        )
    )
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    keys = (
        dict(s.execute(select(Action.id, Action.key).where(Action.id.in_(parents))).all())
        if parents
        else {}
    )
    out: dict[str, list[Restriction]] = {}
    for r in rows:
        out.setdefault(r.seller_id, []).append(as_restriction(r, keys.get(r.parent_id or "")))
    return out


def as_restriction(r: Action, parent_key: str | None = None) -> Restriction:
    return Restriction(
        r.key, r.kind, r.origin, r.stated_at or r.start_at, r.start_at, r.end_at, parent_key
    )


def load_states(
    s: Session, policy: str, sellers: Sequence[str], positions: Mapping[str, LadderPosition]
) -> dict[str, SellerState]:
    """The machine's state of each seller: its ladder position (where read), its active
    restrictions and the restrictions decided before (the evidence of repetition)."""
    active = restrictions_of(s, sellers)
    decided: dict[str, list[str]] = {}
    for seller, key in s.execute(
        select(Action.seller_id, Action.key)
        .where(Action.seller_id.in_(list(sellers)), Action.kind.in_(RESTRICTIONS))
        .order_by(Action.start_at, Action.id)
    ).all():
        decided.setdefault(seller, []).append(key)
    return {
        x: SellerState(
            state_of(positions[x]) if x in positions else LadderState(),
            tuple(active.get(x, ())),
            decided=tuple(decided.get(x, ())),
        )
        for x in sellers
    }
