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


# --- Paper is not e-mailed; a schedule sends on time ------------------------------------


@pytest.fixture
def postcard(offer, subscribers):
    from profiles.models import Purpose, Source
    from profiles.services import set_consent
    from tests.campaigns.conftest import make_campaign

    for person in subscribers(2):
        set_consent(person.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
    return make_campaign(offer, name="Autumn postcard", channel="postcard", subject="")


def test_send_now_refuses_a_postcard_and_points_to_its_mail_drop(client, marketer, postcard):
    client.force_login(marketer)
    response = client.post(
        "/admin/campaigns/campaign/",
        {"action": "send_now", "_selected_action": [postcard.pk]},
        follow=True,
    )
    assert "make its mail drop" in response.content.decode()
    assert not Recipient.objects.exists()
    postcard.refresh_from_db()
    assert postcard.status == CampaignStatus.DRAFT


def test_the_command_refuses_a_postcard_too(postcard):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="make its mail drop"):
        call_command("send_campaign", postcard.pk)
    assert not Recipient.objects.exists()


def test_a_scheduled_campaign_starts_once_its_time_has_come(
    campaign, subscribers, now, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from campaigns.services import campaigns_send_due

    subscribers(2)
    Campaign = type(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=now + timedelta(minutes=30))
    assert campaigns_send_due(now=now) == 0
    assert not Recipient.objects.exists()
    later = now + timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_send_due(now=later) == 1
    assert len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_send_due(now=later) == 0  # started once
    assert len(mail.outbox) == 2


def test_a_scheduled_postcard_is_never_e_mailed(postcard, now):
    from datetime import timedelta

    from campaigns.services import campaigns_send_due

    type(postcard).objects.filter(pk=postcard.pk).update(scheduled_at=now - timedelta(hours=1))
    assert campaigns_send_due(now=now) == 0
    assert not Recipient.objects.exists()


def _campaign_form(campaign, **fields) -> dict:
    data = {
        "name": campaign.name,
        "channel": campaign.channel,
        "offer": campaign.offer_id,
        "keywords": [k.pk for k in campaign.keywords.all()],
        "subject": campaign.subject,
        "body_text": campaign.body_text,
        "cost_per_piece": "0",
        "min_trust": "0",
        "min_orders": "0",
        "category_interest": "",
    }
    return {**data, **fields}


@pytest.mark.parametrize(
    ("channel", "when", "message"),
    [
        ("email", "2020-01-01 09:00:00", "That time has passed."),
        ("postcard", "2099-01-01 09:00:00", "leave this empty"),
    ],
)
def test_a_schedule_that_cannot_be_kept_is_a_form_error(
    client, marketer, campaign, channel, when, message
):
    client.force_login(marketer)
    day, time = when.split(" ")
    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        _campaign_form(campaign, channel=channel, scheduled_at_0=day, scheduled_at_1=time),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.scheduled_at is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("See [our teas](https://evil.example/) now", "goes to https://evil.example/"),
        ("See [our teas](//evil.example/) now", "can be linked"),
        ('See [our teas](/shop/ "coffee") now', "which is not one of this campaign"),
    ],
)
def test_a_link_that_would_not_work_is_a_form_error(client, marketer, campaign, body, message):
    client.force_login(marketer)
    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        _campaign_form(campaign, body_text=body),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.body_text != body


def test_a_good_link_with_its_keyword_is_saved(client, marketer, campaign):
    client.force_login(marketer)
    body = 'Hello {first_name}, see [our teas](/shop/?q=tea "tea").'
    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        _campaign_form(campaign, body_text=body),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.body_text == body


@pytest.mark.parametrize("field", ["last_order_within_days", "last_order_before_days"])
@pytest.mark.parametrize("days", ["3651", "999999999999999"])
def test_an_order_window_beyond_ten_years_is_a_form_error(client, marketer, campaign, field, days):
    """A billion days made the audience preview subtract past year 1 (a 500)."""
    client.force_login(marketer)
    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        _campaign_form(campaign, **{field: days}),
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 3650." in response.content.decode()
    campaign.refresh_from_db()
    assert getattr(campaign, field) is None


def test_an_order_window_of_ten_years_is_saved(client, marketer, campaign):
    client.force_login(marketer)
    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        _campaign_form(campaign, body_text="Hello {first_name}.", last_order_before_days="3650"),
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.last_order_before_days == 3650
