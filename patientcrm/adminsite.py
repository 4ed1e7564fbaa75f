"""The staff admin: Django's, with every ModelAdmin made safe against junk input.

Staff (and anyone who edits a URL) can send the changelist what no link would: a date
drill-down to year 0, a 20-digit id in a filter, an over-long search, "abc" among the
ticked rows of an action. Django raises deep inside on those (ValueError, OverflowError,
SQLite's "pattern too complex"): a 500. The site mixes JunkSafeAdminMixin into every
ModelAdmin registered with it — the project's, auth's and axes' alike — so no admin can
forget it.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DataError, transaction
from django.db.models import IntegerField, JSONField

# Longer than any address, number or subject anyone searches for; SQLite refuses a LIKE
# pattern past 50,000 characters (a 500), PostgreSQL would scan with it for nothing.
MAX_SEARCH = 200


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) < 2**63


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large a number")
    return number


def _no_constant(text: str):
    raise ValueError(f"{text} is not a number JSON knows")


class FiniteJSONDecoder(json.JSONDecoder):
    """JSON as the databases take it: Python reads 1e400 as infinity and accepts NaN,
    which PostgreSQL's jsonb refuses (a 500 on save)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", _finite)
        kwargs.setdefault("parse_constant", _no_constant)
        super().__init__(*args, **kwargs)


class FiniteJSONFormField(forms.JSONField):
    """`when_empty`: what an emptied field saves for a column that takes no NULL (its
    model default, such as an empty list), where Django's would save None and fail."""

    def __init__(self, *, when_empty=None, **kwargs):
        super().__init__(**kwargs)
        self.decoder = self.decoder or FiniteJSONDecoder
        self.when_empty = when_empty

    def to_python(self, value):
        if self.when_empty is not None and value in self.empty_values and not self.disabled:
            return self.when_empty()
        try:
            return super().to_python(value)
        except ValueError as error:  # from the decoder; a syntax error is Django's own
            raise forms.ValidationError(f"Enter valid JSON: {error}.", code="invalid") from error

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)


class JunkSafeAdminMixin:
    """Junk in a changelist's query becomes Django's own "unknown filter" redirect (with
    a message), a search cut to MAX_SEARCH, and "no items selected" for junk ticked rows;
    a JSON field refuses numbers the database would (1e400, NaN) with a form error.

    The changelist counts its rows while it is built, so a filter value no database
    column holds fails there, inside the guard, not later in the template: SQLite's
    OverflowError, or PostgreSQL's DataError (an address that is no inet, say), which a
    savepoint keeps from spoiling an enclosing transaction."""

    def get_changelist_instance(self, request):
        try:
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except (ValueError, OverflowError, DataError) as error:
            messages.warning(request, "That filter was not understood; here is the whole list.")
            raise IncorrectLookupParameters(error) from error

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, JSONField):
            kwargs.setdefault("form_class", FiniteJSONFormField)
            if not db_field.null and db_field.has_default():
                kwargs.setdefault("when_empty", db_field.get_default)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH])

    def changelist_view(self, request, extra_context=None):
        integer_keys = isinstance(self.model._meta.pk, IntegerField)
        if (
            integer_keys
            and request.method == "POST"
            and helpers.ACTION_CHECKBOX_NAME in request.POST
        ):
            ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            real = [value for value in ticked if _is_id(value)]
            if real != ticked:
                # Django would filter pk__in on the raw strings; with none left it says
                # "Items must be selected" and changes nothing.
                post = request.POST.copy()
                post.setlist(helpers.ACTION_CHECKBOX_NAME, real)
                request.POST = post
        return super().changelist_view(request, extra_context)


class PatientAdminSite(admin.AdminSite):
    site_header = "PatientCRM staff"
    site_title = "PatientCRM staff"
    index_title = "Customers and what we know"
    # Lists of customers, contacts and feedback need the width more than a second menu;
    # the admin home and the breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, JunkSafeAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (JunkSafeAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class PatientAdminConfig(AdminConfig):
    default_site = "patientcrm.adminsite.PatientAdminSite"
