"""`manage.py seed_demo`'s coupon part: WELCOME10, and paper drops with redemptions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from campaigns.models import CampaignStatus, Recipient
from coupons.demo import LETTER_NAME, POSTCARD_NAME, WELCOME_CODE
from coupons.models import CouponCode, DiscountKind, MailDrop, Redemption
from coupons.services import coupon_quote, discount_for
from profiles.models import Kind, Touchpoint
from profiles.services import record_touchpoint
from tests.coupons.factories import place_order
from tests.factories import make_shopper
from tests.shop.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(product):
    """Twelve demo customers with an address from checkout and orders in both windows."""
    now = timezone.now()
    for n in range(12):
        user = make_shopper(username=f"demo-customer-{n:03d}")
        place_order(user.profile, product)
        for days_ago in (140, 90):
            order = make_order(
                user.profile, at=now - timedelta(days=days_ago), lines=[(product, 2)]
            )
            # As the shop's demo leaves each order: on the timeline at its full total.
            record_touchpoint(
                user.profile,
                Kind.ORDER_PLACED,
                ref=order,
                amount=order.total,
                occurred_at=order.placed_at,
            )


def seed() -> str:
    lines: list[str] = []
    return apps.get_app_config("coupons").seed_demo(out=lines.append)


def test_welcome10_is_public_ten_percent_off_for_a_long_time(shopper):
    seed()
    code = CouponCode.objects.get(code=WELCOME_CODE)
    assert (code.kind, code.value, code.profile) == (DiscountKind.PERCENT, Decimal("10"), None)
    assert code.max_uses >= 100_000
    assert code.valid_until > timezone.now() + timedelta(days=365)
    quote = coupon_quote(code="welcome10", profile=shopper.profile, subtotal=Decimal("20"))
    assert quote.discount == Decimal("2.00")


def test_postcard_and_letter_drops_with_redemptions_of_real_orders(demo_world):
    summary = seed()
    assert summary.startswith(f"code {WELCOME_CODE}, 2 mail drops, ")
    for name in (POSTCARD_NAME, LETTER_NAME):
        drop = MailDrop.objects.select_related("campaign").get(campaign__name=name)
        assert drop.mailed_at is not None and drop.pieces > 0
        assert drop.campaign.status == CampaignStatus.SENT
        assert drop.cost == drop.campaign.cost_per_piece * drop.pieces
        assert CouponCode.objects.filter(drop=drop, recipient__isnull=False).count() >= drop.pieces
    redemptions = Redemption.objects.select_related("order", "code__recipient")
    assert redemptions.count() >= 2
    for redemption in redemptions:
        order, code = redemption.order, redemption.code
        assert order.profile_id == redemption.profile_id
        assert code.drop.mailed_at <= redemption.redeemed_at == order.placed_at
        assert code.valid_from <= redemption.redeemed_at < code.valid_until
        # The order reads as checkout would have left it.
        assert redemption.discount == discount_for(code, order.subtotal) == order.discount
        assert redemption.order_total == order.total == order.subtotal - order.discount
        assert order.discount_code == code.display_code
        placed = Touchpoint.objects.get(kind=Kind.ORDER_PLACED, origin=f"shop.order:{order.pk}")
        assert placed.amount == order.total
        assert code.recipient.conversion_amount == order.total
        assert code.drop.created_at < code.drop.mailed_at
        recipient = redemption.code.recipient
        assert recipient.converted_at is not None
    assert Touchpoint.objects.filter(kind=Kind.COUPON_REDEEMED).count() == redemptions.count()


def test_running_it_again_changes_nothing(demo_world):
    seed()
    counts = (
        CouponCode.objects.count(),
        Redemption.objects.count(),
        MailDrop.objects.count(),
        Recipient.objects.count(),
    )
    seed()
    assert (
        CouponCode.objects.count(),
        Redemption.objects.count(),
        MailDrop.objects.count(),
        Recipient.objects.count(),
    ) == counts
