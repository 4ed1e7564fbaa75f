"""The feedback form is linked from every page: public, a shopper's, staff's, and the
error pages, which are the site's own."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.shop.factories import make_product

pytestmark = pytest.mark.django_db

FEEDBACK_LINK = 'href="/feedback/"'


def test_every_page_a_visitor_sees_links_to_feedback(client):
    product = make_product()
    pages = [
        "/",
        "/shop/",
        f"/shop/p/{product.slug}/",
        "/shop/cart/",
        "/privacy/",
        "/feedback/",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert FEEDBACK_LINK in response.content.decode(), path


def test_every_page_of_a_shopper_links_to_feedback(shopper_client):
    for path in ["/me/", "/me/orders/", "/me/download/", "/me/delete/", "/me/account/name/"]:
        response = shopper_client.get(path)
        assert response.status_code == 200, path
        assert FEEDBACK_LINK in response.content.decode(), path


def test_the_marketers_pages_link_to_feedback(client, marketer):
    client.force_login(marketer)
    for path in ["/marketing/", "/marketing/coupons/", "/marketing/surveys/", "/marketing/wishes/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert FEEDBACK_LINK in response.content.decode(), path


@pytest.mark.parametrize("who", [None, "shopper"])
def test_a_missing_page_is_the_sites_own_with_the_feedback_link(client, settings, shopper, who):
    settings.DEBUG = False
    if who:
        client.force_login(shopper)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We couldn't find that page" in page
    assert FEEDBACK_LINK in page and 'href="/shop/"' in page


def test_a_page_of_another_role_says_so_in_the_sites_own_page(client, settings, shopper):
    settings.DEBUG = False
    client.force_login(shopper)
    response = client.get("/marketing/coupons/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "not open to your account" in page and FEEDBACK_LINK in page


def test_the_server_error_page_stands_alone_and_links_to_feedback():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert FEEDBACK_LINK in page
    assert "<script" not in page


def test_the_site_and_the_admin_name_their_icon_and_favicon_ico_leads_to_it(client, admin_user):
    from django.contrib.staticfiles import finders

    icon = 'rel="icon" type="image/svg+xml" href="data:image/svg+xml,%3Csvg'
    assert icon in client.get("/").content.decode()
    client.force_login(admin_user)
    assert icon in client.get("/admin/").content.decode()
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")
    assert finders.find("favicon.svg")
