"""Each seller's standing as the operator's overview showed it, per marketplace and hour
(issue 14, "what changed since last week"): written by the first overview view of an hour,
read a week later instead of counting a week-old window again (hundreds of ms)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
