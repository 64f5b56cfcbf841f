"""Page login: the caller's API token in an HttpOnly cookie, checked like a Bearer token.

No second credential store: a page visit authenticates exactly as an API call does
(`helpdesk.accounts.authenticate`), so revoking a token logs its pages out too. Forms carry a
CSRF value derived from the token (HMAC under the deployment's pepper) on top of the
SameSite cookie, so another site cannot post an answer in the seller's name.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import Response

from servicenorm.helpdesk.accounts import principal_for_hash
from servicenorm.helpdesk.principal import Principal
from servicenorm.web.deps import ContainerDep, NowDep, SessionDep, presented_hash

COOKIE = "sn_session"
LOGIN = "/ui/login"


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    csrf: str


def csrf_for(token: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), f"page-form:{token}".encode(), hashlib.sha256).hexdigest()[:40]


def optional_viewer(
    request: Request, s: SessionDep, container: ContainerDep, now: NowDep
) -> Viewer | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    h = presented_hash(container, token)
    p = None if h is None else principal_for_hash(s.connection(), h)
    return None if p is None else Viewer(p, csrf_for(token, container.pepper))


def required_viewer(
    request: Request, viewer: Annotated[Viewer | None, Depends(optional_viewer)]
) -> Viewer:
    if viewer is None:
        # a plain redirect to the login page, which brings the reader back afterwards
        raise HTTPException(
            status.HTTP_303_SEE_OTHER,
            "log in first",
            headers={"Location": f"{LOGIN}?next={request.url.path}"},
        )
    return viewer


MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]


def check_csrf(viewer: Viewer, presented: str) -> None:
    if not hmac.compare_digest(viewer.csrf, presented or ""):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the form expired; reload the page and try again"
        )


def remember(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
    )


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def safe_next(target: str | None, fallback: str = "/ui/") -> str:
    """Only a local path: never redirect to another site after login."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def home_of(p: Principal) -> str:
    if p.role in ("operator", "agent"):
        return "/ui/overview"
    if p.role == "staff" and p.seller_id:
        return f"/ui/sellers/{p.seller_id}/queue"
    if p.role == "seller" and p.seller_id:
        return f"/ui/sellers/{p.seller_id}/performance"
    return "/ui/login?buyer=1"
