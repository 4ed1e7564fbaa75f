"""The write side of feedback: taking an item in, triage, and the reply to the customer."""

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from feedback import selectors
from feedback.models import MAX_TEXT, FeedbackItem, FeedbackKind, FeedbackStatus, FeedbackTopic
from profiles.background import enqueue_on_commit
from profiles.models import CustomerProfile, Kind, Purpose, Source
from profiles.selectors import current_values
from profiles.services import has_consent, learn, record_touchpoint
from profiles.text import extract_topics

logger = logging.getLogger(__name__)

MAX_LINKS = 2
MIN_LETTERS = 3
_LINK = re.compile(r"https?://|www\.|\[url|<a\s", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{19,}", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
INTERESTS_KEY = "interests"
MAX_INTERESTS = 20


def spam_reason(text: str) -> str:
    """Why `text` looks like spam rather than feedback, or "" when it does not."""
    if len(text) > MAX_TEXT:
        return f"Please keep your feedback to {MAX_TEXT} characters (it has {len(text)})."
    if len(_LINK.findall(text)) > MAX_LINKS:
        return f"Please include at most {MAX_LINKS} links: messages with more look like spam."
    if _REPEAT.search(text):
        return "Please write your feedback in words: long runs of one character look like spam."
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return "Please tell us a little more, in words."
    return ""


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    text: str,
    rating: int | None = None,
    profile: CustomerProfile | None = None,
    identifier: str = "",
    now: datetime | None = None,
) -> FeedbackItem:
    """Take in one item: from a signed-in customer (`profile`, a verified link) or from a
    guest, who must give an e-mail address or order number (`identifier`).

    A guest's identifier links the item to the profile it matches, unverified: anyone
    can type anyone's e-mail address, so such a link is shown to staff but writes
    nothing into the profile (no fact, no touchpoint). Raises ValidationError for
    spam-like text or a guest without an identifier.
    """
    now = now or timezone.now()
    text = text.strip()
    identifier = identifier.strip()[:254]
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": "Please choose what kind of feedback this is."})
    reason = spam_reason(text)
    if reason:
        raise ValidationError({"text": reason})
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": "A rating is from 1 to 5 stars."})
    verified = profile is not None
    if not verified:
        if not identifier:
            raise ValidationError(
                {"identifier": "Please give your e-mail address or an order number."}
            )
        profile = selectors.profile_for_identifier(identifier)
    topics = extract_topics(text)
    item = FeedbackItem.objects.create(
        kind=kind,
        text=text,
        rating=rating,
        profile=profile,
        link_verified=verified,
        identifier="" if verified else identifier,
        topics=topics,
        created_at=now,
    )
    FeedbackTopic.objects.bulk_create(
        FeedbackTopic(item=item, topic=topic, kind=kind, created_at=now, profile=profile)
        for topic in topics
    )
    if verified:
        _teach_profile(item)
    return item


def _teach_profile(item: FeedbackItem) -> None:
    """The verified author's timeline gets the item, and a wish its topics as interests.

    Only for verified items: a touchpoint in someone else's timeline would plant data
    there just as a fact would, so an unverified link is visible in the admin only."""
    profile = item.profile
    assert profile is not None  # a verified item always has one (a check constraint)
    summary = f"{item.get_kind_display().split(':')[0]}: {item.text[:150]}"
    record_touchpoint(
        profile, Kind.FEEDBACK_GIVEN, ref=item, summary=summary, occurred_at=item.created_at
    )
    # Interests are profiling: a customer who withdrew that consent is not profiled.
    if item.kind == FeedbackKind.WISH and item.topics and has_consent(profile, Purpose.PROFILING):
        known = current_values(profile, [INTERESTS_KEY]).get(INTERESTS_KEY)
        known = known if isinstance(known, list) else []
        merged = list(dict.fromkeys([*item.topics, *known]))[:MAX_INTERESTS]
        learn(
            profile,
            INTERESTS_KEY,
            merged,
            source=Source.FEEDBACK,
            ref=item,
            observed_at=item.created_at,
        )


@transaction.atomic
def feedback_triage(
    *,
    item: FeedbackItem,
    status: str,
    assignee=None,
    internal_note: str = "",
) -> FeedbackItem:
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": "Unknown status."})
    item.status = status
    item.assignee = assignee
    item.internal_note = internal_note
    item.save(update_fields=["status", "assignee", "internal_note"])
    return item


def feedback_set_status(*, items: QuerySet[FeedbackItem], status: str) -> int:
    """Triage many items at once (an admin action); returns how many changed."""
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": "Unknown status."})
    return items.exclude(status=status).update(status=status)


@transaction.atomic
def feedback_reply(*, item: FeedbackItem, text: str, staff, now: datetime | None = None):
    """Record staff's reply and e-mail it to the customer once, after commit.

    A reply is sent once: a second one is refused, so a double save never mails twice.
    """
    text = text.strip()
    if not text:
        raise ValidationError({"reply": "The reply is empty."})
    # Locked alone: PostgreSQL cannot lock the nullable side of the join to the profile.
    locked = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    if locked.replied_at is not None:
        raise ValidationError({"reply": "This item has been replied to already."})
    address = selectors.reply_address(locked)
    if not address:
        raise ValidationError(
            {
                "reply": "There is no e-mail address to reply to: the guest gave only an "
                "order number that matches no customer."
            }
        )
    now = now or timezone.now()
    FeedbackItem.objects.filter(pk=item.pk).update(
        reply=text, replied_at=now, replied_by=staff, reply_to=address
    )
    item.reply, item.replied_at, item.replied_by, item.reply_to = text, now, staff, address
    from feedback.tasks import send_feedback_reply_task

    enqueue_on_commit(send_feedback_reply_task, item_id=item.pk)
    return item


def feedback_reply_send(*, item_id: int) -> bool:
    """Send a recorded reply at most once: a claim on the row makes retries harmless."""
    claimed = (
        FeedbackItem.objects.filter(
            pk=item_id, replied_at__isnull=False, reply_sent_at__isnull=True
        )
        .exclude(reply_to="")
        .update(reply_sent_at=timezone.now())
    )
    if not claimed:
        return False
    item = FeedbackItem.objects.get(pk=item_id)
    context = {"item": item, "kind": item.get_kind_display().split(":")[0].lower()}
    try:
        send_mail(
            subject=render_to_string("emails/feedback_reply_subject.txt", context).strip(),
            message=render_to_string("emails/feedback_reply_body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[item.reply_to],
        )
    except Exception:
        # Give the claim back so the task's retry can send it.
        FeedbackItem.objects.filter(pk=item_id).update(reply_sent_at=None)
        raise
    return True


REPLY_SWEEP_AFTER = timedelta(minutes=5)


def feedback_replies_send_pending(*, now: datetime | None = None) -> int:
    """Send replies recorded a few minutes ago whose e-mail task was lost; each at most
    once (feedback_reply_send claims the row). One failing address does not hold up the
    others: it is logged and tried again on the next run. Returns how many were sent."""
    now = now or timezone.now()
    pending = (
        FeedbackItem.objects.filter(
            replied_at__isnull=False,
            reply_sent_at__isnull=True,
            replied_at__lte=now - REPLY_SWEEP_AFTER,
        )
        .exclude(reply_to="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for item_id in list(pending):
        try:
            sent += feedback_reply_send(item_id=item_id)
        except Exception:
            logger.exception(
                "could not send the reply to feedback item %s; will try again", item_id
            )
    return sent
