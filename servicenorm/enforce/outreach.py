"""The operator's e-mail to a seller by hand: send a waiting e-mail again now, withdraw one, or
write to the seller. Each goes through the outbox (`notify.outbox`) and leaves an audit entry
(subject `email`) naming who did it, when and why."""

from __future__ import annotations

from servicenorm.access.errors import Conflict, Invalid, NotFound
from servicenorm.enforce import machine
from servicenorm.enforce.audit import audit
from servicenorm.enforce.ladder_store import advance, position, state_of
from servicenorm.enforce.machine import SellerState
from servicenorm.enforce.notices import Notifier
from servicenorm.notify import outbox
from servicenorm.notify.notify_tables import OutboxMessage

SUBJECT_MAX = 200
TEXT_MAX = 5000


def _seller_mail(n: Notifier, message_id: str, seller_id: str) -> OutboxMessage:
    row = n.s.get(OutboxMessage, message_id)
    if row is None or row.seller_id != seller_id:
        raise NotFound(f"e-mail {message_id!r} not found")
    return row


def resend(n: Notifier, seller_id: str, message_id: str, *, by: str) -> OutboxMessage:
    """A pending or failed e-mail of the seller is due now (the next delivery round sends it)."""
    before = _seller_mail(n, message_id, seller_id)
    state, attempts = before.state, before.attempts
    try:
        row = outbox.resend(n.s, message_id, now=n.now)
    except outbox.OutboxConflict as e:
        raise Conflict(str(e), "email") from None
    audit(
        n.s,
        seller_id=seller_id,
        subject="email",
        subject_id=row.id,
        event="resent",
        at=n.now,
        actor=by,
        now=n.now,
        detail={"was": state, "attempts": attempts, "template": row.template},
    )
    return row


def cancel(n: Notifier, seller_id: str, message_id: str, *, by: str, reason: str) -> OutboxMessage:
    """Withdraw a pending or failed e-mail of the seller, saying why: it is never sent."""
    if not reason.strip():
        raise Invalid("say why the e-mail is withdrawn", "reason")
    before = _seller_mail(n, message_id, seller_id)
    state = before.state
    try:
        row = outbox.cancel(n.s, message_id, reason=reason)
    except outbox.OutboxConflict as e:
        raise Conflict(str(e), "email") from None
    audit(
        n.s,
        seller_id=seller_id,
        subject="email",
        subject_id=row.id,
        event="cancelled",
        at=n.now,
        actor=by,
        now=n.now,
        detail={"was": state, "reason": reason.strip(), "template": row.template},
    )
    return row


def contact(n: Notifier, seller_id: str, *, by: str, subject: str, text: str) -> bool:
    """Write to the seller: the operator's own subject and words, in an e-mail through the
    outbox, with the audit entry. False when the same message was queued at this instant."""
    if not subject.strip():
        raise Invalid("give the e-mail a subject", "subject")
    if not text.strip():
        raise Invalid("the e-mail is empty", "text")
    if len(subject) > SUBJECT_MAX or len(text) > TEXT_MAX:
        raise Invalid(f"at most {SUBJECT_MAX} characters of subject, {TEXT_MAX} of text", "text")
    key = f"contact:{seller_id}:{by}:{n.now.isoformat()}"
    queued = n.mail(
        key, seller_id, "operator_message", n.now, {"subject": subject.strip(), "text": text}
    )
    if queued:
        _ladder_contacted(n, seller_id)
        audit(
            n.s,
            seller_id=seller_id,
            subject="email",
            subject_id=key,
            event="contacted",
            at=n.now,
            actor=by,
            now=n.now,
            detail={"subject": subject.strip()},
        )
    return queued


def _ladder_contacted(n: Notifier, seller_id: str) -> None:
    """The contact counts for the seller's ladder under this marketplace's policy (R4.4: a
    harder step after "we contacted you"), through the state machine and the position's
    compare-and-set (read again if an evaluation moved it meanwhile)."""
    row = position(n.s, seller_id, n.policy.name)
    for _ in range(5):
        old = state_of(row)
        new = machine.contact(SellerState(old), n.now).ladder
        if new == old or advance(n.s, row, new):
            return
        n.s.refresh(row)
    raise Conflict("the seller's ladder keeps moving; try again", "seller")
