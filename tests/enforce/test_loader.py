"""The store's event log read for metric runs: registrations under the policy's name, so a
marketplace whose id is not its preset's name (`shop-nl` on `bol`) still has its sellers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from servicenorm.enforce.loader import load_log
from tests.enforce import factories as fx

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_sellers_are_registered_under_the_policy_name(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "shop-nl", "bol", T0)
        fx.seller(s, "api-made", "shop-nl", T0)  # no seller_registered event: derived from the row
        fx.seller(s, "ingested", "shop-nl", T0, country="BE")
        fx.ingest(
            s,
            [
                fx.ev(
                    "seller_registered",
                    "r1",
                    T0,
                    seller="ingested",
                    marketplace="shop-nl",
                    country="BE",
                )
            ],
            T0,
        )
        s.commit()
        log = load_log(s, "shop-nl", as_of=T0)
        regs = sorted(
            (r["seller"], r["marketplace"], r["country"])
            for r in log.table("seller_registered").to_pylist()
        )
        assert regs == [("api-made", "bol", "NL"), ("ingested", "bol", "BE")]
        assert not log.errors
