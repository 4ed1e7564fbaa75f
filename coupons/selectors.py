"""Reads for coupons: finding a code, who a paper campaign can reach, the print file."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaigns.models import Campaign, Recipient
from campaigns.selectors import audience_queryset, consenting_recipients
from coupons.models import CouponCode, MailDrop
from profiles.models import CustomerProfile, Kind, ProfileFact, Source, Touchpoint

# The address a piece needs, all learned at checkout; the country is optional.
ADDRESS_KEYS = ("postal_street", "postal_city", "postal_postcode")
PRINT_KEYS = (*ADDRESS_KEYS, "postal_country")


def coupon_get(*, code: str) -> CouponCode | None:
    return CouponCode.objects.select_related("campaign").filter(code=code).first()


def orders_and_redemptions(*, profile: CustomerProfile) -> tuple[int, int]:
    """How many orders the customer placed and how many used a coupon, from the timeline
    (coupons never read the shop's tables)."""
    counts = Touchpoint.objects.filter(
        profile=profile, kind__in=[Kind.ORDER_PLACED, Kind.COUPON_REDEEMED]
    ).aggregate(
        orders=Count("pk", filter=Q(kind=Kind.ORDER_PLACED)),
        redeemed=Count("pk", filter=Q(kind=Kind.COUPON_REDEEMED)),
    )
    return counts["orders"], counts["redeemed"]


def _has_fact(key: str) -> Exists:
    return Exists(
        ProfileFact.objects.filter(
            profile=OuterRef("pk"),
            is_current=True,
            attribute__key=key,
            source=Source.PURCHASE,
        )
    )


def addressable_audience(
    campaign: Campaign, *, now: datetime | None = None
) -> QuerySet[CustomerProfile]:
    """The campaign's audience (its rules and direct-mail consent in force) who gave us a
    postal address at checkout, in one query."""
    profiles = audience_queryset(campaign, now=now)
    for key in ADDRESS_KEYS:
        profiles = profiles.filter(_has_fact(key))
    return profiles


@dataclass(frozen=True)
class PrintRow:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    code: str


def drop_shared_code(*, drop: MailDrop) -> CouponCode | None:
    """The one code printed on every piece of the drop, if it has one rather than
    personal codes."""
    return CouponCode.objects.filter(drop=drop, shared=True).first()


def print_rows(*, drop: MailDrop) -> list[PrintRow]:
    """One row per piece of the drop, with the name and address to print and its code
    (personal, or the shared one): three queries however many pieces."""
    shared = drop_shared_code(drop=drop)
    if shared is not None:
        pieces = Recipient.objects.filter(campaign=drop.campaign, profile__isnull=False)
        if not shared.active:
            pieces = pieces.none()
    else:
        pieces = Recipient.objects.filter(
            coupon_code__drop=drop, coupon_code__active=True, profile__isnull=False
        ).select_related("coupon_code")
    # Whoever withdrew direct-mail consent since the drop was prepared is not printed.
    pieces = consenting_recipients(pieces, purpose=drop.campaign.purpose)
    recipients = list(pieces.select_related("profile__user").order_by("profile__user__name", "pk"))
    profile_ids = [recipient.profile_id for recipient in recipients]
    address: dict[int, dict[str, str]] = {}
    facts = ProfileFact.objects.filter(
        profile_id__in=profile_ids, is_current=True, attribute__key__in=PRINT_KEYS
    ).values_list("profile_id", "attribute__key", "value")
    for profile_id, key, value in facts:
        address.setdefault(profile_id, {})[key] = str(value)
    rows = []
    for recipient in recipients:
        profile = recipient.profile
        if profile is None:  # excluded above; erased between the two queries
            continue
        known = address.get(profile.pk, {})
        rows.append(
            PrintRow(
                name=profile.user.name,
                street=known.get("postal_street", ""),
                city=known.get("postal_city", ""),
                postcode=known.get("postal_postcode", ""),
                country=known.get("postal_country", ""),
                code=(shared or recipient.coupon_code).display_code,
            )
        )
    return rows


def codes_for_profile(*, profile: CustomerProfile) -> QuerySet[CouponCode]:
    return CouponCode.objects.filter(profile=profile).select_related("campaign")


def recipient_of(*, campaign_id: int, profile: CustomerProfile) -> Recipient | None:
    """The customer's receipt of the campaign, if it was sent to them."""
    return (
        Recipient.objects.select_related("campaign")
        .filter(campaign_id=campaign_id, profile=profile, sent_at__isnull=False)
        .first()
    )
