import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("identifier", ["alice", "ALICE", "alice@example.com", "Alice@Example.com"])
def test_login_with_user_id_or_email_in_any_case(client, shopper, password, identifier):
    response = login(client, identifier, password)
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_wrong_password_gets_a_clear_message(client, shopper):
    response = login(client, "alice", "not-the-password")
    assert response.status_code == 200
    assert "don&#x27;t match an account" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "password"),
    [("a\x00b", "x"), ("x" * 10_000, "x"), ("alice", "x" * 10_000), ("", ""), ("alice", "p\x00")],
)
def test_malformed_login_input_is_a_form_error_not_a_500(client, shopper, username, password):
    response = login(client, username, password)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_failed_logins_are_throttled_per_user_id_and_address(client, shopper, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    locked = login(client, "alice", password)
    assert locked.status_code == 429
    assert "paused for a few minutes" in locked.content.decode()

    # The real customer elsewhere is not locked out by a stranger's guesses.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert login(elsewhere, "alice", password).status_code == 302


def test_logout_is_a_post(shopper_client):
    assert shopper_client.get("/accounts/logout/").status_code == 405
    response = shopper_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert shopper_client.get("/me/").status_code == 302


def test_password_reset_answers_the_same_for_unknown_addresses(
    client, shopper, django_capture_on_commit_callbacks
):
    known = client.post("/accounts/password-reset/", {"email": "alice@example.com"})
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]


def test_password_reset_link_sets_a_new_password(client, shopper):
    client.post("/accounts/password-reset/", {"email": "ALICE@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new = "a-brand-new-secret-77"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert login(Client(), "alice", new).status_code == 302


def test_staff_land_on_the_admin_and_shoppers_on_what_we_know(client, care_agent, password):
    response = login(client, care_agent.username, password)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/accounts/login/")["Location"] == "/admin/"
