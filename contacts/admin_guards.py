"""Junk in a hand-edited list URL or a tampered action post is a message, never a 500.

The same small guard lives in feedback.admin_guards: neither stage app may import the
other, and the hub's admin (profiles.admin, with SafeAutocompleteMixin) is where both
belong once the hub takes them."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters

# Longer than any address, number or subject anyone searches for; SQLite refuses a LIKE
# pattern past 50,000 characters (a 500), PostgreSQL would scan with it for nothing.
MAX_SEARCH = 200


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) < 2**63


class JunkSafeAdminMixin:
    """For a ModelAdmin with an integer primary key. A date drill-down to year 0 or to
    a 30-digit month, an over-long search, or "abc" among the ticked rows of an action
    would raise deep in Django (ValueError, OverflowError, SQLite's "pattern too
    complex"); here they become Django's own "unknown filter" redirect, a shorter
    search, and "no items selected"."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as error:
            messages.warning(request, "That filter was not understood; here is the whole list.")
            raise IncorrectLookupParameters(error) from error

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH])

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and helpers.ACTION_CHECKBOX_NAME in request.POST:
            ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            real = [value for value in ticked if _is_id(value)]
            if real != ticked:
                # Django would filter pk__in on the raw strings; with none left it says
                # "Items must be selected" and changes nothing.
                post = request.POST.copy()
                post.setlist(helpers.ACTION_CHECKBOX_NAME, real)
                request.POST = post
        return super().changelist_view(request, extra_context)
