"""Requests carrying a NUL character in their address are refused before any view sees them.

No page here takes a NUL (%00) in its path or query, and PostgreSQL refuses one in any
text it is asked to compare or store ("A string literal cannot contain NUL"), which would
otherwise surface as a 500 wherever such input reaches a query. So: a NUL in the path is
a page that does not exist (404, so a forged tracking token still learns nothing); in the
query string, a 400 saying why; in a cookie, the cookie is ignored (a mangled session
cookie starts a new session instead of locking its owner out). Forms are left to their
fields: Django's text fields refuse a NUL with a message next to the field, and keep
what else was typed.
"""

from django.http import HttpResponseBadRequest, HttpResponseNotFound

NUL = "\x00"
NOT_FOUND = "There is no such page: its address contains a NUL character (%00)."
MESSAGE = (
    "Your request contains a NUL character (%00), which no page of this shop accepts. "
    "Please remove it and try again."
)


def _has_nul(query_dict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists()
    )


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info:
            # Plain: the site's 404 page needs the session and user, not read yet here.
            return HttpResponseNotFound(NOT_FOUND, content_type="text/plain; charset=utf-8")
        request.COOKIES = {
            name: value for name, value in request.COOKIES.items() if NUL not in value
        }
        if _has_nul(request.GET):
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
