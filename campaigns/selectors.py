"""Reads for campaigns: who a campaign may reach, and how its recipients responded."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from campaigns.models import Campaign, Recipient
from profiles.models import Consent, CustomerProfile, ProfileFact

CATEGORY_FACT_KEYS = ("favourite_categories", "categories_bought")
# Opens and clicks on e-mails older than this are not responses to the campaign any more;
# the link answers 404 and records nothing.
TRACKING_LIFETIME_DAYS = 365
# What `new_token` makes (URL-safe base64); anything else is refused before the database
# sees it (PostgreSQL answers a NUL in a compared string with an error, not "no match").
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def conversion_window() -> timedelta:
    return timedelta(days=settings.CAMPAIGN_CONVERSION_WINDOW_DAYS)


def audience_queryset(
    campaign: Campaign, *, now: datetime | None = None
) -> QuerySet[CustomerProfile]:
    """Every profile the campaign's rules select and whose consent for its channel is
    in force now (the latest Consent row for the purpose wins), as one SQL query."""
    now = now or timezone.now()
    latest_consent = (
        Consent.objects.filter(profile=OuterRef("pk"), purpose=campaign.purpose)
        .order_by("-recorded_at", "-pk")
        .values("granted")[:1]
    )
    profiles = CustomerProfile.objects.annotate(
        consent_granted=Subquery(latest_consent, output_field=BooleanField())
    ).filter(consent_granted=True, user__is_active=True)
    if campaign.channel == "email":
        profiles = profiles.exclude(user__email="")
    if campaign.segments:
        profiles = profiles.filter(buying_pattern__segment__in=campaign.segments)
    if campaign.min_trust:
        profiles = profiles.filter(trust_level__gte=campaign.min_trust)
    if campaign.min_orders:
        profiles = profiles.filter(buying_pattern__order_count__gte=campaign.min_orders)
    if campaign.last_order_within_days is not None:
        since = now - timedelta(days=campaign.last_order_within_days)
        profiles = profiles.filter(buying_pattern__last_order_at__gte=since)
    if campaign.last_order_before_days is not None:
        before = now - timedelta(days=campaign.last_order_before_days)
        profiles = profiles.filter(buying_pattern__last_order_at__lt=before)
    if campaign.category_interest.strip():
        # The facts are JSON lists; a case-insensitive match of whole words inside their
        # text form works the same on SQLite and PostgreSQL: "tea" finds "Tea & Coffee",
        # not "Steak knives".
        words = re.escape(" ".join(campaign.category_interest.split()))
        interested = (
            ProfileFact.objects.filter(
                profile=OuterRef("pk"),
                is_current=True,
                attribute__key__in=CATEGORY_FACT_KEYS,
            )
            .annotate(text=Cast("value", TextField()))
            .filter(text__iregex=rf"(^|\W){words}(\W|$)")
        )
        profiles = profiles.filter(Exists(interested))
    return profiles.order_by("pk")


def audience_preview(campaign: Campaign, *, now: datetime | None = None) -> int:
    return audience_queryset(campaign, now=now).count()


def consenting_recipients(recipients: QuerySet[Recipient], *, purpose: str) -> QuerySet[Recipient]:
    """The recipients whose consent for `purpose` is still in force (checked again at send)."""
    latest_consent = (
        Consent.objects.filter(profile=OuterRef("profile_id"), purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .values("granted")[:1]
    )
    return recipients.annotate(
        consent_granted=Subquery(latest_consent, output_field=BooleanField())
    ).filter(consent_granted=True)


def tracking_lifetime() -> timedelta:
    return timedelta(days=TRACKING_LIFETIME_DAYS)


def recipient_get_by_token(
    *, token: str, allow_expired: bool = False, now: datetime | None = None
) -> Recipient:
    """The recipient a response link belongs to; 404 for anything unknown or forged, for
    an erased customer's link, and (unless `allow_expired`) for a link older than the
    tracking lifetime.

    Unsubscribing passes `allow_expired`: withdrawing consent must work from any e-mail
    the customer still has, however old.
    """
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        raise Http404("No such link.")
    recipients = Recipient.objects.select_related("campaign__offer", "profile").filter(
        token=token, sent_at__isnull=False, profile__isnull=False
    )
    if not allow_expired:
        recipients = recipients.filter(sent_at__gt=(now or timezone.now()) - tracking_lifetime())
    recipient = recipients.first()
    if recipient is None:
        raise Http404("No such link.")
    return recipient


def _ignored_q(*, now: datetime) -> Q:
    # A converted recipient responded, even with no open or click seen: a postcard's coupon.
    return Q(
        sent_at__isnull=False,
        sent_at__lte=now - conversion_window(),
        opened_at__isnull=True,
        clicked_at__isnull=True,
        converted_at__isnull=True,
    )


def recipients_with_response(campaign: Campaign, *, now: datetime) -> QuerySet[Recipient]:
    """The campaign's recipients annotated with `ignored`: sent, the conversion window
    since sending is over, and never opened, clicked nor converted."""
    return Recipient.objects.filter(campaign=campaign).annotate(
        ignored=Case(
            When(_ignored_q(now=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def recipients_ignored(campaign: Campaign, *, now: datetime) -> QuerySet[Recipient]:
    return Recipient.objects.filter(_ignored_q(now=now), campaign=campaign)


def keyword_terms_by_campaign(campaign_ids: set[int]) -> dict[int, list[str]]:
    """Each campaign's keyword terms, in one query."""
    terms: dict[int, list[str]] = {}
    rows = (
        Campaign.keywords.through.objects.filter(campaign_id__in=campaign_ids)
        .order_by("keyword__term")
        .values_list("campaign_id", "keyword__term")
    )
    for campaign_id, term in rows:
        terms.setdefault(campaign_id, []).append(term)
    return terms
