"""DuckDB: the embedded default engine."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def load(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.con.register(name, table)

    def query(self, sql: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.con.sql(sql).to_arrow_table().to_pylist()
        return rows

    def materialize(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def close(self) -> None:
        self.con.close()
