"""The coupons' part of "download my data" and "delete my account"."""

import json
from decimal import Decimal

import pytest
from django.apps import apps

from coupons import dashboards
from coupons.models import CouponCode, DiscountKind, Redemption
from coupons.services import CouponError, Terms, mail_drop_prepare
from profiles.privacy import erase_stages, export_stages
from tests.coupons.factories import make_code, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def config():
    return apps.get_app_config("coupons")


def test_export_lists_personal_codes_and_redemptions(config, postcard, make_customer, product):
    user = make_customer()
    mail_drop_prepare(campaign=postcard, terms=Terms(kind=DiscountKind.FIXED, value=Decimal("5")))
    make_code("WELCOME10", max_uses=100)
    order = place_order(user.profile, product, coupon_code="WELCOME10")
    data = config.export_personal_data(profile=user.profile)
    json.dumps(data)
    personal = CouponCode.objects.get(profile=user.profile)
    assert data["personal_codes"] == [
        {
            "code": personal.display_code,
            "gives": "£5.00 off",
            "campaign": "Spring postcard",
            "valid_until": None,
            "used": False,
        }
    ]
    assert data["redemptions"] == [
        {
            "code": "WELCOME10",
            "order": order.number,
            "discount": "2.50",
            "order_total": "22.50",
            "redeemed_at": Redemption.objects.get().redeemed_at.isoformat(),
        }
    ]
    assert "coupons" in export_stages(user.profile)


def test_erasure_keeps_redemptions_for_the_figures_and_kills_personal_codes(
    config, postcard, make_customer, product
):
    user = make_customer()
    mail_drop_prepare(campaign=postcard, terms=Terms(kind=DiscountKind.PERCENT, value=Decimal(10)))
    make_code("WELCOME10", max_uses=100)
    place_order(user.profile, product, coupon_code="WELCOME10")
    personal = CouponCode.objects.get(profile=user.profile)

    touched = erase_stages(user.profile)["coupons"]

    assert touched == 2
    redemption = Redemption.objects.get()
    assert redemption.profile is None and redemption.discount == Decimal("2.50")
    personal.refresh_from_db()
    assert (personal.profile, personal.recipient, personal.active) == (None, None, False)
    with pytest.raises(CouponError, match="recognise"):
        place_order(make_customer().profile, product, coupon_code=personal.code)
    assert config.export_personal_data(profile=user.profile) == {
        "personal_codes": [],
        "redemptions": [],
    }
    # Still counted: an erased customer is one redemption in the aggregates.
    shop_wide = dashboards.pieces(minimum=1)[-1]
    assert shop_wide.campaign is None and shop_wide.figures.redeemed == 1
