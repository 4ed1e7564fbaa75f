"""Buying patterns from orders: set-based SQL in chunks of customer ids.

The shop aggregates its orders into the columns the hub stores
(`profiles.patterns.PATTERN_COLUMNS`); the hub scores them (RFM quintiles and
a segment) and learns favourite categories from them. Money is summed in whole
pence so the average order value is exact on SQLite as on PostgreSQL:
round(total / count, 2), halves rounded up.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from profiles import patterns as hub
from profiles.patterns import Scope
from shop.models import Order, OrderLine, OrderStatus

FULL_CHUNK = 20_000
SOURCE_TABLE = "buying_pattern_source"


@dataclass(frozen=True)
class RefreshResult:
    customers: int
    chunks: int
    seconds: float
    scored: int
    facts_learned: int


def _sql_parts() -> dict[str, str]:
    """The few expressions that differ between PostgreSQL and SQLite, over `agg`."""
    if connection.vendor == "postgresql":
        span = "(EXTRACT(EPOCH FROM (agg.last_at - agg.first_at)) / 86400.0)"
        return {
            "mean_days": f"{span} / (agg.n - 1)",
            "next_order": f"CAST(agg.last_at + ({span} / (agg.n - 1)) * INTERVAL '1 day' AS DATE)",
            "recency": "(CAST(%s AS DATE) - CAST(agg.last_at AS DATE))",
            "json_array": "jsonb_build_array",
        }
    span = "(julianday(agg.last_at) - julianday(agg.first_at))"
    return {
        "mean_days": f"{span} / (agg.n - 1)",
        "next_order": f"date(agg.last_at, '+' || ({span} / (agg.n - 1)) || ' days')",
        "recency": "CAST(julianday(%s) - julianday(date(agg.last_at)) AS INTEGER)",
        "json_array": "json_array",
    }


def aggregate_sql(filter_sql: str) -> str:
    """A SELECT of PATTERN_COLUMNS for the orders' customers matching `filter_sql`
    (a condition on o.profile_id); its parameters are (as_of, computed_at, *filter
    params, *filter params)."""
    parts = _sql_parts()
    arr = parts["json_array"]
    orders = connection.ops.quote_name(Order._meta.db_table)
    lines = connection.ops.quote_name(OrderLine._meta.db_table)
    live = f"o.status <> '{OrderStatus.CANCELLED.value}'"
    return f"""
        WITH agg AS (
            SELECT o.profile_id, COUNT(*) AS n,
                   CAST(SUM(CAST(ROUND(o.total * 100) AS BIGINT)) AS BIGINT) AS cents,
                   MIN(o.placed_at) AS first_at, MAX(o.placed_at) AS last_at,
                   SUM(CASE WHEN o.discount > 0 THEN 1 ELSE 0 END) AS discounted
            FROM {orders} o
            WHERE {live} AND o.profile_id IS NOT NULL AND {filter_sql}
            GROUP BY o.profile_id
        ), ranked AS (
            SELECT o.profile_id, l.category_name,
                   ROW_NUMBER() OVER (PARTITION BY o.profile_id
                                      ORDER BY SUM(l.quantity) DESC, l.category_name) AS rn
            FROM {lines} l JOIN {orders} o ON o.id = l.order_id
            WHERE {live} AND o.profile_id IS NOT NULL AND {filter_sql}
            GROUP BY o.profile_id, l.category_name
        ), top AS (
            SELECT profile_id,
                   MAX(CASE WHEN rn = 1 THEN category_name END) AS c1,
                   MAX(CASE WHEN rn = 2 THEN category_name END) AS c2,
                   MAX(CASE WHEN rn = 3 THEN category_name END) AS c3
            FROM ranked WHERE rn <= 3 GROUP BY profile_id
        )
        SELECT agg.profile_id AS profile_id,
               agg.n AS order_count,
               agg.cents / 100.0 AS total_spent,
               ((2 * agg.cents + agg.n) / (2 * agg.n)) / 100.0 AS avg_order_value,
               agg.first_at AS first_order_at,
               agg.last_at AS last_order_at,
               CASE WHEN agg.n > 1 THEN ROUND(CAST({parts["mean_days"]} AS NUMERIC), 1) END
                   AS mean_days_between,
               CASE WHEN agg.n > 1 THEN {parts["next_order"]} END AS expected_next_order,
               CASE WHEN top.c1 IS NULL THEN {arr}()
                    WHEN top.c2 IS NULL THEN {arr}(top.c1)
                    WHEN top.c3 IS NULL THEN {arr}(top.c1, top.c2)
                    ELSE {arr}(top.c1, top.c2, top.c3) END AS top_categories,
               ROUND(agg.discounted * 1.0 / agg.n, 4) AS discount_share,
               {parts["recency"]} AS recency_days,
               %s AS computed_at
        FROM agg LEFT JOIN top ON top.profile_id = agg.profile_id
    """


def _upsert(scope_sql: str, scope_params: list, *, as_of: str, computed_at: datetime) -> int:
    # Parameter order follows the SQL text: the filter twice (agg, ranked), then
    # as_of and computed_at in the final SELECT.
    return hub.buying_patterns_upsert(
        select_sql=aggregate_sql(scope_sql),
        params=[*scope_params, *scope_params, as_of, computed_at],
    )


def patterns_refresh(
    *,
    profile_ids: list[int] | None = None,
    chunk_size: int = FULL_CHUNK,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Recompute the buying patterns of `profile_ids`, or of everybody (None).

    Recomputes from the orders and upserts, so running it twice or out of order
    gives the same result. A full run also recomputes the RFM quintile cut-offs.
    """
    started = time.monotonic()
    now = timezone.now()
    as_of = now.date().isoformat()
    say = progress or (lambda message: None)
    chunks = 0
    # Read before aggregating: a mark set by an order committed from here on stays.
    marks = hub.stale_marks(scope=Scope(None if profile_ids is None else sorted(set(profile_ids))))
    if profile_ids is None:
        scope = Scope(None)
        with _source_table() as source:
            scored, chunks = _refresh_everybody(
                source, as_of=as_of, now=now, chunk_size=chunk_size, say=say
            )
    else:
        ids = sorted(set(profile_ids))
        scope = Scope(ids)
        scored = 0
        for i in range(0, len(ids), chunk_size):
            part = Scope(ids[i : i + chunk_size])
            condition, params = part.where("o.profile_id")
            with transaction.atomic():
                _upsert(condition, params, as_of=as_of, computed_at=now)
                hub.buying_patterns_prune(scope=part, computed_before=now)
                scored += hub.buying_patterns_score(scope=part)
            chunks += 1
    with transaction.atomic():
        learned = hub.favourite_categories_learn(scope=scope, now=now)
        hub.patterns_stale_clear(marks=marks)
    say(f"learned favourite categories for {learned} customers")
    return RefreshResult(
        customers=scored,
        chunks=chunks,
        seconds=time.monotonic() - started,
        scored=scored,
        facts_learned=learned,
    )


@contextmanager
def _source_table():
    """A temporary table for this connection's full refresh, dropped after it."""
    temp = "pg_temp" if connection.vendor == "postgresql" else "temp"
    table = f"{temp}.{connection.ops.quote_name(SOURCE_TABLE)}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")  # left by a refresh that died
    try:
        yield table
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _refresh_everybody(source: str, *, as_of: str, now: datetime, chunk_size: int, say):
    """Aggregate everybody's orders in one pass into `source`, take the quintile cut-offs
    from it, then store patterns and their scores in chunks of customer ids.

    One pass because chunking the aggregate by customer re-reads every order line for
    every chunk (lines are stored in time order, a chunk's customers ordered all the
    time); the chunks keep the writes, and their transactions, small.
    """
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {source} AS {aggregate_sql('1 = 1')}", [as_of, now])
        cursor.execute(f"SELECT MIN(profile_id), MAX(profile_id), COUNT(*) FROM {source}")
        lo, hi, count = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE INDEX ON {source} (profile_id)")
            cursor.execute(f"ANALYZE {source}")  # autovacuum never sees temporary tables
    say(f"aggregated {count} customers' orders in {time.monotonic() - started:.1f}s")
    with transaction.atomic():
        cutoffs = hub.rfm_cutoffs_recompute(now=now, source=source)
    scored = chunks = 0
    if cutoffs is not None:
        expressions, score_params = hub.score_sql(cutoffs)
        select = (
            f"SELECT {', '.join(hub.PATTERN_COLUMNS)}, {', '.join(expressions)} "
            f"FROM {source} WHERE profile_id BETWEEN %s AND %s"
        )
        for start in range(lo, hi + 1, chunk_size):
            end = min(start + chunk_size - 1, hi)
            with transaction.atomic():
                scored += hub.buying_patterns_upsert(
                    select_sql=select, params=[*score_params, start, end], scored=True
                )
            chunks += 1
            say(f"stored and scored customers {start}..{end} ({end - lo + 1} of {hi - lo + 1} ids)")
    with transaction.atomic():
        hub.buying_patterns_prune(scope=Scope(None), computed_before=now)
    say(f"scored {scored} customers")
    return scored, chunks


def patterns_refresh_stale(*, batch: int = 5000) -> int:
    """Refresh whatever an order marked stale and no task refreshed (the broker was down)."""
    ids = hub.stale_profile_ids(limit=batch)
    if ids:
        patterns_refresh(profile_ids=ids)
    return len(ids)
