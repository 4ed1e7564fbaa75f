"""The coupon admin per role: marketers make codes and drops, care reads redemptions."""

import pytest

from coupons.models import CouponCode
from tests.coupons.factories import make_code, place_order

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/coupons/couponcode/",
    "/admin/coupons/couponcode/add/",
    "/admin/coupons/maildrop/",
    "/admin/coupons/maildrop/add/",
    "/admin/coupons/redemption/",
]
ALLOWED = {
    "marketer": {
        "/admin/coupons/couponcode/",
        "/admin/coupons/couponcode/add/",
        "/admin/coupons/maildrop/",
        "/admin/coupons/maildrop/add/",
    },
    # Care opens the drops to download a print file (names and addresses), adds none.
    "care_agent": {
        "/admin/coupons/couponcode/",
        "/admin/coupons/maildrop/",
        "/admin/coupons/redemption/",
    },
    "superuser": set(PAGES),
}


@pytest.mark.parametrize("path", PAGES)
def test_shoppers_are_sent_to_the_admin_login(client, shopper, path):
    client.force_login(shopper)
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["marketer", "care_agent", "superuser"])
def test_staff_see_what_their_role_allows(client, request, who, path, product, shopper):
    make_code("WELCOME10", max_uses=100)
    place_order(shopper.profile, product, coupon_code="WELCOME10")
    client.force_login(request.getfixturevalue(who))
    expected = 200 if path in ALLOWED[who] else 403
    assert client.get(path).status_code == expected


def test_a_marketer_adds_a_shared_code_typed_loosely(client, marketer, postcard):
    client.force_login(marketer)
    response = client.post(
        "/admin/coupons/couponcode/add/",
        {
            "code": "spring-25",
            "kind": "percent",
            "value": "25",
            "min_order": "10",
            "valid_from_0": "2026-01-01",
            "valid_from_1": "00:00:00",
            "max_uses": "500",
            "active": "on",
            "campaign": postcard.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    coupon = CouponCode.objects.get()
    assert (coupon.code, coupon.campaign, coupon.max_uses) == ("SPRING25", postcard, 500)


def test_an_empty_code_draws_a_random_one(client, marketer):
    client.force_login(marketer)
    client.post(
        "/admin/coupons/couponcode/add/",
        {
            "code": "",
            "kind": "fixed",
            "value": "5",
            "min_order": "0",
            "valid_from_0": "2026-01-01",
            "valid_from_1": "00:00:00",
            "max_uses": "1",
        },
    )
    assert len(CouponCode.objects.get().code) == 8


def test_the_admin_search_finds_a_code_typed_loosely(client, marketer):
    make_code("K7QM3XPA")
    client.force_login(marketer)
    response = client.get("/admin/coupons/couponcode/", {"q": "k7qm-3xpa"})
    assert "K7QM-3XPA" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "percent", "value": "150"}, "A percentage can be at most 100."),
        (
            {"valid_until_0": "2025-12-31", "valid_until_1": "00:00:00"},
            "The code must end after it starts.",
        ),
        ({"value": "0"}, "A code must take something off: give a value above 0."),
    ],
)
def test_terms_a_code_cannot_have_are_refused_in_words(client, marketer, fields, message):
    client.force_login(marketer)
    data = {
        "code": "BADTERMS",
        "kind": "fixed",
        "value": "5",
        "min_order": "0",
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        "max_uses": "10",
    }
    response = client.post("/admin/coupons/couponcode/add/", {**data, **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CouponCode.objects.exists()
