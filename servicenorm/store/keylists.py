"""Key lists sent in parts: SQLite takes at most 32,766 parameters in one statement, and a
marketplace's tens of thousands of sellers or a chunk's keys can be more."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

IN_LIMIT = 5000  # keys per `IN (...)`

T = TypeVar("T")


def parts(keys: Sequence[T]) -> list[list[T]]:
    """`keys` in order, in lists of at most IN_LIMIT."""
    return [list(keys[i : i + IN_LIMIT]) for i in range(0, len(keys), IN_LIMIT)]
