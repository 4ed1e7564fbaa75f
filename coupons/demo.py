"""The demo coupons for `manage.py seed_demo`: the public code WELCOME10 for trying the
checkout, and a postcard and a letter drop with personal codes and redemptions.

The redemptions point at orders the shop demo already made (the first order each chosen
customer placed after the piece was mailed, within the code's validity), and those
orders get the discount taken off their total, as checkout would have. Safe to run again.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignStatus, Channel, Offer, OfferKind, Recipient
from coupons import services
from coupons.models import CouponCode, DiscountKind, MailDrop, Redemption
from profiles import services as profile_services
from profiles.models import Consent, CustomerProfile, Kind, Purpose, Source

Out = Callable[[str], None]

WELCOME_CODE = "WELCOME10"
DEMO_PREFIX = "demo-customer-"
SEED = 6
OFFER_NAME = "Money off with a printed code"
BODY = "Hello {first_name},\n\nyour personal code is printed on this piece: use it at checkout.\n"
# Share of the demo customers with an address who said yes to post.
DIRECT_MAIL_SHARE = 0.7
VALID_DAYS = 90


@dataclass(frozen=True)
class Piece:
    name: str
    channel: str
    cost_per_piece: Decimal
    kind: str
    value: Decimal
    mailed_days_ago: int
    redeem_share: float


POSTCARD_NAME = "Coupons demo: spring postcard"
LETTER_NAME = "Coupons demo: thank-you letter"
PIECES = [
    # A postcard's fiver covers the delivery it offers; a letter's ten percent its discount.
    Piece(POSTCARD_NAME, Channel.POSTCARD, Decimal("0.65"), "fixed", Decimal(5), 150, 0.4),
    Piece(LETTER_NAME, Channel.LETTER, Decimal("1.20"), "percent", Decimal(10), 100, 0.3),
]


def _paper_names() -> tuple[str, ...]:
    from campaigns import demo as campaigns_demo

    return (*getattr(campaigns_demo, "PAPER_CAMPAIGNS", ()), *(p.name for p in PIECES))


def _welcome(now) -> bool:
    if CouponCode.objects.filter(code=WELCOME_CODE).exists():
        return False
    services.code_create_shared(
        code=WELCOME_CODE,
        terms=services.Terms(
            kind=DiscountKind.PERCENT,
            value=Decimal("10"),
            valid_from=now - timedelta(days=30),
            valid_until=now + timedelta(days=3650),
            max_uses=1_000_000,
        ),
    )
    return True


def _direct_mail_consents(rng: random.Random) -> int:
    """Some demo customers later ticked "post" in their privacy centre (registration does
    not offer it); whoever decided there already is left alone."""
    asked = Consent.objects.filter(purpose=Purpose.DIRECT_MAIL, source=Source.CUSTOMER).values(
        "profile_id"
    )
    profiles = (
        CustomerProfile.objects.filter(user__username__startswith=DEMO_PREFIX)
        .exclude(pk__in=asked)
        .order_by("pk")
    )
    granted = 0
    for profile in profiles:
        if rng.random() < DIRECT_MAIL_SHARE:
            profile_services.set_consent(
                profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER
            )
            granted += 1
    return granted


def _campaign(piece: Piece, offer: Offer) -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        name=piece.name,
        defaults={
            "channel": piece.channel,
            "offer": offer,
            "body_text": BODY,
            "cost_per_piece": piece.cost_per_piece,
        },
    )
    return campaign


def _redeem_from_history(code: CouponCode, order) -> bool:
    """A redemption for an order already placed: what coupon_redeem would have written."""
    discount = services.discount_for(code, order.subtotal)
    profile, recipient, campaign = code.profile, code.recipient, code.campaign
    if discount <= 0 or profile is None or recipient is None or campaign is None:
        return False
    # The order as checkout would have left it: the discount taken off its total.
    order.discount, order.total = discount, order.subtotal - discount
    order.discount_code = code.display_code
    type(order).objects.filter(pk=order.pk).update(
        discount=order.discount, total=order.total, discount_code=order.discount_code
    )
    # Its "order placed" entry on the timeline says what was paid, as checkout's would.
    profile_services.touchpoints_amend(kind=Kind.ORDER_PLACED, refs=[order], amount=order.total)
    redemption = Redemption.objects.create(
        code=code,
        profile=profile,
        order=order,
        discount=discount,
        order_total=order.total,
        redeemed_at=order.placed_at,
    )
    CouponCode.objects.filter(pk=code.pk).update(uses=F("uses") + 1)
    profile_services.record_touchpoint(
        profile,
        Kind.COUPON_REDEEMED,
        ref=redemption,
        amount=discount,
        occurred_at=order.placed_at,
        summary=f"{code.describe} with order {order.number} ({campaign.name})",
    )
    profile_services.learn(
        profile,
        "discount_affinity",
        "Sometimes",
        source=Source.COUPON,
        ref=redemption,
        observed_at=order.placed_at,
    )
    if not campaign_services.recipient_convert(
        recipient=recipient, amount=order.total, converted_at=order.placed_at
    ):
        # Converted already by the campaigns demo, at the order's full price.
        Recipient.objects.filter(pk=recipient.pk).update(conversion_amount=order.total)
    return True


def _made_before(drop: MailDrop, mailed_at) -> None:
    """A drop's codes are made before it is mailed, in the demo's history too."""
    MailDrop.objects.filter(pk=drop.pk).update(created_at=mailed_at - timedelta(days=2))


def _own_drop(piece: Piece, offer: Offer, now, rng: random.Random) -> tuple[int, int]:
    """A drop of the coupons demo's own campaign, when the campaigns demo has no paper."""
    campaign = _campaign(piece, offer)
    if MailDrop.objects.filter(campaign=campaign, mailed_at__isnull=False).exists():
        return 0, 0
    mailed_at = now - timedelta(days=piece.mailed_days_ago)
    terms = _terms(piece, mailed_at)
    drop, _ = services.mail_drop_prepare(campaign=campaign, terms=terms, now=mailed_at)
    _made_before(drop, mailed_at)
    drop = services.mail_drop_mark_mailed(drop=drop, now=mailed_at)
    codes = list(_personal_codes(drop))
    chosen = [code for code in codes if rng.random() < piece.redeem_share]
    first: dict[int, object] = {}
    for order in _orders(
        profile_ids=[code.profile_id for code in chosen],
        placed_at__gte=mailed_at,
        placed_at__lt=terms.valid_until,
    ):
        first.setdefault(order.profile_id, order)
    redeemed = sum(
        _redeem_from_history(code, first[code.profile_id])
        for code in chosen
        if code.profile_id in first
    )
    return drop.pieces, redeemed


def _terms(piece: Piece, mailed_at) -> services.Terms:
    return services.Terms(
        kind=piece.kind,
        value=piece.value,
        valid_from=mailed_at,
        valid_until=mailed_at + timedelta(days=VALID_DAYS),
    )


def _personal_codes(drop: MailDrop):
    return (
        CouponCode.objects.filter(drop=drop, recipient__isnull=False)
        .select_related("recipient__campaign", "recipient__profile", "campaign", "profile")
        .order_by("pk")
    )


def _orders(*, profile_ids, **filters):
    order_model = apps.get_model("shop", "Order")  # by name: coupons never import the shop
    return order_model.objects.filter(
        profile_id__in=profile_ids, redemption__isnull=True, **filters
    ).order_by("placed_at", "pk")


def _sent_campaign_drop(campaign: Campaign, piece: Piece) -> tuple[int, int]:
    """Print the personal codes of a paper campaign the campaigns demo already sent, and
    redeem the code of every recipient it converted, with the order that converted them."""
    recipients = list(
        Recipient.objects.filter(
            campaign=campaign, sent_at__isnull=False, profile__isnull=False
        ).order_by("pk")
    )
    if not recipients:
        return 0, 0
    mailed_at = campaign.sent_at or min(r.sent_at for r in recipients if r.sent_at)
    drop = MailDrop.objects.create(
        campaign=campaign,
        mailed_at=mailed_at,
        pieces=len(recipients),
        cost=(campaign.cost_per_piece * len(recipients)).quantize(Decimal("0.01")),
    )
    _made_before(drop, mailed_at)
    services.codes_create(
        count=len(recipients),
        terms=_terms(piece, mailed_at),
        campaign=campaign,
        drop=drop,
        owners=recipients,
    )
    converted = {(r.profile_id, r.converted_at) for r in recipients if r.converted_at is not None}
    orders = {
        (order.profile_id, order.placed_at): order
        for order in _orders(
            profile_ids=[profile_id for profile_id, _ in converted],
            placed_at__in=[at for _, at in converted],
        )
    }
    redeemed = 0
    for code in _personal_codes(drop):
        order = orders.get((code.profile_id, code.recipient.converted_at))
        if order is not None:
            redeemed += _redeem_from_history(code, order)
    return drop.pieces, redeemed


def _campaigns_demo_paper() -> list[Campaign]:
    """The sent postcard and letter of the campaigns demo that have no drop yet."""
    from campaigns import demo as campaigns_demo

    names = getattr(campaigns_demo, "PAPER_CAMPAIGNS", ())
    return list(
        Campaign.objects.filter(
            name__in=names, status=CampaignStatus.SENT, mail_drop__isnull=True
        ).order_by("pk")
    )


@transaction.atomic
def seed_demo_coupons(*, out: Out) -> str:
    now = timezone.now()
    rng = random.Random(SEED)
    if _welcome(now):
        out(f"  public code {WELCOME_CODE}: 10% off, for trying the checkout")
    sent_paper = _campaigns_demo_paper()
    for campaign in sent_paper:
        piece = next(p for p in PIECES if p.channel == campaign.channel)
        mailed, redeemed = _sent_campaign_drop(campaign, piece)
        out(f"  {campaign.name}: {mailed} personal codes printed, {redeemed} redeemed")
    has_paper = MailDrop.objects.filter(campaign__name__in=_paper_names()).exists()
    if not sent_paper and not has_paper:
        # No postcard or letter from the campaigns demo: mail the coupons demo's own.
        granted = _direct_mail_consents(rng)
        if granted:
            out(f"  {granted} demo customers said yes to post")
        offer, _ = Offer.objects.get_or_create(
            name=OFFER_NAME,
            defaults={"kind": OfferKind.DISCOUNT, "description": "Money off with a printed code."},
        )
        for piece in PIECES:
            mailed, redeemed = _own_drop(piece, offer, now, rng)
            if mailed:
                out(f"  {piece.name}: {mailed} pieces mailed, {redeemed} codes redeemed")
    drops = MailDrop.objects.filter(mailed_at__isnull=False).count()
    redemptions = Redemption.objects.count()
    return f"code {WELCOME_CODE}, {drops} mail drops, {redemptions} redemptions"
