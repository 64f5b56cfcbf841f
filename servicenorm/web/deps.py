"""FastAPI dependencies as Annotated aliases (STYLE 10): the session, the caller, the clock.

Endpoints that change data call `session.commit()` themselves before answering, so a
failed commit (a conflict) becomes the response instead of happening after it was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from servicenorm.bootstrap import Container
from servicenorm.helpdesk.accounts import authenticate
from servicenorm.helpdesk.principal import Principal

bearer = HTTPBearer(auto_error=False, description="an API token: `Authorization: Bearer sn_...`")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    with container.sessions() as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]


def get_now() -> datetime:
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(get_now)]


def get_principal(
    s: SessionDep, container: ContainerDep, now: NowDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if creds is None or not creds.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "give an API token: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    p = authenticate(s, creds.credentials, container.pepper, now)
    if p is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked API token",
                            headers={"WWW-Authenticate": "Bearer"})
    return p


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
