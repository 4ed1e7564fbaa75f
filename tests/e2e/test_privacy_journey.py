"""The privacy centre in a real browser: a shopper with an order and survey answers
downloads their data, corrects a fact, withdraws marketing e-mail and deletes the
account; a care agent's look at a profile shows up for the customer."""

import json
import re

import pytest
from django.contrib.auth import get_user_model

from profiles.models import ProfileAccess, ProfileFact, Purpose, Source
from profiles.services import has_consent
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.privacy.stages import EMAIL, USERNAME, make_stage_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def customer():
    return make_stage_customer()


def test_download_correct_withdraw_and_delete(page, live_server, log_in, customer, artifacts):
    base = live_server.url
    log_in(page, login=USERNAME, password=PASSWORD)

    # What we know, grouped by stage.
    assert page.locator("#group-purchase").is_visible()
    assert page.locator("#group-survey").is_visible()

    # Download my data: the password again, then one JSON file.
    page.get_by_role("link", name="Download my data").click()
    page.get_by_label("Your password").fill(PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("patientcrm-my-data-")
    data = json.loads(download.path().read_text(encoding="utf-8"))
    assert data["accounts"]["account"]["email"] == EMAIL
    assert data["shop"]["orders"] and data["surveys"]["survey_responses"]

    # Correct a fact.
    page.goto(f"{base}/me/")
    page.get_by_role("link", name="Correct your town or city").click()
    page.get_by_label(re.compile("Your town or city")).fill("Scarborough")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(f"{base}/me/")
    assert "put right" in page.locator(".alert").first.inner_text()
    row = page.locator('tr[data-attribute="postal_city"]')
    assert "Scarborough" in row.inner_text() and "You" in row.inner_text()
    fact = ProfileFact.objects.get(
        profile__user__username=USERNAME, attribute__key="postal_city", is_current=True
    )
    assert fact.source == Source.CUSTOMER

    # Withdraw marketing e-mail.
    page.get_by_label("Offers and news by e-mail").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url(f"{base}/me/")
    user = get_user_model().objects.get(username=USERNAME)
    assert not has_consent(user.profile, Purpose.MARKETING_EMAIL)
    page.screenshot(path=str(artifacts / "privacy-centre.png"), full_page=True)

    # Delete the account.
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    page.wait_for_url(f"{base}/")
    assert "Your account is erased" in page.content()
    assert not get_user_model().objects.filter(username=USERNAME).exists()

    # And the account no longer logs in.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User ID or e-mail").fill(USERNAME)
    page.get_by_role("textbox", name=re.compile(r"^Password\*?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.startswith(f"{base}/accounts/login/")
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").count() > 0


def test_a_care_agents_look_is_recorded_and_shown_to_the_customer(
    browser, live_server, log_in, customer, care_agent
):
    from tests.e2e.conftest import _new_page

    context, care_page = _new_page(browser)
    care_page.goto(f"{live_server.url}/admin/login/")
    care_page.get_by_label("Username").fill(care_agent.username)
    care_page.get_by_label("Password").fill(PASSWORD)
    care_page.get_by_role("button", name="Log in").click()
    care_page.goto(f"{live_server.url}/admin/profiles/customerprofile/?q={USERNAME}")
    care_page.get_by_role("link", name=re.compile("Zelda")).first.click()
    care_page.locator("#c360-facts").wait_for()
    context.close()
    assert (
        ProfileAccess.objects.filter(profile__user__username=USERNAME, staff=care_agent).count()
        == 1
    )

    context, shopper_page = _new_page(browser)
    log_in(shopper_page, login=USERNAME, password=PASSWORD)
    staff = shopper_page.locator("#staff-views").inner_text()
    assert "opened your profile 1 time" in staff
    assert care_agent.username not in staff
    context.close()


def test_the_privacy_pages_are_accessible(axe_page, live_server, customer, axe_js):
    from django.test import Client

    client = Client()
    client.force_login(customer)
    cookie = client.cookies["sessionid"]
    axe_page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )
    pages = [
        "/me/",
        "/me/download/",
        "/me/delete/",
        "/me/facts/postal_city/correct/",
        "/me/account/name/",
        "/me/account/email/",
        "/no-such-page/",
    ]
    for path in pages:
        axe_page.goto(f"{live_server.url}{path}")
        assert_accessible(axe_page, axe_js, path)
