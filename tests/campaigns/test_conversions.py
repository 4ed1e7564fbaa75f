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
