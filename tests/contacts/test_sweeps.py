"""Catch-up for essence tasks lost while the broker was down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import ContactLog
from contacts.services import essence_sweep, mail_import
from contacts.tasks import essence_sweep_task

pytestmark = pytest.mark.django_db

RAW = (
    b"From: alice@example.com\r\nMessage-ID: <lost@x>\r\nSubject: Where is order 100042?\r\n"
    b"Date: Mon, 30 Nov 2026 09:12:00 +0000\r\n\r\n"
    b"Hello, my order 100042 has not arrived yet. Could you check where it is?\r\n"
)


def test_a_contact_whose_essence_task_was_lost_gets_it_from_the_sweep(shopper):
    # Imported outside on_commit: its essence task was never queued, as if lost.
    _, log = mail_import(raw=RAW)
    assert log.essence_done_at is None
    assert essence_sweep() == 0  # a minute-old log may still have its task on the way
    ContactLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert essence_sweep_task.delay().get() == 1
    log.refresh_from_db()
    assert log.essence_done_at is not None
    assert log.intent == "order_status"
    assert log.summary
    assert essence_sweep() == 0  # done once
