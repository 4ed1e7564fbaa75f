"""A new shopper registers, buys two things, and sees what the purchase taught the shop."""

import re

import pytest

from profiles.models import Source
from shop.models import Order
from tests.shop.factories import make_category, make_product

# The live server needs committed data; serialized_rollback puts the seeded
# attribute catalogue and groups back after each test's flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD_LABEL = re.compile(r"^Password\*?$")

# Every <img> on the page loads and has a size (a broken picture has none). Pictures
# below the fold are lazy, so they are asked to load now rather than on scrolling.
IMAGES_LOADED_JS = """
async () => {
    const images = Array.from(document.images);
    images.forEach(img => { img.loading = "eager"; });
    await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
        img.addEventListener("load", done);
        img.addEventListener("error", done);
    })));
    return images.length > 0 && images.every(img => img.naturalWidth > 0);
}
"""


@pytest.fixture
def catalogue():
    tea, kitchen = make_category("Tea"), make_category("Kitchen")
    products = {
        "earl": make_product(
            name="Earl Grey Loose Leaf", brand="Leafy", price="4.50", category=tea
        ),
        "teapot": make_product(
            name="Stoneware Teapot", brand="Potter", price="25.00", category=kitchen, stock=3
        ),
    }
    for n in range(6):
        make_product(name=f"Green Tea No. {n + 1}", brand="Leafy", price="3.75", category=tea)
    make_product(name="Copper Kettle", brand="Potter", price="40.00", category=kitchen, stock=0)
    return products


def _register(page, base, password) -> None:
    page.goto(f"{base}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    form = page.locator("#register-form")
    form.get_by_label("Your name").fill("Dora Dunn")
    form.get_by_label("E-mail address").fill("dora@example.com")
    form.get_by_label("User ID").fill("dora.d")
    form.get_by_role("textbox", name=PASSWORD_LABEL).fill(password)
    form.get_by_label("Password again").fill(password)
    form.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{base}/me/")


def _add_to_cart(page, base, quantity: int) -> None:
    form = page.locator("#add-to-cart")
    form.get_by_label("Quantity").fill(str(quantity))
    form.get_by_role("button", name="Add to cart").click()
    page.wait_for_url(f"{base}/shop/cart/")


def test_register_buy_two_things_and_see_what_the_shop_learned(
    page, page_problems, live_server, password, artifacts, catalogue
):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    _register(page, base, password)

    # Browse: the catalogue, with its pictures and the cart empty.
    nav.get_by_role("link", name="Shop", exact=True).click()
    page.wait_for_url(f"{base}/shop/")
    assert page.get_by_role("heading", level=1).inner_text() == "Shop"
    assert nav.locator("#cart-count").inner_text() == "0"
    assert page.evaluate(IMAGES_LOADED_JS), "a product picture did not load"
    page.screenshot(path=artifacts / "shop-catalogue.png", full_page=True)

    # Search, then the product page.
    filters = page.locator("#catalogue-filters")
    filters.get_by_label("Search by name or brand").fill("earl grey")
    filters.get_by_role("button", name="Show products").click()
    page.wait_for_url(re.compile(r".*/shop/\?q=earl\+grey.*"))
    assert page.locator("#result-count").inner_text().startswith("1 product")
    page.get_by_role("link", name="Earl Grey Loose Leaf").click()
    page.wait_for_url(f"{base}/shop/p/{catalogue['earl'].slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Earl Grey Loose Leaf"
    assert page.get_by_role("img", name="Picture of Earl Grey Loose Leaf by Leafy").is_visible()
    assert page.evaluate(IMAGES_LOADED_JS)
    page.screenshot(path=artifacts / "shop-product.png", full_page=True)
    _add_to_cart(page, base, 2)
    assert "Added Earl Grey Loose Leaf to your cart" in page.get_by_role("status").inner_text()

    # A second, different product, found through its category.
    nav.get_by_role("link", name="Shop", exact=True).click()
    page.get_by_role("navigation", name="Categories").get_by_role(
        "link", name=re.compile("^Kitchen")
    ).click()
    page.wait_for_url(re.compile(r".*/shop/\?category=.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Kitchen"
    page.get_by_role("link", name="Stoneware Teapot").click()
    assert page.get_by_text("Only 3 left").is_visible()
    _add_to_cart(page, base, 1)

    # The cart: two lines, their totals, and the count in the menu.
    assert nav.locator("#cart-count").inner_text() == "3"
    rows = page.locator("table.cart-table tbody tr")
    assert rows.count() == 2
    assert page.locator("#cart-subtotal").inner_text() == "£34.00"
    page.screenshot(path=artifacts / "shop-cart.png", full_page=True)
    page.get_by_role("link", name="Go to checkout").click()
    page.wait_for_url(f"{base}/shop/checkout/")

    # Checkout: the name is already known, so only the address is new.
    form = page.locator("#checkout-form")
    assert form.get_by_label("Full name").input_value() == "Dora Dunn"
    form.get_by_label("Street and house number").fill("12 Briggate")
    form.get_by_label("Postcode").fill("ls1 6hd")
    form.get_by_label("Town or city").fill("Leeds")
    assert form.get_by_label("Country").input_value() == "GB"
    assert form.get_by_label("Invoice (pay within 14 days)").is_checked()
    assert page.locator("#order-total").inner_text() == "£34.00"
    page.screenshot(path=artifacts / "shop-checkout.png", full_page=True)
    form.get_by_role("button", name="Place my order").click()

    # The confirmation, with the number of the order that was really placed.
    page.wait_for_url(re.compile(r".*/shop/orders/\d+/thanks/"))
    order = Order.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your order"
    assert page.locator("#order-number").inner_text() == order.number
    assert order.ship_city == "Leeds" and order.ship_postcode == "LS1 6HD"
    assert nav.locator("#cart-count").inner_text() == "0"
    page.screenshot(path=artifacts / "shop-confirmation.png", full_page=True)

    # What we know about you: the town came from the purchase.
    nav.get_by_role("link", name="What we know about you").click()
    page.wait_for_url(f"{base}/me/")
    city = page.locator("tr[data-attribute='postal_city']")
    assert city.locator("td").first.inner_text() == "Leeds"
    source = city.locator("td.fact-source")
    assert source.get_attribute("data-source") == Source.PURCHASE
    assert source.inner_text().startswith("A purchase")
    page.screenshot(path=artifacts / "shop-me-after-order.png", full_page=True)

    # And the order is in "My orders".
    page.get_by_role("main").get_by_role("link", name="My orders").click()
    page.wait_for_url(f"{base}/me/orders/")
    assert page.get_by_role("link", name=order.number).is_visible()
    assert page_problems == []


def test_a_second_checkout_asks_nothing_twice(
    page, page_problems, live_server, password, artifacts, catalogue
):
    base = live_server.url
    _register(page, base, password)
    for product in ("earl", "teapot"):
        page.goto(f"{base}/shop/p/{catalogue[product].slug}/")
        _add_to_cart(page, base, 1)
        page.goto(f"{base}/shop/checkout/")
        form = page.locator("#checkout-form")
        if product == "earl":
            form.get_by_label("Street and house number").fill("12 Briggate")
            form.get_by_label("Postcode").fill("LS1 6HD")
            form.get_by_label("Town or city").fill("Leeds")
            form.get_by_label("Phone (optional)").fill("0113 496 0000")
            form.get_by_label("Pay on delivery").check()
        else:
            # Everything the first order taught is filled in already.
            assert form.get_by_label("Street and house number").input_value() == "12 Briggate"
            assert form.get_by_label("Postcode").input_value() == "LS1 6HD"
            assert form.get_by_label("Town or city").input_value() == "Leeds"
            assert form.get_by_label("Phone (optional)").input_value() == "+44 113 496 0000"
            assert form.get_by_label("Pay on delivery").is_checked()
            page.screenshot(path=artifacts / "shop-checkout-prefilled.png", full_page=True)
        form.get_by_role("button", name="Place my order").click()
        page.wait_for_url(re.compile(r".*/shop/orders/\d+/thanks/"))
    assert Order.objects.count() == 2
    assert page_problems == []


def test_checkout_errors_are_shown_next_to_the_field(
    page, page_problems, live_server, shopper, password, log_in, artifacts, catalogue
):
    from playwright.sync_api import expect

    base = live_server.url
    log_in(page, login=shopper.username, password=password)
    page.goto(f"{base}/shop/p/{catalogue['teapot'].slug}/")
    _add_to_cart(page, base, 1)
    page.goto(f"{base}/shop/checkout/")
    form = page.locator("#checkout-form")
    form.get_by_label("Street and house number").fill("12 Briggate")
    form.get_by_label("Postcode").fill("12345")
    form.get_by_label("Town or city").fill("Leeds")
    form.get_by_label("Phone (optional)").fill("call me")
    form.get_by_role("button", name="Place my order").click()
    page.wait_for_load_state()

    assert page.url == f"{base}/shop/checkout/"
    postcode = page.locator("#checkout-form").get_by_label("Postcode")
    assert postcode.get_attribute("aria-invalid") == "true"
    expect(postcode).to_have_accessible_description(re.compile("^That is not a UK postcode."))
    phone = page.locator("#checkout-form").get_by_label("Phone (optional)")
    expect(phone).to_have_accessible_description(re.compile("That phone number won.t do."))
    assert form.get_by_label("Street and house number").input_value() == "12 Briggate"
    page.screenshot(path=artifacts / "shop-checkout-errors.png", full_page=True)
    assert Order.objects.count() == 0
    assert page_problems == []


# Elements reaching past the right edge of the viewport (the page would scroll sideways).
OVERFLOW_JS = """
() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll("body *"))
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .map(el => `${el.tagName.toLowerCase()}.${el.className}`);
}
"""
PHONE = {"width": 390, "height": 844}


def test_the_shop_fits_a_phone(browser, live_server, artifacts, catalogue):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    base = live_server.url
    try:
        page.goto(f"{base}/shop/")
        # The filters fold away on a phone so that the products come first.
        filters = page.locator("#catalogue-filters")
        assert not filters.is_visible()
        page.get_by_role("button", name="Categories, search and filters").click()
        page.locator("#shop-sidebar.show").wait_for()  # opened, animation over
        assert filters.is_visible()
        assert page.evaluate(OVERFLOW_JS) == []
        assert page.evaluate(IMAGES_LOADED_JS)
        page.screenshot(path=artifacts / "shop-catalogue-phone.png", full_page=True)

        page.goto(f"{base}/shop/p/{catalogue['teapot'].slug}/")
        assert page.evaluate(OVERFLOW_JS) == []
        page.locator("#add-to-cart").get_by_role("button", name="Add to cart").click()
        page.wait_for_url(f"{base}/shop/cart/")
        # Bootstrap's visually-hidden text in a scrolling table once widened the page.
        assert page.evaluate(OVERFLOW_JS) == []
        page.screenshot(path=artifacts / "shop-cart-phone.png", full_page=True)
    finally:
        context.close()
