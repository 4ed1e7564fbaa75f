"""The coupons' part of "download my data" and "delete my account"."""

from django.db import transaction

from coupons.models import CouponCode, Redemption
from profiles.models import CustomerProfile


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_personal_data(*, profile: CustomerProfile) -> dict:
    """The codes printed for the customer and every coupon they used."""
    codes = CouponCode.objects.filter(profile=profile).select_related("campaign").order_by("pk")
    redemptions = (
        Redemption.objects.filter(profile=profile)
        .select_related("code", "order")
        .order_by("redeemed_at", "pk")
    )
    return {
        "personal_codes": [
            {
                "code": code.display_code,
                "gives": code.describe,
                "campaign": code.campaign.name if code.campaign else None,
                "valid_until": _iso(code.valid_until),
                "used": code.uses >= code.max_uses,
            }
            for code in codes
        ],
        "redemptions": [
            {
                "code": redemption.code.display_code,
                "order": redemption.order.number,
                "discount": str(redemption.discount),
                "order_total": str(redemption.order_total),
                "redeemed_at": _iso(redemption.redeemed_at),
            }
            for redemption in redemptions
        ],
    }


@transaction.atomic
def erase_personal_data(*, profile: CustomerProfile) -> int:
    """Redemptions stay for the aggregates without their customer; codes printed for the
    customer lose their owner and stop working (nobody else may use them)."""
    redemptions = Redemption.objects.filter(profile=profile).update(profile=None)
    codes = CouponCode.objects.filter(profile=profile).update(
        profile=None, recipient=None, active=False
    )
    return redemptions + codes
