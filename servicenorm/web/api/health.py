"""Liveness and "who am I"."""

from __future__ import annotations

from fastapi import APIRouter

from servicenorm.web.deps import CurrentPrincipal
from servicenorm.web.schemas.directory import Me

router = APIRouter(tags=["service"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/me", response_model=Me)
def me(p: CurrentPrincipal) -> Me:
    return Me.model_validate(p)
