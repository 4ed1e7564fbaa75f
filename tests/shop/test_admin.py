from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.patterns import patterns_refresh
from tests.factories import make_shopper
from tests.shop.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _orders(n: int, product):
    for _ in range(n):
        make_order(
            make_shopper().profile, at=timezone.now() - timedelta(days=3), lines=[(product, 1)]
        )


def test_care_agent_lists_orders_by_status_and_customer(client, care_agent, shopper):
    product = make_product()
    order = make_order(shopper.profile, at=timezone.now(), lines=[(product, 2)])
    client.force_login(care_agent)
    response = client.get("/admin/shop/order/", {"status__exact": "placed", "q": "alice@"})
    assert list(response.context["cl"].result_list) == [order]
    assert "Alice Archer" in response.content.decode()


def test_order_list_query_count_does_not_grow(client, care_agent):
    product = make_product()
    client.force_login(care_agent)
    _orders(2, product)
    few = _count(client, "/admin/shop/order/")
    _orders(10, product)
    assert _count(client, "/admin/shop/order/") == few


def test_marketer_and_shopper_cannot_open_orders(client, marketer, shopper):
    client.force_login(marketer)
    assert client.get("/admin/shop/order/").status_code == 403
    client.force_login(shopper)
    assert client.get("/admin/shop/order/").status_code == 302


def test_profile_page_shows_the_buying_pattern(client, care_agent, shopper):
    product = make_product()
    make_order(shopper.profile, at=timezone.now() - timedelta(days=4), lines=[(product, 1)])
    patterns_refresh()
    client.force_login(care_agent)
    html = client.get(f"/admin/profiles/customerprofile/{shopper.profile.pk}/change/").content
    assert b"Buying pattern" in html and b"New" in html
    listing = client.get("/admin/profiles/customerprofile/", {"buying_pattern__segment": "new"})
    assert list(listing.context["cl"].result_list) == [shopper.profile]
