"""The metric registry (docs/metrics.md, contract report.md): every definition written once, in SQL
that runs unchanged on DuckDB and on Spark.

Each metric has an `items` query (one row per counted question, turn, call or order: the
evidence a seller can check) where one exists, and a `summary` query per seller built on
top of it, so the number and its evidence cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from servicenorm.metrics.sql import cum, is_open, status
from servicenorm.policy import Policy

_REPLY = "m.author IN ('seller', 'staff') AND NOT m.automated"

_SELLER_ORDERS = """
    SELECT o.order_id, o.seller, o.category, o.ts, o.ship_by
    FROM order_placed o
    JOIN sellers s ON s.seller = o.seller
    LEFT JOIN (SELECT DISTINCT order_id FROM order_cancelled) x ON x.order_id = o.order_id
    WHERE o.ts >= {start} AND o.ts < {end} AND x.order_id IS NULL
"""


def _timed(source: str, waiver: bool = False) -> str:
    """Working time taken and status for rows with `seller, resp_cal, received, received_h,
    replied, replied_h` (a question or a buyer turn); with `waiver`, rows also carry `waived`
    (the first response was a `reply_waived`): waived in time, the item is `waived` and counts
    neither way (docs/events-extensions.md)."""
    q, r, a = cum("hq", "i.received"), cum("hr", "i.replied"), cum("ha", "{as_of}")
    st = status("i.replied", f"{r} - {q}", f"{a} - {q}", "{allow}")
    if waiver:
        st = f"CASE WHEN i.waived AND {r} - {q} <= {{allow}} THEN 'waived' ELSE {st} END"
    return f"""
    SELECT i.*, {r} - {q} AS wt_reply, {a} - {q} AS wt_as_of, {st} AS status
    FROM ({source}) i
    JOIN resp_hours hq ON hq.cal_id = i.resp_cal AND hq.h = i.received_h
    JOIN resp_hours ha ON ha.cal_id = i.resp_cal AND ha.h = {{as_of_h}}
    LEFT JOIN resp_hours hr ON hr.cal_id = i.resp_cal AND hr.h = i.replied_h
    """


# The first response is the first reply, or a `reply_waived` before it (a reply at the same
# instant wins); a waiver after the deadline leaves the question late.
_WAIVED = "(w.waived IS NOT NULL AND (r.replied IS NULL OR w.waived < r.replied))"

FIRST_RESPONSE_ITEMS = _timed(
    f"""
    SELECT q.seller, s.resp_cal, q.conversation AS item, q.id AS event_id,
           q.ts AS received, q.ts_h AS received_h,
           CASE WHEN {_WAIVED} THEN w.waived ELSE r.replied END AS replied,
           CASE WHEN {_WAIVED} THEN w.waived_h ELSE r.replied_h END AS replied_h,
           {_WAIVED} AS waived
    FROM question_opened q
    JOIN sellers s ON s.seller = q.seller
    LEFT JOIN (
        SELECT q2.id, MIN(m.ts) AS replied, MIN(m.ts_h) AS replied_h
        FROM question_opened q2
        JOIN message_sent m ON m.conv_key = q2.conv_key
        WHERE {_REPLY} AND m.ts >= q2.ts AND q2.ts >= {{start}} AND q2.ts < {{end}}
        GROUP BY q2.id
    ) r ON r.id = q.id
    LEFT JOIN (
        SELECT q3.id, MIN(x.ts) AS waived, MIN(x.ts_h) AS waived_h
        FROM question_opened q3
        JOIN reply_waived x ON x.conv_key = q3.conv_key
        WHERE x.ts >= q3.ts AND q3.ts >= {{start}} AND q3.ts < {{end}}
        GROUP BY q3.id
    ) w ON w.id = q.id
    WHERE q.ts >= {{start}} AND q.ts < {{end}}
""",
    waiver=True,
)

# A buyer turn starts at the question or at a buyer message that follows a reply; automated,
# system and agent messages neither answer nor split a turn (contract: message_response).
MESSAGE_RESPONSE_ITEMS = _timed(f"""
    WITH conv AS (
        SELECT q.conversation, q.conv_key, q.seller, s.resp_cal, q.id AS event_id, q.ts AS q_at, q.ts_h AS q_h
        FROM question_opened q JOIN sellers s ON s.seller = q.seller
    ), ev AS (
        SELECT conversation, conv_key, seller, resp_cal, event_id, q_at AS ts, q_h AS ts_h, 0 AS ord, 'q' AS kind
        FROM conv
        UNION ALL
        SELECT c.conversation, c.conv_key, c.seller, c.resp_cal, m.id, m.ts, m.ts_h,
               CASE WHEN m.author = 'buyer' THEN 1 ELSE 2 END,
               CASE WHEN m.author = 'buyer' THEN 'b' ELSE 'r' END
        FROM conv c JOIN message_sent m ON m.conv_key = c.conv_key
        WHERE m.ts >= c.q_at AND (m.author = 'buyer' OR ({_REPLY}))
    ), seq AS (
        SELECT ev.*,
               LAG(kind) OVER (PARTITION BY conv_key ORDER BY ts, ord) AS prev_kind,
               MIN(CASE WHEN kind = 'r' THEN ts END) OVER (PARTITION BY conv_key ORDER BY ts, ord
                   ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS replied,
               MIN(CASE WHEN kind = 'r' THEN ts_h END) OVER (PARTITION BY conv_key ORDER BY ts, ord
                   ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS replied_h
        FROM ev
    )
    SELECT seller, resp_cal, conversation AS item, event_id, ts AS received, ts_h AS received_h,
           replied, replied_h
    FROM seq
    WHERE (kind = 'q' OR (kind = 'b' AND prev_kind = 'r')) AND ts >= {{start}} AND ts < {{end}}
""")

PHONE_ITEMS = f"""
    WITH c AS (
        SELECT c.id, c.seller, c.ts, c.ts_h, c.answered
        FROM call_attempt c JOIN sellers s ON s.seller = c.seller
        WHERE c.ts >= {{start}} AND c.ts < {{end}}
    ), reg AS (
        SELECT c.id, r.cal_id, ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY r.ts DESC, r.line DESC) AS rn
        FROM c JOIN phone_regimes r ON r.seller = c.seller AND r.ts <= c.ts
    ), shop AS (
        SELECT c.id, st.closed, ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY st.ts DESC, st.line DESC) AS rn
        FROM c JOIN shop_status st ON st.seller = c.seller AND st.ts <= c.ts
    )
    SELECT c.seller, c.id AS item, c.ts AS received, c.answered,
           {is_open("h", "c.ts")} AS in_hours, COALESCE(shop.closed, FALSE) AS shop_closed,
           CASE WHEN NOT {is_open("h", "c.ts")} THEN 'outside_hours'
                WHEN COALESCE(shop.closed, FALSE) THEN 'shop_closed'
                WHEN c.answered THEN 'answered' ELSE 'missed' END AS status
    FROM c
    JOIN reg ON reg.id = c.id AND reg.rn = 1
    JOIN phone_hours h ON h.cal_id = reg.cal_id AND h.h = c.ts_h
    LEFT JOIN shop ON shop.id = c.id AND shop.rn = 1
"""

QUESTION_RATE_ITEMS = f"""
    WITH o AS ({_SELLER_ORDERS}),
    qc AS (SELECT order_id, COUNT(*) AS n FROM question_opened WHERE order_id IS NOT NULL GROUP BY order_id),
    oq AS (SELECT o.*, COALESCE(qc.n, 0) AS questions FROM o LEFT JOIN qc ON qc.order_id = o.order_id),
    rc AS (SELECT category, CAST(SUM(questions) AS DOUBLE) / COUNT(*) AS category_rate FROM oq GROUP BY category)
    SELECT oq.seller, oq.order_id AS item, oq.category, oq.questions, rc.category_rate
    FROM oq JOIN rc ON rc.category = oq.category
"""

SHIPPING_ITEMS = f"""
    WITH o AS ({_SELLER_ORDERS}),
    sh AS (
        SELECT order_id, ts, tracking,
               ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY ts, line) AS rn
        FROM order_shipped
    ),
    sc AS (SELECT order_id, MIN(ts) AS scanned FROM carrier_scan GROUP BY order_id)
    SELECT o.seller, o.order_id AS item, o.ts AS placed, o.ship_by, sh.ts AS shipped, sh.tracking,
           sc.scanned,
           CASE WHEN sh.ts IS NOT NULL AND sh.ts <= o.ship_by THEN 'on_time'
                WHEN sh.ts IS NOT NULL OR {{as_of}} > o.ship_by THEN 'late'
                ELSE 'pending' END AS status,
           (sh.tracking IS NOT NULL AND TRIM(sh.tracking) <> '') AS has_tracking,
           (sh.ts IS NOT NULL AND sc.scanned IS NOT NULL AND sc.scanned - sh.ts > {{scan_tolerance}})
               AS marked_before_scan
    FROM o
    LEFT JOIN sh ON sh.order_id = o.order_id AND sh.rn = 1
    LEFT JOIN sc ON sc.order_id = o.order_id
"""

REVIEW_ITEMS = """
    SELECT o.seller, r.id AS item, r.order_id, r.ts AS received, r.rating
    FROM review_posted r
    JOIN (SELECT DISTINCT order_id, seller FROM order_placed) o ON o.order_id = r.order_id
    JOIN sellers s ON s.seller = o.seller
    WHERE r.ts >= {start} AND r.ts < {end}
"""

CASE_ITEMS = """
    WITH cl AS (
        SELECT case_id, MAX(CASE WHEN resolution = 'platform' THEN 1 ELSE 0 END) AS by_platform,
               MAX(CASE WHEN resolution = 'seller' THEN 1 ELSE 0 END) AS by_seller
        FROM case_closed GROUP BY case_id
    )
    SELECT o.seller, c.case_id AS item, c.order_id, c.ts AS received, c.kind,
           COALESCE(cl.by_platform, 0) = 1 AND COALESCE(cl.by_seller, 0) = 0 AS closed_without_seller
    FROM case_opened c
    JOIN (SELECT DISTINCT order_id, seller FROM order_placed) o ON o.order_id = c.order_id
    JOIN sellers s ON s.seller = o.seller
    LEFT JOIN cl ON cl.case_id = c.case_id
    WHERE c.ts >= {start} AND c.ts < {end}
"""

SURGE_SUMMARY = """
    SELECT o.seller,
           SUM(CASE WHEN o.ts > {as_of} - {week} THEN 1 ELSE 0 END) AS last_7_days,
           SUM(CASE WHEN o.ts <= {as_of} - {week} AND o.ts > {as_of} - 9 * {week} THEN 1 ELSE 0 END) AS prior_8_weeks
    FROM order_placed o JOIN sellers s ON s.seller = o.seller
    GROUP BY o.seller
"""


def _counts(items: str, extra: str = "") -> str:
    return f"""
    SELECT seller,
           SUM(CASE WHEN status = 'on_time' THEN 1 ELSE 0 END) AS on_time,
           SUM(CASE WHEN status = 'late' THEN 1 ELSE 0 END) AS late,
           SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending{extra}
    FROM ({items}) t GROUP BY seller
    """


@dataclass(frozen=True)
class Metric:
    """A metric: `summary` per seller over its `items` (the evidence). A summary reads its
    items from the table `{slug}_items` when `shared` (several summaries use them: computed
    once per run), else inline."""

    slug: str
    title: str
    summary: str
    items: str | None = None
    applies: Callable[[Policy], bool] = lambda p: True
    contract: bool = True  # part of the JSON report contract
    shared: bool = False

    @property
    def table(self) -> str:
        return f"{self.slug}_items"


REGISTRY: dict[str, Metric] = {
    m.slug: m
    for m in [
        Metric(
            "first_response",
            "First response within the norm",
            _counts("SELECT * FROM first_response_items"),
            FIRST_RESPONSE_ITEMS,
            shared=True,
        ),
        Metric(
            "message_response",
            "Every buyer message answered within the norm",
            _counts(MESSAGE_RESPONSE_ITEMS),
            MESSAGE_RESPONSE_ITEMS,
        ),
        Metric(
            "weekly_late",
            "Questions without a timely first reply per ISO week",
            """SELECT i.seller, w.week, COUNT(*) AS late FROM first_response_items i
                JOIN weeks w ON i.received >= w.ws AND i.received < w.we
                WHERE i.status = 'late' GROUP BY i.seller, w.week""",
            FIRST_RESPONSE_ITEMS,
        ),
        Metric(
            "phone",
            "Call attempts in phone hours answered",
            f"""SELECT seller, COUNT(*) AS attempts, SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered
                FROM ({PHONE_ITEMS}) t WHERE in_hours AND NOT shop_closed GROUP BY seller""",
            PHONE_ITEMS,
            applies=lambda p: p.phone is not None,
        ),
        Metric(
            "question_rate",
            "Questions per order against the personal dynamic norm",
            f"""SELECT seller, COUNT(*) AS orders, SUM(questions) AS questions,
                       SUM(category_rate) / COUNT(*) AS norm
                FROM ({QUESTION_RATE_ITEMS}) t GROUP BY seller""",
            QUESTION_RATE_ITEMS,
        ),
        Metric(
            "shipping",
            "Orders shipped on time, with tracking",
            _counts(
                SHIPPING_ITEMS,
                """,
           SUM(CASE WHEN status = 'on_time' AND has_tracking THEN 1 ELSE 0 END) AS on_time_with_tracking,
           SUM(CASE WHEN status <> 'pending' AND has_tracking THEN 1 ELSE 0 END) AS with_tracking,
           SUM(CASE WHEN marked_before_scan THEN 1 ELSE 0 END) AS marked_before_scan""",
            ),
            SHIPPING_ITEMS,
        ),
        Metric(
            "reviews",
            "Reviews: average rating",
            f"""SELECT seller, COUNT(*) AS n, AVG(CAST(rating AS DOUBLE)) AS average,
                       SUM(CASE WHEN rating <= 3 THEN 1 ELSE 0 END) AS negative_or_neutral
                FROM ({REVIEW_ITEMS}) t GROUP BY seller""",
            REVIEW_ITEMS,
        ),
        Metric(
            "cases",
            "Cases per order",
            f"""SELECT seller, COUNT(*) AS cases,
                       SUM(CASE WHEN kind = 'not_as_described' THEN 1 ELSE 0 END) AS not_as_described,
                       SUM(CASE WHEN closed_without_seller THEN 1 ELSE 0 END) AS closed_without_seller
                FROM ({CASE_ITEMS}) t GROUP BY seller""",
            CASE_ITEMS,
            contract=False,
        ),
        Metric(
            "surge",
            "Orders in the last 7 days against the trailing normal",
            SURGE_SUMMARY,
            contract=False,
        ),
    ]
}
