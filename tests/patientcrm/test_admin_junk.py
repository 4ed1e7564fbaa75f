"""Junk ids in the admin (a hand-edited URL, a tampered form) are a form error, never
a 500: every autocomplete field, every admin that has one."""

import pytest
from django.contrib import admin
from django.urls import reverse

from contacts.models import ContactLog

pytestmark = pytest.mark.django_db

JUNK = ["abc", "1.5", "-", "99999999999999999999999"]


def autocomplete_fields():
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            yield model, name
        for inline in model_admin.inlines:
            for name in inline.autocomplete_fields:
                yield model, f"{inline.model._meta.model_name}_set-0-{name}"


def test_there_are_autocomplete_fields_to_check():
    assert len(list(autocomplete_fields())) >= 7


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_id_in_the_url_or_the_form_is_never_a_500(client, superuser, junk, method):
    """In the add URL it leaves the field empty; posted, it is a form error."""
    client.force_login(superuser)
    failures = []
    for model, name in autocomplete_fields():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        status = getattr(client, method)(url, {name: junk}).status_code
        if status not in (200, 403):
            failures.append(f"{method} {url} {name}={junk}: {status}")
    assert not failures, failures


def test_the_call_form_says_the_customer_is_not_valid_and_logs_nothing(client, care_agent):
    client.force_login(care_agent)
    assert client.get("/admin/contacts/contactlog/add/", {"profile": "abc"}).status_code == 200
    response = client.post(
        "/admin/contacts/contactlog/add/",
        {"profile": "abc", "direction": "in", "body": "Asked about her parcel"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ContactLog.objects.exists()


def test_an_over_long_customer_search_is_cut_short_not_a_500(client, care_agent):
    client.force_login(care_agent)
    query = {
        "app_label": "contacts",
        "model_name": "contactlog",
        "field_name": "profile",
        "term": "a" * 60_000,
    }
    assert client.get("/admin/autocomplete/", query).status_code == 200
    assert client.get("/admin/profiles/customerprofile/", {"q": "a" * 60_000}).status_code == 200


def test_every_admin_on_the_site_is_junk_safe():
    """The site mixes the guard into every ModelAdmin, the project's and Django's or axes'
    alike, so a new admin cannot forget it."""
    from patientcrm.adminsite import JunkSafeAdminMixin

    unsafe = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, JunkSafeAdminMixin)
    ]
    assert admin.site._registry and not unsafe, unsafe


def changelists():
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        yield url, (model, model_admin)


def junk_queries(model, model_admin):
    """A 20-digit id for every foreign key filter, a value of no type for every field
    filter and a year no calendar has for the date drill-down: what a hand-edited URL
    sends."""
    for field in model._meta.fields:
        if field.is_relation:
            yield {f"{field.name}__exact": "99999999999999999999"}
            yield {f"{field.name}__id__exact": "abc"}
        else:
            # A value of no type at all: PostgreSQL refuses it even for an address (inet).
            yield {f"{field.name}__exact": "1.5'x"}
    if model_admin.date_hierarchy:
        yield {f"{model_admin.date_hierarchy}__year": "99999999999999999999"}
        yield {f"{model_admin.date_hierarchy}__year": "0"}
    yield {"p": "abc"}
    yield {"o": "99"}


def test_junk_in_any_changelist_query_is_never_a_500(client, superuser):
    client.force_login(superuser)
    failures = []
    for url, (model, model_admin) in changelists():
        for query in junk_queries(model, model_admin):
            status = client.get(url, query).status_code
            if status >= 500:
                failures.append(f"{url} {query}: {status}")
    assert not failures, failures


def test_junk_ticked_rows_are_no_rows_on_any_changelist(client, superuser, rf):
    """Django answers a selection of no rows with "Items must be selected" and the list
    again (a redirect); junk ids are dropped first, so that is what every list with an
    action says. A list without actions shows itself and ignores the post."""
    client.force_login(superuser)
    request = rf.get("/")
    request.user = superuser
    failures = []
    for url, (_, model_admin) in changelists():
        actions = list(model_admin.get_actions(request))
        response = client.post(
            url,
            {
                "action": actions[0] if actions else "delete_selected",
                "index": "0",  # as the list's own action bar sends it
                "_selected_action": ["abc", "99999999999999999999"],
            },
            follow=True,
        )
        said = [str(message) for message in response.context["messages"]]
        refused = response.redirect_chain[:1] == [(url, 302)] and any(
            "Items must be selected" in message for message in said
        )
        if (actions and not refused) or response.status_code != 200:
            failures.append(f"{url}: {response.status_code} {said}")
    assert not failures, failures
