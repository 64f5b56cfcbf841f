"""Suite-wide rules.

Tests that need a system piece (PostgreSQL binaries, Chromium, Java for Spark) skip with a
reason on a user's machine that lacks it; under CI (`CI=true`) such a skip fails the run,
because a green CI must never hide a missing install step.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must not happen: {report.longrepr}"
