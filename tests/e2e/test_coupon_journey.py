"""A shopper tries a wrong coupon code, then WELCOME10, sees the discount and orders."""

import re
from decimal import Decimal

import pytest

from coupons.models import Redemption
from shop.models import Order
from tests.coupons.factories import make_code
from tests.shop.factories import make_category, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_wrong_code_then_welcome10_then_the_order(
    page, page_problems, live_server, log_in, shopper, password, artifacts
):
    base = live_server.url
    teapot = make_product(
        name="Stoneware Teapot", brand="Potter", price="25.00", category=make_category("Kitchen")
    )
    make_code("WELCOME10", value="10", max_uses=1000)
    log_in(page, login="alice", password=password)

    page.goto(f"{base}/shop/p/{teapot.slug}/")
    form = page.locator("#add-to-cart")
    form.get_by_label("Quantity").fill("2")
    form.get_by_role("button", name="Add to cart").click()
    page.wait_for_url(f"{base}/shop/cart/")
    page.get_by_role("link", name="Go to checkout").click()
    page.wait_for_url(f"{base}/shop/checkout/")
    assert page.locator("#order-total").inner_text() == "£50.00"

    # A wrong code: a clear message on the field, and nothing off the total.
    checkout = page.locator("#checkout-form")
    checkout.get_by_label("Coupon code (optional)").fill("K7QM-3XPA")
    checkout.get_by_role("button", name="Apply code").click()
    page.wait_for_load_state()
    field = page.get_by_label("Coupon code (optional)")
    assert field.get_attribute("aria-invalid") == "true" or "is-invalid" in (
        field.get_attribute("class") or ""
    )
    assert page.get_by_text(
        "We don't recognise that code. Please check it and try again."
    ).is_visible()
    assert page.locator("#order-total").inner_text() == "£50.00"
    page.screenshot(path=artifacts / "coupon-wrong-code.png", full_page=True)

    # WELCOME10, typed loosely: ten percent off, shown in the total.
    field.fill("welcome 10")
    page.locator("#checkout-form").get_by_role("button", name="Apply code").click()
    page.wait_for_load_state()
    assert "Your coupon code is applied." in page.get_by_role("status").inner_text()
    assert page.locator("#order-discount").inner_text() == "\u2212£5.00"
    assert page.locator("#order-total").inner_text() == "£45.00"
    page.screenshot(path=artifacts / "coupon-applied.png", full_page=True)

    # The address, then the order.
    checkout = page.locator("#checkout-form")
    checkout.get_by_label("Street and house number").fill("12 Briggate")
    checkout.get_by_label("Postcode").fill("LS1 6HD")
    checkout.get_by_label("Town or city").fill("Leeds")
    checkout.get_by_role("button", name="Place my order").click()
    page.wait_for_url(re.compile(r".*/shop/orders/\d+/thanks/"))
    order = Order.objects.get()
    assert (order.discount, order.total) == (Decimal("5.00"), Decimal("45.00"))
    assert Redemption.objects.get().order == order
    assert "saved you £5.00" in page.locator("#order-saving").inner_text()
    assert page.get_by_role("table").get_by_text("£45.00").is_visible()
    page.screenshot(path=artifacts / "coupon-order-placed.png", full_page=True)
    assert page_problems == []


def _admin_log_in(page, base: str, *, username: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{next_path}")


@pytest.fixture
def redeemed_postcard(db):
    """A mailed postcard with five redemptions, so every figure and chart is shown."""
    from decimal import Decimal as D

    from campaigns.models import Campaign, Channel, Offer, OfferKind
    from coupons.models import CouponCode, DiscountKind
    from coupons.services import Terms, mail_drop_mark_mailed, mail_drop_prepare
    from profiles.models import Purpose, Source
    from profiles.services import set_consent
    from tests.coupons.factories import place_order
    from tests.factories import make_shopper

    product = make_product(name="Teapot", price="25.00", stock=100)
    offer = Offer.objects.create(name="Money off", kind=OfferKind.DISCOUNT)
    campaign = Campaign.objects.create(
        name="Spring postcard", channel=Channel.POSTCARD, offer=offer, body_text="x",
        cost_per_piece=D("0.70"),
    )  # fmt: skip
    users = []
    for _ in range(6):
        user = make_shopper()
        place_order(user.profile, product)
        set_consent(user.profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER)
        users.append(user)
    drop, _ = mail_drop_prepare(
        campaign=campaign, terms=Terms(kind=DiscountKind.PERCENT, value=D(10))
    )
    mail_drop_mark_mailed(drop=drop)
    for user in users[:5]:
        code = CouponCode.objects.get(profile=user.profile)
        place_order(user.profile, product, coupon_code=code.code)
    return campaign


def test_the_coupon_dashboard_draws_its_charts_under_the_strict_csp(
    page, page_problems, live_server, marketer, password, redeemed_postcard, artifacts
):
    base = live_server.url
    _admin_log_in(
        page, base, username=marketer.username, password=password, next_path="/marketing/coupons/"
    )
    page_problems.clear()
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Coupons"
    row = page.locator(f"tr[data-campaign='{redeemed_postcard.pk}']")
    assert "83.3%" in row.inner_text()
    for chart in ("chart-data-coupon-months", "chart-data-coupon-channels"):
        canvas = page.locator(f"canvas[data-campaign-chart='{chart}']")
        assert canvas.bounding_box()["height"] > 100
    page.screenshot(path=artifacts / "coupon-dashboard.png", full_page=True)
    assert page_problems == []


def test_the_coupon_dashboard_and_a_refused_code_are_accessible(
    axe_page, axe_js, live_server, marketer, shopper, password, log_in, redeemed_postcard
):
    from tests.e2e.axe import assert_accessible

    base = live_server.url
    page = axe_page
    _admin_log_in(
        page, base, username=marketer.username, password=password, next_path="/marketing/coupons/"
    )
    assert_accessible(page, axe_js, "/marketing/coupons/")
    page.context.clear_cookies()
    teapot = make_product(name="Kettle", price="30.00")
    log_in(page, login="alice", password=password)
    page.goto(f"{base}/shop/p/{teapot.slug}/")
    page.locator("#add-to-cart").get_by_role("button", name="Add to cart").click()
    page.wait_for_url(f"{base}/shop/cart/")
    page.goto(f"{base}/shop/checkout/")
    page.get_by_label("Coupon code (optional)").fill("NOPE")
    page.get_by_role("button", name="Apply code").click()
    page.wait_for_load_state()
    assert page.get_by_text("We don't recognise that code.").is_visible()
    assert_accessible(page, axe_js, "/shop/checkout/ with a refused code")
