"""The DSA Transparency Database export and the yearly complaint report, through the CLI on
a store: every object valid field by field, the same puids on a re-export, batches of at most
100, decisions out of DSA scope left out, and no personal data planted in the evidence (names,
e-mail addresses, phone numbers) reaching the file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from servicenorm.access.principal import Principal
from servicenorm.cli import app
from servicenorm.enforce import complaints, operator
from servicenorm.enforce.complaint_report import ComplaintFacts, figures
from servicenorm.enforce.notices import Notifier
from servicenorm.enforce.tdb import validate
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
ETSY = load_preset("etsy")
PERSONAL = ("Jan de Vries", "jan.devries@example.com", "+31 6 1234 5678", "buyer-b17")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine, sessions = fx.migrated(tmp_path_factory.mktemp("tdb"))
    mp = pytest.MonkeyPatch()
    mp.setenv("SERVICENORM_DATABASE_URL", str(engine.url))
    with sessions.begin() as s:
        fx.market(s, "etsy", "etsy", T0)
        fx.seller(s, "a", "etsy", T0 - timedelta(days=400), linked=["b"])
        fx.seller(s, "b", "etsy", T0 - timedelta(days=400))
        for i in range(120):  # more than one batch
            fx.seller(s, f"x{i:03d}", "etsy", T0 - timedelta(days=400))
        n = Notifier(s, ETSY, T0)
        operator.restrict(
            n,
            actor="op-1",
            seller_id="a",
            kind="suspend_trading",
            reason_code="manipulation",
            note=f"reviews bought from {PERSONAL[0]} ({PERSONAL[1]}, {PERSONAL[2]})",
            start=T0,
            evidence=[f"review by {p}" for p in PERSONAL],
        )
        for i in range(120):
            operator.restrict(
                n,
                actor="op-1",
                seller_id=f"x{i:03d}",
                kind="restrict_search" if i % 2 else "pause_shop",
                reason_code="terms_violation",
                note="copied listings",
                start=T0 + timedelta(minutes=i),
                end=T0 + timedelta(days=30),
                evidence=[f"listing {1000 + i}"],
            )
        # out of DSA scope in the etsy preset: an operator decision with reason "operator"
        operator.restrict(
            n,
            actor="op-1",
            seller_id="x000",
            kind="delay_payouts",
            reason_code="operator",
            note="payout check",
            start=T0 + timedelta(days=1),
            evidence=["order 77"],
        )
    yield sessions
    mp.undo()
    engine.dispose()


@pytest.fixture(scope="module")
def exported(store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _export(tmp_path_factory.mktemp("tdbout"), "v.jsonl")[0]


def _export(tmp_path: Path, name: str, *extra: str) -> list[dict[str, Any]]:
    out = tmp_path / name
    res = CliRunner().invoke(
        app, ["enforce", "statements", "--format", "tdb", "--out", str(out), *extra]
    )
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_the_export_is_valid_stable_batched_and_free_of_personal_data(
    store: Any, tmp_path: Path
) -> None:
    first = _export(tmp_path, "a.jsonl", "--batch-dir", str(tmp_path / "batches"))
    # a and its linked shop b (manipulation, linked), 120 terms violations; not the payout check
    assert len(first) == 122
    assert all(validate(o) == [] for o in first)
    assert len({o["puid"] for o in first}) == 122
    again = _export(tmp_path, "b.jsonl")
    assert [o["puid"] for o in again] == [o["puid"] for o in first] and again == first
    batches = sorted((tmp_path / "batches").iterdir())
    sizes = [len(p.read_text().splitlines()) for p in batches]
    assert sizes == [100, 22]
    # the ids are hex digests: "1234" turns up in one of 122 of them about one run in ten
    text = re.sub(r"[0-9a-f]{16,}", "<id>", (tmp_path / "a.jsonl").read_text())
    for planted in (*PERSONAL, "Jan", "@example.com", "1234", "buyer-"):
        assert planted not in text
    suspended = [o for o in first if o.get("decision_account") == "DECISION_ACCOUNT_SUSPENDED"]
    assert len(suspended) == 2  # the shop and its linked shop
    (main,) = [o for o in suspended if o["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"]
    assert main["automated_detection"] == "No"
    assert main["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert main["end_date_account_restriction"] is None  # indefinite
    paused = next(o for o in first if "decision_visibility" in o and "decision_provision" in o)
    assert paused["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert paused["end_date_visibility_restriction"] == "2026-04-01"
    # the date filter
    assert _export(tmp_path, "c.jsonl", "--from", "2026-03-03") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision_visibility", ["DECISION_VISIBILITY_HIDDEN"], "decision_visibility"),
        ("incompatible_content_ground", "x" * 501, "at most 500"),
        ("incompatible_content_explanation", "", "required with"),
        ("decision_facts", "x" * 5001, "decision_facts"),
        ("territorial_scope", ["US"], "EU/EEA"),
        ("application_date", "02/03/2026", "YYYY-MM-DD"),
        ("automated_detection", "yes", "Yes or No"),
        ("puid", "has space", "puid"),
        ("content_type", ["CONTENT_TYPE_OTHER"], "content_type_other"),
        ("end_date_monetary_restriction", "2026-04-01", "only with decision_monetary"),
    ],
)
def test_every_rule_is_checked_field_by_field(
    exported: dict[str, Any], field: str, value: Any, message: str
) -> None:
    obj = exported
    assert validate(obj) == []
    broken = {**obj, field: value}
    assert any(message in e for e in validate(broken)), validate(broken)
    bare = {k: v for k, v in obj.items() if not k.startswith(("decision_v", "decision_m",
                                                               "decision_p", "decision_a",
                                                               "end_date"))}  # fmt: skip
    assert any("is required" in e for e in validate(bare))


def test_the_complaint_report_gives_the_years_figures(store: Any) -> None:
    sessions = store
    seller = Principal("acc-x001", "seller", "x001", seller_id="x001")
    agent = Principal("agent-1", "agent", "Ania")
    with sessions.begin() as s:
        fx.agent(s, T0)
        from sqlalchemy import select

        from servicenorm.enforce.enforce_tables import Action

        ids = [
            s.scalars(select(Action.id).where(Action.seller_id == f"x{i:03d}")).first()
            for i in (1, 2, 3)
        ]
        n = Notifier(s, ETSY, T0)
        made = []
        for i, aid in enumerate(ids):
            who = Principal(f"acc-x00{i + 1}", "seller", "s", seller_id=f"x00{i + 1}")
            assert aid is not None
            made.append(complaints.file_complaint(n, who, aid, "not mine", T0 + timedelta(hours=i)))
        for c, (outcome, hours) in zip(made, (("upheld", 10), ("reversed", 30)), strict=False):
            complaints.decide(
                Notifier(s, ETSY, c.filed_at + timedelta(hours=hours)),
                agent,
                c.id,
                outcome,
                "checked",
                c.filed_at + timedelta(hours=hours),
            )
    del seller
    res = CliRunner().invoke(app, ["report", "complaints", "--year", "2026", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert (data["complaints"], data["decided"], data["open"]) == (3, 2, 1)
    assert data["outcomes"] == {"upheld": 1, "reversed": 1, "partly_reversed": 0}
    assert data["handling_hours"] == {"average": 20.0, "median": 20.0}
    assert data["dsa_art_15"] == {"median_hours_to_decision": 20.0, "reversed": 1}
    assert {t["type"] for t in data["main_types"]} == {
        "restrict_search/terms_violation",
        "pause_shop/terms_violation",
    }
    table = CliRunner().invoke(app, ["report", "complaints", "--year", "2026"])
    assert table.exit_code == 0 and "handling hours" in table.output
    empty = figures(2025, [ComplaintFacts("pause_shop", "norms", T0, None, None)])
    assert empty["complaints"] == 0 and empty["handling_hours"]["median"] is None
    bad = subprocess.run(
        [sys.executable, "-m", "servicenorm", "report", "complaints", "--year", "2026",
         "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "servicenorm: error: --format must be table or json, not 'xml'"
    ]
