"""axe-core finds no serious or critical accessibility problem on the shopper's pages."""

import pytest

from tests.e2e.axe import assert_accessible

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback puts the seeded
    # attribute catalogue and groups back after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = [
    # (path, h1 that proves the right page was audited, logged in?)
    ("/", "A shop that gets to know you slowly", False),
    ("/privacy/", "Our privacy promise", False),
    ("/accounts/register/", "Create your account", False),
    ("/accounts/login/", "Log in", False),
    ("/me/", "What we know about you", True),
]


@pytest.mark.parametrize(
    ("path", "heading", "logged_in"), PAGES, ids=[path for path, _, _ in PAGES]
)
def test_no_serious_accessibility_violations(
    axe_page, axe_js, live_server, request, password, log_in, path, heading, logged_in
):
    page = axe_page
    if logged_in:
        shopper = request.getfixturevalue("shopper")
        log_in(page, login=shopper.username, password=password)
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page, axe_js, path)
