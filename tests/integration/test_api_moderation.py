"""Every seller/staff message passes the marketplace's message policy on its way out (R5):
bol masks contact details, SWOPiFY blocks them, eBay records them; each is a violation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.world import auth, build_world, ok


def _ask(w, seller: str, buyer: str, body: str = "Wanneer wordt mijn bestelling verzonden?") -> str:  # type: ignore[no-untyped-def]
    return str(
        w.post(buyer, "/conversations", {"seller": seller, "body": body})["conversation"]["id"]
    )


def test_bol_masks_contact_details_and_records_the_violation(client: TestClient) -> None:
    w = build_world(client)
    cid = _ask(w, "seller-a", "buyer A")
    msg = w.post(
        "staff A",
        f"/conversations/{cid}/messages",
        {"body": "Bel me gerust op 06-12345678 voor de details."},
    )
    assert "06-12345678" not in msg["body"] and "[contact details removed]" in msg["body"]
    seen_by_buyer = w.get("buyer A", f"/conversations/{cid}")
    assert "06-12345678" not in seen_by_buyer["messages"][-1]["body"]
    seen_by_seller = w.get("seller A", f"/conversations/{cid}")
    [violation] = seen_by_seller["violations"]
    assert violation["action"] == "mask"
    assert violation["detail"][0]["kind"] == "contact"
    assert violation["detail"][0]["spans"][0]["text"] == "06-12345678"


def test_an_ordinary_reply_is_delivered_unchanged_without_violation(client: TestClient) -> None:
    w = build_world(client)
    cid = _ask(w, "seller-a", "buyer A")
    body = "Je bestelling 1143567890 is vandaag verzonden met PostNL, track & trace 3SABCD1234567."
    assert w.post("seller A", f"/conversations/{cid}/messages", {"body": body})["body"] == body
    assert w.get("seller A", f"/conversations/{cid}")["violations"] == []


def test_swopify_blocks_contact_details_with_the_spans(client: TestClient) -> None:
    w = build_world(client)
    w.post("operator", "/marketplaces", {"id": "swop", "preset": "swopify", "title": "SWOPiFY"})
    w.post(
        "operator",
        "/sellers",
        {"id": "seller-s", "marketplace": "swop", "name": "S", "country": "NL"},
    )
    w.post(
        "operator",
        "/buyers",
        {"id": "buyer-s", "marketplace": "swop", "name": "Buyer S", "language": "nl"},
    )
    w.account("seller S", "seller", seller="seller-s")
    w.account("buyer S", "buyer", buyer="buyer-s")
    cid = _ask(w, "seller-s", "buyer S")
    r = client.post(
        f"/conversations/{cid}/messages",
        json={"body": "Mail me op jan at gmail dot com, dan regelen we het."},
        headers=auth(w.tokens["seller S"]),
    )
    assert r.status_code == 422, r.text
    [item] = r.json()["detail"]
    assert item["loc"] == ["body", "body"]
    assert item["violations"][0]["kind"] == "contact"
    assert "gmail" in item["violations"][0]["spans"][0]["text"]
    assert [
        m["author"]
        for m in ok(client.get(f"/conversations/{cid}", headers=auth(w.tokens["buyer S"])))[
            "messages"
        ]
    ] == ["buyer"]
