"""Writes for coupons: making codes, checking them, redeeming them inside the order's
transaction, and preparing and mailing direct-mail drops.

The shop calls `coupon_redeem` from inside `order_place`'s transaction; the code's row
is locked first (SELECT ... FOR UPDATE), so a single-use code sent by two checkouts at
the same moment is redeemed exactly once: the second waits for the first to commit, then
finds the code used up and fails with a clear message, and its order rolls back.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignStatus, Channel, Recipient
from coupons import selectors
from coupons.models import (
    ALPHABET,
    CODE_LENGTH,
    CODE_MAX_LENGTH,
    CouponCode,
    DiscountKind,
    MailDrop,
    Redemption,
)
from profiles import services as profile_services
from profiles.models import CustomerProfile, Kind, Source
from profiles.throttle import throttle_blocked, throttle_hit

CENT = Decimal("0.01")
INSERT_BATCH = 2000

# Guessing: so many failed codes per session and per account, then a pause.
GUESS_LIMIT = 10
GUESS_WINDOW_SECONDS = 15 * 60

# The shopper's words for every reason a code does not work. None of them repeats the
# code, and "unknown" also covers switched-off codes, so a guess learns nothing more.
MESSAGES = {
    "empty": "Please enter the code printed on your card or letter.",
    "malformed": "A coupon code has only letters and digits (dashes and spaces are fine).",
    "unknown": "We don't recognise that code. Please check it and try again.",
    "not_yet": "That code is not valid yet: you can use it from {start}.",
    "expired": "That code has expired: it was valid until {end}.",
    "exhausted": "That code has been used as many times as it may be.",
    "used": "You have already used that code: it works once per customer.",
    "not_yours": "That code was printed for another customer and only works for them.",
    "minimum": "That code needs an order of at least £{minimum}; your order comes to £{subtotal}.",
    "too_small": "On an order of £{subtotal} that code takes off less than a penny, so it "
    "is not applied. It gives more on a larger order.",
    "throttled": (
        "Too many codes tried that did not work. For your security we won't check any more "
        "for a while: please try again in 15 minutes."
    ),
}


class CouponError(ValidationError):
    """The code cannot be used; the message says why in the shopper's words."""

    def __init__(self, reason: str, **values):
        self.reason = reason
        super().__init__(MESSAGES[reason].format(**values), code=reason)


# --- Codes ---------------------------------------------------------------------------


def code_normalise(raw: str) -> str:
    """What the customer typed, as stored: upper case, without spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t\n\r\u2010\u2011\u2013")


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def codes_generate(count: int, *, taken: Iterable[str] = ()) -> list[str]:
    """`count` new random codes, distinct from each other and from `taken`.

    31 characters to the power 8 is 8.5e11 codes, so at 100,000 a repeat is rare and
    simply drawn again.
    """
    seen = set(taken)
    codes: list[str] = []
    while len(codes) < count:
        code = code_generate()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def _existing(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), INSERT_BATCH):
        found.update(
            CouponCode.objects.filter(code__in=codes[start : start + INSERT_BATCH]).values_list(
                "code", flat=True
            )
        )
    return found


@dataclass(frozen=True)
class Terms:
    """What a batch of codes gives and when."""

    kind: str
    value: Decimal
    min_order: Decimal = Decimal("0.00")
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int = 1


def codes_create(
    *,
    count: int,
    terms: Terms,
    campaign: Campaign | None = None,
    drop: MailDrop | None = None,
    owners: list[Recipient] | None = None,
) -> list[CouponCode]:
    """Make `count` unique single-purpose codes in bulk (one per owner when given).

    Candidates already in the table are drawn again before inserting; a code inserted by
    a concurrent run in between makes the unique constraint fail, and the batch is
    simply made again.
    """
    if owners is not None:
        count = len(owners)
    valid_from = terms.valid_from or timezone.now()
    terms_check(terms, valid_from=valid_from)
    for _attempt in range(3):
        codes = codes_generate(count)
        taken = _existing(codes)
        while taken:
            codes = [c for c in codes if c not in taken]
            codes += codes_generate(count - len(codes), taken=set(codes) | taken)
            taken = _existing(codes)
        rows = [
            CouponCode(
                code=code,
                kind=terms.kind,
                value=terms.value,
                min_order=terms.min_order,
                valid_from=valid_from,
                valid_until=terms.valid_until,
                max_uses=terms.max_uses,
                campaign=campaign,
                drop=drop,
                recipient=owners[n] if owners is not None else None,
                profile_id=owners[n].profile_id if owners is not None else None,
            )
            for n, code in enumerate(codes)
        ]
        try:
            with transaction.atomic():
                return CouponCode.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        except IntegrityError:
            if not _existing(codes):
                raise  # not a code someone made meanwhile: a real fault, not luck
            continue
    raise RuntimeError("Could not make unique coupon codes; try again.")


def terms_check(terms: Terms, *, valid_from: datetime) -> None:
    """Refuse terms no code could be made with, in words staff understand."""
    if terms.valid_until is not None and terms.valid_until <= valid_from:
        raise ValidationError(
            "The codes would have expired before anyone could use them: choose an end "
            "after they start, or leave the end empty."
        )


def code_create_shared(
    *, code: str, terms: Terms, campaign: Campaign | None = None, drop: MailDrop | None = None
) -> CouponCode:
    """A code of your own choosing for everybody (a whole piece, or the shop's welcome)."""
    normalised = code_normalise(code)
    if not normalised or not normalised.isalnum() or len(normalised) > CODE_MAX_LENGTH:
        raise ValidationError(MESSAGES["malformed"])
    if CouponCode.objects.filter(code=normalised).exists():
        raise ValidationError("That code exists already; choose another.")
    try:
        with transaction.atomic():
            return CouponCode.objects.create(
                code=normalised,
                kind=terms.kind,
                value=terms.value,
                min_order=terms.min_order,
                valid_from=terms.valid_from or timezone.now(),
                valid_until=terms.valid_until,
                max_uses=terms.max_uses,
                campaign=campaign,
                drop=drop,
                shared=drop is not None,
            )
    except IntegrityError as error:  # the same code, chosen a moment ago elsewhere
        raise ValidationError("That code exists already; choose another.") from error


# --- Checking and redeeming ------------------------------------------------------------


def discount_for(coupon: CouponCode, subtotal: Decimal) -> Decimal:
    """The money off `subtotal`: to the cent, half up, never more than the subtotal."""
    if coupon.kind == DiscountKind.PERCENT:
        discount = subtotal * coupon.value / Decimal(100)
    else:
        discount = coupon.value
    discount = min(discount, subtotal)
    return discount.quantize(CENT, rounding=ROUND_HALF_UP)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def coupon_validate(
    coupon: CouponCode, *, profile: CustomerProfile, subtotal: Decimal, now: datetime
) -> Decimal:
    """The discount `coupon` gives `profile` on `subtotal` now, or CouponError saying why."""
    # A drop's personal code whose owner is gone (erased) is dead, never anybody's.
    orphaned = coupon.drop_id is not None and not coupon.shared and coupon.profile_id is None
    if not coupon.active or orphaned:
        raise CouponError("unknown")
    if coupon.profile_id is not None and coupon.profile_id != profile.pk:
        raise CouponError("not_yours")
    if Redemption.objects.filter(code=coupon, profile=profile).exists():
        raise CouponError("used")
    if now < coupon.valid_from:
        raise CouponError("not_yet", start=_when(coupon.valid_from))
    if coupon.valid_until is not None and now >= coupon.valid_until:
        raise CouponError("expired", end=_when(coupon.valid_until))
    if coupon.uses >= coupon.max_uses:
        raise CouponError("exhausted")
    if subtotal < coupon.min_order:
        raise CouponError("minimum", minimum=coupon.min_order, subtotal=subtotal)
    discount = discount_for(coupon, subtotal)
    if discount <= 0:
        raise CouponError("too_small", subtotal=subtotal)
    return discount


def _checked_shape(code: str) -> str:
    normalised = code_normalise(code)
    if not normalised:
        raise CouponError("empty")
    if not normalised.isascii() or not normalised.isalnum() or len(normalised) > CODE_MAX_LENGTH:
        raise CouponError("malformed")
    return normalised


@dataclass(frozen=True)
class Quote:
    coupon: CouponCode
    discount: Decimal
    subtotal: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount


def coupon_quote(
    *, code: str, profile: CustomerProfile, subtotal: Decimal, now: datetime | None = None
) -> Quote:
    """What the code would take off this subtotal now (nothing is written)."""
    now = now or timezone.now()
    coupon = selectors.coupon_get(code=_checked_shape(code))
    if coupon is None:
        raise CouponError("unknown")
    discount = coupon_validate(coupon, profile=profile, subtotal=subtotal, now=now)
    return Quote(coupon=coupon, discount=discount, subtotal=subtotal)


def _discount_affinity(profile: CustomerProfile) -> str:
    """Often, sometimes or rarely, from the share of the customer's orders with a coupon."""
    orders, redeemed = selectors.orders_and_redemptions(profile=profile)
    # The order being placed has no touchpoint yet; its redemption has.
    share = redeemed / (orders + 1)
    if share >= 0.5:
        return "Often"
    if share >= 0.2:
        return "Sometimes"
    return "Rarely"


def coupon_redeem(
    *,
    code: str,
    profile: CustomerProfile,
    order,
    subtotal: Decimal,
    now: datetime | None = None,
) -> Redemption:
    """Redeem `code` for `order` (a shop.Order, saved, not yet discounted), in the caller's
    transaction; raises CouponError and writes nothing when the code does not work.

    The caller sets the order's discount and total from the returned redemption. Writes
    a touchpoint, teaches the profile its discount affinity, and converts the campaign
    recipient the code was printed for.
    """
    now = now or timezone.now()
    normalised = _checked_shape(code)
    with transaction.atomic():
        # The lock serialises every checkout using this code until its order commits.
        coupon = (
            CouponCode.objects.select_for_update(of=("self",))
            .select_related("campaign", "recipient__campaign")
            .filter(code=normalised)
            .first()
        )
        if coupon is None:
            raise CouponError("unknown")
        discount = coupon_validate(coupon, profile=profile, subtotal=subtotal, now=now)
        claimed = CouponCode.objects.filter(pk=coupon.pk, uses__lt=F("max_uses")).update(
            uses=F("uses") + 1
        )
        if not claimed:
            raise CouponError("exhausted")
        total = subtotal - discount
        redemption = Redemption.objects.create(
            code=coupon,
            profile=profile,
            order=order,
            discount=discount,
            order_total=total,
            redeemed_at=now,
        )
        profile_services.record_touchpoint(
            profile,
            Kind.COUPON_REDEEMED,
            ref=redemption,
            amount=discount,
            occurred_at=now,
            summary=f"{coupon.describe} with order {order.number}"
            + (f" ({coupon.campaign.name})" if coupon.campaign else ""),
        )
        profile_services.learn(
            profile,
            "discount_affinity",
            _discount_affinity(profile),
            source=Source.COUPON,
            ref=redemption,
            observed_at=now,
        )
        recipient = coupon.recipient
        if recipient is None and coupon.campaign_id is not None:
            # A shared code on a whole piece: the customer it was mailed to converts.
            recipient = selectors.recipient_of(campaign_id=coupon.campaign_id, profile=profile)
        if recipient is not None:
            campaign_services.recipient_convert(recipient=recipient, amount=total, converted_at=now)
    return redemption


# --- Throttling guesses ----------------------------------------------------------------


def guess_keys(*, session_key: str, user_id: int | None) -> list[tuple[str, str]]:
    keys = [("coupon-session", session_key or "none")]
    if user_id is not None:
        keys.append(("coupon-account", str(user_id)))
    return keys


def guessing_blocked(*, session_key: str, user_id: int | None) -> bool:
    return any(
        throttle_blocked(scope, key, limit=GUESS_LIMIT)
        for scope, key in guess_keys(session_key=session_key, user_id=user_id)
    )


def guess_failed(*, session_key: str, user_id: int | None) -> None:
    """Count a code that did not work against the session and the account."""
    for scope, key in guess_keys(session_key=session_key, user_id=user_id):
        throttle_hit(scope, key, limit=GUESS_LIMIT, window_seconds=GUESS_WINDOW_SECONDS)


# --- Direct mail -----------------------------------------------------------------------

PAPER = (Channel.POSTCARD, Channel.LETTER)


def _paper_campaign(campaign: Campaign) -> None:
    if campaign.channel not in PAPER:
        raise ValidationError("Print files are for postcard and letter campaigns only.")


@transaction.atomic
@transaction.atomic
def mail_drop_prepare(
    *, campaign: Campaign, terms: Terms, now: datetime | None = None, shared_code: str = ""
) -> tuple[MailDrop, int]:
    """Choose the recipients of a paper campaign and give each a personal code, or give
    the whole piece one shared code (`shared_code`, e.g. "AUTUMN15").

    Only customers in the campaign's audience (its rules and direct-mail consent) with a
    postal address learned at checkout. Safe to repeat before mailing: newcomers to the
    audience get a code (or the shared one), nobody gets two. Returns the drop and how
    many codes are new.
    """
    _paper_campaign(campaign)
    drop, _ = MailDrop.objects.get_or_create(campaign=campaign)
    if drop.mailed_at is not None:
        raise ValidationError("This drop was mailed already; make a new campaign for another.")
    addressable = selectors.addressable_audience(campaign, now=now).values_list("pk", flat=True)
    # Only the addressable: recipients_create would add customers we cannot post to.
    Recipient.objects.bulk_create(
        [Recipient(campaign=campaign, profile_id=pk) for pk in addressable.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    shared = selectors.drop_shared_code(drop=drop)
    if shared_code or shared is not None:
        return drop, _prepare_shared(drop, terms=terms, code=shared_code, shared=shared)
    owners = list(
        Recipient.objects.filter(campaign=campaign, coupon_code__isnull=True, sent_at__isnull=True)
        .filter(profile_id__in=addressable)
        .order_by("pk")
    )
    codes_create(count=len(owners), terms=terms, campaign=campaign, drop=drop, owners=owners)
    return drop, len(owners)


def _prepare_shared(drop: MailDrop, *, terms: Terms, code: str, shared) -> int:
    """One code on every piece: usable once per customer, as many times as pieces go out
    (a postcard passed to a neighbour counts too)."""
    pieces = Recipient.objects.filter(campaign=drop.campaign, sent_at__isnull=True).count()
    if shared is not None:
        CouponCode.objects.filter(pk=shared.pk, max_uses__lt=max(pieces, 1)).update(
            max_uses=max(pieces, 1)
        )
        return 0
    if CouponCode.objects.filter(drop=drop).exists():
        raise ValidationError("This drop has personal codes already; it cannot share one too.")
    terms_check(terms, valid_from=terms.valid_from or timezone.now())
    code_create_shared(
        code=code,
        terms=replace(terms, max_uses=max(pieces, 1)),
        campaign=drop.campaign,
        drop=drop,
    )
    return 1


@transaction.atomic
def mail_drop_mark_mailed(
    *, drop: MailDrop, now: datetime | None = None, cost: Decimal | None = None
) -> MailDrop:
    """Record that the printed pieces went out (now, or when staff say): their number,
    their cost (the campaign's cost per piece unless the real bill is given), and each
    recipient as sent (so the campaign dashboards count the paper like e-mail)."""
    now = now or timezone.now()
    drop = MailDrop.objects.select_for_update().select_related("campaign").get(pk=drop.pk)
    if drop.mailed_at is not None:
        return drop
    campaign = drop.campaign
    pieces = Recipient.objects.filter(campaign=campaign, sent_at__isnull=True)
    if selectors.drop_shared_code(drop=drop) is None:
        pieces = pieces.filter(coupon_code__drop=drop)  # each piece has its personal code
    ids = list(pieces.order_by("pk").values_list("pk", flat=True))
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
        status=CampaignStatus.SENDING
    )
    result = campaign_services.campaign_send_batch(recipient_ids=ids, now=now)
    # Whoever withdrew consent since the print file was made is not counted, nor charged.
    drop.pieces = result.sent
    drop.cost = (campaign.cost_per_piece * result.sent if cost is None else cost).quantize(CENT)
    drop.mailed_at = now
    drop.save(update_fields=["pieces", "cost", "mailed_at"])
    # The drop is the send: whoever was not mailed now never will be, and a code printed
    # for someone whose consent was withdrawn meanwhile must not work.
    unsent = Recipient.objects.filter(campaign=campaign, sent_at__isnull=True)
    CouponCode.objects.filter(recipient__in=unsent).update(active=False)
    unsent.delete()
    campaign_services.campaign_finish_if_done(campaign=campaign, now=now)
    return drop


@transaction.atomic
def mail_drop_correct(*, drop: MailDrop, mailed_at: datetime, cost: Decimal) -> MailDrop:
    """Put right when a mailed drop went out and what it cost. Its recipients move with
    it (the campaign dashboards date the pieces by it), and so does the "sent" entry on
    each customer's timeline; a date after the first
    redemption of its codes cannot be right."""
    drop = MailDrop.objects.select_for_update().select_related("campaign").get(pk=drop.pk)
    if drop.mailed_at is None:
        raise ValidationError("This drop has not been mailed yet.")
    if cost < 0:
        raise ValidationError("A cost cannot be negative.")
    first = (
        Redemption.objects.filter(code__drop=drop)
        .order_by("redeemed_at")
        .values_list("redeemed_at", flat=True)
        .first()
    )
    if first is not None and mailed_at > first:
        raise ValidationError(
            "A code of this drop was redeemed on "
            f"{date_format(timezone.localtime(first), 'j F Y')}, so it was mailed before that."
        )
    pieces = Recipient.objects.filter(campaign=drop.campaign, sent_at=drop.mailed_at)
    profile_services.touchpoints_amend(
        kind=Kind.CAMPAIGN_SENT, refs=list(pieces.only("pk")), occurred_at=mailed_at
    )
    pieces.update(sent_at=mailed_at)
    drop.mailed_at = mailed_at
    drop.cost = cost.quantize(CENT)
    drop.save(update_fields=["mailed_at", "cost"])
    return drop
