"""The personal-data guard: in words, and in the admin where surveys are published."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from profiles.models import Attribute
from surveys.guard import flag_question, personal_topics
from surveys.models import QuestionKind, Survey, SurveyStatus
from tests.surveys.factories import add_question, make_survey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("What is your household income?", "income or wealth (household income)"),
        ("Roughly what salary do you earn?", "income or wealth (salary)"),
        ("What is your age?", "age or date of birth (age)"),
        ("When is your birthday?", "age or date of birth (birthday)"),
        ("What is your date of birth?", "age or date of birth (date of birth)"),
        ("How is your health these days?", "health"),
        ("Do you take any medical advice?", "health"),
        ("Which religion do you follow?", "religion or belief"),
        ("What is your ethnicity?", "ethnicity or race"),
        ("Which party did you vote for?", "politics"),
        ("What is your sexuality?", "sexuality or gender"),
        ("Are you married?", "family or relationships"),
        ("How many children do you have?", "family or relationships"),
        ("What is your postcode?", "where someone lives"),
        ("What is your home address?", "where someone lives"),
    ],
)
def test_personal_questions_are_recognised(text, topic):
    topics = personal_topics(text)
    assert any(found.startswith(topic) for found in topics), topics


@pytest.mark.parametrize(
    "text",
    [
        "Which device do you shop on most?",
        "How did you first find our shop?",
        "Which page of the shop do you use most?",  # "page" is not "age"
        "How is your usage of our app?",  # nor is "usage"
        "Do you compare prices before you buy?",
        "How important is fast delivery to you?",
        "Which browser do you use?",
    ],
)
def test_shopping_habit_and_web_usage_questions_pass(text):
    assert personal_topics(text) == []


def test_a_question_teaching_a_personal_attribute_is_flagged_whatever_its_words():
    birthday = Attribute.objects.get(key="birthday_month")
    flag = flag_question(text="Which month shall we send a treat?", attribute=birthday)
    assert flag.reasons == ("teaches “Birthday month”, a personal attribute of the profile",)
    assert (
        flag_question(text="Which device?", attribute=Attribute.objects.get(key="device")) is None
    )


def test_a_sensitive_attribute_is_flagged_too():
    flag = flag_question(
        text="Anything we should know?", attribute=Attribute.objects.get(key="dietary_needs")
    )
    assert flag.reasons == ("teaches “Dietary needs”, a sensitive attribute of the profile",)


# --- In the admin --------------------------------------------------------------------------


def change_url(survey) -> str:
    return f"/admin/surveys/survey/{survey.pk}/change/"


def admin_form(survey: Survey, **changes) -> dict:
    """The change form as the browser posts it, with every question in the inline."""
    opens = timezone.localtime(survey.opens_at)
    data = {
        "title": survey.title,
        "slug": survey.slug,
        "intro": survey.intro,
        "opens_at_0": opens.strftime("%Y-%m-%d"),
        "opens_at_1": opens.strftime("%H:%M:%S"),
        "closes_at_0": "",
        "closes_at_1": "",
        "status": survey.status,
        "override_reason": survey.override_reason,
    }
    if survey.personal_override:
        data["personal_override"] = "on"
    questions = list(survey.questions.order_by("position", "pk"))
    data.update(
        {
            "questions-TOTAL_FORMS": str(len(questions)),
            "questions-INITIAL_FORMS": str(len(questions)),
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
        }
    )
    for n, question in enumerate(questions):
        prefix = f"questions-{n}-"
        data.update(
            {
                f"{prefix}id": str(question.pk),
                f"{prefix}survey": str(survey.pk),
                f"{prefix}position": str(question.position),
                f"{prefix}text": question.text,
                f"{prefix}help_text": question.help_text,
                f"{prefix}kind": question.kind,
                f"{prefix}attribute": str(question.attribute_id or ""),
                f"{prefix}max_length": str(question.max_length),
            }
        )
        if question.required:
            data[f"{prefix}required"] = "on"
    data.update(changes)
    if data.get("personal_override") is None:
        data.pop("personal_override", None)
    return data


@pytest.fixture
def personal_survey(db):
    survey = make_survey(
        title="About you",
        slug="about-you",
        status=SurveyStatus.DRAFT,
        opens_at=timezone.now() - timedelta(days=1),
    )
    add_question(
        survey,
        "Which device do you shop on most?",
        QuestionKind.SINGLE,
        choices=["Phone", "Tablet"],
        attribute="device",
    )
    add_question(
        survey, "What is your household income?", QuestionKind.SINGLE, choices=["Low", "High"]
    )
    add_question(
        survey,
        "Which month is your birthday treat for?",
        QuestionKind.SINGLE,
        choices=["January", "February"],
        attribute="birthday_month",
    )
    return survey


@pytest.fixture
def marketer_client(client, marketer):
    client.force_login(marketer)
    return client


def test_the_change_page_warns_about_each_personal_question_and_why(
    marketer_client, personal_survey
):
    response = marketer_client.get(change_url(personal_survey))
    assert response.status_code == 200
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings[0].startswith("2 questions of this survey read as personal.")
    assert any(
        "“What is your household income?” reads as personal: it mentions income or wealth"
        in warning
        for warning in warnings
    )
    assert any(
        "“Which month is your birthday treat for?” reads as personal: it mentions age or date "
        "of birth (birthday) and teaches “Birthday month”, a personal attribute" in warning
        for warning in warnings
    )
    html = response.content.decode()
    assert "household income" in html and "Birthday month" in html


def test_a_clean_survey_gets_no_warning(marketer_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    add_question(survey, "Which browser do you use?", QuestionKind.TEXT)
    response = marketer_client.get(change_url(survey))
    assert [m for m in get_messages(response.wsgi_request)] == []


def test_publishing_personal_questions_without_the_override_is_refused(
    marketer_client, personal_survey
):
    response = marketer_client.post(
        change_url(personal_survey), admin_form(personal_survey, status=SurveyStatus.PUBLISHED)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This survey can&#x27;t be published: 2 questions ask for personal data" in html
    assert "tick “publish despite personal questions” and give the reason" in html
    personal_survey.refresh_from_db()
    assert personal_survey.status == SurveyStatus.DRAFT


def test_the_override_needs_a_reason(marketer_client, personal_survey):
    response = marketer_client.post(
        change_url(personal_survey),
        admin_form(personal_survey, status=SurveyStatus.PUBLISHED, personal_override="on"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["override_reason"] == [
        "Say why this survey needs its personal questions: the reason is recorded with your name."
    ]
    personal_survey.refresh_from_db()
    assert personal_survey.status == SurveyStatus.DRAFT and not personal_survey.personal_override


def test_publishing_with_the_override_and_a_reason_records_who_and_when(
    marketer_client, marketer, personal_survey
):
    before = timezone.now()
    response = marketer_client.post(
        change_url(personal_survey),
        admin_form(
            personal_survey,
            status=SurveyStatus.PUBLISHED,
            personal_override="on",
            override_reason="Legal asked us to check the birthday treat's reach.",
        ),
    )
    assert response.status_code == 302
    personal_survey.refresh_from_db()
    assert personal_survey.status == SurveyStatus.PUBLISHED
    assert personal_survey.override_by == marketer
    assert personal_survey.override_at >= before
    assert personal_survey.override_reason == "Legal asked us to check the birthday treat's reach."
    # Saving again unchanged keeps the original stamp.
    stamped = personal_survey.override_at
    marketer_client.post(change_url(personal_survey), admin_form(personal_survey))
    personal_survey.refresh_from_db()
    assert personal_survey.override_at == stamped
    # And the change page says who overrode it, and why.
    page = marketer_client.get(change_url(personal_survey))
    infos = [str(m) for m in get_messages(page.wsgi_request) if m.level_tag == "info"]
    assert infos and infos[0].startswith("Personal-data override by mallory on ")


def test_unticking_the_override_of_a_published_personal_survey_is_refused(
    marketer_client, superuser, personal_survey
):
    Survey.objects.filter(pk=personal_survey.pk).update(
        status=SurveyStatus.PUBLISHED,
        personal_override=True,
        override_reason="Approved",
        override_by=superuser,
        override_at=timezone.now(),
    )
    personal_survey.refresh_from_db()
    response = marketer_client.post(
        change_url(personal_survey), admin_form(personal_survey, personal_override=None)
    )
    assert response.status_code == 200
    assert "This survey can&#x27;t be published" in response.content.decode()
    personal_survey.refresh_from_db()
    assert personal_survey.personal_override and personal_survey.override_by == superuser


def test_a_draft_may_hold_personal_questions_while_it_is_worked_on(
    marketer_client, personal_survey
):
    response = marketer_client.post(
        change_url(personal_survey), admin_form(personal_survey, title="About you, reworded")
    )
    assert response.status_code == 302
    personal_survey.refresh_from_db()
    assert personal_survey.title == "About you, reworded"


def test_a_personal_question_cannot_be_slipped_into_a_published_survey(marketer_client, survey):
    question = survey.questions.order_by("position").first()
    response = marketer_client.post(
        f"/admin/surveys/question/{question.pk}/change/",
        {
            "survey": str(survey.pk),
            "text": "How old are you?",
            "help_text": "",
            "kind": question.kind,
            "required": "on",
            "position": "1",
            "attribute": "",
            "max_length": "500",
            "choices-TOTAL_FORMS": "0",
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "age or date of birth (how old)" in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Which device do you shop on most?"


def test_a_choice_question_without_choices_cannot_be_published(marketer_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    add_question(survey, "Which device?", QuestionKind.SINGLE, choices=["Phone"])
    response = marketer_client.post(
        change_url(survey), admin_form(survey, status=SurveyStatus.PUBLISHED)
    )
    assert response.status_code == 200
    assert "“Which device?” need at least two choices each" in response.content.decode()


def test_marketers_write_surveys_in_the_admin_and_the_list_links_to_results(
    marketer_client, survey
):
    assert marketer_client.get("/admin/surveys/survey/add/").status_code == 200
    listing = marketer_client.get("/admin/surveys/survey/", {"status__exact": "published"})
    assert list(listing.context["cl"].result_list) == [survey]
    assert f'href="/marketing/surveys/{survey.slug}/"' in listing.content.decode()
    assert marketer_client.get("/admin/surveys/question/").status_code == 200


def test_customer_care_cannot_edit_surveys(client, care_agent, survey):
    client.force_login(care_agent)
    assert client.get(change_url(survey)).status_code == 403
