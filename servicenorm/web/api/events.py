"""Event ingestion (R6.1): single and batch, idempotent by event id, per-line errors."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Request

from servicenorm.access.errors import Invalid
from servicenorm.events import EventError
from servicenorm.helpdesk.ingest import ingest_many, ingest_one
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.events import IngestBatch, IngestOne, LineErrorPublic

router = APIRouter(prefix="/events", tags=["events"])

MAX_BATCH_BYTES = 50 * 1024 * 1024

_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "one JSON event per line"}
            },
        },
    }
}


@router.post("", response_model=IngestOne)
def ingest_event(
    s: SessionDep,
    p: CurrentPrincipal,
    now: NowDep,
    event: Annotated[dict[str, Any], Body(description="one event in the contract's format")],
) -> IngestOne:
    try:
        status = ingest_one(s, p, event, now)
    except EventError as e:
        raise Invalid(e.reason, e.field) from None
    s.commit()
    return IngestOne(
        id=str(event.get("id")), status="accepted" if status == "accepted" else "duplicate"
    )


def _lines(raw: bytes, content_type: str) -> list[tuple[int, Any]]:
    if "ndjson" in content_type or "jsonl" in content_type:
        out: list[tuple[int, Any]] = []
        for n, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append((n, orjson.loads(line)))
            except orjson.JSONDecodeError as e:
                out.append((n, _Unparsable(str(e))))
        return out
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise Invalid(f"not valid JSON: {e}", "body") from None
    if not isinstance(data, list):
        raise Invalid("expected a JSON array of events (or send application/x-ndjson)", "body")
    return list(enumerate(data, start=1))


class _Unparsable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


@router.post("/batch", response_model=IngestBatch, openapi_extra=_BATCH_BODY)
async def ingest_batch(
    request: Request, p: CurrentPrincipal, now: NowDep, s: SessionDep
) -> IngestBatch:
    """A JSON array of events, or JSON Lines (`application/x-ndjson`). Good lines are stored
    even when others fail; each failure names its line and field."""
    raw = await request.body()
    if len(raw) > MAX_BATCH_BYTES:
        raise Invalid(
            f"a batch is at most {MAX_BATCH_BYTES // (1024 * 1024)} MiB; split it", "body"
        )
    lines = _lines(raw, request.headers.get("content-type", "application/json"))
    bad = [
        LineErrorPublic(line=n, id=None, field="(line)", reason=f"not valid JSON: {o.reason}")
        for n, o in lines
        if isinstance(o, _Unparsable)
    ]
    good = [(n, o) for n, o in lines if not isinstance(o, _Unparsable)]
    from starlette.concurrency import run_in_threadpool

    report = await run_in_threadpool(ingest_many, s, p, good, now)
    await run_in_threadpool(s.commit)
    errors = sorted(
        bad + [LineErrorPublic.model_validate(e) for e in report.errors], key=lambda e: e.line
    )
    return IngestBatch(
        accepted=report.accepted, duplicates=report.duplicates, rejected=len(errors), errors=errors
    )
