"""The read API of the shared profile."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from profiles.models import (
    AttributeCategory,
    Consent,
    CustomerProfile,
    ProfileFact,
    Purpose,
    QuestionAsk,
    Touchpoint,
)


def profile_for_user(*, user) -> CustomerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CustomerProfile.objects.filter(user=user).first()


def current_facts(profile: CustomerProfile) -> QuerySet[ProfileFact]:
    return (
        ProfileFact.objects.filter(profile=profile, is_current=True)
        .select_related("attribute")
        .order_by("attribute__category", "attribute__label")
    )


def known_facts(profile: CustomerProfile) -> dict[str, ProfileFact]:
    """The current fact per attribute key."""
    return {fact.attribute.key: fact for fact in current_facts(profile)}


def current_values(profile: CustomerProfile, keys: list[str]) -> dict[str, object]:
    """The current value of each of `keys` that is known, in one query."""
    rows = ProfileFact.objects.filter(
        profile=profile, is_current=True, attribute__key__in=keys
    ).values_list("attribute__key", "value")
    return dict(rows)


@dataclass(frozen=True)
class FactGroup:
    category: str
    label: str
    facts: list[ProfileFact]


def facts_by_category(profile: CustomerProfile) -> list[FactGroup]:
    """Current facts grouped by attribute category, in the catalogue's order, in one query."""
    grouped: dict[str, list[ProfileFact]] = {}
    for fact in current_facts(profile):
        grouped.setdefault(fact.attribute.category, []).append(fact)
    return [
        FactGroup(category=value, label=label, facts=grouped[value])
        for value, label in AttributeCategory.choices
        if value in grouped
    ]


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    label: str
    granted: bool
    since: object | None
    source: str


def current_consents(profile: CustomerProfile) -> list[ConsentState]:
    """Every purpose with the choice in force (the latest row), in one query."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(profile=profile).order_by("-recorded_at", "-pk"):
        latest.setdefault(consent.purpose, consent)
    states = []
    for value, label in Purpose.choices:
        row = latest.get(value)
        states.append(
            ConsentState(
                purpose=value,
                label=label,
                granted=bool(row and row.granted),
                since=row.recorded_at if row else None,
                source=row.get_source_display() if row else "",
            )
        )
    return states


def consent_history(profile: CustomerProfile) -> QuerySet[Consent]:
    return Consent.objects.filter(profile=profile).order_by("-recorded_at", "-pk")


def timeline(profile: CustomerProfile, *, limit: int = 20) -> list[Touchpoint]:
    return list(Touchpoint.objects.filter(profile=profile).order_by("-occurred_at", "-pk")[:limit])


def question_ask_get(*, profile: CustomerProfile, ask_id: int) -> QuestionAsk:
    """One of the profile's own asks with its question and attribute; 404 for anyone else's."""
    ask = (
        QuestionAsk.objects.select_related("question__attribute")
        .filter(pk=ask_id, profile=profile)
        .first()
    )
    if ask is None:
        raise Http404("No such question for this customer.")
    return ask
