"""The demo feedback: deterministic, idempotent, and enough for an unsuppressed wish list."""

import pytest
from django.apps import apps

from feedback.models import FeedbackItem
from feedback.selectors import wish_list
from profiles.models import Kind, Touchpoint
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_customers(db):
    return [make_shopper(username=f"demo-customer-{n:03d}") for n in range(1, 41)]


def test_seed_demo_gives_the_wish_list_topics_marketing_may_see(demo_customers):
    lines: list[str] = []
    summary = apps.get_app_config("feedback").seed_demo(out=lines.append)
    assert summary.endswith("feedback items")
    items = FeedbackItem.objects.count()
    assert items >= 30
    shown = wish_list(suppress=True).rows
    assert shown, "no topic reaches the minimum"
    assert shown[0].customers >= 5
    assert FeedbackItem.objects.filter(profile__isnull=True).count() >= 5
    assert Touchpoint.objects.filter(kind=Kind.FEEDBACK_GIVEN).exists()

    # A second run adds nothing and says so.
    apps.get_app_config("feedback").seed_demo(out=lines.append)
    assert FeedbackItem.objects.count() == items
    assert "0 new item(s)" in lines[-1]


def _items() -> list[tuple[str, str, str]]:
    rows = FeedbackItem.objects.values_list("profile__user__username", "identifier", "text")
    return sorted((author or "", identifier, text) for author, identifier, text in rows)


def test_seed_demo_is_deterministic(demo_customers):
    apps.get_app_config("feedback").seed_demo(out=lambda line: None)
    first = _items()
    FeedbackItem.objects.all().delete()
    apps.get_app_config("feedback").seed_demo(out=lambda line: None)
    assert _items() == first
