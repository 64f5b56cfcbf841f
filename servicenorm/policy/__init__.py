"""Policies as data (docs/enforcement.md): the schema and the shipped presets."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from servicenorm.policy.schema import CalendarSpec, Policy, ResponseNorm

PRESETS = ("bol", "etsy", "ebay", "swopify")


def _format_errors(where: str, err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top)"
        lines.append(f"{where}: {loc}: {e['msg']}")
    return "\n".join(lines)


def policy_from_text(text: str, where: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{where}: not valid TOML: {e}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        raise ValueError(_format_errors(where, e)) from None


@cache
def load_preset(name: str) -> Policy:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; shipped presets: {', '.join(PRESETS)}")
    text = files("servicenorm.policy").joinpath(f"presets/{name}.toml").read_text(encoding="utf-8")
    return policy_from_text(text, f"preset {name}")


def load_policy(name_or_path: str) -> Policy:
    """A shipped preset by name, or an operator's own policy file."""
    if name_or_path in PRESETS:
        return load_preset(name_or_path)
    path = Path(name_or_path)
    if not path.exists():
        raise ValueError(
            f"unknown preset or missing policy file {name_or_path!r}; shipped presets: {', '.join(PRESETS)}"
        )
    return policy_from_text(path.read_text(encoding="utf-8"), str(path))


__all__ = [
    "PRESETS",
    "CalendarSpec",
    "Policy",
    "ResponseNorm",
    "load_policy",
    "load_preset",
    "policy_from_text",
]
