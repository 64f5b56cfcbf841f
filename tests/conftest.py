"""Suite-wide rules.

Tests that need a system piece (PostgreSQL binaries, Chromium, Java for Spark) skip with a
reason on a user's machine that lacks it; under CI (`CI=true`) such a skip fails the run,
because a green CI must never hide a missing install step.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from typing import Any

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


@pytest.hookimpl(tryfirst=True)  # before xdist names the groups (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that share a module- or class-scoped fixture (a page world, a seeded store, a
    browser) run on one xdist worker: otherwise `--dist loadgroup` hands a module's tests to
    both workers and each builds the fixture. Explicit `xdist_group` marks are kept; a
    module's group is named after its file."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = any(
            d.scope in ("module", "class", "package")
            for defs in info.name2fixturedefs.values()
            for d in defs
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


# The groups that take longest (bench/RESULTS.md, "test suite time"): they start first, one per
# worker as it comes free, so that none of them begins near the end while the other worker idles.
LONGEST_GROUPS = ("spark", "quarter", "browser")


def _group(item: pytest.Item) -> str | None:
    """The group xdist gives the item (its `xdist_group` names, sorted and joined by "_")."""
    names = {
        str(m.args[0] if m.args else m.kwargs.get("name", "default"))
        for m in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names)) if names else None


class _LongestFirst:
    """The order `make test` hands work to the workers (with xdist's --no-loadscope-reorder,
    which keeps it): the longest groups, then the other groups by their number of tests (what
    xdist would do), then the single tests in collection order. Runs after pytest's own
    reordering by fixture parameters; items keep their order within a group."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        sizes: dict[str, int] = {}
        for item in items:
            g = _group(item)
            if g is not None:
                sizes[g] = sizes.get(g, 0) + 1

        def rank(item: pytest.Item) -> tuple[int, int]:
            g = _group(item)
            if g is None:
                return (2, 0)
            if g in LONGEST_GROUPS:
                return (0, LONGEST_GROUPS.index(g))
            return (1, -sizes[g])

        items[:] = sorted(items, key=rank)  # stable: a group's tests stay in their order


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_LongestFirst(), "servicenorm-longest-first")


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Generator[Any, None, None]:
    """A standalone Spark cluster (a master and one 2-core worker) for the whole session,
    yielded while its worker is still starting (`ready()` waits for it)."""
    from tests.spark_cluster import java_missing, standalone_cluster

    missing = java_missing()
    if missing:
        pytest.skip(missing)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # the driver binds there too
    with standalone_cluster(tmp_path_factory.mktemp("spark-cluster")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def spark_master(spark_cluster: Any) -> str:
    """The master URL of the session's cluster, its worker registered."""
    url: str = spark_cluster.ready()
    return url


@pytest.fixture(scope="session")
def spark_engine(spark_cluster: Any) -> Generator[object, None, None]:
    """One driver session (one Spark application) on the cluster for every Spark test of
    this worker, started while the worker starts. The executors' Python judges the rows the
    cluster's SQL does not accept (`engines/spark/suspects`); the metric queries must run
    none (tests/engines/test_spark_cluster.py checks their plans)."""
    from servicenorm.engines.spark_engine import SparkEngine
    from tests.spark_cluster import SPARK_TEST_CONF

    engine = SparkEngine(
        master=spark_cluster.url,
        conf={
            "spark.pyspark.python": sys.executable,
            "spark.executor.memory": "1g",
            "spark.cores.max": "1",  # the other core for the CLI test's own application
            **SPARK_TEST_CONF,
        },
    )
    spark_cluster.ready()
    yield engine
    engine.close()
    engine.spark.stop()
