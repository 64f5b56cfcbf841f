"""Ingest answers."""

from __future__ import annotations

from typing import Literal

from servicenorm.web.schemas.common import Public


class IngestOne(Public):
    id: str
    status: Literal["accepted", "duplicate"]


class LineErrorPublic(Public):
    line: int
    id: str | None
    field: str
    reason: str


class IngestBatch(Public):
    accepted: int
    duplicates: int
    rejected: int
    errors: list[LineErrorPublic]
