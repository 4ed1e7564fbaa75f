"""Feedback as a wish list: what customers wish for, suggest, report and praise."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from profiles.models import CustomerProfile

MAX_TEXT = 4000


class FeedbackKind(models.TextChoices):
    WISH = "wish", "A wish: something you would like us to offer or do"
    IDEA = "idea", "An idea"
    PROBLEM = "problem", "A problem"
    PRAISE = "praise", "Praise"


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


class FeedbackItem(models.Model):
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    text = models.TextField(max_length=MAX_TEXT)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Kept when the customer's account is erased: the wish list counts the item.
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_items",
    )
    link_verified = models.BooleanField(
        "verified link",
        default=False,
        help_text="Written by the signed-in customer. An unverified link only matched what "
        "a guest typed: it may be someone else, so it teaches the profile nothing.",
    )
    identifier = models.CharField(
        "guest's identifier",
        max_length=254,
        blank=True,
        help_text="The e-mail address or order number a guest gave.",
    )
    topics = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        limit_choices_to={"is_staff": True},
    )
    internal_note = models.TextField(
        blank=True, help_text="For staff only; never shown or sent to the customer."
    )
    reply = models.TextField(blank=True, help_text="E-mailed to the customer once, when saved.")
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reply_to = models.EmailField("reply sent to", blank=True)
    # Claimed by the sending task, so a retried task never mails the reply twice.
    reply_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("view_wish_list", "Can view the wish list (topics customers wish for)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__range=(1, 5)),
                name="feedback_rating_1_to_5",
            ),
            # Only a signed-in customer's own item is verified, so it always has a profile.
            models.CheckConstraint(
                condition=Q(link_verified=False) | Q(profile__isnull=False),
                name="feedback_verified_has_profile",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="feedback_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(':')[0]} #{self.pk}"

    @property
    def link_state(self) -> str:
        if self.profile_id is None:
            return "guest"
        return "verified" if self.link_verified else "unverified"


class FeedbackTopic(models.Model):
    """One topic of one item, denormalised (kind, time, author) so the wish list counts
    topics with an index instead of unpacking every item's JSON."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="topic_rows")
    topic = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    created_at = models.DateTimeField()
    # Who counts as one customer: the profile, or (guest, erased) the item itself.
    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["topic"]
        constraints = [
            models.UniqueConstraint(fields=["item", "topic"], name="feedback_topic_once_per_item"),
        ]
        indexes = [
            models.Index(fields=["kind", "topic", "created_at"], name="feedback_topic_count"),
            models.Index(fields=["kind", "created_at"], name="feedback_topic_recent"),
        ]

    def __str__(self) -> str:
        return self.topic
