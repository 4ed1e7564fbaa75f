"""Delete my account: personal data goes from every table; orders and figures stay."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from coupons.models import Redemption
from shop.models import Order
from surveys.models import SurveyResponse
from tests.factories import PASSWORD
from tests.privacy.stages import EMAIL, NAME, PHONE, STREET, USERNAME

pytestmark = pytest.mark.django_db


def everything_stored() -> str:
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=out)
    return out.getvalue()


def erase(client, user):
    client.force_login(user)
    return client.post(
        reverse("accounts:account_delete"), {"password": PASSWORD, "understood": "on"}
    )


def test_erasure_leaves_no_trace_of_the_customer_in_any_table(client, customer):
    before = everything_stored()
    assert EMAIL in before and NAME in before and STREET in before
    assert PHONE in before or PHONE.replace(" ", "") in before

    response = erase(client, customer)

    assert response.status_code == 302
    after = everything_stored()
    for trace in (EMAIL, NAME, STREET, PHONE, PHONE.replace(" ", ""), "7700 900123"):
        assert trace not in after, trace
    assert f'"{USERNAME}"' not in after


def test_the_admins_change_log_forgets_the_customer(client, customer, django_user_model):
    from django.contrib.admin.models import CHANGE, LogEntry

    from contacts.models import ContactLog
    from feedback.models import FeedbackItem

    staff = django_user_model.objects.create_superuser("root", "root@example.net", "x-pass-1")
    # Staff changed the account, a contact and a feedback item in the admin: the log
    # names each as it was.
    for queryset in (
        django_user_model.objects.filter(pk=customer.pk),
        ContactLog.objects.filter(profile=customer.profile),
        FeedbackItem.objects.filter(profile=customer.profile),
    ):
        LogEntry.objects.log_actions(staff.pk, queryset, CHANGE, change_message=f"Checked {NAME}")
    assert NAME in everything_stored()

    erase(client, customer)

    after = everything_stored()
    for trace in (EMAIL, NAME, f'"{USERNAME}"'):
        assert trace not in after, trace
    assert LogEntry.objects.filter(object_repr="(erased customer)").count() >= 3


def test_orders_and_survey_results_stay_anonymised(client, customer):
    orders = Order.objects.filter(profile=customer.profile).count()
    responses = SurveyResponse.objects.filter(profile=customer.profile).count()

    erase(client, customer)

    assert Order.objects.filter(profile__isnull=True).count() == orders
    for order in Order.objects.filter(profile__isnull=True):
        assert order.ship_name == "(erased)" and order.ship_phone == "" and order.total > 0
    discounted = Order.objects.get(profile__isnull=True, discount__gt=0)
    assert Redemption.objects.get(order=discounted).profile is None
    assert SurveyResponse.objects.filter(profile__isnull=True).count() == responses


def test_an_erased_customer_cannot_log_in(client, customer):
    erase(client, customer)
    assert not get_user_model().objects.filter(pk=customer.pk).exists()
    response = client.post(reverse("accounts:login"), {"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_the_erased_customer_is_logged_out_and_told(client, customer):
    response = erase(client, customer)
    assert response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Your account is erased" in page
    assert client.get(reverse("accounts:me")).status_code == 302


def test_survey_results_page_still_works_after_erasure(client, customer, marketer):
    survey = SurveyResponse.objects.get(profile=customer.profile).survey
    erase(client, customer)
    client.force_login(marketer)
    response = client.get(reverse("surveys:results", args=[survey.slug]))
    assert response.status_code == 200
