"""The contacts stage's part of "download my data" and "delete my account".

Erasure deletes the customer's contact logs rather than blanking them: a log *is* the
customer's own correspondence (their words, address or number, the orders they asked
about), so an anonymised row would keep nothing that is not personal, and no
aggregate counts contact logs. Messages from their address or number still waiting
unmatched in the queue go too: they are the same customer's words.
"""

from typing import Any

from django.db import transaction
from django.db.models import Q

from contacts.models import ContactLog
from contacts.phones import normalise_phone
from profiles.models import CustomerProfile, ProfileFact


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_contacts(*, profile: CustomerProfile) -> dict[str, Any]:
    logs = (
        ContactLog.objects.filter(profile=profile)
        .prefetch_related("orders")
        .order_by("occurred_at", "pk")
    )
    return {
        "contact_logs": [
            {
                "channel": log.get_channel_display(),
                "direction": log.get_direction_display(),
                "when": _iso(log.occurred_at),
                "address_or_number": log.counterpart,
                "subject": log.subject,
                "text": log.body,
                "duration_seconds": log.duration_seconds,
                "attachments": list(log.attachments),
                "essence": {
                    "summary": log.summary,
                    "topics": list(log.topics),
                    "sentiment": log.sentiment,
                    "sentiment_score": log.sentiment_score,
                    "intent": log.get_intent_display() if log.intent else "",
                    "order_numbers_mentioned": list(log.order_numbers),
                    "linked_orders": [order.number for order in log.orders.all()],
                },
            }
            for log in logs
        ]
    }


def _their_addresses(profile: CustomerProfile) -> set[str]:
    """Every e-mail address and phone number the customer is or was known by."""
    values = ProfileFact.objects.filter(
        profile=profile, attribute__key__in=["email", "phone"]
    ).values_list("value", flat=True)
    found = {profile.user.email.lower()} if profile.user.email else set()
    for value in values:
        if isinstance(value, str) and value:
            found.add(value.lower() if "@" in value else normalise_phone(value) or value)
    return found


@transaction.atomic
def erase_contacts(*, profile: CustomerProfile) -> int:
    logs = ContactLog.objects.filter(
        Q(profile=profile) | Q(profile__isnull=True, counterpart__in=_their_addresses(profile))
    )
    # The order links go with the logs (the through rows cascade).
    _, per_model = logs.delete()
    return per_model.get(ContactLog._meta.label, 0)
