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

`erase_customer` calls every app's eraser inside one transaction, then the hub deletes
the profile (facts, touchpoints, consents, asks cascade) and the user account.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import transaction

from profiles.models import CustomerProfile

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
