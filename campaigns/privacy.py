"""The campaigns' part of "download my data" and of the right to erasure.

Export: every campaign the customer was sent, with each response and click. Erasure:
the recipient rows lose their link to the profile but stay, so every campaign's figures
(sent, opened, converted, revenue) stay what they were; a row without a profile is no
one's, and its tracking links stop working.
"""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from campaigns.models import LinkClick, Recipient
from profiles.models import CustomerProfile
from profiles.privacy import money, when


def export_personal_data(*, profile: CustomerProfile) -> dict[str, Any]:
    """Every campaign the customer was sent, oldest first, in three queries."""
    recipients = (
        Recipient.objects.filter(profile=profile, sent_at__isnull=False)
        .select_related("campaign__offer")
        .prefetch_related(
            Prefetch(
                "clicks",
                queryset=LinkClick.objects.select_related("keyword").order_by("clicked_at", "pk"),
            )
        )
        .order_by("sent_at", "pk")
    )
    return {
        "campaigns_received": [
            {
                "campaign": recipient.campaign.name,
                "channel": recipient.campaign.get_channel_display(),
                "offer": recipient.campaign.offer.name,
                "sent_at": when(recipient.sent_at),
                "opened_at": when(recipient.opened_at),
                "clicked_at": when(recipient.clicked_at),
                "converted_at": when(recipient.converted_at),
                "conversion_amount": money(recipient.conversion_amount),
                "unsubscribed_at": when(recipient.unsubscribed_at),
                "ignored_at": when(recipient.ignored_at),
                "clicks": [
                    {
                        "clicked_at": when(click.clicked_at),
                        "page": click.url,
                        "keyword": click.keyword.term if click.keyword else None,
                    }
                    for click in recipient.clicks.all()
                ],
            }
            for recipient in recipients
        ]
    }


@transaction.atomic
def erase_personal_data(*, profile: CustomerProfile) -> int:
    """Unlink every recipient row (sent or not) from the profile; returns how many."""
    return Recipient.objects.filter(profile=profile).update(profile=None)
