"""The store's event log read for metric runs: registrations under the policy's name, so a
marketplace whose id is not its preset's name (`shop-nl` on `bol`) still has its sellers."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from servicenorm.enforce.loader import load_log
from servicenorm.store.tables import Seller
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


def test_a_marketplace_with_more_sellers_than_sqlite_binds_parameters(tmp_path: Path) -> None:
    """bol has about 47,000 sellers, and many SQLite builds bind at most 32,766 parameters per
    statement (this machine's allows 250,000): the limit is lowered here to 1,000 and the
    marketplace has 1,500 sellers."""
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol-nl", "bol", T0)
        s.execute(
            insert(Seller),
            [
                {
                    "id": f"s{i:05d}",
                    "marketplace_id": "bol-nl",
                    "name": f"Shop {i}",
                    "country": "NL",
                    "linked_sellers": [],
                    "registered_at": T0,
                    "proactive_enabled": False,
                    "closed": False,
                }
                for i in range(1_500)
            ],
        )
        s.commit()
        dbapi = s.connection().connection.dbapi_connection
        assert isinstance(dbapi, sqlite3.Connection)
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 1_000)
        log = load_log(s, "bol-nl", as_of=T0)
        assert log.table("seller_registered").num_rows == 1_500
        assert not log.errors
