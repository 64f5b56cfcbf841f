"""FastAPI dependencies as Annotated aliases: the session, the caller, the clock.

Endpoints that change data call `session.commit()` themselves before answering, so a
failed commit (a conflict) becomes the response instead of happening after it was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, NamedTuple

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from servicenorm.access.principal import Principal
from servicenorm.bootstrap import Container
from servicenorm.helpdesk.accounts import principal_for_hash
from servicenorm.helpdesk.tokencache import TokenCache
from servicenorm.helpdesk.tokens import hash_token, refused

bearer = HTTPBearer(auto_error=False, description="an API token: `Authorization: Bearer sn_...`")


# no I/O: async, so FastAPI runs it on the event loop instead of a thread-pool round trip
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    with container.sessions() as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]


async def get_now(container: ContainerDep) -> datetime:
    """The request's instant, from the container's clock (the composition root chooses it)."""
    return container.clock()


NowDep = Annotated[datetime, Depends(get_now)]


def no_token() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "give an API token: Authorization: Bearer <token>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def bad_token() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "unknown or revoked API token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def presented_hash(container: Container, token: str) -> str | None:
    """The hash a presented token is looked up by, or None for a token this deployment refuses
    whatever the database says (a well-known demo or test token in production)."""
    if not token or refused(token, container.settings.environment):
        return None
    return hash_token(token, container.pepper)


def get_principal(
    s: SessionDep,
    container: ContainerDep,
    now: NowDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, checked against the database in the request's own transaction."""
    if creds is None or not creds.credentials:
        raise no_token()
    h = presented_hash(container, creds.credentials)
    p = None if h is None else principal_for_hash(s.connection(), h)
    if p is None:
        raise bad_token()
    return p


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


class Caller(NamedTuple):
    """A caller identified from the token cache. Its token's validity is NOT checked yet: the
    endpoint using it must check it in the transaction doing its work (the message post:
    `api.conversations.post_in_thread`), and evict the token from `cache` when that check fails."""

    principal: Principal
    token_hash: str
    cache: TokenCache


async def get_token_cache(request: Request) -> TokenCache:
    cache: TokenCache = request.app.state.tokens  # one per app (create_app): per process
    return cache


def _lookup(container: Container, token_hash: str) -> Principal | None:
    with container.engine.connect() as conn:
        return principal_for_hash(conn, token_hash)


def lookup_principal(container: Container, cache: TokenCache, token: str) -> Principal | None:
    """Whom a presented token belongs to, from the cache or the database, outside a request's
    dependencies (web.limits checks the token before a large body is read)."""
    h = presented_hash(container, token)
    if h is None:
        return None
    return cache.get(h) or _lookup(container, h)


async def get_caller(
    container: ContainerDep,
    cache: Annotated[TokenCache, Depends(get_token_cache)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """An unknown or revoked token is refused here (401, before the body is looked at), as
    by `get_principal`; a cached one costs no database work until the endpoint's own check."""
    if creds is None or not creds.credentials:
        raise no_token()
    h = presented_hash(container, creds.credentials)
    if h is None:
        raise bad_token()
    p = cache.get(h)
    if p is None:
        p = await run_in_threadpool(_lookup, container, h)
        if p is None:
            raise bad_token()
        cache.put(h, p)
    return Caller(p, h, cache)


CachedCaller = Annotated[Caller, Depends(get_caller)]
