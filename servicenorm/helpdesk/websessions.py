"""Page sessions: logging in with an API token opens a session; the page cookie carries only
the session's random id, never the token (issue 11 item 9).

The id is stored as an HMAC under the deployment's pepper, like tokens, so a copy of the
database opens no session. A session works until it expires (`TTL`), its owner logs out, the
token it was opened with is revoked or the account is deactivated: every page request checks
all four in the one statement that finds the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Account, ApiToken, WebSession

TTL = timedelta(hours=12)

_A, _T, _W = Account.__table__.c, ApiToken.__table__.c, WebSession.__table__.c


def session_hash(session_id: str, pepper: str) -> str:
    return hmac.new(
        pepper.encode(), f"web-session:{session_id}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_for(session_id: str, pepper: str) -> str:
    """The value page forms carry: bound to the session, unknown to another site."""
    return hmac.new(
        pepper.encode(), f"page-form:{session_id}".encode(), hashlib.sha256
    ).hexdigest()[:40]


_BY_TOKEN_HASH = (
    select(_T.id, _A.id, _A.role, _A.name, _A.marketplace_id, _A.seller_id, _A.buyer_id)
    .select_from(ApiToken.__table__.join(Account.__table__, _A.id == _T.account_id))
    .where(_T.token_hash == bindparam("h"), _T.revoked_at.is_(None), _A.active.is_(True))
)

_BY_SESSION_HASH = (
    select(_A.id, _A.role, _A.name, _A.marketplace_id, _A.seller_id, _A.buyer_id)
    .select_from(
        WebSession.__table__.join(ApiToken.__table__, _T.id == _W.token_id).join(
            Account.__table__, _A.id == _W.account_id
        )
    )
    .where(
        _W.session_hash == bindparam("h"),
        _W.revoked_at.is_(None),
        _W.expires_at > bindparam("now", type_=WebSession.__table__.c.expires_at.type),
        _T.revoked_at.is_(None),
        _A.active.is_(True),
    )
)


def _principal(row: tuple[str, str, str, str | None, str | None, str | None]) -> Principal:
    acc_id, role, name, marketplace_id, seller_id, buyer_id = row
    return Principal(
        account_id=acc_id,
        role=role,  # type: ignore[arg-type]  # the CHECK constraint guarantees it
        name=name,
        marketplace_id=marketplace_id,
        seller_id=seller_id,
        buyer_id=buyer_id,
    )


def open_session(
    s: Session, token_hash: str, pepper: str, now: datetime
) -> tuple[Principal, str] | None:
    """A new session for the holder of the token with `token_hash`: its principal and the
    session id for the cookie (shown once), or None for an unknown or revoked token."""
    row = s.connection().execute(_BY_TOKEN_HASH, {"h": token_hash}).first()
    if row is None:
        return None
    token_id, *who = row
    session_id = secrets.token_urlsafe(32)
    s.add(
        WebSession(
            id=new_id(),
            session_hash=session_hash(session_id, pepper),
            account_id=who[0],
            token_id=token_id,
            created_at=now,
            expires_at=now + TTL,
        )
    )
    return _principal(tuple(who)), session_id


def principal_of_session(
    conn: Connection, session_id: str, pepper: str, now: datetime
) -> Principal | None:
    row = conn.execute(
        _BY_SESSION_HASH, {"h": session_hash(session_id, pepper), "now": now}
    ).first()
    return None if row is None else _principal(tuple(row))


def end_session(s: Session, session_id: str, pepper: str, now: datetime) -> None:
    """Logout: the session stops working at once, on every server."""
    s.execute(
        update(WebSession)
        .where(
            WebSession.session_hash == session_hash(session_id, pepper),
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def end_sessions_of(s: Session, account_id: str, now: datetime) -> None:
    s.execute(
        update(WebSession)
        .where(WebSession.account_id == account_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
