"""The reply deadlines of a chunk's buyer messages, computed at once with the vector clock.

Grouped by calendar (preset and the seller's country) from the sellers as the chunk starts.
A seller registered or moved within the chunk, or a line that will be refused, merely costs
a scalar computation or a spare one: the answer is always `deadline_for`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from servicenorm.clock import to_us
from servicenorm.events import Event
from servicenorm.events import models as ev
from servicenorm.helpdesk.projection.state import State
from servicenorm.helpdesk.reply_deadlines import deadline_for, deadlines_for


class Deadlines:
    def __init__(self) -> None:
        self._known: dict[tuple[str, str, int], datetime] = {}

    def get(self, preset: str, country: str, at: datetime) -> datetime:
        found = self._known.get((preset, country, to_us(at)))
        return found if found is not None else deadline_for(preset, country, at)

    def prime(self, snap: State, events: Sequence[Event]) -> None:
        wanted: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        clock_of: dict[str, tuple[str, str]] = {}  # seller -> (preset, country)
        for x in snap.sellers.values():
            if x.marketplace_id in snap.markets:
                clock_of[x.id] = (snap.markets[x.marketplace_id].preset, x.country)
        conv_seller = {cid: c.seller_id for cid, c in snap.convs.items()}
        for e in events:
            if isinstance(e, ev.SellerRegistered):
                if (
                    e.seller not in clock_of
                ):  # a new seller: its marketplace's preset, or the preset it names
                    market = snap.markets.get(e.marketplace)
                    clock_of[e.seller] = (market.preset if market else e.marketplace, e.country)
                continue
            if isinstance(e, ev.QuestionOpened):
                seller_id: str | None = e.seller
                conv_seller.setdefault(e.conversation, e.seller)
            elif isinstance(e, ev.MessageSent) and e.author == "buyer":
                seller_id = conv_seller.get(e.conversation)
            else:
                continue
            clock = clock_of.get(seller_id) if seller_id else None
            if clock is not None:
                wanted[clock].append(e.at)
        for (preset, country), ats in wanted.items():
            try:
                dues = deadlines_for(preset, country, ats)
            except ValueError:  # no such preset: those lines are refused when applied
                continue
            for at, due in zip(ats, dues, strict=True):
                self._known[preset, country, to_us(at)] = due
