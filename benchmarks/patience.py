"""The patient asker at scale: synthetic shoppers visiting through the real policy code.

    .venv/bin/python benchmarks/patience.py                   # 1,000 shoppers x 20 visits
    .venv/bin/python benchmarks/patience.py --shoppers 5000 --seed 7
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench \
        .venv/bin/python benchmarks/patience.py

1. Without DATABASE_URL it creates a throwaway SQLite database file in a temporary
   folder, migrates it (the seeded attribute catalogue and question bank come with the
   migrations) and deletes it at the end. With DATABASE_URL it migrates that database
   and removes the shoppers of an earlier run (user IDs `bench-patience-*`) first.
   The shoppers are shared out over --workers processes (one per core by default);
   on SQLite each works on its own copy of the migrated file, as SQLite has one writer.
2. Registers the shoppers (name, e-mail and user ID as facts, profiling switched on),
   each with a temperament (how likely they answer, skip, decline or ignore a
   question), a rhythm (how many days pass between visits) and a chance of ordering.
3. Plays every visit with time travel: `visit_start(now=…)`, then two or three page
   views through `profiles.asking.next_question` (home, /me/, a product, checkout and
   the order confirmation when they order). The shopper answers, skips, declines or
   ignores the card. Orders are `order_placed` touchpoints recorded directly, so trust
   grows; a few shoppers switch profiling off along the way; a few send a forged
   choice or submit twice, which must be refused.
4. Checks every rule from the outside, against its own bookkeeping and the ask log,
   and prints the figures. The last line is `violations: N`; it must be 0.
"""

import argparse
import logging
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcrm.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

USERNAME_PREFIX = "bench-patience-"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
REPORTED_VISITS = (1, 5, 10, 20)
WORDS = ["Acme", "Northwind", "Zeta", "Orbit", "tea", "hiking", "cycling", "books", "garden"]

# (share of shoppers, answer, skip, decline); the rest of each row ignores the card.
TEMPERAMENTS = {
    "keen": (0.30, 0.80, 0.10, 0.05),
    "mixed": (0.35, 0.50, 0.20, 0.15),
    "busy": (0.20, 0.30, 0.40, 0.10),
    "private": (0.15, 0.10, 0.20, 0.60),
}
# (share of shoppers, mean days between visits)
RHYTHMS = {"regular": (0.35, 2.5), "occasional": (0.45, 8.0), "rare": (0.20, 21.0)}


def say(message: str) -> None:
    print(message, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shoppers", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=20, help="visits per shopper")
    parser.add_argument("--seed", type=int, default=2002, help="random seed (repeatable runs)")
    parser.add_argument(
        "--workers", type=int, default=min(4, os.cpu_count() or 1), help="processes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway SQLite files")
    return parser.parse_args()


def pick(rng: random.Random, table: dict) -> str:
    return rng.choices(list(table), weights=[row[0] for row in table.values()])[0]


@dataclass
class Shopper:
    user_id: int
    profile: Any  # a CustomerProfile; Django is set up only after this module loads
    temperament: str
    mean_gap: float
    order_chance: float
    withdraws_at: int | None
    # The benchmark's own bookkeeping, to judge the policy from the outside.
    known: set[int] = field(default_factory=set)
    asked: list[datetime] = field(default_factory=list)
    rest_until: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    visits: int = 0
    orders: int = 0
    first_visit: datetime | None = None
    profiling: bool = True


@dataclass
class Tally:
    violations: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    completeness: dict[int, list[int]] = field(default_factory=dict)
    trust_at_end: Counter = field(default_factory=Counter)
    max_asks_in_a_visit: int = 0
    page_views: int = 0
    policy_seconds: float = 0.0
    refused_forged: int = 0
    refused_double: int = 0
    baseline: float = 0.0
    most_in_a_visit_logged: int = 0
    declined_re_asks_logged: int = 0
    asks: int = 0

    def violate(self, rule: str, detail: str) -> None:
        if self.violations[rule] < 3:
            say(f"  VIOLATION {rule}: {detail}")
        self.violations[rule] += 1


def django_setup() -> None:
    import django

    django.setup()
    from django.conf import settings

    # DEBUG keeps a log of every query; this run makes hundreds of thousands.
    settings.DEBUG = False
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)


def prepare() -> Path | None:
    """Migrate the database once; returns the throwaway folder when it is SQLite."""
    folder = None
    if not os.environ.get("DATABASE_URL"):
        folder = Path(tempfile.mkdtemp(prefix="patience-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'migrated.sqlite3'}"
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections

    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated in {time.monotonic() - started:.1f}s")
    gone, _ = get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()
    if gone:
        say(f"removed {gone:,} rows of an earlier run")
    connections.close_all()
    return folder


def register(numbers: list[int], visits: int, rng: random.Random) -> list[Shopper]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from profiles import services
    from profiles.models import Kind, Purpose, Source

    users = get_user_model().objects
    shoppers = []
    for n in numbers:
        username = f"{USERNAME_PREFIX}{n}"
        with transaction.atomic():
            user = users.create_user(
                username=username, email=f"{username}@example.com", name=f"Shopper {n}"
            )
            profile = services.profile_create(user=user)
            for key, value in (
                ("full_name", user.name),
                ("email", user.email),
                ("user_id", username),
            ):
                services.learn(profile, key, value, source=Source.REGISTRATION, ref=user)
            services.record_touchpoint(profile, Kind.REGISTERED, ref=user, summary="Registered")
            services.set_consent(profile, Purpose.PROFILING, granted=True, source=Source.CUSTOMER)
        shoppers.append(
            Shopper(
                user_id=user.pk,
                profile=profile,
                temperament=pick(rng, TEMPERAMENTS),
                mean_gap=RHYTHMS[pick(rng, RHYTHMS)][1],
                order_chance=rng.uniform(0.05, 0.35),
                withdraws_at=rng.randint(2, visits) if rng.random() < 0.03 else None,
            )
        )
    from profiles.models import Attribute

    registration = set(
        Attribute.objects.filter(key__in=["full_name", "email", "user_id"]).values_list(
            "pk", flat=True
        )
    )
    for shopper in shoppers:
        shopper.known = set(registration)
    return shoppers


def a_valid_answer(attribute, rng: random.Random):
    kind = attribute.value_kind
    if kind == "choice":
        return rng.choice(attribute.choices)
    if kind == "multi_choice":
        return rng.sample(attribute.choices, rng.randint(1, len(attribute.choices)))
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "list":
        return rng.sample(WORDS, rng.randint(1, 3))
    if kind == "number":
        return rng.randint(1, 99)
    return rng.choice(WORDS)


def next_gap(shopper: Shopper, rng: random.Random) -> timedelta:
    if rng.random() < 0.1:
        # Back the same day: a new visit after more than 30 minutes away.
        return timedelta(minutes=rng.uniform(31, 600))
    return timedelta(days=rng.expovariate(1 / shopper.mean_gap)) + timedelta(minutes=31)


def play(shopper: Shopper, visits: int, rng: random.Random, tally: Tally) -> None:
    from django.db import transaction

    from profiles import asking, services
    from profiles.models import Kind, Purpose, Source, trust_level_for

    profile = shopper.profile
    now = START + timedelta(days=rng.uniform(0, 30))
    answer_p, skip_p, decline_p = TEMPERAMENTS[shopper.temperament][1:]
    with transaction.atomic():
        for number in range(1, visits + 1):
            if number > 1:
                now += next_gap(shopper, rng)
            services.visit_start(user_id=shopper.user_id, now=now)
            profile.refresh_from_db(
                fields=["visit_count", "visit_started_at", "trust_level", "completeness"]
            )
            shopper.visits += 1
            shopper.first_visit = shopper.first_visit or now
            expected = trust_level_for(
                visits=shopper.visits,
                orders=shopper.orders,
                days_known=(now - shopper.first_visit).days,
            )
            if profile.trust_level != expected:
                tally.violate("trust", f"{profile.pk}: {profile.trust_level} != {expected}")
            if shopper.withdraws_at == number:
                services.set_consent(
                    profile, Purpose.PROFILING, granted=False, source=Source.CUSTOMER
                )
                shopper.profiling = False

            orders = rng.random() < shopper.order_chance
            pages = ["/", rng.choice(["/me/", "/shop/p/tea/", "/shop/"])]
            if rng.random() < 0.3:
                pages.append(rng.choice(["/me/", "/shop/", "/"]))
            if orders:
                checkout = rng.choice(["/shop/checkout/", "checkout"])
                pages += [checkout, "ORDER", "/shop/orders/1042/thanks/"]
            shown: set[int] = set()
            acted = False
            for page in pages:
                now += timedelta(minutes=rng.uniform(0.5, 4))
                if page == "ORDER":
                    shopper.orders += 1
                    services.record_touchpoint(
                        profile,
                        Kind.ORDER_PLACED,
                        occurred_at=now,
                        summary="Order (benchmark)",
                        origin=f"bench-order:{profile.pk}:{shopper.orders}",
                    )
                    continue
                tally.page_views += 1
                started = time.perf_counter()
                ask = asking.next_question(profile, page=page, now=now)
                tally.policy_seconds += time.perf_counter() - started
                if ask is None:
                    continue
                if asking.is_quiet_page(page):
                    tally.violate("checkout", f"asked on {page}")
                if not shopper.profiling:
                    tally.violate("consent", f"{profile.pk} asked after withdrawing")
                if ask.pk not in shown:
                    shown.add(ask.pk)
                    if ask.visit != number or len(shown) > 1:
                        tally.violate("one per visit", f"{profile.pk} visit {number}")
                    if ask.asked_at == now:
                        judge_new_ask(shopper, ask, now, tally)
                if acted:
                    continue
                acted = True
                roll = rng.random()
                if roll < answer_p:
                    answer(shopper, ask, now, rng, tally)
                elif roll < answer_p + skip_p:
                    asking.skip_question(profile=profile, ask=ask, now=now)
                    shopper.rest_until[ask.question.attribute_id] = (
                        now + asking.SKIPPED_REST,
                        "skipped",
                    )
                    tally.outcomes["skipped"] += 1
                elif roll < answer_p + skip_p + decline_p:
                    asking.decline_question(profile=profile, ask=ask, now=now)
                    shopper.rest_until[ask.question.attribute_id] = (
                        now + asking.DECLINED_REST,
                        "declined",
                    )
                    tally.outcomes["declined"] += 1
                else:
                    shopper.rest_until[ask.question.attribute_id] = (
                        ask.asked_at + asking.SKIPPED_REST,
                        "ignored",
                    )
                    tally.outcomes["ignored"] += 1
            tally.max_asks_in_a_visit = max(tally.max_asks_in_a_visit, len(shown))
            # learn() keeps the profile object's completeness up to date.
            tally.completeness.setdefault(number, []).append(profile.completeness)
        tally.trust_at_end[profile.trust_level] += 1


def judge_new_ask(shopper: Shopper, ask, now: datetime, tally: Tally) -> None:
    from profiles import asking

    profile = shopper.profile
    question = ask.question
    attribute_id = question.attribute_id
    shopper.asked.append(now)
    if question.min_trust > profile.trust_level:
        tally.violate(
            "above trust", f"{profile.pk}: min {question.min_trust} > {profile.trust_level}"
        )
    if attribute_id in shopper.known:
        tally.violate("known", f"{profile.pk} asked {question.attribute.key} again")
    rest = shopper.rest_until.get(attribute_id)
    if rest and now < rest[0]:
        rule = "declined re-ask" if rest[1] == "declined" else f"{rest[1]} re-ask"
        tally.violate(rule, f"{profile.pk} {question.attribute.key} before {rest[0]:%Y-%m-%d}")
    week = [t for t in shopper.asked if now - asking.WEEK < t <= now]
    if len(week) > asking.ASKS_PER_WEEK:
        tally.violate("week", f"{profile.pk}: {len(week)} asks in 7 days")


def answer(shopper: Shopper, ask, now: datetime, rng: random.Random, tally: Tally) -> None:
    from django.core.exceptions import ValidationError

    from profiles import asking

    profile = shopper.profile
    attribute = ask.question.attribute
    if attribute.value_kind == "choice" and rng.random() < 0.02:
        try:
            asking.answer_question(profile=profile, ask=ask, value="A forged choice", now=now)
        except ValidationError:
            tally.refused_forged += 1
        else:
            tally.violate("forged", f"{profile.pk} stored a forged choice")
    value = a_valid_answer(attribute, rng)
    try:
        asking.answer_question(profile=profile, ask=ask, value=value, now=now)
    except ValidationError as error:
        if shopper.profiling:
            tally.violate("answer", f"{profile.pk}: {error.messages[0]}")
        tally.outcomes["refused (profiling off)"] += 1
        return
    shopper.known.add(attribute.pk)
    tally.outcomes["answered"] += 1
    if rng.random() < 0.01:
        try:
            # The same form sent twice (a double click): the ask as the second request read it.
            stale = type(ask).objects.select_related("question__attribute").get(pk=ask.pk)
            stale.outcome = "pending"
            asking.answer_question(profile=profile, ask=stale, value=value, now=now)
        except asking.AskClosed:
            tally.refused_double += 1
        else:
            tally.violate("double", f"{profile.pk} answered twice")


def check_the_log(shoppers: list[Shopper], tally: Tally) -> None:
    """From the stored log alone: asks in one visit, declined questions asked again."""
    from django.db.models import Count

    from profiles import asking
    from profiles.models import Outcome, QuestionAsk

    asks = QuestionAsk.objects.filter(profile__in=[shopper.profile.pk for shopper in shoppers])
    tally.asks = asks.count()
    per_visit = asks.values("profile", "visit").annotate(n=Count("pk")).order_by("-n").first()
    most = per_visit["n"] if per_visit else 0
    history = defaultdict(list)
    for profile_id, attribute_id, asked_at, outcome, answered_at in asks.values_list(
        "profile", "question__attribute", "asked_at", "outcome", "answered_at"
    ).order_by("asked_at"):
        history[(profile_id, attribute_id)].append((asked_at, outcome, answered_at))
    re_asks = 0
    for rows in history.values():
        for _asked_at, outcome, answered_at in rows:
            if outcome != Outcome.DECLINED or answered_at is None:
                continue
            re_asks += sum(
                answered_at < later < answered_at + asking.DECLINED_REST for later, _, _ in rows
            )
    tally.most_in_a_visit_logged = most
    tally.declined_re_asks_logged = re_asks


def run_shard(job: dict) -> Tally:
    """One worker's share of the shoppers, from registration to the log check."""
    if job["database_url"]:
        os.environ["DATABASE_URL"] = job["database_url"]
    django_setup()
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A throwaway file: durability buys nothing here.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = WAL")
    tag = f"[worker {job['worker']}]"
    rng = random.Random(f"{job['seed']}:{job['worker']}")
    started = time.monotonic()
    shoppers = register(job["numbers"], job["visits"], rng)
    say(f"{tag} registered {len(shoppers):,} shoppers in {time.monotonic() - started:.1f}s")
    tally = Tally()
    started = time.monotonic()
    step = max(1, len(shoppers) // 5)
    for n, shopper in enumerate(shoppers, start=1):
        play(shopper, job["visits"], rng, tally)
        if n % step == 0 or n == len(shoppers):
            say(
                f"{tag} {n:,}/{len(shoppers):,} shoppers played, {tally.page_views:,} page "
                f"views, {sum(tally.outcomes.values()):,} cards acted on, "
                f"{time.monotonic() - started:.1f}s"
            )
    tally.baseline = time_baseline(shoppers)
    check_the_log(shoppers, tally)
    connections.close_all()
    return tally


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.violations.update(tally.violations)
        total.outcomes.update(tally.outcomes)
        total.trust_at_end.update(tally.trust_at_end)
        for visit, values in tally.completeness.items():
            total.completeness.setdefault(visit, []).extend(values)
        total.max_asks_in_a_visit = max(total.max_asks_in_a_visit, tally.max_asks_in_a_visit)
        total.most_in_a_visit_logged = max(
            total.most_in_a_visit_logged, tally.most_in_a_visit_logged
        )
        for name in (
            "page_views",
            "policy_seconds",
            "refused_forged",
            "refused_double",
            "declined_re_asks_logged",
            "asks",
        ):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    total.baseline = statistics.median(tally.baseline for tally in tallies)
    return total


def main() -> None:
    args = parse_args()
    began = time.monotonic()
    folder = prepare()
    workers = max(1, min(args.workers, args.shoppers))
    jobs = []
    for worker in range(workers):
        url = ""
        if folder is not None:
            copy = folder / f"worker-{worker}.sqlite3"
            shutil.copyfile(folder / "migrated.sqlite3", copy)
            url = f"sqlite:///{copy}"
        jobs.append(
            {
                "worker": worker,
                "numbers": list(range(worker, args.shoppers, workers)),
                "visits": args.visits,
                "seed": args.seed,
                "database_url": url,
            }
        )
    say(f"{args.shoppers:,} shoppers x {args.visits} visits over {workers} worker(s)")
    started = time.monotonic()
    try:
        if workers == 1:
            tallies = [run_shard(jobs[0])]
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                tallies = list(pool.map(run_shard, jobs))
        report(args, merge(tallies), workers, time.monotonic() - started, began)
    finally:
        if folder is not None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder is not None:
            say(f"kept {folder}")


def time_baseline(shoppers: list[Shopper], samples: int = 2000) -> float:
    """Seconds for one indexed single-row read, the floor of any page's work."""
    from profiles.models import CustomerProfile

    ids = [shopper.profile.pk for shopper in shoppers]
    rng = random.Random(1)
    started = time.perf_counter()
    for _ in range(samples):
        CustomerProfile.objects.filter(pk=rng.choice(ids)).values_list("trust_level").first()
    return (time.perf_counter() - started) / samples


def report(args, tally: Tally, workers: int, played: float, began: float) -> None:
    most = max(tally.most_in_a_visit_logged, tally.max_asks_in_a_visit)
    re_asks = tally.declined_re_asks_logged + tally.violations["declined re-ask"]
    above = tally.violations["above trust"]
    say("")
    say(f"shoppers: {args.shoppers:,} x {args.visits} visits; {tally.page_views:,} page views")
    say(
        f"asks: {tally.asks:,}; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.outcomes.items()))
    )
    say(
        f"refused as they should be: {tally.refused_forged} forged choices, "
        f"{tally.refused_double} double submits"
    )
    for visit in REPORTED_VISITS:
        values = tally.completeness.get(visit)
        if values:
            say(f"mean completeness after visit {visit:>2}: {statistics.mean(values):5.1f}%")
    say("trust after the last visit: " + ", ".join(
        f"{level}: {tally.trust_at_end[level]:,}" for level in range(6)
    ))  # fmt: skip
    say(f"maximum asks in one visit: {most} (must be 1)")
    say(f"re-asks of a declined question within 90 days: {re_asks} (must be 0)")
    say(f"asks above the trust level: {above} (must be 0)")
    others = {
        k: v for k, v in tally.violations.items() if k not in ("above trust", "declined re-ask")
    }
    say("other rules broken: " + (", ".join(f"{k} {v}" for k, v in others.items()) or "none"))
    per_view = tally.policy_seconds / max(1, tally.page_views)
    say(
        f"policy per page view: {per_view * 1000:.2f} ms; one indexed row read: "
        f"{tally.baseline * 1000:.3f} ms; ratio {per_view / tally.baseline:.1f}"
    )
    say(f"played in {played:.1f}s on {workers} worker(s), {time.monotonic() - began:.1f}s in all")
    violations = sum(tally.violations.values()) + tally.declined_re_asks_logged + max(0, most - 1)
    say(f"violations: {violations}")


if __name__ == "__main__":
    main()
