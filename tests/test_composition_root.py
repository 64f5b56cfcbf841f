"""The composition root builds the parts the servers and the store's commands share: one
policy cache (installed for `policy_for`), the worker with the container's sessions, clock,
mail and metric engine, and no SMTP transport without a mail host (issue 15 item 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from servicenorm.bootstrap import bootstrap
from servicenorm.clock.source import fixed_clock
from servicenorm.notify.settings import MailSettings
from servicenorm.policy import stored
from servicenorm.policy.stored import policy_for, use_policies
from servicenorm.settings import Settings

BOL = Path(__file__).parents[1] / "servicenorm/policy/presets/bol.toml"
T = datetime(2026, 12, 8, 10, 30, tzinfo=UTC)


def test_the_container_builds_the_policy_cache_the_worker_and_mail(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "mine.toml").write_text(BOL.read_text())
    settings = Settings(data_dir=tmp_path, policy_dir=policies, metric_engine="spark")
    before = stored._active
    c = bootstrap(settings, migrate=False, clock=fixed_clock(T), mail=MailSettings(host=None))
    try:
        assert policy_for("mine.toml") is c.policies.get("mine.toml")
        w = c.worker(interval=5)
        assert (w.sessions, w.clock(), w.engine, w.interval) == (c.sessions, T, "spark", 5)
        assert w.mail is c.mail and c.transport() is None  # no host: mail waits in the outbox
    finally:
        use_policies(before)
        c.engine.dispose()
