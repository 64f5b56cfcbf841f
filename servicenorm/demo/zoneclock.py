"""Wall clock <-> instant for the demo's bulk timestamps, vectorised.

The generator draws times as (local date, second of day) and must print every instant with
its zone's offset (`+01:00` in winter, `+02:00` in summer). Offsets are read once per UTC
hour from zoneinfo; every IANA zone the presets use changes offset on a whole UTC hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from servicenorm.clock.instants import US_PER_S, to_us

I64 = npt.NDArray[np.int64]
HOUR_US = 3600 * US_PER_S
DAY_US = 86_400 * US_PER_S


class ZoneClock:
    """Offsets of one zone over a span of instants, and local midnights of a run of dates."""

    def __init__(self, zone: str, lo_us: int, hi_us: int) -> None:
        self.zone_name = zone
        self.zone = ZoneInfo(zone)
        self._h0 = lo_us // HOUR_US - 1
        self._h1 = hi_us // HOUR_US + 2
        if zone == "UTC":
            self._offsets = np.zeros(self._h1 - self._h0, dtype=np.int64)
        else:
            self._offsets = self._hourly_offsets(self._h0, self._h1)

    def _hourly_offsets(self, h0: int, h1: int) -> I64:
        # One zoneinfo call per day, and per hour only on the days whose offset changes.
        out = np.empty(h1 - h0, dtype=np.int64)
        for h in range(h0, h1, 24):
            a, b = self._offset_at(h), self._offset_at(min(h + 24, h1 - 1))
            if a == b:
                out[h - h0 : min(h + 24, h1) - h0] = a
            else:
                for hh in range(h, min(h + 24, h1)):
                    out[hh - h0] = self._offset_at(hh)
        return out

    def _offset_at(self, hour: int) -> int:
        off = datetime.fromtimestamp(hour * 3600, UTC).astimezone(self.zone).utcoffset()
        assert off is not None
        return off.days * 86_400 + off.seconds

    def covers(self, lo_us: int, hi_us: int) -> bool:
        return self._h0 <= lo_us // HOUR_US and hi_us // HOUR_US < self._h1

    def offset_s(self, t_us: I64) -> I64:
        """UTC offset in seconds at each instant."""
        idx = np.floor_divide(t_us, HOUR_US) - self._h0
        out: I64 = self._offsets[idx]
        return out

    def midnights(self, first: date, days: int) -> I64:
        """Instants of local 00:00 of `days` consecutive dates from `first` (one more at the end)."""
        ordinal = first.toordinal()
        return np.array(
            [
                to_us(datetime.combine(date.fromordinal(ordinal + i), time(0), tzinfo=self.zone))
                for i in range(days + 1)
            ],
            dtype=np.int64,
        )

    def local_to_us(self, midnight_us: I64, second_of_day: I64) -> I64:
        """Instants of wall-clock readings: local midnight of the date + seconds of wall time.

        On a DST day the wall clock runs an hour short or long; correcting by the offset at the
        guessed instant puts 10:00 at 10:00 local on either side of the change.
        """
        guess = midnight_us + second_of_day * US_PER_S
        drift = self.offset_s(guess) - self.offset_s(midnight_us)
        return guess - drift * US_PER_S


def offset_label(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    h, m = divmod(abs(seconds) // 60, 60)
    return f"{sign}{h:02d}:{m:02d}"
