from collections.abc import Callable

from django.http import HttpRequest
from django.utils import timezone

from profiles.selectors import profile_for_user
from surveys import services
from surveys.models import Survey

# No invitation where it would interrupt: paying, or the survey pages themselves.
QUIET_PREFIXES = ("/shop/checkout/", "/surveys/", "/admin/")
# "Nothing to offer" is remembered in the session this long, so most page views cost no
# query; a new survey or a new consent shows within that time. A survey on offer is
# looked up on every page, so withdrawing consent or answering hides it at once.
QUIET_KEY = "surveys.quiet_until"
QUIET_SECONDS = 10 * 60


def survey_invitation(request: HttpRequest) -> dict[str, Callable[[], Survey | None]]:
    """`survey_invitation`: the survey to invite the signed-in shopper to, or None.

    A callable, run only by a template that shows the invitation (and then once per
    request), so the admin, e-mails and quiet pages cost no query.
    """
    found: list[Survey | None] = []

    def invitation() -> Survey | None:
        if not found:
            found.append(_invitation_for(request))
        return found[0]

    return {"survey_invitation": invitation}


def _invitation_for(request: HttpRequest) -> Survey | None:
    if request.path.startswith(QUIET_PREFIXES):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    session = getattr(request, "session", None)
    now = timezone.now()
    if session is not None and session.get(QUIET_KEY, 0) > now.timestamp():
        return None
    profile = profile_for_user(user=user)
    survey = services.survey_offer_for(profile=profile, now=now) if profile else None
    if survey is None and session is not None:
        session[QUIET_KEY] = now.timestamp() + QUIET_SECONDS
    return survey
