"""Policy simulation from the overview: a changed copy of a marketplace's policy replayed on
its stored events over the policy's last window, through enforcement's own `simulate`
(the same code as `servicenorm simulate`). Nothing is stored and nobody is told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from servicenorm.enforce import simulate as enforce_simulate
from servicenorm.metrics import current_window
from servicenorm.policy import Policy, policy_from_text
from servicenorm.policy.stored import policy_for
from servicenorm.store.tables import Marketplace
from servicenorm.web.pages.eventsource import marketplace_log


@dataclass(frozen=True)
class SimRow:
    seller: str
    gains_findings: tuple[str, ...]
    loses_findings: tuple[str, ...]
    gains_actions: tuple[str, ...]
    loses_actions: tuple[str, ...]
    badge: tuple[str, str]


@dataclass(frozen=True)
class SimResult:
    market: Marketplace
    candidate: str  # what was tried, in words
    start: date
    end: date
    sellers: int = 0
    rows: list[SimRow] = field(default_factory=list)
    error: str | None = None

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def candidate_policy(
    current: Policy, target_percent: float | None, text: str
) -> tuple[Policy, str]:
    """The policy to try: a pasted policy file, or the current one with another response target."""
    if text.strip():
        return policy_from_text(text, "the pasted policy"), "the pasted policy"
    if target_percent is None:
        raise ValueError("give a response target or paste a policy")
    if not 0 <= target_percent <= 100:
        raise ValueError("the response target is a percentage between 0 and 100")
    response = current.response.model_copy(update={"target": round(target_percent / 100, 4)})
    return current.model_copy(
        update={"response": response}
    ), f"{current.name}, response target {target_percent:g}%"


def run(
    s: Session, market: Marketplace, target_percent: float | None, text: str, now: datetime
) -> SimResult:
    current = policy_for(market.preset)
    window = current_window(current.window.days, current.zone, now)
    start, end = window.start, window.end
    try:
        candidate, described = candidate_policy(current, target_percent, text)
    except ValueError as e:
        return SimResult(market, "", start, end, error=str(e))
    log = marketplace_log(s, market)
    diffs: list[Any]
    diffs, outcome, _ = enforce_simulate.simulate(log, current, candidate, start, end, now)
    rows = [
        SimRow(
            d.seller,
            d.gained_findings,
            d.lost_findings,
            d.gained_actions,
            d.lost_actions,
            (d.badge_now, d.badge_then),
        )
        for d in diffs
    ]
    return SimResult(market, described, start, end, len(outcome), rows)
