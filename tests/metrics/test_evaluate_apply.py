"""`servicenorm evaluate --apply` acts on the findings once: a second run of the same
evaluation sends nothing and takes no step (the command runs in the test process,
tests/cli_process.py; `python -m servicenorm` is run as a process by tests/enforce/test_tdb_export.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli_process import run_cli
from tests.golden import example


def test_apply_twice_acts_once(tmp_path: Path) -> None:
    events, args, _ = example("bol")
    cmd = [
        "evaluate",
        "--preset",
        "bol",
        "--events",
        str(events),
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-30",
        "--as-of",
        args["as_of"],
        "--format",
        "json",
        "--apply",
    ]
    env = {**os.environ, "SERVICENORM_DATA_DIR": str(tmp_path)}
    applied = []
    for _ in range(2):
        proc = run_cli(*cmd, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        json.loads(proc.stdout)  # the report is still printed
        line = next(x for x in proc.stderr.splitlines() if x.startswith("applied: "))
        applied.append(json.loads(line.removeprefix("applied: ")))
    first, second = applied
    assert first["findings"] > 0 and first["emails"] > 0 and first["actions"] > 0
    assert {k: second[k] for k in ("findings", "actions", "emails", "banners")} == {
        "findings": 0,
        "actions": 0,
        "emails": 0,
        "banners": 0,
    }
