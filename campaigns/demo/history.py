"""One sent demo campaign: its recipients, responses planned from their real orders,
and everything the services would have written for them (clicks, timeline, facts,
withdrawn consents, conversions)."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from campaigns import selectors
from campaigns.demo.plans import MIN_SHOWN, PAPER_ARRIVES_AFTER, RESPONSIVENESS, Plan
from campaigns.models import (
    CHANNEL_PURPOSE,
    Campaign,
    CampaignStatus,
    Channel,
    LinkClick,
    Recipient,
)
from campaigns.services import _merged, conversions_attribute, recipient_convert
from profiles import services as profile_services
from profiles.models import Consent, CustomerProfile, Kind, Purpose, Source, Touchpoint
from profiles.selectors import current_values
from profiles.services import origin_of


def consent_at(profile, purpose, *, granted: bool, at: datetime, source: Source) -> None:
    consent = profile_services.set_consent(
        profile, purpose, granted=granted, source=source, recorded_at=at
    )
    # The timeline entry is dated by the service "now"; the demo's choice was made then.
    Touchpoint.objects.filter(
        profile=profile, kind=Kind.CONSENT_CHANGED, origin=origin_of(consent)
    ).update(occurred_at=at)


def _orders_by_profile(profile_ids: Sequence[int]) -> dict[int, list[tuple[datetime, Decimal]]]:
    orders: dict[int, list[tuple[datetime, Decimal]]] = {}
    rows = (
        Touchpoint.objects.filter(profile_id__in=profile_ids, kind=Kind.ORDER_PLACED)
        .order_by("occurred_at", "pk")
        .values_list("profile_id", "occurred_at", "amount")
    )
    for profile_id, at, amount in rows:
        orders.setdefault(profile_id, []).append((at, amount or Decimal("0")))
    return orders


def _first_order(orders, start: datetime, end: datetime):
    return next(((at, amount) for at, amount in orders if start <= at < end), None)


def _send_moment(plan: Plan, audience, orders, now) -> datetime:
    """The morning, near the planned day, after which most of the audience ordered: a
    campaign is sent when the shop expects orders, and the demo needs a few to show."""
    window = selectors.conversion_window() - timedelta(days=1)
    best, best_buyers = None, -1
    for days_ago in range(plan.days_ago + 7, plan.days_ago - 8, -1):
        moment = timezone.localtime(now - timedelta(days=days_ago)).replace(
            hour=9, minute=30, second=0, microsecond=0
        )
        buyers = sum(
            1
            for profile in audience
            if profile.created_at < moment
            and _first_order(orders.get(profile.pk, ()), moment, moment + window)
        )
        if buyers > best_buyers:
            best, best_buyers = moment, buyers
    return best


def _weighted_pick(rng, people: list, k: int) -> list:
    """k of `people`, the responsive ones likelier (no repeats)."""
    pool = list(people)
    picked = []
    while pool and len(picked) < k:
        weights = [RESPONSIVENESS.get(_segment(p), 1.0) for p in pool]
        person = rng.choices(pool, weights=weights)[0]
        pool.remove(person)
        picked.append(person)
    return picked


def _segment(profile) -> str | None:
    pattern = getattr(profile, "buying_pattern", None)
    return pattern.segment if pattern is not None else None


def _audience(campaign: Campaign, profiles, at: datetime) -> list[CustomerProfile]:
    """Those of the demo's people in the campaign's audience now who had joined, and
    said yes to its channel, by `at`."""
    allowed = set(selectors.audience_queryset(campaign, now=at).values_list("pk", flat=True))
    latest: dict[int, bool] = {}
    consents = (
        Consent.objects.filter(profile__in=allowed, purpose=campaign.purpose, recorded_at__lte=at)
        .order_by("recorded_at", "pk")
        .values_list("profile_id", "granted")
    )
    for profile_id, granted in consents:
        latest[profile_id] = granted
    return [p for p in profiles if latest.get(p.pk) and p.created_at < at]


def campaign_seed(plan: Plan, *, offers, keywords, profiles, rng: random.Random, now: datetime):
    """Create the campaign, send it (on paper) to the demo people it may reach on the
    day chosen, and record their responses; returns the campaign and its recipients."""
    campaign = Campaign.objects.create(
        name=plan.name,
        channel=plan.channel,
        offer=offers[plan.offer],
        subject=plan.subject if plan.channel == Channel.EMAIL else "",
        body_text=plan.body(),
        cost_per_piece=plan.cost,
        status=CampaignStatus.DRAFT,
    )
    campaign.keywords.set([keywords[term] for term in plan.keywords])
    everybody = _audience(campaign, profiles, now)
    orders = _orders_by_profile([p.pk for p in everybody])
    sent = _send_moment(plan, everybody, orders, now)
    audience = _audience(campaign, everybody, sent)
    rows = _plan_responses(plan, campaign, audience, orders, sent, rng)
    recipients = Recipient.objects.bulk_create([row for row, _ in rows])
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENT,
        created_at=sent - timedelta(days=3),
        scheduled_at=sent,
        sent_at=sent,
    )
    campaign.refresh_from_db()
    clicks = _clicks(plan, recipients, keywords, rng)
    _timeline(campaign, recipients, clicks)
    _learn_likes(campaign, clicks)
    _unsubscribe(campaign, recipients)
    _convert(campaign, plan, rows, recipients, now)
    return campaign, recipients


def _plan_responses(plan: Plan, campaign, audience, orders, sent: datetime, rng):
    """One unsaved Recipient per customer with its response times, and the order that
    the campaign converts (None for the others)."""
    paper = plan.channel != Channel.EMAIL
    window = selectors.conversion_window()
    arrives = sent + PAPER_ARRIVES_AFTER if paper else sent
    buyers, others = [], []
    # An order within the hour of an e-mail leaves no time to open it first: not counted.
    start = arrives if paper else arrives + timedelta(hours=1)
    end = sent + window - timedelta(days=1)
    for profile in audience:
        order = _first_order(orders.get(profile.pk, ()), start, end)
        (buyers if order else others).append((profile, order))
    rng.shuffle(buyers)
    converting = max(MIN_SHOWN, round(plan.converting * len(buyers)))
    converters, left_out = buyers[:converting], buyers[converting:]
    people = [profile for profile, _ in others]
    responders = set(_weighted_pick(rng, people, max(MIN_SHOWN, round(plan.opened * len(people)))))
    ordered = [p for p in people if p in responders]
    rng.shuffle(ordered)
    clickers = set(ordered[: max(MIN_SHOWN, round(plan.clicked * len(ordered)))])
    quiet = [p for p in people if p not in responders]
    rng.shuffle(quiet)
    leaving = set(quiet[: max(MIN_SHOWN, round(plan.unsubscribed * len(people)))])

    rows = []
    for profile, order in converters:
        at, amount = order
        row = Recipient(campaign=campaign, profile=profile, sent_at=sent)
        before = (at - arrives).total_seconds()
        response = at - timedelta(seconds=rng.uniform(0.1, 0.9) * min(before, 2 * 86400))
        if not paper or rng.random() < 0.5:
            # Paper converters redeem the printed coupon; half of them scanned its code first.
            row.opened_at = response
            if rng.random() < 0.8 or paper:
                row.clicked_at = response + timedelta(minutes=rng.randint(1, 4))
                if row.clicked_at >= at:
                    row.clicked_at = row.opened_at
        rows.append((row, (at, amount) if paper else None))
    for profile, _ in left_out:
        # Bought anyway, the campaign unseen: not its conversion, and no response.
        rows.append((Recipient(campaign=campaign, profile=profile, sent_at=sent), None))
    for profile in people:
        row = Recipient(campaign=campaign, profile=profile, sent_at=sent)
        if profile in responders:
            row.opened_at = arrives + _response_delay(rng)
            if profile in clickers:
                row.clicked_at = row.opened_at + timedelta(minutes=rng.randint(1, 20))
        elif profile in leaving:
            if not paper:
                row.opened_at = arrives + _response_delay(rng)
            row.unsubscribed_at = (row.opened_at or arrives) + timedelta(
                minutes=rng.randint(2, 600)
            )
        rows.append((row, None))
    rows.sort(key=lambda pair: pair[0].profile.pk)
    return rows


def _response_delay(rng) -> timedelta:
    """Most people open a campaign the day it arrives; a few days later, fewer."""
    roll = rng.random()
    if roll < 0.6:
        return timedelta(minutes=rng.randint(20, 8 * 60))
    if roll < 0.9:
        return timedelta(days=1, minutes=rng.randint(0, 10 * 60))
    return timedelta(days=rng.randint(2, 6), minutes=rng.randint(0, 10 * 60))


def _clicks(plan: Plan, recipients, keywords, rng) -> list[LinkClick]:
    """Each clicker clicks one or both links; each link gets enough customers to show."""
    clickers = [recipient for recipient in recipients if recipient.clicked_at is not None]
    chosen = {recipient.pk: [] for recipient in clickers}
    for recipient in clickers:
        for link, chance in zip(plan.links, (0.75, 0.6), strict=False):
            if rng.random() < chance:
                chosen[recipient.pk].append(link)
        if not chosen[recipient.pk]:
            chosen[recipient.pk].append(rng.choice(plan.links))
    for link in plan.links:
        missing = [r for r in clickers if link not in chosen[r.pk]]
        rng.shuffle(missing)
        short = MIN_SHOWN - (len(clickers) - len(missing))
        for recipient in missing[: max(0, short)]:
            chosen[recipient.pk].append(link)
    clicks = []
    for recipient in clickers:
        at = recipient.clicked_at
        for _, path, term in chosen[recipient.pk]:
            clicks.append(
                LinkClick(recipient=recipient, keyword=keywords[term], url=path, clicked_at=at)
            )
            at += timedelta(minutes=rng.randint(1, 15))
    return LinkClick.objects.bulk_create(clicks)


def _timeline(campaign: Campaign, recipients, clicks) -> None:
    """The timeline entries the services write for each send, open, click and
    unsubscribe, with the same origins, so a later real response is not recorded twice."""
    ref_type = ContentType.objects.get_for_model(Recipient)
    label = f"the campaign “{campaign.name}”"[:200]
    first_click = {}
    for click in sorted(clicks, key=lambda c: (c.clicked_at, c.pk)):
        first_click.setdefault(click.recipient_id, click)
    points = []

    def point(recipient, kind, at, summary, origin=None):
        points.append(
            Touchpoint(
                profile_id=recipient.profile_id,
                kind=kind,
                occurred_at=at,
                summary=summary[:200],
                ref_type=ref_type,
                ref_id=str(recipient.pk),
                ref_label=label,
                origin=origin or origin_of(recipient),
            )
        )

    purpose = Purpose(campaign.purpose).label.lower()
    for recipient in recipients:
        point(
            recipient,
            Kind.CAMPAIGN_SENT,
            recipient.sent_at,
            f"{campaign.get_channel_display()}: {campaign.name}",
        )
        if recipient.opened_at and campaign.channel == Channel.EMAIL:
            point(recipient, Kind.CAMPAIGN_OPENED, recipient.opened_at, f"Opened: {campaign.name}")
        click = first_click.get(recipient.pk)
        if click is not None:
            point(
                recipient,
                Kind.CAMPAIGN_CLICKED,
                click.clicked_at,
                f"Clicked in {campaign.name}",
                origin=f"{origin_of(recipient)}:click:{click.url}"[:200],
            )
        if recipient.unsubscribed_at:
            point(
                recipient,
                Kind.CAMPAIGN_UNSUBSCRIBED,
                recipient.unsubscribed_at,
                f"Unsubscribed from {purpose}",
            )
    Touchpoint.objects.bulk_create(points, batch_size=500)


def _learn_likes(campaign: Campaign, clicks) -> None:
    """What recipient_click teaches: the offer kinds and keywords the customer responds to."""
    kind = campaign.offer.get_kind_display()
    by_recipient: dict[int, list[LinkClick]] = {}
    for click in sorted(clicks, key=lambda c: (c.clicked_at, c.pk)):
        by_recipient.setdefault(click.recipient_id, []).append(click)
    for recipient_clicks in by_recipient.values():
        profile = recipient_clicks[0].recipient.profile
        for click in recipient_clicks:
            known = current_values(profile, ["offer_kinds_liked", "keywords_liked"])
            profile_services.learn(
                profile,
                "offer_kinds_liked",
                _merged(known.get("offer_kinds_liked"), kind),
                source=Source.CAMPAIGN,
                ref=click,
                observed_at=click.clicked_at,
            )
            profile_services.learn(
                profile,
                "keywords_liked",
                _merged(known.get("keywords_liked"), click.keyword.term),
                source=Source.CAMPAIGN,
                ref=click,
                observed_at=click.clicked_at,
            )


def _unsubscribe(campaign: Campaign, recipients) -> None:
    purpose = CHANNEL_PURPOSE[Channel(campaign.channel)]
    for recipient in recipients:
        if recipient.unsubscribed_at:
            consent_at(
                recipient.profile,
                purpose,
                granted=False,
                at=recipient.unsubscribed_at,
                source=Source.CAMPAIGN,
            )


def _convert(campaign: Campaign, plan: Plan, rows, recipients, now) -> None:
    """Paper: the coupons redeemed with an order in the window (recipient_convert). Then,
    for every channel, what `conversions_attribute` finds after an open or click."""
    for (_, order), recipient in zip(rows, recipients, strict=True):
        if order is not None:
            at, amount = order
            recipient_convert(recipient=recipient, amount=amount, converted_at=at)
    conversions_attribute(campaign=campaign, now=now)
