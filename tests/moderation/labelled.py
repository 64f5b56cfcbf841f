"""The labelled message set (messages.jsonl), written for this project.

Each line: id, group (evasion | benign | language | tone), market, text, contact (bool),
kinds (span kinds of which at least one is expected for an evasion), lang (acceptable
language verdicts; null = unknown is acceptable), abusive (bool), note. Messages noted
"holdout" were written after the detectors, to measure them before any tuning on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).with_name("messages.jsonl")


@dataclass(frozen=True)
class Labelled:
    id: str
    group: str
    market: str
    text: str
    contact: bool
    kinds: tuple[str, ...]
    lang: tuple[str | None, ...]
    abusive: bool
    note: str

    @property
    def holdout(self) -> bool:
        return self.note.startswith("holdout")


@cache
def messages() -> tuple[Labelled, ...]:
    rows = []
    for line in PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(
                Labelled(
                    d["id"],
                    d["group"],
                    d["market"],
                    d["text"],
                    d["contact"],
                    tuple(d["kinds"]),
                    tuple(d["lang"]),
                    d["abusive"],
                    d["note"],
                )
            )
    return tuple(rows)
