"""The wish list: most wished-for topics with a trend, and the items behind a topic; for
Marketing (aggregates, small topics hidden, never an author) and Customer care (all)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import FeedbackKind
from tests.factories import make_shopper
from tests.feedback.conftest import wish, wishers

pytestmark = pytest.mark.django_db

LIST = "/marketing/wishes/"
WRAPPING = "/marketing/wishes/gift%20wrapping/"
CIGARS = "/marketing/wishes/cigars/"


@pytest.fixture
def wishes(db):
    """Six customers wish for gift wrapping (one of them twice); one wishes for cigars."""
    people = wishers(6, "I wish you offered gift wrapping, call me on 0113 496 0000.", days_ago=0)
    wish(people[0].profile, text="Gift wrapping please, mail me at alice@example.com")
    wish(make_shopper(name="Carl Cigar").profile, text="I wish you sold cigars.")
    return people


def test_access_by_role_for_every_url(client, shopper, marketer, care_agent, wishes):
    for url in (LIST, WRAPPING):
        assert client.get(url).status_code == 302  # visitors: the login page
        client.force_login(shopper)
        assert client.get(url).status_code == 403
        client.force_login(marketer)
        assert client.get(url).status_code == 200
        client.force_login(care_agent)
        assert client.get(url).status_code == 200
        client.logout()


def test_marketing_sees_big_topics_only(client, marketer, wishes):
    client.force_login(marketer)
    response = client.get(LIST)
    rows = {row.topic: row for row in response.context["wishes"].rows}
    assert rows["gift wrapping"].customers == 6
    assert rows["gift wrapping"].items == 7
    assert "cigars" not in rows
    assert response.context["wishes"].hidden >= 1
    assert "cigars" not in response.content.decode()
    assert client.get(CIGARS).status_code == 404


def test_care_sees_every_topic(client, care_agent, wishes):
    client.force_login(care_agent)
    rows = {row.topic for row in client.get(LIST).context["wishes"].rows}
    assert {"gift wrapping", "cigars"} <= rows
    assert client.get(CIGARS).status_code == 200


def test_the_trend_counts_customers_per_month_and_suppresses_small_months(
    client, marketer, care_agent, wishes
):
    client.force_login(care_agent)
    trend = client.get(LIST).context["wishes"].trend
    assert trend["gift wrapping"][-1] == 6  # customers this month, not messages
    client.force_login(marketer)
    response = client.get(LIST)
    values = response.context["wishes"].trend["gift wrapping"]
    assert all(value is None or value == 0 or value >= 5 for value in values)
    page = response.content.decode()
    assert 'id="chart-data-trend"' in page
    assert 'id="chart-data-top-topics"' in page
    chart = json.loads(
        page.split('id="chart-data-top-topics" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["labels"][0] == "gift wrapping"


def test_a_month_the_topic_total_would_give_away_is_hidden_too(client, marketer, db):
    """Eight customers this month and two sixty days ago wish for green tea: the topic
    shows 10, so this month's 8 would tell that two wished two months ago."""
    text = "I wish you sold green tea in big tins."
    wishers(8, text, days_ago=0)
    wishers(2, text, days_ago=62)
    client.force_login(marketer)
    wishes = client.get(LIST).context["wishes"]
    assert {row.topic: row.customers for row in wishes.rows}["green tea"] == 10
    values = wishes.trend["green tea"]
    assert values[-1] is None and None in values[:-1]
    assert all(value in (None, 0) for value in values)


def test_marketing_reads_the_words_but_never_the_author(client, marketer, wishes):
    client.force_login(marketer)
    page = client.get(WRAPPING).content.decode()
    assert "I wish you offered gift wrapping" in page
    for personal in ("alice@example.com", "Alice", "0113 496 0000", "/admin/feedback/"):
        assert personal not in page
    assert "[e-mail]" in page
    assert "[number]" in page


def test_care_sees_the_author_and_a_link_to_the_admin(client, care_agent, wishes):
    client.force_login(care_agent)
    response = client.get(WRAPPING)
    page = response.content.decode()
    item = response.context["items"][0]
    assert f"/admin/feedback/feedbackitem/{item.pk}/change/" in page
    assert item.profile.user.email in page


def test_another_kind_and_a_bad_kind(client, care_agent, shopper):
    wish(shopper.profile, kind=FeedbackKind.PROBLEM, text="The teapot lid was broken.")
    client.force_login(care_agent)
    rows = client.get(f"{LIST}?kind=problem").context["wishes"].rows
    assert "teapot lid" in {row.topic for row in rows}
    response = client.get(f"{LIST}?kind=complaints")
    assert response.status_code == 400
    assert "Please choose one of the kinds listed." in response.content.decode()


def test_an_unknown_topic_is_empty_for_care_and_404_for_marketing(client, care_agent, marketer):
    client.force_login(care_agent)
    assert client.get("/marketing/wishes/nothing%20here/").status_code == 200
    client.force_login(marketer)
    assert client.get("/marketing/wishes/nothing%20here/").status_code == 404


@pytest.mark.parametrize("role", ["marketer", "care_agent"])
@pytest.mark.parametrize("url", [LIST, WRAPPING])
def test_query_count_does_not_grow_with_rows(client, request, role, url):
    client.force_login(request.getfixturevalue(role))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    wishers(5, "I wish you offered gift wrapping.")
    wishers(5, "Please add evening delivery.", days_ago=40)
    few = count()
    wishers(6, "I wish you offered gift wrapping at Christmas.", days_ago=70)
    wishers(6, "Please add evening delivery on weekdays.", days_ago=10)
    wishers(5, "I wish you sold loose leaf green tea.")
    wish(identifier="x@elsewhere.example", text="Gift wrapping please.")
    assert count() == few
