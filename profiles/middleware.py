import time

from django.conf import settings
from django.utils import timezone

from profiles import services

SESSION_KEY = "profiles.last_activity"
# last_seen is written at most once a minute, so most requests cost no query.
LAST_SEEN_GRANULARITY = 60


class VisitMiddleware:
    """Counts visits of signed-in shoppers: a visit ends after 30 minutes of inactivity."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.inactivity = settings.VISIT_INACTIVITY.total_seconds()

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_staff:
            self._note_activity(request, user)
        return self.get_response(request)

    def _note_activity(self, request, user) -> None:
        now = time.time()
        last = request.session.get(SESSION_KEY)
        if isinstance(last, int | float) and now - last <= self.inactivity:
            if now - last >= LAST_SEEN_GRANULARITY:
                services.visit_touch(user_id=user.pk, now=timezone.now())
                request.session[SESSION_KEY] = now
            return
        services.visit_start(user_id=user.pk, now=timezone.now())
        request.session[SESSION_KEY] = now
