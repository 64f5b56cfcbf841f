"""The scoreboard reads the live store: a post is counted by the very next view (no cache to
expire), and a seller's page reads only that seller."""

from __future__ import annotations

from datetime import timedelta

from servicenorm.helpdesk import conversations as conv
from servicenorm.helpdesk.accounts import authenticate
from servicenorm.store.tables import Marketplace
from servicenorm.web.pages.board import board_for
from tests.web.conftest import World


def test_the_next_view_after_a_post_counts_it(world: World) -> None:
    now = world.now + timedelta(minutes=1)
    with world.container.sessions() as s:
        market = s.get(Marketplace, "shop-nl")
        assert market is not None
        before = next(
            r for r in board_for(s, market, now).norms("boek-risk") if r.norm == "first_response"
        )
        p = authenticate(s, world.tokens["boek-risk"], world.container.pepper, now)
        assert p is not None
        waiting = list(
            conv.list_conversations(
                s, p, seller_id=None, buyer_id=None, waiting=True, limit=10, offset=0
            )
        )
        assert len(waiting) == 1
        conv.post_message(s, p, waiting[0].id, now=now, body="Het boek is onderweg.")
        s.commit()
        board = board_for(s, market, now)
        after = next(r for r in board.norms("boek-risk") if r.norm == "first_response")
        assert (after.pending, after.good) == (before.pending - 1, before.good + 1)
        assert set(board._entries) == {"boek-risk"}  # one seller's page reads one seller
