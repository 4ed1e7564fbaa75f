"""Buying patterns at scale: the project's full recompute against a one-statement floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench \\
        .venv/bin/python benchmarks/patterns.py --customers 100000 --orders 1000000

1. Loads the data through `manage.py seed_demo --customers N --orders M` (skipped when
   exactly that size is there; --reload forces it).
2. Times the project's full recompute, `shop.patterns.patterns_refresh()` (median of
   --runs).
3. Times the floor: one hand-written INSERT … SELECT computing the same figures
   (counts, money, dates, intervals, top three categories, discount share, recency,
   RFM quintile scores and segment) for everybody into a scratch table (median of
   --runs), and checks that it agrees with the project's patterns row for row.
4. Times refreshing one customer after one new order (median of --samples).

The last line is `ratio: X.XX` (project median / floor median); the target is <= 1.5,
and <= 50 ms for one customer.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcrm.settings")
# The demo accounts' welcome e-mail would land in the middle of the figures.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

SCRATCH = "bench_pattern_floor"
COMPARED = (
    "profile_id, order_count, total_spent, avg_order_value, first_order_at, last_order_at, "
    "mean_days_between, expected_next_order, top_categories, discount_share, recency_days, "
    "r_score, f_score, m_score, segment"
)

# The vendor-specific bits of the floor; everything else is plain SQL.
DIALECTS = {
    "postgresql": {
        "recency": "(CAST(%(today)s AS DATE) - CAST(last_at AS DATE))",
        "gap": "(EXTRACT(EPOCH FROM (last_at - first_at)) / 86400.0 / (n - 1))",
        "next": "CAST(last_at + gap * INTERVAL '1 day' AS DATE)",
        "array": "jsonb_build_array",
        "numeric": "NUMERIC",
        "clear": f"TRUNCATE {SCRATCH}",
        "create": f"CREATE TABLE {SCRATCH} (LIKE {{patterns}} INCLUDING ALL)",
    },
    "sqlite": {
        "recency": "CAST(julianday(%(today)s) - julianday(date(last_at)) AS INTEGER)",
        "gap": "((julianday(last_at) - julianday(first_at)) / (n - 1))",
        "next": "date(last_at, '+' || gap || ' days')",
        "array": "json_array",
        "numeric": "NUMERIC",
        "clear": f"DELETE FROM {SCRATCH}",
        "create": f"CREATE TABLE {SCRATCH} AS SELECT * FROM {{patterns}} WHERE 1 = 0",
    },
}

FLOOR_SQL = """
INSERT INTO {scratch} (profile_id, order_count, total_spent, avg_order_value, first_order_at,
    last_order_at, mean_days_between, expected_next_order, top_categories, discount_share,
    recency_days, r_score, f_score, m_score, segment, computed_at)
WITH live AS (
    SELECT id, profile_id, total, discount, placed_at FROM {orders}
    WHERE status <> 'cancelled' AND profile_id IS NOT NULL
), agg AS (
    SELECT profile_id, COUNT(*) AS n, SUM(total) AS spent,
           MIN(placed_at) AS first_at, MAX(placed_at) AS last_at,
           SUM(CASE WHEN discount > 0 THEN 1 ELSE 0 END) AS discounted
    FROM live GROUP BY profile_id
), cats AS (
    SELECT o.profile_id, l.category_name,
           ROW_NUMBER() OVER (PARTITION BY o.profile_id
                              ORDER BY SUM(l.quantity) DESC, l.category_name) AS rn
    FROM {lines} l JOIN live o ON o.id = l.order_id
    GROUP BY o.profile_id, l.category_name
), top AS (
    SELECT profile_id,
           MAX(CASE WHEN rn = 1 THEN category_name END) AS c1,
           MAX(CASE WHEN rn = 2 THEN category_name END) AS c2,
           MAX(CASE WHEN rn = 3 THEN category_name END) AS c3
    FROM cats WHERE rn <= 3 GROUP BY profile_id
), base AS (
    SELECT agg.profile_id, n, spent, first_at, last_at, discounted, c1, c2, c3,
           {recency} AS recency,
           CASE WHEN n > 1 THEN {gap} END AS gap
    FROM agg LEFT JOIN top ON top.profile_id = agg.profile_id
), tiles AS (
    SELECT recency, n, spent,
           NTILE(5) OVER (ORDER BY recency) AS tr,
           NTILE(5) OVER (ORDER BY n) AS tf,
           NTILE(5) OVER (ORDER BY spent) AS tm
    FROM base
), cut AS (
    SELECT MAX(CASE WHEN tr = 1 THEN recency END) AS r1,
           MAX(CASE WHEN tr = 2 THEN recency END) AS r2,
           MAX(CASE WHEN tr = 3 THEN recency END) AS r3,
           MAX(CASE WHEN tr = 4 THEN recency END) AS r4,
           MAX(CASE WHEN tf = 1 THEN n END) AS f1, MAX(CASE WHEN tf = 2 THEN n END) AS f2,
           MAX(CASE WHEN tf = 3 THEN n END) AS f3, MAX(CASE WHEN tf = 4 THEN n END) AS f4,
           MAX(CASE WHEN tm = 1 THEN spent END) AS m1, MAX(CASE WHEN tm = 2 THEN spent END) AS m2,
           MAX(CASE WHEN tm = 3 THEN spent END) AS m3, MAX(CASE WHEN tm = 4 THEN spent END) AS m4
    FROM tiles
), scored AS (
    SELECT base.*,
           5 - (CASE WHEN recency > r1 THEN 1 ELSE 0 END)
             - (CASE WHEN recency > r2 THEN 1 ELSE 0 END)
             - (CASE WHEN recency > r3 THEN 1 ELSE 0 END)
             - (CASE WHEN recency > r4 THEN 1 ELSE 0 END) AS r,
           1 + (CASE WHEN n > f1 THEN 1 ELSE 0 END) + (CASE WHEN n > f2 THEN 1 ELSE 0 END)
             + (CASE WHEN n > f3 THEN 1 ELSE 0 END) + (CASE WHEN n > f4 THEN 1 ELSE 0 END) AS f,
           1 + (CASE WHEN spent > m1 THEN 1 ELSE 0 END) + (CASE WHEN spent > m2 THEN 1 ELSE 0 END)
             + (CASE WHEN spent > m3 THEN 1 ELSE 0 END)
             + (CASE WHEN spent > m4 THEN 1 ELSE 0 END) AS m
    FROM base CROSS JOIN cut
)
SELECT profile_id, n, spent, ROUND(spent / n, 2), first_at, last_at,
       CASE WHEN gap IS NOT NULL THEN ROUND(CAST(gap AS {numeric}), 1) END,
       CASE WHEN gap IS NOT NULL THEN {next} END,
       CASE WHEN c1 IS NULL THEN {array}() WHEN c2 IS NULL THEN {array}(c1)
            WHEN c3 IS NULL THEN {array}(c1, c2) ELSE {array}(c1, c2, c3) END,
       ROUND(discounted * 1.0 / n, 4), recency, r, f, m,
       CASE WHEN r >= 4 AND f >= 4 THEN 'champions' WHEN r >= 3 AND f >= 3 THEN 'loyal'
            WHEN r >= 4 AND n = 1 THEN 'new' WHEN r >= 3 THEN 'potential'
            WHEN f >= 3 THEN 'at_risk' WHEN r = 2 THEN 'hibernating' ELSE 'lost' END,
       %(now)s
FROM scored
"""


def say(message: str) -> None:
    print(message, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--reload", action="store_true", help="load again even if loaded")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    parser.add_argument("--samples", type=int, default=20, help="one-customer refreshes")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite anyway")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per eager task
    from django.db import connection

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        sys.exit(
            "benchmarks/patterns.py measures PostgreSQL: set DATABASE_URL=postgres://… "
            f"(this is {connection.vendor}); pass --allow-sqlite to run anyway."
        )
    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    load(args)
    project = time_project(args.runs)
    floor = time_floor(args.runs)
    agree()
    single = time_single_customer(args.samples)
    ratio = statistics.median(project) / statistics.median(floor)
    say("")
    say(f"full recompute (patterns_refresh): median {statistics.median(project):.2f}s "
        f"of {fmt(project)}")  # fmt: skip
    say(f"floor (one INSERT … SELECT):       median {statistics.median(floor):.2f}s "
        f"of {fmt(floor)}")  # fmt: skip
    say(f"one customer after one new order:  median {statistics.median(single):.1f} ms "
        f"over {len(single)} samples (max {max(single):.1f} ms; target <= 50 ms)")  # fmt: skip
    say(f"ratio: {ratio:.2f}")


def fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}s" for t in times)


def load(args) -> None:
    from django.core.management import call_command

    say(f"loading {args.customers:,} customers and {args.orders:,} orders (seed_demo) ...")
    started = time.monotonic()
    call_command(
        "seed_demo", customers=args.customers, orders=args.orders, reload=args.reload,
        stdout=sys.stdout,
    )  # fmt: skip
    say(f"load step took {time.monotonic() - started:.1f}s")


def time_project(runs: int) -> list[float]:
    from shop.patterns import patterns_refresh

    times = []
    for n in range(1, runs + 1):
        started = time.perf_counter()
        result = patterns_refresh()
        times.append(time.perf_counter() - started)
        say(f"project run {n}: {times[-1]:.2f}s ({result.customers:,} customers, "
            f"{result.chunks} chunks, {result.facts_learned:,} facts learned)")  # fmt: skip
    return times


def time_floor(runs: int) -> list[float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from profiles.models import BuyingPattern
    from shop.models import Order, OrderLine

    q = connection.ops.quote_name
    dialect = DIALECTS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cursor.execute(dialect["create"].format(patterns=q(BuyingPattern._meta.db_table)))
    sql = FLOOR_SQL.format(
        scratch=SCRATCH, orders=q(Order._meta.db_table), lines=q(OrderLine._meta.db_table),
        **dialect,
    )  # fmt: skip
    times = []
    for n in range(1, runs + 1):
        with connection.cursor() as cursor:
            cursor.execute(dialect["clear"])
        now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"today": now.date().isoformat(), "now": now})
            rows = cursor.rowcount
        times.append(time.perf_counter() - started)
        say(f"floor run {n}: {times[-1]:.2f}s ({rows:,} patterns)")
    return times


def agree() -> None:
    from django.db import connection

    from profiles.models import BuyingPattern

    patterns = connection.ops.quote_name(BuyingPattern._meta.db_table)
    with connection.cursor() as cursor:
        counts = []
        for a, b in ((SCRATCH, patterns), (patterns, SCRATCH)):
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT {COMPARED} FROM {a} "
                f"EXCEPT SELECT {COMPARED} FROM {b}) AS differing"
            )
            counts.append(cursor.fetchone()[0])
        cursor.execute(f"SELECT COUNT(*) FROM {SCRATCH}")
        total = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {SCRATCH}")
    if any(counts):
        say(f"WARNING: floor and project differ: {counts[0]:,} floor rows and {counts[1]:,} "
            "project rows have no twin")  # fmt: skip
    else:
        say(f"floor and project agree on all {total:,} patterns, figure for figure")


def time_single_customer(samples: int) -> list[float]:
    """Insert one order for a random customer (as history would: a row, its line, the
    stale mark), time refreshing that customer, then remove the order again."""
    from django.db import transaction
    from django.utils import timezone

    from profiles.models import BuyingPattern, CustomerProfile
    from profiles.patterns import mark_patterns_stale
    from shop.models import Order, OrderLine, Product
    from shop.patterns import patterns_refresh
    from shop.services import ORDER_NUMBER_OFFSET

    rng = random.Random(7)
    ids = list(BuyingPattern.objects.values_list("profile_id", flat=True))
    products = list(Product.objects.select_related("category").filter(active=True))
    patterns_refresh(profile_ids=[rng.choice(ids)])  # warm the connection and caches
    times = []
    for _ in range(samples):
        profile = CustomerProfile.objects.get(pk=rng.choice(ids))
        last = Order.objects.filter(profile=profile).order_by("-placed_at").first()
        assert last is not None  # every customer with a pattern has an order
        product = rng.choice(products)
        quantity = rng.randint(1, 3)
        now = timezone.now()
        with transaction.atomic():
            order = Order.objects.create(
                number=f"bench-{rng.getrandbits(48):x}", profile=profile,
                payment_method=last.payment_method, ship_name=last.ship_name,
                ship_street=last.ship_street, ship_city=last.ship_city,
                ship_postcode=last.ship_postcode, ship_country=last.ship_country,
                subtotal=product.price * quantity, total=product.price * quantity, placed_at=now,
            )  # fmt: skip
            Order.objects.filter(pk=order.pk).update(number=str(ORDER_NUMBER_OFFSET + order.pk))
            OrderLine.objects.create(
                order=order, product=product, category=product.category,
                product_name=product.name, brand=product.brand,
                category_name=product.category.name, unit_price=product.price,
                quantity=quantity, line_total=product.price * quantity,
            )  # fmt: skip
            mark_patterns_stale(profile, now=now)
        started = time.perf_counter()
        patterns_refresh(profile_ids=[profile.pk])
        times.append((time.perf_counter() - started) * 1000)
        order.delete()
        patterns_refresh(profile_ids=[profile.pk])
    say(f"one-customer refresh: {', '.join(f'{t:.1f}' for t in times)} ms")
    return times


if __name__ == "__main__":
    main()
