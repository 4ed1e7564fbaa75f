import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles import services
from profiles.models import Attribute, Source

pytestmark = pytest.mark.django_db


def profile_url(profile):
    return f"/admin/profiles/customerprofile/{profile.pk}/change/"


def test_care_agent_reads_the_profile_with_facts_and_provenance(client, care_agent, shopper):
    services.learn(shopper.profile, "postal_city", "Leeds", source=Source.PURCHASE)
    client.force_login(care_agent)
    response = client.get(profile_url(shopper.profile))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Leeds" in html and "A purchase" in html and "Registration" in html
    assert "Timeline" in html and "Consents" in html


def test_care_agent_finds_a_customer_by_email(client, care_agent, shopper, other_shopper):
    client.force_login(care_agent)
    response = client.get("/admin/profiles/customerprofile/", {"q": "alice@example"})
    assert list(response.context["cl"].result_list) == [shopper.profile]


def test_marketer_cannot_open_an_individual_profile(client, marketer, shopper):
    client.force_login(marketer)
    assert client.get(profile_url(shopper.profile)).status_code == 403
    assert client.get("/admin/profiles/customerprofile/").status_code == 403


def test_shopper_never_reaches_the_admin(client, shopper):
    client.force_login(shopper)
    response = client.get(profile_url(shopper.profile))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_provenance_cannot_be_edited_in_the_admin(client, superuser, shopper):
    client.force_login(superuser)
    client.post(profile_url(shopper.profile), {"trust_level": 5})
    shopper.profile.refresh_from_db()
    assert shopper.profile.trust_level == 0
    assert client.get("/admin/profiles/customerprofile/add/").status_code == 403


def _device_form(**fields) -> dict:
    """The change form of the "device" attribute, with `fields` changed."""
    return {
        "key": "device",
        "label": "Main device",
        "description": "",
        "category": "web_usage",
        "sensitivity": "basic",
        "value_kind": "choice",
        "active": "on",
        **fields,
    }


def test_superuser_edits_the_attribute_catalogue(client, superuser):
    client.force_login(superuser)
    attribute = Attribute.objects.get(key="device")
    response = client.post(
        f"/admin/profiles/attribute/{attribute.pk}/change/",
        _device_form(choices='["Phone", "Laptop"]'),
    )
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert (attribute.label, attribute.choices) == ("Main device", ["Phone", "Laptop"])


@pytest.mark.parametrize("choices", ["[1e400]", "[NaN]", '{"a": -Infinity}'])
def test_json_the_database_would_refuse_is_a_form_error(client, superuser, choices):
    """Python reads 1e400 as infinity and takes NaN; PostgreSQL's jsonb does not (it was
    a 500 on save). Every admin's JSON fields refuse them, and nothing is changed."""
    client.force_login(superuser)
    attribute = Attribute.objects.get(key="device")
    before = attribute.choices
    response = client.post(
        f"/admin/profiles/attribute/{attribute.pk}/change/",
        _device_form(choices=choices),
    )
    assert response.status_code == 200
    assert "Enter valid JSON" in response.content.decode()
    attribute.refresh_from_db()
    assert attribute.choices == before


def test_emptied_choices_save_as_no_choices(client, superuser):
    """The column takes no NULL: an emptied JSON field saves the model's default (an empty
    list), where Django's form would save None and the database refuse it."""
    client.force_login(superuser)
    attribute = Attribute.objects.get(key="device")
    response = client.post(
        f"/admin/profiles/attribute/{attribute.pk}/change/",
        _device_form(choices="", value_kind="text"),
    )
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert attribute.choices == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_profile_list_query_count_does_not_grow_with_customers(client, care_agent):
    from tests.factories import make_shopper

    client.force_login(care_agent)
    make_shopper()
    few = _queries(client, "/admin/profiles/customerprofile/")
    for _ in range(5):
        make_shopper()
    assert _queries(client, "/admin/profiles/customerprofile/") == few
