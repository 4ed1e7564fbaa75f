"""The demo campaign material for `manage.py seed_demo`: offers, keywords, one draft, and
five campaigns sent over the past months with the responses they drew.

The sent campaigns go to the demo customers the shop's demo registered (and the demo
shopper), each only to those whose consent covers its channel when it went out. Their
responses are planned from the customers' real order history, so that a conversion is
exactly what `conversions_attribute` finds (the first order within the window after the
first open or click) and a postcard's or letter's is a coupon redeemed with such an order
(`recipient_convert`, as the coupons app does). Everything is deterministic (a fixed
random seed, dates relative to today) and written in bulk; a second run adds nothing.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.demo.history import campaign_seed, consent_at
from campaigns.demo.plans import (
    AUTUMN_EMAIL,
    BODY,
    DEMO_CAMPAIGN,
    DEMO_CUSTOMER_PREFIX,
    DEMO_SHOPPER,
    DIRECT_MAIL_DAYS_AGO,
    DIRECT_MAIL_SHARE,
    KEYWORDS,
    LETTER_CAMPAIGN,
    MIN_SHOWN,
    OFFERS,
    PAPER_ARRIVES_AFTER,
    PAPER_CAMPAIGNS,
    PLANS,
    POSTCARD_CAMPAIGN,
    SEED,
    SENT_CAMPAIGNS,
    SPRING_EMAIL,
    SUMMER_EMAIL,
    Out,
)
from campaigns.models import Campaign, Channel, Keyword, Offer, OfferKind
from campaigns.services import ignored_record_all
from profiles.models import CustomerProfile, Purpose, Source

__all__ = [
    "AUTUMN_EMAIL",
    "DEMO_CAMPAIGN",
    "LETTER_CAMPAIGN",
    "MIN_SHOWN",
    "PAPER_ARRIVES_AFTER",
    "PAPER_CAMPAIGNS",
    "POSTCARD_CAMPAIGN",
    "SENT_CAMPAIGNS",
    "SPRING_EMAIL",
    "SUMMER_EMAIL",
    "seed_demo_campaigns",
]


@transaction.atomic
def seed_demo_campaigns(*, out: Out) -> str:
    offers = {}
    for name, kind, description in OFFERS:
        offers[kind], _ = Offer.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description}
        )
    keywords = {term: Keyword.objects.get_or_create(term=term)[0] for term in KEYWORDS}
    campaign, created = Campaign.objects.get_or_create(
        name=DEMO_CAMPAIGN,
        defaults={
            "channel": Channel.EMAIL,
            "offer": offers[OfferKind.NEW_ARRIVALS],
            "subject": "{first_name}, new things are in",
            "body_text": BODY,
        },
    )
    if created:
        campaign.keywords.set([keywords["tea"], keywords["books"]])
        out(f"  draft campaign “{campaign}” ready to send from the admin")
    sent = _seed_sent_campaigns(offers, keywords, out)
    return f"{len(offers)} offers, {len(keywords)} keywords, 1 draft campaign, {sent} sent"


def _demo_profiles() -> list[CustomerProfile]:
    return list(
        CustomerProfile.objects.filter(
            Q(user__username__startswith=DEMO_CUSTOMER_PREFIX) | Q(user__username=DEMO_SHOPPER)
        )
        .select_related("buying_pattern")
        .order_by("pk")
    )


def _seed_sent_campaigns(offers, keywords, out: Out) -> int:
    done = Campaign.objects.filter(name__in=SENT_CAMPAIGNS).count()
    if done:
        out(f"  {done} sent demo campaigns already there")
        return done
    profiles = _demo_profiles()
    if len(profiles) < 20:
        out("  no sent campaigns: they need the shop's demo customers (seed the shop first)")
        return 0
    rng = random.Random(SEED)
    now = timezone.now()
    _grant_direct_mail(profiles, rng, now)
    for plan in PLANS:
        campaign, recipients = campaign_seed(
            plan, offers=offers, keywords=keywords, profiles=profiles, rng=rng, now=now
        )
        out(f"  “{campaign}”: sent to {len(recipients)} customers")
    ignored = ignored_record_all(now=now)
    out(f"  {ignored} recipients who let a campaign pass recorded as ignored")
    return len(PLANS)


def _grant_direct_mail(profiles, rng, now) -> None:
    for profile in profiles:
        if rng.random() >= DIRECT_MAIL_SHARE:
            continue
        at = max(now - timedelta(days=DIRECT_MAIL_DAYS_AGO), profile.created_at) + timedelta(
            hours=rng.randint(1, 240)
        )
        consent_at(profile, Purpose.DIRECT_MAIL, granted=True, at=at, source=Source.CUSTOMER)
