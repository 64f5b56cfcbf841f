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


def current_window(days: int, zone: str, as_of: datetime) -> Window:
    """THE current window, used by `evaluate` without --from/--to, `run-demo`, and the pages:
    the last `days` local days in `zone` up to and including the as-of's own day (what was
    received today counts, as pending until answered or late), seen as of `as_of`."""
    end = as_of.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return Window(end - timedelta(days=days), end, as_of, zone)
