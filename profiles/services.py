"""The write API of the shared profile. Every stage writes the profile through here.

Facts are append-only: a new value supersedes the current one and history stays.
Writes carry their origin (by default the object that taught them), so a retried
task or a re-imported e-mail never records the same thing twice.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from profiles.models import (
    Attribute,
    Consent,
    CustomerProfile,
    ForgottenAttribute,
    Kind,
    ProfileAccess,
    ProfileFact,
    Purpose,
    Sensitivity,
    Source,
    Touchpoint,
    ValueKind,
    trust_level_for,
)
from profiles.phones import normalise_phone

MAX_TEXT_VALUE = 500
# Sources where the customer tells us something themselves.
VOLUNTEERED = frozenset({Source.REGISTRATION, Source.SURVEY, Source.QUESTION, Source.CUSTOMER})
MAX_LIST_ITEMS = 20


def profile_create(*, user) -> CustomerProfile:
    profile, _ = CustomerProfile.objects.get_or_create(user=user)
    return profile


def _reference(ref: models.Model | None) -> dict[str, Any]:
    if ref is None:
        return {"ref_type": None, "ref_id": "", "ref_label": ""}
    return {
        "ref_type": ContentType.objects.get_for_model(ref),
        "ref_id": str(ref.pk),
        "ref_label": str(ref)[:200],
    }


def origin_of(ref: models.Model | None) -> str:
    if ref is None:
        return ""
    return f"{ref._meta.label_lower}:{ref.pk}"


def clean_value(attribute: Attribute, value: Any) -> Any:
    """Normalise a value for an attribute, or raise ValidationError saying why."""
    kind = attribute.value_kind
    if kind == ValueKind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationError(f"{attribute.label}: expected yes or no.")
        return value
    if kind == ValueKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValidationError(f"{attribute.label}: expected a number.")
        return float(value) if isinstance(value, Decimal) else value
    if kind in (ValueKind.MULTI_CHOICE, ValueKind.LIST):
        items = value if isinstance(value, list | tuple) else [value]
        cleaned = []
        for item in items:
            text = _clean_text(attribute, item)
            if text and text not in cleaned:
                cleaned.append(text)
        if not cleaned:
            raise ValidationError(f"{attribute.label}: no value given.")
        if len(cleaned) > MAX_LIST_ITEMS:
            raise ValidationError(f"{attribute.label}: at most {MAX_LIST_ITEMS} items.")
        if kind == ValueKind.MULTI_CHOICE:
            _check_choices(attribute, cleaned)
        return cleaned
    text = _clean_text(attribute, value)
    if not text:
        raise ValidationError(f"{attribute.label}: no value given.")
    if kind == ValueKind.CHOICE:
        _check_choices(attribute, [text])
    if kind == ValueKind.EMAIL:
        text = text.lower()
    if kind == ValueKind.PHONE:
        # One form for every stage, so a call matches the number given at checkout.
        text = normalise_phone(text) or text
    return text


def _clean_text(attribute: Attribute, value: Any) -> str:
    if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
        raise ValidationError(f"{attribute.label}: expected text.")
    text = " ".join(str(value).split())
    if "\x00" in text:
        raise ValidationError(f"{attribute.label}: null characters are not allowed.")
    if len(text) > MAX_TEXT_VALUE:
        raise ValidationError(f"{attribute.label}: at most {MAX_TEXT_VALUE} characters.")
    return text


def _check_choices(attribute: Attribute, values: list[str]) -> None:
    allowed = set(attribute.choices or [])
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(f"{attribute.label}: {unknown[0]!r} is not one of the choices.")


@transaction.atomic
def learn(
    profile: CustomerProfile,
    key: str,
    value: Any,
    *,
    source: Source | str,
    ref: models.Model | None = None,
    origin: str | None = None,
    observed_at: datetime | None = None,
    recorded_by=None,
) -> ProfileFact | None:
    """Record that `profile` has `value` for the attribute `key`, learned from `source`.

    Returns None, recording nothing, when the customer asked the shop to forget this
    attribute and the value is inferred (from a purchase, a campaign, a contact...)
    rather than volunteered by the customer.

    The same origin writing the same attribute twice is a no-op that returns the
    first fact; the same value as the current one keeps the current fact. Otherwise
    the new fact becomes current and the old one is kept as history.
    """
    attribute = Attribute.objects.get(key=key)
    value = clean_value(attribute, value)
    origin = origin_of(ref) if origin is None else origin
    # Serialise writers per profile so "one current value" holds under concurrency.
    CustomerProfile.objects.select_for_update().filter(pk=profile.pk).exists()
    if source in VOLUNTEERED:
        # The customer tells us again themselves: that lifts an earlier "forget this".
        ForgottenAttribute.objects.filter(profile=profile, attribute=attribute).delete()
    elif _forgotten(profile, attribute):
        return None

    if origin:
        existing = ProfileFact.objects.filter(
            profile=profile, attribute=attribute, source=source, origin=origin
        ).first()
        if existing is not None:
            return existing
    current = ProfileFact.objects.filter(
        profile=profile, attribute=attribute, is_current=True
    ).first()
    if current is not None and current.value == value:
        return current

    now = timezone.now()
    if current is not None:
        ProfileFact.objects.filter(pk=current.pk).update(is_current=False, superseded_at=now)
    fact = ProfileFact.objects.create(
        profile=profile,
        attribute=attribute,
        value=value,
        source=source,
        origin=origin,
        observed_at=observed_at or now,
        recorded_by=recorded_by,
        is_current=True,
        **_reference(ref),
    )
    profile_refresh_completeness(profile=profile)
    return fact


def profile_refresh_completeness(*, profile: CustomerProfile) -> int:
    counted = Attribute.objects.filter(active=True).exclude(sensitivity=Sensitivity.SENSITIVE)
    total = counted.count()
    known = (
        ProfileFact.objects.filter(profile=profile, is_current=True, attribute__in=counted)
        .values("attribute")
        .count()
    )
    percent = round(100 * known / total) if total else 0
    CustomerProfile.objects.filter(pk=profile.pk).update(completeness=percent)
    profile.completeness = percent
    return percent


def record_touchpoint(
    profile: CustomerProfile,
    kind: Kind | str,
    *,
    ref: models.Model | None = None,
    summary: str = "",
    amount: Decimal | None = None,
    occurred_at: datetime | None = None,
    origin: str | None = None,
) -> Touchpoint:
    """Add an entry to the profile's timeline; the same kind from the same origin only once."""
    origin = origin_of(ref) if origin is None else origin
    fields = {
        "summary": summary[:200],
        "amount": amount,
        "occurred_at": occurred_at or timezone.now(),
        **_reference(ref),
    }
    if not origin:
        return Touchpoint.objects.create(profile=profile, kind=kind, **fields)
    # Insert first: a repeat is the rare case (a retried task), so it pays the extra read.
    try:
        with transaction.atomic():
            return Touchpoint.objects.create(profile=profile, kind=kind, origin=origin, **fields)
    except IntegrityError:
        # Recorded before, or by a concurrent writer a moment ago: the first one stands.
        return Touchpoint.objects.get(profile=profile, kind=kind, origin=origin)


def touchpoints_amend(
    *,
    kind: Kind | str,
    refs: Iterable[models.Model],
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
) -> int:
    """Put right what the timeline says of the touchpoints of `kind` recorded for `refs`:
    when it happened (a mail drop whose mailed date staff corrected), or the amount (an
    order whose total changed). Fields left None stay as they are; returns how many."""
    changes = {
        name: value
        for name, value in (("occurred_at", occurred_at), ("amount", amount))
        if value is not None
    }
    origins = [origin_of(ref) for ref in refs]
    if not changes:
        return 0
    amended = 0
    for start in range(0, len(origins), 500):
        amended += Touchpoint.objects.filter(
            kind=kind, origin__in=origins[start : start + 500]
        ).update(**changes)
    return amended


@transaction.atomic
def set_consent(
    profile: CustomerProfile,
    purpose: Purpose | str,
    *,
    granted: bool,
    source: Source | str,
    ip_address: str | None = None,
    recorded_at: datetime | None = None,
) -> Consent:
    """Record the customer's choice for one purpose; the latest row per purpose wins.

    Saying again what is already in force writes nothing and returns the current row.
    """
    CustomerProfile.objects.select_for_update().filter(pk=profile.pk).exists()
    current = Consent.objects.filter(profile=profile, purpose=purpose).first()
    if current is not None and current.granted == granted:
        return current
    consent = Consent.objects.create(
        profile=profile,
        purpose=purpose,
        granted=granted,
        source=source,
        recorded_at=recorded_at or timezone.now(),
        policy_version=settings.PRIVACY_POLICY_VERSION,
        ip_address=ip_address,
    )
    if current is not None:
        label = Purpose(purpose).label
        record_touchpoint(
            profile,
            Kind.CONSENT_CHANGED,
            ref=consent,
            summary=f"{label}: {'granted' if granted else 'withdrawn'}",
        )
    return consent


def has_consent(profile: CustomerProfile, purpose: Purpose | str) -> bool:
    latest = (
        Consent.objects.filter(profile=profile, purpose=purpose).values_list("granted", flat=True)
    ).first()
    return bool(latest)


def visit_start(*, user_id: int, now: datetime) -> bool:
    """Count a new visit for the user's profile and recompute its trust level.

    Returns False when the user has no profile.
    """
    updated = CustomerProfile.objects.filter(user_id=user_id).update(
        visit_count=F("visit_count") + 1,
        last_seen=now,
        visit_started_at=now,
        first_seen=Coalesce(F("first_seen"), Value(now)),
    )
    if not updated:
        return False
    profile = CustomerProfile.objects.only("pk", "visit_count", "first_seen").get(user_id=user_id)
    record_touchpoint(profile, Kind.VISIT, occurred_at=now, summary="Visited the shop")
    profile_refresh_trust(profile=profile, now=now)
    return True


def profile_refresh_trust(*, profile: CustomerProfile, now: datetime) -> int:
    """Set the trust level the profile has earned by `now` (see `trust_level_for`)."""
    orders = Touchpoint.objects.filter(
        profile=profile, kind=Kind.ORDER_PLACED, occurred_at__lte=now
    ).count()
    first_seen = profile.first_seen or now
    level = trust_level_for(
        visits=profile.visit_count, orders=orders, days_known=max(0, (now - first_seen).days)
    )
    CustomerProfile.objects.filter(pk=profile.pk).update(trust_level=level)
    profile.trust_level = level
    return level


def visit_touch(*, user_id: int, now: datetime) -> None:
    CustomerProfile.objects.filter(user_id=user_id).update(last_seen=now)


# --- The customer's own say over their profile ------------------------------------


def _forgotten(profile: CustomerProfile, attribute: Attribute) -> bool:
    return ForgottenAttribute.objects.filter(profile=profile, attribute=attribute).exists()


@transaction.atomic
def fact_correct(
    *, profile: CustomerProfile, key: str, value: Any, now: datetime | None = None
) -> ProfileFact:
    """The customer sets a value themselves (source "customer"); it supersedes what any
    stage learned, and lifts an earlier "forget this"."""
    now = now or timezone.now()
    fact = learn(profile, key, value, source=Source.CUSTOMER, origin="", observed_at=now)
    assert fact is not None  # the customer's own word is never refused as forgotten
    return fact


@transaction.atomic
def fact_forget(*, profile: CustomerProfile, key: str, now: datetime | None = None) -> int:
    """Remove every value, current and past, of one attribute, and remember not to ask
    or learn it again. Returns how many facts were removed."""
    now = now or timezone.now()
    attribute = Attribute.objects.get(key=key)
    CustomerProfile.objects.select_for_update().filter(pk=profile.pk).exists()
    removed, _ = ProfileFact.objects.filter(profile=profile, attribute=attribute).delete()
    ForgottenAttribute.objects.update_or_create(
        profile=profile, attribute=attribute, defaults={"forgotten_at": now}
    )
    profile_refresh_completeness(profile=profile)
    return removed


def profile_access_record(*, profile: CustomerProfile, staff, now: datetime | None = None):
    """Staff opened the profile: kept for superusers' review and the customer's eyes."""
    return ProfileAccess.objects.create(
        profile=profile, staff=staff, accessed_at=now or timezone.now()
    )
