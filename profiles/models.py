"""The shared progressive profile: what the shop knows, and where it came from."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
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
    QUESTION_ASKED = "question_asked", "Question asked"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    QUESTION_SKIPPED = "question_skipped", "Question skipped"
    QUESTION_DECLINED = "question_declined", "Question declined"
    CAMPAIGN_SENT = "campaign_sent", "Campaign sent"
    CAMPAIGN_OPENED = "campaign_opened", "Campaign opened"
    CAMPAIGN_CLICKED = "campaign_clicked", "Campaign clicked"
    CAMPAIGN_CONVERTED = "campaign_converted", "Campaign converted"
    CAMPAIGN_UNSUBSCRIBED = "campaign_unsubscribed", "Unsubscribed"
    CAMPAIGN_IGNORED = "campaign_ignored", "Campaign ignored"
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


TRUST_MAX = 5
# Each threshold reached is one step of trust; see trust_level_for.
TRUST_VISIT_STEPS = (2, 5, 10)
TRUST_ORDER_STEPS = (1, 3)
TRUST_DAYS_STEPS = (30, 90)


def trust_level_for(*, visits: int, orders: int, days_known: int) -> int:
    """The trust a customer has earned, from 0 (a first visit) to 5.

    One step for each threshold reached: visits (2, 5, 10), orders placed (1, 3) and
    days since first seen (30, 90). Time never gives more steps than visits do, so a
    one-off visitor does not earn trust by staying away.
    """
    visit_steps = sum(visits >= n for n in TRUST_VISIT_STEPS)
    order_steps = sum(orders >= n for n in TRUST_ORDER_STEPS)
    time_steps = min(sum(days_known >= n for n in TRUST_DAYS_STEPS), visit_steps)
    return min(TRUST_MAX, visit_steps + order_steps + time_steps)


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    visit_count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    visit_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current (or last) visit began."
    )
    trust_level = models.PositiveSmallIntegerField(
        default=0, help_text="0 to 5, earned with visits, orders and time; set as a visit starts."
    )
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
            models.CheckConstraint(
                condition=Q(trust_level__lte=TRUST_MAX), name="profile_trust_0_to_5"
            ),
        ]

    def __str__(self) -> str:
        # What staff pick a customer by (the admin's autocomplete, lists): name and user ID.
        user = self.user
        return f"{user.name} ({user.username})" if user.name else user.username


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
        if self.attribute.value_kind == ValueKind.PHONE and isinstance(value, str):
            from profiles.phones import display_phone

            return display_phone(value)
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


class ProfileQuestion(models.Model):
    """One question of the patient asker's bank: it teaches one attribute."""

    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="questions")
    text = models.CharField("question", max_length=200)
    why_we_ask = models.CharField(
        "why we ask", max_length=300, help_text="Shown with the question, in one line."
    )
    min_trust = models.PositiveSmallIntegerField(
        "minimum trust",
        default=0,
        validators=[MaxValueValidator(TRUST_MAX)],
        help_text="Asked only of customers whose trust level (0 to 5) is at least this.",
    )
    priority = models.PositiveSmallIntegerField(
        default=50, help_text="Of the questions that may be asked, the highest goes first."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_trust__lte=TRUST_MAX), name="question_min_trust_0_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        attribute = getattr(self, "attribute", None)
        if attribute is not None and attribute.sensitivity == Sensitivity.SENSITIVE:
            raise ValidationError(
                {"attribute": "Sensitive attributes are never asked in a single question."}
            )


class Outcome(models.TextChoices):
    PENDING = "pending", "Not answered yet"
    ANSWERED = "answered", "Answered"
    SKIPPED = "skipped", "Not now"
    DECLINED = "declined", "Don't ask me this"


class QuestionAsk(models.Model):
    """One question put to one customer in one visit, and what they did with it."""

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="question_asks"
    )
    question = models.ForeignKey(ProfileQuestion, on_delete=models.PROTECT, related_name="asks")
    visit = models.PositiveIntegerField(help_text="The customer's visit number when asked.")
    asked_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer answered, skipped or declined."
    )

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            # At most one question per visit, even when two pages of it load at once.
            models.UniqueConstraint(fields=["profile", "visit"], name="ask_once_per_visit"),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.PENDING, answered_at__isnull=True)
                | (~Q(outcome=Outcome.PENDING) & Q(answered_at__isnull=False)),
                name="ask_outcome_has_its_time",
            ),
        ]
        indexes = [models.Index(fields=["profile", "-asked_at"], name="ask_profile_recent")]

    def __str__(self) -> str:
        # Short: it becomes the "learned from" label of the answer's fact on /me/.
        return f"asked on visit {self.visit}"


class ForgottenAttribute(models.Model):
    """The customer asked the shop to forget this: its facts were removed, and it is
    neither asked again nor learned again from other stages."""

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="forgotten_attributes"
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="+")
    forgotten_at = models.DateTimeField()

    class Meta:
        ordering = ["-forgotten_at"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "attribute"], name="forgotten_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute.label} forgotten"


class ProfileAccess(models.Model):
    """A member of staff opened this customer's profile. Superusers review who; the
    customer sees when, and how often."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="accesses")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accessed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = "profile access"
        verbose_name_plural = "profile accesses"
        indexes = [models.Index(fields=["profile", "-accessed_at"], name="access_profile_recent")]

    def __str__(self) -> str:
        return f"{self.staff} opened {self.profile} at {self.accessed_at:%Y-%m-%d %H:%M}"
