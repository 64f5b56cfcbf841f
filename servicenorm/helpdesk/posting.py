"""The API's message post in as few statements as the database allows (its hottest path).

The rules are those of `conversations.post_message` (the ORM path, which pages and in-session
callers keep using) and share its helpers: who may post (`author_of`, `see_conversation_of`,
`work_seller_of`), the message policy (`moderated`), the turn (a buyer message starts the
deadline of a turn that has none; a reply answers every earlier buyer message). What differs is
the work per message:

* one SELECT reads the caller's token validity, the conversation, its seller and the
  marketplace's preset;
* PostgreSQL: one data-modifying statement in autocommit writes the conversation (compare-and-set
  on its version), the answered flags, the message, a violation and the event-log row: two round
  trips and one WAL flush per message, durable as any commit;
* SQLite: the same reads and writes as plain statements in one BEGIN IMMEDIATE transaction.

Token validity is part of the SELECT, so a caller identified from the process's token cache
(identity only) is refused the moment its token is revoked or its account deactivated,
whichever process did it. The rare cases go the ORM path (`Fallback`): saved replies (the text
needs the buyer, order and template), and a message older than the thread's newest (ingested
out of order: the thread is settled again from all its messages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, exc
from sqlalchemy.orm.exc import StaleDataError

from servicenorm.clock import to_us
from servicenorm.helpdesk import eventlog
from servicenorm.helpdesk.conversations import author_of, message_text, moderated
from servicenorm.helpdesk.errors import NotFound
from servicenorm.helpdesk.policies import deadline_for
from servicenorm.helpdesk.principal import Principal, see_conversation_of, work_seller_of
from servicenorm.helpdesk.tokens import new_id


class Fallback(Exception):
    """This post needs the ORM path (`conversations.post_message`)."""


class Unauthenticated(Exception):
    """The token was revoked or its account deactivated since the caller was identified."""


_READ = """
SELECT EXISTS (SELECT 1 FROM api_tokens t JOIN accounts a ON a.id = t.account_id
               WHERE t.token_hash = :h AND t.revoked_at IS NULL AND a.active) AS valid,
       c.id, c.seller_id, c.buyer_id, c.last_message_at, c.awaiting_since, c.deadline,
       c.first_reply_at, c.taken_over_at, c.version, s.marketplace_id, s.country, m.preset
FROM (SELECT 1 AS one) AS o
LEFT JOIN conversations c ON c.id = :cid
LEFT JOIN sellers s ON s.id = c.seller_id
LEFT JOIN marketplaces m ON m.id = s.marketplace_id
"""

_SET_CONVERSATION = """UPDATE conversations SET last_message_at = :last, awaiting_since = :awaiting,
    deadline = :conv_deadline, first_reply_at = :first_reply, version = :new_version
WHERE id = :cid AND version = :version"""
_ANSWER = """UPDATE messages SET answered_at = :now
WHERE conversation_id = :cid AND author = 'buyer' AND answered_at IS NULL AND at <= :now"""
# (column, parameter, PostgreSQL type): INSERT ... SELECT ... FROM upd needs typed parameters
_MESSAGE = [
    ("id", "mid", "varchar"),
    ("conversation_id", "cid", "varchar"),
    ("author", "author", "varchar"),
    ("account_id", "account", "varchar"),
    ("body", "body", "text"),
    ("original_body", "original", "text"),
    ("automated", "automated", "boolean"),
    ("at", "now", "bigint"),
    ("deadline", "msg_deadline", "bigint"),
]
_VIOLATION = [
    ("id", "vid", "varchar"),
    ("message_id", "mid", "varchar"),
    ("conversation_id", "cid", "varchar"),
    ("seller_id", "seller", "varchar"),
    ("action", "vaction", "varchar"),
    ("detail", "vdetail", "jsonb"),
    ("at", "now", "bigint"),
]
_EVENT = [
    ("id", "eid", "varchar"),
    ("type", "etype", "varchar"),
    ("at", "now", "bigint"),
    ("seller_id", "seller", "varchar"),
    ("payload", "payload", "jsonb"),
    ("received_at", "now", "bigint"),
]


def _insert(table: str, columns: list[tuple[str, str, str]], pg: bool) -> str:
    names = ", ".join(c for c, _, _ in columns)
    if not pg:
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + p for _, p, _ in columns)})"
    values = ", ".join(f"CAST(:{p} AS {type_})" for _, p, type_ in columns)
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM upd"


def _pg(sql: str) -> str:
    """psycopg's named placeholders for the `:name` ones above."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def _pg_write(reply: bool, violation: bool) -> str:
    """One statement: every write happens only if the conversation's version still matches."""
    parts = [f"upd AS ({_SET_CONVERSATION} RETURNING id)"]
    if reply:
        parts.append(f"ans AS ({_ANSWER} AND EXISTS (SELECT 1 FROM upd))")
    parts.append(f"msg AS ({_insert('messages', _MESSAGE, True)})")
    if violation:
        parts.append(f"vio AS ({_insert('violations', _VIOLATION, True)})")
    parts.append(f"ev AS ({_insert('events', _EVENT, True)})")
    return _pg("WITH " + ",\n".join(parts) + "\nSELECT count(*) FROM upd")


_PG_READ = _pg(_READ)
_PG_WRITES = {(r, v): _pg_write(r, v) for r in (False, True) for v in (False, True)}
_SQLITE_MESSAGE = _insert("messages", _MESSAGE, False)
_SQLITE_VIOLATION = _insert("violations", _VIOLATION, False)
_SQLITE_EVENT = _insert("events", _EVENT, False)


def _us(t: datetime | None) -> int | None:
    return None if t is None else to_us(t)


@dataclass(frozen=True)
class Posted:
    """The stored message, as `MessagePublic` reads it (an ORM instance costs more to build)."""

    id: str
    conversation_id: str
    author: str
    account_id: str
    body: str
    original_body: str | None
    at: datetime
    deadline: datetime | None
    automated: bool = False
    answered_at: datetime | None = None
    saved_reply_id: str | None = None
    stage: str | None = None


def post_message_fast(
    engine: Engine,
    p: Principal,
    token_hash: str,
    conversation_id: str,
    *,
    now: datetime,
    body: str | None,
) -> Posted:
    """Post `body` as `p` (identified by the token whose HMAC is `token_hash`) and commit.

    Raises `Unauthenticated` when the token no longer works, `Fallback` when the ORM path must
    take over, a `HelpdeskError` for the caller's mistakes, `StaleDataError` when the
    conversation changed between the read and the write (the API answers 409), and database
    errors as SQLAlchemy's own (`IntegrityError` ...), the connection invalidated if it died."""
    # the DBAPI cursor itself: SQLAlchemy's result machinery costs more than these statements
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            with _cursor(conn) as cur:
                return _post(cur, True, p, token_hash, conversation_id, now, body)
    with (
        engine.begin() as conn,
        _cursor(conn) as cur,
    ):  # BEGIN IMMEDIATE (store.db): the write lock first
        return _post(cur, False, p, token_hash, conversation_id, now, body)


@contextmanager
def _cursor(conn: Connection) -> Iterator[Any]:
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    cur = dbapi_conn.cursor()
    try:
        yield cur
    except conn.dialect.loaded_dbapi.Error as e:
        invalidated = conn.dialect.is_disconnect(e, dbapi_conn, cur)
        if invalidated:
            conn.invalidate(e)
        raise exc.DBAPIError.instance(
            None,
            None,
            e,
            conn.dialect.loaded_dbapi.Error,
            connection_invalidated=invalidated,
            dialect=conn.dialect,
        ) from e
    finally:
        if not conn.invalidated:
            cur.close()


def _post(
    cur: Any,
    pg: bool,
    p: Principal,
    token_hash: str,
    conversation_id: str,
    now: datetime,
    body: str | None,
) -> Posted:
    cur.execute(_PG_READ if pg else _READ, {"h": token_hash, "cid": conversation_id})
    (
        valid,
        cid,
        seller_id,
        buyer_id,
        last_us,
        awaiting_us,
        deadline_us,
        first_reply_us,
        taken_over_us,
        version,
        marketplace_id,
        country,
        preset,
    ) = cur.fetchone()
    if not valid:
        raise Unauthenticated
    if cid is None:
        raise NotFound(f"conversation {conversation_id!r} not found")
    see_conversation_of(p, cid, buyer_id, seller_id, marketplace_id)
    author = author_of(p, taken_over_us is not None)
    if author in ("seller", "staff"):
        work_seller_of(p, seller_id, marketplace_id)
    out = moderated(author, message_text(body), preset, country)
    now_us = to_us(now)
    if last_us > now_us:
        raise Fallback  # a newer message came in by ingest: the whole thread is settled again
    msg_deadline: datetime | None = None
    if author == "buyer":
        msg_deadline = deadline_for(preset, country, now)
        if deadline_us is None:
            awaiting_us, deadline_us = now_us, to_us(msg_deadline)
    else:
        awaiting_us = deadline_us = None
        first_reply_us = first_reply_us if first_reply_us is not None else now_us
    mid = new_id()
    params: dict[str, object] = {
        "cid": cid,
        "version": version,
        "new_version": version + 1,
        "last": now_us,
        "awaiting": awaiting_us,
        "conv_deadline": deadline_us,
        "first_reply": first_reply_us,
        "now": now_us,
        "mid": mid,
        "author": author,
        "account": p.account_id,
        "body": out.text,
        "original": out.original,
        "automated": False,
        "msg_deadline": _us(msg_deadline),
        "seller": seller_id,
        "eid": f"api-{mid}",
        "etype": "message_sent",
        "payload": json.dumps(
            eventlog.payload(
                f"api-{mid}",
                "message_sent",
                now,
                {"conversation": cid, "author": author, "body": out.text, "automated": False},
            )
        ),
    }
    if out.violations:
        params.update(
            vid=new_id(),
            vaction="mask" if out.action == "mask" else "record",
            vdetail=json.dumps(out.violations),
        )
    reply = author != "buyer"
    if pg:
        cur.execute(_PG_WRITES[reply, bool(out.violations)], params)
        if cur.fetchone()[0] != 1:
            raise StaleDataError("the conversation changed meanwhile")
    else:
        cur.execute(_SET_CONVERSATION, params)
        if cur.rowcount != 1:
            raise StaleDataError("the conversation changed meanwhile")
        if reply:
            cur.execute(_ANSWER, params)
        cur.execute(_SQLITE_MESSAGE, params)
        if out.violations:
            cur.execute(_SQLITE_VIOLATION, params)
        cur.execute(_SQLITE_EVENT, params)
    return Posted(
        id=mid,
        conversation_id=cid,
        author=author,
        account_id=p.account_id,
        body=out.text,
        original_body=out.original,
        at=now,
        deadline=msg_deadline,
    )
