"""`servicenorm serve --demo` (a real server process) and `servicenorm queue --seller`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_serve_demo_then_queue_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "SERVICENORM_DATA_DIR": str(tmp_path)}
    env.pop("SERVICENORM_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "servicenorm.cli", "serve", "--port", "0", "--demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        lines: list[str] = []
        deadline = time.time() + 60
        base = None
        assert proc.stdout is not None
        while time.time() < deadline and base is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"running on (http://\S+)", line)
            base = m.group(1) if m else None
        assert base is not None, "".join(lines)
        while not any("Ctrl+C" in x for x in lines):
            lines.append(proc.stdout.readline())
        out = "".join(lines)
        assert f"{base}/docs" in out and "token for operator: sn_demo_operator" in out
        assert "enforcement: a round every 60 s" in out  # the scheduled evaluations run in the server
        assert f"web page for operator: {base}/ui/login#token=sn_demo_operator" in out
        assert httpx.get(f"{base}/ui/login").status_code == 200
        staff = re.search(r"token for staff of boekhandel-noord: (\S+)", out)
        assert staff is not None
        r = httpx.get(f"{base}/sellers/boekhandel-noord/queue", headers={"Authorization": f"Bearer {staff.group(1)}"})
        assert r.status_code == 200
        api_items = [i["conversation"]["id"] for i in r.json()["items"]]
        assert "q-overdue" in api_items and r.json()["items"][0]["state"] == "overdue"
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    cli_env = {**env, "SERVICENORM_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    done = subprocess.run([sys.executable, "-m", "servicenorm.cli", "queue", "--seller", "boekhandel-noord", "--json"],
                          capture_output=True, text=True, env=cli_env, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["conversation"] for r in rows] == api_items
    assert rows[0]["state"] == "overdue" and rows[0]["overdue_working_seconds"] > 0
    missing = subprocess.run([sys.executable, "-m", "servicenorm.cli", "queue", "--seller", "nobody"],
                             capture_output=True, text=True, env=cli_env, timeout=60)
    assert missing.returncode == 2 and "seller 'nobody' not found" in missing.stderr
