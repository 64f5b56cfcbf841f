"""Page login: a server-side session (`helpdesk.websessions`) in an HttpOnly cookie.

Logging in with an API token opens a session; the cookie holds only the session's random id
(stored hashed, expiring after 12 hours), never the token, and logout revokes the session.
Revoking the token or deactivating the account ends its sessions too. Forms carry a CSRF value
derived from the session id (HMAC under the deployment's pepper) on top of the SameSite cookie,
so another site cannot post an answer in the seller's name.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal
from servicenorm.helpdesk.websessions import TTL, csrf_for, principal_of_session
from servicenorm.notify.templates import locale_for
from servicenorm.policy import Policy
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Buyer, Marketplace, Seller
from servicenorm.web.deps import ContainerDep, NowDep, SessionDep
from servicenorm.web.pages.render import asked_language

COOKIE = "sn_session"
LOGIN = "/ui/login"


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    csrf: str
    session_id: str


def optional_viewer(
    request: Request, s: SessionDep, container: ContainerDep, now: NowDep
) -> Viewer | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        return None
    p = principal_of_session(s.connection(), session_id, container.pepper, now)
    if p is None:
        return None
    # read now, only when nothing asks for one of the five languages (`render.language_of`):
    # the request's session is closed before an error page is rendered, and a read through it
    # then would open a transaction nobody ends (on SQLite it holds the write lock)
    if asked_language(request) is None:
        request.state.viewer_language = viewer_language(s, p)
    return Viewer(p, csrf_for(session_id, container.pepper), session_id)


def viewer_language(s: Session, p: Principal) -> str | None:
    """The language of a viewer whose browser asks for none of ours: a seller's or its
    staff's (its choice, else its country's, else its marketplace's), a buyer's, or the
    marketplace's of a scoped operator or agent; None for an operator of every marketplace."""
    if p.seller_id is not None:
        seller = s.get(Seller, p.seller_id)
        if seller is not None:
            policy = _policy(s, seller.marketplace_id)
            languages = policy.moderation.languages if policy else None
            default = policy.language if policy else "en"
            return locale_for(seller.country, languages, seller.language, default)
    if p.buyer_id is not None:
        buyer = s.get(Buyer, p.buyer_id)
        if buyer is not None:
            policy = _policy(s, buyer.marketplace_id)
            return buyer.language or (policy.language if policy else None)
    policy = _policy(s, p.marketplace_id) if p.marketplace_id else None
    return policy.language if policy else None


def _policy(s: Session, marketplace_id: str) -> Policy | None:
    market = s.get(Marketplace, marketplace_id)
    return policy_for(market.preset) if market is not None else None


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
    # (as bytes: compare_digest refuses str with non-ASCII characters, which a form may hold)
    if not hmac.compare_digest(viewer.csrf.encode(), (presented or "").encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the form expired; reload the page and try again"
        )


def remember(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
        max_age=int(TTL.total_seconds()),
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
    if p.role == "buyer":
        return "/ui/buyer"
    return "/ui/login"
