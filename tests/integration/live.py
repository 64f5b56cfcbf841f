"""`servicenorm serve` as a separate process on a free port, for tests and benchmarks that
measure what the server spends (time, resident memory) on a request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.conftest import NOW

SERVICENORM = Path(sys.executable).parent / "servicenorm"


@dataclass(frozen=True)
class Live:
    host: str
    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def rss(self) -> int:
        """The server's resident memory in bytes (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")


@contextmanager
def live_server(database_url: str, data_dir: Path, **env: str) -> Iterator[Live]:
    environ = {
        **os.environ,
        "SERVICENORM_DATABASE_URL": database_url,
        "SERVICENORM_DATA_DIR": str(data_dir),
        "SERVICENORM_ENVIRONMENT": "test",
        "SERVICENORM_NOW": NOW.isoformat(),  # the server's clock starts there, as in-process apps'
        **{f"SERVICENORM_{k.upper()}": v for k, v in env.items()},
    }
    log = data_dir / "serve.log"
    with log.open("w") as out:  # a file, not a pipe: nobody has to keep reading it
        proc = subprocess.Popen(
            [str(SERVICENORM), "serve", "--port", "0", "--enforce-every", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            m = re.search(r"running on http://127\.0\.0\.1:(\d+)", log.read_text())
            if m:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("servicenorm serve did not start:\n" + log.read_text())
            time.sleep(0.05)
        yield Live("127.0.0.1", int(m.group(1)), proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
