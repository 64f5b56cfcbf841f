"""The event contract: validation messages, idempotence, formats, parallel reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicenorm.events import EventError, parse_event, read_events
from servicenorm.events import reader as reader_mod

GOOD = {
    "id": "e1",
    "type": "call_attempt",
    "at": "2026-03-03T10:00:00+01:00",
    "seller": "s1",
    "answered": True,
}


def write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "events.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize(
    ("obj", "field", "reason"),
    [
        ({**GOOD, "at": "2026-03-03T10:00:00"}, "at", "time has no UTC offset"),
        ({**GOOD, "type": "teleport"}, "type", "unknown event type 'teleport'"),
        ({k: v for k, v in GOOD.items() if k != "type"}, "type", "required field is missing"),
        (
            {k: v for k, v in GOOD.items() if k != "answered"},
            "answered",
            "required field is missing",
        ),
        ({**GOOD, "answered": "maybe"}, "answered", "valid boolean"),
        (
            {"id": "r", "type": "review_posted", "at": GOOD["at"], "order": "o", "rating": 6},
            "rating",
            "less than or equal to 5",
        ),
        (
            {
                "id": "m",
                "type": "message_sent",
                "at": GOOD["at"],
                "conversation": "c",
                "author": "robot",
                "body": "",
            },
            "author",
            "'buyer', 'seller', 'staff', 'agent' or 'system'",
        ),
        (
            {
                "id": "p",
                "type": "phone_hours_set",
                "at": GOOD["at"],
                "seller": "s",
                "hours": {"mon": [["09:00", "25:00"]]},
            },
            "hours",
            "between 00:00 and 24:00",
        ),
        (
            {
                "id": "o",
                "type": "order_placed",
                "at": GOOD["at"],
                "order": "o",
                "seller": "s",
                "buyer": "b",
                "ship_by": "2026-03-05",
                "category": "c",
                "amount": "1.00",
                "currency": "EUR",
            },
            "ship_by",
            "UTC offset",
        ),
        ({**GOOD, "id": ""}, "id", "at least 1 character"),
    ],
)
def test_invalid_event_names_field_and_reason(
    obj: dict, field: str, reason: str, tmp_path: Path
) -> None:
    log = read_events(write(tmp_path, [json.dumps(GOOD | {"id": "ok"}), json.dumps(obj)]))
    assert log.valid == 1
    [err] = log.errors
    assert (err.line, err.field) == (2, field)
    assert reason in err.reason


def test_broken_json_and_empty_lines(tmp_path: Path) -> None:
    log = read_events(write(tmp_path, ['{"id": "x", "type": ', "", "[1, 2]", json.dumps(GOOD)]))
    assert [(e.line, e.field) for e in log.errors] == [(1, "(line)"), (2, "(line)"), (3, "(line)")]
    assert "not valid JSON" in log.errors[0].reason
    assert log.valid == 1


def test_strict_raises_the_first_error(tmp_path: Path) -> None:
    with pytest.raises(EventError) as exc:
        read_events(
            write(tmp_path, [json.dumps(GOOD), json.dumps({**GOOD, "at": "x"})]), strict=True
        )
    assert exc.value.line == 2 and exc.value.field == "at"


def test_an_id_seen_twice_is_stored_once_first_occurrence_wins(tmp_path: Path) -> None:
    first = {**GOOD, "answered": False}
    log = read_events(
        write(
            tmp_path,
            [
                json.dumps(first),
                json.dumps(GOOD),
                json.dumps({**GOOD, "id": "e2"}),
                json.dumps(first),
            ],
        )
    )
    calls = log.table("call_attempt").to_pylist()
    assert [(c["id"], c["answered"]) for c in calls] == [("e1", False), ("e2", True)]
    assert log.duplicates == 1  # line 4 repeats line 1
    # line 2 reuses the id for other content: an error naming both lines (tests/events/
    # test_repeated_ids.py), no longer a silent duplicate (issue 11 item 7)
    assert [(e.line, e.field) for e in log.errors] == [(2, "id")]


def test_instants_are_exact_epoch_microseconds(tmp_path: Path) -> None:
    log = read_events(write(tmp_path, [json.dumps({**GOOD, "at": "2026-03-03T10:00:00.000001Z"})]))
    assert log.table("call_attempt").column("at")[0].as_py() == 1772532000_000001


def test_parse_event_for_api_use() -> None:
    e = parse_event(GOOD)
    assert e.type == "call_attempt" and e.at.utcoffset() is not None
    with pytest.raises(EventError, match="field 'at'"):
        parse_event({**GOOD, "at": "2026-03-03T10:00:00"})
    assert parse_event(json.dumps(GOOD)).id == "e1"


def test_blocks_agree_with_line_by_line_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small blocks, so lines cross block boundaries; some blocks Arrow cannot parse at all
    (broken JSON, a mistyped value, an empty line) and go line by line."""
    lines = []
    for i in range(3000):
        # a repeated id repeats its content: a duplicate (other content: test_repeated_ids)
        lines.append(json.dumps({**GOOD, "id": f"e{i % 2500}", "answered": i % 2500 % 3 == 0}))
        if i % 701 == 0:
            lines.append('{"broken": ')
        if i % 997 == 0:
            lines.append(json.dumps({**GOOD, "id": f"x{i}", "answered": "yes"}))
        if i % 1499 == 0:
            lines.append("")
    path = write(tmp_path, lines)
    path.write_text(path.read_text().rstrip("\n"))  # and a last line without its newline
    monkeypatch.setattr(reader_mod, "_BLOCK", 4096)
    blocks = read_events(path)
    monkeypatch.setattr(reader_mod, "_BLOCK", 1 << 30)
    whole = read_events(path)
    by_line = reader_mod._Collector(False, False, str(path))
    for n, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        by_line.add_json(n, raw)
    reference = reader_mod._finish(by_line.tables(), by_line.errors, by_line.count)
    for log in (blocks, whole):
        assert (
            log.table("call_attempt")
            .sort_by("line")
            .equals(reference.table("call_attempt").sort_by("line"))
        )
        assert [(e.line, e.field, e.reason) for e in log.errors] == [
            (e.line, e.field, e.reason) for e in reference.errors
        ]
        assert log.duplicates == reference.duplicates == 500
        assert log.lines == len(lines)


def test_parquet_fast_path_agrees_with_the_models(tmp_path: Path) -> None:
    """Rows accepted column by column must be exactly those the models accept, converted the
    same; every other row gets the models' own error with its row number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    at = "2026-03-03T10:00:00.25+01:00"
    rows = [
        {
            "id": "m1",
            "type": "message_sent",
            "at": at,
            "conversation": "c",
            "author": "system",
            "body": "x",
        },
        {
            "id": "m2",
            "type": "message_sent",
            "at": "2026-03-03T10:00:00Z",
            "conversation": "c",
            "author": "seller",
            "body": "",
            "automated": False,
        },
        {
            "id": "m3",
            "type": "message_sent",
            "at": "2026-03-03T10:00:00",
            "conversation": "c",
            "author": "seller",
            "body": "x",
        },
        {
            "id": "m4",
            "type": "message_sent",
            "at": at,
            "conversation": "c",
            "author": "robot",
            "body": "x",
        },
        {"id": "r1", "type": "review_posted", "at": at, "order": "o", "rating": 5},
        {"id": "r2", "type": "review_posted", "at": at, "order": "o", "rating": 7},
        {"id": "c1", "type": "call_attempt", "at": at, "seller": "s"},
        {"id": "", "type": "call_attempt", "at": at, "seller": "s", "answered": True},
        {
            "id": "o1",
            "type": "order_placed",
            "at": at,
            "order": "o",
            "seller": "s",
            "buyer": "b",
            "ship_by": "2026-03-05T17:00:00-05:00",
            "category": "toys",
            "amount": "010.50",
            "currency": "EUR",
        },
        {
            "id": "o2",
            "type": "order_placed",
            "at": at,
            "order": "o2",
            "seller": "s",
            "buyer": "b",
            "ship_by": "2026-02-30T17:00:00+01:00",
            "category": "toys",
            "amount": "1.5",
            "currency": "EUR",
        },
        {"id": "x1", "type": "teleport", "at": at},
        {
            "id": "q1",
            "type": "question_opened",
            "at": "2026-03-03T10:00:00.123456789+01:00",
            "conversation": "c",
            "seller": "s",
            "buyer": "b",
            "origin": "buyer",
            "body": "?",
        },
    ]
    keys = sorted({k for r in rows for k in r})
    pq.write_table(
        pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in rows]), tmp_path / "e.parquet"
    )
    jsonl = write(tmp_path, [json.dumps(r) for r in rows])
    from_parquet, from_jsonl = read_events(tmp_path / "e.parquet"), read_events(jsonl)
    assert [(e.line, e.field, e.reason) for e in from_parquet.errors] == [
        (e.line, e.field, e.reason) for e in from_jsonl.errors
    ]
    assert [(e.line, e.field) for e in from_parquet.errors] == [
        (3, "at"),
        (4, "author"),
        (6, "rating"),
        (7, "answered"),
        (8, "id"),
        (10, "ship_by"),
        (11, "type"),
    ]
    for name, table in from_jsonl.tables.items():
        assert from_parquet.table(name).sort_by("id").equals(table.sort_by("id")), name
    msgs = from_parquet.table("message_sent").sort_by("id").to_pylist()
    assert [(m["id"], m["automated"], m["at"] % 1_000_000) for m in msgs] == [
        ("m1", True, 250_000),
        ("m2", False, 0),
    ]
    assert from_parquet.table("order_placed").to_pylist()[0]["amount"] == "10.50"
