"""Tracking links that must not work: expired, another campaign's, an erased customer's."""

from datetime import timedelta

import pytest

from campaigns.models import LinkClick, Recipient
from campaigns.selectors import TRACKING_LIFETIME_DAYS
from profiles.models import Kind, ProfileFact, Purpose, Touchpoint
from profiles.services import has_consent
from tests.campaigns.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_recipient(sent_recipient, now):
    """Dora's link from an e-mail sent longer ago than the tracking lifetime."""
    Recipient.objects.filter(pk=sent_recipient.pk).update(
        sent_at=now - timedelta(days=TRACKING_LIFETIME_DAYS + 1)
    )
    sent_recipient.refresh_from_db()
    return sent_recipient


def recorded():
    return (Touchpoint.objects.count(), LinkClick.objects.count(), ProfileFact.objects.count())


@pytest.mark.parametrize("path", ["open.gif", "click/?to=/catalogue/&k=tea"])
def test_an_expired_link_is_404_and_records_nothing(client, old_recipient, path):
    before = recorded()
    assert client.get(f"/c/{old_recipient.token}/{path}").status_code == 404
    assert recorded() == before
    old_recipient.refresh_from_db()
    assert (old_recipient.opened_at, old_recipient.clicked_at) == (None, None)


def test_a_link_just_inside_the_lifetime_still_counts(client, sent_recipient, now):
    Recipient.objects.filter(pk=sent_recipient.pk).update(
        sent_at=now - timedelta(days=TRACKING_LIFETIME_DAYS - 1)
    )
    assert client.get(f"/c/{sent_recipient.token}/open.gif").status_code == 200


def test_an_expired_link_still_unsubscribes(client, old_recipient, subscriber):
    url = f"/c/{old_recipient.token}/unsubscribe/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not has_consent(subscriber.profile, Purpose.MARKETING_EMAIL)


def test_a_token_answers_for_its_own_campaign_only(client, sent_recipient, subscriber, offer, now):
    """Dora got two campaigns. Her first campaign's token with the second one's keyword
    records a click on the first, with no keyword; the second stays untouched."""
    from campaigns.models import Keyword

    books = Keyword.objects.create(term="books")
    other = make_campaign(offer, [books], name="Books")
    second = Recipient.objects.create(campaign=other, profile=subscriber.profile, sent_at=now)
    response = client.get(f"/c/{sent_recipient.token}/click/", {"to": "/", "k": "books"})
    assert response.status_code == 302
    click = LinkClick.objects.get()
    assert (click.recipient_id, click.keyword) == (sent_recipient.pk, None)
    second.refresh_from_db()
    assert (second.opened_at, second.clicked_at) == (None, None)
    assert not Touchpoint.objects.filter(kind=Kind.CAMPAIGN_CLICKED, ref_id=str(second.pk)).exists()


def test_a_token_cannot_be_combined_with_another_campaigns_path(client, sent_recipient):
    """The token alone names the recipient: there is no campaign id to tamper with."""
    assert client.get(f"/c/{sent_recipient.token}x/open.gif").status_code == 404
    assert client.get(f"/c/{sent_recipient.token[:-1]}/open.gif").status_code == 404
    too_long = "A" * 65
    assert client.get(f"/c/{too_long}/open.gif").status_code == 404


# --- Malformed tokens and keywords: a NUL is an error on PostgreSQL, not a miss -------------


def _tracking_urls(token: str) -> list[tuple[str, str]]:
    return [
        ("get", f"/c/{token}/open.gif"),
        ("head", f"/c/{token}/open.gif"),
        ("get", f"/c/{token}/click/?to=/shop/&k=tea"),
        ("get", f"/c/{token}/unsubscribe/"),
        ("post", f"/c/{token}/unsubscribe/"),
    ]


MALFORMED = ["{token}%00", "%00{token}", "%00", "{token}%20", "{token}%C3%A9", "A" * 65, "{token}."]


@pytest.fixture(params=[True, False], ids=["site", "view-alone"])
def nul_guard(request, settings):
    """Run with the site's NUL middleware, and without it to show the view's own guard."""
    if not request.param:
        settings.MIDDLEWARE = [
            name
            for name in settings.MIDDLEWARE
            if name != "patientcrm.middleware.RejectNulMiddleware"
        ]
    return request.param


@pytest.mark.parametrize("shape", MALFORMED)
def test_a_malformed_token_is_404_and_records_nothing(
    client, sent_recipient, subscriber, shape, nul_guard
):
    token = shape.format(token=sent_recipient.token)
    before = recorded()
    for method, url in _tracking_urls(token):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert recorded() == before
    sent_recipient.refresh_from_db()
    assert (sent_recipient.opened_at, sent_recipient.clicked_at) == (None, None)
    assert sent_recipient.unsubscribed_at is None
    assert has_consent(subscriber.profile, Purpose.MARKETING_EMAIL)


def test_the_selector_refuses_a_nul_before_the_database():
    from django.http import Http404

    from campaigns.selectors import recipient_get_by_token

    for token in ["\x00", "abc\x00def", "A" * 31 + "\x00", "", "A" * 65, "A\n"]:
        with pytest.raises(Http404):
            recipient_get_by_token(token=token)


def test_a_nul_in_the_keyword_is_refused_by_the_site_and_records_nothing(client, sent_recipient):
    before = recorded()
    response = client.get(f"/c/{sent_recipient.token}/click/?to=/shop/&k=tea%00")
    assert response.status_code == 400
    assert recorded() == before


def test_without_the_site_guard_a_nul_keyword_is_a_click_on_no_keyword(
    client, sent_recipient, settings
):
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "patientcrm.middleware.RejectNulMiddleware"
    ]
    response = client.get(f"/c/{sent_recipient.token}/click/?to=/shop/%00&k=tea%00")
    assert response.status_code == 302
    assert response["Location"] == "/"
    click = LinkClick.objects.get()
    assert (click.keyword, click.url) == (None, "/")


@pytest.mark.parametrize("term", ["tea\x00", "\x00", "tea\n", "t" * 61])
def test_the_click_service_counts_a_tampered_keyword_as_none(sent_recipient, subscriber, term):
    from campaigns.services import recipient_click
    from profiles.selectors import known_facts

    target = recipient_click(recipient=sent_recipient, path="/shop/\x00", keyword_term=term)
    assert target == "/"
    assert LinkClick.objects.get().keyword is None
    assert "keywords_liked" not in known_facts(subscriber.profile)
