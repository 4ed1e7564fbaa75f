"""A shopper registers, sees what the shop knows, and logs back in with the e-mail address."""

import re

import pytest
from django.contrib.auth import get_user_model

from profiles.models import Consent, CustomerProfile, ProfileFact, Purpose, Source

# The live server needs committed data; serialized_rollback puts the seeded
# attribute catalogue and groups back after each test's flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REGISTER_FIELDS = [
    "name",
    "email",
    "username",
    "password1",
    "password2",
    "marketing_email",
    "surveys",
]
CHECKBOXES = {"marketing_email", "surveys"}
# Crispy marks required fields with an asterisk that becomes part of the label.
PASSWORD_LABEL = re.compile(r"^Password\*?$")

NEW_SHOPPER = {
    "name": "Dora Dunn",
    "email": "dora@example.com",
    "username": "dora.d",
}

# Every control a shopper can fill in, in document order (hidden CSRF token and
# the submit button are not fields).
FORM_FIELDS_JS = """
form => Array.from(form.querySelectorAll("input, select, textarea"))
    .filter(el => el.type !== "hidden" && el.type !== "submit" && el.type !== "button")
    .map(el => ({name: el.name, type: el.type, checked: el.checked, visible: !!el.offsetParent}))
"""

# True when `first` comes before `second` in the document (and does not contain it).
PRECEDES_JS = """
([first, second]) => Boolean(
    first.compareDocumentPosition(second) & Node.DOCUMENT_POSITION_FOLLOWING
) && !first.contains(second)
"""

BUTTON_COLOURS_JS = """
el => ({text: getComputedStyle(el).color, background: getComputedStyle(el).backgroundColor})
"""


def _open_register_from_home(page, base_url):
    page.goto(f"{base_url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.wait_for_url(f"{base_url}/accounts/register/")


def _fill_register_form(page, *, name, email, username, password1, password2):
    form = page.locator("#register-form")
    form.get_by_label("Your name").fill(name)
    form.get_by_label("E-mail address").fill(email)
    form.get_by_label("User ID").fill(username)
    form.get_by_role("textbox", name=PASSWORD_LABEL).fill(password1)
    form.get_by_label("Password again").fill(password2)
    return form


def test_register_then_see_what_we_know(page, page_problems, live_server, password, artifacts):
    base = live_server.url
    _open_register_from_home(page, base)
    assert page.get_by_role("heading", level=1).inner_text() == "Create your account"

    # The promise comes first: before the shopper types anything.
    promise = page.get_by_role("complementary", name="Our promise")
    assert promise.get_by_role("heading").inner_text() == "Your data is secure and confidential"
    privacy_link = promise.get_by_role("link", name="Read our privacy promise")
    assert privacy_link.get_attribute("href") == "/privacy/"

    form = page.locator("#register-form")
    first_field = form.locator("input:not([type=hidden])").first
    assert first_field.get_attribute("name") == "name"
    assert page.evaluate(PRECEDES_JS, [promise.element_handle(), first_field.element_handle()]), (
        "the assurance must come before the first form field in the DOM"
    )
    promise_box = promise.bounding_box()
    field_box = first_field.bounding_box()
    assert promise_box and field_box
    assert promise_box["y"] + promise_box["height"] <= field_box["y"], (
        "the assurance must be shown above the first form field"
    )

    # Four things and two unticked choices; nothing else.
    fields = form.evaluate(FORM_FIELDS_JS)
    assert [field["name"] for field in fields] == REGISTER_FIELDS
    assert all(field["visible"] for field in fields)
    for field in fields:
        if field["name"] in CHECKBOXES:
            assert field["type"] == "checkbox"
            assert field["checked"] is False, f"{field['name']} must start unticked"

    page.screenshot(path=artifacts / "register.png", full_page=True)

    _fill_register_form(page, **NEW_SHOPPER, password1=password, password2=password)
    form.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{base}/me/")

    assert page.get_by_role("heading", level=1).inner_text() == "What we know about you"
    assert page.get_by_role("status").inner_text().startswith("Welcome, Dora.")
    expected = {
        "full_name": ("Name", NEW_SHOPPER["name"]),
        "email": ("E-mail address", NEW_SHOPPER["email"]),
        "user_id": ("User ID", NEW_SHOPPER["username"]),
    }
    for key, (label, value) in expected.items():
        row = page.locator(f"tr[data-attribute='{key}']")
        assert row.count() == 1, f"no row for {key}"
        assert row.locator("th").inner_text() == label
        assert row.locator("td").nth(0).inner_text() == value
        source = row.locator("td.fact-source")
        assert source.get_attribute("data-source") == Source.REGISTRATION
        assert source.inner_text().startswith("Registration")
    # Registered and logged in: the menu says so.
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("button", name=f"Log out {NEW_SHOPPER['username']}").is_visible()

    # The consent form's button must be readable (it once drew blue text on blue).
    save = page.locator("#consent-form").get_by_role("button", name="Save my choices")
    colours = save.evaluate(BUTTON_COLOURS_JS)
    assert colours["text"] != colours["background"], f"unreadable button: {colours}"

    page.screenshot(path=artifacts / "me.png", full_page=True)
    assert page_problems == []

    # What the page showed is what was stored, with the unticked boxes as "no".
    user = get_user_model().objects.get(username=NEW_SHOPPER["username"])
    assert user.email == NEW_SHOPPER["email"]
    assert user.name == NEW_SHOPPER["name"]
    assert user.check_password(password)
    profile = CustomerProfile.objects.get(user=user)
    latest = {
        consent.purpose: consent.granted
        for consent in Consent.objects.filter(profile=profile).order_by("recorded_at", "pk")
    }
    assert latest[Purpose.MARKETING_EMAIL] is False
    assert latest[Purpose.SURVEYS] is False


def test_mismatched_passwords_explain_and_create_nothing(
    page, page_problems, live_server, password, artifacts
):
    # Imported here: without Playwright, tests/conftest.py must get to skip (or fail) first.
    from playwright.sync_api import expect

    base = live_server.url
    _open_register_from_home(page, base)
    form = _fill_register_form(
        page, **NEW_SHOPPER, password1=password, password2=password + "-typo"
    )
    form.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()

    # Still on the form, told why, next to the field that is wrong.
    assert page.url == f"{base}/accounts/register/"
    again = page.locator("#register-form").get_by_label("Password again")
    assert again.get_attribute("aria-invalid") == "true"
    # A screen reader announces the reason with the field, not only somewhere on the page.
    expect(again).to_have_accessible_description("The two passwords don't match.")
    assert page.get_by_text("The two passwords don't match.").is_visible()
    # What was typed (except the passwords) is kept, so only the mistake needs retyping.
    assert page.locator("#register-form").get_by_label("Your name").input_value() == "Dora Dunn"
    assert again.input_value() == ""
    page.screenshot(path=artifacts / "register-error.png", full_page=True)
    # No 4xx/5xx, no CSP complaints.
    assert page_problems == []

    assert not get_user_model().objects.filter(username=NEW_SHOPPER["username"]).exists()
    assert get_user_model().objects.count() == 0
    assert CustomerProfile.objects.count() == 0
    assert ProfileFact.objects.count() == 0


def test_log_out_then_log_in_with_email(
    page, page_problems, live_server, shopper, password, log_in
):
    base = live_server.url
    log_in(page, login=shopper.username, password=password)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("button", name=f"Log out {shopper.username}").click()
    page.wait_for_url(f"{base}/")
    assert nav.get_by_role("link", name="Log in").is_visible()
    assert nav.get_by_role("button", name=f"Log out {shopper.username}").count() == 0
    # Logged out for real: the private page now asks to log in.
    page.goto(f"{base}/me/")
    assert page.url.startswith(f"{base}/accounts/login/")

    page.get_by_label("User ID or e-mail").fill(shopper.email)
    page.get_by_role("textbox", name=PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "What we know about you"
    assert page.locator("tr[data-attribute='email'] td").first.inner_text() == shopper.email
    assert nav.get_by_role("button", name=f"Log out {shopper.username}").is_visible()
    # The redirect to the login page for /me/ is expected; nothing else may fail.
    assert page_problems == []
