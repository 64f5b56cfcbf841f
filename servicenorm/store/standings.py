"""Each seller's standing as the operator's overview showed it, per marketplace and hour
(issue 14, "what changed since last week"): written by the first overview view of an hour,
read a week later instead of counting a week-old window again (hundreds of ms)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicenorm.store.base import Base
from servicenorm.store.types import Instant


class StandingHour(Base):
    """A seller's worst in-score status (below, at_risk, meets, no_data) at the first overview
    view in `hour` (the hour's start)."""

    __tablename__ = "standing_hours"

    marketplace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    hour: Mapped[datetime] = mapped_column(Instant, primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))


class SellerStanding(Base):
    """What the overview shows of a seller (issue 10: the live store costs what changed): its
    worst in-score status and each norm's status, judged at `as_of` under the policy `policy`
    (a digest), valid until `valid_until` unless an event arrives for it or one of its open
    items passes its deadline (`standing_marks`). The question-rate norm is judged when read
    (its personal norm follows the whole marketplace's counts): its counts are kept here."""

    __tablename__ = "seller_standings"

    marketplace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    policy: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[datetime] = mapped_column(Instant)
    valid_until: Mapped[datetime] = mapped_column(Instant)
    # "slug=status" of each norm but the question rate, in the registry's order, comma-separated
    statuses: Mapped[str] = mapped_column(String(400))
    # the question rate's figure: questions, and the orders per category ("cat=n;...")
    questions: Mapped[int] = mapped_column(BigInteger)
    orders: Mapped[str] = mapped_column(Text)


class StandingMark(Base):
    """Up to where the overview's standings of a marketplace looked for what changed: the
    instant of the last check (deadlines passed since are read by index) and the newest ingest
    instant it had seen (events received since are read by index)."""

    __tablename__ = "standing_marks"

    marketplace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(Instant)
    received: Mapped[datetime | None] = mapped_column(Instant, nullable=True)
