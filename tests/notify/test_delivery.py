"""The outbox against a real SMTP server (aiosmtpd): with the server down nothing is lost,
and when it returns every notification arrives exactly once; refusals and retries are
recorded on the row; a crashed sender's lease expires; two senders never send one row twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.notify import MailSettings, SmtpTransport, deliver_due, enqueue, outbox_counts
from servicenorm.notify.backoff import retry_delay
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.notify.sender import message_id
from tests.enforce import factories as fx
from tests.notify.smtpd import Smtpd

pytestmark = pytest.mark.smtp
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SENDER = "performance@marketplace.example"


@pytest.fixture
def smtpd() -> Iterator[Smtpd]:
    d = Smtpd()
    d.start()
    yield d
    d.shutdown()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with fx.store(tmp_path) as sm:
        with sm.begin() as s:
            fx.market(s, "bol", "bol", T0)
            for i in range(5):
                fx.seller(s, f"s{i}", "bol", T0)
            fx.seller(s, "mute", "bol", T0, email=False)
        yield sm


def transport(port: int) -> SmtpTransport:
    return SmtpTransport(MailSettings(host="127.0.0.1", port=port, timeout=5))


def queue(sm: sessionmaker[Session], n: int, sellers: int = 5) -> list[str]:
    ids = []
    with sm.begin() as s:
        for i in range(n):
            row = enqueue(
                s,
                key=f"test:{i}",
                template="badge_reinstated",
                locale="en",
                context={
                    "seller": "x",
                    "marketplace": "m",
                    "at": T0.isoformat(),
                    "badge": "Star Seller",
                    "reason": "unpaid_bill",
                },
                at=T0,
                now=T0,
                seller_id=f"s{i % sellers}",
            )
            assert row is not None
            ids.append(message_id(row.id))
    return ids


def test_server_down_loses_nothing_and_every_message_arrives_once_when_it_returns(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    smtpd.stop()  # the mail server is down
    ids = queue(sessions, 30)
    now = T0
    for _ in range(6):
        rep = deliver_due(sessions, transport(smtpd.port), now, sender=SENDER)
        assert rep.sent == 0 and rep.retry <= 1
        now += timedelta(minutes=10)
    with sessions() as s:
        assert outbox_counts(s) == {"pending": 30}
        tried = s.scalars(select(OutboxMessage).where(OutboxMessage.attempts > 0)).all()
        assert tried and all("cannot reach SMTP server" in (r.last_error or "") for r in tried)
        assert all(
            r.next_attempt_at > T0 for r in tried
        )  # each failed try pushed its next one back
    smtpd.start()  # back, on the same port
    later = now + timedelta(hours=2)
    rep = deliver_due(sessions, transport(smtpd.port), later, sender=SENDER)
    assert rep.sent == 30 and rep.retry == 0
    assert (
        deliver_due(sessions, transport(smtpd.port), later + timedelta(hours=1), sender=SENDER).sent
        == 0
    )
    assert Counter(smtpd.ids()) == Counter(ids) and len(set(smtpd.ids())) == 30
    with sessions() as s:
        assert outbox_counts(s) == {"sent": 30}
    m = smtpd.sink.messages[0]
    assert (
        m["From"] == SENDER
        and m["To"].endswith("@sellers.example")
        and m["Content-Language"] == "en"
    )


def test_queueing_the_same_notification_twice_sends_it_once(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    queue(sessions, 3)
    with sessions.begin() as s:
        assert (
            enqueue(
                s,
                key="test:1",
                template="badge_reinstated",
                locale="en",
                context={},
                at=T0,
                now=T0,
                seller_id="s1",
            )
            is None
        )
    deliver_due(sessions, transport(smtpd.port), T0, sender=SENDER)
    assert len(smtpd.ids()) == 3


def test_a_refused_recipient_fails_for_good_a_busy_one_is_retried(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    smtpd.sink.refuse = {
        "s1@sellers.example": "550 no such user",
        "s2@sellers.example": "451 try again later",
    }
    queue(sessions, 3)
    rep = deliver_due(sessions, transport(smtpd.port), T0, sender=SENDER)
    assert (rep.sent, rep.failed, rep.retry) == (1, 1, 1)
    with sessions() as s:
        by_seller = {r.seller_id: r for r in s.scalars(select(OutboxMessage))}
    assert by_seller["s1"].state == "failed" and "550" in (by_seller["s1"].last_error or "")
    assert by_seller["s2"].state == "pending" and "451" in (by_seller["s2"].last_error or "")
    smtpd.sink.refuse = {}
    assert (
        deliver_due(sessions, transport(smtpd.port), T0 + timedelta(seconds=10), sender=SENDER).sent
        == 0
    )  # backing off
    assert (
        deliver_due(sessions, transport(smtpd.port), T0 + timedelta(minutes=5), sender=SENDER).sent
        == 1
    )
    assert len(smtpd.ids()) == 2


def test_a_seller_without_an_address_waits_instead_of_being_dropped(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    with sessions.begin() as s:
        enqueue(
            s,
            key="mute",
            template="badge_reinstated",
            locale="en",
            context={
                "seller": "x",
                "marketplace": "m",
                "at": T0.isoformat(),
                "badge": "B",
                "reason": None,
            },
            at=T0,
            now=T0,
            seller_id="mute",
        )
    assert deliver_due(sessions, transport(smtpd.port), T0, sender=SENDER).retry == 1
    with sessions.begin() as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert row.state == "pending" and "no e-mail address" in (row.last_error or "")
        from servicenorm.store.tables import Account

        s.add(
            Account(
                id="acc-mute",
                role="seller",
                name="mute",
                email="mute@sellers.example",
                seller_id="mute",
                active=True,
                created_at=T0,
            )
        )
    assert (
        deliver_due(sessions, transport(smtpd.port), T0 + timedelta(hours=2), sender=SENDER).sent
        == 1
    )


def test_a_crashed_senders_lease_expires_and_the_message_goes_out_once(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    queue(sessions, 1)
    with sessions.begin() as s:  # a sender claimed it and died before sending
        s.execute(
            update(OutboxMessage).values(
                state="sending", lease_until=T0 + timedelta(minutes=5), attempts=1
            )
        )
    assert (
        deliver_due(sessions, transport(smtpd.port), T0 + timedelta(minutes=4), sender=SENDER).sent
        == 0
    )
    assert (
        deliver_due(sessions, transport(smtpd.port), T0 + timedelta(minutes=6), sender=SENDER).sent
        == 1
    )
    assert len(smtpd.ids()) == 1


def test_two_senders_at_once_never_send_a_message_twice(
    sessions: sessionmaker[Session], smtpd: Smtpd
) -> None:
    ids = queue(sessions, 40)
    reports = []

    def work() -> None:
        reports.append(deliver_due(sessions, transport(smtpd.port), T0, sender=SENDER))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in reports) == 40
    assert Counter(smtpd.ids()) == Counter(ids)


def test_backoff_doubles_up_to_an_hour_with_a_stable_jitter() -> None:
    d = [retry_delay(n, "abc") for n in range(1, 12)]
    assert d == [retry_delay(n, "abc") for n in range(1, 12)]
    assert timedelta(seconds=24) <= d[0] <= timedelta(seconds=36)
    assert all(b >= a for a, b in pairwise(d))
    assert max(d) <= timedelta(hours=1.2) and d[-1] >= timedelta(minutes=48)
    with pytest.raises(ValueError):
        retry_delay(0, "abc")


def test_mail_settings_fail_closed() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="SMTP_HOST"):
        MailSettings(environment="production")
    with pytest.raises(ValidationError, match="SENDER"):
        MailSettings(environment="production", host="smtp.example")
    with pytest.raises(ValidationError, match="unencrypted"):
        MailSettings(host="smtp.example", username="u", password="p")
    ok = MailSettings(
        environment="production",
        host="smtp.example",
        sender="perf@market.example",
        security="starttls",
        username="u",
        password="p",
    )
    assert ok.port == 25
