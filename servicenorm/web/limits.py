"""Request bodies cost nothing until they are allowed (issue 11 item 4).

A pure ASGI middleware, outermost of the app's own, so it runs before anything reads a body
(the message-post fast lane and FastAPI both read the whole body before checking a token):

* a body larger than the limit (`Settings.max_body_bytes`, `max_batch_bytes` for
  `/events/batch`) is answered 413 unread when its Content-Length says so, and cut off at the
  limit when it comes in chunks;
* no byte of a body is read before its sender is known: an API request needs a known API
  token (no token or an unknown one: 401 at once), a page form a live page session (none:
  303 to the login page, as the pages answer). The login form, which has no session by nature,
  may send at most `LOGIN_BYTES` with a declared length (more, or chunked: 413).
"""

from __future__ import annotations

from urllib.parse import quote

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicenorm.access.principal import Principal
from servicenorm.bootstrap import Container
from servicenorm.helpdesk.websessions import principal_of_session
from servicenorm.web.deps import lookup_principal, presented_hash

BATCH_PATH = "/events/batch"
PAGES = "/ui/"
LOGIN_PATH = "/ui/login"
LOGIN_BYTES = 4096  # the login form: a token (200 characters at most) and the page to go back to
SESSION_COOKIE = "sn_session"  # (web.pages.session.COOKIE)
FORM_BYTES = "sn_form_bytes"  # scope["state"] key: a page form's body as sent (pages.input)


class BodyTooLarge(Exception):
    """Raised from `receive` when a chunked body passes the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_batch_bytes: int) -> None:
        self.app = app
        self.max_body, self.max_batch = max_body_bytes, max_batch_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: int | None = None
        chunked = False
        token: bytes | None = None
        cookie: bytes | None = None
        for k, v in scope["headers"]:
            if k == b"content-length":
                try:
                    length = int(v)
                except ValueError:
                    await _answer(send, 400, "invalid Content-Length")
                    return
            elif k == b"transfer-encoding":
                chunked = b"chunked" in v.lower()
            elif k == b"authorization" and token is None:
                token = v
            elif k == b"cookie":
                cookie = v if cookie is None else cookie + b"; " + v
        if not chunked and not length:  # no body: nothing to guard
            await self.app(scope, receive, send)
            return
        limit = self.max_batch if scope["path"] == BATCH_PATH else self.max_body
        if length is not None and length > limit:
            await _too_large(send, limit)
            return
        path: str = scope["path"]
        if path == LOGIN_PATH:
            if length is None or length > LOGIN_BYTES:
                await _too_large(send, LOGIN_BYTES)
                return
        elif path.startswith(PAGES):
            if not await _session_known(scope, cookie):
                await _answer(
                    send,
                    303,
                    "log in first",
                    [(b"location", f"{LOGIN_PATH}?next={quote(path)}".encode())],
                )
                return
        elif not await _known(scope, token):
            await _answer(
                send,
                401,
                "give an API token: Authorization: Bearer <token>"
                if token is None
                else "unknown or revoked API token",
                [(b"www-authenticate", b"Bearer")],
            )
            return
        started = False
        seen = 0
        kept: list[bytes] | None = None
        if path.startswith(PAGES):  # a page form is checked as sent (pages.input)
            kept = scope.setdefault("state", {})[FORM_BYTES] = []

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                seen += len(body)
                if seen > limit:
                    raise BodyTooLarge
                if kept is not None:
                    kept.append(body)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, limit)
        except Exception as e:  # FastAPI wraps what body parsing raises: find ours
            if started or not isinstance(e.__cause__ or e.__context__, BodyTooLarge):
                raise
            await _too_large(send, limit)


async def _known(scope: Scope, authorization: bytes | None) -> bool:
    """Whether the bearer token is one the app knows (its cache, or the database)."""
    if authorization is None:
        return False
    scheme, _, credentials = authorization.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        return False
    state = getattr(scope.get("app"), "state", None)
    container = getattr(state, "container", None)
    cache = getattr(state, "tokens", None)
    if container is None or cache is None:
        return True  # not our app (tests mounting the middleware alone): the endpoint decides
    h = presented_hash(container, credentials)
    if h is None:
        return False
    if cache.get(h) is not None:  # a caller seen before: no database work, no thread
        return True
    return await run_in_threadpool(lookup_principal, container, cache, credentials) is not None


async def _session_known(scope: Scope, cookie: bytes | None) -> bool:
    """Whether the request carries a live page session (the pages check it again)."""
    session_id = _cookie(cookie, SESSION_COOKIE)
    if not session_id or len(session_id) > 100:
        return False
    container = getattr(getattr(scope.get("app"), "state", None), "container", None)
    if container is None:
        return True  # not our app: the endpoint decides
    return await run_in_threadpool(_session_principal, container, session_id) is not None


def _session_principal(container: Container, session_id: str) -> Principal | None:
    with container.engine.connect() as conn:
        return principal_of_session(conn, session_id, container.pepper, container.clock())


def _cookie(header: bytes | None, name: str) -> str | None:
    """A cookie's value, parsed as the pages' `request.cookies` parses it."""
    return None if header is None else cookie_parser(header.decode("latin-1")).get(name)


async def _too_large(send: Send, limit: int) -> None:
    await _answer(
        send, 413, f"the request body is larger than {limit} bytes; send less (or split it)"
    )


async def _answer(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
