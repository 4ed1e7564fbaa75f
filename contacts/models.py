"""Contact logs: every e-mail and phone call with a customer, and the essence of each."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from profiles.models import CustomerProfile


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone call"


class Direction(models.TextChoices):
    IN = "in", "From the customer"
    OUT = "out", "To the customer"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Intent(models.TextChoices):
    ORDER_STATUS = "order_status", "Order status"
    RETURN_REFUND = "return_refund", "Return or refund"
    COMPLAINT = "complaint", "Complaint"
    PRODUCT_QUESTION = "product_question", "Product question"
    PRAISE = "praise", "Praise"
    OTHER = "other", "Other"


class ContactLog(models.Model):
    # Kept (unlinked) if the profile goes; erasure deletes the customer's logs itself.
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_logs",
        verbose_name="customer",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.IN)
    occurred_at = models.DateTimeField("when", db_index=True)
    counterpart = models.CharField(
        max_length=254,
        blank=True,
        help_text="The customer's e-mail address, or the phone number in E.164 (+447700900123).",
    )
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField("message or call notes", blank=True)
    # The import key: the e-mail's Message-ID (or a hash of it when it has none), so a
    # second import of the same mailbox adds nothing. Empty for calls logged by hand.
    message_id = models.CharField("message ID", max_length=255, blank=True, editable=False)
    duration_seconds = models.PositiveIntegerField("duration (seconds)", null=True, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="Names of attached files (not kept)."
    )
    unmatched_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why no customer was found, or what was wrong with the message.",
    )
    # The essence, worked out in the background.
    summary = models.CharField(max_length=400, blank=True)
    topics = models.JSONField(default=list, blank=True)
    sentiment_score = models.FloatField(
        null=True, blank=True, help_text="VADER compound score, -1 (angry) to +1 (delighted)."
    )
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    intent = models.CharField(max_length=20, choices=Intent.choices, blank=True)
    order_numbers = models.JSONField(
        "order numbers mentioned", default=list, blank=True, help_text="As written."
    )
    orders = models.ManyToManyField(
        "shop.Order",
        blank=True,
        related_name="contact_logs",
        verbose_name="linked orders",
        help_text="The customer's own orders among the numbers mentioned.",
    )
    essence_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who logged the call or attached the message.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="contact_message_once"
            ),
            models.CheckConstraint(
                condition=Q(sentiment_score__isnull=True)
                | Q(sentiment_score__gte=-1, sentiment_score__lte=1),
                name="contact_sentiment_score_range",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "-occurred_at"], name="contact_profile_recent"),
            models.Index(
                fields=["channel", "-occurred_at"],
                condition=Q(profile__isnull=True),
                name="contact_unmatched",
            ),
            # The catch-up sweep every few minutes: only the few still waiting.
            models.Index(
                fields=["created_at"],
                condition=Q(essence_done_at__isnull=True),
                name="contact_essence_waiting",
            ),
        ]

    def __str__(self) -> str:
        what = self.subject or self.get_channel_display()
        return f"{what[:80]} ({self.occurred_at:%Y-%m-%d})"

    @property
    def is_matched(self) -> bool:
        return self.profile_id is not None


class UnmatchedContact(ContactLog):
    """The queue of e-mails and calls no customer was found for, for staff to attach."""

    class Meta:
        proxy = True
        verbose_name = "unmatched e-mail or call"
        verbose_name_plural = "unmatched e-mails and calls"
