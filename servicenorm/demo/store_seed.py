"""A small demo helpdesk for `servicenorm serve --demo`: a bol.com and an eBay marketplace,
sellers with staff, buyers, orders with stage messages, questions in every queue state,
saved replies and listing FAQs; or, given a directory, the events of its JSON Lines files
(e.g. a marketplace of `servicenorm demo generate`) with logins for its busiest sellers."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal, Role
from servicenorm.helpdesk import accounts, directory, listings, saved_replies
from servicenorm.helpdesk.ingest import IngestReport, ingest_many
from servicenorm.store.tables import Conversation, Seller

OPERATOR = Principal(account_id="demo", role="operator", name="demo loader")


@dataclass
class DemoLogins:
    tokens: dict[str, str] = field(default_factory=dict)  # who -> API token
    report: IngestReport | None = None


def _event_lines(directory_: Path) -> Iterator[tuple[int, Any]]:
    n = 0
    for path in sorted(
        [*directory_.glob("*.jsonl"), *directory_.glob("*.jsonl.gz"), *directory_.glob("*.ndjson")]
    ):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            for raw in fh:
                n += 1
                if raw.strip():
                    yield n, orjson.loads(raw)


def load_directory(
    s: Session, directory_: Path, pepper: str, now: datetime, sellers: int = 3
) -> DemoLogins:
    """Ingest every event file in `directory_` (sorted by name), then make logins: the
    operator, the `sellers` sellers with the most questions waiting, a staff member of the
    first of them, the platform's customer service there, and a buyer waiting on it."""
    if not directory_.is_dir():
        raise ValueError(f"--demo {directory_}: not a directory of .jsonl event files")
    logins = DemoLogins()
    logins.report = ingest_many(s, OPERATOR, _event_lines(directory_), now)
    accounts.ensure_operator_token(s, "sn_demo_operator", pepper, now)
    logins.tokens["operator"] = "sn_demo_operator"
    _logins_for_busiest(s, logins, pepper, now, sellers)
    return logins


def _login(
    s: Session,
    logins: DemoLogins,
    label: str,
    role: Role,
    name: str,
    pepper: str,
    now: datetime,
    *,
    marketplace: str | None = None,
    seller: str | None = None,
    buyer: str | None = None,
) -> None:
    """A demo account created by the operator, its token printed under `label`."""
    _acc, token = accounts.create_account(
        s,
        OPERATOR,
        role,
        name,
        None,
        marketplace=marketplace,
        seller=seller,
        buyer=buyer,
        pepper=pepper,
        now=now,
    )
    logins.tokens[label] = token


def _logins_for_busiest(s: Session, logins: DemoLogins, pepper: str, now: datetime, n: int) -> None:
    waiting = func.count(Conversation.deadline)
    busiest = list(
        s.execute(
            select(Seller.id, Seller.name, Seller.marketplace_id)
            .outerjoin(Conversation, Conversation.seller_id == Seller.id)
            .group_by(Seller.id, Seller.name, Seller.marketplace_id)
            .order_by(waiting.desc(), Seller.id)
            .limit(n)
        )
    )
    for seller_id, name, _market in busiest:
        _login(s, logins, f"seller {seller_id}", "seller", name, pepper, now, seller=seller_id)
    if not busiest:
        return
    first, _name, market = busiest[0]
    owner = Principal(account_id="demo", role="seller", name="demo", seller_id=first)
    _staff, token = accounts.create_staff(
        s, owner, first, f"Sanne (staff of {first})", None, pepper, now
    )
    logins.tokens[f"staff of {first}"] = token
    _login(
        s,
        logins,
        f"agent ({market})",
        "agent",
        f"Customer service {market}",
        pepper,
        now,
        marketplace=market,
    )
    buyer = s.scalar(
        select(Conversation.buyer_id)
        .where(Conversation.seller_id == first, Conversation.deadline.isnot(None))
        .order_by(Conversation.deadline, Conversation.id)
        .limit(1)
    )
    if buyer is not None:
        _login(s, logins, f"buyer {buyer}", "buyer", buyer, pepper, now, buyer=buyer)


def _ev(id: str, type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "at": at.isoformat(), **fields}


def load_builtin(s: Session, pepper: str, now: datetime) -> DemoLogins:
    """The built-in demo, placed around `now` so the queue shows ok, due soon and overdue."""
    logins = DemoLogins()
    accounts.ensure_operator_token(s, "sn_demo_operator", pepper, now)
    logins.tokens["operator"] = "sn_demo_operator"
    day = timedelta(days=1)
    events = [
        _ev(
            "d-reg-1",
            "seller_registered",
            now - 400 * day,
            seller="boekhandel-noord",
            marketplace="bol",
            country="NL",
        ),
        _ev(
            "d-reg-2",
            "seller_registered",
            now - 200 * day,
            seller="fietsonderdelen-be",
            marketplace="bol",
            country="BE",
        ),
        _ev(
            "d-reg-3",
            "seller_registered",
            now - 300 * day,
            seller="vintage-kamera",
            marketplace="ebay",
            country="DE",
        ),
        _ev(
            "d-o-1",
            "order_placed",
            now - 3 * day,
            order="B-1001",
            seller="boekhandel-noord",
            buyer="anna",
            ship_by=(now + day).isoformat(),
            category="books",
            amount="24.95",
            currency="EUR",
        ),
        _ev(
            "d-o-2",
            "order_placed",
            now - 6 * day,
            order="E-2001",
            seller="vintage-kamera",
            buyer="jonas",
            ship_by=(now - 4 * day).isoformat(),
            category="cameras",
            amount="189.00",
            currency="EUR",
        ),
        _ev(
            "d-s-2",
            "order_shipped",
            now - 5 * day,
            order="E-2001",
            tracking="https://track.example/JJD000390007",
        ),
        _ev("d-dl-2", "order_delivered", now - 2 * day, order="E-2001"),
        _ev(
            "d-q-1",
            "question_opened",
            now - 3 * day,
            conversation="q-overdue",
            seller="boekhandel-noord",
            buyer="anna",
            order="B-1001",
            origin="buyer",
            body="Hallo, wanneer wordt mijn boek verzonden?",
        ),
        _ev(
            "d-q-2",
            "question_opened",
            now - timedelta(hours=7, minutes=30),
            conversation="q-forwarded",
            seller="boekhandel-noord",
            buyer="bram",
            origin="platform_forward",
            body="Klant vraagt of de tweede druk ook leverbaar is.",
        ),
        _ev(
            "d-q-3",
            "question_opened",
            now - timedelta(minutes=10),
            conversation="q-fresh",
            seller="boekhandel-noord",
            buyer="anna",
            origin="buyer",
            body="Kan ik het boek ook cadeau laten inpakken?",
        ),
        _ev(
            "d-q-4",
            "question_opened",
            now - 2 * day,
            conversation="q-answered",
            seller="fietsonderdelen-be",
            buyer="bram",
            origin="buyer",
            body="Past deze ketting op een 11-speed?",
        ),
        _ev(
            "d-m-4",
            "message_sent",
            now - 2 * day + timedelta(hours=2),
            conversation="q-answered",
            author="seller",
            body="Ja, die past op alle 11-speed cassettes.",
        ),
    ]
    logins.report = ingest_many(s, OPERATOR, enumerate(events, start=1), now)
    for seller_id, name in (
        ("boekhandel-noord", "Boekhandel Noord"),
        ("vintage-kamera", "Vintage Kamera"),
    ):
        seller = directory.seller_row(s, seller_id)
        seller.name = name
        _login(s, logins, f"seller {seller_id}", "seller", name, pepper, now, seller=seller_id)
    owner = Principal(account_id="demo", role="seller", name="demo", seller_id="boekhandel-noord")
    _staff, token = accounts.create_staff(
        s, owner, "boekhandel-noord", "Sanne (staff)", None, pepper, now
    )
    logins.tokens["staff of boekhandel-noord"] = token
    anna = directory.buyer_row(s, "anna")
    anna.name = "Anna de Vries"
    _login(s, logins, "buyer anna", "buyer", "Anna de Vries", pepper, now, buyer="anna")
    _login(
        s, logins, "agent (bol)", "agent", "Customer service bol", pepper, now, marketplace="bol"
    )
    saved_replies.create(
        s,
        owner,
        "boekhandel-noord",
        "Verzenddatum",
        "Beste {buyer_name}, je bestelling {order_number} wordt uiterlijk {ship_date} verzonden. "
        "Groet, {seller_name}",
        now,
    )
    listings.create(
        s,
        owner,
        "boekhandel-noord",
        "L-atlas",
        "De Grote Bosatlas, 57e editie",
        {
            "shipping_cost": "Gratis verzending vanaf 20 euro",
            "delivery_time": "1-2 werkdagen",
            "returns": "30 dagen bedenktijd",
        },
        now,
    )
    listings.add_faq(
        s, owner, "L-atlas", "Is dit de nieuwste editie?", "Ja, de 57e editie uit 2025.", now
    )
    return logins
