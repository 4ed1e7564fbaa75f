"""The read API of the shared profile."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from profiles.models import (
    Attribute,
    AttributeCategory,
    Consent,
    CustomerProfile,
    ForgottenAttribute,
    ProfileAccess,
    ProfileFact,
    Purpose,
    QuestionAsk,
    Source,
    Touchpoint,
)


def profile_for_user(*, user) -> CustomerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CustomerProfile.objects.filter(user=user).first()


def profile_ids_with_email(address: str) -> set[int]:
    """The customers whose account e-mail or current e-mail fact is `address`, ignoring
    case. Usually one; several when customers share an address, none for a stranger."""
    address = (address or "").strip().lower()
    if not address:
        return set()
    ids = set(
        CustomerProfile.objects.filter(user__email__iexact=address).values_list("pk", flat=True)
    )
    # E-mail facts are stored lower-cased by profiles.services.clean_value.
    ids |= set(
        ProfileFact.objects.filter(
            attribute__key="email", is_current=True, value=address
        ).values_list("profile_id", flat=True)
    )
    return ids


def forgotten_keys(profile: CustomerProfile) -> set[str]:
    """The attributes the customer asked us to forget: no stage asks for them again."""
    return set(
        ForgottenAttribute.objects.filter(profile=profile).values_list("attribute__key", flat=True)
    )


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


def facts_by_stage(profile: CustomerProfile) -> list[FactGroup]:
    """Current facts grouped by the stage that taught them (registration, a purchase, a
    survey...), in the order the stages come, in one query."""
    grouped: dict[str, list[ProfileFact]] = {}
    for fact in current_facts(profile):
        grouped.setdefault(fact.source, []).append(fact)
    return [
        FactGroup(category=value, label=label, facts=grouped[value])
        for value, label in Source.choices
        if value in grouped
    ]


def correctable_attribute(*, key: str) -> Attribute:
    """An attribute the customer may set themselves; 404 for unknown or retired keys."""
    attribute = Attribute.objects.filter(key=key, active=True).first()
    if attribute is None:
        raise Http404("No such attribute.")
    return attribute


@dataclass(frozen=True)
class AccessSummary:
    count: int
    last: datetime | None
    recent: list[datetime]


def profile_access_summary(profile: CustomerProfile, *, recent: int = 10) -> AccessSummary:
    """How often and when staff opened the profile; never who."""
    accesses = ProfileAccess.objects.filter(profile=profile)
    totals = accesses.aggregate(count=Count("pk"), last=Max("accessed_at"))
    times = list(accesses.values_list("accessed_at", flat=True)[:recent])
    return AccessSummary(count=totals["count"], last=totals["last"], recent=times)


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
