"""Official holidays: the `holidays` library, corrected by the named sets in holiday_sets.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib.resources import files

import holidays as holidays_lib


@dataclass(frozen=True)
class HolidaySet:
    name: str
    country: str
    categories: tuple[str, ...] = ("public",)
    keep: frozenset[str] | None = None  # None: every holiday of the categories
    source: str = "holidays library, public holidays"

    def dates(self, years: range) -> dict[date, str]:
        return dict(_dates(self, years.start, years.stop))


@lru_cache(maxsize=256)
def _dates(spec: HolidaySet, first_year: int, stop_year: int) -> tuple[tuple[date, str], ...]:
    # Cached: many calendars (every seller's phone hours) share one holiday set.
    found = holidays_lib.country_holidays(
        spec.country,
        years=list(range(first_year, stop_year)),
        categories=spec.categories,
        language="en_US",
    )
    out = []
    for day, names in sorted(found.items()):
        kept = [n for n in names.split("; ") if spec.keep is None or n in spec.keep]
        if kept:
            out.append((day, "; ".join(kept)))
    return tuple(out)


@cache
def named_sets() -> dict[str, HolidaySet]:
    raw = tomllib.loads(files("servicenorm.clock").joinpath("holiday_sets.toml").read_text())
    return {
        name: HolidaySet(
            name=name,
            country=spec["country"],
            categories=tuple(spec.get("categories", ["public"])),
            keep=frozenset(spec["keep"]) if "keep" in spec else None,
            source=spec["source"],
        )
        for name, spec in raw.items()
    }


def holiday_set(name: str) -> HolidaySet:
    """A named set (`NL-Atw`, `BE-legal`) or an ISO country code for the library's public days."""
    sets = named_sets()
    if name in sets:
        return sets[name]
    code = name.upper()
    if code not in holidays_lib.list_supported_countries():
        known = ", ".join(sorted(sets))
        raise ValueError(
            f"unknown holiday set {name!r}: use an ISO 3166 country code (e.g. DE) or one of {known}"
        )
    return HolidaySet(name=code, country=code)
