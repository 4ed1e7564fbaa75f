"""The shared progressive profile: what the shop knows, and where it came from."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Source(models.TextChoices):
    REGISTRATION = "registration", "Registration"
    PURCHASE = "purchase", "A purchase"
    SURVEY = "survey", "A survey"
    QUESTION = "question", "A question you answered"
    CAMPAIGN = "campaign", "A campaign response"
    COUPON = "coupon", "A coupon"
    FEEDBACK = "feedback", "Your feedback"
    CONTACT = "contact", "An e-mail or call"
    STAFF = "staff", "Our staff"
    CUSTOMER = "customer", "You"


class Kind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    VISIT = "visit", "Visit"
    CONSENT_CHANGED = "consent_changed", "Consent changed"
    ORDER_PLACED = "order_placed", "Order placed"
    SURVEY_COMPLETED = "survey_completed", "Survey completed"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    QUESTION_DECLINED = "question_declined", "Question declined"
    CAMPAIGN_SENT = "campaign_sent", "Campaign sent"
    CAMPAIGN_OPENED = "campaign_opened", "Campaign opened"
    CAMPAIGN_CLICKED = "campaign_clicked", "Campaign clicked"
    CAMPAIGN_CONVERTED = "campaign_converted", "Campaign converted"
    CAMPAIGN_UNSUBSCRIBED = "campaign_unsubscribed", "Unsubscribed"
    COUPON_REDEEMED = "coupon_redeemed", "Coupon redeemed"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    CONTACT_LOGGED = "contact_logged", "E-mail or call logged"


class Purpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", "Offers and news by e-mail"
    DIRECT_MAIL = "direct_mail", "Postcards and letters to your home"
    SURVEYS = "surveys", "Invitations to occasional short surveys"
    PROFILING = "profiling", "Learning your buying patterns to personalise the shop"


class AttributeCategory(models.TextChoices):
    IDENTITY = "identity", "Who you are"
    CONTACT = "contact", "How to reach you"
    PREFERENCE = "preference", "Your preferences"
    HABIT = "habit", "Your shopping habits"
    WEB_USAGE = "web_usage", "How you use the web"
    INTEREST = "interest", "Your interests"


class Sensitivity(models.TextChoices):
    BASIC = "basic", "Basic"
    PERSONAL = "personal", "Personal"
    SENSITIVE = "sensitive", "Sensitive"


class ValueKind(models.TextChoices):
    TEXT = "text", "Text"
    EMAIL = "email", "E-mail address"
    PHONE = "phone", "Phone number"
    CHOICE = "choice", "One of the choices"
    MULTI_CHOICE = "multi_choice", "Several of the choices"
    LIST = "list", "A list of words"
    NUMBER = "number", "Number"
    BOOLEAN = "boolean", "Yes or no"


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    visit_count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    trust_level = models.PositiveSmallIntegerField(default=0)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text="Share of the non-sensitive attributes that are known, in percent."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by every order; a refresh clears it only if no newer order came meanwhile.
    patterns_stale_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["patterns_stale_at"],
                condition=Q(patterns_stale_at__isnull=False),
                name="profile_patterns_stale",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completeness__lte=100), name="profile_completeness_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Attribute(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=20, choices=AttributeCategory.choices)
    sensitivity = models.CharField(
        max_length=20, choices=Sensitivity.choices, default=Sensitivity.BASIC
    )
    value_kind = models.CharField(max_length=20, choices=ValueKind.choices, default=ValueKind.TEXT)
    choices = models.JSONField(
        default=list, blank=True, help_text="The allowed values, for choice attributes."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "label"]

    def __str__(self) -> str:
        return self.label


class Provenance(models.Model):
    """Where a row came from: the object that taught it, kept even if that object goes."""

    ref_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ref_id = models.CharField(max_length=64, blank=True)
    ref_label = models.CharField("learned from", max_length=200, blank=True)
    # The idempotency key: a repeated write from the same origin is a no-op.
    origin = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class ProfileFact(Provenance):
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="facts")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="facts")
    value = models.JSONField()
    source = models.CharField(max_length=20, choices=Source.choices)
    observed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_current = models.BooleanField(default=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-observed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "attribute"],
                condition=Q(is_current=True),
                name="fact_one_current_value",
            ),
            models.UniqueConstraint(
                fields=["profile", "attribute", "source", "origin"],
                condition=~Q(origin=""),
                name="fact_once_per_origin",
            ),
        ]
        indexes = [models.Index(fields=["profile", "is_current"], name="fact_profile_current")]

    def __str__(self) -> str:
        return f"{self.attribute.label}: {self.display_value}"

    @property
    def display_value(self) -> str:
        value = self.value
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)


class Touchpoint(Provenance):
    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="touchpoints"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "origin"],
                condition=~Q(origin=""),
                name="touchpoint_once_per_origin",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "-occurred_at"], name="touchpoint_timeline"),
            models.Index(fields=["kind", "occurred_at"], name="touchpoint_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Consent(models.Model):
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=20, choices=Source.choices)
    recorded_at = models.DateTimeField()
    policy_version = models.CharField(max_length=20)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["profile", "purpose", "-recorded_at"], name="consent_latest"),
        ]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.get_purpose_display()}: {state}"


class Segment(models.TextChoices):
    CHAMPIONS = "champions", "Champions"
    LOYAL = "loyal", "Loyal"
    NEW = "new", "New"
    POTENTIAL = "potential", "Potential"
    AT_RISK = "at_risk", "At risk"
    HIBERNATING = "hibernating", "Hibernating"
    LOST = "lost", "Lost"


class BuyingPattern(models.Model):
    """What a customer's orders say, computed in the background from the shop's orders."""

    profile = models.OneToOneField(
        CustomerProfile, on_delete=models.CASCADE, primary_key=True, related_name="buying_pattern"
    )
    order_count = models.PositiveIntegerField()
    total_spent = models.DecimalField(max_digits=14, decimal_places=2)
    avg_order_value = models.DecimalField(max_digits=12, decimal_places=2)
    first_order_at = models.DateTimeField()
    last_order_at = models.DateTimeField()
    mean_days_between = models.DecimalField(
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Empty for customers with one order.",
    )
    expected_next_order = models.DateField(null=True, blank=True)
    top_categories = models.JSONField(default=list)
    discount_share = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="Share of orders with a discount, 0 to 1."
    )
    recency_days = models.PositiveIntegerField()
    r_score = models.PositiveSmallIntegerField(null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(null=True, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True, db_default="")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["segment"], name="pattern_segment")]
        constraints = [
            models.CheckConstraint(
                condition=Q(r_score__range=(1, 5)) | Q(r_score__isnull=True),
                name="pattern_r_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(f_score__range=(1, 5)) | Q(f_score__isnull=True),
                name="pattern_f_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(m_score__range=(1, 5)) | Q(m_score__isnull=True),
                name="pattern_m_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Buying pattern of {self.profile_id}: {self.get_segment_display() or 'unscored'}"

    @property
    def rfm(self) -> str:
        return f"{self.r_score or '-'}{self.f_score or '-'}{self.m_score or '-'}"


class RfmCutoffs(models.Model):
    """The quintile boundaries of the last full recompute, so one customer can be
    scored after an order without ranking everybody again."""

    recency = models.JSONField(help_text="Four boundaries of days since the last order.")
    frequency = models.JSONField(help_text="Four boundaries of order counts.")
    monetary = models.JSONField(help_text="Four boundaries of total spent, as strings.")
    customers = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at"]
        verbose_name = "RFM cut-offs"
        verbose_name_plural = "RFM cut-offs"

    def __str__(self) -> str:
        return f"RFM cut-offs over {self.customers} customers at {self.computed_at:%Y-%m-%d %H:%M}"
