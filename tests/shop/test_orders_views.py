"""The confirmation page and "My orders": each shopper sees their own orders only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.shop.factories import make_category, make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    kitchen = make_category("Kitchen")
    return [
        make_product(name="Teapot", brand="Potter", price="25.00", category=kitchen),
        make_product(name="Mug", brand="Potter", price="6.50", category=kitchen),
    ]


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def alices_order(shopper, products):
    teapot, mug = products
    return make_order(shopper.profile, at=days_ago(2), lines=[(teapot, 1), (mug, 4)])


@pytest.fixture
def bobs_order(other_shopper, products):
    return make_order(other_shopper.profile, at=days_ago(1), lines=[(products[0], 1)])


def test_confirmation_shows_the_order_number(shopper_client, alices_order):
    response = shopper_client.get(f"/shop/orders/{alices_order.number}/thanks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you for your order" in html
    assert f'id="order-number">{alices_order.number}<' in html
    assert "£51.00" in html  # 25.00 + 4 x 6.50
    assert "LS1 1AA Leeds" in html and "United Kingdom" in html


def test_my_orders_lists_only_my_orders_newest_first(
    shopper_client, shopper, alices_order, bobs_order, products
):
    newer = make_order(shopper.profile, at=days_ago(1), lines=[(products[1], 2)])
    response = shopper_client.get("/me/orders/")
    assert response.status_code == 200
    assert list(response.context["orders"]) == [newer, alices_order]
    html = response.content.decode()
    assert bobs_order.number not in html
    assert f'href="/me/orders/{alices_order.number}/"' in html
    row = html.split(f'data-order="{alices_order.number}"')[1].split("</tr>")[0]
    assert ">5<" in row  # items: 1 teapot + 4 mugs
    assert "£51.00" in row


def test_my_orders_without_orders_invites_to_shop(shopper_client):
    html = shopper_client.get("/me/orders/").content.decode()
    assert "You haven't ordered anything yet." in html


def test_order_detail_shows_the_lines(shopper_client, alices_order):
    response = shopper_client.get(f"/me/orders/{alices_order.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Order {alices_order.number}" in html
    assert "Teapot" in html and "Mug" in html and "£26.00" in html
    assert "Invoice" in html and "Placed" in html


@pytest.mark.parametrize("path", ["/me/orders/{number}/", "/shop/orders/{number}/thanks/"])
def test_another_shoppers_order_is_404(shopper_client, bobs_order, path):
    assert shopper_client.get(path.format(number=bobs_order.number)).status_code == 404


@pytest.mark.parametrize("number", ["999999", "abc", "1 OR 1=1"])
def test_unknown_order_numbers_are_404(shopper_client, number):
    assert shopper_client.get(f"/me/orders/{number}/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/me/orders/", "/me/orders/{number}/", "/shop/orders/{number}/thanks/"]
)
def test_staff_have_no_orders_pages(client, care_agent, alices_order, path):
    client.force_login(care_agent)
    assert client.get(path.format(number=alices_order.number)).status_code == 404


@pytest.mark.parametrize(
    "path", ["/me/orders/", "/me/orders/{number}/", "/shop/orders/{number}/thanks/"]
)
def test_anonymous_visitors_are_asked_to_log_in(client, alices_order, path):
    response = client.get(path.format(number=alices_order.number))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_my_orders_is_linked_from_what_we_know_and_the_menu(shopper_client):
    html = shopper_client.get("/me/").content.decode()
    assert html.count('href="/me/orders/"') == 2


def test_the_menu_has_no_my_orders_for_visitors_or_staff(client, care_agent):
    assert 'href="/me/orders/"' not in client.get("/").content.decode()
    client.force_login(care_agent)
    assert 'href="/me/orders/"' not in client.get("/").content.decode()


def own_queries(client, path, params=None) -> int:
    """Queries `path` makes beyond those every page makes (session, user, site-wide
    context such as the menu), measured against a static page for the same client."""

    def count(target, data=None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target, data).status_code == 200
        return len(ctx.captured_queries)

    return count(path, params) - count("/privacy/")


def test_order_history_query_count_does_not_grow_with_orders(shopper_client, shopper, products):
    def order(n):
        return make_order(
            shopper.profile, at=days_ago(n), lines=[(products[0], 1), (products[1], 2)]
        )

    for n in range(3):
        order(n + 1)
    shopper_client.get("/me/orders/")  # the first request of a visit also counts the visit
    few = own_queries(shopper_client, "/me/orders/")
    for n in range(27):
        order(n + 10)
    many = own_queries(shopper_client, "/me/orders/")
    # profile, count, the page of orders with their item counts
    assert few == many == 3


def test_order_detail_query_count_does_not_grow_with_lines(shopper_client, shopper):
    kitchen = make_category("Pantry")
    few_lines = [(make_product(category=kitchen), 1) for _ in range(3)]
    many_lines = [(make_product(category=kitchen), 1) for _ in range(30)]
    small = make_order(shopper.profile, at=days_ago(2), lines=few_lines)
    big = make_order(shopper.profile, at=days_ago(1), lines=many_lines)
    shopper_client.get("/me/orders/")
    few = own_queries(shopper_client, f"/me/orders/{small.number}/")
    many = own_queries(shopper_client, f"/me/orders/{big.number}/")
    # profile, order, its lines
    assert few == many == 3
