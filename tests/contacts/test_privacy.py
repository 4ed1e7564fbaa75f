"""A customer's contact logs in "download my data", and gone with "delete my account"."""

import json

import pytest
from django.apps import apps

from contacts.models import ContactLog
from contacts.services import call_log, contact_essence, mail_import
from profiles.models import Source
from profiles.services import learn

pytestmark = pytest.mark.django_db

ANGRY = (
    b"From: bob@example.com\r\nTo: shop@patientcrm.example\r\nSubject: Broken lamp\r\n"
    b"Date: Tue, 01 Dec 2026 14:30:00 +0000\r\nMessage-ID: <angry@x>\r\n"
    b"Content-Type: text/plain\r\n\r\nThe lamp from order 100231 arrived broken. "
    b"I want a refund.\r\n"
)


@pytest.fixture
def bobs_contacts(other_shopper, order_numbered):
    order_numbered(other_shopper.profile, "100231")
    _, mail = mail_import(raw=ANGRY)
    contact_essence(log_id=mail.pk)
    call = call_log(profile=other_shopper.profile, number="07700 900555", notes="Rang back.")
    return mail, call


def test_the_export_holds_every_contact_with_its_essence(other_shopper, bobs_contacts):
    config = apps.get_app_config("contacts")

    exported = config.export_personal_data(profile=other_shopper.profile)

    json.dumps(exported)  # JSON-ready
    mail, call = exported["contact_logs"]
    assert mail["address_or_number"] == "bob@example.com"
    assert mail["text"].startswith("The lamp from order 100231 arrived broken.")
    assert mail["essence"]["intent"] == "Return or refund"
    assert mail["essence"]["sentiment"] == "negative"
    assert mail["essence"]["linked_orders"] == ["100231"]
    assert mail["when"] == "2026-12-01T14:30:00+00:00"
    assert (call["channel"], call["address_or_number"]) == ("Phone call", "+447700900555")


def test_the_export_holds_nobody_elses_contacts(shopper, bobs_contacts):
    assert apps.get_app_config("contacts").export_personal_data(profile=shopper.profile) == {
        "contact_logs": []
    }


def test_erasure_deletes_the_customers_correspondence_and_nothing_else(
    other_shopper, shopper, bobs_contacts
):
    alices = call_log(profile=shopper.profile, notes="Alice's call.")
    strangers = call_log(number="020 7946 0999", notes="Somebody else.")
    learn(other_shopper.profile, "phone", "07700 900777", source=Source.PURCHASE, origin="o")
    _, waiting = mail_import(
        raw=ANGRY.replace(b"<angry@x>", b"<again@x>").replace(b"bob@", b"BOB@")
    )
    ContactLog.objects.filter(pk=waiting.pk).update(profile=None)
    unmatched_call = call_log(number="+44 7700 900 777", notes="Bob again, unmatched.")
    ContactLog.objects.filter(pk=unmatched_call.pk).update(profile=None)

    erased = apps.get_app_config("contacts").erase_personal_data(profile=other_shopper.profile)

    assert erased == 4
    assert set(ContactLog.objects.all()) == {alices, strangers}
