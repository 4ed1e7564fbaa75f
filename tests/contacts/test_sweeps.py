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


def test_one_contact_the_essence_chokes_on_does_not_hold_up_the_others(shopper, monkeypatch):
    from contacts import services

    _, first = mail_import(raw=RAW)
    _, second = mail_import(raw=RAW.replace(b"<lost@x>", b"<lost-2@x>"))
    ContactLog.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    real = services.essence_of

    def essence_of(*, body, **kwargs):
        if body == first.body and not hasattr(essence_of, "failed"):
            essence_of.failed = True
            raise RuntimeError("a message the essence cannot read")
        return real(body=body, **kwargs)

    monkeypatch.setattr(services, "essence_of", essence_of)

    assert essence_sweep() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.essence_done_at, second.essence_done_at is not None) == (None, True)
    assert essence_sweep() == 1  # the next run tries the first again
    first.refresh_from_db()
    assert first.essence_done_at is not None


def test_the_sweep_after_the_task_ran_changes_nothing_and_writes_one_touchpoint(
    shopper, django_capture_on_commit_callbacks
):
    from profiles.models import Kind, Touchpoint

    with django_capture_on_commit_callbacks(execute=True):
        _, log = mail_import(raw=RAW)
    ContactLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert essence_sweep() == 0
    assert Touchpoint.objects.filter(profile=shopper.profile, kind=Kind.CONTACT_LOGGED).count() == 1
