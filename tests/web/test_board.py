"""The scoreboard cache: the same board while nothing changed, a new one when an event
arrives or a minute passes (statuses move from pending to late with time)."""

from __future__ import annotations

from datetime import timedelta

from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk.accounts import authenticate
from servicenorm.store.tables import Marketplace
from servicenorm.web.pages.board import FRESH, board_for
from tests.web.conftest import World


def test_board_is_reused_until_data_or_time_moves(world: World) -> None:
    now = world.now + timedelta(minutes=1)
    with world.container.sessions() as s:
        market = s.get(Marketplace, "shop-nl")
        assert market is not None
        first = board_for(s, market, now)
        assert board_for(s, market, now + FRESH / 2) is first
        later = board_for(s, market, now + FRESH)
        assert later is not first and later.log is first.log  # same events, a later as-of
        pending_before = next(
            r for r in later.norms("boek-risk") if r.norm == "first_response"
        ).pending
        p = authenticate(s, world.tokens["boek-risk"], world.container.pepper, now)
        assert p is not None
        waiting = [
            c
            for c in conv.list_conversations(
                s, p, seller_id=None, buyer_id=None, waiting=True, limit=10, offset=0
            )
        ]
        assert len(waiting) == 1
        conv.post_message(s, p, waiting[0].id, now=now + FRESH, body="Het boek is onderweg.")
        s.commit()
        after = board_for(s, market, now + FRESH)
        assert after is not later and after.log is not later.log
        row = next(r for r in after.norms("boek-risk") if r.norm == "first_response")
        assert (row.pending, row.good) == (
            pending_before - 1,
            next(r for r in later.norms("boek-risk") if r.norm == "first_response").good + 1,
        )
