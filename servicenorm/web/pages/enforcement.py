"""What enforcement tells the pages: banners for a seller, actions and the last policy
simulation for the operator.

The page only displays; the enforcement package (`servicenorm.enforce`) decides and records.
While that package is not installed these return nothing, and the pages say that no action
was recorded rather than show invented ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any, Literal

from sqlalchemy.orm import Session

BannerKind = Literal["warning", "restriction", "badge"]


@dataclass(frozen=True)
class Banner:
    kind: BannerKind
    title: str
    text: str
    start: datetime | None = None
    end: datetime | None = None  # None: until lifted (restrictions) or open-ended


@dataclass(frozen=True)
class ActionRow:
    seller: str
    marketplace: str
    action: str
    reason: str
    state: Literal["taken", "pending"]
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class SimulationRow:
    seller: str
    change: Literal["gain", "lose"]
    what: str  # a finding, an action or a badge
    detail: str = ""


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name is not None and name.startswith(e.name):
            return None
        raise


def _hook(module: str, name: str) -> Callable[..., Any] | None:
    m = _module(module)
    fn = getattr(m, name, None) if m is not None else None
    return fn if callable(fn) else None


def seller_banners(s: Session, seller_id: str, now: datetime, lang: str) -> list[Banner]:
    fn = _hook("servicenorm.enforce.pages", "seller_banners")
    return list(fn(s, seller_id, now, lang)) if fn else []


def actions(s: Session, marketplace_ids: list[str], now: datetime) -> list[ActionRow]:
    fn = _hook("servicenorm.enforce.pages", "actions")
    return list(fn(s, marketplace_ids, now)) if fn else []


def simulation(s: Session, marketplace_ids: list[str]) -> list[SimulationRow] | None:
    """The last simulation's differences; None when none was run (or enforcement is absent)."""
    fn = _hook("servicenorm.enforce.pages", "last_simulation")
    if fn is None:
        return None
    got = fn(s, marketplace_ids)
    return None if got is None else list(got)
