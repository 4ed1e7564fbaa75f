from decimal import Decimal

import pytest

from campaigns.models import Campaign, Channel, Offer, OfferKind
from profiles.models import Purpose, Source
from profiles.services import set_consent
from tests.coupons.factories import place_order
from tests.factories import make_shopper
from tests.shop.factories import make_product


@pytest.fixture
def product(db):
    return make_product(name="Teapot", price="25.00", stock=500)


@pytest.fixture
def postcard(db):
    offer = Offer.objects.create(name="Money off", kind=OfferKind.DISCOUNT)
    return Campaign.objects.create(
        name="Spring postcard",
        channel=Channel.POSTCARD,
        offer=offer,
        body_text="Your code is on the back.",
        cost_per_piece=Decimal("0.70"),
    )


@pytest.fixture
def make_customer(product):
    """A shopper who bought once (so the shop learned their address) and, unless told
    otherwise, said yes to post."""

    def make(*, post: bool = True, bought: bool = True, **fields):
        user = make_shopper(**fields)
        if bought:
            place_order(user.profile, product)
        if post:
            set_consent(user.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
        return user

    return make
