"""The open pixel, the tracked link and the unsubscribe link: each records once, learns
what it may, and tells a forged token nothing."""

import pytest
from django.test import Client

from campaigns.models import LinkClick, Recipient
from profiles.models import Consent, Kind, ProfileFact, Purpose, Source, Touchpoint
from profiles.selectors import known_facts
from profiles.services import has_consent

pytestmark = pytest.mark.django_db

FORGED = "A" * 32


def recorded() -> tuple[int, int, int, int]:
    return (
        Touchpoint.objects.count(),
        LinkClick.objects.count(),
        Consent.objects.count(),
        ProfileFact.objects.count(),
    )


def test_the_open_pixel_records_one_open_however_often_it_loads(client, sent_recipient):
    for _ in range(3):
        response = client.get(f"/c/{sent_recipient.token}/open.gif")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
    sent_recipient.refresh_from_db()
    assert sent_recipient.opened_at is not None
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_OPENED).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/c/{token}/open.gif",
        "/c/{token}/click/?to=/catalogue/&k=tea",
        "/c/{token}/unsubscribe/",
    ],
)
def test_a_forged_token_is_404_and_records_nothing(client, sent_recipient, path):
    before = recorded()
    assert client.get(path.format(token=FORGED)).status_code == 404
    # GET-only endpoints answer a POST 405 whatever the token, so that tells nothing either.
    assert client.post(path.format(token=FORGED)).status_code in (404, 405)
    assert recorded() == before
    sent_recipient.refresh_from_db()
    assert (sent_recipient.opened_at, sent_recipient.clicked_at) == (None, None)


def test_a_token_whose_email_was_never_sent_is_404(client, campaign, subscriber):
    from campaigns.services import campaign_start

    campaign_start(campaign=campaign)
    recipient = Recipient.objects.get()
    assert client.get(f"/c/{recipient.token}/open.gif").status_code == 404


def test_a_click_redirects_records_and_teaches_what_the_customer_likes(
    client, sent_recipient, subscriber
):
    url = f"/c/{sent_recipient.token}/click/?to=/catalogue/%3Fq%3Dtea&k=tea"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/?q=tea"
    click = LinkClick.objects.get()
    assert (click.url, click.keyword.term) == ("/catalogue/?q=tea", "tea")
    sent_recipient.refresh_from_db()
    assert sent_recipient.clicked_at and sent_recipient.opened_at
    facts = known_facts(subscriber.profile)
    assert facts["offer_kinds_liked"].value == ["New arrivals"]
    assert facts["keywords_liked"].value == ["tea"]
    assert facts["keywords_liked"].source == Source.CAMPAIGN
    # Clicking the same link again adds a click, not a second timeline entry or fact.
    facts_before = ProfileFact.objects.count()
    client.get(url)
    assert LinkClick.objects.count() == 2
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_CLICKED).count() == 1
    assert ProfileFact.objects.count() == facts_before


def test_liked_keywords_merge_with_what_was_known(client, sent_recipient, subscriber):
    from profiles.services import learn

    learn(subscriber.profile, "keywords_liked", ["books"], source=Source.CAMPAIGN)
    client.get(f"/c/{sent_recipient.token}/click/?to=/&k=tea")
    assert known_facts(subscriber.profile)["keywords_liked"].value == ["tea", "books"]


def test_a_keyword_not_in_the_campaign_is_not_learned(client, sent_recipient, subscriber):
    client.get(f"/c/{sent_recipient.token}/click/?to=/&k=unknown-thing")
    assert LinkClick.objects.get().keyword is None
    assert "keywords_liked" not in known_facts(subscriber.profile)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "//evil.com/path",
        "http://evil.com",
        "https://evil.com/",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "evil.com",
        "/\nLocation: http://evil.com",
        "",
    ],
)
def test_the_click_redirect_never_leaves_the_site(client, sent_recipient, target):
    response = client.get(f"/c/{sent_recipient.token}/click/", {"to": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert LinkClick.objects.get().url == "/"


def test_an_encoded_backslash_stays_a_path_on_this_site(client, sent_recipient):
    response = client.get(f"/c/{sent_recipient.token}/click/", {"to": "/%5Cevil.com"})
    assert response["Location"] == "/%5Cevil.com"


def test_unsubscribe_get_only_asks_and_post_withdraws_consent(client, sent_recipient, subscriber):
    url = f"/c/{sent_recipient.token}/unsubscribe/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"confirm-unsubscribe" in response.content
    assert has_consent(subscriber.profile, Purpose.MARKETING_EMAIL)

    response = client.post(url)
    assert response.status_code == 302
    assert not has_consent(subscriber.profile, Purpose.MARKETING_EMAIL)
    latest = Consent.objects.filter(purpose=Purpose.MARKETING_EMAIL).first()
    assert latest.source == Source.CAMPAIGN
    assert b'id="unsubscribed"' in client.get(url).content

    before = recorded()
    client.post(url)
    assert recorded() == before
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_UNSUBSCRIBED).count() == 1


def test_one_click_unsubscribe_works_without_login_or_csrf_token(sent_recipient, subscriber):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/c/{sent_recipient.token}/unsubscribe/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not has_consent(subscriber.profile, Purpose.MARKETING_EMAIL)
    sent_recipient.refresh_from_db()
    assert sent_recipient.unsubscribed_at is not None


@pytest.mark.parametrize(
    ("path", "status"),
    [("/c/{token}/open.gif", 200), ("/c/{token}/click/?to=/shop/&k=tea", 302)],
)
def test_a_head_request_is_a_scanner_looking_and_records_nothing(
    client, sent_recipient, path, status
):
    before = recorded()
    response = client.head(path.format(token=sent_recipient.token))
    assert response.status_code == status
    assert recorded() == before
    sent_recipient.refresh_from_db()
    assert (sent_recipient.opened_at, sent_recipient.clicked_at) == (None, None)
    assert client.head(path.format(token=FORGED)).status_code == 404
