"""Redeeming at checkout: the order's discount, the timeline, the profile, the campaign."""

from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Channel, Offer, OfferKind, Recipient
from coupons.models import CouponCode, Redemption
from coupons.services import CouponError
from profiles.models import Kind, Source, Touchpoint
from profiles.selectors import known_facts
from shop.models import Order, Product
from tests.coupons.factories import make_code, place_order
from tests.shop.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return make_product(name="Teapot", price="25.00", stock=20)


def test_the_discount_comes_off_the_order_total(shopper, product):
    make_code("TEN1", value="10")
    order = place_order(shopper.profile, product, quantity=2, coupon_code="ten-1")
    order.refresh_from_db()
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("50.00"),
        Decimal("5.00"),
        Decimal("45.00"),
    )
    assert order.discount_code == "TEN1"
    redemption = Redemption.objects.get()
    assert (redemption.order, redemption.profile, redemption.discount) == (
        order,
        shopper.profile,
        Decimal("5.00"),
    )
    assert redemption.order_total == Decimal("45.00")
    assert CouponCode.objects.get().uses == 1


def test_the_order_touchpoint_carries_the_discounted_total(shopper, product):
    make_code("TEN1", value="10")
    order = place_order(shopper.profile, product, coupon_code="TEN1")
    placed = Touchpoint.objects.get(profile=shopper.profile, kind=Kind.ORDER_PLACED)
    assert placed.amount == Decimal("22.50") == order.total


def test_a_redemption_writes_a_touchpoint_and_teaches_discount_affinity(shopper, product):
    make_code("TEN1", value="10")
    place_order(shopper.profile, product, coupon_code="TEN1")
    redeemed = Touchpoint.objects.get(profile=shopper.profile, kind=Kind.COUPON_REDEEMED)
    assert redeemed.amount == Decimal("2.50")
    assert "TEN1" not in redeemed.summary
    fact = known_facts(shopper.profile)["discount_affinity"]
    assert (fact.value, fact.source) == ("Often", Source.COUPON)


def test_affinity_follows_the_share_of_orders_with_a_coupon(shopper, product):
    for _ in range(4):
        place_order(shopper.profile, product)
    make_code("TEN1", value="10")
    place_order(shopper.profile, product, coupon_code="TEN1")
    assert known_facts(shopper.profile)["discount_affinity"].value == "Sometimes"


def test_a_failing_code_places_no_order_and_keeps_the_stock(shopper, product):
    with pytest.raises(CouponError):
        place_order(shopper.profile, product, quantity=3, coupon_code="WRONG1")
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=product.pk).stock == 20
    assert not Touchpoint.objects.filter(kind=Kind.ORDER_PLACED).exists()


def test_a_personal_code_converts_its_campaign_recipient(shopper, product):
    offer = Offer.objects.create(name="Money off", kind=OfferKind.DISCOUNT)
    campaign = Campaign.objects.create(
        name="Spring card", channel=Channel.POSTCARD, offer=offer, body_text="Hi"
    )
    recipient = Recipient.objects.create(
        campaign=campaign, profile=shopper.profile, sent_at=timezone.now()
    )
    make_code("CARD1", value="10", campaign=campaign, recipient=recipient, profile=shopper.profile)
    order = place_order(shopper.profile, product, coupon_code="CARD1")
    recipient.refresh_from_db()
    assert recipient.converted_at is not None
    assert recipient.conversion_amount == order.total == Decimal("22.50")
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_CONVERTED, amount=order.total).exists()
    # …and the campaign dashboards count it like an e-mail conversion.
    from campaigns.dashboards import campaign_overview

    row = next(r for r in campaign_overview() if r.campaign == campaign)
    assert row.figures.converted is None  # one customer: suppressed, but counted
    assert Recipient.objects.filter(campaign=campaign, converted_at__isnull=False).count() == 1


def test_a_code_for_everybody_is_used_once_per_customer(shopper, other_shopper, product):
    make_code("ALL1", value="10", max_uses=10)
    place_order(shopper.profile, product, coupon_code="ALL1")
    place_order(other_shopper.profile, product, coupon_code="ALL1")
    with pytest.raises(CouponError, match="already used"):
        place_order(shopper.profile, product, coupon_code="ALL1")
    assert CouponCode.objects.get().uses == 2


def test_a_shared_code_on_a_piece_converts_the_customers_it_was_mailed_to(
    shopper, other_shopper, product
):
    offer = Offer.objects.create(name="Money off", kind=OfferKind.DISCOUNT)
    campaign = Campaign.objects.create(
        name="Letter for all", channel=Channel.LETTER, offer=offer, body_text="Hi"
    )
    mailed = Recipient.objects.create(
        campaign=campaign, profile=shopper.profile, sent_at=timezone.now()
    )
    make_code("LETTER5", kind="fixed", value="5", max_uses=100, campaign=campaign)
    order = place_order(shopper.profile, product, coupon_code="LETTER5")
    place_order(other_shopper.profile, product, coupon_code="LETTER5")  # never mailed
    mailed.refresh_from_db()
    assert mailed.conversion_amount == order.total == Decimal("20.00")
    assert Recipient.objects.filter(converted_at__isnull=False).count() == 1
