"""Notices that quote a figure say which window or when it was counted, in every language, and
write the figure by the registry's display rule, so the card beside them reads the same way
(issue 14, defect 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from servicenorm.enforce.apply import apply_evaluation
from servicenorm.metrics.findings import findings
from servicenorm.norms import NORMS
from servicenorm.norms.display import texts
from servicenorm.notify.banners import banners_for
from servicenorm.notify.templates import LOCALES, render_banner
from servicenorm.policy import load_preset
from tests.enforce import factories as fx

BOL = load_preset("bol")
T0 = datetime(2026, 3, 2, 5, tzinfo=UTC)  # Monday 06:00 in Amsterdam


def test_weekly_and_question_rate_notices_state_their_window(tmp_path: Path) -> None:
    with fx.store(tmp_path) as sessions, sessions() as s:
        fx.market(s, "bol", "bol", T0)
        fx.seller(s, "s1", "bol", T0)
        entry = fx.entry(weekly={"2026-W09": 12}, orders=1000, questions=118, norm=0.1)
        rep = fx.report("bol", T0, 28, {"s1": entry})
        apply_evaluation(s, rep, findings(rep, BOL), BOL, T0)
        s.commit()
        shown = {b.template: b.text for b in banners_for(s, "s1", T0 + timedelta(hours=1), "en")}
    assert shown["weekly_late"].startswith("12 questions without a timely first reply in ")
    assert (
        "counted 2 March 2026, 06:00 (UTC+01:00); the card shows the count now."
        in (shown["weekly_late"])
    )
    # the report's window is [2026-02-02, 2026-03-02): its last day is 1 March
    assert shown["question_rate"] == (
        "Your buyers ask 0.118 questions per order; your norm is 0.100"
        " (2 February 2026 to 1 March 2026; the card shows the current window)."
    )
    # the card of the same report writes the same figures
    r = NORMS["question_rate"].evaluate(BOL, entry)
    assert r is not None and texts(r) == ("0.118", "0.100")


# the window's last day and the count's time, each language's way
LAST_DAY = {"en": "1 March", "nl": "1 maart", "fr": "1er mars", "de": "1. März", "pl": "1 marca"}
COUNTED = {"en": "2 March 2026, 06:00", "nl": "2 maart 2026 om 06:00", "fr": "2 mars 2026 à 06:00"}
COUNTED |= {"de": "2. März 2026, 06:00 Uhr", "pl": "2 marca 2026 r., godz. 06:00"}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_names_the_window_and_old_notices_still_render(locale: str) -> None:
    ctx = {"rate": 0.118, "norm": 0.1, "window_from": "2026-02-02", "window_last": "2026-03-01"}
    assert f"{LAST_DAY[locale]} 2026" in render_banner("question_rate", locale, ctx)
    weekly = {"week": "2026-W09", "late": 12, "as_of": "2026-03-02T06:00:00+01:00"}
    assert COUNTED[locale] in render_banner("weekly_late", locale, weekly)
    # notices stored before the window was recorded render as they did
    assert render_banner("question_rate", locale, {"rate": 0.118, "norm": 0.1})
    assert render_banner("weekly_late", locale, {"week": "2026-W09", "late": 12})
