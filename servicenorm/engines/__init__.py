"""Where metric runs execute: DuckDB (embedded default) or Apache Spark (scale-out).

Both take the same integer-keyed tables and the same SQL text from the metric registry."""

from __future__ import annotations

from typing import Any, Protocol

import pyarrow as pa


class Engine(Protocol):
    name: str

    def load(self, tables: dict[str, pa.Table]) -> None: ...

    def query(self, sql: str) -> list[dict[str, Any]]: ...

    def materialize(self, name: str, sql: str) -> None:
        """Compute `sql` once and make its rows a table `name` for later queries."""

    def close(self) -> None: ...


def make_engine(name: str, spark_master: str | None = None) -> Engine:
    if name == "duckdb":
        from servicenorm.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from servicenorm.engines.spark_engine import SparkEngine

        return SparkEngine(master=spark_master)
    raise ValueError(f"unknown engine {name!r}; use duckdb or spark")
