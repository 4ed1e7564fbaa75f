"""Benchmark data in bulk: COPY on PostgreSQL, bulk_create elsewhere (see shop.demo)."""

import io
import itertools
import json
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from profiles.models import (
    Attribute,
    BuyingPattern,
    Consent,
    CustomerProfile,
    Kind,
    ProfileFact,
    Purpose,
    Source,
    Touchpoint,
)
from shop.demo.small import (
    _first_order_facts,
    _order_summary,
    _other_payment,
    seed_catalogue,
)
from shop.demo.world import (
    BATCH,
    BENCH_PREFIX,
    HABITS,
    SEED,
    Basket,
    Calendar,
    Customer,
    Habit,
    Out,
    _customer,
    _discount,
    _money,
    _status,
    reserve_ids,
)
from shop.models import Order, OrderLine
from shop.patterns import patterns_refresh
from shop.services import ORDER_NUMBER_OFFSET


class JsonValue:
    """A value bound for a JSON column: COPY needs its JSON text, bulk_create the object."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# COPY's text format, escaped over a whole batch at once: values are joined with \x00,
# rows with \x02 and NULL written as \x01 (generated data holds none of them); a few
# str.replace passes (far faster than translate) escape the rest and swap them back.
_COPY_TEXT = (
    ("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"),
    ("\x00", "\t"), ("\x01", "\\N"), ("\x02", "\n"),
)  # fmt: skip


def copy_text(rows: Sequence[Sequence]) -> str:
    # str() suits str, int, bool ("True") and aware datetimes ("2025-01-02 03:04:05+00:00").
    text = "\x02".join(
        [
            "\x00".join(
                [
                    "\x01"
                    if value is None
                    else json.dumps(value.value)
                    if value.__class__ is JsonValue
                    else str(value)
                    for value in row
                ]
            )
            for row in rows
        ]
    )
    for old, new in _COPY_TEXT:
        text = text.replace(old, new)
    return text + "\n" if rows else ""


@dataclass
class Prepared:
    """Rows of one table ready to insert: COPY text on PostgreSQL, model objects elsewhere."""

    model: type[models.Model]
    columns: Sequence[str]
    payload: object
    count: int


def bulk_prepare(model: type[models.Model], columns: Sequence[str], rows: Sequence) -> Prepared:
    """Rows are values in `columns` order (attnames): str, int, bool, None, aware
    datetimes, money as "12.34" strings, JSON wrapped in JsonValue."""
    if connection.vendor == "postgresql":
        return Prepared(model, columns, io.StringIO(copy_text(rows)), len(rows))
    objects = [
        model(
            **{
                column: value.value if isinstance(value, JsonValue) else value
                for column, value in zip(columns, row, strict=True)
            }
        )
        for row in rows
    ]
    return Prepared(model, columns, objects, len(objects))


def bulk_insert(prepared: Prepared) -> int:
    """Insert prepared rows on this thread's connection: COPY, or bulk_create."""
    model = prepared.model
    if isinstance(prepared.payload, io.StringIO):
        names = ", ".join(connection.ops.quote_name(c) for c in prepared.columns)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", prepared.payload)
    else:
        model._default_manager.bulk_create(prepared.payload, batch_size=2000)  # type: ignore[arg-type]
    return prepared.count


def _may_skip_foreign_key_checks() -> bool:
    """Whether the next transaction may skip foreign-key checks: PostgreSQL, a superuser
    (session_replication_role), and no transaction open (tests) for the setting to leak into."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


class BatchWriter:
    """Writes batches of prepared tables, one transaction per batch, in order.

    On PostgreSQL outside any transaction a second thread with its own connection
    runs the COPYs while this one generates the next batch, so the database and
    Python work at the same time; there, foreign keys are not checked row by row
    (session_replication_role, superusers only) since the loader makes every id it
    points at. In a transaction (tests) or elsewhere it writes in place.
    """

    def __init__(self, *, report: Callable[[int, int], None]):
        self.report = report
        self.rows = 0
        self.error: BaseException | None = None
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        if self.threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._run, name="seed-writer", daemon=True)
            self.thread.start()

    def put(self, batch: list[Prepared], tag: int) -> None:
        if not self.threaded:
            self._write(batch, tag, fast=False)
            return
        while True:
            if self.error is not None:
                raise RuntimeError("the seed writer failed") from self.error
            try:
                self.queue.put((batch, tag), timeout=1)
                return
            except queue.Full:
                continue

    def finish(self) -> int:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
            if self.error is not None:
                raise RuntimeError("the seed writer failed") from self.error
        return self.rows

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                # Bench data is reproducible: a crash losing the last batch costs nothing.
                cursor.execute("SET synchronous_commit = off")
            fast = _may_skip_foreign_key_checks()
            while (item := self.queue.get()) is not None:
                self._write(*item, fast=fast)
        except BaseException as error:  # the producer sees it at its next put()
            self.error = error
        finally:
            connection.close()

    def _write(self, batch: list[Prepared], tag: int, *, fast: bool) -> None:
        with transaction.atomic():
            if fast:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self.rows += sum(bulk_insert(prepared) for prepared in batch)
        self.report(tag, self.rows)


# --- The scaled path ------------------------------------------------------------------


def _bench_profiles_sql() -> str:
    profiles = connection.ops.quote_name(CustomerProfile._meta.db_table)
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    join = f"{profiles} p JOIN {users} u ON u.id = p.user_id"
    return f"SELECT p.id FROM {join} WHERE u.username LIKE '{BENCH_PREFIX}%%'"  # noqa: S608


def scaled_counts() -> tuple[int, int]:
    customers = get_user_model().objects.filter(username__startswith=BENCH_PREFIX).count()
    orders = Order.objects.filter(profile__user__username__startswith=BENCH_PREFIX).count()
    return customers, orders


def scaled_wipe(*, out: Out) -> None:
    """Remove every bench customer and their orders, set-based, then the users."""
    started = time.monotonic()
    bench = _bench_profiles_sql()
    q = connection.ops.quote_name
    orders = q(Order._meta.db_table)
    bench_orders = f"SELECT id FROM {orders} WHERE profile_id IN ({bench})"  # noqa: S608
    lines = q(OrderLine._meta.db_table)
    statements = [f"DELETE FROM {lines} WHERE order_id IN ({bench_orders})"]  # noqa: S608
    statements += [
        f"DELETE FROM {q(model._meta.db_table)} WHERE profile_id IN ({bench})"  # noqa: S608
        for model in (Order, Touchpoint, ProfileFact, Consent, BuyingPattern)
    ]
    fast = _may_skip_foreign_key_checks()
    with transaction.atomic(), connection.cursor() as cursor:
        if fast:
            # Children go first, so the per-row checks at commit (minutes here) find nothing.
            cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in statements:
            cursor.execute(sql)
        # Whatever else points at these customers goes the ORM's way.
        get_user_model().objects.filter(username__startswith=BENCH_PREFIX).delete()
    out(f"  removed the previous bench customers in {time.monotonic() - started:.1f}s")


def _scaled_plan(rng, customers: int, orders: int, calendar: Calendar, codes) -> list[Customer]:
    """Exactly `customers` customers sharing exactly `orders` orders by their habits."""
    shares = [habit.share for habit in HABITS]
    habits = rng.choices(HABITS, weights=shares, k=customers)
    counts = [0] * customers
    if orders >= customers:
        counts = [1] * customers
        weights = [
            0.0 if h.orders == (1, 1) and not h.every_days else _expected_orders(h) - 1
            for h in habits
        ]
        for i in rng.choices(range(customers), cum_weights=list(itertools.accumulate(weights)),
                             k=orders - customers):  # fmt: skip
            counts[i] += 1
    else:
        for i in rng.sample(range(customers), orders):
            counts[i] = 1
    return [
        _customer(rng, i + 1, habit, counts[i], calendar, codes) for i, habit in enumerate(habits)
    ]


def _expected_orders(habit: Habit) -> float:
    if habit.every_days:
        return sum(habit.first_ago) / 2 / habit.every_days
    return sum(habit.orders) / 2


class _Refs:
    def __init__(self):
        self.user_type = ContentType.objects.get_for_model(get_user_model()).pk
        self.order_type = ContentType.objects.get_for_model(Order).pk
        self.attributes = dict(Attribute.objects.values_list("key", "pk"))
        self.password = make_password(None)  # unusable: bench customers never log in


def _customer_rows(customers: list[Customer], calendar, now, refs: _Refs, rng):
    user_ids = reserve_ids(get_user_model(), len(customers))
    profile_ids = reserve_ids(CustomerProfile, len(customers))
    users, profiles, facts, consents, touchpoints = [], [], [], [], []
    now_ts = now.timestamp()
    policy = settings.PRIVACY_POLICY_VERSION
    for customer, user_id, profile_id in zip(customers, user_ids, profile_ids, strict=True):
        username = f"{BENCH_PREFIX}{customer.index:06d}"
        email = f"{username}@example.net"
        joined = datetime.fromtimestamp(calendar.moment(rng, customer.joined_days, now_ts), UTC)
        users.append((user_id, refs.password, None, False, username, False, True, joined,
                      customer.name, email, joined))  # fmt: skip
        profiles.append((profile_id, user_id, len(customer.order_days) * 2 + 1, joined, joined,
                         0, 0, joined, None))  # fmt: skip
        origin = f"accounts.user:{user_id}"
        for key, value in (("full_name", customer.name), ("email", email), ("user_id", username)):
            facts.append((profile_id, refs.attributes[key], JsonValue(value),
                          Source.REGISTRATION.value, origin, joined, joined, True, None,
                          refs.user_type, str(user_id), username, None))  # fmt: skip
        for purpose, granted in (
            (Purpose.MARKETING_EMAIL, rng.random() < 0.55),
            (Purpose.SURVEYS, rng.random() < 0.35),
            (Purpose.DIRECT_MAIL, False),
            (Purpose.PROFILING, True),
        ):
            consents.append((profile_id, purpose.value, granted, Source.REGISTRATION.value,
                             joined, policy, None))  # fmt: skip
        touchpoints.append((profile_id, Kind.REGISTERED.value, joined, "Registered with the basics",
                            None, refs.user_type, str(user_id), username, origin))  # fmt: skip
    return profile_ids, [
        (get_user_model(), USER_COLUMNS, users),
        (CustomerProfile, PROFILE_COLUMNS, profiles),
        (ProfileFact, FACT_COLUMNS, facts),
        (Consent, CONSENT_COLUMNS, consents),
        (Touchpoint, TOUCHPOINT_COLUMNS, touchpoints),
    ]


USER_COLUMNS = ("id", "password", "last_login", "is_superuser", "username", "is_staff",
                "is_active", "date_joined", "name", "email", "welcome_email_sent_at")  # fmt: skip
PROFILE_COLUMNS = ("id", "user_id", "visit_count", "first_seen", "last_seen", "trust_level",
                   "completeness", "created_at", "patterns_stale_at")  # fmt: skip
FACT_COLUMNS = ("profile_id", "attribute_id", "value", "source", "origin", "observed_at",
                "recorded_at", "is_current", "superseded_at", "ref_type_id", "ref_id",
                "ref_label", "recorded_by_id")  # fmt: skip
CONSENT_COLUMNS = ("profile_id", "purpose", "granted", "source", "recorded_at",
                   "policy_version", "ip_address")  # fmt: skip
TOUCHPOINT_COLUMNS = ("profile_id", "kind", "occurred_at", "summary", "amount", "ref_type_id",
                      "ref_id", "ref_label", "origin")  # fmt: skip
ORDER_COLUMNS = ("id", "number", "profile_id", "status", "payment_method", "ship_name",
                 "ship_street", "ship_city", "ship_postcode", "ship_country", "ship_phone",
                 "subtotal", "discount", "total", "discount_code", "checkout_token",
                 "placed_at")  # fmt: skip
LINE_COLUMNS = ("order_id", "product_id", "category_id", "product_name", "brand",
                "category_name", "unit_price", "quantity", "line_total")  # fmt: skip


def _order_rows(events, customers, profile_ids, basket, calendar, now, refs, rng):
    """Rows for a batch of (timestamp, customer index, position) events, oldest first."""
    ids = reserve_ids(Order, len(events))
    orders, lines, touchpoints, facts = [], [], [], []
    for order_id, (ts, c, position) in zip(ids, events, strict=True):
        customer = customers[c]
        profile_id = profile_ids[c]
        days = customer.order_days
        days_ago = days[position]
        picked = basket.pick(rng, customer, calendar.month(days_ago))
        subtotal = sum(item.pence * quantity for item, quantity in picked)
        code, off = _discount(rng, customer.habit, subtotal, position == 0)
        number = str(ORDER_NUMBER_OFFSET + order_id)
        placed = datetime.fromtimestamp(ts, UTC)
        pays = customer.pays if rng.random() < 0.9 else _other_payment(customer)
        total = _money(subtotal - off)
        orders.append((order_id, number, profile_id,
                       _status(rng, days_ago, 0 < position < len(days) - 1), pays,
                       customer.name, customer.street, customer.city, customer.postcode,
                       customer.country, customer.phone, _money(subtotal), _money(off), total,
                       code, None, placed))  # fmt: skip
        for item, quantity in picked:
            lines.append((order_id, item.product_id, item.category_id, item.name, item.brand,
                          item.category, _money(item.pence), quantity,
                          _money(item.pence * quantity)))  # fmt: skip
        origin = f"shop.order:{order_id}"
        label = f"Order {number}"
        touchpoints.append((profile_id, Kind.ORDER_PLACED.value, placed,
                            _order_summary(number, picked), total, refs.order_type,
                            str(order_id), label, origin))  # fmt: skip
        if position == 0:
            taught = _first_order_facts(
                street=customer.street,
                city=customer.city,
                postcode=customer.postcode,
                country=customer.country,
                phone=customer.phone,
                pays=pays,
                picked=picked,
            )
            for key, value in taught:
                facts.append((profile_id, refs.attributes[key], JsonValue(value),
                              Source.PURCHASE.value, origin, placed, placed, True, None,
                              refs.order_type, str(order_id), label, None))  # fmt: skip
    return [
        (Order, ORDER_COLUMNS, orders),
        (OrderLine, LINE_COLUMNS, lines),
        (Touchpoint, TOUCHPOINT_COLUMNS, touchpoints),
        (ProfileFact, FACT_COLUMNS, facts),
    ]


def seed_demo_scaled(*, customers: int, orders: int, out: Out, reload: bool = False) -> str:
    """Exactly `customers` bench customers and `orders` orders, for benchmarks.

    The same sizes already loaded are left alone (unless `reload`); other sizes are
    removed first. Ends with a full patterns_refresh so segments exist.
    """
    items = seed_catalogue(out=out)
    have = scaled_counts()
    if have == (customers, orders) and not reload:
        out(f"  bench data already loaded: {customers:,} customers, {orders:,} orders")
        return f"{customers:,} customers, {orders:,} orders already there"
    if have != (0, 0):
        scaled_wipe(out=out)
    rng = random.Random(SEED + 2)
    now = timezone.now()
    calendar = Calendar(timezone.localdate(now), timezone.get_current_timezone())
    basket = Basket(items)
    plan = _scaled_plan(rng, customers, orders, calendar, basket.codes)
    out(f"  planned {customers:,} customers and {orders:,} orders")
    refs = _Refs()
    load_started = time.monotonic()
    # Batch tags: customers as positive counts done, orders as negative ones.
    writer = BatchWriter(
        report=lambda tag, rows: _progress(
            out,
            "customers" if tag > 0 else "orders",
            abs(tag),
            customers if tag > 0 else orders,
            rows,
            load_started,
        ),
    )
    profile_ids: list[int] = []
    for start in range(0, customers, BATCH):
        ids, tables = _customer_rows(plan[start : start + BATCH], calendar, now, refs, rng)
        profile_ids += ids
        writer.put([bulk_prepare(*table) for table in tables], min(start + BATCH, customers))
    for start, batch in _order_batches(plan, calendar, rng, now):
        tables = _order_rows(batch, plan, profile_ids, basket, calendar, now, refs, rng)
        writer.put([bulk_prepare(*table) for table in tables], -(start + len(batch)))
    rows = writer.finish()
    seconds = time.monotonic() - load_started
    if connection.vendor == "postgresql":
        # Fresh statistics and visibility map, as a long-running database would have.
        # VACUUM cannot run in a transaction (tests): ANALYZE then.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (Order, OrderLine, CustomerProfile, ProfileFact, Touchpoint, Consent):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    out(f"  loaded {rows:,} rows in {seconds:.1f}s ({rows / max(seconds, 1e-9):,.0f} rows/s)")
    result = patterns_refresh(progress=lambda line: out(f"  patterns: {line}"))
    out(f"  patterns: {result.customers:,} customers scored in {result.seconds:.1f}s")
    if connection.vendor == "postgresql":
        # The refresh just learned a fact per customer, too few rows for autovacuum to
        # re-analyze: without this the planner thinks favourite facts are rare and picks
        # a scan of all of them for one customer's refresh (40 ms instead of 10).
        with connection.cursor() as cursor:
            for learned in (ProfileFact, BuyingPattern, CustomerProfile):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(learned._meta.db_table)}")
    return (
        f"{customers:,} customers, {orders:,} orders, {rows:,} rows loaded in {seconds:.1f}s "
        f"({rows / max(seconds, 1e-9):,.0f} rows/s)"
    )


def _order_batches(plan: list[Customer], calendar: Calendar, rng, now):
    """Every planned order as (timestamp, customer index, position), oldest first, in
    batches, so order numbers grow with time as they do in a real shop."""
    now_ts = now.timestamp()
    events = sorted(
        (calendar.moment(rng, days_ago, now_ts), c, position)
        for c, customer in enumerate(plan)
        for position, days_ago in enumerate(customer.order_days)
    )
    # Same-day orders of one customer sort by time, not by plan: renumber positions.
    seen = [0] * len(plan)
    for n, (ts, c, _) in enumerate(events):
        events[n] = (ts, c, seen[c])
        seen[c] += 1
    for start in range(0, len(events), BATCH):
        yield start, events[start : start + BATCH]


def _progress(out: Out, what: str, done: int, total: int, rows: int, started: float) -> None:
    seconds = time.monotonic() - started
    out(
        f"  {what}: {done:,} of {total:,} ({rows:,} rows, {seconds:.1f}s, "
        f"{rows / max(seconds, 1e-9):,.0f} rows/s)"
    )
