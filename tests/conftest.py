"""The fixed cast, and the rules for tests that need services or a browser.

`services` tests need PostgreSQL and Redis; `browser` tests need Debian's Chromium.
Without them they skip with the reason, unless REQUIRE_SERVICES=1 /
REQUIRE_BROWSER=1 (as CI sets), in which case they fail.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from accounts.roles import CUSTOMER_CARE, MARKETING
from patientcrm.celery import app as celery_app
from tests.factories import PASSWORD, make_shopper

CHROMIUM = "/usr/bin/chromium"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def _port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def services_missing() -> str:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    if not _port_open(settings.REDIS_URL, 6379):
        return f"Redis at {settings.REDIS_URL} is not answering"
    return ""


def browser_missing() -> str:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return ""


def pytest_collection_modifyitems(config, items):
    checks = {
        "services": (services_missing, "REQUIRE_SERVICES"),
        "browser": (browser_missing, "REQUIRE_BROWSER"),
    }
    for marker, (check, flag) in checks.items():
        marked = [item for item in items if marker in item.keywords]
        if not marked:
            continue
        reason = check()
        if not reason:
            continue
        if _flag(flag):
            raise pytest.UsageError(f"{flag}=1 but {marker} tests cannot run: {reason}")
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=f"{marker}: {reason}"))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is for production; tests hash with something quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks run in-process unless a `services` test asks for a real worker.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Rate limits count in the cache; every test starts with none spent.
    cache.clear()
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def shopper(db):
    return make_shopper(name="Alice Archer", username="alice", email="alice@example.com")


@pytest.fixture
def other_shopper(db):
    return make_shopper(name="Bob Baker", username="bob", email="bob@example.com")


def _staff(username: str, group_name: str):
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@staff.example.com",
        name=username.title(),
        password=PASSWORD,
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def care_agent(db):
    return _staff("charlie", CUSTOMER_CARE)


@pytest.fixture
def marketer(db):
    return _staff("mallory", MARKETING)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root-admin", email="root@example.com", name="Root Admin", password=PASSWORD
    )


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client
