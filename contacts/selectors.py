"""Reads of the contacts stage: who an address or number belongs to, and a customer's logs."""

from dataclasses import dataclass

from django.db.models import CharField, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace
from django.urls import reverse

from contacts.models import ContactLog
from contacts.phones import national_digits, normalise_phone
from profiles.models import CustomerProfile, ProfileFact
from profiles.selectors import profile_ids_with_email


@dataclass(frozen=True)
class Match:
    profile: CustomerProfile | None
    reason: str = ""


def _one(profile_ids: set[int], what: str) -> Match:
    if not profile_ids:
        return Match(None, f"no customer with this {what}")
    if len(profile_ids) > 1:
        return Match(None, f"{len(profile_ids)} customers share this {what}")
    return Match(CustomerProfile.objects.select_related("user").get(pk=profile_ids.pop()))


def profile_for_email(address: str) -> Match:
    """The one customer whose account e-mail, or current e-mail fact, is `address`
    (case-insensitively); none when nobody or several customers have it."""
    if not (address or "").strip():
        return Match(None, "no address")
    return _one(profile_ids_with_email(address), "e-mail address")


def _digits_only(expression):
    for char in (" ", "-", "(", ")", ".", "/"):
        expression = Replace(expression, Value(char), Value(""), output_field=CharField())
    return expression


def profile_for_phone(e164: str) -> Match:
    """The one customer whose current phone fact is this number, however it was written
    when they gave it ("07700 900123", "+44 7700 900123", "(07700) 900-123")."""
    digits = national_digits(e164)
    if not digits:
        return Match(None, "no phone number")
    # Narrow down in the database by the digits every written form contains, then
    # compare exactly: facts keep the number as the customer typed it.
    candidates = (
        ProfileFact.objects.filter(attribute__key="phone", is_current=True)
        .annotate(digits=_digits_only(Cast("value", TextField())))
        .filter(digits__contains=digits)
        .values_list("profile_id", "value")
    )
    ids = {
        profile_id
        for profile_id, value in candidates
        if isinstance(value, str) and normalise_phone(value) == e164
    }
    return _one(ids, "phone number")


def contacts_for_profile(profile: CustomerProfile) -> QuerySet[ContactLog]:
    """The customer's e-mails and calls, newest first."""
    return (
        ContactLog.objects.filter(profile=profile)
        .select_related("logged_by")
        .order_by("-occurred_at", "-pk")
    )


def contacts_admin_url(profile: CustomerProfile) -> str:
    """The admin's contact list showing only this customer's e-mails and calls."""
    url = reverse("admin:contacts_contactlog_changelist")
    return f"{url}?profile__id__exact={profile.pk}"


def unmatched_contacts() -> QuerySet[ContactLog]:
    return ContactLog.objects.filter(profile__isnull=True).order_by("-occurred_at", "-pk")
