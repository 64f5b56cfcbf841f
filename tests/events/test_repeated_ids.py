"""An event id seen twice (issue 11 item 7): the same content again is a duplicate, stored
once; other content is an error naming both lines. The same instant written with another
offset is the same content. Both reader paths (Arrow blocks and the models) agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from servicenorm.events import read_events

Q = {
    "type": "question_opened",
    "conversation": "c1",
    "seller": "s1",
    "buyer": "b1",
    "origin": "buyer",
    "body": "Waar is mijn pakket?",
}


def write(path: Path, events: list[dict[str, Any]], slow: bool) -> Path:
    # a line the models must judge (an unknown type) sends its block... no: it only sends
    # itself; `slow` makes every line an object the Arrow reader cannot type (a number body)
    lines = [json.dumps(e) for e in events]
    if slow:
        lines.insert(0, '{"id": "x", "type": "question_opened", "body": 5}')
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("slow", [False, True])
def test_the_same_instant_with_another_offset_is_the_same_event(tmp_path: Path, slow: bool) -> None:
    log = read_events(
        write(
            tmp_path / "e.jsonl",
            [
                {**Q, "id": "q1", "at": "2026-03-02T09:00:00Z"},
                {**Q, "id": "q1", "at": "2026-03-02T10:00:00+01:00"},
            ],
            slow,
        )
    )
    assert [e for e in log.errors if e.field == "id"] == []
    assert log.duplicates == 1
    assert log.table("question_opened").num_rows == 1
    assert "text_hash" not in log.table("question_opened").schema.names


@pytest.mark.parametrize("slow", [False, True])
@pytest.mark.parametrize(
    "change", [{"body": "Iets anders"}, {"at": "2026-03-02T09:00:01Z"}, {"type": "shop_closed"}]
)
def test_other_content_under_the_same_id_is_an_error_naming_both_lines(
    tmp_path: Path, slow: bool, change: dict[str, str]
) -> None:
    first = {**Q, "id": "q1", "at": "2026-03-02T09:00:00Z"}
    other = {**first, "id": "q2", "conversation": "c2"}
    log = read_events(write(tmp_path / "e.jsonl", [first, other, {**first, **change}], slow))
    n = 1 + slow
    errors = [e for e in log.errors if e.field == "id"]
    assert len(errors) == 1, log.errors
    assert errors[0].line == n + 2
    assert f"line {n}" in errors[0].reason and "'q1'" in errors[0].reason
    assert log.duplicates == 0
    assert log.table("question_opened").num_rows == 2  # the first occurrence is kept


def test_strict_stops_at_a_reused_id(tmp_path: Path) -> None:
    from servicenorm.events import EventError

    first = {**Q, "id": "q1", "at": "2026-03-02T09:00:00Z"}
    path = write(tmp_path / "e.jsonl", [first, {**first, "body": "anders"}], False)
    with pytest.raises(EventError, match="line 1"):
        read_events(path, strict=True)
