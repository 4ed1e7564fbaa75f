"""The feedback form is linked from every page a shopper or a guest sees, with the site
as it runs in production (DEBUG off), including its own page for a missing address."""

import pytest
from django.test import override_settings

from tests.shop.factories import make_product

pytestmark = pytest.mark.django_db

FEEDBACK_LINK = 'href="/feedback/"'


def _pages_of(client, product) -> list[str]:
    client.post("/shop/cart/add/", {"product_id": product.pk, "quantity": 1})
    return ["/", "/shop/", f"/shop/p/{product.slug}/", "/shop/cart/", "/shop/checkout/"]


@override_settings(DEBUG=False)
def test_every_page_a_guest_sees_links_to_feedback(client):
    product = make_product(name="Teal mug")
    for path in [*_pages_of(client, product), "/accounts/login/", "/feedback/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert FEEDBACK_LINK in response.content.decode(), path


@override_settings(DEBUG=False)
def test_every_page_a_shopper_sees_links_to_feedback(client, shopper):
    client.force_login(shopper)
    product = make_product(name="Teal mug")
    for path in [*_pages_of(client, product), "/me/", "/me/orders/", "/feedback/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert FEEDBACK_LINK in response.content.decode(), path


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("path", ["/no-such-page/", "/shop/p/no-such-product/", "/me/orders/0/"])
@override_settings(DEBUG=False)
def test_a_missing_page_is_the_sites_own_with_the_feedback_link(client, shopper, signed_in, path):
    if signed_in:
        client.force_login(shopper)

    response = client.get(path)

    if not signed_in and path.startswith("/me/"):
        assert response.status_code == 302  # to the login page, which links it too
        return
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    page = response.content.decode()
    assert "We couldn't find that page" in page
    assert FEEDBACK_LINK in page
    assert "Traceback" not in page and "Page not found (404)" not in page
