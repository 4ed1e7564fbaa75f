"""Occasional logged-in surveys on shopping habits and web usage."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from profiles.models import Attribute, CustomerProfile

SCALE_POINTS = (1, 2, 3, 4, 5)
DEFAULT_TEXT_LENGTH = 500
MAX_TEXT_LENGTH = 2000


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    SCALE = "scale", "Scale 1 to 5"
    TEXT = "text", "Short text"


class Survey(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open until closed.")
    status = models.CharField(
        max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    personal_override = models.BooleanField(
        "publish despite personal questions",
        default=False,
        help_text="Only with a reason below; it is recorded with your name.",
    )
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    override_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        permissions = [("view_survey_results", "Can view survey results")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(personal_override=False) | (~Q(override_reason="")),
                name="survey_override_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(personal_override=False) | Q(override_at__isnull=False),
                name="survey_override_is_dated",
            ),
        ]
        indexes = [models.Index(fields=["status", "opens_at"], name="survey_status_opens")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now) -> bool:
        return (
            self.status == SurveyStatus.PUBLISHED
            and self.opens_at <= now
            and (self.closes_at is None or now < self.closes_at)
        )


def open_surveys_q(now, prefix: str = "") -> Q:
    """Published and open at `now`; `prefix` reaches the survey through a relation."""
    return Q(**{f"{prefix}status": SurveyStatus.PUBLISHED, f"{prefix}opens_at__lte": now}) & (
        Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gt": now})
    )


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    attribute = models.ForeignKey(
        Attribute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The profile fact an answer teaches, if any.",
    )
    max_length = models.PositiveSmallIntegerField(
        default=DEFAULT_TEXT_LENGTH, help_text="For short text answers: the most characters."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_length__gte=1, max_length__lte=MAX_TEXT_LENGTH),
                name="question_max_length_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    def scale_labels(self) -> dict[int, str]:
        """Each point of a scale with its words: the question's choices in order, if it has
        them, name the points from 1 up; a point without one is just its number."""
        named = [choice.label for choice in self.choices.all()]
        return {
            point: named[index] if index < len(named) else str(point)
            for index, point in enumerate(SCALE_POINTS)
        }


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=150)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="choice_label_once"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    # Kept, anonymised, when the customer's account is erased: the results count it.
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "profile"], name="response_once_per_survey"),
        ]

    def __str__(self) -> str:
        return f"Response to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: a question that has answers is not deleted from under its results.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choices = models.ManyToManyField(Choice, through="AnswerChoice", related_name="answers")
    scale_value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(scale_value__isnull=True) | Q(scale_value__range=(1, 5)),
                name="answer_scale_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class AnswerChoice(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "choice"], name="answer_choice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id}: {self.choice_id}"


class SurveyOffer(models.Model):
    """A survey shown to a shopper as an invitation: at most one new one per interval."""

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="survey_offers"
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="offers")
    offered_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "survey"], name="offer_once_per_survey"),
            models.CheckConstraint(
                condition=Q(dismissed_at__isnull=True) | Q(dismissed_at__gte=F("offered_at")),
                name="offer_dismissed_after_offered",
            ),
        ]
        indexes = [models.Index(fields=["profile", "-offered_at"], name="offer_profile_latest")]

    def __str__(self) -> str:
        return f"{self.survey} offered to {self.profile_id}"
