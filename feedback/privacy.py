"""Feedback's part of "download my data" and "delete my account" (see profiles.privacy)."""

from django.db import transaction
from django.db.models import Q

from feedback.models import FeedbackItem, FeedbackTopic
from feedback.selectors import items_for_profile
from profiles.models import CustomerProfile


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_feedback(*, profile: CustomerProfile) -> dict:
    """Every item linked to the customer. An unverified one was written by a guest who gave
    the customer's e-mail address or order number: it is theirs to see, marked so."""
    return {
        "feedback_items": [
            {
                "kind": item.kind,
                "text": item.text,
                "rating": item.rating,
                "written_when_logged_in": item.link_verified,
                "identifier_given": item.identifier,
                "topics": list(item.topics),
                "status": item.status,
                "created_at": _iso(item.created_at),
                "reply": item.reply,
                "replied_at": _iso(item.replied_at),
            }
            for item in items_for_profile(profile)
        ]
    }


@transaction.atomic
def erase_feedback(*, profile: CustomerProfile) -> int:
    """Blank the customer's words and identifiers and unlink the items; the items and
    their topic rows stay, so the wish list still counts what was wished for (each
    erased item then counts as one anonymous customer)."""
    email = profile.user.email
    # A guest item with their address that matched nobody then (written before they
    # registered) is theirs too.
    theirs = (
        Q(profile=profile) | Q(profile__isnull=True, identifier__iexact=email)
        if email
        else Q(profile=profile)
    )
    FeedbackTopic.objects.filter(profile=profile).update(profile=None)
    return FeedbackItem.objects.filter(theirs).update(
        profile=None,
        link_verified=False,
        text="",
        identifier="",
        reply="",
        reply_to="",
        internal_note="",
    )
