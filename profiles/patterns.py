"""The hub's side of buying patterns: storing, scoring and learning from them.

The shop owns the orders and supplies a SELECT that aggregates them (see
`PATTERN_COLUMNS`); everything here is set-based SQL over the pattern table, so a
full recompute never loops over customers in Python.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from profiles.models import (
    Attribute,
    BuyingPattern,
    CustomerProfile,
    ProfileFact,
    RfmCutoffs,
    Segment,
    Sensitivity,
    Source,
)

PATTERN_COLUMNS = (
    "profile_id",
    "order_count",
    "total_spent",
    "avg_order_value",
    "first_order_at",
    "last_order_at",
    "mean_days_between",
    "expected_next_order",
    "top_categories",
    "discount_share",
    "recency_days",
    "computed_at",
)
SCORE_COLUMNS = ("r_score", "f_score", "m_score", "segment")
FAVOURITES_KEY = "favourite_categories"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Scope:
    """Which patterns a statement touches: some profile ids, or everybody (None)."""

    profile_ids: Sequence[int] | None

    def where(self, column: str = "profile_id") -> tuple[str, list]:
        if self.profile_ids is None:
            return "1 = 1", []
        if not self.profile_ids:
            return "1 = 0", []
        marks = ", ".join(["%s"] * len(self.profile_ids))
        return f"{column} IN ({marks})", list(self.profile_ids)


def buying_patterns_upsert(*, select_sql: str, params: Sequence, scored: bool = False) -> int:
    """Insert or update patterns from `select_sql`, which yields PATTERN_COLUMNS in order,
    then SCORE_COLUMNS too if `scored` (see `score_sql`)."""
    names = PATTERN_COLUMNS + (SCORE_COLUMNS if scored else ())
    columns = ", ".join(names)
    updates = ", ".join(f"{c} = excluded.{c}" for c in names[1:])
    # "WHERE true" resolves SQLite's parsing ambiguity of INSERT … SELECT … ON CONFLICT.
    sql = (
        f"INSERT INTO {_table(BuyingPattern)} ({columns}) "
        f"SELECT * FROM ({select_sql}) AS src WHERE 1 = 1 "
        f"ON CONFLICT (profile_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def buying_patterns_prune(*, scope: Scope, computed_before: datetime) -> int:
    """Drop the patterns in scope that the last upsert did not touch (no orders any more)."""
    condition, params = scope.where()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(BuyingPattern)} WHERE {condition} AND computed_at < %s",
            [*params, computed_before],
        )
        return cursor.rowcount


def _boundaries(column: str, source: str) -> list:
    sql = (
        f"SELECT tile, MAX(value) FROM (SELECT {column} AS value, "
        f"NTILE(5) OVER (ORDER BY {column}) AS tile FROM {source}) AS tiles "
        "GROUP BY tile ORDER BY tile"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        maxima = [row[1] for row in cursor.fetchall()]
    if not maxima:
        return []
    # Fewer customers than tiles: repeat the top value so every boundary exists.
    maxima = (maxima + [maxima[-1]] * 5)[:4]
    return maxima


def rfm_cutoffs_recompute(
    *, now: datetime | None = None, source: str | None = None
) -> RfmCutoffs | None:
    """Quintile boundaries over all customers with orders, kept for incremental scoring.

    Computed over the stored patterns, or over `source` (a quoted table name with the
    pattern columns) when a full refresh has the new figures there before storing them.
    """
    source = source or _table(BuyingPattern)
    recency = _boundaries("recency_days", source)
    if not recency:
        return None
    monetary = [
        str(Decimal(str(value)).quantize(Decimal("0.01")))
        for value in _boundaries("total_spent", source)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {source}")
        customers = cursor.fetchone()[0]
    return RfmCutoffs.objects.create(
        recency=[int(v) for v in recency],
        frequency=[int(v) for v in _boundaries("order_count", source)],
        monetary=monetary,
        customers=customers,
        computed_at=now or timezone.now(),
    )


def _above(column: str, count: int, marker: str = "%s") -> str:
    return " + ".join([f"CASE WHEN {column} > {marker} THEN 1 ELSE 0 END"] * count)


SEGMENT_RULES = (
    # (segment, condition on r, f and the order count), first match wins.
    (Segment.CHAMPIONS, "{r} >= 4 AND {f} >= 4"),
    (Segment.LOYAL, "{r} >= 3 AND {f} >= 3"),
    (Segment.NEW, "{r} >= 4 AND order_count = 1"),
    (Segment.POTENTIAL, "{r} >= 3"),
    (Segment.AT_RISK, "{f} >= 3"),
    (Segment.HIBERNATING, "{r} = 2"),
    (Segment.LOST, "1 = 1"),
)


def score_sql(cutoffs: RfmCutoffs) -> tuple[list[str], list]:
    """SQL for SCORE_COLUMNS (R, F and M from 1 to 5, and the segment) over the columns
    recency_days, order_count and total_spent, with its parameters in text order.

    A value scores by how many quintile boundaries it passes, so equal values
    always share a score.
    """
    r = f"(5 - ({_above('recency_days', 4)}))"
    f = f"(1 + {_above('order_count', 4)})"
    # Cast: SQLite compares a bare text parameter as greater than any number when the
    # column has no numeric affinity (a full refresh's temporary table).
    m = f"(1 + {_above('total_spent', 4, 'CAST(%s AS NUMERIC)')})"
    r_params, f_params = list(cutoffs.recency), list(cutoffs.frequency)
    m_params = [Decimal(value) for value in cutoffs.monetary]
    cases, case_params = [], []
    for segment, rule in SEGMENT_RULES:
        cases.append(f"WHEN {rule.format(r=r, f=f)} THEN %s")
        case_params += ([*r_params] if "{r}" in rule else []) + (
            [*f_params] if "{f}" in rule else []
        )
        case_params.append(segment.value)
    return [r, f, m, f"CASE {' '.join(cases)} END"], [
        *r_params,
        *f_params,
        *m_params,
        *case_params,
    ]


def buying_patterns_score(*, scope: Scope, cutoffs: RfmCutoffs | None = None) -> int:
    """Give the patterns in scope their R, F, M scores and segment, in one statement.

    Without cut-offs (no full recompute yet) one is made now.
    """
    cutoffs = cutoffs or RfmCutoffs.objects.first() or rfm_cutoffs_recompute()
    if cutoffs is None:
        return 0
    expressions, params = score_sql(cutoffs)
    assignments = ", ".join(
        f"{column} = {sql}" for column, sql in zip(SCORE_COLUMNS, expressions, strict=True)
    )
    condition, scope_params = scope.where()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(BuyingPattern)} SET {assignments} WHERE {condition}",
            [*params, *scope_params],
        )
        return cursor.rowcount


def favourite_categories_learn(*, scope: Scope, now: datetime) -> int:
    """Write each pattern's top categories as a `favourite_categories` fact (source
    purchase) where it differs from the current one; set-based, history kept."""
    attribute = Attribute.objects.get(key=FAVOURITES_KEY)
    facts, patterns = _table(ProfileFact), _table(BuyingPattern)
    condition, params = scope.where("bp.profile_id")
    fact_condition, fact_params = scope.where("f.profile_id")
    content_type = ContentType.objects.get_for_model(BuyingPattern)
    empty = "[]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {facts} SET is_current = %s, superseded_at = %s "
            f"WHERE attribute_id = %s AND is_current = %s AND profile_id IN ("
            f"  SELECT f.profile_id FROM {facts} f JOIN {patterns} bp "
            f"  ON bp.profile_id = f.profile_id WHERE f.attribute_id = %s AND f.is_current = %s "
            f"  AND {fact_condition} AND bp.top_categories <> f.value)",
            [False, now, attribute.pk, True, attribute.pk, True, *fact_params],
        )
        cursor.execute(
            f"INSERT INTO {facts} (profile_id, attribute_id, value, source, origin, observed_at, "
            f"recorded_at, is_current, ref_type_id, ref_id, ref_label) "
            f"SELECT bp.profile_id, %s, bp.top_categories, %s, %s, bp.computed_at, %s, %s, %s, "
            f"CAST(bp.profile_id AS VARCHAR(64)), %s FROM {patterns} bp WHERE {condition} "
            f"AND bp.top_categories <> %s AND NOT EXISTS (SELECT 1 FROM {facts} f "
            f"WHERE f.profile_id = bp.profile_id AND f.attribute_id = %s AND f.is_current = %s)",
            [
                attribute.pk,
                Source.PURCHASE.value,
                f"buying-pattern:{now.isoformat()}",
                now,
                True,
                content_type.pk,
                "Your buying pattern",
                *params,
                _json_literal(empty),
                attribute.pk,
                True,
            ],
        )
        learned = cursor.rowcount
    if learned:
        completeness_recompute(scope=scope)
    return learned


def _json_literal(text: str):
    # PostgreSQL compares jsonb with jsonb; SQLite stores JSON as text.
    if connection.vendor == "postgresql":
        import json

        from psycopg2.extras import Json

        return Json(json.loads(text))
    return text


def completeness_recompute(*, scope: Scope) -> int:
    """Set-based version of profiles.services.profile_refresh_completeness."""
    counted = Attribute.objects.filter(active=True).exclude(sensitivity=Sensitivity.SENSITIVE)
    total = counted.count()
    if not total:
        return 0
    ids = list(counted.values_list("pk", flat=True))
    marks = ", ".join(["%s"] * len(ids))
    condition, params = scope.where("id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(CustomerProfile)} SET completeness = (SELECT "
            f"CAST(ROUND(100.0 * COUNT(*) / %s) AS INTEGER) FROM {_table(ProfileFact)} f "
            f"WHERE f.profile_id = {_table(CustomerProfile)}.id AND f.is_current = %s "
            f"AND f.attribute_id IN ({marks})) WHERE {condition}",
            [total, True, *ids, *params],
        )
        return cursor.rowcount


def mark_patterns_stale(profile: CustomerProfile, *, now: datetime | None = None) -> None:
    """Call in the transaction that changes the customer's orders."""
    CustomerProfile.objects.filter(pk=profile.pk).update(patterns_stale_at=now or timezone.now())


def stale_profile_ids(*, limit: int = 5000) -> list[int]:
    return list(
        CustomerProfile.objects.filter(patterns_stale_at__isnull=False)
        .order_by("patterns_stale_at")
        .values_list("pk", flat=True)[:limit]
    )


def stale_marks(*, scope: Scope) -> dict[int, datetime | None]:
    """The committed stale marks in scope; read them before a refresh aggregates."""
    queryset = CustomerProfile.objects.filter(patterns_stale_at__isnull=False)
    if scope.profile_ids is not None:
        queryset = queryset.filter(pk__in=scope.profile_ids)
    return dict(queryset.values_list("pk", "patterns_stale_at"))


def patterns_stale_clear(*, marks: dict[int, datetime | None]) -> int:
    """Clear the marks read by `stale_marks` before the refresh aggregated, where unchanged.

    An order committed after that read may have been missed by the refresh even if it
    was placed before the refresh started; its mark differs, so it stays for the sweep.
    """
    cleared = 0
    items = list(marks.items())
    for start in range(0, len(items), 500):
        unchanged = Q()
        for pk, marked_at in items[start : start + 500]:
            unchanged |= Q(pk=pk, patterns_stale_at=marked_at)
        cleared += CustomerProfile.objects.filter(unchanged).update(patterns_stale_at=None)
    return cleared
