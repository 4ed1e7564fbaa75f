"""The whole customer for staff: one admin page, searchable, filterable, audited."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.models import Kind, ProfileAccess, Purpose, Source
from profiles.services import learn, record_touchpoint, set_consent
from tests.factories import make_shopper
from tests.privacy.stages import place_order
from tests.shop.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def change_url(profile) -> str:
    return reverse("admin:profiles_customerprofile_change", args=[profile.pk])


@pytest.fixture
def care(client, care_agent):
    client.force_login(care_agent)
    return client


@pytest.fixture
def buyer(db):
    user = make_shopper(name="Dora Dunmore", username="dora", email="dora@example.com")
    place_order(user.profile, make_product(name="Oolong"), phone="0113 496 0000")
    return user.profile


def test_the_page_shows_the_whole_customer(care, buyer):
    page = care.get(change_url(buyer)).content.decode()
    assert "Dora Dunmore" in page
    assert 'id="c360-segment"' in page and 'id="c360-trust"' in page
    # A fact learned from an order links to that order's admin page.
    order = buyer.orders.get()
    assert reverse("admin:shop_order_change", args=[order.pk]) in page
    assert "+44 113 496 0000" in page  # the phone, shown as people write it
    # Links to the customer's rows in the stages' own lists.
    assert f"{reverse('admin:shop_order_changelist')}?profile__exact={buyer.pk}" in page
    assert 'id="c360-consents"' in page and 'id="c360-timeline"' in page
    assert "Order placed" in page


def test_every_fact_links_to_its_source_where_the_staff_member_may_go(care, client):
    """A customer who has been through every stage: each fact's source link opens for
    customer care, and the account facts (superuser-only page) carry no link."""
    from tests.privacy.stages import make_stage_customer

    profile = make_stage_customer().profile
    response = care.get(change_url(profile))
    links = {item.fact.attribute.key: item.source_url for item in response.context["linked_facts"]}
    sources = {item.fact.source for item in response.context["linked_facts"] if item.source_url}
    assert sources >= {Source.PURCHASE, Source.SURVEY, Source.CAMPAIGN, Source.COUPON}
    assert sources >= {Source.FEEDBACK, Source.CONTACT}
    for key, url in links.items():
        if url:
            assert care.get(url).status_code == 200, (key, url)
    assert links["email"] is None and links["user_id"] is None


def test_the_stage_links_open_filtered_lists(care, buyer, other_shopper):
    place_order(other_shopper.profile, make_product())
    url = f"{reverse('admin:shop_order_changelist')}?profile__exact={buyer.pk}"
    response = care.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_opening_a_profile_is_recorded(care, buyer, care_agent):
    care.get(change_url(buyer))
    access = ProfileAccess.objects.get()
    assert (access.profile, access.staff) == (buyer, care_agent)


def test_the_timeline_is_paged(care, buyer):
    now = timezone.now()
    for n in range(60):
        record_touchpoint(buyer, Kind.VISIT, origin=f"v:{n}", occurred_at=now - timedelta(hours=n))
    page = care.get(change_url(buyer)).content.decode()
    assert "page 1 of 3" in page
    assert care.get(change_url(buyer) + "?timeline=3").status_code == 200
    assert care.get(change_url(buyer) + "?timeline=nonsense").status_code == 200


def _page_queries(client, profile) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(change_url(profile)).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_orders_facts_or_touchpoints(care, buyer):
    care.get(change_url(buyer))
    few = _page_queries(care, buyer)
    product = make_product()
    now = timezone.now()
    for n in range(15):
        order = make_order(buyer, at=now - timedelta(days=n), lines=[(product, 1)])
        record_touchpoint(buyer, Kind.ORDER_PLACED, ref=order, occurred_at=order.placed_at)
        learn(buyer, "postal_city", f"Town {n}", source=Source.PURCHASE, ref=order)
        set_consent(buyer, Purpose.SURVEYS, granted=n % 2 == 0, source=Source.CUSTOMER)
    for key, value in [("device", "Phone"), ("gift_buyer", True), ("interests", ["tea"])]:
        learn(buyer, key, value, source=Source.SURVEY)
    many = _page_queries(care, buyer)
    assert few == many


@pytest.mark.parametrize(
    "term", ["Dora", "dora@example.com", "DORA", "0113 496 0000", "+44 113 4960000"]
)
def test_search_by_name_email_user_id_or_phone(care, buyer, other_shopper, term):
    response = care.get(reverse("admin:profiles_customerprofile_changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [buyer]


def test_search_by_order_number(care, buyer, other_shopper):
    number = buyer.orders.get().number
    response = care.get(reverse("admin:profiles_customerprofile_changelist"), {"q": number})
    assert list(response.context["cl"].result_list) == [buyer]


def test_filter_by_consent(care, buyer, other_shopper):
    set_consent(buyer, Purpose.MARKETING_EMAIL, granted=True, source=Source.CUSTOMER)
    url = reverse("admin:profiles_customerprofile_changelist")
    granted = care.get(url, {"consent": "marketing_email:yes"}).context["cl"].result_list
    assert list(granted) == [buyer]
    refused = care.get(url, {"consent": "marketing_email:no"}).context["cl"].result_list
    assert buyer not in list(refused) and other_shopper.profile in list(refused)
    set_consent(buyer, Purpose.MARKETING_EMAIL, granted=False, source=Source.CUSTOMER)
    assert not care.get(url, {"consent": "marketing_email:yes"}).context["cl"].result_list


def test_filters_by_segment_trust_and_last_seen_are_offered(care, buyer):
    page = care.get(reverse("admin:profiles_customerprofile_changelist")).content.decode()
    for title in ("segment", "trust level", "last seen", "consent"):
        assert f"By {title}" in page


def test_marketing_cannot_open_a_profile_and_nothing_is_recorded(client, marketer, buyer):
    client.force_login(marketer)
    assert client.get(change_url(buyer)).status_code == 403
    assert not ProfileAccess.objects.exists()


def test_only_superusers_review_profile_accesses(client, care_agent, superuser, buyer):
    url = reverse("admin:profiles_profileaccess_changelist")
    client.force_login(care_agent)
    client.get(change_url(buyer))
    assert client.get(url).status_code == 403
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 200
    assert care_agent.username in response.content.decode()


def test_care_reaches_survey_and_campaign_responses_from_the_page(care, buyer):
    page = care.get(change_url(buyer)).content.decode()
    for name in ("surveys_surveyresponse", "campaigns_recipient"):
        url = reverse(f"admin:{name}_changelist")
        assert f"{url}?profile__exact={buyer.pk}" in page
        assert care.get(f"{url}?profile__exact={buyer.pk}").status_code == 200


def test_the_timeline_shows_a_contact_with_its_essence(care, buyer):
    from contacts.models import ContactLog
    from contacts.services import contact_essence, mail_import

    raw = (
        b"From: Dora <DORA@example.com>\r\nMessage-ID: <where@x>\r\n"
        b"Subject: Where is my parcel?\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\n"
        b"Hello, my parcel has not arrived yet and I am still waiting. Could you tell me "
        b"when it will come?\r\n\r\nThanks,\r\nDora\r\n"
    )
    _, log = mail_import(raw=raw)
    contact_essence(log_id=log.pk)
    log = ContactLog.objects.get(pk=log.pk)
    assert log.profile == buyer and log.intent == "order_status"
    page = care.get(change_url(buyer)).content.decode()
    timeline = page.split('id="c360-timeline"')[1]
    assert "E-mail from customer, order status" in timeline
    assert log.summary.split(".")[0][:40] in timeline
    assert reverse("admin:contacts_contactlog_change", args=[log.pk]) in page
