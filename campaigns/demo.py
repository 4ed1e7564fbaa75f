"""The demo campaign material for `manage.py seed_demo`: offers, keywords, one draft."""

from collections.abc import Callable

from django.db import transaction

from campaigns.models import Campaign, Channel, Keyword, Offer, OfferKind

Out = Callable[[str], None]

OFFERS = [
    ("Ten percent off tea", OfferKind.DISCOUNT, "Ten percent off every tea for a week."),
    ("Free delivery weekend", OfferKind.FREE_DELIVERY, "No delivery charge this weekend."),
    ("The new arrivals", OfferKind.NEW_ARRIVALS, "What came in this month."),
]
KEYWORDS = ["tea", "books", "gifts", "kitchen"]
DEMO_CAMPAIGN = "Demo: the new arrivals"
BODY = (
    "Hello {first_name},\n\n"
    'this month brought new teas ([see the teas](/catalogue/?q=tea "tea")) and a shelf of '
    'new books ([see the books](/catalogue/?q=book "books")).\n\n'
    "The PatientCRM shop"
)


@transaction.atomic
def seed_demo_campaigns(*, out: Out) -> str:
    offers = {}
    for name, kind, description in OFFERS:
        offers[kind], _ = Offer.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description}
        )
    keywords = [Keyword.objects.get_or_create(term=term)[0] for term in KEYWORDS]
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
        campaign.keywords.set(keywords[:2])
        out(f"  draft campaign “{campaign}” ready to send from the admin")
    return f"{len(offers)} offers, {len(keywords)} keywords, 1 draft campaign"
