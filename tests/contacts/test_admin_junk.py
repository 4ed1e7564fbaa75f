"""Junk in the contact admin (a hand-edited URL, a tampered form or action) is a form
error or Django's "unknown filter" redirect, never a 500, and nothing is saved."""

import pytest
from django.contrib.messages import get_messages

from contacts.models import ContactLog
from contacts.services import call_log, mail_import
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db

LIST = "/admin/contacts/contactlog/"
ADD = f"{LIST}add/"
QUEUE = "/admin/contacts/unmatchedcontact/"

JUNK_IDS = ["abc", "999999", "-1", "1.5", "99999999999999999999999"]
NUL_IDS = ["1\x00", "\x00"]


def _call_form(**fields) -> dict:
    data = {
        "profile": "",
        "number": "",
        "direction": "in",
        "occurred_at_0": "",
        "occurred_at_1": "",
        "duration_minutes": "3",
        "body": "Asked whether the teal mugs are back.",
    }
    data.update(fields)
    return data


@pytest.fixture
def care(client, care_agent):
    client.force_login(care_agent)
    return client


@pytest.fixture
def unmatched(db):
    raw = (
        b"From: stranger@example.net\r\nSubject: Hello\r\nMessage-ID: <junk-1@x>\r\n"
        b"Date: Tue, 01 Dec 2026 14:30:00 +0000\r\n\r\nWhere is my parcel?"
    )
    _, log = mail_import(raw=raw)
    assert log.profile_id is None
    return log


@pytest.mark.parametrize(
    ("junk", "message"),
    [*((junk, "Select a valid choice") for junk in JUNK_IDS)]
    + [(junk, "Null characters are not allowed") for junk in NUL_IDS],
)
def test_the_call_form_refuses_a_junk_customer_and_logs_nothing(care, junk, message):
    response = care.post(ADD, _call_form(profile=junk))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_a_junk_customer_in_the_call_form_url_leaves_the_field_empty(care, junk):
    response = care.get(ADD, {"profile": junk})

    assert response.status_code == 200
    assert "selected>" not in str(response.context["adminform"].form["profile"])


@pytest.mark.parametrize("junk", NUL_IDS)
def test_a_nul_in_the_call_form_url_is_a_bad_request_that_says_why(care, junk):
    response = care.get(ADD, {"profile": junk})

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("junk", ["yesterday", "abc", "0", "-1", "2026-13-45", " "])
def test_a_junk_time_in_the_call_form_url_is_ignored(care, junk):
    response = care.get(ADD, {"occurred_at": junk})

    assert response.status_code == 200
    assert "occurred_at" not in response.context["adminform"].form.initial


def test_a_real_time_in_the_call_form_url_fills_the_form(care):
    response = care.get(ADD, {"occurred_at": "2026-12-01 10:15"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="01/12/2026"' in page and 'value="10:15:00"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "07700 900123", "body": "x" * 10_001}, "at most 10000 characters"),
        ({"number": "07700 900123", "body": "Called\x00about a parcel"}, "Null characters"),
        ({"number": "07700\x00900123"}, "Null characters"),
        ({"number": "7" * 41}, "at most 40 characters"),
        ({"number": "07700 900123", "direction": "sideways"}, "Select a valid choice"),
        ({"number": "07700 900123", "duration_minutes": "1e400"}, "less than or equal to 1440"),
        ({"number": "07700 900123", "duration_minutes": "NaN"}, "Enter a number"),
        ({"number": "07700 900123", "occurred_at_0": "99999-01-01"}, "Enter a valid date"),
    ],
)
def test_junk_in_the_call_form_is_a_form_error(care, fields, message):
    response = care.post(ADD, _call_form(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("page", [LIST, QUEUE])
@pytest.mark.parametrize(
    ("junk", "message"),
    [*((junk, "Select a valid choice") for junk in JUNK_IDS)]
    + [(junk, "Null characters are not allowed") for junk in NUL_IDS],
)
def test_attaching_to_a_junk_customer_is_a_form_error_and_the_log_stays_unmatched(
    care, unmatched, page, junk, message
):
    url = f"{page}{unmatched.pk}/change/"
    assert care.get(url, {"profile": junk}).status_code == (400 if "\x00" in junk else 200)

    response = care.post(url, {"profile": junk})

    assert response.status_code == 200
    assert message in response.content.decode()
    unmatched.refresh_from_db()
    assert unmatched.profile_id is None


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999999", "1\x00"])
def test_a_junk_contact_id_in_the_url_is_not_found(care, junk):
    for suffix in ("change/", "history/", "delete/"):
        assert care.get(f"{LIST}{junk}/{suffix}").status_code in (302, 403, 404), suffix


@pytest.mark.parametrize("page", [LIST, QUEUE])
@pytest.mark.parametrize(
    "query",
    [
        {"occurred_at__year": "0"},
        {"occurred_at__year": "99999999999999999999999"},
        {"occurred_at__gte": "yesterday"},
    ],
)
def test_a_junk_list_filter_goes_back_to_the_whole_list(care, unmatched, page, query):
    response = care.get(page, query)

    assert response.status_code == 302
    assert response.url == f"{page}?e=1"
    whole = care.get(response.url)
    assert whole.status_code == 200
    assert list(whole.context["cl"].result_list) == [unmatched]


def test_the_date_drill_down_to_a_month_beyond_any_calendar_goes_back_to_the_whole_list(
    care, unmatched
):
    for month in ("13", "99999999999999999999999"):
        response = care.get(LIST, {"occurred_at__year": "2026", "occurred_at__month": month})

        assert response.status_code == 302, month
        assert response.url == f"{LIST}?e=1"


def test_a_customer_filter_beyond_any_id_shows_nothing(care, unmatched):
    response = care.get(LIST, {"profile__id__exact": "99999999999999999999999"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("page", [LIST, QUEUE])
def test_an_over_long_search_is_cut_short_rather_than_refused(care, unmatched, page):
    response = care.get(page, {"q": "stranger@example.net" + "x" * 100_000})

    assert response.status_code == 200


@pytest.mark.parametrize("junk", ["abc", "-1", "1.5", "99999999999999999999999", *NUL_IDS])
def test_an_action_on_junk_rows_changes_nothing(client, superuser, junk):
    log = call_log(number="020 7946 0999", notes="A call.")
    client.force_login(superuser)

    response = client.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [junk], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Items must be selected" in " ".join(
        str(message) for message in get_messages(response.wsgi_request)
    )
    assert ContactLog.objects.get() == log


def test_an_action_on_real_and_junk_rows_acts_on_the_real_ones(client, superuser):
    keep = call_log(number="020 7946 0998", notes="Keep me.")
    drop = call_log(number="020 7946 0999", notes="Delete me.")
    client.force_login(superuser)

    response = client.post(
        LIST,
        {
            "action": "delete_selected",
            "_selected_action": ["abc", str(drop.pk)],
            "index": "0",
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert list(ContactLog.objects.all()) == [keep]


def test_a_real_customer_is_still_chosen_by_id_in_the_url_and_the_form(care):
    customer = make_shopper()
    field = care.get(ADD, {"profile": customer.profile.pk}).context["adminform"].form["profile"]
    assert f'<option value="{customer.profile.pk}" selected>' in str(field)

    response = care.post(ADD, _call_form(profile=customer.profile.pk))

    assert response.status_code == 302
    assert ContactLog.objects.get().profile == customer.profile
