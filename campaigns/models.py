"""E-marketing campaigns, the people they went to, and how each one responded."""

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from profiles.models import TRUST_MAX, CustomerProfile, Purpose, Segment

TOKEN_BYTES = 24
TERM_MAX_LENGTH = 60


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class OfferKind(models.TextChoices):
    DISCOUNT = "discount", "Discount"
    FREE_DELIVERY = "free_delivery", "Free delivery"
    NEW_ARRIVALS = "new_arrivals", "New arrivals"
    BUNDLE = "bundle", "Bundle"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    POSTCARD = "postcard", "Postcard"
    LETTER = "letter", "Letter"


# The consent each channel needs; checked for every recipient, at selection and at send.
CHANNEL_PURPOSE = {
    Channel.EMAIL: Purpose.MARKETING_EMAIL,
    Channel.POSTCARD: Purpose.DIRECT_MAIL,
    Channel.LETTER: Purpose.DIRECT_MAIL,
}


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class Offer(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    term = models.CharField(max_length=TERM_MAX_LENGTH, unique=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class Campaign(models.Model):
    name = models.CharField(max_length=150)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="campaigns")
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="campaigns")
    subject = models.CharField(
        max_length=200, blank=True, help_text="E-mail subject; {name} and {first_name} work."
    )
    body_text = models.TextField(
        help_text=(
            "Plain text. {name} and {first_name} are replaced per customer. Link to a page of "
            'the shop as [label](/path/ "keyword"); the keyword is optional.'
        )
    )
    # The audience: every rule set here must hold; consent for the channel always must.
    segments = models.JSONField(
        default=list, blank=True, help_text="Buying-pattern segments; empty means any."
    )
    min_trust = models.PositiveSmallIntegerField(
        "minimum trust", default=0, validators=[MaxValueValidator(TRUST_MAX)]
    )
    category_interest = models.CharField(
        max_length=100,
        blank=True,
        help_text="Matched in the favourite categories and categories bought.",
    )
    min_orders = models.PositiveIntegerField("minimum orders", null=True, blank=True)
    last_order_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Ordered in the last this many days."
    )
    last_order_before_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Has not ordered for at least this many days."
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    cost_per_piece = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Print and postage per postcard or letter.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("view_campaign_dashboards", "Can view campaign dashboards")]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_trust__lte=TRUST_MAX), name="campaign_min_trust_0_to_5"
            ),
            models.CheckConstraint(
                condition=Q(cost_per_piece__gte=0), name="campaign_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.EMAIL) | ~Q(subject=""),
                name="campaign_email_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def purpose(self) -> str:
        return CHANNEL_PURPOSE[Channel(self.channel)]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [s for s in self.segments or [] if s not in Segment.values]
        if unknown:
            raise ValidationError({"segments": f"Unknown segment {unknown[0]!r}."})


class Recipient(models.Model):
    """One customer a campaign went to; the token is their unguessable key to respond."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    # NULL once the customer is erased: the row stays so the campaign's figures stay true.
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_receipts",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    conversion_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Set once the conversion window passed with no open, click or conversion, when the
    # "ignored" response was written to the profile; cleared by a late open or click.
    ignored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "profile"], name="recipient_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "sent_at"], name="recipient_campaign_sent"),
        ]

    def __str__(self) -> str:
        # It becomes the "learned from" label on the customer's own page; callers
        # that write the profile load the campaign with the recipient.
        return f"the campaign “{self.campaign.name}”"


class LinkClick(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="clicks")
    keyword = models.ForeignKey(
        Keyword, on_delete=models.SET_NULL, null=True, blank=True, related_name="clicks"
    )
    url = models.CharField(max_length=500)
    clicked_at = models.DateTimeField()

    class Meta:
        ordering = ["-clicked_at", "-pk"]

    def __str__(self) -> str:
        return f"click on {self.url}"
