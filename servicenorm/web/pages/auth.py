"""Login, logout, the start page that sends each role to its page, and the error page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicenorm.access.errors import DomainError
from servicenorm.helpdesk.websessions import end_session, open_session
from servicenorm.web.deps import ContainerDep, NowDep, SessionDep, presented_hash
from servicenorm.web.pages import session as sess
from servicenorm.web.pages.render import render
from servicenorm.web.security import same_origin

router = APIRouter(include_in_schema=False)


def error_page(
    request: Request, err: DomainError | None = None, viewer: sess.Viewer | None = None
) -> HTMLResponse:
    code = err.status if err is not None and err.status in (403, 404) else 404
    return render(
        request,
        "error.html",
        status_code=code,
        viewer=viewer,
        message_key="error.forbidden" if code == 403 else "error.not_found",
    )


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=303)


@router.get("/ui/")
def start(request: Request, viewer: sess.MaybeViewer) -> Response:
    if viewer is None:
        return RedirectResponse(sess.LOGIN, status_code=303)
    return RedirectResponse(sess.home_of(viewer.principal), status_code=303)


@router.get("/ui/login")
def login_form(
    request: Request, viewer: sess.MaybeViewer, next: str | None = None, buyer: int = 0
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        viewer=viewer,
        next=sess.safe_next(next),
        error=None,
        buyer_note=bool(buyer) or (viewer is not None and viewer.principal.role == "buyer"),
    )


@router.post("/ui/login")
def login(
    request: Request,
    s: SessionDep,
    container: ContainerDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/ui/",
) -> Response:
    if not same_origin(request):
        # login CSRF: another site's form would log this browser in as the attacker
        return render(
            request,
            "login.html",
            status_code=403,
            viewer=None,
            next="/ui/",
            error="login.cross_origin",
            buyer_note=False,
        )
    token = token.strip()
    h = presented_hash(container, token)
    opened = None if h is None else open_session(s, h, container.pepper, now)
    if opened is None:
        return render(
            request,
            "login.html",
            status_code=401,
            viewer=None,
            next=sess.safe_next(next),
            error="login.bad",
            buyer_note=False,
        )
    p, session_id = opened
    target = sess.safe_next(next, sess.home_of(p))
    if target == "/ui/":
        target = sess.home_of(p)
    s.commit()  # the session exists before its cookie is handed out
    response = RedirectResponse(target, status_code=303)
    sess.remember(response, request, session_id)
    return response


@router.post("/ui/logout")
def logout(
    request: Request,
    viewer: sess.CurrentViewer,
    s: SessionDep,
    container: ContainerDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    sess.check_csrf(viewer, csrf)
    if not same_origin(request):
        raise HTTPException(403, "log out from this site's own page")
    end_session(s, viewer.session_id, container.pepper, now)  # the cookie alone no longer works
    s.commit()
    response = RedirectResponse(sess.LOGIN, status_code=303)
    sess.forget(response)
    return response
