"""A NUL character (%00) anywhere in a request is refused cleanly: PostgreSQL would
otherwise raise on it wherever it reaches a query, and that is a 500."""

import pytest

from campaigns.models import Recipient
from feedback.models import FeedbackItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/c/%00/open.gif", "/c/abc%00/click/", "/c/%00/unsubscribe/", "/me/orders/%00/"],
)
def test_a_nul_in_the_address_is_a_page_that_does_not_exist(shopper_client, path):
    assert shopper_client.get(path).status_code == 404


def test_a_nul_in_a_tracking_token_records_nothing(client):
    assert client.post("/c/%00/unsubscribe/").status_code == 404
    assert not Recipient.objects.filter(unsubscribed_at__isnull=False).exists()


@pytest.mark.parametrize("query", [{"sent_from": "\x00"}, {"q": "tea\x00"}, {"format\x00": "csv"}])
def test_a_nul_in_the_query_is_a_400_saying_why(client, marketer, query):
    client.force_login(marketer)
    response = client.get("/marketing/", query)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_form_is_refused_by_its_field_and_nothing_is_saved(client):
    response = client.post(
        "/feedback/",
        {"kind": "wish", "text": "Green tea\x00 in tins", "identifier": "a@example.com"},
    )
    assert response.status_code == 400  # the form again, with what is wrong
    assert "Null characters are not allowed." in response.content.decode()
    assert "a@example.com" in response.content.decode()  # what else was typed stays
    assert not FeedbackItem.objects.exists()


def test_a_cookie_with_a_nul_is_ignored_not_a_crash(client, shopper):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/shop/").status_code == 200
    assert client.get("/me/").status_code == 302  # a new, anonymous session


def test_text_without_nul_goes_through(shopper_client):
    assert shopper_client.get("/shop/", {"q": "green tea"}).status_code == 200
