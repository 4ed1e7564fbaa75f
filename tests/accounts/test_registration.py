import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from accounts.services import welcome_email_send
from profiles.models import Consent, Kind, Purpose, Source, Touchpoint
from profiles.selectors import known_facts

pytestmark = pytest.mark.django_db
User = get_user_model()

VALID = {
    "name": "Carol Carter",
    "email": "Carol@Example.COM",
    "username": "carol",
    "password1": "correct-horse-battery-9",
    "password2": "correct-horse-battery-9",
}


def register(client, **changes):
    data = {**VALID, **changes}
    return client.post("/accounts/register/", {k: v for k, v in data.items() if v is not None})


def test_registration_page_assures_privacy_before_any_field(client):
    html = client.get("/accounts/register/").content.decode()
    assurance = html.index("Your data is secure and confidential")
    first_field = html.index("<input", html.index('id="register-form"'))
    assert assurance < first_field
    assert 'href="/privacy/"' in html[:first_field]


def test_registration_asks_only_for_the_basics(client):
    response = client.get("/accounts/register/")
    assert list(response.context["form"].fields) == [
        "name",
        "email",
        "username",
        "password1",
        "password2",
        "marketing_email",
        "surveys",
    ]
    html = response.content.decode()
    assert 'name="marketing_email"' in html
    assert "checked" not in html.split('name="marketing_email"')[1].split(">")[0]


def test_registration_creates_account_profile_facts_touchpoint_and_consents(client):
    response = register(client, marketing_email="on")
    assert response.status_code == 302 and response["Location"] == "/me/"
    user = User.objects.get(username="carol")
    assert user.email == "Carol@example.com"
    assert user.password.startswith("md5$")  # the test hasher; production uses Argon2
    facts = known_facts(user.profile)
    assert {k: (f.value, f.source) for k, f in facts.items()} == {
        "full_name": ("Carol Carter", Source.REGISTRATION),
        "email": ("carol@example.com", Source.REGISTRATION),
        "user_id": ("carol", Source.REGISTRATION),
    }
    assert facts["email"].ref_id == str(user.pk)
    assert Touchpoint.objects.filter(profile=user.profile, kind=Kind.REGISTERED).count() == 1
    consents = {c.purpose: c.granted for c in Consent.objects.filter(profile=user.profile)}
    assert consents == {
        Purpose.MARKETING_EMAIL: True,
        Purpose.SURVEYS: False,
        Purpose.DIRECT_MAIL: False,
        Purpose.PROFILING: True,
    }
    assert client.get("/me/").status_code == 200  # logged in


def test_registration_sends_one_welcome_email_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Carol@example.com"]
    assert "carol" in mail.outbox[0].body

    assert welcome_email_send(user_id=User.objects.get().pk) is False
    assert len(mail.outbox) == 1


def test_passwords_are_hashed_with_argon2_as_configured(client, settings):
    from patientcrm import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    register(client)
    assert User.objects.get(username="carol").password.startswith("argon2$")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "ALICE@example.com"}, "email", "already exists"),
        ({"name": ""}, "name", "This field is required"),
        ({"name": "   "}, "name", "This field is required"),
        ({"name": "x" * 151}, "name", "at most 150 characters"),
        ({"name": "<b>Carol</b>"}, "name", "can&#x27;t contain symbols"),
        ({"name": "<script>alert(1)</script>"}, "name", "can&#x27;t contain symbols"),
        ({"username": "carol carter"}, "username", "No spaces"),
        ({"username": "ALICE"}, "username", "taken"),
        ({"username": "admin"}, "username", "reserved"),
        ({"username": "ab"}, "username", "3 to 30 characters"),
        ({"password1": "password", "password2": "password"}, "password1", "too short"),
        (
            {"password1": "1234567890123", "password2": "1234567890123"},
            "password1",
            "entirely numeric",
        ),
        ({"password2": "something-else-99"}, "password2", "don&#x27;t match"),
        ({"name": "Car\x00ol"}, "name", "Null characters are not allowed"),
        ({"email": "a\x00@example.com"}, "email", "Null characters are not allowed"),
        ({"email": "x" * 10_000}, "email", "at most 254"),
        ({"username": "x" * 10_000}, "username", "at most 30"),
        ({"password1": "x" * 10_000, "password2": "x" * 10_000}, "password1", "at most 256"),
        ({"email": "not-an-address"}, "email", "valid email"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(
    client, shopper, changes, field, message
):
    before = User.objects.count()
    response = register(client, **changes)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message.replace("&#x27;", "'") in errors
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_tampered_csrf_token_is_refused_and_creates_nothing(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/register/")
    response = client.post("/accounts/register/", {**VALID, "csrfmiddlewaretoken": "forged" * 8})
    assert response.status_code == 403
    assert not User.objects.exists()


def test_logged_in_shopper_is_sent_to_what_we_know(shopper_client):
    response = shopper_client.get("/accounts/register/")
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_the_sweep_sends_welcome_emails_the_broker_missed(shopper, other_shopper, care_agent):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.services import welcome_emails_send_pending

    User.objects.filter(pk=shopper.pk).update(date_joined=timezone.now() - timedelta(minutes=15))
    # other_shopper registered a moment ago: its own task may still be on the way.
    assert welcome_emails_send_pending() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert welcome_emails_send_pending() == 0
