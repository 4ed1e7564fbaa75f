"""Browser journeys: one headless Debian Chromium for this folder, driven by Playwright.

Playwright's sync API keeps an asyncio loop running in the test thread for as long
as it is started. Two things follow for Django, both handled in `browser`:

- Django refuses ORM calls from a thread with a running loop. The tests touch the
  database only between browser steps, so DJANGO_ALLOW_ASYNC_UNSAFE is set while
  Playwright runs, and removed again when this folder is done (so it never leaks
  into other tests or their subprocesses, e.g. `check --deploy`).
- With a running loop, `django.db.connections` hands out different connection
  objects (asgiref's Local switches storage). The test database was set up and
  serialized on the old ones, so the serialized copy is carried over; without it
  serialized_rollback cannot restore the seeded catalogue after a flush.
"""

import re
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a cold Chromium, short enough that a broken page fails fast.
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def browser(django_db_setup):
    # Imported here so that collecting this folder without Playwright installed
    # reaches tests/conftest.py's skip (or REQUIRE_BROWSER failure) with its reason.
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


def _new_page(browser, **context_options):
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A fresh page (own cookies) on the strict CSP the site really sends."""
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def axe_page(browser, live_server):
    """A page that may inject axe-core: the only place the CSP is bypassed."""
    context, page = _new_page(browser, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def axe_js() -> Path:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (axe-core is in package.json)")
    return AXE_JS


@pytest.fixture
def page_problems(page) -> list[str]:
    """Console errors (a CSP violation is one), uncaught script errors and failed
    requests on `page`, collected for the test to assert on."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url} {request.failure}"),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return problems


@pytest.fixture
def log_in(live_server):
    """Log in through the real form, as a shopper or staff member would, and land on
    /me/ — or on `next_path`, the page that sent them to log in."""

    def _log_in(page, *, login: str, password: str, next_path: str = "") -> None:
        query = f"?next={next_path}" if next_path else ""
        page.goto(f"{live_server.url}/accounts/login/{query}")
        page.get_by_label("User ID or e-mail").fill(login)
        page.get_by_role("textbox", name=re.compile(r"^Password\*?$")).fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}{next_path or '/me/'}")

    return _log_in
