"""`servicenorm enforce run|status|lift|apply` against a store named by SERVICENORM_DATABASE_URL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest
from typer.testing import CliRunner

from servicenorm.cli import app
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.operator import restrict
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 9, 6, tzinfo=AMS)


def test_run_status_and_lift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, sessions = fx.migrated(tmp_path)
    monkeypatch.setenv("SERVICENORM_DATABASE_URL", str(engine.url))
    monkeypatch.delenv("SERVICENORM_SMTP_HOST", raising=False)
    with sessions.begin() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0 - timedelta(days=100))
        restrict(
            Notifier(s, load_preset("bol"), T0),
            actor="op",
            seller_id="s1",
            kind="pause_shop",
            reason_code="operator",
            note="stock check",
            start=T0,
            evidence=["order 1207"],
        )
    runner = CliRunner()
    res = runner.invoke(app, ["enforce", "run", "--now", T0.isoformat()])
    assert res.exit_code == 0, res.output
    assert "bol week 2026-W11: done" in res.output
    assert "bol: 1 sellers with new events" in res.output  # the first round: every seller
    again = runner.invoke(app, ["enforce", "run", "--now", T0.isoformat()])
    assert again.exit_code == 0 and "done" not in again.output
    assert (
        "bol: 0 sellers with new events, 0 with a deadline passed since the last round; "
        "0 evaluated" in again.output
    )
    st = runner.invoke(
        app, ["enforce", "status", "--seller", "s1", "--format", "json", "--now", T0.isoformat()]
    )
    data = json.loads(st.output)
    assert [r["kind"] for r in data["restrictions"]] == ["pause_shop"] and data["restrictions"][0][
        "end"
    ] == "until lifted"
    lifted = runner.invoke(
        app,
        [
            "enforce",
            "lift",
            data["restrictions"][0]["id"],
            "--reason",
            "checked",
            "--now",
            (T0 + timedelta(hours=1)).isoformat(),
        ],
    )
    assert lifted.exit_code == 0, lifted.output
    st2 = runner.invoke(
        app,
        ["enforce", "status", "--format", "json", "--now", (T0 + timedelta(hours=2)).isoformat()],
    )
    assert json.loads(st2.output)["restrictions"] == []
    bad = runner.invoke(
        app, ["enforce", "lift", data["restrictions"][0]["id"], "--reason", "again"]
    )
    assert bad.exit_code != 0
    engine.dispose()


def test_apply_an_event_file_to_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = fx.migrated(tmp_path)
    monkeypatch.setenv("SERVICENORM_DATABASE_URL", str(engine.url))
    at = datetime(2026, 3, 2, 10, tzinfo=AMS)
    evs = [
        fx.ev(
            "seller_registered",
            "r",
            at - timedelta(days=60),
            seller="s1",
            marketplace="bol",
            country="NL",
        )
    ]
    for i in range(12):  # twelve questions in ISO week 10, none answered
        evs.append(
            fx.ev(
                "question_opened",
                f"q{i}",
                at + timedelta(minutes=i),
                conversation=f"c{i}",
                seller="s1",
                buyer="b",
                origin="buyer",
                body="?",
            )
        )
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in evs) + b"\n")
    args = [
        "enforce",
        "apply",
        "--preset",
        "bol",
        "--events",
        str(path),
        "--from",
        "2026-02-16",
        "--to",
        "2026-03-16",
        "--as-of",
        "2026-03-16T06:00:00+01:00",
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output)
    assert (
        summary["emails"] == 2 and summary["actions"] == 1
    )  # the weekly alert, and the ladder's first e-mail
    second = json.loads(CliRunner().invoke(app, args).output)
    assert (second["findings"], second["actions"], second["emails"]) == (0, 0, 0)
    engine.dispose()
