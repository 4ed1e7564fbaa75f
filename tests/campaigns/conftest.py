from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Keyword, Offer, OfferKind, Recipient
from campaigns.services import campaign_start
from profiles.models import BuyingPattern, Kind, Purpose, Source
from profiles.services import record_touchpoint, set_consent
from tests.factories import make_shopper

BODY = (
    "Hello {first_name},\n\n"
    'our new teas are in: [see the teas](/catalogue/?q=tea "tea").\n\n'
    "Do not miss [this](https://evil.example/phish) either.\n\n"
    "Yours, the shop"
)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def offer(db):
    return Offer.objects.create(name="New teas", kind=OfferKind.NEW_ARRIVALS)


@pytest.fixture
def keyword(db):
    return Keyword.objects.create(term="tea")


def make_campaign(offer, keywords=(), **fields) -> Campaign:
    fields.setdefault("name", "Autumn teas")
    fields.setdefault("subject", "{first_name}, the new teas are in")
    fields.setdefault("body_text", BODY)
    campaign = Campaign.objects.create(offer=offer, **fields)
    campaign.keywords.set(keywords)
    return campaign


@pytest.fixture
def campaign(offer, keyword):
    return make_campaign(offer, [keyword])


@pytest.fixture
def subscriber(db):
    """Dora, who said yes to offers by e-mail at registration."""
    return make_shopper(
        name="Dora Dean", username="dora", email="dora@example.com", marketing_email=True
    )


@pytest.fixture
def subscribers(db):
    def make(n: int):
        return [make_shopper(marketing_email=True) for _ in range(n)]

    return make


def give_pattern(profile, *, now, orders=1, last_order_days_ago=10, segment="loyal"):
    return BuyingPattern.objects.create(
        profile=profile,
        order_count=orders,
        total_spent=Decimal("100.00"),
        avg_order_value=Decimal("100.00"),
        first_order_at=now - timedelta(days=400),
        last_order_at=now - timedelta(days=last_order_days_ago),
        top_categories=[],
        discount_share=Decimal("0"),
        recency_days=last_order_days_ago,
        segment=segment,
        computed_at=now,
    )


def order_touchpoint(profile, *, at, amount="42.50", number=1):
    return record_touchpoint(
        profile,
        Kind.ORDER_PLACED,
        occurred_at=at,
        amount=Decimal(amount),
        origin=f"shop.order:{number}",
        summary=f"Order {number}",
    )


def withdraw(profile, purpose=Purpose.MARKETING_EMAIL, **kwargs):
    return set_consent(profile, purpose, granted=False, source=Source.CUSTOMER, **kwargs)


@pytest.fixture
def sent_recipient(campaign, subscriber, now):
    """Dora's recipient row of the campaign, sent a minute ago (no e-mail sent)."""
    campaign_start(campaign=campaign)
    recipient = Recipient.objects.get(campaign=campaign, profile=subscriber.profile)
    Recipient.objects.filter(pk=recipient.pk).update(sent_at=now - timedelta(minutes=1))
    recipient.refresh_from_db()
    return recipient
