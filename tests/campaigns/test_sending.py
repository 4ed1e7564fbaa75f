"""Sending: each customer gets one e-mail however often the send runs, and the e-mail
carries its text and HTML parts, tracked links and a one-click unsubscribe."""

from unittest import mock
from urllib.parse import parse_qs

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, CampaignStatus, Recipient
from campaigns.services import campaign_send, campaign_send_batch, campaign_start
from campaigns.tasks import send_campaign_batch_task
from profiles.models import Kind, Purpose, Source, Touchpoint
from profiles.services import set_consent
from tests.campaigns.conftest import withdraw

pytestmark = pytest.mark.django_db


def start(campaign) -> list[int]:
    return campaign_start(campaign=campaign)


def test_running_the_batch_task_twice_mails_each_customer_once(campaign, subscribers):
    subscribers(3)
    ids = start(campaign)
    send_campaign_batch_task.delay(recipient_ids=ids)
    send_campaign_batch_task.delay(recipient_ids=ids)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Recipient.objects.values_list("profile__user__email", flat=True)
    )
    assert len(mail.outbox) == 3
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_SENT).count() == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert campaign.sent_at is not None


def test_campaign_send_queues_batches_after_commit(
    campaign, subscribers, django_capture_on_commit_callbacks
):
    subscribers(5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert campaign_send(campaign=campaign, batch=2) == 5
    assert len(callbacks) == 3
    assert len(mail.outbox) == 5
    # A second send finds nobody left to mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_send(campaign=campaign, batch=2) == 0
    assert len(mail.outbox) == 5


def test_a_consent_withdrawn_after_selection_is_respected_at_send(campaign, subscriber):
    ids = start(campaign)
    withdraw(subscriber.profile)
    result = campaign_send_batch(recipient_ids=ids)
    assert (result.sent, result.skipped) == (0, 1)
    assert mail.outbox == []
    assert Recipient.objects.get().sent_at is None


def test_the_email_has_both_parts_and_the_unsubscribe_headers(campaign, subscriber):
    campaign_send_batch(recipient_ids=start(campaign))
    (message,) = mail.outbox
    recipient = Recipient.objects.get()
    unsubscribe = f"http://127.0.0.1:8000/c/{recipient.token}/unsubscribe/"
    assert message.subject == "Dora, the new teas are in"
    assert message.to == ["dora@example.com"]
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "Hello Dora," in message.body and "<p>Hello Dora,</p>" in html
    assert unsubscribe in message.body and unsubscribe in html
    assert f'src="http://127.0.0.1:8000/c/{recipient.token}/open.gif"' in html


def test_links_to_the_shop_are_tracked_and_others_are_not_linked(campaign, subscriber):
    campaign_send_batch(recipient_ids=start(campaign))
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    token = Recipient.objects.get().token
    prefix = f"http://127.0.0.1:8000/c/{token}/click/?"
    assert f"see the teas <{prefix}" in message.body
    tracked = message.body.split(f"see the teas <{prefix}")[1].split(">")[0]
    assert parse_qs(tracked) == {"to": ["/catalogue/?q=tea"], "k": ["tea"]}
    assert f'<a href="{prefix}' in html
    assert "evil.example" not in message.body and "evil.example" not in html
    assert "Do not miss this either." in message.body


def test_a_failed_delivery_gives_the_claim_back_for_the_retry(campaign, subscriber):
    ids = start(campaign)
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError),
        pytest.raises(ConnectionError),
    ):
        campaign_send_batch(recipient_ids=ids)
    assert Recipient.objects.get().sent_at is None
    assert not Touchpoint.objects.filter(kind=Kind.CAMPAIGN_SENT).exists()
    campaign_send_batch(recipient_ids=ids)
    assert len(mail.outbox) == 1


def test_paper_campaigns_are_marked_sent_without_email(offer, shopper):
    set_consent(shopper.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
    postcard = Campaign.objects.create(
        offer=offer, name="Card", channel="postcard", body_text="Hello"
    )
    result = campaign_send_batch(recipient_ids=start(postcard))
    assert result.sent == 1
    assert mail.outbox == []


def _batch_queries(campaign, subscribers, n: int) -> int:
    subscribers(n)
    ids = start(campaign)
    ContentType.objects.get_for_model(Recipient)  # warm the cache, as in a worker
    with CaptureQueriesContext(connection) as captured:
        campaign_send_batch(recipient_ids=ids)
    assert len(mail.outbox) == n
    return len(captured)


@pytest.mark.parametrize("n", [2, 6])
def test_batch_queries_grow_by_a_small_constant_per_recipient(offer, subscribers, n):
    # Per recipient: the compare-and-set claim, and the sent touchpoint (an insert in
    # its savepoint pair) = 4. The rest (loading, the consent re-check, closing the
    # campaign) is constant: 4 queries.
    campaign = Campaign.objects.create(offer=offer, name="Q", subject="s", body_text="b")
    queries = _batch_queries(campaign, subscribers, n)
    assert queries == FIXED_QUERIES + PER_RECIPIENT * n


FIXED_QUERIES = 4
PER_RECIPIENT = 4


def test_the_command_sends_with_progress_and_a_summary(campaign, subscribers, capsys):
    subscribers(3)
    call_command("send_campaign", campaign.pk, "--batch", "2")
    out = capsys.readouterr().out
    assert "2/3 recipients processed" in out
    assert "3/3 recipients processed" in out
    assert f"campaign {campaign.pk} “Autumn teas”: 3 sent, 0 skipped, status sent" in out
    subscribers(1)  # joined after the campaign went out: not added to it
    call_command("send_campaign", campaign.pk)
    assert len(mail.outbox) == 3
    assert "0 sent, 0 skipped, status sent" in capsys.readouterr().out
