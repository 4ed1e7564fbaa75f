"""The session cart through HTTP: every change is a POST that redirects with a message."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.cart import SESSION_KEY, Cart
from shop.models import Product
from tests.shop.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def cart_of(client) -> dict[str, int]:
    return {key: item["q"] for key, item in client.session.get(SESSION_KEY, {}).items()}


def add(client, product_id, quantity=1, **extra):
    return client.post("/shop/cart/add/", {"product_id": product_id, "quantity": quantity, **extra})


def added(client, product_id, quantity=1) -> None:
    """Put a product in the cart as setup, dropping the message it leaves for the next page."""
    assert add(client, product_id, quantity).status_code == 302
    client.cookies.pop("messages", None)


@pytest.fixture
def teapot():
    return make_product(name="Teapot", brand="Potter", price="25.00", stock=5)


@pytest.fixture
def mug():
    return make_product(name="Mug", brand="Potter", price="6.50", stock=50)


def test_add_redirects_to_the_cart_with_a_message(client, teapot):
    response = add(client, teapot.pk, 2)
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"
    assert flash(response) == ["Added Teapot to your cart (you have 2 in it now)."]
    assert cart_of(client) == {str(teapot.pk): 2}


def test_adding_again_adds_up(client, teapot):
    added(client, teapot.pk, 1)
    added(client, teapot.pk, 2)
    assert cart_of(client) == {str(teapot.pk): 3}


def test_cart_shows_line_totals_subtotal_and_the_count_in_the_menu(client, teapot, mug):
    added(client, teapot.pk, 2)
    added(client, mug.pk, 3)
    response = client.get("/shop/cart/")
    html = response.content.decode()
    assert "£50.00" in html  # 2 x 25.00
    assert "£19.50" in html  # 3 x 6.50
    assert response.context["subtotal"] == Decimal("69.50")
    assert 'id="cart-count">5</span>' in html
    assert "Go to checkout" not in html  # anonymous shoppers log in first
    assert "Log in and check out" in html


def test_menu_count_comes_from_the_session_on_every_page(client, teapot):
    added(client, teapot.pk, 3)
    assert 'id="cart-count">3</span>' in client.get("/").content.decode()


def test_empty_cart_says_so(client, db):
    html = client.get("/shop/cart/").content.decode()
    assert "Your cart is empty." in html
    assert 'id="cart-count">0</span>' in html


def test_update_changes_the_quantity(client, teapot):
    added(client, teapot.pk, 1)
    response = client.post("/shop/cart/update/", {"product_id": teapot.pk, "quantity": 4})
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"
    assert flash(response) == ["Your cart is updated."]
    assert cart_of(client) == {str(teapot.pk): 4}


def test_update_to_zero_takes_the_product_out(client, teapot, mug):
    added(client, teapot.pk, 1)
    added(client, mug.pk, 1)
    response = client.post("/shop/cart/update/", {"product_id": teapot.pk, "quantity": 0})
    assert flash(response) == ["The product was taken out of your cart."]
    assert cart_of(client) == {str(mug.pk): 1}


def test_remove_takes_the_product_out(client, teapot, mug):
    added(client, teapot.pk, 1)
    added(client, mug.pk, 1)
    response = client.post("/shop/cart/remove/", {"product_id": mug.pk})
    assert response.status_code == 302
    assert flash(response) == ["The product was taken out of your cart."]
    assert cart_of(client) == {str(teapot.pk): 1}


def test_add_failure_goes_back_to_the_product_page(client, teapot):
    response = add(client, teapot.pk, 6, next=f"/shop/p/{teapot.slug}/")
    assert response["Location"] == f"/shop/p/{teapot.slug}/"
    assert flash(response) == ["Sorry, only 5 of Teapot left in stock."]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_add_never_redirects_off_site(client, teapot, target):
    response = add(client, teapot.pk, 99, next=target)
    assert response["Location"] == "/shop/"


@pytest.mark.parametrize(
    ("product_id", "quantity", "message"),
    [
        (999_999, 1, "That product does not exist or is no longer sold."),
        ("abc", 1, "That product does not exist."),
        ("", 1, "That product does not exist."),
        (-3, 1, "That product does not exist."),
        (10**30, 1, "That product does not exist or is no longer sold."),
        (None, "two", "The quantity must be a whole number."),
        (None, "1.5", "The quantity must be a whole number."),
        (None, "", "Please say how many you would like."),
        (None, -1, "The quantity must be at least 1."),
        (None, 0, "The quantity must be at least 1."),
        (None, 10**9, "You can order at most 99 of one product."),
        (None, 6, "Sorry, only 5 of Teapot left in stock."),
    ],
)
def test_tampered_add_explains_and_changes_nothing(client, teapot, product_id, quantity, message):
    response = add(client, teapot.pk if product_id is None else product_id, quantity)
    assert response.status_code == 302
    assert flash(response) == [message]
    assert cart_of(client) == {}


def test_adding_beyond_stock_over_two_adds_is_refused(client, teapot):
    added(client, teapot.pk, 4)
    response = add(client, teapot.pk, 2)
    assert flash(response) == ["Sorry, only 5 of Teapot left in stock."]
    assert cart_of(client) == {str(teapot.pk): 4}


def test_out_of_stock_product_cannot_be_added(client):
    product = make_product(name="Rare Vase", stock=0)
    response = add(client, product.pk)
    assert flash(response) == ["Sorry, Rare Vase is out of stock."]
    assert cart_of(client) == {}


def test_withdrawn_product_cannot_be_added(client):
    product = make_product(active=False)
    response = add(client, product.pk)
    assert flash(response) == ["That product does not exist or is no longer sold."]
    assert cart_of(client) == {}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("lots", "The quantity must be a whole number."),
        (-1, "The quantity must be at least 0."),
        (10**9, "You can order at most 99 of one product."),
        (6, "Sorry, only 5 of Teapot left in stock."),
    ],
)
def test_tampered_update_explains_and_changes_nothing(client, teapot, quantity, message):
    added(client, teapot.pk, 2)
    response = client.post("/shop/cart/update/", {"product_id": teapot.pk, "quantity": quantity})
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"
    assert flash(response) == [message]
    assert cart_of(client) == {str(teapot.pk): 2}


def test_updating_a_product_not_in_the_cart_is_refused(client, teapot, mug):
    added(client, teapot.pk)
    response = client.post("/shop/cart/update/", {"product_id": mug.pk, "quantity": 1})
    assert flash(response) == ["That product is not in your cart."]
    assert cart_of(client) == {str(teapot.pk): 1}


@pytest.mark.parametrize("product_id", ["abc", "", 999_999, 10**30])
def test_tampered_remove_explains_and_changes_nothing(client, teapot, product_id):
    added(client, teapot.pk)
    response = client.post("/shop/cart/remove/", {"product_id": product_id})
    assert response.status_code == 302
    assert len(flash(response)) == 1
    assert cart_of(client) == {str(teapot.pk): 1}


@pytest.mark.parametrize("path", ["/shop/cart/add/", "/shop/cart/update/", "/shop/cart/remove/"])
def test_cart_changes_are_post_only(client, path):
    assert client.get(path).status_code == 405


def test_cart_changes_need_the_csrf_token(teapot):
    strict = Client(enforce_csrf_checks=True)
    assert add(strict, teapot.pk).status_code == 403
    assert cart_of(strict) == {}


def test_a_damaged_session_cart_is_treated_as_empty(client, teapot):
    session = client.session
    session[SESSION_KEY] = {"x": {"q": "many"}, str(teapot.pk): "junk", "7": {"q": 10**9}}
    session.save()
    assert client.get("/shop/cart/").status_code == 200
    assert add(client, teapot.pk).status_code == 302
    assert cart_of(client) == {str(teapot.pk): 1}


def test_cart_notices_a_price_change_since_adding(client, teapot):
    added(client, teapot.pk, 1)
    Product.objects.filter(pk=teapot.pk).update(price=Decimal("27.50"))
    html = client.get("/shop/cart/").content.decode()
    assert "Price changed from £25.00 to £27.50 since you added it." in html
    assert "£27.50" in html

    response = client.post("/shop/cart/accept-prices/")
    assert response.status_code == 302
    html = client.get("/shop/cart/").content.decode()
    assert "Price changed" not in html


def test_a_product_withdrawn_after_adding_leaves_the_cart_with_a_notice(client, teapot, mug):
    added(client, teapot.pk)
    added(client, mug.pk)
    Product.objects.filter(pk=mug.pk).update(active=False)
    response = client.get("/shop/cart/")
    html = response.content.decode()
    assert "Something in your cart is no longer sold, so we took it out." in html
    assert "Mug" not in html.split("<main")[1]
    assert cart_of(client) == {str(teapot.pk): 1}


def test_the_cart_is_kept_when_the_shopper_logs_in(client, shopper, password, teapot, mug):
    added(client, teapot.pk, 2)
    added(client, mug.pk, 1)
    anonymous_key = client.session.session_key

    response = client.post("/accounts/login/", {"username": shopper.username, "password": password})
    assert response.status_code == 302
    # Logging in rotates the session key (against fixation) but keeps its data.
    assert client.session.session_key != anonymous_key
    assert cart_of(client) == {str(teapot.pk): 2, str(mug.pk): 1}
    html = client.get("/shop/cart/").content.decode()
    assert "Teapot" in html and "Mug" in html and "Go to checkout" in html


def test_cart_model_reads_what_the_views_wrote(client, teapot):
    added(client, teapot.pk, 2)
    lines = Cart(client.session).lines()
    assert [(line.product, line.quantity) for line in lines] == [(teapot, 2)]


def own_queries(client, path, params=None) -> int:
    """Queries `path` makes beyond those every page makes (session, user, site-wide
    context such as the menu), measured against a static page for the same client."""

    def count(target, data=None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target, data).status_code == 200
        return len(ctx.captured_queries)

    return count(path, params) - count("/privacy/")


def test_cart_query_count_does_not_grow_with_lines(client):
    categories = [make_category(f"Aisle {n}") for n in range(3)]
    for n in range(3):
        added(client, make_product(category=categories[n]).pk)
    few = own_queries(client, "/shop/cart/")
    for n in range(27):
        added(client, make_product(category=categories[n % 3]).pk)
    many = own_queries(client, "/shop/cart/")
    # the cart's products with their categories
    assert few == many == 1
