"""Writes of the survey stage: inviting, dismissing, answering, and the admin's override."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from profiles import services as profile_services
from profiles.models import CustomerProfile, Kind, Purpose, Source, ValueKind
from surveys.models import (
    SCALE_POINTS,
    Answer,
    AnswerChoice,
    Question,
    QuestionKind,
    Survey,
    SurveyOffer,
    SurveyResponse,
    open_surveys_q,
)
from surveys.selectors import survey_questions


class SurveyUnavailable(ValidationError):
    """The survey is closed, not published, or was never offered to this shopper."""


class AlreadyAnswered(ValidationError):
    """This shopper has answered this survey already; nothing was stored twice."""


def offer_interval() -> timedelta:
    return timedelta(days=getattr(settings, "SURVEY_OFFER_INTERVAL_DAYS", 30))


def _lock_profile(profile: CustomerProfile) -> None:
    # Serialise a shopper's concurrent page views, so two never record two offers.
    CustomerProfile.objects.select_for_update().filter(pk=profile.pk).exists()


def survey_offer_for(*, profile: CustomerProfile, now: datetime) -> Survey | None:
    """The survey to invite this shopper to now, recording the offer; None for no invitation.

    Only with the shopper's consent to survey invitations. A survey already offered and
    neither answered nor dismissed is offered again while it is open; a new survey is
    offered at most once per SURVEY_OFFER_INTERVAL_DAYS (counted from the last offer,
    dismissed or not), never one already answered or offered before.

    Runs on page views: two or three reads when there is nothing new to offer, and a
    lock only when there is.
    """
    if not profile_services.has_consent(profile, Purpose.SURVEYS):
        return None
    pending, may_offer = _offer_state(profile, now)
    if pending is not None or not may_offer or _next_survey(profile, now) is None:
        return pending
    with transaction.atomic():
        _lock_profile(profile)
        # A concurrent page view may have recorded an offer while this one waited.
        pending, may_offer = _offer_state(profile, now)
        survey = _next_survey(profile, now) if pending is None and may_offer else None
        if survey is None:
            return pending
        SurveyOffer.objects.create(profile=profile, survey=survey, offered_at=now)
    return survey


def _offer_state(profile: CustomerProfile, now: datetime) -> tuple[Survey | None, bool]:
    """The survey offered earlier and still waiting for an answer, if any, and whether a
    new one may be offered now. One query: a shopper has one offer per interval at most."""
    answered = SurveyResponse.objects.filter(survey=OuterRef("survey"), profile=profile)
    offers = list(
        SurveyOffer.objects.filter(profile=profile)
        .select_related("survey")
        .annotate(answered=Exists(answered))
        .order_by("-offered_at", "-pk")
    )
    pending = next(
        (
            offer.survey
            for offer in offers
            if offer.dismissed_at is None
            and not offer.answered
            and offer.offered_at <= now
            and offer.survey.is_open(now)
        ),
        None,
    )
    may_offer = not offers or now - offers[0].offered_at >= offer_interval()
    return pending, may_offer


def _next_survey(profile: CustomerProfile, now: datetime) -> Survey | None:
    return (
        Survey.objects.filter(open_surveys_q(now))
        .exclude(offers__profile=profile)
        .exclude(responses__profile=profile)
        .order_by("opens_at", "pk")
        .first()
    )


def survey_dismiss(*, profile: CustomerProfile, survey: Survey, now: datetime) -> SurveyOffer:
    """The shopper said "no thanks": this survey is not offered to them again."""
    offer = SurveyOffer.objects.filter(profile=profile, survey=survey).first()
    if offer is None:
        raise SurveyUnavailable("This survey was not offered to you.")
    if offer.dismissed_at is None:
        offer.dismissed_at = max(now, offer.offered_at)
        offer.save(update_fields=["dismissed_at"])
    return offer


@dataclass
class _Answer:
    question: Question
    choice_ids: list[int] = field(default_factory=list)
    scale_value: int | None = None
    text: str = ""


def _as_int(key: Any) -> int | None:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_is_blank(item) for item in value)
    return False


def _choice_ids(question: Question, value: Any) -> list[int]:
    items = list(value) if isinstance(value, list | tuple) else [value]
    offered = {choice.pk for choice in question.choices.all()}
    ids: list[int] = []
    for item in items:
        if _is_blank(item):
            continue
        pk = _as_int(item)
        if pk is None or pk not in offered:
            raise ValidationError("Please choose one of the answers shown.")
        if pk not in ids:
            ids.append(pk)
    if question.kind == QuestionKind.SINGLE and len(ids) > 1:
        raise ValidationError("Please choose only one answer.")
    return ids


def _scale_value(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError("Please choose a number from 1 to 5.")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("Please choose a number from 1 to 5.") from None
    if number not in SCALE_POINTS:
        raise ValidationError("Please choose a number from 1 to 5.")
    return number


def _text(question: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError("Please answer in words.")
    text = value.strip()
    if "\x00" in text:
        raise ValidationError("Your answer contains a character we can't store.")
    if len(text) > question.max_length:
        raise ValidationError(
            f"Please keep your answer to {question.max_length} characters (it has {len(text)})."
        )
    return text


def _validated(questions: list[Question], data: Mapping[Any, Any]) -> list[_Answer]:
    by_id = {question.pk: question for question in questions}
    errors: dict[str, list[str]] = {}
    for key in data:
        pk = _as_int(key)
        if pk is None or pk not in by_id:
            errors.setdefault("__all__", []).append(f"Question {key!r} is not part of this survey.")
    given = {_as_int(key): value for key, value in data.items()}
    answers = []
    for question in questions:
        value = given.get(question.pk)
        if _is_blank(value):
            if question.required:
                errors[str(question.pk)] = ["Please answer this question."]
            continue
        try:
            if question.has_choices:
                answers.append(_Answer(question, choice_ids=_choice_ids(question, value)))
            elif question.kind == QuestionKind.SCALE:
                answers.append(_Answer(question, scale_value=_scale_value(value)))
            else:
                answers.append(_Answer(question, text=_text(question, value)))
        except ValidationError as error:
            errors[str(question.pk)] = error.messages
    if errors:
        raise ValidationError(errors)
    return answers


def _fact_value(answer: _Answer) -> Any:
    """What an answer says about the shopper, in the words of the mapped attribute."""
    question = answer.question
    kind = question.attribute.value_kind if question.attribute else None
    if question.has_choices:
        labels = {choice.pk: choice.label for choice in question.choices.all()}
        chosen = [labels[pk] for pk in answer.choice_ids]
        if kind in (ValueKind.MULTI_CHOICE, ValueKind.LIST) or len(chosen) != 1:
            return chosen
        return chosen[0]
    if question.kind == QuestionKind.SCALE:
        assert answer.scale_value is not None
        if kind == ValueKind.NUMBER:
            return answer.scale_value
        return question.scale_labels()[answer.scale_value]
    return answer.text


def survey_submit(
    *,
    survey: Survey,
    profile: CustomerProfile,
    data: Mapping[Any, Any],
    now: datetime | None = None,
) -> SurveyResponse:
    """Store one shopper's answers and teach the profile what the mapped answers say.

    `data` maps question ids to a choice id (single choice), a list of choice ids
    (multiple choice), a number 1-5 (scale) or text. Raises ValidationError keyed by
    question id for wrong answers, SurveyUnavailable for a survey that is not open to
    this shopper, AlreadyAnswered for a second response. An answer whose value doesn't
    fit its attribute is kept, and just teaches nothing.
    """
    now = now or timezone.now()
    if not survey.is_open(now):
        raise SurveyUnavailable("This survey is closed. Thank you for your interest.")
    if not SurveyOffer.objects.filter(profile=profile, survey=survey).exists():
        raise SurveyUnavailable("This survey was not offered to you.")
    already = AlreadyAnswered("You have answered this survey already. Thank you!")
    if SurveyResponse.objects.filter(survey=survey, profile=profile).exists():
        raise already
    answers = _validated(survey_questions(survey, profile=profile), data)
    try:
        with transaction.atomic():
            _lock_profile(profile)
            # Checked again under the lock: a double click races the first submit here.
            if SurveyResponse.objects.filter(survey=survey, profile=profile).exists():
                raise already
            response = SurveyResponse.objects.create(
                survey=survey, profile=profile, submitted_at=now
            )
            _store_answers(response, answers)
            _teach_profile(profile, response, answers, now)
            profile_services.record_touchpoint(
                profile,
                Kind.SURVEY_COMPLETED,
                ref=response,
                occurred_at=now,
                summary=f"Answered the survey “{survey.title}”",
            )
    except IntegrityError as error:
        # A racing second submit got past the check; the unique constraint stopped it.
        raise already from error
    return response


def _store_answers(response: SurveyResponse, answers: list[_Answer]) -> None:
    rows = Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question=answer.question,
                scale_value=answer.scale_value,
                text=answer.text,
            )
            for answer in answers
        ]
    )
    AnswerChoice.objects.bulk_create(
        [
            AnswerChoice(answer=row, choice_id=choice_id)
            for row, answer in zip(rows, answers, strict=True)
            for choice_id in answer.choice_ids
        ]
    )


def _teach_profile(
    profile: CustomerProfile, response: SurveyResponse, answers: list[_Answer], now: datetime
) -> None:
    for answer in answers:
        attribute = answer.question.attribute
        if attribute is None or not attribute.active:
            continue
        try:
            profile_services.learn(
                profile,
                attribute.key,
                _fact_value(answer),
                source=Source.SURVEY,
                ref=response,
                observed_at=now,
            )
        except ValidationError:
            # The answer stays in the survey's results; it just isn't a fact of the profile.
            continue


def survey_record_override(*, survey: Survey, user, now: datetime | None = None) -> Survey:
    """Stamp who ticked the personal-data override and when; unticking clears the stamp.

    For the admin's save, before the survey is written.
    """
    if not survey.personal_override:
        survey.override_reason = ""
        survey.override_by = None
        survey.override_at = None
        return survey
    previous = (
        Survey.objects.filter(pk=survey.pk).values("personal_override", "override_reason").first()
        if survey.pk
        else None
    )
    unchanged = previous is not None and previous == {
        "personal_override": True,
        "override_reason": survey.override_reason,
    }
    if not unchanged or survey.override_at is None:
        survey.override_by = user
        survey.override_at = now or timezone.now()
    return survey
