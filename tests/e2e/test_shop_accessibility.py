"""axe-core finds no serious or critical accessibility problem on the shop's pages.

The pages need data (a product, a filled cart, an order), so they are set up here
rather than listed in test_accessibility.py's fixed list of paths; the axe run and
its report are shared with that file.
"""

import pytest

from shop.models import Order
from tests.e2e.axe import assert_accessible
from tests.shop.factories import make_category, make_order, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def teapot():
    kitchen = make_category("Kitchen")
    for n in range(30):  # enough for a second catalogue page
        make_product(name=f"Mug No. {n + 1}", brand="Potter", category=kitchen, stock=n % 7)
    return make_product(name="Stoneware Teapot", brand="Potter", price="25.00", category=kitchen)


def _fill_cart(page, base, product) -> None:
    page.goto(f"{base}/shop/p/{product.slug}/")
    page.locator("#add-to-cart").get_by_role("button", name="Add to cart").click()
    page.wait_for_url(f"{base}/shop/cart/")


def _order_number(shopper, product) -> str:
    from django.utils import timezone

    return make_order(shopper.profile, at=timezone.now(), lines=[(product, 2)]).number


PAGES = [
    # (path, h1 that proves the right page was audited, log in?, fill the cart?)
    ("/shop/", "Shop", False, False),
    ("/shop/?q=mug&in_stock=on&sort=-price&page=2", "Shop", False, False),
    ("/shop/?price_min=cheap", "Shop", False, False),
    ("/shop/p/{slug}/", "Stoneware Teapot", False, False),
    ("/shop/cart/", "Your cart", False, False),
    ("/shop/cart/", "Your cart", False, True),
    ("/shop/checkout/", "Checkout", True, True),
    ("/shop/orders/{number}/thanks/", "Thank you for your order", True, False),
    ("/me/orders/", "My orders", True, False),
    ("/me/orders/{number}/", "Order {number}", True, False),
]


@pytest.mark.parametrize(
    ("path", "heading", "logged_in", "cart"),
    PAGES,
    ids=[f"{path}{' with cart' if cart else ''}" for path, _, _, cart in PAGES],
)
def test_no_serious_accessibility_violations_in_the_shop(
    axe_page,
    axe_js,
    live_server,
    request,
    password,
    log_in,
    teapot,
    path,
    heading,
    logged_in,
    cart,
):
    page = axe_page
    base = live_server.url
    number = ""
    if logged_in:
        shopper = request.getfixturevalue("shopper")
        log_in(page, login=shopper.username, password=password)
        number = _order_number(shopper, teapot)
    if cart:
        _fill_cart(page, base, teapot)
    path = path.format(slug=teapot.slug, number=number)
    heading = heading.format(number=number)

    response = page.goto(f"{base}{path}")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page, axe_js, path)


def test_checkout_with_errors_is_accessible(
    axe_page, axe_js, live_server, shopper, password, log_in, teapot
):
    page = axe_page
    base = live_server.url
    log_in(page, login=shopper.username, password=password)
    _fill_cart(page, base, teapot)
    page.goto(f"{base}/shop/checkout/")
    form = page.locator("#checkout-form")
    form.get_by_label("Street and house number").fill("12 Briggate")
    form.get_by_label("Town or city").fill("Leeds")
    form.get_by_label("Postcode").fill("not a postcode")
    form.get_by_label("Phone (optional)").fill("call me")
    form.get_by_role("button", name="Place my order").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 2  # postcode, phone
    assert Order.objects.count() == 0

    assert_accessible(page, axe_js, "the checkout with errors")
