from pathlib import Path

import pytest
from django.utils import timezone

from profiles.models import Source
from profiles.services import learn
from tests.factories import make_shopper
from tests.shop.factories import make_order, make_product

MAIL = Path(__file__).parent / "mail"


@pytest.fixture
def mail_dir():
    return MAIL


@pytest.fixture
def order_numbered():
    """An order of `profile` carrying exactly `number`, as the fixture mails mention it."""

    def make(profile, number: str):
        order = make_order(profile, at=timezone.now(), lines=[(make_product(), 1)])
        order.number = number
        order.save(update_fields=["number"])
        return order

    return make


@pytest.fixture
def alice_phone(shopper):
    """Alice gave her number at checkout the way people write it."""
    learn(shopper.profile, "phone", "07700 900123", source=Source.PURCHASE, origin="test-order")
    return "07700 900123"


@pytest.fixture
def carol(db):
    return make_shopper(name="Carol Cooper", username="carol", email="carol@example.org")
