"""The customer's 360 page in the admin shows each contact on the timeline with its
essence (way, intent, mood and gist) and links to the whole log."""

import pytest
from django.urls import reverse

from contacts.models import ContactLog

pytestmark = pytest.mark.django_db


def _page(client, profile) -> str:
    page = client.get(reverse("admin:profiles_customerprofile_change", args=[profile.pk]))
    assert page.status_code == 200
    return page.content.decode()


def _timeline(client, profile) -> str:
    return _page(client, profile).split('id="c360-timeline"')[1]


def test_a_call_logged_in_the_admin_shows_on_the_timeline_with_its_essence(
    client, care_agent, shopper, alice_phone, django_capture_on_commit_callbacks
):
    client.force_login(care_agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/contacts/contactlog/add/",
            {
                "number": alice_phone,
                "direction": "in",
                "duration_minutes": "4",
                "body": "Wants to return the teal mug from order 100231: it arrived cracked. "
                "Asked for a refund to her card.",
            },
        )
    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert (log.profile, log.intent) == (shopper.profile, "return_refund")

    page = _page(client, shopper.profile)
    timeline = page.split('id="c360-timeline"')[1]

    assert "Call from customer, return or refund" in timeline
    assert log.summary[:40] in timeline
    assert reverse("admin:contacts_contactlog_change", args=[log.pk]) in page


def test_a_contact_still_without_its_essence_shows_once_it_has_one(
    client, care_agent, shopper, alice_phone
):
    from contacts.services import call_log, contact_essence

    log = call_log(number=alice_phone, notes="Praised the quick delivery, lovely tea.")
    client.force_login(care_agent)
    assert "Praised the quick delivery" not in _timeline(client, shopper.profile)

    contact_essence(log_id=log.pk)

    timeline = _timeline(client, shopper.profile)
    assert "Call from customer, praise" in timeline
    assert "Praised the quick delivery" in timeline
