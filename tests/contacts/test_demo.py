"""The demo's contact logs: realistic, with their essence, and seeded only once."""

import pytest
from django.apps import apps

from accounts.demo import seed_demo_accounts
from contacts.models import Channel, ContactLog
from profiles.models import Source
from profiles.services import learn

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_contacts_once_with_their_essence():
    lines: list[str] = []
    seed_demo_accounts(out=lines.append)
    from django.contrib.auth import get_user_model

    dana = get_user_model().objects.get(username="demo-shopper")
    learn(dana.profile, "phone", "07700 900123", source=Source.PURCHASE, origin="demo")
    config = apps.get_app_config("contacts")

    summary = config.seed_demo(out=lines.append)
    again = config.seed_demo(out=lines.append)

    assert summary == again == "5 e-mails and calls (2 waiting to be matched)"
    assert ContactLog.objects.count() == 5
    assert not ContactLog.objects.filter(essence_done_at__isnull=True).exists()
    call = ContactLog.objects.get(channel=Channel.PHONE, profile=dana.profile)
    assert call.counterpart == "+447700900123"  # found by her phone fact
    intents = set(ContactLog.objects.filter(profile=dana.profile).values_list("intent", flat=True))
    assert {"product_question", "return_refund"} <= intents
    assert "contacts: 0 created, 5 already there, 2 unmatched" in lines[-1]
