"""`GET /sellers/{id}/performance` and `GET /marketplaces/{id}/performance`: the contract's
per-seller metrics from the live store, with findings, under the API's roles."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.world import World, build_world

Q = {"seller": "seller-a", "buyer": "buyer-a", "origin": "buyer", "body": "Wanneer?"}
WINDOW = {"from": "2026-03-02", "to": "2026-03-09", "as_of": "2026-03-04T12:00:00+01:00"}


def _traffic(w: World) -> None:
    """Three questions to seller A (bol: 24 working hours, weekdays): answered in time,
    answered late, still waiting (pending by the as-of above); and a reply after the as-of."""
    for cid, at in (("q1", "2026-03-02T09:00:00+01:00"), ("q2", "2026-03-02T10:00:00+01:00")):
        w.event({"id": cid, "type": "question_opened", "at": at, "conversation": cid, **Q})
    w.event(
        {
            "id": "q3",
            "type": "question_opened",
            "at": "2026-03-04T09:00:00+01:00",
            "conversation": "q3",
            **Q,
        }
    )
    for mid, cid, at in (
        ("r1", "q1", "2026-03-02T15:00:00+01:00"),
        ("r2", "q2", "2026-03-03T11:00:00+01:00"),
        ("r3", "q3", "2026-03-05T09:00:00+01:00"),  # after the as-of: unseen
    ):
        w.event(
            {
                "id": mid,
                "type": "message_sent",
                "at": at,
                "conversation": cid,
                "author": "seller",
                "body": "Morgen.",
            }
        )


def test_a_seller_reads_its_performance_for_a_window_as_of_an_instant(client: TestClient) -> None:
    w = build_world(client)
    _traffic(w)
    out: dict[str, Any] = w.get("seller A", "/sellers/seller-a/performance", **WINDOW)
    assert out["seller"] == "seller-a" and out["preset"] == "bol"
    assert out["window"] == {"from": "2026-03-02", "to": "2026-03-09"}
    assert out["as_of"] == "2026-03-04T11:00:00+00:00"
    m = out["metrics"]
    assert list(m) == [
        "first_response",
        "message_response",
        "weekly_late",
        "phone",
        "question_rate",
        "shipping",
        "reviews",
    ]
    assert m["first_response"] == {"on_time": 1, "late": 1, "pending": 1, "rate": 0.5}
    assert m["weekly_late"] == {"2026-W10": 1}
    assert m["phone"] == {"attempts": 0, "answered": 0, "rate": None}
    norms = {f["norm"] for f in out["findings"]}
    assert "first_response" in norms  # 50 % is below bol's norm
    # the staff sees it too; another seller, a buyer and another marketplace's agent do not
    assert w.get("staff A", "/sellers/seller-a/performance", **WINDOW)["metrics"] == m
    w.get("seller B", "/sellers/seller-a/performance", status=404, **WINDOW)
    w.get("agent ebay", "/sellers/seller-a/performance", status=404, **WINDOW)
    w.get("buyer A", "/sellers/seller-a/performance", status=403, **WINDOW)


def test_a_marketplace_reads_every_seller_a_page_at_a_time(client: TestClient) -> None:
    w = build_world(client)
    _traffic(w)
    page = w.get("agent bol", "/marketplaces/bol/performance", limit=1, offset=0, **WINDOW)
    assert page["total"] == 2 and [s["seller"] for s in page["sellers"]] == ["seller-a"]
    assert page["sellers"][0]["metrics"]["first_response"]["late"] == 1
    rest = w.get("operator", "/marketplaces/bol/performance", limit=5, offset=1, **WINDOW)
    assert [s["seller"] for s in rest["sellers"]] == ["seller-b"]
    w.get("agent ebay", "/marketplaces/bol/performance", status=404, **WINDOW)
    w.get("seller A", "/marketplaces/bol/performance", status=404, **WINDOW)


def test_a_window_that_ends_before_it_starts_is_a_422_on_from(client: TestClient) -> None:
    w = build_world(client)
    r = client.get(
        "/sellers/seller-a/performance",
        params={"from": "2026-03-09", "to": "2026-03-02"},
        headers=w.as_("seller A"),
    )
    assert r.status_code == 422 and "from" in r.text
