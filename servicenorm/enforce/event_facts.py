"""Facts enforcement needs beyond the metric report, read from the same event log (pure):
sales for the badge, bills, linked shops, announced absences and cases.

Every function takes the instant it looks from (`as_of_us`): only events at or before it count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from servicenorm.clock import from_us
from servicenorm.clock.kernel import local_midnight
from servicenorm.events import EventLog


def _rows(log: EventLog, kind: str, as_of_us: int) -> list[dict[str, object]]:
    t = log.tables.get(kind)
    if t is None or t.num_rows == 0:
        return []
    return [r for r in t.to_pylist() if int(r["at"]) <= as_of_us]


def sales(
    log: EventLog, start_us: int, end_us: int, as_of_us: int, currency: str
) -> dict[str, Decimal]:
    """Per seller: the amount of its orders placed in [start, end), not cancelled by as-of, in
    `currency` (orders in another currency are not converted and do not count)."""
    cancelled = {str(r["order_id"]) for r in _rows(log, "order_cancelled", as_of_us)}
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in _rows(log, "order_placed", as_of_us):
        if (
            start_us <= int(str(r["at"])) < end_us
            and str(r["order_id"]) not in cancelled
            and r["currency"] == currency
        ):
            try:
                out[str(r["seller"])] += Decimal(str(r["amount"]))
            except InvalidOperation:
                continue
    return dict(out)


@dataclass(frozen=True)
class Bill:
    id: str
    seller: str
    issued_at: datetime
    due_at: datetime
    paid_at: datetime | None

    def overdue_at(self, t: datetime) -> bool:
        return self.due_at <= t and (self.paid_at is None or self.paid_at > t)


def _due(text: str, zone: ZoneInfo) -> datetime:
    """A due date is due at the end of that local date; a due instant is itself."""
    if len(text) == 10:
        return from_us(local_midnight(zone, date.fromisoformat(text) + timedelta(days=1)), zone)
    return datetime.fromisoformat(text)


def bills(log: EventLog, as_of_us: int, zone: str) -> list[Bill]:
    z = ZoneInfo(zone)
    paid: dict[str, datetime] = {}
    for r in sorted(_rows(log, "bill_paid", as_of_us), key=lambda r: int(str(r["at"]))):
        paid.setdefault(str(r["bill"]), from_us(int(str(r["at"]))))
    out = []
    for r in _rows(log, "bill_issued", as_of_us):
        out.append(
            Bill(
                str(r["bill"]),
                str(r["seller"]),
                from_us(int(str(r["at"]))),
                _due(str(r["due"]), z),
                paid.get(str(r["bill"])),
            )
        )
    return out


def overdue_sellers(all_bills: list[Bill], at: datetime) -> set[str]:
    return {b.seller for b in all_bills if b.overdue_at(at)}


def linked_shops(log: EventLog, as_of_us: int) -> dict[str, frozenset[str]]:
    """Every shop's linked shops: the connected group over the latest registrations' links."""
    latest: dict[str, list[str]] = {}
    for r in sorted(
        _rows(log, "seller_registered", as_of_us),
        key=lambda r: (int(str(r["at"])), int(str(r["line"]))),
    ):
        links = r["linked_sellers"]
        latest[str(r["seller"])] = [str(x) for x in links] if isinstance(links, list) else []
    return link_groups(latest)


def link_groups(links: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, others in links.items():
        for o in others:
            parent[find(s)] = find(o)
        find(s)
    groups: dict[str, set[str]] = defaultdict(set)
    for s in parent:
        groups[find(s)].add(s)
    return {s: frozenset(groups[find(s)] - {s}) for s in parent}


@dataclass(frozen=True)
class AbsenceNotice:
    event_id: str
    seller: str
    start: date
    end: date
    announced_at: datetime


def absences(log: EventLog, as_of_us: int) -> list[AbsenceNotice]:
    return [
        AbsenceNotice(
            str(r["id"]),
            str(r["seller"]),
            r["start_date"],  # type: ignore[arg-type]
            r["end_date"],  # type: ignore[arg-type]
            from_us(int(str(r["at"]))),
        )
        for r in _rows(log, "absence_announced", as_of_us)
    ]
