"""Coupon helpers: codes made through the services, orders through order_place."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from coupons.models import CouponCode, DiscountKind
from coupons.services import Terms, code_create_shared
from shop.cart import Cart
from shop.services import ShippingAddress, cart_add, order_place

LEEDS = ShippingAddress(
    name="Alice Archer", street="12 Briggate", city="Leeds", postcode="LS1 6HD", country="GB"
)


def make_code(
    code: str = "SPRING5",
    *,
    kind: str = DiscountKind.PERCENT,
    value="10",
    min_order="0",
    max_uses: int = 100,
    valid_from=None,
    valid_until=None,
    campaign=None,
    **fields,
) -> CouponCode:
    now = timezone.now()
    coupon = code_create_shared(
        code=code,
        terms=Terms(
            kind=kind,
            value=Decimal(value),
            min_order=Decimal(min_order),
            valid_from=valid_from or now - timedelta(days=1),
            valid_until=valid_until,
            max_uses=max_uses,
        ),
        campaign=campaign,
    )
    if fields:
        CouponCode.objects.filter(pk=coupon.pk).update(**fields)
        coupon.refresh_from_db()
    return coupon


def place_order(profile, product, *, quantity: int = 1, coupon_code: str = "", address=LEEDS):
    cart = Cart(SessionStore())
    cart_add(cart=cart, product_id=product.pk, quantity=quantity)
    return order_place(
        profile=profile,
        cart=cart,
        address=address,
        payment_method="invoice",
        checkout_token=uuid.uuid4(),
        coupon_code=coupon_code,
    )
