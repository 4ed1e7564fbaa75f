"""The surveys' part of "download my data" and "delete my account" (see profiles.privacy).

Responses outlive the account so results keep their counts; free-text answers, which
may say anything about the person, are blanked.
"""

from typing import Any

from profiles.models import CustomerProfile
from profiles.privacy import when
from surveys.models import Answer, SurveyOffer, SurveyResponse


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question.text,
        "choices": [choice.label for choice in answer.choices.all()],
        "scale": answer.scale_value,
        "text": answer.text,
    }


def export_survey_answers(*, profile: CustomerProfile) -> dict[str, Any]:
    responses = (
        SurveyResponse.objects.filter(profile=profile)
        .select_related("survey")
        .prefetch_related("answers__question", "answers__choices")
    )
    return {
        "survey_responses": [
            {
                "survey": response.survey.title,
                "submitted_at": when(response.submitted_at),
                "answers": [_answer(answer) for answer in response.answers.all()],
            }
            for response in responses
        ],
        "survey_invitations": [
            {
                "survey": offer.survey.title,
                "offered_at": when(offer.offered_at),
                "dismissed_at": when(offer.dismissed_at),
            }
            for offer in SurveyOffer.objects.filter(profile=profile).select_related("survey")
        ],
    }


def erase_survey_answers(*, profile: CustomerProfile) -> int:
    responses = SurveyResponse.objects.filter(profile=profile)
    blanked = Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
    offers, _ = SurveyOffer.objects.filter(profile=profile).delete()
    return blanked + offers + responses.update(profile=None)
