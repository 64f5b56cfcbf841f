"""Request bodies cost nothing until they are allowed (issue 11 item 4).

A pure ASGI middleware, outermost of the app's own, so it runs before anything reads a body
(the message-post fast lane and FastAPI both read the whole body before checking a token):

* a body larger than the limit (`Settings.max_body_bytes`, `max_batch_bytes` for
  `/events/batch`) is answered 413 unread when its Content-Length says so, and cut off at the
  limit when it comes in chunks;
* a body that is large or of unknown size (chunked) needs a known API token before a byte of
  it is read: no token or an unknown one is answered 401 at once. Small bodies (forms, most
  API calls) go on as before: their endpoints check the caller themselves.
"""

from __future__ import annotations

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicenorm.web.deps import lookup_principal

PREAUTH_BYTES = 64 * 1024  # bodies up to this size are read before their endpoint checks the token
BATCH_PATH = "/events/batch"


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
        if not chunked and not length:  # no body: nothing to guard
            await self.app(scope, receive, send)
            return
        limit = self.max_batch if scope["path"] == BATCH_PATH else self.max_body
        if length is not None and length > limit:
            await _too_large(send, limit)
            return
        if (length is None or length > PREAUTH_BYTES) and not await _known(scope, token):
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

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
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
    return await run_in_threadpool(lookup_principal, container, cache, credentials) is not None


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
