"""Message texts as integers: every template piece lives once in a phrase table.

A body is a fixed sequence of phrase indices plus at most one order number, so millions of
bodies are drawn and rendered with array operations. A template `"Waar blijft {order}?"` is
stored as the two pieces before and after its placeholder; index 0 is the empty phrase.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import numpy.typing as npt
import orjson

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
LANGS = ("nl", "fr", "pl", "en")
PLACEHOLDERS = ("{order}", "{name}")


@dataclass(frozen=True)
class Pool:
    """Templates of one pool in one language: the pieces around the placeholder."""

    pre: I32
    post: I32
    slot: npt.NDArray[np.bool_]  # the template has a placeholder


@dataclass(frozen=True)
class PhraseTable:
    texts: tuple[str, ...]
    escaped: tuple[str, ...]  # each text as the inside of a JSON string
    pools: dict[tuple[str, str], Pool]

    def pool(self, lang: str, name: str) -> Pool:
        return self.pools[(lang, name)]

    def pick(
        self, name: str, lang: npt.NDArray[np.int8], rng: np.random.Generator
    ) -> tuple[I32, I32, npt.NDArray[np.bool_]]:
        """A random template of pool `name` per row, in the row's language (index into LANGS)."""
        n = int(lang.shape[0])
        pre = np.zeros(n, dtype=np.int32)
        post = np.zeros(n, dtype=np.int32)
        slot = np.zeros(n, dtype=bool)
        u = rng.random(n)
        for code, lang_name in enumerate(LANGS):
            rows = np.flatnonzero(lang == code)
            if rows.size == 0:
                continue
            p = self.pool(lang_name, name)
            k = (u[rows] * p.pre.size).astype(np.int64)
            pre[rows], post[rows], slot[rows] = p.pre[k], p.post[k], p.slot[k]
        return pre, post, slot


def _split(template: str) -> tuple[str, str, bool]:
    for ph in PLACEHOLDERS:
        if ph in template:
            before, after = template.split(ph, 1)
            if any(p in after for p in PLACEHOLDERS):
                raise ValueError(f"bodies.toml: one placeholder per template: {template!r}")
            return before, after, True
    return template, "", False


@cache
def phrases() -> PhraseTable:
    raw = tomllib.loads(
        files("servicenorm.demo").joinpath("data/bodies.toml").read_text(encoding="utf-8")
    )
    texts: list[str] = [""]
    index: dict[str, int] = {"": 0}

    def intern(s: str) -> int:
        if s not in index:
            index[s] = len(texts)
            texts.append(s)
        return index[s]

    pools: dict[tuple[str, str], Pool] = {}
    names = {name for lang in raw.values() for name in lang}
    for lang in LANGS:
        if set(raw[lang]) != names:
            raise ValueError(f"bodies.toml: [{lang}] lacks pools {sorted(names - set(raw[lang]))}")
        for name, templates in raw[lang].items():
            parts = [_split(t) for t in templates]
            pools[(lang, name)] = Pool(
                pre=np.array([intern(a) for a, _, _ in parts], dtype=np.int32),
                post=np.array([intern(b) for _, b, _ in parts], dtype=np.int32),
                slot=np.array([s for _, _, s in parts], dtype=bool),
            )
    escaped = tuple(orjson.dumps(t).decode()[1:-1] for t in texts)
    return PhraseTable(tuple(texts), escaped, pools)
