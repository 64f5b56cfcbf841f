"""Deliver the outbox over SMTP, at least once per row and never twice by two workers.

Each row is claimed by compare-and-set (pending and due, or a lease that expired after a
crash -> sending, with a new lease) and committed before the SMTP conversation, so a second
sender skips it. After the server accepts the message the row is marked sent. A failure is
recorded on the row with the next try pushed back; a refused message (5xx) is marked
failed and kept for the operator. Every message carries a stable Message-ID derived from the
row, so even a crash between "accepted" and "marked sent" cannot make a receiver show it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.notify.backoff import next_attempt
from servicenorm.notify.notify_tables import OutboxMessage
from servicenorm.notify.smtp import Connection, PermanentError, TransientError, Transport

LEASE = timedelta(minutes=5)
DOMAIN = "servicenorm"


@dataclass
class DeliveryReport:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def message_id(row_id: str) -> str:
    return f"<{row_id}@{DOMAIN}>"


def seller_address(s: Session, seller_id: str) -> str | None:
    """The seller's own e-mail address: its oldest active seller account that has one."""
    from servicenorm.store.tables import Account

    return s.scalar(
        select(Account.email)
        .where(
            Account.seller_id == seller_id,
            Account.role == "seller",
            Account.active.is_(True),
            Account.email.isnot(None),
        )
        .order_by(Account.created_at, Account.id)
        .limit(1)
    )


def _due(now: datetime) -> object:
    return or_(
        and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.state == "sending", OutboxMessage.lease_until < now),
    )


def _claim(
    sessions: sessionmaker[Session], row_id: str, now: datetime
) -> tuple[OutboxMessage, str | None] | None:
    with sessions.begin() as s:
        res = s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, _due(now))  # type: ignore[arg-type]
            .values(
                state="sending",
                lease_until=now + LEASE,
                attempts=OutboxMessage.attempts + 1,
                version=OutboxMessage.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another sender has it, or it is no longer due
        row = s.get(OutboxMessage, row_id)
        assert row is not None
        address = row.to_addr or (seller_address(s, row.seller_id) if row.seller_id else None)
        s.expunge(row)
        return row, address


def _settle(
    sessions: sessionmaker[Session],
    row: OutboxMessage,
    now: datetime,
    *,
    state: str,
    error: str | None = None,
) -> None:
    values: dict[str, object] = {
        "state": state,
        "lease_until": None,
        "last_error": error,
        "version": OutboxMessage.version + 1,
    }
    if state == "sent":
        values["sent_at"] = now
    elif state == "pending":
        values["next_attempt_at"] = next_attempt(now, max(row.attempts, 1), row.id)
    with sessions.begin() as s:
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.state == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def build_message(row: OutboxMessage, to: str, sender: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = row.subject
    msg["Message-ID"] = message_id(row.id)
    msg["Date"] = format_datetime(now)
    msg["X-Servicenorm-Template"] = row.template
    msg.set_content(row.body)
    msg["Content-Language"] = row.locale  # after set_content, which replaces every Content-* header
    return msg


def deliver_due(
    sessions: sessionmaker[Session],
    transport: Transport,
    now: datetime,
    *,
    sender: str,
    limit: int = 100,
) -> DeliveryReport:
    """One delivery round: send every due message (up to `limit`), oldest due first."""
    report = DeliveryReport()
    with sessions() as s:
        ids = list(
            s.scalars(
                select(OutboxMessage.id)
                .where(_due(now))  # type: ignore[arg-type]
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
    conn: Connection | None = None
    try:
        for row_id in ids:
            claimed = _claim(sessions, row_id, now)
            if claimed is None:
                continue
            row, address = claimed
            if address is None:
                _settle(
                    sessions,
                    row,
                    now,
                    state="pending",
                    error=f"no e-mail address for seller {row.seller_id}",
                )
                report.retry += 1
                continue
            try:
                if conn is None:
                    conn = transport.connect()
                conn.send(build_message(row, address, sender, now))
            except PermanentError as e:
                _settle(sessions, row, now, state="failed", error=str(e))
                report.failed += 1
                report.errors.append(f"{row.id}: {e}")
            except TransientError as e:
                _settle(sessions, row, now, state="pending", error=str(e))
                report.retry += 1
                report.errors.append(f"{row.id}: {e}")
                if (
                    e.connection
                ):  # the server is away: the rest of the batch would fail the same way
                    if conn is not None:
                        conn.close()
                    conn = None
                    break
            else:
                _settle(sessions, row, now, state="sent")
                report.sent += 1
    finally:
        if conn is not None:
            conn.close()
    return report


def outbox_counts(s: Session) -> dict[str, int]:
    from sqlalchemy import func

    return {
        str(state): int(n)
        for state, n in s.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
    }
