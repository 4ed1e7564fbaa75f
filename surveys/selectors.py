"""Reads of the survey stage: the shopper's survey pages and the marketers' results."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value, Window
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.http import Http404

from profiles.aggregates import suppress_partition, suppress_small
from profiles.models import CustomerProfile, ProfileFact, Source
from profiles.selectors import forgotten_keys
from profiles.services import origin_of
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

TEXT_ANSWERS_SHOWN = 100


def min_cell_size() -> int:
    return getattr(settings, "MIN_CELL_SIZE", 5)


def survey_questions(survey: Survey, *, profile: CustomerProfile | None = None) -> list[Question]:
    """The questions in order, with their choices and attributes, in two queries.

    For a shopper, a question that would teach an attribute they asked us to forget is
    left out: a forgotten fact is not asked for again, by any stage.
    """
    questions = (
        Question.objects.filter(survey=survey)
        .select_related("attribute")
        .prefetch_related("choices")
        .order_by("position", "pk")
    )
    if profile is not None:
        questions = questions.exclude(attribute__key__in=forgotten_keys(profile))
    return list(questions)


def survey_get_offered(*, profile: CustomerProfile, slug: str, now: datetime) -> Survey:
    """The open survey offered to this shopper, or 404 (drafts, closed ones, others')."""
    survey = Survey.objects.filter(open_surveys_q(now), slug=slug, offers__profile=profile).first()
    if survey is None:
        raise Http404("No such survey is open to you.")
    return survey


def survey_get_offered_any(*, profile: CustomerProfile, slug: str) -> Survey:
    """A survey offered to this shopper at some time, open or not, or 404."""
    survey = Survey.objects.filter(slug=slug, offers__profile=profile).first()
    if survey is None:
        raise Http404("No such survey was offered to you.")
    return survey


def response_for(*, profile: CustomerProfile, slug: str) -> SurveyResponse | None:
    return (
        SurveyResponse.objects.filter(profile=profile, survey__slug=slug)
        .select_related("survey")
        .first()
    )


def response_get_for_profile(*, profile: CustomerProfile, slug: str) -> SurveyResponse:
    response = response_for(profile=profile, slug=slug)
    if response is None:
        raise Http404("You have not answered this survey.")
    return response


def facts_learned_from(*, response: SurveyResponse) -> list[ProfileFact]:
    """The profile facts this response taught (an answer the profile already knew adds none)."""
    return list(
        ProfileFact.objects.filter(
            profile_id=response.profile_id, source=Source.SURVEY, origin=origin_of(response)
        )
        .select_related("attribute")
        .order_by("attribute__category", "attribute__label")
    )


# --- Results for marketers: aggregates only, small cells suppressed ----------------------


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    responses: int | None
    offered: int | None
    rate: int | None


def _count_of(model, **outer) -> Coalesce:
    rows = (
        model.objects.filter(**outer)
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _rate(responses: int | None, offered: int) -> int | None:
    if responses is None or not offered:
        return None
    return round(100 * responses / offered)


def survey_results_list() -> list[SurveyRow]:
    """Every survey with its responses and response rate (responses per shopper offered)."""
    minimum = min_cell_size()
    surveys = Survey.objects.annotate(
        response_count=_count_of(SurveyResponse, survey=OuterRef("pk")),
        offered_count=_count_of(SurveyOffer, survey=OuterRef("pk")),
    ).order_by("-opens_at", "-pk")
    rows = []
    for survey in surveys:
        responses = suppress_small(survey.response_count, minimum)
        rows.append(
            SurveyRow(
                survey=survey,
                responses=responses,
                offered=suppress_small(survey.offered_count, minimum),
                rate=_rate(responses, survey.offered_count),
            )
        )
    return rows


def survey_get(*, slug: str) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: fewer than the minimum, not shown
    share: int | None  # percent of the question's respondents


@dataclass
class QuestionResult:
    question: Question
    respondents: int | None
    minimum: int
    cells: list[Cell] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)
    texts_more: int = 0

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.question.pk}"

    @property
    def chart(self) -> dict | None:
        """What Chart.js draws: a suppressed cell has no value, so it draws no bar."""
        if not self.cells:
            return None
        return {
            "labels": [
                cell.label
                if cell.count is not None
                else f"{cell.label} (fewer than {self.minimum}, not shown)"
                for cell in self.cells
            ],
            "values": [cell.count for cell in self.cells],
        }

    @property
    def any_suppressed(self) -> bool:
        return any(cell.count is None for cell in self.cells)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int | None
    offered: int | None
    rate: int | None
    minimum: int
    questions: list[QuestionResult]


def _cells(labels: list[str], counts: list[int], respondents: int, *, partition: bool, minimum):
    shown = (
        suppress_partition(counts, minimum)
        if partition
        else [suppress_small(count, minimum) for count in counts]
    )
    return [
        Cell(
            label=label,
            count=count,
            share=round(100 * count / respondents) if count is not None and respondents else None,
        )
        for label, count in zip(labels, shown, strict=True)
    ]


def survey_results(*, survey: Survey) -> SurveyResults:
    """Per question, how many chose what, with cells under MIN_CELL_SIZE suppressed.

    A fixed number of queries however many questions and responses there are. Text
    answers are listed without names or dates, in alphabetical order, and only once
    enough people have answered that the list can't point at one of them.
    """
    minimum = min_cell_size()
    questions = survey_questions(survey)
    respondents = dict(
        Answer.objects.filter(response__survey=survey)
        .order_by()
        .values("question_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "n")
    )
    choice_counts = dict(
        AnswerChoice.objects.filter(answer__response__survey=survey)
        .order_by()
        .values("choice_id")
        .annotate(n=Count("pk"))
        .values_list("choice_id", "n")
    )
    scale_counts: dict[tuple[int, int | None], int] = {
        (question_id, point): n
        for question_id, point, n in Answer.objects.filter(
            response__survey=survey, scale_value__isnull=False
        )
        .order_by()
        .values("question_id", "scale_value")
        .annotate(n=Count("pk"))
        .values_list("question_id", "scale_value", "n")
    }
    texts = _text_answers(survey, minimum, respondents, questions)
    results = []
    for question in questions:
        answered = respondents.get(question.pk, 0)
        result = QuestionResult(
            question=question, respondents=suppress_small(answered, minimum), minimum=minimum
        )
        if question.has_choices:
            choices = list(question.choices.all())
            result.cells = _cells(
                [choice.label for choice in choices],
                [choice_counts.get(choice.pk, 0) for choice in choices],
                answered,
                partition=question.kind == QuestionKind.SINGLE,
                minimum=minimum,
            )
        elif question.kind == QuestionKind.SCALE:
            labels = question.scale_labels()
            counts = [scale_counts.get((question.pk, point), 0) for point in SCALE_POINTS]
            result.cells = _cells(
                [
                    str(point) if labels[point] == str(point) else f"{point} · {labels[point]}"
                    for point in SCALE_POINTS
                ],
                counts,
                answered,
                partition=True,
                minimum=minimum,
            )
            # With a small cell hidden, the mean would let it be worked out: no mean then.
            if result.respondents and not result.any_suppressed:
                total = sum(
                    point * count for point, count in zip(SCALE_POINTS, counts, strict=True)
                )
                result.mean = round(total / answered, 1)
        else:
            result.texts = texts.get(question.pk, [])
            result.texts_more = max(0, answered - len(result.texts)) if result.respondents else 0
        results.append(result)
    responses = survey.responses.count()
    offered = survey.offers.count()
    shown_responses = suppress_small(responses, minimum)
    return SurveyResults(
        survey=survey,
        responses=shown_responses,
        offered=suppress_small(offered, minimum),
        rate=_rate(shown_responses, offered),
        minimum=minimum,
        questions=results,
    )


def _text_answers(survey, minimum, respondents, questions) -> dict[int, list[str]]:
    enough = [
        question.pk
        for question in questions
        if question.kind == QuestionKind.TEXT and respondents.get(question.pk, 0) >= minimum
    ]
    if not enough:
        return {}
    rows = (
        Answer.objects.filter(response__survey=survey, question_id__in=enough)
        .exclude(text="")
        .annotate(
            row=Window(RowNumber(), partition_by="question_id", order_by=[Lower("text"), "pk"])
        )
        .filter(row__lte=TEXT_ANSWERS_SHOWN)
        .order_by("question_id", Lower("text"), "pk")
        .values_list("question_id", "text")
    )
    found: dict[int, list[str]] = {}
    for question_id, text in rows:
        found.setdefault(question_id, []).append(text)
    return found
