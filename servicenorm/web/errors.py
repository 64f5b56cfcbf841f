"""Map domain and database errors to HTTP answers: never a 500 for a client's mistake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from servicenorm.access.errors import Blocked, DomainError


def _detail(err: DomainError) -> object:
    if err.status == 422:
        item: dict[str, object] = {
            "loc": ["body", err.field or "(request)"],
            "msg": err.message,
            "type": "value_error",
        }
        if isinstance(err, Blocked):
            item["violations"] = err.violations
        return [item]
    return err.message


async def helpdesk_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse({"detail": _detail(exc)}, status_code=exc.status)


async def stale(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "the resource changed meanwhile; read it again and retry"}, status_code=409
    )


async def integrity(_request: Request, _exc: Exception) -> JSONResponse:
    # a unique or foreign key raced with another request that committed first
    return JSONResponse(
        {"detail": "conflicts with data stored meanwhile (duplicate id?); retry"}, status_code=409
    )


def _printable(v: object) -> str | int:
    """Text any JSON encoder writes: a lone surrogate becomes its escape (`\\ud800`)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return str(v).encode("utf-8", "backslashreplace").decode("utf-8")


def validation_items(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """pydantic's errors without the offending input (NaN, 1e400, a lone surrogate, or
    megabytes of text would make the answer unserialisable or large): where and what."""
    return [
        {
            "loc": [_printable(p) for p in e.get("loc", ())],
            "msg": _printable(e.get("msg", "")),
            "type": _printable(e.get("type", "")),
        }
        for e in errors
    ]


async def invalid_request(request: Request, exc: Exception) -> Response:
    """Every invalid request is a 422 with a JSON body, whatever the input held; a page's
    (a form with a NUL byte, invalid UTF-8 or an oversized field) the form-error page."""
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/ui/"):
        page = _form_error_page(request)
        if page is not None:
            return page
    return JSONResponse({"detail": validation_items(exc.errors())}, status_code=422)


def _form_error_page(request: Request) -> Response | None:
    try:
        from servicenorm.web.pages.render import render
    except ModuleNotFoundError:  # an app without pages
        return None
    return render(
        request, "error.html", status_code=422, viewer=None, message_key="error.bad_input"
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(DomainError, helpdesk_error)
    app.add_exception_handler(StaleDataError, stale)
    app.add_exception_handler(IntegrityError, integrity)
