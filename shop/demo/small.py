"""The small, registered demo behind `make run` (see shop.demo)."""

import logging
import random
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from profiles import services as profile_services
from profiles.models import (
    BuyingPattern,
    Consent,
    CustomerProfile,
    Kind,
    ProfileFact,
    Source,
    Touchpoint,
)
from shop.demo.world import (
    CATALOGUE,
    DEMO_PREFIX,
    DEMO_SHOPPER,
    HABITS,
    SEED,
    Basket,
    Calendar,
    Customer,
    Item,
    Out,
    _customer,
    _demo_order_count,
    _discount,
    _money,
    _status,
    reserve_ids,
)
from shop.models import COUNTRIES, Category, Order, OrderLine, PaymentMethod, Product
from shop.patterns import patterns_refresh
from shop.services import ORDER_NUMBER_OFFSET


def seed_catalogue(*, out: Out) -> list[Item]:
    """Categories and products, created once (by slug and SKU) and left alone after."""
    rng = random.Random(SEED)
    made = 0
    for position, (name, slug, code, description, blurbs, products) in enumerate(CATALOGUE):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        existing = set(
            Product.objects.filter(sku__startswith=f"{code}-").values_list("sku", flat=True)
        )
        new = []
        for n, (product, brand, price) in enumerate(products, start=1):
            sku = f"{code}-{n:03d}"
            lines = rng.sample(blurbs, 2)
            stock = 0 if rng.random() < 0.04 else rng.randint(3, 240)
            if sku in existing:
                continue
            new.append(
                Product(
                    category=category,
                    name=product,
                    slug=slugify(f"{product}-{sku}"),
                    sku=sku,
                    brand=brand,
                    price=Decimal(price),
                    stock=stock,
                    description=f"{product}, from {brand}. {lines[0]} {lines[1]}",
                )
            )
        Product.objects.bulk_create(new)
        made += len(new)
    items = catalogue_items()
    out(f"  catalogue: {made} products created, {len(items)} in {len(CATALOGUE)} categories")
    return items


def catalogue_items() -> list[Item]:
    codes = {slug: code for _, slug, code, *_ in CATALOGUE}
    rows = (
        Product.objects.filter(category__slug__in=codes, active=True)
        .order_by("sku")
        .values_list(
            "pk", "category_id", "name", "brand", "category__name", "category__slug", "price"
        )
    )
    return [
        Item(pk, category_id, name, brand, category, codes[slug], int(price * 100))
        for pk, category_id, name, brand, category, slug, price in rows
    ]


# --- The small demo -------------------------------------------------------------------


def seed_demo_shop(*, out: Out) -> str:
    """The `make run` demo: catalogue, ~90 customers with history, patterns computed."""
    started = time.monotonic()
    items = seed_catalogue(out=out)
    rng = random.Random(SEED + 1)
    now = timezone.now()
    calendar = Calendar(timezone.localdate(now), timezone.get_current_timezone())
    basket = Basket(items)
    users = get_user_model().objects
    existing = set(
        users.filter(username__startswith=DEMO_PREFIX).values_list("username", flat=True)
    )
    with _quiet("celery.app.trace"):
        created, orders_made = _demo_customers(existing, rng, calendar, basket, now, out)
    orders_made += _demo_shopper_orders(calendar, basket, now)
    out(
        f"  customers: {created} created, {len(existing)} already there; "
        f"{orders_made:,} orders created"
    )
    if created or orders_made or not BuyingPattern.objects.exists():
        result = patterns_refresh(progress=lambda line: out(f"  patterns: {line}"))
        out(f"  patterns: {result.customers} customers scored in {result.seconds:.1f}s")
    customers = users.filter(username__startswith=DEMO_PREFIX).count()
    orders = Order.objects.filter(
        Q(profile__user__username__startswith=DEMO_PREFIX) | Q(profile__user__username=DEMO_SHOPPER)
    ).count()
    out(f"  shop demo done in {time.monotonic() - started:.1f}s")
    return f"{len(items)} products, {customers} customers, {orders:,} orders"


def _demo_customers(existing, rng, calendar, basket, now, out) -> tuple[int, int]:
    created = orders_made = 0
    index = 0
    for habit in HABITS:
        for _ in range(habit.demo_count):
            index += 1
            # Plan every customer, made or not, so the random stream never depends on the database.
            count = _demo_order_count(rng, habit)
            customer = _customer(rng, index, habit, count, calendar, basket.codes)
            username = f"{DEMO_PREFIX}{index:03d}"
            if username in existing:
                continue
            order_rng = random.Random(SEED * 1000 + index)
            orders_made += _demo_customer_create(
                customer, username, order_rng, calendar, basket, now
            )
            created += 1
            if created % 10 == 0:
                out(f"  customers: {created} created ({orders_made:,} orders so far)")
    return created, orders_made


@contextmanager
def _quiet(logger_name: str):
    # Eager Celery logs every welcome-mail task it runs; ninety of them drown the progress.
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _demo_customer_create(customer, username, rng, calendar, basket, now) -> int:
    # The demo registers people the way the site does; imported here, as only the demo needs it.
    from accounts.demo import DEMO_PASSWORD
    from accounts.services import account_register

    first, last = customer.name.split(" ", 1)
    email = f"{slugify(first)}.{slugify(last)}.{customer.index:03d}@example.com"
    with transaction.atomic():
        user = account_register(
            name=customer.name,
            username=username,
            email=email,
            password=DEMO_PASSWORD,
            marketing_email=rng.random() < 0.55,
            surveys=rng.random() < 0.35,
        )
        # Demo people live at example.com: no welcome e-mail for them.
        get_user_model().objects.filter(pk=user.pk).update(welcome_email_sent_at=now)
        history = _history_create(user.profile, customer, rng, calendar, basket, now)
        _history_teach(user.profile, history)
        _backdate_registration(user, customer, history, calendar, now)
    return len(history)


def _demo_shopper_orders(calendar, basket, now) -> int:
    """A few orders for the `demo-shopper` login, once."""
    profile = (
        CustomerProfile.objects.select_related("user").filter(user__username=DEMO_SHOPPER).first()
    )
    if profile is None or Order.objects.filter(profile=profile).exists():
        return 0
    customer = Customer(
        index=0,
        name=profile.user.name,
        habit=HABITS[1],
        street="12 Mill Lane",
        city="Hebden Bridge",
        postcode="HX7 8AD",
        country="GB",
        phone="07700 900123",
        pays=PaymentMethod.INVOICE,
        likes=("TEA", "BOO", "GAR"),
        order_days=[330, 200, 95, 41, 12],
        joined_days=340,
    )
    with transaction.atomic():
        history = _history_create(profile, customer, random.Random(SEED - 1), calendar, basket, now)
        _history_teach(profile, history)
        _backdate_registration(profile.user, customer, history, calendar, now)
    return len(history)


def _backdate_registration(user, customer: Customer, history, calendar, now) -> None:
    # Registration happened "now" only because the demo ran now; the customer joined
    # before their first order. Only timestamps move: nothing new is written.
    rng = random.Random(user.pk)
    joined = datetime.fromtimestamp(
        calendar.moment(rng, customer.joined_days, now.timestamp()), UTC
    )
    if history:
        joined = min(joined, history[0][0].placed_at - timedelta(hours=rng.randint(1, 72)))
    last = history[-1][0].placed_at if history else joined
    get_user_model().objects.filter(pk=user.pk).update(date_joined=joined, last_login=last)
    CustomerProfile.objects.filter(user=user).update(
        created_at=joined, first_seen=joined, last_seen=last, visit_count=len(history) * 2 + 1
    )
    profile = user.profile
    ProfileFact.objects.filter(profile=profile, source=Source.REGISTRATION).update(
        observed_at=joined, recorded_at=joined
    )
    Touchpoint.objects.filter(profile=profile, kind=Kind.REGISTERED).update(occurred_at=joined)
    Consent.objects.filter(profile=profile, source=Source.REGISTRATION).update(recorded_at=joined)
    profile.refresh_from_db(fields=["visit_count", "first_seen"])
    profile_services.profile_refresh_trust(profile=profile, now=now)


def _history_create(profile, customer: Customer, rng, calendar, basket, now):
    """The customer's past orders with their lines, bulk-inserted, oldest first, as
    (order, [(item, quantity), ...]) pairs."""
    days = customer.order_days
    if not days:
        return []
    ids = reserve_ids(Order, len(days))
    # Two orders on one day get their times in order too, so ids grow with time.
    moments = sorted(calendar.moment(rng, days_ago, now.timestamp()) for days_ago in days)
    history, lines = [], []
    for position, (order_id, days_ago) in enumerate(zip(ids, days, strict=True)):
        picked = basket.pick(rng, customer, calendar.month(days_ago))
        subtotal = sum(item.pence * quantity for item, quantity in picked)
        code, off = _discount(rng, customer.habit, subtotal, position == 0)
        middle = 0 < position < len(days) - 1
        placed = datetime.fromtimestamp(moments[position], UTC)
        order = Order(
            id=order_id,
            number=str(ORDER_NUMBER_OFFSET + order_id),
            profile=profile,
            status=_status(rng, days_ago, middle),
            payment_method=customer.pays if rng.random() < 0.9 else _other_payment(customer),
            ship_name=customer.name,
            ship_street=customer.street,
            ship_city=customer.city,
            ship_postcode=customer.postcode,
            ship_country=customer.country,
            ship_phone=customer.phone,
            subtotal=Decimal(_money(subtotal)),
            discount=Decimal(_money(off)),
            total=Decimal(_money(subtotal - off)),
            discount_code=code,
            placed_at=placed,
        )
        history.append((order, picked))
        lines += [
            OrderLine(
                order_id=order_id,
                product_id=item.product_id,
                category_id=item.category_id,
                product_name=item.name,
                brand=item.brand,
                category_name=item.category,
                unit_price=Decimal(_money(item.pence)),
                quantity=quantity,
                line_total=Decimal(_money(item.pence * quantity)),
            )
            for item, quantity in picked
        ]
    Order.objects.bulk_create([order for order, _ in history])
    OrderLine.objects.bulk_create(lines)
    return history


def _other_payment(customer: Customer) -> str:
    if customer.pays == PaymentMethod.INVOICE:
        return PaymentMethod.PAY_ON_DELIVERY
    return PaymentMethod.INVOICE


def _history_teach(profile, history) -> None:
    """What the shop would have learned: the first order's facts, a touchpoint per order."""
    if not history:
        return
    first, picked = history[0]
    taught = _first_order_facts(
        street=first.ship_street,
        city=first.ship_city,
        postcode=first.ship_postcode,
        country=first.ship_country,
        phone=first.ship_phone,
        pays=first.payment_method,
        picked=picked,
    )
    for key, value in taught:
        profile_services.learn(
            profile, key, value, source=Source.PURCHASE, ref=first, observed_at=first.placed_at
        )
    for order, picked in history:
        profile_services.record_touchpoint(
            profile,
            Kind.ORDER_PLACED,
            ref=order,
            amount=order.total,
            occurred_at=order.placed_at,
            summary=_order_summary(order.number, picked),
        )


def _first_order_facts(
    *, street: str, city: str, postcode: str, country: str, phone: str, pays: str, picked
) -> list[tuple[str, object]]:
    """What shop.services teaches the profile from an order, as (attribute key, value)."""
    facts: list[tuple[str, object]] = [
        ("postal_street", street),
        ("postal_city", city),
        ("postal_postcode", postcode),
        ("postal_country", COUNTRIES.get(country, country)),
        ("phone", phone),
        ("payment_preference", PaymentMethod(pays).label.split(" (")[0]),
        ("categories_bought", list(dict.fromkeys(item.category for item, _ in picked))),
        ("brands_bought", list(dict.fromkeys(item.brand for item, _ in picked))),
    ]
    return [(key, value) for key, value in facts if value]


def _order_summary(number: str, picked) -> str:
    items = sum(quantity for _, quantity in picked)
    categories = ", ".join(dict.fromkeys(item.category for item, _ in picked))
    return f"Order {number}: {items} item{'s' if items != 1 else ''} ({categories})"[:200]


# --- Bulk writing ---------------------------------------------------------------------
