"""`manage.py seed_demo`: the shop's demo catalogue and history, and the scaled path."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from profiles.models import BuyingPattern, Kind, ProfileFact, Segment, Source, Touchpoint
from shop.demo import BENCH_PREFIX, DEMO_PREFIX
from shop.models import Category, Order, OrderLine, Product

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo, seeded once for the module and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


def test_the_demo_has_a_plausible_catalogue(seeded):
    assert Category.objects.count() >= 8
    assert Product.objects.count() > 100
    assert not Product.objects.filter(brand="").exists()
    assert not Product.objects.filter(description="").exists()
    assert Product.objects.filter(price__gt=50).exists() and Product.objects.filter(price__lt=5)


def test_every_segment_is_populated_after_seeding(seeded):
    found = set(BuyingPattern.objects.values_list("segment", flat=True))
    assert found == set(Segment.values)


def lines_add_up(orders) -> bool:
    # Summed in Python: SQLite sums decimals as binary floats.
    sums: dict[int, Decimal] = defaultdict(Decimal)
    lines = OrderLine.objects.filter(order__in=orders).values_list("order_id", "line_total")
    for order_id, line_total in lines:
        sums[order_id] += line_total
    return all(
        subtotal == sums[pk] and total == subtotal - discount
        for pk, subtotal, discount, total in orders.values_list(
            "pk", "subtotal", "discount", "total"
        )
    )


def test_order_totals_are_their_lines_less_the_discount(seeded):
    assert lines_add_up(Order.objects.all())
    assert all(
        line_total == unit_price * quantity
        for line_total, unit_price, quantity in OrderLine.objects.values_list(
            "line_total", "unit_price", "quantity"
        )
    )
    discounted = Order.objects.filter(discount__gt=0).exclude(discount_code="").count()
    assert 0.05 < discounted / Order.objects.count() < 0.4


def test_history_is_in_the_past_with_more_orders_before_christmas(seeded):
    from django.db.models.functions import ExtractMonth
    from django.utils import timezone

    assert not Order.objects.filter(placed_at__gt=timezone.now()).exists()
    by_month = dict(
        Order.objects.annotate(month=ExtractMonth("placed_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    assert by_month[11] > by_month[2]


def test_each_demo_customer_was_registered_and_taught_by_their_first_order(seeded):
    customers = get_user_model().objects.filter(username__startswith=DEMO_PREFIX)
    assert 60 <= customers.count() <= 120
    shopper = customers.get(username=f"{DEMO_PREFIX}001")
    profile = shopper.profile
    first = Order.objects.filter(profile=profile).order_by("placed_at").first()
    city = ProfileFact.objects.get(profile=profile, attribute__key="postal_city", is_current=True)
    assert (city.value, city.source, city.ref_id) == (
        first.ship_city,
        Source.PURCHASE,
        str(first.pk),
    )
    # Registration records a choice for each purpose (later stages may add changes).
    assert profile.consents.filter(source=Source.REGISTRATION).count() == 4
    assert (
        Touchpoint.objects.filter(profile=profile, kind=Kind.ORDER_PLACED).count()
        == Order.objects.filter(profile=profile).count()
    )


def test_the_demo_shopper_has_orders(seeded):
    assert Order.objects.filter(profile__user__username="demo-shopper").count() >= 3


def test_seeding_twice_changes_nothing(seeded):
    before = row_counts()
    output = seed()
    assert row_counts() == before
    assert "0 created" in output


def bench_counts() -> tuple[int, int, int]:
    bench = {"profile__user__username__startswith": BENCH_PREFIX}
    return (
        get_user_model().objects.filter(username__startswith=BENCH_PREFIX).count(),
        Order.objects.filter(**bench).count(),
        BuyingPattern.objects.filter(**bench).count(),
    )


# The module's seeded demo may still be in the database below: count bench rows only.


def test_the_scaled_path_creates_exactly_the_customers_and_orders_asked_for():
    output = seed(customers=50, orders=400)
    assert bench_counts() == (50, 400, 50)
    assert lines_add_up(Order.objects.filter(profile__user__username__startswith=BENCH_PREFIX))
    assert "rows/s" in output.splitlines()[-1]
    before = row_counts()
    seed(customers=50, orders=400)
    assert row_counts() == before


def test_the_scaled_path_reloads_at_another_size():
    seed(customers=20, orders=100)
    seed(customers=30, orders=90)
    assert bench_counts()[:2] == (30, 90)


def test_customers_and_orders_go_together():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        seed(customers=10)


@pytest.mark.django_db
def test_demo_customers_have_earned_trust_from_their_history():
    from django.core.management import call_command

    from profiles.models import CustomerProfile

    call_command("seed_demo", stdout=io.StringIO())
    regular = CustomerProfile.objects.get(user__username="demo-shopper")
    assert regular.trust_level >= 3
