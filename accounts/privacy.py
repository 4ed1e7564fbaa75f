"""The account's part of "download my data" and "delete my account" (profiles.privacy).

Deleting an account is the accounts app's to do, as it owns the user: every stage
erases its part, the profile goes, then the login records and the user.
"""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from profiles import privacy as profile_privacy
from profiles.models import CustomerProfile
from profiles.privacy import when


def export_account(*, profile: CustomerProfile) -> dict[str, Any]:
    user = profile.user
    return {
        "account": {
            "user_id": user.username,
            "name": user.name,
            "email": user.email,
            "joined_at": when(user.date_joined),
            "last_login": when(user.last_login),
            "welcome_email_sent_at": when(user.welcome_email_sent_at),
        }
    }


def _login_records(user: User) -> Q:
    return Q(username__iexact=user.username) | Q(username__iexact=user.email)


def erase_login_records(*, profile: CustomerProfile) -> int:
    """The login throttle keeps the user ID or e-mail typed at each attempt."""
    records = _login_records(profile.user)
    return sum(
        model.objects.filter(records).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )


@transaction.atomic
def account_erase(*, user: User) -> dict[str, int]:
    """Erase the customer everywhere and delete the account. Orders, survey results and
    campaign figures keep their rows, anonymised, so the accounts and dashboards hold.

    Sessions on other devices die with the user (their auth hash no longer matches);
    the caller logs the current one out.
    """
    erased: dict[str, int] = {}
    profile = CustomerProfile.objects.filter(user=user).first()
    if profile is not None:
        erased = profile_privacy.erase_profile(profile)
    erased["admin_history"] = erased.get("admin_history", 0) + profile_privacy.forget_admin_history(
        [(User, [str(user.pk)])]
    )
    erased["accounts"], _ = user.delete()
    return erased
