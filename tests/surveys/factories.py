"""Surveys for tests, made the way the admin makes them."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from profiles.models import Attribute
from surveys.models import Choice, Question, QuestionKind, Survey, SurveyStatus

_counter = itertools.count(1)


def make_survey(
    *,
    title: str | None = None,
    slug: str | None = None,
    status: str = SurveyStatus.PUBLISHED,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    intro: str = "A few questions about how you shop.",
) -> Survey:
    n = next(_counter)
    return Survey.objects.create(
        title=title or f"Survey {n}",
        slug=slug or f"survey-{n}",
        status=status,
        opens_at=opens_at or timezone.now() - timedelta(days=1),
        closes_at=closes_at,
        intro=intro,
    )


def add_question(
    survey: Survey,
    text: str,
    kind: str,
    *,
    choices: list[str] | tuple[str, ...] = (),
    attribute: str | None = None,
    required: bool = True,
    max_length: int = 500,
    help_text: str = "",
) -> Question:
    question = Question.objects.create(
        survey=survey,
        text=text,
        kind=kind,
        required=required,
        max_length=max_length,
        help_text=help_text,
        position=survey.questions.count() + 1,
        attribute=Attribute.objects.get(key=attribute) if attribute else None,
    )
    Choice.objects.bulk_create(
        Choice(question=question, label=label, position=n) for n, label in enumerate(choices, 1)
    )
    return question


def make_habits_survey(**kwargs) -> Survey:
    """The usual survey: two mapped choices, a multiple choice, a scale and a short text."""
    survey = make_survey(**kwargs)
    add_question(
        survey,
        "Which device do you shop on most?",
        QuestionKind.SINGLE,
        choices=["Phone", "Tablet", "Laptop or desktop"],
        attribute="device",
    )
    add_question(
        survey,
        "How did you first find our shop?",
        QuestionKind.SINGLE,
        choices=["Search engine", "Friend or family", "Social media", "Other"],
        attribute="found_us_via",
    )
    add_question(
        survey,
        "What helps you decide to buy?",
        QuestionKind.MULTIPLE,
        choices=["Reviews", "Good photos", "The price"],
        required=False,
    )
    add_question(survey, "How important is fast delivery to you?", QuestionKind.SCALE)
    add_question(
        survey,
        "What would make shopping here easier?",
        QuestionKind.TEXT,
        required=False,
        max_length=200,
    )
    return survey


def choice_id(question: Question, label: str) -> int:
    return question.choices.get(label=label).pk


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "pk"))


def respond(survey: Survey, answers: list[dict]) -> None:
    """One new consenting shopper per entry is invited to `survey` and answers it, by
    question index: {0: "Phone", 2: ["Reviews"], 3: 4, 4: "some text"}."""
    from surveys.services import survey_offer_for, survey_submit
    from tests.factories import make_shopper

    questions = questions_of(survey)
    for given in answers:
        profile = make_shopper(surveys=True).profile
        assert survey_offer_for(profile=profile, now=timezone.now()) == survey
        data: dict[int, object] = {}
        for index, value in given.items():
            question = questions[index]
            if question.kind == QuestionKind.SINGLE:
                data[question.pk] = choice_id(question, value)
            elif question.kind == QuestionKind.MULTIPLE:
                data[question.pk] = [choice_id(question, label) for label in value]
            else:
                data[question.pk] = value
        survey_submit(survey=survey, profile=profile, data=data)
