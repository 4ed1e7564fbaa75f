from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from profiles.models import BuyingPattern, Source
from profiles.selectors import known_facts
from shop.patterns import patterns_refresh
from tests.factories import make_shopper
from tests.shop.factories import make_category, make_order, make_product

pytestmark = pytest.mark.django_db


def days_ago(n: float) -> datetime:
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def catalogue():
    tea, books, garden = (make_category(n) for n in ("Tea", "Books", "Garden"))
    return {
        "tea": make_product(category=tea, price="4.99"),
        "book": make_product(category=books, price="12.50"),
        "rake": make_product(category=garden, price="20.00"),
        "toy": make_product(category=make_category("Toys"), price="0.05"),
    }


def test_every_figure_of_a_three_order_customer(shopper, catalogue):
    profile = shopper.profile
    make_order(profile, at=days_ago(40), lines=[(catalogue["tea"], 2), (catalogue["book"], 1)])
    make_order(profile, at=days_ago(20), lines=[(catalogue["tea"], 1)], discount="1.00")
    make_order(profile, at=days_ago(10), lines=[(catalogue["rake"], 1), (catalogue["book"], 1)])
    make_order(profile, at=days_ago(5), lines=[(catalogue["rake"], 9)], status="cancelled")

    patterns_refresh(profile_ids=[profile.pk])
    p = BuyingPattern.objects.get(profile=profile)
    total = Decimal("22.48") + Decimal("3.99") + Decimal("32.50")
    assert p.order_count == 3
    assert p.total_spent == total == Decimal("58.97")
    assert p.avg_order_value == (total / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert p.mean_days_between == Decimal("15.0")
    assert p.expected_next_order == (days_ago(10) + timedelta(days=15)).date()
    assert p.recency_days == 10 or p.recency_days == 11  # a run across midnight UTC
    assert p.top_categories == ["Tea", "Books", "Garden"]  # 3 tea, 2 books, 1 garden
    assert p.discount_share == Decimal("0.3333")
    assert p.segment and 1 <= p.r_score <= 5


def test_one_order_customer_has_no_interval(shopper, catalogue):
    make_order(shopper.profile, at=days_ago(3), lines=[(catalogue["book"], 1)])
    patterns_refresh(profile_ids=[shopper.profile.pk])
    p = BuyingPattern.objects.get(profile=shopper.profile)
    assert (p.order_count, p.mean_days_between, p.expected_next_order) == (1, None, None)
    assert p.avg_order_value == p.total_spent == Decimal("12.50")


def test_average_rounds_half_up_exactly(shopper, catalogue):
    # 0.05 + 0.10 = 0.15 over 2 orders = 0.075 -> 0.08 (Python's round() would say 0.07... or 0.08)
    make_order(shopper.profile, at=days_ago(3), lines=[(catalogue["toy"], 1)])
    make_order(shopper.profile, at=days_ago(2), lines=[(catalogue["toy"], 2)])
    patterns_refresh(profile_ids=[shopper.profile.pk])
    p = BuyingPattern.objects.get(profile=shopper.profile)
    assert p.total_spent == Decimal("0.15")
    assert p.avg_order_value == Decimal("0.08")


def test_category_ties_break_alphabetically(shopper, catalogue):
    make_order(
        shopper.profile,
        at=days_ago(3),
        lines=[
            (catalogue["rake"], 1),
            (catalogue["book"], 1),
            (catalogue["tea"], 1),
            (catalogue["toy"], 1),
        ],
    )
    patterns_refresh(profile_ids=[shopper.profile.pk])
    assert BuyingPattern.objects.get(profile=shopper.profile).top_categories == [
        "Books",
        "Garden",
        "Tea",
    ]


def test_full_recompute_scores_quintiles_and_segments(catalogue):
    # Ten customers: the i-th ordered i times, last i days ago... spend grows with i.
    shoppers = [make_shopper() for _ in range(10)]
    for i, shopper in enumerate(shoppers, start=1):
        for k in range(i):
            make_order(
                shopper.profile, at=days_ago(200 - 10 * i + k), lines=[(catalogue["book"], 1)]
            )
    patterns_refresh()
    scores = {
        p.profile_id: (p.r_score, p.f_score, p.m_score, p.segment)
        for p in BuyingPattern.objects.all()
    }
    first, last = shoppers[0].profile.pk, shoppers[-1].profile.pk
    assert scores[first][:3] == (1, 1, 1)
    assert scores[last][:3] == (5, 5, 5)
    assert scores[last][3] == "champions"
    assert scores[first][3] == "lost"
    # Two customers per quintile.
    assert sorted(s[1] for s in scores.values()) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_score(catalogue):
    shoppers = [make_shopper() for _ in range(6)]
    for shopper in shoppers:
        make_order(shopper.profile, at=days_ago(30), lines=[(catalogue["book"], 1)])
    patterns_refresh()
    assert {(p.r_score, p.f_score, p.m_score) for p in BuyingPattern.objects.all()} == {(5, 1, 1)}


def test_refresh_twice_or_out_of_order_gives_the_same_result(shopper, other_shopper, catalogue):
    make_order(shopper.profile, at=days_ago(9), lines=[(catalogue["tea"], 1)])
    make_order(other_shopper.profile, at=days_ago(2), lines=[(catalogue["book"], 3)])
    patterns_refresh()
    first = list(BuyingPattern.objects.order_by("pk").values())
    patterns_refresh(profile_ids=[other_shopper.profile.pk])
    patterns_refresh(profile_ids=[shopper.profile.pk, other_shopper.profile.pk])
    patterns_refresh()
    again = list(BuyingPattern.objects.order_by("pk").values())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "computed_at"} for r in rows]  # noqa: E731
    assert strip(first) == strip(again)


def test_favourite_categories_become_a_fact_with_provenance(shopper, catalogue):
    make_order(shopper.profile, at=days_ago(9), lines=[(catalogue["tea"], 2)])
    patterns_refresh(profile_ids=[shopper.profile.pk])
    fact = known_facts(shopper.profile)["favourite_categories"]
    assert fact.value == ["Tea"] and fact.source == Source.PURCHASE
    patterns_refresh(profile_ids=[shopper.profile.pk])
    assert known_facts(shopper.profile)["favourite_categories"].pk == fact.pk  # unchanged
    make_order(shopper.profile, at=days_ago(1), lines=[(catalogue["book"], 5)])
    patterns_refresh(profile_ids=[shopper.profile.pk])
    new = known_facts(shopper.profile)["favourite_categories"]
    assert new.value == ["Books", "Tea"] and new.pk != fact.pk
    fact.refresh_from_db()
    assert not fact.is_current


def test_a_customer_whose_orders_are_all_cancelled_loses_the_pattern(shopper, catalogue):
    order = make_order(shopper.profile, at=days_ago(9), lines=[(catalogue["tea"], 1)])
    patterns_refresh(profile_ids=[shopper.profile.pk])
    order.status = "cancelled"
    order.save()
    patterns_refresh(profile_ids=[shopper.profile.pk])
    assert not BuyingPattern.objects.filter(profile=shopper.profile).exists()
