"""The shopper's survey pages and the invitation."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles.models import Kind, Source, Touchpoint
from profiles.selectors import known_facts
from surveys.context_processors import QUIET_KEY, survey_invitation
from surveys.models import QuestionKind, Survey, SurveyOffer, SurveyResponse, SurveyStatus
from surveys.services import survey_offer_for
from tests.surveys.factories import add_question, choice_id, make_survey, questions_of

pytestmark = pytest.mark.django_db

URL = "/surveys/how-you-shop/"


def form_data(survey, **changes) -> dict:
    device, found, habits, scale, text = questions_of(survey)
    data = {
        f"q_{device.pk}": str(choice_id(device, "Phone")),
        f"q_{found.pk}": str(choice_id(found, "Social media")),
        f"q_{habits.pk}": [str(choice_id(habits, "Reviews")), str(choice_id(habits, "The price"))],
        f"q_{scale.pk}": "4",
        f"q_{text.pk}": "Bigger photos, please.",
    }
    data.update(changes)
    return data


@pytest.fixture
def alice_client(client, consenting):
    client.force_login(consenting)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The survey page ----------------------------------------------------------------------


def test_the_survey_page_needs_a_login(client, survey):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_survey_page_shows_the_intro_and_every_question_accessibly(alice_client, offered):
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>How you shop with us</h1>" in html
    assert "A few questions about how you shop." in html
    device, found, habits, scale, text = questions_of(offered)
    # Radio and checkbox groups are fieldsets named by their legend; text has a label.
    legends = [" ".join(p.split()) for p in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]
    required = '<span class="asteriskField">*</span>'
    assert legends == [
        f"{device.text}{required}",
        f"{found.text}{required}",
        habits.text,
        f"{scale.text}{required}",
    ]
    assert html.count("<fieldset") == 4
    assert re.search(rf'<label\s+for="id_q_{text.pk}"[^>]*>\s*{re.escape(text.text)}', html)
    assert f'maxlength="{text.max_length}"' in html
    # Each radio and checkbox is labelled by its choice; a bare scale says which end is which.
    option = r'<label for="id_q_\d+_\d+" class="form-check-label">(.*?)</label>'
    options = {" ".join(label.split()) for label in re.findall(option, html, re.S)}
    assert {
        "Phone",
        "Tablet",
        "Social media",
        "Reviews",
        "1 (lowest)",
        "3",
        "5 (highest)",
    } <= options


def test_a_question_about_a_forgotten_fact_is_not_asked_again(alice_client, offered, consenting):
    from profiles.services import fact_forget

    fact_forget(profile=consenting.profile, key="device")
    device = questions_of(offered)[0]
    page = alice_client.get(URL).content.decode()
    assert f'name="q_{device.pk}"' not in page
    data = form_data(offered)
    del data[f"q_{device.pk}"]
    response = alice_client.post(URL, data)
    assert response.status_code == 302
    assert "device" not in known_facts(consenting.profile)


def test_answering_redirects_to_thanks_which_says_what_was_learned(
    alice_client, offered, consenting
):
    response = alice_client.post(URL, form_data(offered))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}thanks/"
    assert SurveyResponse.objects.filter(profile=consenting.profile).count() == 1
    assert known_facts(consenting.profile)["device"].source == Source.SURVEY

    thanks = alice_client.get(response["Location"])
    html = thanks.content.decode()
    assert thanks.status_code == 200
    assert "<h1>Thank you for your answers</h1>" in html
    assert "Device you shop on most" in html and "Phone" in html
    assert "How you found the shop" in html and "Social media" in html
    assert 'href="/me/"' in html


def test_a_missing_required_answer_shows_the_form_again_and_stores_nothing(alice_client, offered):
    device = questions_of(offered)[0]
    response = alice_client.post(URL, form_data(offered, **{f"q_{device.pk}": ""}))
    assert response.status_code == 200
    assert response.context["form"].errors == {f"q_{device.pk}": ["Please answer this question."]}
    assert not SurveyResponse.objects.exists()


def test_a_forged_choice_is_refused(alice_client, offered):
    device, found, *_ = questions_of(offered)
    forged = str(choice_id(found, "Other"))
    response = alice_client.post(URL, form_data(offered, **{f"q_{device.pk}": forged}))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"q_{device.pk}": ["Please choose one of the answers shown."]
    }
    assert "Some answers need another look" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_over_long_text_is_refused(alice_client, offered):
    text = questions_of(offered)[4]
    response = alice_client.post(URL, form_data(offered, **{f"q_{text.pk}": "x" * 201}))
    assert response.status_code == 200
    assert response.context["form"].errors[f"q_{text.pk}"] == [
        "Please keep your answer to 200 characters (it has 201)."
    ]
    assert not SurveyResponse.objects.exists()


def test_a_service_refusal_is_shown_on_the_question(alice_client, offered, monkeypatch):
    # The form checks shape only; a rule only the service knows lands on its question.
    from django.core.exceptions import ValidationError

    from surveys import services

    device = questions_of(offered)[0]

    def refuse(**kwargs):
        raise ValidationError({str(device.pk): ["Please choose one of the answers shown."]})

    monkeypatch.setattr(services, "survey_submit", refuse)
    response = alice_client.post(URL, form_data(offered))
    assert response.context["form"].errors == {
        f"q_{device.pk}": ["Please choose one of the answers shown."]
    }


def test_a_double_submit_keeps_one_response_and_explains(alice_client, offered, consenting):
    alice_client.post(URL, form_data(offered))
    again = alice_client.post(URL, form_data(offered))
    assert again.status_code == 302 and again["Location"] == f"{URL}thanks/"
    assert "You have answered this survey already. Thank you!" in messages_of(again)
    assert SurveyResponse.objects.count() == 1
    assert Touchpoint.objects.filter(kind=Kind.SURVEY_COMPLETED).count() == 1


def test_opening_an_answered_survey_says_so_and_redirects(alice_client, offered):
    alice_client.post(URL, form_data(offered))
    response = alice_client.get(URL)
    assert response.status_code == 302 and response["Location"] == f"{URL}thanks/"
    assert "You have answered this survey already. Thank you!" in messages_of(response)


def test_a_survey_not_offered_is_not_found(alice_client, survey):
    assert alice_client.get(URL).status_code == 404


def test_another_shoppers_offer_does_not_open_the_survey(client, offered, other_shopper):
    client.force_login(other_shopper)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data(offered)).status_code == 404


@pytest.mark.parametrize(
    "change",
    [{"status": SurveyStatus.DRAFT}, {"closes_at": "past"}],
    ids=["draft", "closed"],
)
def test_a_draft_or_closed_survey_is_not_found(alice_client, offered, change):
    if change.get("closes_at") == "past":
        change = {"closes_at": timezone.now() - timedelta(seconds=1)}
    Survey.objects.filter(pk=offered.pk).update(**change)
    assert alice_client.get(URL).status_code == 404
    assert alice_client.post(URL, form_data(offered)).status_code == 404


def test_staff_have_no_survey_to_answer(client, marketer, offered):
    client.force_login(marketer)
    assert client.get(URL).status_code == 404


def test_thanks_for_an_unanswered_survey_is_not_found(alice_client, offered):
    assert alice_client.get(f"{URL}thanks/").status_code == 404


def test_the_survey_page_query_count_does_not_grow_with_questions(alice_client, consenting):
    now = timezone.now()
    small = make_survey(slug="small", opens_at=now - timedelta(days=2))
    add_question(small, "Which device?", QuestionKind.SINGLE, choices=["Phone", "Tablet"])
    big = make_survey(slug="big", opens_at=now - timedelta(days=1))
    for n in range(8):
        kind = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE, QuestionKind.TEXT]
        add_question(big, f"Question {n}?", kind[n % 4], choices=["A", "B", "C"], required=False)
    for survey in (small, big):
        SurveyOffer.objects.create(profile=consenting.profile, survey=survey, offered_at=now)
    alice_client.get("/surveys/small/")  # the visit starts: counted once, not measured

    def count(slug: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(f"/surveys/{slug}/").status_code == 200
        return len(ctx.captured_queries)

    # session, user, profile, answered?, survey, questions, choices, cart (none)
    assert count("small") == count("big") <= 8


# --- Dismissing -----------------------------------------------------------------------------


def test_dismissing_hides_the_invitation_and_goes_back(alice_client, offered, consenting):
    response = alice_client.post(f"{URL}dismiss/", {"next": "/shop/"})
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert "No problem: we won't ask you about “How you shop with us” again." in messages_of(
        response
    )
    assert SurveyOffer.objects.get(profile=consenting.profile).dismissed_at is not None
    assert survey_offer_for(profile=consenting.profile, now=timezone.now()) is None


def test_dismiss_never_sends_the_shopper_off_site(alice_client, offered):
    response = alice_client.post(f"{URL}dismiss/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_dismiss_is_a_post_of_an_offered_survey(alice_client, survey, offered):
    assert alice_client.get(f"{URL}dismiss/").status_code == 405
    other = make_survey(slug="never-offered")
    assert alice_client.post(f"/surveys/{other.slug}/dismiss/").status_code == 404


# --- The invitation ---------------------------------------------------------------------------


def test_an_eligible_shopper_sees_the_invitation_on_any_page(alice_client, survey):
    html = alice_client.get("/").content.decode()
    assert 'id="survey-invitation"' in html
    assert "A short survey: How you shop with us" in html
    assert f'href="{URL}"' in html
    assert f'action="{URL}dismiss/"' in html and 'name="next" value="/"' in html


def test_no_invitation_without_consent(client, shopper, survey):
    client.force_login(shopper)
    assert 'id="survey-invitation"' not in client.get("/").content.decode()
    assert not SurveyOffer.objects.exists()


def test_no_invitation_for_visitors_or_staff(client, marketer, survey):
    assert 'id="survey-invitation"' not in client.get("/").content.decode()
    client.force_login(marketer)
    assert 'id="survey-invitation"' not in client.get("/").content.decode()
    assert not SurveyOffer.objects.exists()


@pytest.mark.parametrize("path", ["/shop/checkout/", f"{URL}", "/admin/"])
def test_no_invitation_while_paying_or_on_the_survey_itself(consenting, survey, path):
    request = RequestFactory().get(path)
    request.user = consenting
    assert survey_invitation(request)["survey_invitation"]() is None
    assert not SurveyOffer.objects.exists()


def test_the_invitation_costs_nothing_until_a_template_shows_it(consenting, survey):
    request = RequestFactory().get("/")
    request.user = consenting
    with CaptureQueriesContext(connection) as ctx:
        context = survey_invitation(request)
    assert ctx.captured_queries == []
    invite = context["survey_invitation"]
    assert invite() == survey
    with CaptureQueriesContext(connection) as ctx:
        assert invite() == survey  # once per request
    assert ctx.captured_queries == []


def test_nothing_to_offer_is_remembered_for_a_while_so_pages_stay_cheap(alice_client, consenting):
    alice_client.get("/")  # nothing published: remembered in the session
    with CaptureQueriesContext(connection) as ctx:
        assert alice_client.get("/").status_code == 200
    # Neither the survey tables nor the consent to surveys are read again.
    assert not [q["sql"] for q in ctx.captured_queries if "surveys" in q["sql"]]

    make_survey(title="Fresh", slug="fresh")
    assert 'id="survey-invitation"' not in alice_client.get("/").content.decode()
    session = alice_client.session
    session[QUIET_KEY] = timezone.now().timestamp() - 1  # ten minutes later
    session.save()
    assert "A short survey: Fresh" in alice_client.get("/").content.decode()


def test_withdrawing_consent_hides_a_pending_invitation_at_once(alice_client, survey):
    assert 'id="survey-invitation"' in alice_client.get("/").content.decode()
    alice_client.post("/me/consents/", {"profiling": "on"})
    assert 'id="survey-invitation"' not in alice_client.get("/").content.decode()
