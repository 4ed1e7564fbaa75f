"""The customer's own privacy centre under /me/: what we know, by stage, with the
right to correct, to forget, to change consents, to download and to be erased."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Recipient
from campaigns.services import campaign_send_batch, campaign_start
from profiles import asking
from profiles.models import Attribute, ProfileFact, ProfileQuestion, Purpose, Source
from profiles.selectors import current_values
from profiles.services import fact_forget, has_consent, learn, profile_access_record
from tests.factories import PASSWORD as PASSWORD_OF
from tests.privacy.stages import EMAIL, PHONE, make_campaign, place_order
from tests.shop.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client, customer):
    client.force_login(customer)
    return client


def test_facts_are_grouped_by_the_stage_that_taught_them(me, customer):
    page = me.get(reverse("accounts:me")).content.decode()
    assert 'id="group-registration"' in page
    assert 'id="group-purchase"' in page
    assert 'id="group-survey"' in page
    assert PHONE.replace(" ", "") in page.replace(" ", "") or "Phone" in page


def test_correcting_a_fact_makes_it_the_customers_word(me, customer):
    url = reverse("accounts:fact_correct", args=["postal_city"])
    assert me.get(url).status_code == 200
    response = me.post(url, {"value": "Scarborough"})
    assert response.status_code == 302
    fact = ProfileFact.objects.get(
        profile=customer.profile, attribute__key="postal_city", is_current=True
    )
    assert (fact.value, fact.source) == ("Scarborough", Source.CUSTOMER)
    # The old value stays as history only.
    assert ProfileFact.objects.filter(
        profile=customer.profile, attribute__key="postal_city", is_current=False
    ).exists()


def test_a_correction_that_does_not_fit_gets_a_clear_message_and_changes_nothing(me, customer):
    before = current_values(customer.profile, ["postal_city"])
    response = me.post(reverse("accounts:fact_correct", args=["postal_city"]), {"value": ""})
    assert response.status_code == 200
    assert "Please give the right value" in response.content.decode()
    assert current_values(customer.profile, ["postal_city"]) == before


def test_an_unknown_attribute_is_a_404(me):
    assert me.get(reverse("accounts:fact_correct", args=["no-such-thing"])).status_code == 404
    assert me.post(reverse("accounts:fact_forget", args=["no-such-thing"])).status_code == 404


def test_forgetting_removes_every_value_and_it_is_neither_relearned_nor_asked(me, customer):
    profile = customer.profile
    assert ProfileFact.objects.filter(profile=profile, attribute__key="phone").exists()
    assert me.get(reverse("accounts:fact_forget", args=["phone"])).status_code == 200
    assert me.post(reverse("accounts:fact_forget", args=["phone"])).status_code == 302
    assert not ProfileFact.objects.filter(profile=profile, attribute__key="phone").exists()
    # The next order carries a phone number again: the shop does not learn it back.
    place_order(profile, make_product(), phone="+44 7700 900999")
    assert not ProfileFact.objects.filter(profile=profile, attribute__key="phone").exists()
    # The patient asker does not ask for it either.
    phone = Attribute.objects.get(key="phone")
    ProfileQuestion.objects.update(active=False)
    ProfileQuestion.objects.create(
        attribute=phone, text="Your phone?", why_we_ask="To call about deliveries."
    )
    profile.refresh_from_db()
    now = timezone.now()
    profile.visit_started_at, profile.visit_count, profile.trust_level = now, 50, 5
    profile.save()
    assert asking.next_question(profile, page="/catalogue/", now=now) is None


def test_telling_us_again_yourself_lifts_the_forgetting(customer):
    profile = customer.profile
    fact_forget(profile=profile, key="postal_city")
    assert learn(profile, "postal_city", "York", source=Source.PURCHASE, origin="o:x") is None
    learn(profile, "postal_city", "York", source=Source.SURVEY, origin="s:x")
    assert learn(profile, "postal_city", "Hull", source=Source.PURCHASE, origin="o:y") is not None


def test_consent_history_is_shown_and_withdrawing_marketing_applies_at_once(me, customer):
    profile = customer.profile
    assert has_consent(profile, Purpose.MARKETING_EMAIL)
    response = me.post(reverse("accounts:consents"), {Purpose.SURVEYS: "on"})
    assert response.status_code == 302
    assert not has_consent(profile, Purpose.MARKETING_EMAIL)
    page = me.get(reverse("accounts:me")).content.decode()
    assert 'id="consent-history"' in page
    assert page.count("Offers and news by e-mail — ") >= 2  # granted, then withdrawn


def test_withdrawing_marketing_stops_a_campaign_already_under_way(me, customer, mailoutbox):
    campaign = make_campaign(name="Winter teas")
    queued = campaign_start(campaign=campaign)  # the customer is in the audience
    assert Recipient.objects.filter(pk__in=queued, profile=customer.profile).exists()
    me.post(reverse("accounts:consents"), {Purpose.SURVEYS: "on"})
    mailoutbox.clear()
    result = campaign_send_batch(recipient_ids=queued)
    assert EMAIL not in [address for message in mailoutbox for address in message.to]
    assert result.skipped >= 1


def test_the_customer_sees_when_staff_looked_but_not_who(me, customer, care_agent):
    profile_access_record(profile=customer.profile, staff=care_agent)
    profile_access_record(profile=customer.profile, staff=care_agent)
    page = me.get(reverse("accounts:me")).content.decode()
    assert "opened your profile 2 times" in page
    assert care_agent.username not in page
    assert care_agent.name not in page


def test_download_needs_the_password_again(me):
    url = reverse("accounts:data_download")
    assert me.get(url).status_code == 200
    response = me.post(url, {"password": "wrong"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()


def test_wrong_passwords_are_throttled(me):
    url = reverse("accounts:data_download")
    for _ in range(5):
        me.post(url, {"password": "wrong"})
    response = me.post(url, {"password": PASSWORD_OF})
    assert "Too many wrong passwords" in response.content.decode()
    assert response.status_code == 200


def test_download_holds_every_stage(me, customer):
    response = me.post(reverse("accounts:data_download"), {"password": PASSWORD_OF})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["accounts"]["account"]["email"] == EMAIL
    hub = data["profile"]
    assert {fact["source"] for fact in hub["facts"]} >= {"registration", "purchase", "survey"}
    assert all(fact["learned_at"] for fact in hub["facts"])
    assert {point["kind"] for point in hub["timeline"]} >= {"registered", "order_placed"}
    assert hub["consents"] and hub["question_answers"] is not None
    assert data["shop"]["orders"][0]["ship_to"]["phone"] == PHONE
    contacts = data["contacts"]["contact_logs"]
    assert {log["channel"] for log in contacts} == {"E-mail", "Phone call"}
    assert all(log["essence"]["summary"] for log in contacts)
    assert {item["kind"] for item in data["feedback"]["feedback_items"]} >= {"wish"}
    assert data["coupons"]["redemptions"][0]["code"] == "THANKYOU5"
    (received,) = data["campaigns"]["campaigns_received"]
    assert received["campaign"] == "Smoky teas" and received["opened_at"]
    assert received["clicks"][0]["keyword"] == "smoky"
    (answered,) = [ask for ask in hub["question_answers"] if ask["outcome"] == "answered"]
    assert answered["answer"] is not None and answered["answered_at"]
    learned_from = {fact["source"]: fact["learned_from"] for fact in hub["facts"]}
    assert learned_from["purchase"].startswith("Order ")
    assert learned_from["campaign"] and learned_from["question"]
    answers = data["surveys"]["survey_responses"][0]["answers"]
    assert any(answer["choices"] == ["Phone"] for answer in answers)
    # Every app that keeps personal data has its part in the file.
    from django.apps import apps

    with_data = {c.label for c in apps.get_app_configs() if hasattr(c, "export_personal_data")}
    assert with_data <= set(data)


def test_delete_needs_the_password_and_the_tick_and_loses_nothing_otherwise(me, customer):
    url = reverse("accounts:account_delete")
    assert me.get(url).status_code == 200
    response = me.post(url, {"password": PASSWORD_OF})
    assert response.status_code == 200
    assert "Please tick the box" in response.content.decode()
    response = me.post(url, {"password": "wrong", "understood": "on"})
    assert "That is not your password." in response.content.decode()
    assert get_user_model().objects.filter(pk=customer.pk).exists()


def test_a_shopper_cannot_reach_another_shoppers_privacy_pages(client, customer, other_shopper):
    client.force_login(other_shopper)
    page = client.get(reverse("accounts:me")).content.decode()
    assert EMAIL not in page
    response = client.post(reverse("accounts:data_download"), {"password": PASSWORD_OF})
    assert EMAIL not in response.content.decode()


@pytest.mark.parametrize(
    "name", ["accounts:me", "accounts:data_download", "accounts:account_delete"]
)
def test_privacy_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_have_no_privacy_centre(client, care_agent):
    client.force_login(care_agent)
    assert client.get(reverse("accounts:account_delete")).status_code == 404


def test_registration_is_rate_limited_per_address(client):
    url = reverse("accounts:register")
    for n in range(5):
        client.post(url, {"name": f"Flood {n}"})
    response = client.post(url, {"name": "Flood again"})
    assert response.status_code == 429
    assert "Too many accounts" in response.content.decode()
    # Another address is not affected.
    other = client.post(url, {"name": "Someone"}, REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 200


def test_login_is_rate_limited_per_address_across_user_ids(client):
    url = reverse("accounts:login")
    for n in range(30):
        client.post(url, {"username": f"guess{n}", "password": "x"})
    response = client.post(url, {"username": "guess-more", "password": "x"})
    assert response.status_code == 429


def test_the_admin_login_is_limited_too_and_counts_with_the_shops(client, care_agent):
    for n in range(20):
        client.post(reverse("accounts:login"), {"username": f"guess{n}", "password": "x"})
    for n in range(10):
        response = client.post("/admin/login/", {"username": f"admin{n}", "password": "x"})
        assert response.status_code == 200  # the form again, with Django's error
    assert client.post("/admin/login/", {"username": "root", "password": "x"}).status_code == 429


def test_the_admin_login_still_lets_staff_in(client, care_agent):
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200 and "PatientCRM staff" in page.content.decode()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": care_agent.username, "password": PASSWORD_OF, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/login/")["Location"] == "/admin/"


@pytest.mark.parametrize("key", ["email", "full_name", "user_id"])
def test_account_facts_go_only_with_the_account(me, customer, key):
    assert me.get(reverse("accounts:fact_forget", args=[key])).status_code == 404
    assert me.post(reverse("accounts:fact_forget", args=[key])).status_code == 404
    assert ProfileFact.objects.filter(profile=customer.profile, attribute__key=key).exists()
