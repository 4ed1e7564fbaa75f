"""Customer care in the admin: the contact list, the quick call form, the unmatched
queue; what each role may open; queries that do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Channel, ContactLog, Direction
from contacts.selectors import contacts_admin_url, contacts_for_profile
from contacts.services import call_log, contact_essence, mail_import
from profiles.models import Kind, Touchpoint
from profiles.selectors import known_facts
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db

LIST = "/admin/contacts/contactlog/"
ADD = "/admin/contacts/contactlog/add/"
QUEUE = "/admin/contacts/unmatchedcontact/"


def _mail(
    sender: str, n: int, body: str = "Where is my order 100231? It has not arrived."
) -> bytes:
    return (
        f"From: {sender}\r\nTo: shop@patientcrm.example\r\nSubject: Parcel {n}\r\n"
        f"Date: Tue, 01 Dec 2026 14:30:00 +0000\r\nMessage-ID: <m{n}-{sender}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + body.encode()


@pytest.fixture
def matched(shopper):
    _, log = mail_import(raw=_mail("alice@example.com", 1))
    contact_essence(log_id=log.pk)
    log.refresh_from_db()
    return log


@pytest.fixture
def unmatched(db):
    _, log = mail_import(raw=_mail("stranger@example.net", 2))
    return log


@pytest.fixture
def pages(matched, unmatched):
    autocomplete = (
        "/admin/autocomplete/?app_label=contacts&model_name=contactlog&field_name=profile"
    )
    return {
        LIST: {"care": 200, "marketer": 403},
        ADD: {"care": 200, "marketer": 403},
        f"{LIST}{matched.pk}/change/": {"care": 200, "marketer": 403},
        f"{LIST}{unmatched.pk}/change/": {"care": 200, "marketer": 403},
        f"{LIST}{matched.pk}/history/": {"care": 200, "marketer": 403},
        f"{LIST}{matched.pk}/delete/": {"care": 403, "marketer": 403},
        QUEUE: {"care": 200, "marketer": 403},
        f"{QUEUE}{unmatched.pk}/change/": {"care": 200, "marketer": 403},
        f"{QUEUE}add/": {"care": 403, "marketer": 403},
        autocomplete: {"care": 200, "marketer": 403},
        # Django answers 404, not 403, for an app index with nothing the user may see.
        "/admin/contacts/": {"care": 200, "marketer": 404},
    }


def test_each_role_opens_only_its_contact_pages(client, pages, care_agent, marketer, shopper):
    for url, expected in pages.items():
        for role, user in (("care", care_agent), ("marketer", marketer)):
            client.force_login(user)
            assert client.get(url).status_code == expected[role], (role, url)
        client.force_login(shopper)
        assert client.get(url).status_code == 302, ("shopper", url)
        client.logout()
        assert client.get(url).status_code == 302, ("anonymous", url)


def test_the_list_filters_by_intent_sentiment_channel_direction_and_match(
    client, care_agent, matched, unmatched
):
    client.force_login(care_agent)
    page = client.get(
        LIST,
        {
            "intent__exact": "order_status",
            "channel__exact": Channel.EMAIL,
            "direction__exact": Direction.IN,
            "matched": "yes",
        },
    )
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [matched]
    for query in ({"matched": "no"}, {"sentiment__exact": matched.sentiment}, {"q": "stranger"}):
        assert page.status_code == 200, query
    assert list(client.get(LIST, {"matched": "no"}).context["cl"].result_list) == [unmatched]
    assert list(client.get(LIST, {"q": "stranger@"}).context["cl"].result_list) == [unmatched]


def test_the_list_shows_a_callers_number_as_people_write_it(client, care_agent):
    call_log(number="07700 900123", notes="Asked about opening hours.", key="n1")
    client.force_login(care_agent)
    page = client.get(LIST).content.decode()
    assert "+44 7700 900123" in page
    assert "+447700900123" not in page


def test_the_list_offers_the_call_form_and_the_call_form_says_what_it_is(client, care_agent):
    client.force_login(care_agent)
    assert ">Log a phone call</a>" in client.get(LIST).content.decode()
    page = client.get(ADD).content.decode()
    assert "<title>Log a phone call" in page
    assert 'name="number"' in page and 'name="duration_minutes"' in page


def test_the_link_from_a_customer_shows_only_their_contacts(
    client, care_agent, shopper, matched, unmatched
):
    client.force_login(care_agent)
    url = contacts_admin_url(shopper.profile)
    assert url == f"{LIST}?profile__id__exact={shopper.profile.pk}"

    page = client.get(url)

    assert list(page.context["cl"].result_list) == [matched]
    assert list(contacts_for_profile(shopper.profile)) == [matched]
    assert "Alice Archer" in page.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "999999"])
def test_a_bad_customer_filter_shows_nothing_rather_than_failing(
    client, care_agent, matched, value
):
    client.force_login(care_agent)
    page = client.get(LIST, {"profile__id__exact": value})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == []


def test_the_change_page_shows_the_essence_and_the_message_read_only(client, care_agent, matched):
    client.force_login(care_agent)
    page = client.get(f"{LIST}{matched.pk}/change/").content.decode()

    assert "Where is my order 100231?" in page
    assert "Order status" in page
    assert matched.summary in page
    assert 'name="body"' not in page and 'name="subject"' not in page
    assert 'name="profile"' not in page  # matched: the customer is not changed here


def _call_form(**fields) -> dict:
    now = timezone.localtime()
    data = {
        "profile": "",
        "number": "",
        "direction": Direction.IN,
        "occurred_at_0": now.strftime("%d/%m/%Y"),
        "occurred_at_1": now.strftime("%H:%M:%S"),
        "duration_minutes": "4.5",
        "body": "Asked when the teal mugs are back in stock. Told her next week.",
    }
    data.update(fields)
    return data


def test_care_log_a_call_by_number_and_it_finds_the_customer(
    client, care_agent, shopper, alice_phone, django_capture_on_commit_callbacks
):
    client.force_login(care_agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, _call_form(number="+44 (0)7700 900 123"))

    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert (log.channel, log.profile, log.counterpart) == (
        Channel.PHONE,
        shopper.profile,
        "+447700900123",
    )
    assert (log.duration_seconds, log.logged_by) == (270, care_agent)
    assert log.essence_done_at is not None and log.intent == "product_question"
    assert Touchpoint.objects.filter(profile=shopper.profile, kind=Kind.CONTACT_LOGGED).exists()


def test_care_log_a_call_for_a_customer_chosen_by_autocomplete(client, care_agent, shopper):
    client.force_login(care_agent)
    found = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "contacts",
            "model_name": "contactlog",
            "field_name": "profile",
            "term": "alice",
        },
    ).json()
    assert [row["id"] for row in found["results"]] == [str(shopper.profile.pk)]

    response = client.post(ADD, _call_form(profile=shopper.profile.pk, direction=Direction.OUT))

    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert (log.profile, log.direction, log.counterpart) == (shopper.profile, Direction.OUT, "")


def test_a_call_from_an_unknown_number_goes_to_the_queue_with_a_warning(client, care_agent):
    client.force_login(care_agent)
    response = client.post(ADD, _call_form(number="020 7946 0999"), follow=True)

    assert "waits in the unmatched queue" in response.content.decode()
    assert ContactLog.objects.get().profile is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "call me maybe"}, "is not a phone number"),
        ({}, "Give the customer or the phone number"),
        ({"number": "07700 900123", "duration_minutes": "-3"}, "greater than or equal to 0"),
        ({"number": "07700 900123", "body": ""}, "This field is required"),
        ({"number": "07700 900123", "occurred_at_0": "01/01/2099"}, "before it happens"),
    ],
)
def test_a_bad_call_form_says_what_is_wrong(client, care_agent, fields, message):
    client.force_login(care_agent)
    response = client.post(ADD, _call_form(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactLog.objects.exists()


def test_care_attach_an_unmatched_email_to_a_customer(
    client, care_agent, unmatched, django_capture_on_commit_callbacks
):
    stranger = make_shopper(name="Sam Stranger", email="sam@example.com")
    client.force_login(care_agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{QUEUE}{unmatched.pk}/change/", {"profile": stranger.profile.pk})

    assert response.status_code == 302
    assert response.url == f"{LIST}{unmatched.pk}/change/"
    unmatched.refresh_from_db()
    assert (unmatched.profile, unmatched.logged_by) == (stranger.profile, care_agent)
    assert known_facts(stranger.profile)["email"].value == "stranger@example.net"
    assert Touchpoint.objects.filter(profile=stranger.profile, kind=Kind.CONTACT_LOGGED).exists()
    assert client.get(QUEUE).context["cl"].result_count == 0
    # The next message from that address finds the customer by itself.
    outcome, _ = mail_import(raw=_mail("Stranger@Example.net", 3))
    assert outcome == "matched"


def test_care_attach_an_unknown_number_on_the_contact_change_page(client, care_agent, shopper):
    log = call_log(number="020 7946 0999", notes="A call.")
    client.force_login(care_agent)

    response = client.post(f"{LIST}{log.pk}/change/", {"profile": shopper.profile.pk})

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.profile == shopper.profile
    assert known_facts(shopper.profile)["phone"].value == "+442079460999"


def _contacts(n: int, start: int) -> None:
    for i in range(start, start + n):
        person = make_shopper()
        _, log = mail_import(raw=_mail(person.email, i))
        contact_essence(log_id=log.pk)
        call_log(number=f"020 7946 {i:04d}", notes="A call from somebody.")


@pytest.mark.parametrize("url", [LIST, QUEUE, f"{LIST}?matched=no&intent__exact=order_status"])
def test_the_lists_cost_the_same_queries_for_few_and_many_contacts(client, care_agent, url):
    client.force_login(care_agent)
    _contacts(2, start=100)
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _contacts(10, start=200)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
