import threading
import uuid
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import connection

from profiles.models import BuyingPattern, Kind, Source, Touchpoint
from profiles.selectors import known_facts
from shop.cart import Cart
from shop.models import Order, Product
from shop.services import CheckoutError, ShippingAddress, cart_add, cart_update, order_place
from tests.shop.factories import make_category, make_product

pytestmark = pytest.mark.django_db

LEEDS = ShippingAddress(
    name="Alice Archer",
    street="1 Park Row",
    city="Leeds",
    postcode="LS1 5AB",
    country="GB",
    phone="+44 113 496 0000",
)


def cart_with(*items) -> Cart:
    cart = Cart(SessionStore())
    for product, quantity in items:
        cart_add(cart=cart, product_id=product.pk, quantity=quantity)
    return cart


def place(profile, cart, token=None, **changes):
    return order_place(
        profile=profile,
        cart=cart,
        address=changes.pop("address", LEEDS),
        payment_method=changes.pop("payment_method", "invoice"),
        checkout_token=token or uuid.uuid4(),
    )


@pytest.fixture
def tea():
    return make_product(
        name="Assam Tea", price="4.99", stock=5, brand="Leafy", category=make_category("Tea")
    )


@pytest.fixture
def book():
    return make_product(
        name="Slow Cooking",
        price="12.50",
        stock=2,
        brand="Pan Press",
        category=make_category("Books"),
    )


def test_order_totals_lines_and_stock(shopper, tea, book):
    order = place(shopper.profile, cart_with((tea, 2), (book, 1)))
    assert order.number == str(100_000 + order.pk)
    assert order.subtotal == order.total == Decimal("22.48")
    assert [(x.product_name, x.quantity, x.line_total) for x in order.lines.all()] == [
        ("Assam Tea", 2, Decimal("9.98")),
        ("Slow Cooking", 1, Decimal("12.50")),
    ]
    tea.refresh_from_db()
    book.refresh_from_db()
    assert (tea.stock, book.stock) == (3, 1)


def test_the_order_teaches_the_profile_with_provenance(shopper, tea, book):
    order = place(shopper.profile, cart_with((tea, 1), (book, 1)))
    facts = known_facts(shopper.profile)
    city = facts["postal_city"]
    assert (city.value, city.source, city.ref_id, city.ref_label) == (
        "Leeds",
        Source.PURCHASE,
        str(order.pk),
        f"Order {order.number}",
    )
    assert facts["postal_country"].value == "United Kingdom"
    assert facts["phone"].value == "+441134960000"  # one form for every stage (E.164)
    assert facts["payment_preference"].value == "Invoice"
    assert facts["categories_bought"].value == ["Tea", "Books"]
    assert facts["brands_bought"].value == ["Leafy", "Pan Press"]
    touchpoint = Touchpoint.objects.get(profile=shopper.profile, kind=Kind.ORDER_PLACED)
    assert touchpoint.amount == order.total and order.number in touchpoint.summary


def test_a_later_order_adds_categories_newest_first(shopper, tea, book):
    place(shopper.profile, cart_with((book, 1)))
    place(shopper.profile, cart_with((tea, 1)))
    assert known_facts(shopper.profile)["categories_bought"].value == ["Tea", "Books"]


def test_the_order_marks_patterns_stale_and_refreshes_them_on_commit(
    shopper, tea, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place(shopper.profile, cart_with((tea, 1)))
    shopper.profile.refresh_from_db()
    assert shopper.profile.patterns_stale_at is not None
    assert not BuyingPattern.objects.exists()
    for callback in callbacks:
        callback()
    shopper.profile.refresh_from_db()
    assert shopper.profile.patterns_stale_at is None
    assert BuyingPattern.objects.get(profile=shopper.profile).order_count == 1


def test_the_same_checkout_token_places_one_order(shopper, tea):
    token = uuid.uuid4()
    first = place(shopper.profile, cart_with((tea, 1)), token)
    second = place(shopper.profile, cart_with((tea, 1)), token)
    assert first.pk == second.pk
    assert Order.objects.count() == 1


def test_a_price_changed_since_added_is_refused_and_nothing_saved(shopper, tea):
    cart = cart_with((tea, 1))
    Product.objects.filter(pk=tea.pk).update(price=Decimal("5.49"))
    with pytest.raises(CheckoutError, match=r"changed from 4\.99 to 5\.49"):
        place(shopper.profile, cart)
    assert not Order.objects.exists()
    tea.refresh_from_db()
    assert tea.stock == 5
    assert "postal_city" not in known_facts(shopper.profile)


def test_out_of_stock_at_placing_is_refused(shopper, book):
    cart = cart_with((book, 2))
    Product.objects.filter(pk=book.pk).update(stock=1)
    with pytest.raises(CheckoutError, match="only 1 of Slow Cooking left"):
        place(shopper.profile, cart)
    assert not Order.objects.exists()


def test_an_empty_cart_cannot_be_checked_out(shopper):
    with pytest.raises(CheckoutError, match="empty"):
        place(shopper.profile, Cart(SessionStore()))


def test_a_product_withdrawn_from_sale_is_removed_and_the_shopper_asked_again(shopper, tea, book):
    cart = cart_with((tea, 1), (book, 1))
    Product.objects.filter(pk=book.pk).update(active=False)
    with pytest.raises(CheckoutError, match="no longer sold"):
        place(shopper.profile, cart)
    assert not Order.objects.exists()
    order = place(shopper.profile, cart)
    assert [line.product_name for line in order.lines.all()] == ["Assam Tea"]


def test_another_customers_checkout_token_is_refused_cleanly(shopper, other_shopper, tea):
    token = uuid.uuid4()
    place(other_shopper.profile, cart_with((tea, 1)), token)
    with pytest.raises(CheckoutError, match="out of date"):
        place(shopper.profile, cart_with((tea, 1)), token)


@pytest.mark.parametrize(
    ("product_id", "quantity", "message"),
    [
        (999_999, 1, "does not exist"),
        ("abc", 1, "does not exist"),
        (None, "x", "whole number"),
        (None, -1, "at least 1"),
        (None, 0, "at least 1"),
        (None, 10**9, "at most 99"),
        (None, 6, "only 5 of Assam Tea left"),
    ],
)
def test_tampered_cart_input_is_refused_clearly(tea, product_id, quantity, message):
    cart = Cart(SessionStore())
    with pytest.raises(ValidationError, match=message):
        cart_add(cart=cart, product_id=product_id or tea.pk, quantity=quantity)
    assert not cart


def test_updating_to_zero_removes_the_line(tea):
    cart = cart_with((tea, 2))
    cart_update(cart=cart, product_id=tea.pk, quantity="0")
    assert not cart


def test_a_damaged_session_cart_is_ignored_not_a_500():
    session = SessionStore()
    session["shop.cart"] = {"1": {"q": "lots"}, "x": {"q": 1, "p": "1"}, "2": "junk"}
    assert Cart(session).items == {}


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_checkouts_for_the_last_item_sell_it_once():
    from tests.factories import make_shopper

    last = make_product(name="Last Teapot", stock=1)
    shoppers = [make_shopper(), make_shopper()]
    carts = [cart_with((last, 1)) for _ in shoppers]
    barrier = threading.Barrier(2)
    results: list = []

    def checkout(shopper, cart):
        try:
            barrier.wait()
            results.append(place(shopper.profile, cart))
        except CheckoutError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=checkout, args=pair) for pair in zip(shoppers, carts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CheckoutError)]
    assert (len(placed), len(refused)) == (1, 1)
    last.refresh_from_db()
    assert last.stock == 0


def test_a_discounted_total_satisfies_the_database_check_on_every_backend(shopper):
    from tests.shop.factories import make_order

    product = make_product(price="22.48")
    order = make_order(
        shopper.profile, at=product.created_at, lines=[(product, 1)], discount="3.99"
    )
    order.refresh_from_db()
    assert order.total == Decimal("18.49")
