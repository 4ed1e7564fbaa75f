"""Catch-up for reply e-mails whose task was lost while the broker was down: each reply
is still sent exactly once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import FeedbackItem
from feedback.services import feedback_replies_send_pending, feedback_reply
from feedback.tasks import send_pending_feedback_replies_task
from tests.feedback.conftest import wish

pytestmark = pytest.mark.django_db


def replied_long_ago(item, care_agent, text="Good news: it is on its way.") -> None:
    # Recorded outside on_commit: the e-mail task was never queued, as if lost.
    feedback_reply(item=item, text=text, staff=care_agent)
    FeedbackItem.objects.filter(pk=item.pk).update(replied_at=timezone.now() - timedelta(minutes=6))


def test_a_reply_whose_task_was_lost_is_sent_once_by_the_sweep(shopper, care_agent):
    item = wish(shopper.profile)
    feedback_reply(item=item, text="Thank you!", staff=care_agent)
    assert feedback_replies_send_pending() == 0  # just recorded: its task may be on the way
    FeedbackItem.objects.filter(pk=item.pk).update(replied_at=timezone.now() - timedelta(minutes=6))
    assert send_pending_feedback_replies_task.delay().get() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert feedback_replies_send_pending() == 0
    assert len(mail.outbox) == 1


def test_one_failing_address_does_not_hold_up_the_others(shopper, other_shopper, care_agent):
    first, second = wish(shopper.profile), wish(other_shopper.profile)
    replied_long_ago(first, care_agent)
    replied_long_ago(second, care_agent)
    real_send = mail.send_mail

    def send(*args, recipient_list, **kwargs):
        if recipient_list == ["alice@example.com"]:
            raise ConnectionRefusedError("SMTP down for this one")
        return real_send(*args, recipient_list=recipient_list, **kwargs)

    with mock.patch("feedback.services.send_mail", side_effect=send):
        assert feedback_replies_send_pending() == 1
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    first.refresh_from_db()
    assert first.reply_sent_at is None  # the claim was given back: the next run sends it
    assert feedback_replies_send_pending() == 1
    assert len(mail.outbox) == 2


def test_the_task_its_retry_and_the_sweep_together_send_one_email(
    shopper, care_agent, django_capture_on_commit_callbacks
):
    from feedback.tasks import send_feedback_reply_task

    item = wish(shopper.profile)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_reply(item=item, text="Gift wrapping comes in December.", staff=care_agent)
    assert len(mail.outbox) == 1

    send_feedback_reply_task.delay(item_id=item.pk).get()  # a redelivered task (acks_late)
    FeedbackItem.objects.filter(pk=item.pk).update(replied_at=timezone.now() - timedelta(minutes=6))
    assert send_pending_feedback_replies_task.delay().get() == 0

    assert len(mail.outbox) == 1


def test_calling_the_reply_sending_twice_sends_one_email(shopper, care_agent):
    from feedback.services import feedback_reply_send

    item = wish(shopper.profile)
    feedback_reply(item=item, text="Thank you!", staff=care_agent)  # task not run: lost

    assert feedback_reply_send(item_id=item.pk) is True
    assert feedback_reply_send(item_id=item.pk) is False
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_an_item_without_a_reply_is_never_mailed_by_the_sweep(shopper):
    item = wish(shopper.profile)
    FeedbackItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert feedback_replies_send_pending() == 0
    assert mail.outbox == []
