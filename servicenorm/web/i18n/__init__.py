"""Page texts per language: one TOML file per language code in this folder.

Adding a language is adding `xx.toml` with the same keys as `en.toml` (a test checks that
every file has every key). Keys are flat, dotted names; values are `str.format` templates.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

DEFAULT = "en"


@cache
def languages() -> tuple[str, ...]:
    """Language codes with a text file, the default first."""
    found = sorted(p.name[:-5] for p in files(__name__).iterdir() if p.name.endswith(".toml"))
    return (DEFAULT, *[c for c in found if c != DEFAULT])


def _flatten(prefix: str, data: Mapping[str, object], out: dict[str, str]) -> None:
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            _flatten(f"{key}.", v, out)
        elif isinstance(v, list):
            out[key] = "|".join(str(x) for x in v)  # month and weekday names
        else:
            out[key] = str(v)


@cache
def _texts(code: str) -> dict[str, str]:
    raw = tomllib.loads(files(__name__).joinpath(f"{code}.toml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    _flatten("", raw, out)
    return out


@dataclass(frozen=True)
class Texts:
    """The texts of one language, with the default language as fallback for a missing key."""

    code: str

    def __call__(self, key: str, **values: object) -> str:
        text = _texts(self.code).get(key)
        if text is None:
            text = _texts(DEFAULT).get(key, key)
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: object) -> str:
        """`key_one` for a count of one where the language has it, else `key`."""
        one = f"{key}_one"
        if count == 1 and (one in _texts(self.code) or one in _texts(DEFAULT)):
            return self(one, count=count, **values)
        return self(key, count=count, **values)

    def names(self, key: str) -> list[str]:
        return self(key).split("|")

    @property
    def decimal(self) -> str:
        return self("format.decimal")


def texts(code: str) -> Texts:
    return Texts(code if code in languages() else DEFAULT)


def negotiate(accept_language: str | None, default: str | None = DEFAULT) -> str | None:
    """The first supported language in an Accept-Language header (quality order), else
    `default`."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            quality = 0.0
        ranked.append((-quality, i, tag.strip().lower().split("-")[0]))
    for _, _, code in sorted(ranked):
        if code in languages():
            return code
    return default
