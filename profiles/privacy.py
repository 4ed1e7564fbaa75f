"""Download my data and delete my account, across every stage.

The hub imports no stage app, so each app that keeps personal data takes part through
two optional methods on its AppConfig, found by name (as `seed_demo` is):

    def export_personal_data(self, *, profile) -> dict:
        '''Everything this app keeps about the customer, JSON-ready: str, int, float,
        bool, None, lists and dicts only (datetimes as ISO 8601, decimals as str).'''

    def erase_personal_data(self, *, profile) -> int:
        '''Remove or anonymise every personal value this app keeps for the customer;
        keep the rows aggregates need (set the link to the profile to NULL, blank the
        personal text). Returns how many rows were erased or anonymised.'''

`erase_profile` calls every app's eraser inside one transaction, then deletes the
profile (facts, touchpoints, consents, asks and accesses cascade). The accounts app,
which owns the user, calls it and then deletes the user.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from profiles.models import (
    BuyingPattern,
    Consent,
    CustomerProfile,
    ForgottenAttribute,
    ProfileAccess,
    ProfileFact,
    QuestionAsk,
    Source,
    Touchpoint,
)

EXPORT_HOOK = "export_personal_data"
ERASE_HOOK = "erase_personal_data"


def _hooks(name: str) -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if hook is not None:
            found.append((config.label, hook))
    return found


def export_stages(profile: CustomerProfile) -> dict[str, Any]:
    """Each stage app's part of "download my data", keyed by app label."""
    return {label: hook(profile=profile) for label, hook in _hooks(EXPORT_HOOK)}


@transaction.atomic
def erase_stages(profile: CustomerProfile) -> dict[str, int]:
    """Each stage app erases or anonymises its part; returns rows touched per app."""
    return {label: hook(profile=profile) for label, hook in _hooks(ERASE_HOOK)}


def when(value: datetime | None) -> str | None:
    """A time for the download: ISO 8601 in the shop's zone, or None."""
    return timezone.localtime(value).isoformat() if value else None


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _fact(fact: ProfileFact) -> dict[str, Any]:
    return {
        "attribute": fact.attribute.key,
        "label": fact.attribute.label,
        "value": fact.value,
        "current": fact.is_current,
        "source": fact.source,
        "learned_from": fact.ref_label,
        "learned_at": when(fact.observed_at),
        "superseded_at": when(fact.superseded_at),
    }


def _pattern(profile: CustomerProfile) -> dict[str, Any] | None:
    pattern = BuyingPattern.objects.filter(profile=profile).first()
    if pattern is None:
        return None
    return {
        "segment": pattern.segment,
        "orders": pattern.order_count,
        "total_spent": money(pattern.total_spent),
        "average_order_value": money(pattern.avg_order_value),
        "first_order_at": when(pattern.first_order_at),
        "last_order_at": when(pattern.last_order_at),
        "expected_next_order": pattern.expected_next_order.isoformat()
        if pattern.expected_next_order
        else None,
        "top_categories": pattern.top_categories,
        "rfm": pattern.rfm,
        "computed_at": when(pattern.computed_at),
    }


def export_profile(profile: CustomerProfile) -> dict[str, Any]:
    """Everything the hub keeps about the customer, for "download my data"."""
    facts = ProfileFact.objects.filter(profile=profile).select_related("attribute")
    asks = QuestionAsk.objects.filter(profile=profile).select_related("question__attribute")
    answers = {
        fact.ref_id: fact.value
        for fact in ProfileFact.objects.filter(profile=profile, source=Source.QUESTION)
    }
    return {
        "visits": profile.visit_count,
        "first_seen": when(profile.first_seen),
        "last_seen": when(profile.last_seen),
        "trust_level": profile.trust_level,
        "completeness_percent": profile.completeness,
        "facts": [_fact(fact) for fact in facts.order_by("attribute__key", "-observed_at")],
        "forgotten": [
            {"attribute": row.attribute.key, "forgotten_at": when(row.forgotten_at)}
            for row in ForgottenAttribute.objects.filter(profile=profile).select_related(
                "attribute"
            )
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "source": consent.source,
                "recorded_at": when(consent.recorded_at),
                "policy_version": consent.policy_version,
                "ip_address": consent.ip_address,
            }
            for consent in Consent.objects.filter(profile=profile)
        ],
        "timeline": [
            {
                "kind": point.kind,
                "occurred_at": when(point.occurred_at),
                "summary": point.summary,
                "amount": money(point.amount),
                "about": point.ref_label,
            }
            for point in Touchpoint.objects.filter(profile=profile)
        ],
        "question_answers": [
            {
                "question": ask.question.text,
                "attribute": ask.question.attribute.key,
                "asked_at": when(ask.asked_at),
                "outcome": ask.outcome,
                "answer": answers.get(str(ask.pk)),
                "answered_at": when(ask.answered_at),
            }
            for ask in asks
        ],
        "buying_pattern": _pattern(profile),
        "staff_views": [
            when(access.accessed_at) for access in ProfileAccess.objects.filter(profile=profile)
        ],
    }


def export_customer(profile: CustomerProfile) -> dict[str, Any]:
    """The whole "download my data" file: the hub's part and every stage's."""
    return {
        "exported_at": when(timezone.now()),
        "profile": export_profile(profile),
        **export_stages(profile),
    }


def _rows_of(profile: CustomerProfile) -> list[tuple[type, list[str]]]:
    """Every row anywhere that points at the profile, by model — found through the
    foreign keys to it, so the hub needs to know no stage app."""
    rows = [(CustomerProfile, [str(profile.pk)])]
    for relation in CustomerProfile._meta.related_objects:
        if relation.many_to_many:
            continue
        model = relation.related_model
        ids = model._default_manager.filter(**{relation.field.name: profile}).values_list(
            "pk", flat=True
        )
        rows.append((model, [str(pk) for pk in ids]))
    return rows


def forget_admin_history(rows: list[tuple[type, list[str]]]) -> int:
    """The admin's change log keeps each object's name as it was ("Profile of alice",
    a feedback item's first words, a call's number): those entries lose their words,
    keeping who did what and when."""
    scrubbed = 0
    for model, ids in rows:
        if not ids:
            continue
        # The admin logs a proxy's objects (an unmatched contact) under the proxy.
        kinds = [m for m in apps.get_models() if m._meta.concrete_model is model]
        types = ContentType.objects.get_for_models(*kinds, for_concrete_models=False)
        scrubbed += LogEntry.objects.filter(
            content_type__in=types.values(),
            object_id__in=ids,
        ).update(object_repr="(erased customer)", change_message="")
    return scrubbed


@transaction.atomic
def erase_profile(profile: CustomerProfile) -> dict[str, int]:
    """Every stage erases its part, then the profile goes with all the hub keeps; the
    admin's change log forgets what it said about any of it."""
    rows = _rows_of(profile)  # before the stages unlink their rows
    erased = erase_stages(profile)
    erased["admin_history"] = forget_admin_history(rows)
    erased["profiles"], _ = profile.delete()
    return erased
