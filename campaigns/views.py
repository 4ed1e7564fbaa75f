"""The response endpoints behind every campaign e-mail: open pixel, tracked link,
unsubscribe. The token is the only key; none of them needs a login, and none tells
anything about a token it does not know (404, nothing recorded)."""

import base64

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView, View

from campaigns import selectors, services

# The smallest transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@method_decorator(never_cache, name="dispatch")
class RecipientOpenView(View):
    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        services.recipient_open(recipient=recipient)
        return HttpResponse(PIXEL, content_type="image/gif")


@method_decorator(never_cache, name="dispatch")
class RecipientClickView(View):
    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        target = services.recipient_click(
            recipient=recipient,
            path=request.GET.get("to"),
            keyword_term=request.GET.get("k", ""),
        )
        # safe_path allowed only a relative path on this site, so no host check is needed.
        return HttpResponseRedirect(target)


# Mail programs POST the one-click unsubscribe (RFC 8058) without a session or a CSRF
# token; the unguessable token in the URL is what authorises it.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class RecipientUnsubscribeView(TemplateView):
    template_name = "campaigns/unsubscribe.html"

    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        return self.render_to_response(
            self.get_context_data(recipient=recipient, done=bool(recipient.unsubscribed_at))
        )

    def post(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        services.recipient_unsubscribe(recipient=recipient, ip_address=client_ip(request))
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return redirect("campaigns:unsubscribe", token=token)
