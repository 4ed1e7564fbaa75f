import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import services
from profiles.middleware import SESSION_KEY
from profiles.models import Consent, Kind, Purpose, Source, Touchpoint

pytestmark = pytest.mark.django_db


def test_what_we_know_needs_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_what_we_know_shows_each_fact_with_source_and_time(shopper_client, shopper):
    services.learn(shopper.profile, "device", "Tablet", source=Source.QUESTION)
    html = shopper_client.get("/me/").content.decode()
    assert "Alice Archer" in html and "alice@example.com" in html
    assert "Registration" in html and "A question you answered" in html
    assert "Tablet" in html
    # Grouped by the stage that taught each fact, in the order the stages come.
    assert html.index('id="group-registration"') < html.index('id="group-question"')


def test_a_shopper_never_sees_another_shoppers_facts(shopper_client, other_shopper):
    services.learn(other_shopper.profile, "postal_city", "Bobtown", source=Source.PURCHASE)
    html = shopper_client.get("/me/").content.decode()
    assert "Bobtown" not in html and "Bob Baker" not in html


def test_staff_without_a_profile_get_404(client, care_agent):
    client.force_login(care_agent)
    assert client.get("/me/").status_code == 404


def test_facts_are_escaped(shopper_client, shopper):
    services.learn(shopper.profile, "favourite_brands", ["<script>x</script>"], source=Source.STAFF)
    html = shopper_client.get("/me/").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def _me_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/me/").status_code == 200
    return len(ctx.captured_queries)


def test_what_we_know_query_count_does_not_grow_with_facts(shopper_client, shopper):
    shopper_client.get("/me/")  # the first request of a visit also counts the visit
    few = _me_queries(shopper_client)
    for n, (key, value) in enumerate(
        [
            ("device", "Phone"),
            ("postal_city", "Leeds"),
            ("favourite_brands", ["Acme"]),
            ("shopping_time", "Evenings"),
            ("gift_buyer", True),
            ("interests", ["tea", "hiking"]),
        ]
    ):
        services.learn(shopper.profile, key, value, source=Source.SURVEY, origin=f"t:{n}")
    for n in range(5):
        services.set_consent(
            shopper.profile, Purpose.SURVEYS, granted=n % 2 == 0, source=Source.CUSTOMER
        )
    many = _me_queries(shopper_client)
    # session, user, profile, facts with attributes, consents and their history, staff
    # views (count, recent); the question card: the profiling consent and the recent asks
    assert few == many
    assert many <= 10


def test_consents_can_be_changed(shopper_client, shopper):
    response = shopper_client.post(
        "/me/consents/", {"marketing_email": "on", "profiling": "on"}, follow=True
    )
    assert "Your choices are saved" in response.content.decode()
    assert services.has_consent(shopper.profile, Purpose.MARKETING_EMAIL)
    latest = Consent.objects.filter(
        profile=shopper.profile, purpose=Purpose.MARKETING_EMAIL
    ).first()
    assert latest.source == Source.CUSTOMER and latest.ip_address == "127.0.0.1"

    shopper_client.post("/me/consents/", {})
    assert not services.has_consent(shopper.profile, Purpose.MARKETING_EMAIL)
    assert not services.has_consent(shopper.profile, Purpose.PROFILING)


def test_consent_change_needs_login_and_post(client, shopper_client):
    assert client.post("/me/consents/", {"marketing_email": "on"}).status_code == 302
    assert shopper_client.get("/me/consents/").status_code == 405


def test_a_visit_is_counted_once_per_30_minutes_of_activity(shopper_client, shopper):
    for _ in range(3):
        shopper_client.get("/")
    shopper.profile.refresh_from_db()
    assert shopper.profile.visit_count == 1
    assert shopper.profile.first_seen is not None

    session = shopper_client.session
    session[SESSION_KEY] = time.time() - 31 * 60
    session.save()
    shopper_client.get("/")
    shopper.profile.refresh_from_db()
    assert shopper.profile.visit_count == 2
    visits = Touchpoint.objects.filter(profile=shopper.profile, kind=Kind.VISIT).count()
    assert visits == 2


def test_activity_within_a_visit_costs_no_query(shopper_client):
    shopper_client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        shopper_client.get("/privacy/")
    # session and user only: the visit middleware writes nothing mid-visit
    assert len(ctx.captured_queries) == 2
