"""A real Spark standalone cluster for the tests: a master and one worker started from the
pyspark package (`spark-class`), bound to 127.0.0.1 on free ports (other developers run
tests at the same time), the worker in its own work directory. One per test session.

The master comes up first; the worker then starts while the test driver starts its own JVM
(`Cluster.ready` waits for the worker): the three JVM starts overlap instead of adding up."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Small data, so: few shuffle partitions and no adaptive re-planning (each adaptive stage is
# a job of its own); JVMs that live for minutes, so the quick JIT tier only and one GC thread
# (a third less CPU for the JVM's start on a loaded 2-core machine).
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.driver.extraJavaOptions": QUICK_JVM,
    "spark.executor.extraJavaOptions": QUICK_JVM,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def java_missing() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed: Spark needs a JRE (apt install openjdk-17-jre-headless)"
    return None


def _alive_workers(ui: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as r:
            return int(json.load(r).get("aliveworkers", 0))
    except OSError:
        return 0


@dataclass
class Cluster:
    url: str  # the master's
    procs: list[subprocess.Popen[bytes]]
    root: Path
    ui: int

    def ready(self) -> str:
        """The master URL once the worker has registered (raises if it does not start)."""
        _wait(lambda: _alive_workers(self.ui) >= 1, self.procs, self.root, "worker")
        return self.url


@contextmanager
def standalone_cluster(root: Path, cores: int = 2, memory: str = "2g") -> Iterator[Cluster]:
    """Yields the cluster once the master is up and the worker is starting; stops both
    processes (only these) afterwards."""
    import pyspark

    home = Path(pyspark.__file__).parent  # the package carries Spark's jars and scripts
    spark_class = str(home / "bin" / "spark-class")
    env = os.environ | {
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(root / "logs"),
        "SPARK_DAEMON_JAVA_OPTS": QUICK_JVM,  # the master and the worker do little work
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    master_port, master_ui, worker_port, worker_ui = (free_port() for _ in range(4))
    url = f"spark://127.0.0.1:{master_port}"
    (root / "work").mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, args in (
            (
                "master",
                [
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(master_port),
                    "--webui-port",
                    str(master_ui),
                ],
            ),
            (
                "worker",
                [
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(worker_port),
                    "--webui-port",
                    str(worker_ui),
                    "--cores",
                    str(cores),
                    "--memory",
                    memory,
                    "--work-dir",
                    str(root / "work"),
                    url,
                ],
            ),
        ):
            log = open(root / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
            procs.append(subprocess.Popen([spark_class, *args], env=env, stdout=log, stderr=log))
            if name == "master":
                _wait(lambda: _port_open(master_port), procs, root, "master")
        yield Cluster(url, procs, root, master_ui)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(ready: object, procs: list[subprocess.Popen[bytes]], root: Path, what: str) -> None:
    deadline = time.monotonic() + 180  # a loaded machine starts a JVM slowly
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.5)
    logs = "".join(
        (root / f"{n}.log").read_text(errors="replace")[-2000:]
        for n in ("master", "worker")
        if (root / f"{n}.log").exists()
    )
    raise RuntimeError(f"the Spark {what} did not start:\n{logs}")
