"""The campaigns' part of "download my data" and of erasure: everything the customer was
sent and did, exported; erased, the rows stay for the figures but are no one's."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail

from campaigns import dashboards
from campaigns.models import Channel, LinkClick, Recipient
from campaigns.services import (
    campaign_send_batch,
    campaign_start,
    conversions_attribute,
    recipient_convert,
)
from profiles.models import Kind, Touchpoint
from profiles.privacy import export_stages, when
from tests.campaigns.conftest import give_pattern, make_campaign, order_touchpoint
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db


def config():
    return apps.get_app_config("campaigns")


@pytest.fixture
def history(campaign, keyword, offer, subscriber, other_shopper, now):
    """Dora was sent two campaigns: the first she opened, clicked (tea) and bought from,
    the postcard she unsubscribed from. Bob was sent the first too."""
    sent = now - timedelta(days=20)
    first = Recipient.objects.create(
        campaign=campaign,
        profile=subscriber.profile,
        sent_at=sent,
        opened_at=sent + timedelta(hours=1),
        clicked_at=sent + timedelta(hours=2),
        converted_at=sent + timedelta(days=1),
        conversion_amount=Decimal("42.50"),
    )
    LinkClick.objects.create(
        recipient=first, keyword=keyword, url="/catalogue/?q=tea", clicked_at=first.clicked_at
    )
    postcard = make_campaign(offer, name="Postcard", channel=Channel.POSTCARD, subject="")
    second = Recipient.objects.create(
        campaign=postcard,
        profile=subscriber.profile,
        sent_at=sent + timedelta(days=5),
        unsubscribed_at=sent + timedelta(days=8),
    )
    Recipient.objects.create(campaign=campaign, profile=other_shopper.profile, sent_at=sent)
    return {"first": first, "second": second}


def test_the_export_lists_every_campaign_received_with_responses_and_clicks(history, subscriber):
    data = config().export_personal_data(profile=subscriber.profile)
    json.dumps(data)  # JSON-ready as it is
    first, second = data["campaigns_received"]
    assert (first["campaign"], first["channel"], first["offer"]) == (
        "Autumn teas",
        "E-mail",
        "New teas",
    )
    recipient = history["first"]
    assert (first["sent_at"], first["opened_at"]) == (
        when(recipient.sent_at),
        when(recipient.opened_at),
    )
    assert first["conversion_amount"] == "42.50"
    assert first["unsubscribed_at"] is None
    assert first["clicks"] == [
        {
            "clicked_at": first["clicked_at"],
            "page": "/catalogue/?q=tea",
            "keyword": "tea",
        }
    ]
    assert (second["campaign"], second["channel"], second["clicks"]) == ("Postcard", "Postcard", [])
    assert second["unsubscribed_at"] is not None and second["opened_at"] is None


def test_the_export_has_nothing_of_other_customers_and_is_found_by_the_hub(history, other_shopper):
    data = export_stages(other_shopper.profile)["campaigns"]
    assert [row["campaign"] for row in data["campaigns_received"]] == ["Autumn teas"]
    assert data["campaigns_received"][0]["opened_at"] is None


def test_the_export_of_someone_never_mailed_is_empty(shopper):
    assert config().export_personal_data(profile=shopper.profile) == {"campaigns_received": []}


def test_erasure_unlinks_the_rows_and_keeps_every_figure(history, subscriber, client, now):
    before = {row.campaign.pk: row.figures for row in dashboards.campaign_overview(now=now)}
    token = history["first"].token
    assert config().erase_personal_data(profile=subscriber.profile) == 2
    assert not Recipient.objects.filter(profile=subscriber.profile).exists()
    assert Recipient.objects.filter(profile__isnull=True).count() == 2
    after = {row.campaign.pk: row.figures for row in dashboards.campaign_overview(now=now)}
    assert after == before
    assert config().export_personal_data(profile=subscriber.profile) == {"campaigns_received": []}
    # The links in the e-mail she still has lead nowhere and record nothing.
    for path in ("open.gif", "click/?to=/", "unsubscribe/"):
        assert client.get(f"/c/{token}/{path}").status_code == 404
    assert LinkClick.objects.count() == 1


def test_deleting_the_profile_keeps_the_recipient_rows(history, subscriber):
    subscriber.profile.delete()
    assert Recipient.objects.filter(profile__isnull=True).count() == 2
    assert Recipient.objects.count() == 3


def test_sending_skips_an_erased_customer_and_still_finishes(campaign, subscribers):
    alice, bob = subscribers(2)
    ids = campaign_start(campaign=campaign)
    config().erase_personal_data(profile=alice.profile)
    result = campaign_send_batch(recipient_ids=ids)
    assert (result.sent, result.skipped) == (1, 1)
    assert [message.to for message in mail.outbox] == [[bob.email]]
    campaign.refresh_from_db()
    assert campaign.status == "sent"


def test_attribution_passes_over_erased_recipients(history, subscriber, campaign, now):
    Recipient.objects.filter(pk=history["first"].pk).update(converted_at=None)
    order_touchpoint(subscriber.profile, at=history["first"].opened_at + timedelta(hours=3))
    config().erase_personal_data(profile=subscriber.profile)
    assert conversions_attribute(campaign=campaign, now=now) == 0


def test_a_coupon_redeemed_after_erasure_counts_without_a_timeline(history, subscriber):
    second = history["second"]
    config().erase_personal_data(profile=subscriber.profile)
    second.refresh_from_db()
    assert recipient_convert(recipient=second, amount=Decimal("9.99")) is True
    second.refresh_from_db()
    assert second.conversion_amount == Decimal("9.99")
    assert not Touchpoint.objects.filter(kind=Kind.CAMPAIGN_CONVERTED).exists()


def test_erased_responders_form_a_segment_of_their_own(campaign, now, settings):
    settings.MIN_CELL_SIZE = 2
    people = [make_shopper().profile for _ in range(5)]
    for profile in people[:3]:
        give_pattern(profile, now=now, segment="loyal")
    sent = now - timedelta(days=2)
    for profile in people:
        Recipient.objects.create(campaign=campaign, profile=profile, sent_at=sent, opened_at=now)
    for profile in people[3:]:
        config().erase_personal_data(profile=profile)
    detail = dashboards.campaign_detail(campaign=campaign, now=now)
    assert [(cell.label, cell.count) for cell in detail.segments] == [
        ("Loyal", 3),
        ("Erased on request", 2),
    ]


def test_the_hubs_erasure_calls_the_campaigns_part_and_keeps_the_rows(history, subscriber):
    from profiles.privacy import erase_profile

    erased = erase_profile(subscriber.profile)
    assert erased["campaigns"] == 2
    assert Recipient.objects.filter(profile__isnull=True).count() == 2
    assert LinkClick.objects.count() == 1
