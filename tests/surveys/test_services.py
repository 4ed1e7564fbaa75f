"""Inviting, dismissing and answering: the rules of the survey stage."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from profiles.models import Attribute, Kind, ProfileFact, Purpose, Source, Touchpoint, ValueKind
from profiles.selectors import known_facts
from profiles.services import learn, origin_of, set_consent
from surveys.models import (
    Answer,
    AnswerChoice,
    QuestionKind,
    Survey,
    SurveyOffer,
    SurveyResponse,
    SurveyStatus,
)
from surveys.services import (
    AlreadyAnswered,
    SurveyUnavailable,
    survey_dismiss,
    survey_offer_for,
    survey_submit,
)
from tests.surveys.factories import (
    add_question,
    choice_id,
    make_habits_survey,
    make_survey,
    questions_of,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def good_answers(survey) -> dict:
    device, found, habits, scale, text = questions_of(survey)
    return {
        device.pk: choice_id(device, "Phone"),
        found.pk: choice_id(found, "Social media"),
        habits.pk: [choice_id(habits, "Reviews"), choice_id(habits, "The price")],
        scale.pk: 4,
        text.pk: "  Bigger photos, please.  ",
    }


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.value.message_dict


# --- Who is invited, and how often --------------------------------------------------------


def test_a_consenting_shopper_is_invited_and_the_offer_recorded(consenting, survey, now):
    assert survey_offer_for(profile=consenting.profile, now=now) == survey
    offer = SurveyOffer.objects.get(profile=consenting.profile)
    assert (offer.survey, offer.offered_at, offer.dismissed_at) == (survey, now, None)


def test_no_invitation_without_consent_to_surveys(shopper, survey, now):
    # Alice registered without ticking "invite me to an occasional short survey".
    assert survey_offer_for(profile=shopper.profile, now=now) is None
    assert not SurveyOffer.objects.exists()


def test_withdrawn_consent_stops_even_a_pending_invitation(offered, consenting, now):
    set_consent(consenting.profile, Purpose.SURVEYS, granted=False, source=Source.CUSTOMER)
    assert survey_offer_for(profile=consenting.profile, now=now) is None


def test_a_pending_invitation_is_shown_again_without_a_new_offer(offered, consenting, now):
    for later in (now, now + DAY, now + 45 * DAY):
        assert survey_offer_for(profile=consenting.profile, now=later) == offered
    assert SurveyOffer.objects.count() == 1


def test_at_most_one_new_survey_per_thirty_days(offered, consenting, now):
    profile = consenting.profile
    survey_submit(survey=offered, profile=profile, data=good_answers(offered), now=now)
    second = make_habits_survey(opens_at=now - DAY)
    first_offer = now - timedelta(minutes=1)
    assert survey_offer_for(profile=profile, now=first_offer + 29 * DAY) is None
    assert survey_offer_for(profile=profile, now=first_offer + 30 * DAY) == second
    assert SurveyOffer.objects.filter(profile=profile).count() == 2


def test_the_interval_is_a_setting(settings, offered, consenting, now):
    settings.SURVEY_OFFER_INTERVAL_DAYS = 7
    survey_submit(survey=offered, profile=consenting.profile, data=good_answers(offered), now=now)
    second = make_habits_survey(opens_at=now - DAY)
    assert survey_offer_for(profile=consenting.profile, now=now + 6 * DAY) is None
    assert survey_offer_for(profile=consenting.profile, now=now + 7 * DAY) == second


def test_an_answered_survey_is_never_offered_again(offered, consenting, now):
    survey_submit(survey=offered, profile=consenting.profile, data=good_answers(offered), now=now)
    assert survey_offer_for(profile=consenting.profile, now=now + 365 * DAY) is None


def test_a_dismissed_survey_is_not_offered_again_and_the_interval_still_counts(
    offered, consenting, now
):
    offer = survey_dismiss(profile=consenting.profile, survey=offered, now=now)
    assert offer.dismissed_at == now
    second = make_habits_survey(opens_at=now - DAY)
    assert survey_offer_for(profile=consenting.profile, now=now + DAY) is None
    assert survey_offer_for(profile=consenting.profile, now=now + 31 * DAY) == second
    # The dismissed one stays dismissed, even once the new one is answered or dismissed.
    survey_dismiss(profile=consenting.profile, survey=second, now=now + 31 * DAY)
    assert survey_offer_for(profile=consenting.profile, now=now + 90 * DAY) is None


def test_dismissing_twice_keeps_the_first_time(offered, consenting, now):
    survey_dismiss(profile=consenting.profile, survey=offered, now=now)
    again = survey_dismiss(profile=consenting.profile, survey=offered, now=now + DAY)
    assert again.dismissed_at == now


def test_a_survey_never_offered_cannot_be_dismissed(consenting, survey, now):
    with pytest.raises(SurveyUnavailable, match="not offered"):
        survey_dismiss(profile=consenting.profile, survey=survey, now=now)


@pytest.mark.parametrize(
    "state",
    [
        {"status": SurveyStatus.DRAFT},
        {"opens_at_days": 1},
        {"closes_at_days": -1},
    ],
    ids=["draft", "not-yet-open", "closed"],
)
def test_drafts_and_surveys_outside_their_dates_are_not_offered(consenting, now, state):
    make_survey(
        status=state.get("status", SurveyStatus.PUBLISHED),
        opens_at=now + state.get("opens_at_days", -10) * DAY,
        closes_at=now + state["closes_at_days"] * DAY if "closes_at_days" in state else None,
    )
    assert survey_offer_for(profile=consenting.profile, now=now) is None


def test_a_pending_offer_of_a_closed_survey_makes_way_after_the_interval(offered, consenting, now):
    Survey.objects.filter(pk=offered.pk).update(closes_at=now + DAY)
    second = make_habits_survey(opens_at=now - DAY)
    assert survey_offer_for(profile=consenting.profile, now=now + 2 * DAY) is None
    assert survey_offer_for(profile=consenting.profile, now=now + 31 * DAY) == second


def test_the_oldest_open_survey_is_offered_first(consenting, now):
    newer = make_survey(opens_at=now - DAY)
    older = make_survey(opens_at=now - 5 * DAY)
    assert survey_offer_for(profile=consenting.profile, now=now) == older
    assert newer != older


# --- Answering ----------------------------------------------------------------------------


def test_answers_are_stored_in_one_response(offered, consenting, now):
    response = survey_submit(
        survey=offered, profile=consenting.profile, data=good_answers(offered), now=now
    )
    device, _, habits, scale, text = questions_of(offered)
    answers = {answer.question_id: answer for answer in response.answers.all()}
    assert response.submitted_at == now
    assert [c.label for c in answers[device.pk].choices.all()] == ["Phone"]
    assert sorted(c.label for c in answers[habits.pk].choices.all()) == ["Reviews", "The price"]
    assert answers[scale.pk].scale_value == 4
    assert answers[text.pk].text == "Bigger photos, please."


def test_mapped_answers_become_facts_from_a_survey(offered, consenting, now):
    response = survey_submit(
        survey=offered, profile=consenting.profile, data=good_answers(offered), now=now
    )
    facts = known_facts(consenting.profile)
    for key, value in (("device", "Phone"), ("found_us_via", "Social media")):
        fact = facts[key]
        assert (fact.value, fact.source, fact.origin) == (
            value,
            Source.SURVEY,
            origin_of(response),
        )
        assert fact.observed_at == now
        assert fact.ref_id == str(response.pk)


def test_answering_writes_a_survey_completed_touchpoint(offered, consenting, now):
    response = survey_submit(
        survey=offered, profile=consenting.profile, data=good_answers(offered), now=now
    )
    touchpoint = Touchpoint.objects.get(profile=consenting.profile, kind=Kind.SURVEY_COMPLETED)
    assert touchpoint.summary == "Answered the survey “How you shop with us”"
    assert (touchpoint.occurred_at, touchpoint.origin) == (now, origin_of(response))


def test_optional_questions_may_be_left_blank(offered, consenting):
    device, found, _, scale, text = questions_of(offered)
    data = {device.pk: choice_id(device, "Tablet"), found.pk: choice_id(found, "Other")}
    response = survey_submit(
        survey=offered, profile=consenting.profile, data={**data, scale.pk: "2", text.pk: " "}
    )
    assert sorted(response.answers.values_list("question_id", flat=True)) == sorted(
        [device.pk, found.pk, scale.pk]
    )


def _wrong(survey, question_index: int, value):
    data = good_answers(survey)
    question = questions_of(survey)[question_index]
    data[question.pk] = value
    return data, question


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, None, "Please answer this question."),
        (0, "", "Please answer this question."),
        (0, "not-a-number", "Please choose one of the answers shown."),
        (0, 999_999, "Please choose one of the answers shown."),
        (2, ["1", "banana"], "Please choose one of the answers shown."),
        (3, 0, "Please choose a number from 1 to 5."),
        (3, 6, "Please choose a number from 1 to 5."),
        (3, "4.5", "Please choose a number from 1 to 5."),
        (3, True, "Please choose a number from 1 to 5."),
        (3, None, "Please answer this question."),
        (4, 42, "Please answer in words."),
        (4, "a\x00b", "Your answer contains a character we can't store."),
    ],
    ids=[
        "required-missing",
        "required-empty",
        "choice-not-a-number",
        "choice-unknown",
        "multiple-with-junk",
        "scale-0",
        "scale-6",
        "scale-fraction",
        "scale-bool",
        "scale-required",
        "text-not-text",
        "text-null-char",
    ],
)
def test_every_wrong_answer_is_refused_with_a_clear_message(
    offered, consenting, index, value, message
):
    data, question = _wrong(offered, index, value)
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data=data)
    assert messages_of(error) == {str(question.pk): [message]}
    assert not SurveyResponse.objects.exists() and not Answer.objects.exists()
    assert not ProfileFact.objects.filter(source=Source.SURVEY).exists()


def test_a_forged_choice_from_another_question_is_refused(offered, consenting):
    device, found, *_ = questions_of(offered)
    data, _ = _wrong(offered, 0, choice_id(found, "Search engine"))
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data=data)
    assert messages_of(error) == {str(device.pk): ["Please choose one of the answers shown."]}


def test_two_answers_to_a_single_choice_question_are_refused(offered, consenting):
    device = questions_of(offered)[0]
    data, _ = _wrong(offered, 0, [choice_id(device, "Phone"), choice_id(device, "Tablet")])
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data=data)
    assert messages_of(error) == {str(device.pk): ["Please choose only one answer."]}


def test_an_over_long_text_is_refused_and_says_how_long(offered, consenting):
    text = questions_of(offered)[4]
    data, _ = _wrong(offered, 4, "x" * 201)
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data=data)
    assert messages_of(error) == {
        str(text.pk): ["Please keep your answer to 200 characters (it has 201)."]
    }
    data[text.pk] = "x" * 200
    survey_submit(survey=offered, profile=consenting.profile, data=data)


def test_unknown_question_ids_are_refused(offered, consenting):
    other = make_habits_survey()
    foreign = questions_of(other)[0]
    data = {**good_answers(offered), foreign.pk: choice_id(foreign, "Phone"), "nonsense": "x"}
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data=data)
    assert messages_of(error) == {
        "__all__": [
            f"Question {foreign.pk!r} is not part of this survey.",
            "Question 'nonsense' is not part of this survey.",
        ]
    }
    assert not SurveyResponse.objects.exists()


def test_all_problems_are_reported_at_once(offered, consenting):
    device, found, _, scale, _ = questions_of(offered)
    with pytest.raises(ValidationError) as error:
        survey_submit(survey=offered, profile=consenting.profile, data={scale.pk: 9})
    assert set(messages_of(error)) == {str(device.pk), str(found.pk), str(scale.pk)}


@pytest.mark.parametrize(
    "change",
    [
        {"closes_at": "past"},
        {"status": SurveyStatus.DRAFT},
    ],
    ids=["closed", "back-to-draft"],
)
def test_a_closed_or_unpublished_survey_takes_no_answers(offered, consenting, now, change):
    if change.get("closes_at") == "past":
        Survey.objects.filter(pk=offered.pk).update(closes_at=now - timedelta(minutes=1))
    else:
        Survey.objects.filter(pk=offered.pk).update(**change)
    offered.refresh_from_db()
    with pytest.raises(SurveyUnavailable, match="This survey is closed"):
        survey_submit(survey=offered, profile=consenting.profile, data=good_answers(offered))
    assert not SurveyResponse.objects.exists()


def test_a_survey_not_offered_to_the_shopper_takes_no_answers(offered, other_shopper):
    with pytest.raises(SurveyUnavailable, match="not offered to you"):
        survey_submit(survey=offered, profile=other_shopper.profile, data=good_answers(offered))


def test_a_double_submit_stores_one_response_and_says_so(offered, consenting, now):
    profile = consenting.profile
    survey_submit(survey=offered, profile=profile, data=good_answers(offered), now=now)
    changed = good_answers(offered)
    device = questions_of(offered)[0]
    changed[device.pk] = choice_id(device, "Tablet")
    with pytest.raises(AlreadyAnswered, match="You have answered this survey already"):
        survey_submit(survey=offered, profile=profile, data=changed, now=now + DAY)
    assert SurveyResponse.objects.count() == 1
    assert Answer.objects.count() == 5
    assert known_facts(profile)["device"].value == "Phone"
    assert Touchpoint.objects.filter(kind=Kind.SURVEY_COMPLETED).count() == 1


def test_the_database_refuses_a_second_response_too(offered, consenting, now):
    SurveyResponse.objects.create(survey=offered, profile=consenting.profile, submitted_at=now)
    with pytest.raises(IntegrityError):
        SurveyResponse.objects.create(survey=offered, profile=consenting.profile, submitted_at=now)


# --- What answers teach the profile --------------------------------------------------------


def _one_question_survey(consenting, now, text, kind, **kwargs):
    survey = make_survey(opens_at=now - DAY)
    question = add_question(survey, text, kind, **kwargs)
    survey_offer_for(profile=consenting.profile, now=now)
    return survey, question


def test_an_answer_that_does_not_fit_its_attribute_is_kept_but_teaches_nothing(consenting, now):
    # "Smart watch" is not one of the device attribute's choices.
    survey, question = _one_question_survey(
        consenting,
        now,
        "Which gadget do you shop on?",
        QuestionKind.SINGLE,
        choices=["Phone", "Smart watch"],
        attribute="device",
    )
    response = survey_submit(
        survey=survey,
        profile=consenting.profile,
        data={question.pk: choice_id(question, "Smart watch")},
    )
    assert AnswerChoice.objects.get(answer__response=response).choice.label == "Smart watch"
    assert "device" not in known_facts(consenting.profile)
    assert Touchpoint.objects.filter(kind=Kind.SURVEY_COMPLETED).count() == 1


def test_a_scale_teaches_a_number_attribute_its_number(consenting, now):
    Attribute.objects.create(
        key="delivery_speed_importance",
        label="How much fast delivery matters",
        category="preference",
        value_kind=ValueKind.NUMBER,
    )
    survey, question = _one_question_survey(
        consenting,
        now,
        "How important is fast delivery?",
        QuestionKind.SCALE,
        attribute="delivery_speed_importance",
    )
    survey_submit(survey=survey, profile=consenting.profile, data={question.pk: "5"})
    assert known_facts(consenting.profile)["delivery_speed_importance"].value == 5


def test_a_labelled_scale_teaches_a_choice_attribute_the_label(consenting, now):
    survey, question = _one_question_survey(
        consenting,
        now,
        "How often do you shop with us?",
        QuestionKind.SCALE,
        choices=["Rarely", "A few times a year", "Monthly", "Weekly", "Daily"],
        attribute="shopping_frequency",
    )
    survey_submit(survey=survey, profile=consenting.profile, data={question.pk: 3})
    assert known_facts(consenting.profile)["shopping_frequency"].value == "Monthly"


def test_multiple_choices_teach_a_list_attribute_every_label(consenting, now):
    survey, question = _one_question_survey(
        consenting,
        now,
        "Which topics do you like to read about?",
        QuestionKind.MULTIPLE,
        choices=["Cooking", "Gardening", "Cycling"],
        attribute="interests",
    )
    ids = [choice_id(question, "Cycling"), choice_id(question, "Cooking")]
    survey_submit(survey=survey, profile=consenting.profile, data={question.pk: ids})
    assert sorted(known_facts(consenting.profile)["interests"].value) == ["Cooking", "Cycling"]


def test_a_short_text_teaches_a_text_attribute(consenting, now):
    Attribute.objects.create(
        key="wished_for_feature", label="Wished-for feature", category="interest"
    )
    survey, question = _one_question_survey(
        consenting,
        now,
        "What would make shopping here easier?",
        QuestionKind.TEXT,
        attribute="wished_for_feature",
    )
    survey_submit(survey=survey, profile=consenting.profile, data={question.pk: "A wish list"})
    assert known_facts(consenting.profile)["wished_for_feature"].value == "A wish list"


def test_a_survey_answer_supersedes_an_older_fact_and_keeps_history(offered, consenting, now):
    learn(consenting.profile, "device", "Tablet", source=Source.PURCHASE)
    survey_submit(survey=offered, profile=consenting.profile, data=good_answers(offered), now=now)
    history = ProfileFact.objects.filter(profile=consenting.profile, attribute__key="device")
    assert sorted(history.values_list("value", "is_current")) == [
        ("Phone", True),
        ("Tablet", False),
    ]


# --- Database invariants ---------------------------------------------------------------------


def test_a_scale_answer_outside_1_to_5_is_refused_by_the_database(offered, consenting, now):
    response = SurveyResponse.objects.create(
        survey=offered, profile=consenting.profile, submitted_at=now
    )
    with pytest.raises(IntegrityError):
        Answer.objects.create(response=response, question=questions_of(offered)[3], scale_value=6)


def test_an_override_without_a_reason_is_refused_by_the_database(now):
    with pytest.raises(IntegrityError):
        Survey.objects.create(
            title="X", slug="x", opens_at=now, personal_override=True, override_at=now
        )


def test_a_survey_closing_before_it_opens_is_refused_by_the_database(now):
    with pytest.raises(IntegrityError):
        make_survey(opens_at=now, closes_at=now - DAY)
