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


@pytest.fixture(scope="session")
def spark_master(tmp_path_factory: pytest.TempPathFactory) -> Generator[str, None, None]:
    """A standalone Spark cluster (a master and one 2-core worker) for the whole session."""
    from tests.spark_cluster import java_missing, standalone_cluster

    missing = java_missing()
    if missing:
        pytest.skip(missing)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # the driver binds there too
    with standalone_cluster(tmp_path_factory.mktemp("spark-cluster")) as url:
        yield url


@pytest.fixture(scope="session")
def spark_engine(spark_master: str) -> Generator[object, None, None]:
    """One driver session on the cluster for every Spark test of this worker. The executors
    get a Python that does not exist: any Python UDF in our plans would fail the tests."""
    from servicenorm.engines.spark_engine import SparkEngine

    engine = SparkEngine(
        master=spark_master,
        conf={
            "spark.pyspark.python": "/nonexistent/python3",
            "spark.executor.memory": "1g",
            "spark.cores.max": "1",  # the other core for a CLI test's own application
            "spark.sql.shuffle.partitions": "4",
        },
    )
    yield engine
    engine.close()
    engine.spark.stop()
