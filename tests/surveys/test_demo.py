"""`manage.py seed_demo`'s survey part: one habits survey, a few answers, idempotent."""

import pytest
from django.apps import apps

from profiles.models import ProfileFact, Source
from surveys.demo import seed_demo_surveys
from surveys.guard import flag_questions
from surveys.models import Survey, SurveyResponse, SurveyStatus
from surveys.selectors import survey_questions
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db


def test_the_demo_survey_asks_about_habits_only_and_the_demo_shopper_answers_it():
    shopper = make_shopper(username="demo-shopper", surveys=True)
    lines: list[str] = []
    assert seed_demo_surveys(out=lines.append) == "1 survey, 1 responses"
    survey = Survey.objects.get(slug="how-you-shop")
    assert survey.status == SurveyStatus.PUBLISHED and survey.title == "How you shop with us"
    questions = survey_questions(survey)
    assert flag_questions(questions) == []
    assert {q.attribute.key for q in questions if q.attribute} == {
        "found_us_via",
        "device",
        "shopping_frequency",
        "delivery_preference",
    }
    assert questions[-1].text == "What would make shopping here easier?"
    assert SurveyResponse.objects.get().profile == shopper.profile
    assert ProfileFact.objects.filter(profile=shopper.profile, source=Source.SURVEY).count() == 4

    assert seed_demo_surveys(out=lines.append) == "1 survey, 1 responses"
    assert Survey.objects.count() == 1 and survey.questions.count() == 7


def test_with_demo_customers_they_answer_and_the_demo_shopper_is_left_to_be_invited():
    shopper = make_shopper(username="demo-shopper", surveys=True)
    for n in range(1, 13):
        make_shopper(username=f"demo-customer-{n:03d}", surveys=n % 4 != 0)
    apps.get_app_config("surveys").seed_demo(out=lambda _: None)
    answered = SurveyResponse.objects.count()
    assert 0 < answered <= 9
    assert not SurveyResponse.objects.filter(profile=shopper.profile).exists()
    assert not SurveyResponse.objects.filter(
        profile__user__username__in=["demo-customer-004", "demo-customer-008"]
    ).exists()
    seed_demo_surveys(out=lambda _: None)
    assert SurveyResponse.objects.count() == answered
