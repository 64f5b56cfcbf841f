"""A seller's own language (issue 14): chosen on its performance page, kept with the seller,
and used for its e-mails and for its pages when the browser asks for none of the five
(`render.language_of`); without a choice, its country's language, else its marketplace's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from servicenorm.access.errors import DomainError
from servicenorm.access.principal import manage_seller
from servicenorm.helpdesk.directory import seller_row
from servicenorm.web.deps import SessionDep
from servicenorm.web.i18n import languages
from servicenorm.web.pages.auth import error_page
from servicenorm.web.pages.session import CurrentViewer, check_csrf, viewer_language

router = APIRouter(include_in_schema=False)


@router.post("/ui/sellers/{seller_id}/language")
def choose(
    request: Request,
    seller_id: str,
    viewer: CurrentViewer,
    s: SessionDep,
    language: Annotated[str, Form(max_length=5)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Keep the seller's language ("" goes back to its country's); the page then shows it."""
    check_csrf(viewer, csrf)
    if language and language not in languages():
        raise HTTPException(422, f"unknown language {language!r}; one of {', '.join(languages())}")
    try:
        seller = seller_row(s, seller_id)
        manage_seller(viewer.principal, seller)
    except DomainError as e:
        return error_page(request, e, viewer)
    seller.language = language or None
    s.commit()
    shown = language or (
        viewer_language(s, viewer.principal) if viewer.principal.seller_id == seller.id else None
    )
    query = f"lang={shown}&" if shown else ""
    return RedirectResponse(
        f"/ui/sellers/{seller.id}/performance?{query}language_saved=1", status_code=303
    )
