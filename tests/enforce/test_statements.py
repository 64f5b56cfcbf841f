"""Statements of reasons: golden texts per action kind and language, the facts taken from
the evidence behind a finding, and the refusal of a statement without a specific fact.

Regenerate the golden files after a deliberate text change with
`SERVICENORM_GOLDEN=update .venv/bin/python -m pytest tests/enforce/test_statements.py`."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from servicenorm.enforce.enforce_tables import Action
from servicenorm.enforce.kinds import RESTRICTIONS
from servicenorm.enforce.statements import StatementRefused, compose, note_facts
from servicenorm.notify.templates import LOCALES
from servicenorm.policy import load_preset

GOLDEN = Path(__file__).parent / "golden" / "statements"
T0 = datetime(2026, 3, 2, 6, tzinfo=UTC)
BOL, ETSY = load_preset("bol"), load_preset("etsy")


def action(kind: str, **kw: Any) -> Action:
    stated = kw.pop("stated", T0)
    start = stated + timedelta(days=30) if kind == "suspend_permanently" else stated
    fields: dict[str, Any] = {
        "id": "act-golden-1",
        "key": f"bol:s1:ladder:c0:s2:{kind}",
        "seller_id": "s1",
        "policy": "bol",
        "kind": kind,
        "origin": "ladder",
        "reason": "",
        "reason_code": "norms",
        "findings": [],
        "start_at": start,
        "end_at": None,
        "state": "active",
        "created_by": "system",
        "recorded_at": stated,
        "stated_at": stated,
        "notice_exception": None,
    }
    fields.update(kw)
    return Action(**fields)


FACTS = [
    {
        "norm": "first_response",
        "value": 0.7812,
        "threshold": 0.9,
        "comparison": "below",
        "window_from": "2026-02-02",
        "window_to": "2026-03-02",
        "detail": "",
        "count": 14,
        "first": "2026-02-03",
        "last": "2026-02-27",
        "ids": ["bol-s1-c12-q", "bol-s1-c17-q", "bol-s1-c23-q"],
        "figures": {"on_time": 50, "late": 14, "pending": 0},
    }
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", RESTRICTIONS)
def test_golden_statement_per_kind_and_language(kind: str, locale: str) -> None:
    data, subject, text = compose(BOL, action(kind), FACTS, locale, None)
    got = f"{subject}\n\n{text}"
    path = GOLDEN / f"{kind}.{locale}.txt"
    if os.environ.get("SERVICENORM_GOLDEN") == "update":
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
    assert data["measure"]["kind"] == kind and data["facts"] == FACTS
    assert data["ground"]["terms_url"] == BOL.decisions.terms_url  # type: ignore[union-attr]
    assert data["automated"] == {"detection": True, "decision": "fully"}
    assert data["redress"]["complaint_until"] == "2026-09-01T06:00:00+00:00"
    if kind == "suspend_permanently":
        assert data["measure"]["notice_days"] == 30


def test_an_operator_statement_for_a_linked_shop_names_the_shop_and_the_evidence() -> None:
    row = action(
        "suspend_trading",
        origin="linked",
        reason_code="linked_shop",
        created_by="op-1",
        key="etsy:s2:operator:suspend_trading:x:linked:s1",
    )
    facts = note_facts("listings copied from another shop", ["listing 48213"])
    data, _, text = compose(ETSY, row, facts, "en", "s2")
    assert data["automated"] == {"detection": True, "decision": "partially"}
    assert "linked to s2" in text and "listing 48213" in text
    assert data["ground"]["clause"].startswith("Terms of Use, section 8")


@pytest.mark.parametrize(
    "facts",
    [
        [],
        note_facts("you broke the rules", []),
        [{**FACTS[0], "count": 0, "ids": [], "figures": {}}],
    ],
    ids=["no facts", "a note without evidence", "a figure without items"],
)
def test_a_statement_without_a_specific_fact_is_refused(facts: list[dict[str, Any]]) -> None:
    with pytest.raises(StatementRefused, match="specific fact"):
        compose(BOL, action("pause_shop"), facts, "nl", None)
