"""One data directory (issue 14, defect 8): the demo keeps its database where every command
looks, `run-demo --data DIR` writes under DIR only, and every printed login link works,
the buyer's included."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.cli_process import run_cli
from tests.helpdesk.test_cli import _serve


def test_every_printed_login_link_works_and_the_cli_finds_the_demo(tmp_path: Path) -> None:
    proc, base, out = _serve(tmp_path, "--demo", "--enforce-every", "0")
    try:
        links = re.findall(r"web page for (.+?): (\S+)/ui/login#token=(\S+)", out)
        assert {who.split(" ")[0] for who, _, _ in links} >= {"operator", "seller", "buyer"}
        for who, _, token in links:
            with httpx.Client(base_url=base, follow_redirects=True) as c:
                r = c.post("/ui/login", data={"token": token})
                assert r.status_code == 200, (who, r.status_code)
                assert "/ui/login" not in str(r.url), who
        buyer = next(tok for who, _, tok in links if who.startswith("buyer"))
        # a browser that names no language of ours reads the marketplace's (bol: Dutch);
        # this one asks for English
        english = {"Accept-Language": "en"}
        with httpx.Client(base_url=base, follow_redirects=True, headers=english) as c:
            page = c.post("/ui/login", data={"token": buyer})
            assert str(page.url).endswith("/ui/buyer") and "Your conversations" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (tmp_path / "servicenorm.db").exists() and not (tmp_path / "demo.db").exists()
    env = {**os.environ, "SERVICENORM_DATA_DIR": str(tmp_path)}
    env.pop("SERVICENORM_DATABASE_URL", None)
    done = run_cli("queue", "--seller", "boekhandel-noord", env=env)  # tests/cli_process.py
    assert done.returncode == 0, done.stderr
    assert "boekhandel-noord" in done.stdout or "q-overdue" in done.stdout


def test_the_demo_never_replaces_a_database_it_did_not_make(tmp_path: Path) -> None:
    from servicenorm.cli.errors import UsageError
    from servicenorm.cli.serve import demo_database

    (tmp_path / "servicenorm.db").write_bytes(b"real data")
    with pytest.raises(UsageError, match="not the demo's"):
        demo_database(tmp_path)
    assert (tmp_path / "servicenorm.db").read_bytes() == b"real data"
    other = tmp_path / "demo"
    assert demo_database(other) == (other / "servicenorm.db").resolve()
    assert demo_database(other) == (other / "servicenorm.db").resolve()  # its own: made afresh


def test_run_demo_writes_under_its_data_directory_only(tmp_path: Path) -> None:
    env = {**os.environ}
    env.pop("SERVICENORM_DATABASE_URL", None)
    env.pop("SERVICENORM_DATA_DIR", None)
    work = tmp_path / "cwd"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "servicenorm.cli", "run-demo", "--data", "elsewhere", "--no-serve"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (work / "elsewhere" / "demo-marketplace" / "events.jsonl").exists()
    assert not (work / "data").exists()
