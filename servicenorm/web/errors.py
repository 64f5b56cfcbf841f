"""Map domain and database errors to HTTP answers: never a 500 for a client's mistake."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from servicenorm.helpdesk.errors import Blocked, HelpdeskError


def _detail(err: HelpdeskError) -> object:
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
    assert isinstance(exc, HelpdeskError)
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


def install(app: FastAPI) -> None:
    app.add_exception_handler(HelpdeskError, helpdesk_error)
    app.add_exception_handler(StaleDataError, stale)
    app.add_exception_handler(IntegrityError, integrity)
