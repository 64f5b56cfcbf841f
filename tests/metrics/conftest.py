from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from servicenorm.engines import Engine


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    """One Spark local session for the whole worker: it takes seconds to start."""
    if shutil.which("java") is None:
        pytest.skip(
            "Java is not installed: Spark needs a JRE (apt install openjdk-17-jre-headless)"
        )
    from servicenorm.engines.spark_engine import SparkEngine

    engine = SparkEngine(master="local[2]")
    yield engine
    engine.close()
