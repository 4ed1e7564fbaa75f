"""Writes for campaigns: choosing recipients, sending, and recording every response.

Every response is written to the shared profile through `profiles.services`, keyed by
its origin so a repeated open, a retried task or a second run records nothing twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from campaigns import selectors
from campaigns.mail import campaign_message
from campaigns.models import (
    TERM_MAX_LENGTH,
    Campaign,
    CampaignStatus,
    Channel,
    Keyword,
    LinkClick,
    Recipient,
)
from campaigns.safety import safe_path
from campaigns.selectors import audience_preview, audience_queryset  # noqa: F401 - public API
from campaigns.tasks import send_campaign_batch_task
from profiles import services as profile_services
from profiles.background import enqueue_on_commit
from profiles.models import Kind, Purpose, Source, Touchpoint
from profiles.selectors import current_values
from profiles.services import MAX_LIST_ITEMS, origin_of

logger = logging.getLogger(__name__)


def recipients_create(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Add everyone in the audience who is not a recipient yet; returns how many are new.

    Safe to repeat: a customer is a campaign's recipient at most once.
    """
    before = Recipient.objects.filter(campaign=campaign).count()
    profile_ids = audience_queryset(campaign, now=now).values_list("pk", flat=True)
    Recipient.objects.bulk_create(
        [Recipient(campaign=campaign, profile_id=pk) for pk in profile_ids.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return Recipient.objects.filter(campaign=campaign).count() - before


def _unsent_ids(campaign: Campaign) -> list[int]:
    return list(
        Recipient.objects.filter(campaign=campaign, sent_at__isnull=True, profile__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), max(1, size))]


@transaction.atomic
def campaign_start(*, campaign: Campaign, now: datetime | None = None) -> list[int]:
    """Fix the recipients and mark the campaign as sending; returns the unsent ids.

    A sent campaign is finished: customers who joined the audience since are not added.
    """
    now = now or timezone.now()
    campaign.refresh_from_db(fields=["status"])
    if campaign.status == CampaignStatus.SENT:
        return []
    recipients_create(campaign=campaign, now=now)
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
        status=CampaignStatus.SENDING
    )
    campaign.refresh_from_db(fields=["status"])
    return _unsent_ids(campaign)


PAPER_GOES_BY_MAIL_DROP = (
    "A postcard or letter is not sent from here: make its mail drop (Coupons, Mail "
    "drops), print it, and mark the drop mailed; that records who it went to."
)


def _email_only(campaign: Campaign) -> None:
    if campaign.channel != Channel.EMAIL:
        raise ValidationError(PAPER_GOES_BY_MAIL_DROP)


def campaign_send(*, campaign: Campaign, batch: int | None = None) -> int:
    """Choose the recipients and enqueue their sending in batches, after commit.

    Returns how many recipients are queued. Re-running it is safe: only the unsent are
    queued, and each recipient is claimed before its e-mail goes, so nobody gets two.
    E-mail only: paper goes out by its mail drop.
    """
    _email_only(campaign)
    batch = batch or settings.CAMPAIGN_SEND_BATCH
    with transaction.atomic():
        ids = campaign_start(campaign=campaign)
        for chunk in _chunks(ids, batch):
            enqueue_on_commit(send_campaign_batch_task, recipient_ids=chunk)
    return len(ids)


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0


def campaign_send_batch(*, recipient_ids: list[int], now: datetime | None = None) -> BatchResult:
    """Send to each recipient not sent yet, claiming each first (compare-and-set) so a
    retried or duplicated task never mails anybody twice.

    Consent is checked again here: it may have been withdrawn since the recipients were
    chosen. Queries: 2 for the batch, then 4 per recipient (claim, touchpoint with its
    savepoint pair), and 2 to close a finished campaign.
    """
    now = now or timezone.now()
    result = BatchResult()
    # An erased customer's row has no profile and nobody to write to: skipped.
    candidates = Recipient.objects.filter(
        pk__in=recipient_ids, sent_at__isnull=True, profile__isnull=False
    )
    campaigns = {}
    rows = list(candidates.select_related("campaign", "profile__user").order_by("pk"))
    result.skipped = len(recipient_ids) - len(rows)
    allowed: set[int] = set()
    by_purpose: dict[str, list[int]] = {}
    for row in rows:
        campaigns[row.campaign_id] = row.campaign
        by_purpose.setdefault(row.campaign.purpose, []).append(row.pk)
    for purpose, ids in by_purpose.items():
        allowed.update(
            selectors.consenting_recipients(
                Recipient.objects.filter(pk__in=ids), purpose=purpose
            ).values_list("pk", flat=True)
        )
    connection = get_connection()
    with connection:
        for recipient in rows:
            if recipient.pk not in allowed:
                result.skipped += 1
                continue
            if _send_one(recipient, now=now, connection=connection):
                result.sent += 1
            else:
                result.skipped += 1
    for campaign in campaigns.values():
        campaign_finish_if_done(campaign=campaign, now=now)
    return result


def _send_one(recipient: Recipient, *, now: datetime, connection) -> bool:
    claimed = Recipient.objects.filter(pk=recipient.pk, sent_at__isnull=True).update(sent_at=now)
    if not claimed:
        return False
    recipient.sent_at = now
    campaign = recipient.campaign
    if campaign.channel == Channel.EMAIL:
        try:
            campaign_message(recipient, connection=connection).send()
        except Exception:
            # Give the claim back so the retried task sends it; nothing was delivered.
            Recipient.objects.filter(pk=recipient.pk, sent_at=now).update(sent_at=None)
            raise
    profile_services.record_touchpoint(
        recipient.profile,
        Kind.CAMPAIGN_SENT,
        ref=recipient,
        occurred_at=now,
        summary=f"{campaign.get_channel_display()}: {campaign.name}",
    )
    return True


def campaign_finish_if_done(*, campaign: Campaign, now: datetime) -> bool:
    # An erased customer's unsent row is never sent: it does not hold the campaign open.
    unsent = Recipient.objects.filter(
        campaign=campaign, sent_at__isnull=True, profile__isnull=False
    )
    if unsent.exists():
        return False
    return bool(
        Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.SENT, sent_at=now
        )
    )


def campaign_send_now(
    *,
    campaign: Campaign,
    batch: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Send in this process, batch after batch (for the management command)."""
    _email_only(campaign)
    batch = batch or settings.CAMPAIGN_SEND_BATCH
    ids = campaign_start(campaign=campaign)
    total = BatchResult()
    done = 0
    for chunk in _chunks(ids, batch):
        result = campaign_send_batch(recipient_ids=chunk)
        total.sent += result.sent
        total.skipped += result.skipped
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    campaign_finish_if_done(campaign=campaign, now=timezone.now())
    return total


def campaigns_send_due(*, now: datetime | None = None) -> int:
    """Start every e-mail campaign whose scheduled time has come; returns how many.

    Run every minute by beat. A campaign is started once: it leaves the draft state as
    it starts, so the next run passes it by.
    """
    now = now or timezone.now()
    due = Campaign.objects.filter(
        status=CampaignStatus.DRAFT, channel=Channel.EMAIL, scheduled_at__lte=now
    ).order_by("scheduled_at", "pk")
    started = 0
    for campaign in due:
        campaign_send(campaign=campaign)
        started += 1
    return started


# --- Responses -----------------------------------------------------------------------


def _response_origin(recipient: Recipient, what: str) -> str:
    return f"{origin_of(recipient)}:{what}"[:200]


@transaction.atomic
def recipient_open(*, recipient: Recipient, now: datetime | None = None) -> Recipient:
    """Record that the e-mail was opened; a repeated open records nothing more."""
    now = now or timezone.now()
    if Recipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(opened_at=now):
        recipient.opened_at = now
    # A late open is a response after all: no longer ignored (the timeline keeps both).
    Recipient.objects.filter(pk=recipient.pk, ignored_at__isnull=False).update(ignored_at=None)
    profile_services.record_touchpoint(
        recipient.profile,
        Kind.CAMPAIGN_OPENED,
        ref=recipient,
        occurred_at=recipient.opened_at or now,
        summary=f"Opened: {recipient.campaign.name}",
    )
    return recipient


def _merged(current: object, new: str) -> list[str]:
    known = current if isinstance(current, list) else []
    items = [new] + [item for item in known if item != new]
    return items[:MAX_LIST_ITEMS]


def _could_be_a_term(text: str | None) -> bool:
    # A tampered link's keyword: too long or with a control character (a NUL is an error
    # on PostgreSQL, not a miss) no keyword can have, so the click counts for none.
    return bool(
        text
        and len(text) <= TERM_MAX_LENGTH
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
    )


@transaction.atomic
def recipient_click(
    *, recipient: Recipient, path: str | None, keyword_term: str = "", now: datetime | None = None
) -> str:
    """Record a click on a tracked link and learn what the customer responds to.

    Returns where to send the browser: the link's path if it is this site's own,
    otherwise the home page.
    """
    now = now or timezone.now()
    target = safe_path(path) or "/"
    campaign = recipient.campaign
    keyword = None
    if _could_be_a_term(keyword_term):
        keyword = Keyword.objects.filter(term=keyword_term, campaigns=campaign).first()
    click = LinkClick.objects.create(
        recipient=recipient, keyword=keyword, url=target[:500], clicked_at=now
    )
    # A click proves the e-mail was opened, even when its images were blocked.
    Recipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(opened_at=now)
    if Recipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(clicked_at=now):
        recipient.clicked_at = now
    profile = recipient.profile
    profile_services.record_touchpoint(
        profile,
        Kind.CAMPAIGN_CLICKED,
        ref=recipient,
        origin=_response_origin(recipient, f"click:{target}"),
        occurred_at=now,
        summary=f"Clicked in {campaign.name}"[:200],
    )
    Recipient.objects.filter(pk=recipient.pk, ignored_at__isnull=False).update(ignored_at=None)
    _learn_response(
        profile,
        "liked",
        offer_kind=campaign.offer.get_kind_display(),
        terms=[keyword.term] if keyword is not None else [],
        ref=click,
        now=now,
    )
    return target


def _learn_response(profile, how: str, *, offer_kind: str, terms: list[str], ref, now) -> None:
    """Teach the profile an offer kind and keywords it responds to (`how` = "liked") or
    passes over ("ignored"), most recent first (source "campaign")."""
    keys = [f"offer_kinds_{how}", f"keywords_{how}"]
    known = current_values(profile, keys)
    learned = [(keys[0], offer_kind)] + [(keys[1], term) for term in terms]
    for key, item in learned:
        merged = _merged(known.get(key), item)
        if merged == known.get(key):
            continue  # already first in the list: nothing new to learn
        known[key] = merged
        profile_services.learn(
            profile, key, merged, source=Source.CAMPAIGN, ref=ref, observed_at=now
        )


@transaction.atomic
def recipient_unsubscribe(
    *, recipient: Recipient, ip_address: str | None = None, now: datetime | None = None
) -> Recipient:
    """Withdraw the consent the campaign's channel relied on; repeating it changes nothing."""
    now = now or timezone.now()
    if Recipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now
    ):
        recipient.unsubscribed_at = now
    purpose = recipient.campaign.purpose
    profile_services.set_consent(
        recipient.profile, purpose, granted=False, source=Source.CAMPAIGN, ip_address=ip_address
    )
    profile_services.record_touchpoint(
        recipient.profile,
        Kind.CAMPAIGN_UNSUBSCRIBED,
        ref=recipient,
        occurred_at=recipient.unsubscribed_at or now,
        summary=f"Unsubscribed from {Purpose(purpose).label.lower()}"[:200],
    )
    return recipient


# --- Conversions ---------------------------------------------------------------------


def conversions_attribute(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Record a conversion for every recipient who placed an order within the window
    after their first open or click; returns how many are new. Safe to repeat.

    The conversion is the first such order (its time and amount), read from the
    profile's `order_placed` touchpoints.
    """
    now = now or timezone.now()
    responded = (
        Recipient.objects.filter(
            campaign=campaign, converted_at__isnull=True, profile__isnull=False
        )
        .filter(Q(opened_at__isnull=False) | Q(clicked_at__isnull=False))
        .annotate(
            first_response=Least(
                Coalesce("opened_at", "clicked_at"), Coalesce("clicked_at", "opened_at")
            )
        )
        .annotate(
            window_end=ExpressionWrapper(
                F("first_response") + Value(selectors.conversion_window()),
                output_field=DateTimeField(),
            )
        )
    )
    orders = Touchpoint.objects.filter(
        profile=OuterRef("profile_id"),
        kind=Kind.ORDER_PLACED,
        occurred_at__gte=OuterRef("first_response"),
        occurred_at__lt=OuterRef("window_end"),
        occurred_at__lte=now,
    ).order_by("occurred_at", "pk")
    converted = (
        responded.annotate(
            order_at=Subquery(orders.values("occurred_at")[:1]),
            order_amount=Subquery(orders.values("amount")[:1]),
        )
        .filter(order_at__isnull=False)
        .select_related("campaign", "profile")
    )
    count = 0
    for recipient in converted:
        with transaction.atomic():
            claimed = Recipient.objects.filter(pk=recipient.pk, converted_at__isnull=True).update(
                converted_at=recipient.order_at, conversion_amount=recipient.order_amount
            )
            if not claimed:
                continue
            profile_services.record_touchpoint(
                recipient.profile,
                Kind.CAMPAIGN_CONVERTED,
                ref=recipient,
                occurred_at=recipient.order_at,
                amount=recipient.order_amount,
                summary=f"Ordered after {campaign.name}"[:200],
            )
            _learn_conversion(recipient, now=recipient.order_at)
            count += 1
    return count


@transaction.atomic
def recipient_convert(
    *, recipient: Recipient, amount: Decimal, converted_at: datetime | None = None
) -> bool:
    """Record a conversion known directly, such as a coupon printed for this recipient
    redeemed with an order; returns False if the recipient had already converted.

    Paper pieces have no opens or clicks, so this is how the dashboards count their
    responses like e-mail ones.
    """
    converted_at = converted_at or timezone.now()
    claimed = Recipient.objects.filter(pk=recipient.pk, converted_at__isnull=True).update(
        converted_at=converted_at, conversion_amount=amount
    )
    if not claimed:
        return False
    recipient.converted_at, recipient.conversion_amount = converted_at, amount
    if recipient.profile_id is None:
        # The customer was erased meanwhile: the figures count it, no timeline is left.
        return True
    profile_services.record_touchpoint(
        recipient.profile,
        Kind.CAMPAIGN_CONVERTED,
        ref=recipient,
        occurred_at=converted_at,
        amount=amount,
        summary=f"Ordered after {recipient.campaign.name}"[:200],
    )
    _learn_conversion(recipient, now=converted_at)
    return True


def _learn_conversion(recipient: Recipient, *, now: datetime) -> None:
    """An order after the campaign: its offer kind is one the customer responds to."""
    _learn_response(
        recipient.profile,
        "liked",
        offer_kind=recipient.campaign.offer.get_kind_display(),
        terms=[],
        ref=recipient,
        now=now,
    )


# --- Ignored -------------------------------------------------------------------------


IGNORED_BATCH = 500


def ignored_record_all(*, now: datetime | None = None) -> int:
    """Write the "ignored" response for every recipient whose conversion window passed
    with no open, click or conversion: a touchpoint, and the offer kind and keywords the
    customer passes over (source "campaign"). Each recipient once; returns how many."""
    now = now or timezone.now()
    pending = (
        Recipient.objects.filter(selectors._ignored_q(now=now))
        .filter(ignored_at__isnull=True, profile__isnull=False)
        .select_related("campaign__offer", "profile")
        .order_by("pk")
    )
    count = 0
    while batch := list(pending[:IGNORED_BATCH]):
        terms = selectors.keyword_terms_by_campaign({row.campaign_id for row in batch})
        for recipient in batch:
            count += _ignored_record(recipient, terms=terms.get(recipient.campaign_id, []), now=now)
    return count


@transaction.atomic
def _ignored_record(recipient: Recipient, *, terms: list[str], now: datetime) -> int:
    claimed = Recipient.objects.filter(pk=recipient.pk, ignored_at__isnull=True).update(
        ignored_at=now
    )
    if not claimed:
        return 0
    campaign = recipient.campaign
    window_end = recipient.sent_at + selectors.conversion_window()
    profile_services.record_touchpoint(
        recipient.profile,
        Kind.CAMPAIGN_IGNORED,
        ref=recipient,
        occurred_at=window_end,
        summary=f"No response to {campaign.name}"[:200],
    )
    _learn_response(
        recipient.profile,
        "ignored",
        offer_kind=campaign.offer.get_kind_display(),
        terms=terms,
        ref=recipient,
        now=window_end,
    )
    return 1


def conversions_attribute_all(*, now: datetime | None = None) -> int:
    """Attribute conversions for every campaign with a response recent enough to matter.

    Twice the window, so a day or two without the periodic job loses nothing.
    """
    now = now or timezone.now()
    since = now - selectors.conversion_window() * 2
    campaign_ids = (
        Recipient.objects.filter(converted_at__isnull=True)
        .filter(Q(opened_at__gte=since) | Q(clicked_at__gte=since))
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    return sum(
        conversions_attribute(campaign=campaign, now=now)
        for campaign in Campaign.objects.filter(pk__in=list(campaign_ids))
    )
