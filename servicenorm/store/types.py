"""Column types shared by every table.

Instants are stored as int64 epoch microseconds (the clock's own unit), not as
TIMESTAMP: SQLite has no time zones, and integer columns compare and index the same way on
SQLite, PostgreSQL, DuckDB and Spark, so a deadline scan is one indexed integer range.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from servicenorm.clock import from_us, to_us


class Instant(TypeDecorator[datetime]):
    """An aware datetime stored as epoch microseconds; a naive datetime is refused."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else to_us(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_us(value)


# JSON documents: JSONB on PostgreSQL, JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")
