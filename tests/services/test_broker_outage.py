"""A dead or frozen broker costs the customer a few seconds at most, never the sign-up.

The private Redis is killed (a crash) or frozen with SIGSTOP (a hung server: the
kernel still accepts connections, nobody answers). Both are tried with a fresh
connection and with one the web process pooled while the broker was still up,
the usual state of a long-running web worker.
"""

import logging
import time

import pytest
from django.contrib.auth import get_user_model

from profiles.models import CustomerProfile
from tests.factories import PASSWORD

# Seconds a registration may take while the broker is down, per kind of outage.
BOUNDS = {"killed": 5, "hung": 8}

pytestmark = [
    pytest.mark.services,
    pytest.mark.timeout(60),
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


def break_broker(redis_server, outage: str) -> None:
    if outage == "killed":
        redis_server.kill()
    else:
        redis_server.pause()


@pytest.mark.parametrize("connection", ["fresh", "pooled"])
@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_registration_succeeds_quickly_while_the_broker_is_out(
    client, celery_broker, caplog, outage, connection
):
    if connection == "pooled":
        # Publishing once leaves an open connection in the producer pool.
        assert register(client, name="Fay Fisher", username="fay").status_code == 302
        client.logout()
    break_broker(celery_broker, outage)
    caplog.set_level(logging.ERROR, logger="profiles.background")

    started = time.monotonic()
    response = register(client, name="Gus Green", username="gus")
    elapsed = time.monotonic() - started

    print(f"registration with the broker {outage}, {connection} connection: {elapsed:.2f} s")
    assert response.status_code == 302
    assert response.url == "/me/"
    assert elapsed < BOUNDS[outage]
    user = get_user_model().objects.get(username="gus")
    assert CustomerProfile.objects.filter(user=user).exists()
    # The stale flag a sweep can find later.
    assert user.welcome_email_sent_at is None
    failures = [
        record
        for record in caplog.records
        if record.name == "profiles.background" and record.levelno == logging.ERROR
    ]
    assert len(failures) == 1
    assert "send_welcome_email_task" in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_healthz_reports_the_broker_up(client, private_redis, settings):
    settings.REDIS_URL = private_redis.url

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_healthz_reports_the_broker_down(client, private_redis, settings, outage):
    settings.REDIS_URL = private_redis.url
    break_broker(private_redis, outage)

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}
    # The compose health check gives up long before a hung broker would answer.
    assert elapsed < 3
