"""The demo survey for `manage.py seed_demo`: shopping habits and web usage, a few answers."""

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from profiles.models import Attribute, CustomerProfile
from surveys.models import Choice, Question, QuestionKind, Survey, SurveyResponse, SurveyStatus
from surveys.selectors import survey_questions
from surveys.services import survey_offer_for, survey_submit

Out = Callable[[str], None]

SEED = 20_261_204
SLUG = "how-you-shop"
DEMO_PREFIX = "demo-customer-"
DEMO_SHOPPER = "demo-shopper"
MAX_RESPONSES = 40
# Of the demo customers invited, about this share answers.
ANSWER_SHARE = 0.8

# (text, kind, attribute key, choices, required, weights for the demo answers)
QUESTIONS = [
    (
        "How did you first find our shop?",
        QuestionKind.SINGLE,
        "found_us_via",
        [
            "Search engine",
            "Friend or family",
            "Social media",
            "An advert",
            "A postcard or letter",
            "Other",
        ],
        True,
        [8, 5, 4, 2, 2, 1],
    ),
    (
        "Which device do you shop on most?",
        QuestionKind.SINGLE,
        "device",
        ["Phone", "Tablet", "Laptop or desktop"],
        True,
        [6, 1, 4],
    ),
    (
        "How often do you shop with us?",
        QuestionKind.SINGLE,
        "shopping_frequency",
        ["Weekly", "Monthly", "A few times a year", "Rarely"],
        True,
        [1, 5, 6, 2],
    ),
    (
        "Which delivery do you prefer?",
        QuestionKind.SINGLE,
        "delivery_preference",
        ["Standard", "Next day", "Evening", "Pick-up point"],
        True,
        [6, 4, 1, 2],
    ),
    (
        "How important is fast delivery to you?",
        QuestionKind.SCALE,
        None,
        ["Not important", "A little", "Somewhat", "Very", "Essential"],
        True,
        [1, 3, 6, 5, 2],
    ),
    (
        "What helps you decide to buy something online?",
        QuestionKind.MULTIPLE,
        None,
        ["Reviews", "Good photos", "The price", "Free returns", "A friend's recommendation"],
        False,
        [6, 4, 7, 3, 2],
    ),
    (
        "What would make shopping here easier?",
        QuestionKind.TEXT,
        None,
        [],
        False,
        [],
    ),
]
IDEAS = [
    "A wish list I can share.",
    "Faster search on my phone.",
    "Filters by brand and price together.",
    "Evening delivery slots.",
    "Remember my last order so I can buy it again.",
    "Bigger photos of the products.",
    "Clearer delivery dates at checkout.",
    "Nothing really, it's easy already.",
]
INTRO = (
    "Seven quick questions about how you shop and use the web: nothing about you personally. "
    "Skip any that are not marked as needed."
)


@transaction.atomic
def seed_demo_surveys(*, out: Out) -> str:
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "How you shop with us",
            "intro": INTRO,
            "opens_at": now - timedelta(days=21),
            "status": SurveyStatus.PUBLISHED,
        },
    )
    if created:
        _add_questions(survey)
    answered = _answer_as_demo_customers(survey, now)
    total = SurveyResponse.objects.filter(survey=survey).count()
    out(
        f"  surveys: “{survey.title}” {'created' if created else 'already there'}; "
        f"{answered} new response(s), {total} in all"
    )
    return f"1 survey, {total} responses"


def _add_questions(survey: Survey) -> None:
    attributes = {attribute.key: attribute for attribute in Attribute.objects.all()}
    for position, (text, kind, key, labels, required, _) in enumerate(QUESTIONS, 1):
        question = Question.objects.create(
            survey=survey,
            text=text,
            kind=kind,
            required=required,
            position=position,
            attribute=attributes.get(key) if key else None,
        )
        Choice.objects.bulk_create(
            Choice(question=question, label=label, position=n) for n, label in enumerate(labels, 1)
        )


def _answer_as_demo_customers(survey: Survey, now) -> int:
    profiles = list(
        CustomerProfile.objects.filter(user__username__startswith=DEMO_PREFIX)
        .select_related("user")
        .order_by("user__username")
    )
    if not profiles:
        # No shop demo: the demo shopper answers, so the results page has something.
        profiles = list(CustomerProfile.objects.filter(user__username=DEMO_SHOPPER))
    questions = survey_questions(survey)
    done = set(SurveyResponse.objects.filter(survey=survey).values_list("profile_id", flat=True))
    answered = 0
    for index, profile in enumerate(profiles):
        if len(done) >= MAX_RESPONSES:
            break
        if profile.pk in done:
            continue
        rng = random.Random(SEED + index)
        offered_at = survey.opens_at + timedelta(days=rng.uniform(0, 19))
        if survey_offer_for(profile=profile, now=offered_at) != survey:
            continue
        if profile.user.username.startswith(DEMO_PREFIX) and rng.random() > ANSWER_SHARE:
            continue
        survey_submit(
            survey=survey,
            profile=profile,
            data=_answers(questions, rng),
            now=min(offered_at + timedelta(minutes=rng.uniform(1, 90)), now),
        )
        done.add(profile.pk)
        answered += 1
    return answered


def _answers(questions: list[Question], rng: random.Random) -> dict[int, object]:
    weights = {text: w for text, _, _, _, _, w in QUESTIONS}
    data: dict[int, object] = {}
    for question in questions:
        choices = list(question.choices.all())
        odds = weights.get(question.text) or [1] * max(len(choices), 1)
        if question.kind == QuestionKind.SINGLE:
            data[question.pk] = rng.choices(choices, weights=odds)[0].pk
        elif question.kind == QuestionKind.MULTIPLE:
            picked = {rng.choices(choices, weights=odds)[0].pk for _ in range(rng.randint(1, 3))}
            data[question.pk] = sorted(picked)
        elif question.kind == QuestionKind.SCALE:
            data[question.pk] = rng.choices(range(1, 6), weights=odds)[0]
        elif rng.random() < 0.5:
            data[question.pk] = rng.choice(IDEAS)
    return data
