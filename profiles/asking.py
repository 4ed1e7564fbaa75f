"""The patient asker: whether to ask one small question on this page view, which one,
and what the customer did with it.

The policy (ARCHITECTURE.md, "Patience: the asking policy"), judged at `now`:

- at most one question per visit: a question put earlier in the visit is shown again
  only while it is still pending, and no second one follows it;
- at most ASKS_PER_WEEK questions in any rolling 7 days;
- never what is already known (a current fact for the question's attribute);
- never a declined question within DECLINED_REST (90 days), nor a skipped one, or one
  left unanswered in an earlier visit, within SKIPPED_REST (14 days). These rests go by
  attribute, so rewording a question in the bank does not start them again;
- never a question above the customer's trust level, never a sensitive attribute;
- never during checkout, never while the profiling consent is withdrawn;
- of what remains, the highest priority first.

Every ask, answer, skip and decline is logged in QuestionAsk and on the timeline.
"""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from profiles import services
from profiles.models import (
    CustomerProfile,
    ForgottenAttribute,
    Kind,
    Outcome,
    ProfileFact,
    ProfileQuestion,
    Purpose,
    QuestionAsk,
    Sensitivity,
    Source,
)

ASKS_PER_WEEK = 3
WEEK = timedelta(days=7)
DECLINED_REST = timedelta(days=90)
SKIPPED_REST = timedelta(days=14)
# Paying is never interrupted: by page name, or by the shop's checkout URLs.
QUIET_PAGES = frozenset({"checkout"})
QUIET_PREFIXES = ("/shop/checkout",)


class AskClosed(ValidationError):
    """The ask was answered, skipped or declined already (a double submit, an old tab)."""


def is_quiet_page(page: str) -> bool:
    return page in QUIET_PAGES or urlsplit(page).path.startswith(QUIET_PREFIXES)


def next_question(profile: CustomerProfile, *, page: str, now: datetime) -> QuestionAsk | None:
    """The question to show on this page view, or None.

    The first question of a visit is logged as a new ask (and on the timeline); later
    page views of the same visit get that same ask back while it is pending. `profile`
    must be read after its visit started: its visit count and trust level decide.
    """
    if is_quiet_page(page) or profile.visit_started_at is None:
        return None
    horizon = now - DECLINED_REST
    recent = list(
        QuestionAsk.objects.filter(profile=profile)
        .filter(
            Q(asked_at__gte=horizon) | Q(answered_at__gte=horizon) | Q(visit=profile.visit_count)
        )
        .annotate(known=Exists(_known(profile, OuterRef("question__attribute"))))
        .select_related("question__attribute")
    )
    this_visit = next((ask for ask in recent if ask.visit == profile.visit_count), None)
    if this_visit is not None and not _still_open(this_visit):
        return None
    if not services.has_consent(profile, Purpose.PROFILING):
        return None
    if this_visit is not None:
        return this_visit
    if sum(now - WEEK < ask.asked_at <= now for ask in recent) >= ASKS_PER_WEEK:
        return None
    resting = {ask.question.attribute_id for ask in recent if _resting(ask, now)}
    question = (
        ProfileQuestion.objects.filter(
            active=True, attribute__active=True, min_trust__lte=profile.trust_level
        )
        .exclude(attribute__sensitivity=Sensitivity.SENSITIVE)
        .exclude(attribute__in=resting)
        .exclude(Exists(_known(profile, OuterRef("attribute"))))
        .exclude(
            Exists(
                ForgottenAttribute.objects.filter(profile=profile, attribute=OuterRef("attribute"))
            )
        )
        .select_related("attribute")
        .order_by("-priority", "pk")
        .first()
    )
    if question is None:
        return None
    return _ask(profile, question, now)


def _known(profile: CustomerProfile, attribute: OuterRef):
    return ProfileFact.objects.filter(profile=profile, is_current=True, attribute=attribute)


def _still_open(ask: QuestionAsk) -> bool:
    question = ask.question
    # Learned meanwhile (a survey, an order): the card would ask what is known.
    return (
        ask.outcome == Outcome.PENDING
        and question.active
        and question.attribute.active
        and not getattr(ask, "known", False)
    )


def _resting(ask: QuestionAsk, now: datetime) -> bool:
    if ask.outcome == Outcome.DECLINED:
        return ask.answered_at is not None and now - ask.answered_at < DECLINED_REST
    if ask.outcome == Outcome.SKIPPED:
        return ask.answered_at is not None and now - ask.answered_at < SKIPPED_REST
    if ask.outcome == Outcome.PENDING:
        # Left unanswered in an earlier visit: as good as "not now".
        return now - ask.asked_at < SKIPPED_REST
    return False


def _ask(profile: CustomerProfile, question: ProfileQuestion, now: datetime) -> QuestionAsk | None:
    try:
        with transaction.atomic():
            ask = QuestionAsk.objects.create(
                profile=profile, question=question, visit=profile.visit_count, asked_at=now
            )
            services.record_touchpoint(
                profile,
                Kind.QUESTION_ASKED,
                ref=ask,
                occurred_at=now,
                summary=f"Asked: {question.text}",
            )
    except IntegrityError:
        # Another page of the same visit asked first: show that one, never a second.
        theirs = (
            QuestionAsk.objects.select_related("question__attribute")
            .filter(profile=profile, visit=profile.visit_count)
            .first()
        )
        return theirs if theirs is not None and theirs.outcome == Outcome.PENDING else None
    return ask


ALREADY: dict[str, str] = {
    Outcome.ANSWERED: "You have answered that question already. Thank you!",
    Outcome.SKIPPED: "You set that question aside already; we will not ask it again soon.",
    Outcome.DECLINED: "You asked us not to ask that; we won't for at least three months.",
}


def _check_open(profile: CustomerProfile, ask: QuestionAsk) -> None:
    if ask.profile_id != profile.pk:
        raise QuestionAsk.DoesNotExist("That question was not put to this customer.")
    if ask.outcome != Outcome.PENDING:
        raise AskClosed(ALREADY.get(ask.outcome, "That question is closed."))


def _close(*, profile: CustomerProfile, ask: QuestionAsk, outcome: Outcome, now: datetime) -> None:
    _check_open(profile, ask)
    # Compare-and-set: of two racing submits exactly one closes the ask.
    closed = QuestionAsk.objects.filter(pk=ask.pk, outcome=Outcome.PENDING).update(
        outcome=outcome, answered_at=now
    )
    if not closed:
        current = QuestionAsk.objects.filter(pk=ask.pk).values_list("outcome", flat=True).first()
        raise AskClosed(ALREADY.get(current or "", "That question is closed."))
    ask.outcome, ask.answered_at = outcome, now


def answer_question(
    *, profile: CustomerProfile, ask: QuestionAsk, value: Any, now: datetime
) -> ProfileFact:
    """Record the customer's answer to `ask` as a fact with source "question".

    Raises ValidationError, storing nothing, when the value does not fit the attribute
    (a choice must be one of those offered), when profiling is switched off, and
    AskClosed when the ask was answered, skipped or declined already.
    """
    _check_open(profile, ask)
    question = ask.question
    value = services.clean_value(question.attribute, value)
    if not services.has_consent(profile, Purpose.PROFILING):
        raise ValidationError(
            "You have switched off learning about you, so we did not keep that answer."
        )
    with transaction.atomic():
        _close(profile=profile, ask=ask, outcome=Outcome.ANSWERED, now=now)
        fact = services.learn(
            profile,
            question.attribute.key,
            value,
            source=Source.QUESTION,
            ref=ask,
            observed_at=now,
        )
        services.record_touchpoint(
            profile,
            Kind.QUESTION_ANSWERED,
            ref=ask,
            occurred_at=now,
            summary=f"Answered: {question.text}",
        )
    return fact


def skip_question(*, profile: CustomerProfile, ask: QuestionAsk, now: datetime) -> QuestionAsk:
    """The customer's “Not now”: the question rests for SKIPPED_REST.

    Raises AskClosed when the ask was closed already."""
    with transaction.atomic():
        _close(profile=profile, ask=ask, outcome=Outcome.SKIPPED, now=now)
        services.record_touchpoint(
            profile,
            Kind.QUESTION_SKIPPED,
            ref=ask,
            occurred_at=now,
            summary=f"Not now: {ask.question.text}",
        )
    return ask


def decline_question(*, profile: CustomerProfile, ask: QuestionAsk, now: datetime) -> QuestionAsk:
    """The customer's “Don't ask me this”: the question rests for DECLINED_REST.

    Raises AskClosed when the ask was closed already."""
    with transaction.atomic():
        _close(profile=profile, ask=ask, outcome=Outcome.DECLINED, now=now)
        services.record_touchpoint(
            profile,
            Kind.QUESTION_DECLINED,
            ref=ask,
            occurred_at=now,
            summary=f"Declined: {ask.question.text}",
        )
    return ask
