"""The form cannot be flooded: a few items per session and per address, then a clear 429."""

import pytest
from django.test import Client

from feedback import views
from feedback.models import FeedbackItem

pytestmark = pytest.mark.django_db

URL = "/feedback/"


def send(client, n: int, **extra):
    return client.post(
        URL,
        {"kind": "wish", "text": f"Wish number {n}: gift wrapping.", "identifier": "g@x.example"},
        **extra,
    )


def test_a_session_sends_five_then_is_asked_to_wait(client):
    for n in range(views.SESSION_LIMIT):
        assert send(client, n).status_code == 302
    response = send(client, 99)
    assert response.status_code == 429
    assert "Please wait ten minutes before sending more." in response.content.decode()
    assert FeedbackItem.objects.count() == views.SESSION_LIMIT


def test_an_address_is_limited_even_with_fresh_sessions(monkeypatch):
    monkeypatch.setattr(views, "IP_LIMIT", 3)
    for n in range(3):
        assert send(Client(), n, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert send(Client(), 9, REMOTE_ADDR="203.0.113.9").status_code == 429
    # Someone else is not held up.
    assert send(Client(), 10, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_corrected_mistakes_do_not_use_up_the_limit(client):
    for _ in range(views.SESSION_LIMIT + 2):
        assert client.post(URL, {"kind": "wish", "text": "", "identifier": ""}).status_code == 400
    assert send(client, 1).status_code == 302


def test_a_blocked_session_gets_429_before_anything_is_checked(client):
    for n in range(views.SESSION_LIMIT):
        send(client, n)
    response = client.post(URL, {"kind": "nonsense"})
    assert response.status_code == 429
