"""Marketing builds and sends campaigns in the admin; who received them stays hidden from
Marketing (customer care reads them, one customer at a time)."""

import pytest
from django.core import mail

from campaigns.models import CampaignStatus, Recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(campaign, sent_recipient):
    return {
        "/admin/campaigns/campaign/": {"care": 403, "marketer": 200, "root": 200},
        "/admin/campaigns/campaign/add/": {"care": 403, "marketer": 200, "root": 200},
        f"/admin/campaigns/campaign/{campaign.pk}/change/": {
            "care": 403,
            "marketer": 200,
            "root": 200,
        },
        "/admin/campaigns/offer/add/": {"care": 403, "marketer": 200, "root": 200},
        "/admin/campaigns/keyword/": {"care": 403, "marketer": 200, "root": 200},
        # Customer care reads one customer's responses (accounts 0008); Marketing never.
        "/admin/campaigns/recipient/": {"care": 200, "marketer": 403, "root": 200},
        f"/admin/campaigns/recipient/{sent_recipient.pk}/change/": {
            "care": 200,
            "marketer": 403,
            "root": 200,
        },
        "/admin/campaigns/linkclick/": {"care": 200, "marketer": 403, "root": 200},
    }


def test_each_role_opens_only_its_campaign_pages(
    client, pages, care_agent, marketer, superuser, shopper
):
    for url, expected in pages.items():
        for role, user in (("care", care_agent), ("marketer", marketer), ("root", superuser)):
            client.force_login(user)
            assert client.get(url).status_code == expected[role], (role, url)
        client.force_login(shopper)
        assert client.get(url).status_code in (302, 403)


def test_the_change_page_shows_the_audience_count(client, marketer, campaign, subscribers):
    subscribers(2)
    client.force_login(marketer)
    response = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert b"2 (only those whose consent for this channel is in force)" in response.content


def test_the_send_now_action_sends_through_the_service(
    client, marketer, campaign, subscribers, django_capture_on_commit_callbacks
):
    subscribers(2)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/campaigns/campaign/",
            {"action": "send_now", "_selected_action": [campaign.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "sending to 2 customers" in response.content.decode()
    assert len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert Recipient.objects.filter(sent_at__isnull=False).count() == 2


def test_a_sent_campaign_is_read_only_and_not_sent_again(client, marketer, campaign, subscriber):
    from campaigns.services import campaign_send_now

    campaign_send_now(campaign=campaign)
    assert len(mail.outbox) == 1
    client.force_login(marketer)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="body_text"' not in page
    response = client.post(
        "/admin/campaigns/campaign/",
        {"action": "send_now", "_selected_action": [campaign.pk]},
        follow=True,
    )
    assert "was sent already" in response.content.decode()
    assert len(mail.outbox) == 1
