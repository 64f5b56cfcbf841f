"""DuckDB: the embedded default engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        # its progress bar goes to stdout, where the CLI writes the JSON report
        self.con.execute("SET enable_progress_bar = false")
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

    def add_tables(self, tables: dict[str, pa.Table]) -> None:
        self.load(tables)

    def columns(self, sql: str) -> list[str]:
        return list(self.con.sql(sql).columns)

    def write_parquet(self, sql: str, path: str, partition_by: str, instants: list[str]) -> None:
        """`sql`'s rows as Parquet under `path`, one directory per `partition_by` value;
        `instants` (epoch microseconds) as UTC timestamps."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.con.execute("SET TimeZone = 'UTC'")
        cols = ", ".join(
            f'make_timestamp("{c}")::TIMESTAMPTZ AS "{c}"' if c in instants else f'"{c}"'
            for c in self.columns(sql)
        )
        target = path.replace("'", "''")
        self.con.execute(
            f"COPY (SELECT {cols} FROM ({sql}) x) TO '{target}'"
            f' (FORMAT PARQUET, PARTITION_BY ("{partition_by}"), OVERWRITE)'
        )

    def close(self) -> None:
        self.con.close()
