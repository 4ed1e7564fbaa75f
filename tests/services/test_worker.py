"""The welcome e-mail, sent by a real Celery worker through a real Redis."""

import pytest
from django.contrib.auth import get_user_model

from accounts.tasks import send_welcome_email_task
from tests.factories import PASSWORD

WELCOME_TASK = send_welcome_email_task.name

pytestmark = [
    pytest.mark.services,
    pytest.mark.timeout(90),
    # The worker is another process: it only sees committed rows. Serialized
    # rollback brings back the attribute catalogue the flush after each test wipes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def register(client, *, name: str, username: str):
    return client.post(
        "/accounts/register/",
        {
            "name": name,
            "email": f"{username}@example.com",
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_registering_makes_the_worker_send_the_welcome_email(client, celery_worker):
    response = register(client, name="Dana Dunn", username="dana")

    assert response.status_code == 302
    assert response.url == "/me/"
    mail = celery_worker.wait_for_mail(containing="Hello Dana Dunn", timeout=15)
    assert "To: dana@example.com" in mail
    assert "Subject: Welcome to the PatientCRM shop, Dana" in mail
    celery_worker.wait_for_successes(WELCOME_TASK, count=1)
    user = get_user_model().objects.get(username="dana")
    assert user.welcome_email_sent_at is not None


def test_running_the_welcome_task_twice_sends_one_email(client, celery_worker):
    register(client, name="Erin Ellis", username="erin")
    celery_worker.wait_for_mail(containing="Hello Erin Ellis")
    user = get_user_model().objects.get(username="erin")
    first_sent_at = user.welcome_email_sent_at

    # A redelivery (acks_late after a lost worker) or a sweep racing the first run.
    send_welcome_email_task.delay(user_id=user.pk)
    celery_worker.wait_for_successes(WELCOME_TASK, count=2)

    assert len(celery_worker.mails()) == 1
    assert sum(mail.count("Subject: Welcome") for mail in celery_worker.mails()) == 1
    user.refresh_from_db()
    assert user.welcome_email_sent_at == first_sent_at
