"""A shop that opens during the run is named by no event before its registration: its
absence notice, closure and phone hours come after it (the store refuses an event of a seller
it does not know yet, so a benchmark's log of 47,000 sellers failed to load)."""

from __future__ import annotations

from datetime import date

import numpy as np

from servicenorm.demo.blocks import Label
from servicenorm.demo.build import build
from servicenorm.demo.roster import Skew


def test_no_event_names_a_seller_before_it_is_registered() -> None:
    demo = build(1500, 10, "bol", 1, date(2026, 11, 2), skew=Skew(2.0, 0.02))
    (market,) = demo.markets
    registered = market.sellers.registered
    newcomers = int((market.sellers.first_day > 0).sum())
    assert newcomers > 20  # the case is exercised
    checked = 0
    for block in demo.blocks:
        seller = next(
            (f for f in block.fields if isinstance(f, Label) and f.name == "seller"), None
        )
        if seller is None or block.type == "seller_registered":
            continue
        early = block.at < registered[seller.code]
        assert not early.any(), (block.type, int(np.flatnonzero(early)[0]))
        checked += len(block)
    assert checked > 0
