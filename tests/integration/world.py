"""Factories for API tests: a small marketplace world built through the API itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.integration.conftest import OPERATOR_TOKEN


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ok(r: Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json() if r.content else None


@dataclass
class World:
    c: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return auth(self.tokens[who])

    def post(self, who: str, path: str, body: Any = None, status: int = 201) -> Any:
        return ok(self.c.post(path, json=body, headers=self.as_(who)), status)

    def get(self, who: str, path: str, status: int = 200, **params: Any) -> Any:
        return ok(self.c.get(path, headers=self.as_(who), params=params), status)

    def event(self, body: dict[str, Any]) -> Any:
        return self.post("operator", "/events", body, 200)

    def account(self, who: str, role: str, **scope: str) -> str:
        out = self.post("operator", "/accounts", {"role": role, "name": who, **scope})
        self.tokens[who] = out["token"]
        self.ids[who] = out["account"]["id"]
        return str(out["token"])


def build_world(c: TestClient) -> World:
    """bol: sellers A and B (NL), buyers A and B; ebay: seller C (DE), buyer C.
    Every role has an account; B owns a conversation, saved reply, listing with FAQ, order."""
    w = World(c, tokens={"operator": OPERATOR_TOKEN})
    w.post("operator", "/marketplaces", {"id": "bol", "preset": "bol", "title": "bol.com"})
    w.post("operator", "/marketplaces", {"id": "ebay", "preset": "ebay", "title": "eBay"})
    for sid, m, country in (
        ("seller-a", "bol", "NL"),
        ("seller-b", "bol", "NL"),
        ("seller-c", "ebay", "DE"),
    ):
        w.post(
            "operator",
            "/sellers",
            {"id": sid, "marketplace": m, "name": sid.upper(), "country": country},
        )
    for bid, m, lang in (
        ("buyer-a", "bol", "nl"),
        ("buyer-b", "bol", "nl"),
        ("buyer-c", "ebay", "de"),
    ):
        w.post(
            "operator",
            "/buyers",
            {"id": bid, "marketplace": m, "name": f"Buyer {bid[-1].upper()}", "language": lang},
        )
    w.account("seller A", "seller", seller="seller-a")
    w.account("seller B", "seller", seller="seller-b")
    w.account("seller C", "seller", seller="seller-c")
    w.account("buyer A", "buyer", buyer="buyer-a")
    w.account("buyer B", "buyer", buyer="buyer-b")
    w.account("buyer C", "buyer", buyer="buyer-c")
    w.account("agent bol", "agent", marketplace="bol")
    w.account("agent ebay", "agent", marketplace="ebay")
    w.account("operator ebay", "operator", marketplace="ebay")
    for seller in ("A", "B"):
        out = w.post(
            f"seller {seller}",
            f"/sellers/seller-{seller.lower()}/staff",
            {"name": f"staff {seller}"},
        )
        w.tokens[f"staff {seller}"] = out["token"]
        w.ids[f"staff {seller}"] = out["account"]["id"]
    w.event(
        {
            "id": "ev-order-b",
            "type": "order_placed",
            "at": "2026-03-02T10:00:00+01:00",
            "order": "order-b",
            "seller": "seller-b",
            "buyer": "buyer-b",
            "ship_by": "2026-03-04T17:00:00+01:00",
            "category": "books",
            "amount": "10.00",
            "currency": "EUR",
        }
    )
    thread = w.post(
        "buyer B",
        "/conversations",
        {"seller": "seller-b", "body": "Waar is mijn pakket?", "order": "order-b"},
    )
    w.ids["conversation B"] = thread["conversation"]["id"]
    w.ids["reply B"] = w.post(
        "seller B", "/sellers/seller-b/saved-replies", {"title": "t", "body": "Hoi {buyer_name}"}
    )["id"]
    w.post(
        "seller B",
        "/sellers/seller-b/listings",
        {"id": "listing-b", "title": "Atlas", "facts": {"returns": "30 dagen"}},
    )
    w.ids["faq B"] = w.post(
        "seller B", "/listings/listing-b/faqs", {"question": "Nieuwste editie?", "answer": "Ja"}
    )["id"]
    w.post(
        "seller C",
        "/sellers/seller-c/listings",
        {"id": "listing-c", "title": "Kamera", "facts": {}},
    )
    return w
