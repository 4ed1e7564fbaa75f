import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import FeedbackKind
from feedback.services import feedback_submit
from tests.factories import make_shopper

_n = itertools.count(1)


def wish(profile=None, *, text="I wish you offered gift wrapping at checkout.", **fields):
    """One item through the real service: a verified wish by default."""
    fields.setdefault("kind", FeedbackKind.WISH)
    if profile is None:
        fields.setdefault("identifier", f"guest{next(_n)}@guest.example.net")
    return feedback_submit(text=text, profile=profile, **fields)


def wishers(count: int, text: str, *, days_ago: int = 3) -> list:
    """`count` different customers wishing the same thing."""
    when = timezone.now() - timedelta(days=days_ago)
    return [wish(make_shopper().profile, text=text, now=when) for _ in range(count)]


@pytest.fixture
def guest_client(client):
    return client
