"""SQL building blocks shared by the metric definitions.

The SQL is written once and runs unchanged on DuckDB and Spark SQL: only constructs both
accept (CTEs, joins, CASE, LEAST/GREATEST, window functions with explicit frames), integer
arithmetic on epoch microseconds, and no time-zone or date functions.
"""

from __future__ import annotations


def cum(hours: str, t: str) -> str:
    """Cumulative working time at instant `t`, given the joined hour-table row `hours`."""
    x = f"({t} - {hours}.h0)"
    return (
        f"({hours}.cum + LEAST(GREATEST({x}, {hours}.a1), {hours}.b1) - {hours}.a1"
        f" + LEAST(GREATEST({x}, {hours}.a2), {hours}.b2) - {hours}.a2)"
    )


def is_open(hours: str, t: str) -> str:
    x = f"({t} - {hours}.h0)"
    return f"(({x} >= {hours}.a1 AND {x} < {hours}.b1) OR ({x} >= {hours}.a2 AND {x} < {hours}.b2))"


def status(reply: str, wt_reply: str, wt_as_of: str, allow: str) -> str:
    """docs/metrics.md / contract: on time when the reply's working time is within the allowance
    (a reply exactly at the deadline is on time); late when it is over, or when there is no
    reply and as-of is past the deadline; otherwise pending."""
    return (
        f"CASE WHEN {reply} IS NOT NULL AND {wt_reply} <= {allow} THEN 'on_time' "
        f"WHEN {reply} IS NOT NULL OR {wt_as_of} > {allow} THEN 'late' "
        "ELSE 'pending' END"
    )


def bind(sql: str, params: dict[str, int]) -> str:
    """Substitute integer parameters ({start}, {as_of}, ...); only integers are allowed, so
    nothing from an input file can reach the SQL text."""
    for k, v in params.items():
        if not isinstance(v, int):
            raise TypeError(f"parameter {k} must be an integer")
    return sql.format(**params)
