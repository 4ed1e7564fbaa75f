"""Conversions come from the shop's order touchpoints within the window after the first
open or click; a sent e-mail nobody opened becomes "ignored" once the window is over."""

from datetime import timedelta
from decimal import Decimal

import pytest

from campaigns.models import Recipient
from campaigns.selectors import recipients_ignored, recipients_with_response
from campaigns.services import conversions_attribute, conversions_attribute_all
from profiles.models import Kind, Touchpoint
from tests.campaigns.conftest import order_touchpoint

pytestmark = pytest.mark.django_db


def opened(recipient, at):
    Recipient.objects.filter(pk=recipient.pk).update(opened_at=at)


def test_an_order_within_the_window_converts_once(campaign, sent_recipient, subscriber, now):
    opened(sent_recipient, now - timedelta(days=5))
    order_touchpoint(subscriber.profile, at=now - timedelta(days=2), amount="30.00", number=7)
    order_touchpoint(subscriber.profile, at=now - timedelta(days=1), amount="99.00", number=8)
    assert conversions_attribute(campaign=campaign, now=now) == 1
    assert conversions_attribute(campaign=campaign, now=now) == 0
    sent_recipient.refresh_from_db()
    assert sent_recipient.converted_at == now - timedelta(days=2)
    assert sent_recipient.conversion_amount == Decimal("30.00")
    converted = Touchpoint.objects.get(kind=Kind.CAMPAIGN_CONVERTED)
    assert converted.amount == Decimal("30.00")


@pytest.mark.parametrize("days_after_open", [-1, 14, 20])
def test_orders_before_the_open_or_after_the_window_do_not_convert(
    campaign, sent_recipient, subscriber, now, days_after_open
):
    first = now - timedelta(days=30)
    opened(sent_recipient, first)
    order_touchpoint(subscriber.profile, at=first + timedelta(days=days_after_open))
    assert conversions_attribute(campaign=campaign, now=now) == 0
    sent_recipient.refresh_from_db()
    assert sent_recipient.converted_at is None


def test_the_window_starts_at_the_first_click_when_no_open_was_seen(
    campaign, sent_recipient, subscriber, now
):
    Recipient.objects.filter(pk=sent_recipient.pk).update(clicked_at=now - timedelta(days=3))
    order_touchpoint(subscriber.profile, at=now - timedelta(days=1))
    assert conversions_attribute_all(now=now) == 1


def test_an_order_without_any_open_or_click_is_not_a_conversion(
    campaign, sent_recipient, subscriber, now
):
    order_touchpoint(subscriber.profile, at=now)
    assert conversions_attribute(campaign=campaign, now=now) == 0


def test_ignored_means_sent_window_over_and_no_response(campaign, subscribers, now):
    from campaigns.services import campaign_start

    subscribers(3)
    campaign_start(campaign=campaign)
    quiet, responsive, recent = Recipient.objects.order_by("pk")
    long_ago = now - timedelta(days=15)
    Recipient.objects.filter(pk__in=[quiet.pk, responsive.pk]).update(sent_at=long_ago)
    Recipient.objects.filter(pk=responsive.pk).update(opened_at=long_ago)
    Recipient.objects.filter(pk=recent.pk).update(sent_at=now - timedelta(days=2))
    assert list(recipients_ignored(campaign, now=now)) == [quiet]
    flags = dict(recipients_with_response(campaign, now=now).values_list("pk", "ignored"))
    assert flags == {quiet.pk: True, responsive.pk: False, recent.pk: False}


def test_a_paper_piece_converted_by_its_coupon_is_not_ignored(offer, subscribers, now):
    """No open or click is ever seen on paper; the coupon redeemed is its response."""
    from campaigns.services import campaign_start, recipient_convert
    from profiles.models import Purpose, Source
    from profiles.services import set_consent
    from tests.campaigns.conftest import make_campaign

    for person in subscribers(2):
        set_consent(person.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
    postcard = make_campaign(offer, name="Postcard", channel="postcard", subject="")
    campaign_start(campaign=postcard)
    redeemed, unused = Recipient.objects.order_by("pk")
    long_ago = now - timedelta(days=20)
    Recipient.objects.update(sent_at=long_ago)
    redeemed.refresh_from_db()
    assert recipient_convert(recipient=redeemed, amount=Decimal("12.00"), converted_at=long_ago)
    assert list(recipients_ignored(postcard, now=now)) == [unused]


@pytest.mark.parametrize(("days_since_sent", "ignored"), [(13, False), (14, True), (15, True)])
def test_ignored_only_once_the_whole_window_has_passed(
    campaign, sent_recipient, now, days_since_sent, ignored
):
    Recipient.objects.filter(pk=sent_recipient.pk).update(
        sent_at=now - timedelta(days=days_since_sent)
    )
    assert recipients_ignored(campaign, now=now).exists() is ignored


# --- "Ignored" written to the profile ----------------------------------------------------


def _sent_long_ago(campaign, subscribers, now, n: int) -> list:
    from campaigns.services import campaign_start

    subscribers(n)
    campaign_start(campaign=campaign)
    Recipient.objects.update(sent_at=now - timedelta(days=15))
    return list(Recipient.objects.order_by("pk"))


def test_an_ignored_campaign_is_a_touchpoint_and_teaches_what_is_passed_over(
    campaign, subscribers, now
):
    from campaigns.services import ignored_record_all
    from profiles.models import Source
    from profiles.selectors import known_facts

    quiet, responsive = _sent_long_ago(campaign, subscribers, now, 2)
    opened(responsive, now - timedelta(days=14))
    assert ignored_record_all(now=now) == 1
    assert ignored_record_all(now=now) == 0  # once only
    quiet.refresh_from_db()
    assert quiet.ignored_at == now
    point = Touchpoint.objects.get(kind=Kind.CAMPAIGN_IGNORED)
    assert point.profile_id == quiet.profile_id
    assert point.occurred_at == quiet.sent_at + timedelta(days=14)  # when the window closed
    assert point.summary == f"No response to {campaign.name}"
    facts = known_facts(quiet.profile)
    assert facts["offer_kinds_ignored"].value == ["New arrivals"]
    assert facts["keywords_ignored"].value == ["tea"]
    assert facts["keywords_ignored"].source == Source.CAMPAIGN
    assert "offer_kinds_ignored" not in known_facts(responsive.profile)


def test_the_recorded_ignored_match_the_dashboards(campaign, subscribers, now):
    from campaigns.dashboards import campaign_overview
    from campaigns.services import ignored_record_all

    recipients = _sent_long_ago(campaign, subscribers, now, 7)
    for recipient in recipients[:2]:
        opened(recipient, now - timedelta(days=10))
    ignored_record_all(now=now)
    figures = next(row.figures for row in campaign_overview(now=now) if row.campaign == campaign)
    assert figures.ignored == Recipient.objects.filter(ignored_at__isnull=False).count() == 5


def test_a_late_open_or_click_takes_the_ignored_back_but_keeps_the_history(
    client, campaign, subscribers, now
):
    from campaigns.services import ignored_record_all

    (quiet,) = _sent_long_ago(campaign, subscribers, now, 1)
    ignored_record_all(now=now)
    assert client.get(f"/c/{quiet.token}/click/?to=/shop/&k=tea").status_code == 302
    quiet.refresh_from_db()
    assert quiet.ignored_at is None
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_IGNORED).count() == 1
    assert ignored_record_all(now=now) == 0  # it responded: never ignored again


def test_a_conversion_teaches_the_offer_kind_responded_to(
    campaign, sent_recipient, subscriber, now
):
    from profiles.selectors import known_facts

    opened(sent_recipient, now - timedelta(days=5))
    order_touchpoint(subscriber.profile, at=now - timedelta(days=2))
    conversions_attribute(campaign=campaign, now=now)
    assert known_facts(subscriber.profile)["offer_kinds_liked"].value == ["New arrivals"]


def test_erased_customers_are_not_recorded_as_ignored(campaign, subscribers, now):
    from campaigns.services import ignored_record_all

    (quiet,) = _sent_long_ago(campaign, subscribers, now, 1)
    Recipient.objects.filter(pk=quiet.pk).update(profile=None)
    assert ignored_record_all(now=now) == 0
