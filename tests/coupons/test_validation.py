"""Every reason a code does not work, in the shopper's words, and the arithmetic."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coupons.models import DiscountKind
from coupons.services import MESSAGES, CouponError, coupon_quote, discount_for
from tests.coupons.factories import make_code, place_order
from tests.shop.factories import make_product

pytestmark = pytest.mark.django_db


def reason(code: str, profile, subtotal="50.00", now=None) -> str:
    with pytest.raises(CouponError) as caught:
        coupon_quote(code=code, profile=profile, subtotal=Decimal(subtotal), now=now)
    return caught.value.messages[0]


def test_an_unknown_code(shopper):
    assert reason("NOPE-NOPE", shopper.profile) == (
        "We don't recognise that code. Please check it and try again."
    )


def test_a_switched_off_code_reads_as_unknown(shopper):
    make_code("OFF1", active=False)
    assert reason("OFF1", shopper.profile) == MESSAGES["unknown"]


def test_an_empty_or_malformed_code(shopper):
    assert reason("  - ", shopper.profile) == MESSAGES["empty"]
    assert reason("K7QM;DROP", shopper.profile) == MESSAGES["malformed"]
    assert reason("X" * 21, shopper.profile) == MESSAGES["malformed"]


def test_an_expired_code(shopper):
    now = timezone.now()
    make_code("OLD1", valid_from=now - timedelta(days=60), valid_until=now - timedelta(days=1))
    assert reason("old1", shopper.profile).startswith("That code has expired: it was valid until ")


def test_a_code_not_valid_yet(shopper):
    make_code("SOON1", valid_from=timezone.now() + timedelta(days=3))
    assert reason("SOON1", shopper.profile).startswith("That code is not valid yet: you can use")


def test_an_exhausted_code(shopper, other_shopper):
    product = make_product(price="20.00")
    make_code("ONCE1", max_uses=1)
    place_order(other_shopper.profile, product, coupon_code="ONCE1")
    assert reason("ONCE1", shopper.profile) == (
        "That code has been used as many times as it may be."
    )


def test_a_code_already_used_by_you(shopper):
    product = make_product(price="20.00")
    make_code("TWICE1", max_uses=10)
    place_order(shopper.profile, product, coupon_code="twice1")
    assert reason("TWICE1", shopper.profile) == (
        "You have already used that code: it works once per customer."
    )


def test_a_code_printed_for_someone_else(shopper, other_shopper):
    make_code("BOBS1", profile=other_shopper.profile)
    assert reason("BOBS1", shopper.profile) == (
        "That code was printed for another customer and only works for them."
    )


def test_an_order_below_the_minimum(shopper):
    make_code("BIG1", min_order="40.00")
    assert reason("BIG1", shopper.profile, subtotal="39.99") == (
        "That code needs an order of at least £40.00; your order comes to £39.99."
    )


def test_a_discount_under_a_penny_says_so_rather_than_naming_a_minimum(shopper):
    make_code("TINY1", kind=DiscountKind.PERCENT, value="1")
    assert reason("TINY1", shopper.profile, subtotal="0.40") == (
        "On an order of £0.40 that code takes off less than a penny, so it is not applied. "
        "It gives more on a larger order."
    )


def test_no_message_repeats_the_code(shopper, other_shopper):
    now = timezone.now()
    make_code("SECRET7", profile=other_shopper.profile)
    make_code("SECRET8", valid_from=now - timedelta(days=9), valid_until=now - timedelta(days=1))
    for code in ("SECRET7", "SECRET8", "SECRET9"):
        message = reason(code, shopper.profile)
        assert code not in message.upper().replace("-", "")


def test_a_good_code_quotes_its_discount(shopper):
    make_code("TEN1", value="10")
    quote = coupon_quote(code="ten-1", profile=shopper.profile, subtotal=Decimal("45.00"))
    assert (quote.discount, quote.total) == (Decimal("4.50"), Decimal("40.50"))


@pytest.mark.parametrize(
    ("kind", "value", "subtotal", "expected"),
    [
        (DiscountKind.PERCENT, "10", "19.99", "2.00"),  # 1.999 rounds up
        (DiscountKind.PERCENT, "15", "0.10", "0.02"),  # 0.015 rounds half up
        (DiscountKind.PERCENT, "12.5", "9.99", "1.25"),  # 1.24875
        (DiscountKind.PERCENT, "100", "37.41", "37.41"),
        (DiscountKind.FIXED, "5.00", "37.41", "5.00"),
        (DiscountKind.FIXED, "50.00", "37.41", "37.41"),  # never more than the order
    ],
)
def test_discount_arithmetic_rounds_half_up_to_the_cent(kind, value, subtotal, expected):
    from coupons.models import CouponCode

    coupon = CouponCode(kind=kind, value=Decimal(value))
    assert discount_for(coupon, Decimal(subtotal)) == Decimal(expected)


def test_a_printed_code_whose_customer_is_gone_works_for_nobody(shopper, other_shopper):
    from campaigns.models import Campaign, Channel, Offer, OfferKind
    from coupons.models import MailDrop

    offer = Offer.objects.create(name="Off", kind=OfferKind.DISCOUNT)
    campaign = Campaign.objects.create(
        name="Card", channel=Channel.POSTCARD, offer=offer, body_text="x"
    )
    drop = MailDrop.objects.create(campaign=campaign)
    make_code("ORPHAN1", drop=drop, profile=other_shopper.profile)
    other_shopper.profile.delete()
    assert reason("ORPHAN1", shopper.profile) == MESSAGES["unknown"]
