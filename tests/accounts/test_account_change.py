"""The shopper corrects their name and changes their e-mail address from /me/."""

import pytest
from django.core import mail

from accounts.models import User
from profiles.models import ProfileFact, Source
from profiles.selectors import current_values
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NAME_URL = "/me/account/name/"
EMAIL_URL = "/me/account/email/"


def _fact(user, key):
    return ProfileFact.objects.filter(profile=user.profile, attribute__key=key).latest("pk")


def test_what_we_know_links_to_correct_the_name_and_change_the_e_mail(shopper_client):
    page = shopper_client.get("/me/").content.decode()
    assert f'href="{NAME_URL}"' in page
    assert f'href="{EMAIL_URL}"' in page
    assert "How you log in" in page  # the user ID stays


@pytest.mark.parametrize("url", [NAME_URL, EMAIL_URL])
def test_only_a_shopper_changes_their_own_account(client, care_agent, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(care_agent)
    assert client.get(url).status_code == 404


def test_a_shopper_corrects_their_name(shopper_client, shopper):
    assert 'value="Alice Archer"' in shopper_client.get(NAME_URL).content.decode()
    response = shopper_client.post(NAME_URL, {"name": "  Alice   Archer-Smith "})
    assert response.status_code == 302 and response["Location"] == "/me/"
    shopper.refresh_from_db()
    assert shopper.name == "Alice Archer-Smith"
    fact = _fact(shopper, "full_name")
    assert (fact.value, fact.source) == ("Alice Archer-Smith", Source.CUSTOMER)
    assert current_values(shopper.profile, ["full_name"]) == {"full_name": "Alice Archer-Smith"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("<script>", "can&#x27;t contain symbols"),
        ("123", "letter"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_changes(shopper_client, shopper, name, message):
    response = shopper_client.post(NAME_URL, {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    shopper.refresh_from_db()
    assert shopper.name == "Alice Archer"
    assert _fact(shopper, "full_name").source == Source.REGISTRATION


def test_a_shopper_changes_their_e_mail_and_the_old_address_is_told(
    client, shopper_client, shopper, django_capture_on_commit_callbacks
):
    page = shopper_client.get(EMAIL_URL).content.decode()
    assert "Your address now: <strong>alice@example.com</strong>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper_client.post(
            EMAIL_URL, {"email": "alice.new@EXAMPLE.org", "password": PASSWORD}
        )
    assert response.status_code == 302 and response["Location"] == "/me/"
    shopper.refresh_from_db()
    assert shopper.email == "alice.new@example.org"
    fact = _fact(shopper, "email")
    assert (fact.value, fact.source) == ("alice.new@example.org", Source.CUSTOMER)
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert "was changed" in mail.outbox[0].body
    assert "alice.new" not in mail.outbox[0].body  # the old address learns nothing new
    # The new address logs in.
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": "ALICE.NEW@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("alice.new@example.org", "wrong-password", "password", "That is not your password."),
        ("BOB@example.com", PASSWORD, "email", "Another account uses that e-mail address."),
        ("Alice@Example.com", PASSWORD, "email", "That is already your e-mail address."),
        ("not an address", PASSWORD, "email", "Enter a valid email address."),
        ("", PASSWORD, "email", "This field is required."),
    ],
)
def test_a_bad_e_mail_change_is_refused_and_nothing_changes(
    shopper_client, shopper, other_shopper, email, password, field, message
):
    response = shopper_client.post(EMAIL_URL, {"email": email, "password": password})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    shopper.refresh_from_db()
    assert shopper.email == "alice@example.com"
    assert _fact(shopper, "email").source == Source.REGISTRATION
    assert len(mail.outbox) == 0


def test_guessing_the_password_to_change_the_e_mail_rests_after_five_tries(shopper_client, shopper):
    for _ in range(5):
        shopper_client.post(EMAIL_URL, {"email": "x@example.org", "password": "nope-nope"})
    response = shopper_client.post(EMAIL_URL, {"email": "x@example.org", "password": PASSWORD})
    assert "Too many wrong passwords" in response.content.decode()
    assert User.objects.get(pk=shopper.pk).email == "alice@example.com"
