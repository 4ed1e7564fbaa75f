"""Who a campaign reaches: its rules, and always the consent its channel needs."""

from datetime import timedelta

import pytest

from campaigns.models import Channel, Recipient
from campaigns.selectors import audience_preview, audience_queryset
from campaigns.services import recipients_create
from profiles.models import CustomerProfile, Purpose, Source
from profiles.services import learn, set_consent
from tests.campaigns.conftest import give_pattern, make_campaign, withdraw

pytestmark = pytest.mark.django_db


def audience(campaign) -> set[str]:
    return set(audience_queryset(campaign).values_list("user__username", flat=True))


def test_only_customers_who_said_yes_to_offers_by_email_are_reached(campaign, subscriber, shopper):
    assert audience(campaign) == {"dora"}
    assert audience_preview(campaign) == 1


def test_a_withdrawn_consent_excludes_the_customer(campaign, subscriber):
    withdraw(subscriber.profile)
    assert audience(campaign) == set()


def test_the_latest_consent_row_wins_not_the_last_inserted(campaign, subscriber, now):
    # Withdrawn yesterday, but a grant recorded today (inserted first) is newer.
    profile = subscriber.profile
    set_consent(
        profile,
        Purpose.MARKETING_EMAIL,
        granted=False,
        source=Source.CUSTOMER,
        recorded_at=now - timedelta(days=1),
    )
    set_consent(
        profile, Purpose.MARKETING_EMAIL, granted=True, source=Source.CUSTOMER, recorded_at=now
    )
    assert audience(campaign) == {"dora"}
    withdraw(profile, recorded_at=now + timedelta(seconds=1))
    assert audience(campaign) == set()


def test_paper_channels_need_direct_mail_consent(offer, subscriber, shopper):
    postcard = make_campaign(offer, channel=Channel.POSTCARD, subject="")
    assert audience(postcard) == set()
    set_consent(shopper.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
    assert audience(postcard) == {"alice"}


def test_pattern_rules_select_by_segment_orders_and_recency(offer, subscribers, now):
    loyal, lapsed, new, nobody = subscribers(4)
    give_pattern(loyal.profile, now=now, orders=5, last_order_days_ago=10, segment="loyal")
    give_pattern(lapsed.profile, now=now, orders=3, last_order_days_ago=200, segment="at_risk")
    give_pattern(new.profile, now=now, orders=1, last_order_days_ago=2, segment="new")

    def reached(**rules):
        return {
            user.username
            for user in (loyal, lapsed, new, nobody)
            if audience_queryset(make_campaign(offer, **rules)).filter(user=user).exists()
        }

    assert reached() == {loyal.username, lapsed.username, new.username, nobody.username}
    assert reached(segments=["loyal", "new"]) == {loyal.username, new.username}
    assert reached(min_orders=3) == {loyal.username, lapsed.username}
    assert reached(last_order_within_days=30) == {loyal.username, new.username}
    assert reached(last_order_before_days=90) == {lapsed.username}


def test_trust_and_category_interest(offer, subscribers):
    trusted, tea_lover = subscribers(2)
    CustomerProfile.objects.filter(pk=trusted.profile.pk).update(trust_level=3)
    learn(tea_lover.profile, "favourite_categories", ["Tea", "Books"], source=Source.PURCHASE)
    assert set(
        audience_queryset(make_campaign(offer, min_trust=2)).values_list("pk", flat=True)
    ) == {trusted.profile.pk}
    assert set(
        audience_queryset(make_campaign(offer, category_interest="tea")).values_list(
            "pk", flat=True
        )
    ) == {tea_lover.profile.pk}


def test_choosing_recipients_twice_adds_nobody_twice(campaign, subscribers):
    subscribers(3)
    assert recipients_create(campaign=campaign) == 3
    assert recipients_create(campaign=campaign) == 0
    assert Recipient.objects.filter(campaign=campaign).count() == 3


@pytest.mark.parametrize(
    ("interest", "reached"),
    [
        ("tea", {"tea"}),
        ("TEA", {"tea"}),
        ("tea & coffee", {"tea"}),
        ("Steak", {"steak"}),
        ("ea", set()),
        ("a.k", set()),  # typed text, not a pattern
    ],
)
def test_category_interest_matches_whole_words_not_parts_of_them(
    offer, subscribers, interest, reached
):
    tea_lover, steak_lover = subscribers(2)
    learn(tea_lover.profile, "favourite_categories", ["Tea & Coffee"], source=Source.PURCHASE)
    learn(steak_lover.profile, "categories_bought", ["Steak knives"], source=Source.PURCHASE)
    names = {tea_lover.profile.pk: "tea", steak_lover.profile.pk: "steak"}
    found = audience_queryset(make_campaign(offer, category_interest=interest))
    assert {names[pk] for pk in found.values_list("pk", flat=True)} == reached
