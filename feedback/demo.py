"""Demo feedback for `manage.py seed_demo`: wishes, ideas, problems and praise from the
demo customers over the last months, so the wish list has topics worth showing."""

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from feedback.models import FeedbackItem, FeedbackKind
from feedback.services import feedback_submit
from profiles.models import CustomerProfile

Out = Callable[[str], None]

SEED = 20_261_207
DEMO_PREFIX = "demo-customer-"
DEMO_SHOPPER = "demo-shopper"
HISTORY_DAYS = 180
GUEST_DOMAIN = "guest.example.net"
GUESTS = 12

# Each wish names its topic in the same words, as customers who want the same thing do;
# the weight says how often it is wished for, and `recent` wishes cluster in the last
# two months (gift wrapping before Christmas), so the trend has a shape.
WISHES = [
    (
        6,
        True,
        [
            "I wish you offered gift wrapping at checkout, ready for Christmas.",
            "Gift wrapping please! Most of what I buy here are presents.",
            "Would love gift wrapping with a handwritten card for birthdays.",
        ],
    ),
    (
        5,
        False,
        [
            "Evening delivery would help so much, I am at work all day.",
            "Please add evening delivery, my parcels keep going back to the depot.",
            "Evening delivery on weekdays would make ordering much easier for me.",
        ],
    ),
    (
        4,
        False,
        [
            "I wish you sold more loose leaf green tea, in bigger tins.",
            "More loose leaf green tea please, the sencha bags are not the same.",
        ],
    ),
    (
        3,
        True,
        [
            "A coffee subscription every month would be perfect for me.",
            "I would sign up for a coffee subscription straight away.",
        ],
    ),
    (
        3,
        False,
        [
            "Could you stock more gluten free baking books? My daughter is coeliac.",
            "A few more gluten free baking books would be lovely.",
        ],
    ),
    (
        2,
        False,
        [
            "Plastic free packaging please, the compost came wrapped in plastic.",
            "Please switch to plastic free packaging for the tea.",
        ],
    ),
]
IDEAS = [
    "Idea: a loyalty card with stamps, the tenth coffee bag free.",
    "Let me save a shareable wish list of books for my family.",
    "Show the delivery date on the product page, not only at checkout.",
    "Recipes on the kitchen product pages would help choosing a pan.",
]
PROBLEMS = [
    "The website search on my phone is slow and forgets my filters.",
    "My parcel arrived with a broken teapot lid.",
    "The delivery was two days late and nobody told me.",
    "The discount code did not work at checkout.",
]
PRAISE = [
    "Lovely service, the secateurs arrived the next day and work beautifully.",
    "Your customer care team sorted my return in a day, thank you!",
    "Best tea shop I know, the Darjeeling is wonderful.",
]
KINDS = [
    (FeedbackKind.WISH, 10),
    (FeedbackKind.IDEA, 3),
    (FeedbackKind.PROBLEM, 3),
    (FeedbackKind.PRAISE, 3),
]


def _text(kind: str, rng: random.Random) -> tuple[str, bool]:
    if kind == FeedbackKind.WISH:
        weight_list = [weight for weight, _, _ in WISHES]
        _, recent, texts = rng.choices(WISHES, weights=weight_list)[0]
        return rng.choice(texts), recent
    pools: dict[str, list[str]] = {FeedbackKind.IDEA: IDEAS, FeedbackKind.PROBLEM: PROBLEMS}
    pool = pools.get(kind, PRAISE)
    return rng.choice(pool), False


def _when(now, rng: random.Random, recent: bool, *, since=None):
    """A moment in the past months; never before the customer was first seen."""
    days = rng.uniform(0, 60) if recent else rng.uniform(0, HISTORY_DAYS)
    moment = now - timedelta(days=days, minutes=rng.randint(0, 600))
    if since is not None and moment < since:
        moment = since + (now - since) * rng.uniform(0.1, 0.9)
    return moment


@transaction.atomic
def seed_demo_feedback(*, out: Out) -> str:
    now = timezone.now()
    profiles = list(
        CustomerProfile.objects.filter(user__username__startswith=DEMO_PREFIX).order_by(
            "user__username"
        )
    ) or list(CustomerProfile.objects.filter(user__username=DEMO_SHOPPER))
    done = set(
        FeedbackItem.objects.filter(profile__in=profiles)
        .values_list("profile_id", flat=True)
        .distinct()
    )
    made = 0
    for index, profile in enumerate(profiles):
        # A generator per customer, so one customer's items never depend on another's.
        rng = random.Random(SEED + index)
        if profile.pk in done or rng.random() < 0.15:
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
            text, recent = _text(kind, rng)
            rating = rng.choice([None, 4, 5]) if kind == FeedbackKind.PRAISE else None
            feedback_submit(
                kind=kind,
                text=text,
                rating=rating,
                profile=profile,
                now=_when(now, rng, recent, since=profile.first_seen or profile.created_at),
            )
            made += 1
    made += _guests(now)
    total = FeedbackItem.objects.count()
    out(f"  feedback: {made} new item(s), {total} in all")
    return f"{total} feedback items"


def _guests(now) -> int:
    """A few guests who are not customers (so their items link to nobody)."""
    made = 0
    for n in range(GUESTS):
        identifier = f"visitor{n:02d}@{GUEST_DOMAIN}"
        if FeedbackItem.objects.filter(identifier=identifier).exists():
            continue
        rng = random.Random(SEED * 10 + n)
        kind = rng.choice([FeedbackKind.WISH, FeedbackKind.WISH, FeedbackKind.IDEA])
        text, recent = _text(kind, rng)
        feedback_submit(kind=kind, text=text, identifier=identifier, now=_when(now, rng, recent))
        made += 1
    return made
