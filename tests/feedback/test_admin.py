"""Customer care triage feedback in the admin: find it, see who wrote it (and whether that
is verified), set status, assignee and note, and reply once by e-mail."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from feedback.services import feedback_reply_send
from profiles.models import ProfileAccess
from tests.factories import make_shopper
from tests.feedback.conftest import wish

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/feedback/feedbackitem/"


def change_url(item) -> str:
    return f"{CHANGELIST}{item.pk}/change/"


def triage(client, item, **data):
    data.setdefault("status", item.status)
    data.setdefault("assignee", "")
    data.setdefault("internal_note", "")
    data.setdefault("reply", "")
    return client.post(change_url(item), data)


@pytest.fixture
def care_client(client, care_agent):
    client.force_login(care_agent)
    return client


def test_care_lists_feedback_with_link_states(care_client, shopper, other_shopper):
    wish(shopper.profile, text="I wish you sold loose leaf green tea.")
    wish(identifier="bob@example.com", text="Please add evening delivery.")
    wish(identifier="nobody@elsewhere.example", text="Gift wrapping please.")
    page = care_client.get(CHANGELIST).content.decode()
    assert "loose leaf green tea" in page
    assert "⚠ unverified" in page
    assert "guest" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("link=verified", {"Verified wish about tea", "Problem with the teapot lid"}),
        ("link=unverified", {"Unverified wish about delivery"}),
        ("link=guest", {"Guest wish about wrapping"}),
        ("kind=problem", {"Problem with the teapot lid"}),
        ("status=planned", {"Verified wish about tea"}),
        ("replied=no", None),
    ],
)
def test_changelist_filters(care_client, shopper, other_shopper, query, expected):
    tea = wish(shopper.profile, text="Verified wish about tea")
    wish(identifier="bob@example.com", text="Unverified wish about delivery")
    wish(identifier="x@elsewhere.example", text="Guest wish about wrapping")
    wish(shopper.profile, kind=FeedbackKind.PROBLEM, text="Problem with the teapot lid")
    FeedbackItem.objects.filter(pk=tea.pk).update(status=FeedbackStatus.PLANNED)
    response = care_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    shown = {item.text for item in response.context["cl"].result_list}
    assert shown == (expected or set(FeedbackItem.objects.values_list("text", flat=True)))


def test_changelist_search_finds_by_text_and_identifier(care_client, shopper):
    wish(identifier="carol@elsewhere.example", text="Please sell bird feeders.")
    wish(shopper.profile, text="Gift wrapping please.")
    found = care_client.get(f"{CHANGELIST}?q=carol@elsewhere").context["cl"].result_list
    assert [item.text for item in found] == ["Please sell bird feeders."]
    found = care_client.get(f"{CHANGELIST}?q=wrapping").context["cl"].result_list
    assert [item.text for item in found] == ["Gift wrapping please."]


def test_changelist_query_count_does_not_grow_with_rows(care_client, care_agent):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert care_client.get(CHANGELIST).status_code == 200
        return len(queries)

    profile = make_shopper().profile
    item = wish(profile, text="Gift wrapping please.")
    FeedbackItem.objects.filter(pk=item.pk).update(assignee=care_agent)
    few = count()
    for n in range(8):
        extra = wish(make_shopper().profile, text=f"Evening delivery please, number {n}.")
        FeedbackItem.objects.filter(pk=extra.pk).update(assignee=care_agent)
        wish(identifier=f"guest-{n}@elsewhere.example", text="Gift wrapping please.")
    assert count() == few


def test_care_sets_status_assignee_and_note(care_client, care_agent, shopper):
    item = wish(shopper.profile)
    response = triage(
        care_client,
        item,
        status=FeedbackStatus.PLANNED,
        assignee=care_agent.pk,
        internal_note="Ask the supplier about paper.",
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.assignee, item.internal_note) == (
        FeedbackStatus.PLANNED,
        care_agent,
        "Ask the supplier about paper.",
    )
    assert item.replied_at is None
    assert mail.outbox == []


def test_a_reply_is_emailed_once_and_recorded(
    care_client, care_agent, shopper, django_capture_on_commit_callbacks
):
    item = wish(shopper.profile)
    with django_capture_on_commit_callbacks(execute=True):
        response = triage(care_client, item, reply="Good news: gift wrapping comes in December.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.replied_at is not None
    assert item.reply_sent_at is not None
    assert (item.replied_by, item.reply_to) == (care_agent, "alice@example.com")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "gift wrapping comes in December" in message.body
    assert "wish" in message.subject
    # The reply is now read-only, and a retried task sends nothing more.
    page = care_client.get(change_url(item)).content.decode()
    assert 'name="reply"' not in page
    assert feedback_reply_send(item_id=item.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        triage(care_client, item, reply="A second reply?")
    assert len(mail.outbox) == 1


def test_care_marks_several_items_at_once(care_client, shopper):
    items = [wish(shopper.profile, text=f"Gift wrapping please, {n}.") for n in range(3)]
    response = care_client.post(
        CHANGELIST,
        {"action": "mark_planned", "_selected_action": [item.pk for item in items[:2]]},
    )
    assert response.status_code == 302
    statuses = {item.pk: item.status for item in FeedbackItem.objects.all()}
    assert [statuses[item.pk] for item in items] == [
        FeedbackStatus.PLANNED,
        FeedbackStatus.PLANNED,
        FeedbackStatus.NEW,
    ]


def test_reply_to_a_guest_goes_to_the_address_they_gave(
    care_client, shopper, django_capture_on_commit_callbacks
):
    item = wish(identifier="Guest@Elsewhere.example", text="Please sell bird feeders.")
    with django_capture_on_commit_callbacks(execute=True):
        triage(care_client, item, reply="Thank you, we will look into it.")
    assert mail.outbox[0].to == ["Guest@Elsewhere.example"]


def test_reply_without_any_address_is_a_form_error(care_client):
    item = wish(identifier="123456789", text="Please sell bird feeders.")
    response = triage(care_client, item, reply="Thank you!")
    assert response.status_code == 200
    assert "no e-mail address to reply to" in response.content.decode()
    item.refresh_from_db()
    assert item.replied_at is None
    assert mail.outbox == []


def test_change_page_shows_the_unverified_flag_and_the_customer(care_client, other_shopper):
    item = wish(identifier="bob@example.com", text="Please sell cigars.")
    page = care_client.get(change_url(item)).content.decode()
    assert "UNVERIFIED" in page
    assert f"/admin/profiles/customerprofile/{other_shopper.profile.pk}/change/" in page
    assert "bob@example.com" in page


def test_opening_a_customers_item_is_logged_as_profile_access(care_client, care_agent, shopper):
    item = wish(shopper.profile)
    care_client.get(change_url(item))
    assert ProfileAccess.objects.filter(profile=shopper.profile, staff=care_agent).count() == 1


def test_nobody_adds_feedback_in_the_admin(care_client):
    assert care_client.get(f"{CHANGELIST}add/").status_code == 403


def test_admin_access_by_role(client, shopper, marketer, care_agent):
    item = wish(shopper.profile)
    client.force_login(shopper)
    assert client.get(CHANGELIST).status_code == 302  # shoppers are not staff
    client.force_login(marketer)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(item)).status_code == 403
    client.force_login(care_agent)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(change_url(item)).status_code == 200
