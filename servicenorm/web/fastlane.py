"""A fast lane for the API's hottest request, `POST /conversations/{id}/messages`.

FastAPI's routing, dependency solving and response validation cost this request more CPU
than its database work (profiled under load: about two thirds of the server's time). This
ASGI middleware takes the request straight to the route's own work
(`api.conversations.post_in_thread`, the same function the route calls) when it is ordinary:
a JSON body that `MessageCreate` accepts, without a saved reply, from a caller whose token is
in the token cache. Anything else (no or an uncached token, a body FastAPI would refuse or
parse differently, a saved reply) goes to the FastAPI route unchanged, with the body
replayed: the route stays the one definition of the endpoint (OpenAPI, 401 and 422 answers).
Errors raised by the work are answered by the app's own exception handlers, as the route's
would be.

It is the innermost user middleware (`create_app` adds it first), so middleware added later
still sees every request.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicenorm.bootstrap import Container
from servicenorm.helpdesk.tokencache import TokenCache
from servicenorm.web.api.conversations import in_post_thread, post_in_thread
from servicenorm.web.deps import Caller, presented_hash
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.conversations import MessageCreate, MessagePublic

_PATH = re.compile(r"/conversations/([^/]+)/messages")
_ID: TypeAdapter[str] = TypeAdapter(Id)
_HEADERS = [(b"content-type", b"application/json")]

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


class MessagePostLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        m = _PATH.fullmatch(scope["path"])
        if m is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        if not await self._post(scope, m.group(1), body, send):
            await self.app(scope, _replay(body, receive), send)

    async def _post(self, scope: Scope, conversation_id: str, body: bytes, send: Send) -> bool:
        """Answer the request, or return False for the FastAPI route to answer it."""
        app = scope.get("app")
        state = getattr(app, "state", None)
        container: Container | None = getattr(state, "container", None)
        cache: TokenCache | None = getattr(state, "tokens", None)
        if container is None or cache is None:
            return False
        token = content_type = None
        for k, v in scope["headers"]:  # the first of each, as Starlette's Headers.get
            if k == b"authorization" and token is None:
                token = v
            elif k == b"content-type" and content_type is None:
                content_type = v
        if (
            token is None
            or content_type is None
            or content_type.split(b";")[0].strip().lower() != b"application/json"
        ):
            return False
        scheme, _, credentials = token.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            return False
        token_hash = presented_hash(container, credentials)
        if token_hash is None:
            return False
        principal = cache.get(token_hash)
        if principal is None:
            return False
        try:
            cid = _ID.validate_python(conversation_id)
            parsed = orjson.loads(body)
            if not isinstance(parsed, dict):
                return False
            request = MessageCreate.model_validate(parsed)
        except (ValidationError, orjson.JSONDecodeError):
            return False
        if request.saved_reply is not None:
            return False
        try:
            message = await in_post_thread(
                app,
                post_in_thread,
                container,
                Caller(principal, token_hash, cache),
                cid,
                request,
                container.clock(),
            )
        except Exception as e:
            handler = _handler(app, e)
            if handler is None:
                raise
            response = handler(Request(scope), e)
            if inspect.isawaitable(response):
                response = await response
            await response(scope, _no_body, send)
            return True
        out = MessagePublic.model_validate(message).model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-length", str(len(out)).encode()), *_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": out})
        return True


def _handler(app: Any, exc: Exception) -> Handler | None:
    """The app's exception handler for `exc`, looked up as Starlette's ExceptionMiddleware does
    (an HTTPException's status code first, then the class hierarchy); none for what reaches
    ServerErrorMiddleware (a 500) in the route too."""
    handlers: MutableMapping[Any, Handler] = getattr(app, "exception_handlers", {})
    if isinstance(exc, HTTPException) and exc.status_code in handlers and exc.status_code != 500:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls in handlers and cls is not Exception:
            return handlers[cls]
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
