"""Evaluation windows: local dates in the preset's zone turned into instants, and ISO weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from servicenorm.clock import to_us
from servicenorm.clock.kernel import local_midnight


@dataclass(frozen=True)
class Window:
    """`[start, end)` local dates in `zone`, seen as of the instant `as_of`."""

    start: date
    end: date
    as_of: datetime
    zone: str

    def __post_init__(self) -> None:
        to_us(self.as_of)  # refuses a naive as-of
        if self.end <= self.start:
            raise ValueError(f"window --to {self.end} must be after --from {self.start}")

    @property
    def start_us(self) -> int:
        return local_midnight(ZoneInfo(self.zone), self.start)

    @property
    def end_us(self) -> int:
        return local_midnight(ZoneInfo(self.zone), self.end)

    @property
    def as_of_us(self) -> int:
        return to_us(self.as_of)

    def iso_weeks(self) -> list[tuple[str, int, int]]:
        """(YYYY-Www, week start, week end) for every ISO week overlapping the window;
        weeks start Monday 00:00 in the zone."""
        zone = ZoneInfo(self.zone)
        monday = self.start - timedelta(days=self.start.weekday())
        out = []
        while monday < self.end:
            y, w, _ = monday.isocalendar()
            nxt = monday + timedelta(days=7)
            out.append((f"{y}-W{w:02d}", local_midnight(zone, monday), local_midnight(zone, nxt)))
            monday = nxt
        return out
