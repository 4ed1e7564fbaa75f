"""A single-use code sent by two checkouts at the same moment is redeemed exactly once.

Two threads, each with its own PostgreSQL connection, place an order with the same
single-use code. The code's row is locked inside the order's transaction: the second
checkout waits for the first to commit, then finds the code used up. It gets the clear
"used as many times as it may be" message and no order at all (its stock and everything
else roll back), rather than an order without the discount it was shown: we never charge
a total the shopper did not see.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

import coupons.services
from coupons.models import CouponCode, Redemption
from coupons.services import CouponError
from shop.models import Order, Product
from tests.coupons.factories import make_code, place_order
from tests.factories import make_shopper
from tests.shop.factories import make_product

pytestmark = [
    pytest.mark.services,
    pytest.mark.timeout(60),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOLD_SECONDS = 0.5


def test_two_checkouts_with_one_single_use_code_redeem_it_once(monkeypatch):
    product = make_product(name="Teapot", price="40.00", stock=10)
    make_code("ONLYONCE", value="25", max_uses=1)
    shoppers = [make_shopper(), make_shopper()]
    # Hold the lock a moment after redeeming, so the other checkout surely arrives while
    # the first one's transaction is still open.
    affinity = coupons.services._discount_affinity

    def slow_affinity(profile):
        time.sleep(HOLD_SECONDS)
        return affinity(profile)

    monkeypatch.setattr(coupons.services, "_discount_affinity", slow_affinity)
    start = threading.Barrier(2)
    results: dict[int, object] = {}

    def checkout(n: int) -> None:
        try:
            start.wait()
            results[n] = place_order(shoppers[n].profile, product, coupon_code="only-once")
        except CouponError as error:
            results[n] = error
        except Exception as error:
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - started

    orders = [r for r in results.values() if isinstance(r, Order)]
    refused = [r for r in results.values() if isinstance(r, CouponError)]
    assert len(orders) == 1 and len(refused) == 1, results
    assert refused[0].messages == ["That code has been used as many times as it may be."]
    assert Redemption.objects.count() == 1
    assert CouponCode.objects.get().uses == 1
    order = Order.objects.get()
    assert (order.discount, order.total) == (Decimal("10.00"), Decimal("30.00"))
    assert Redemption.objects.get().order == order
    # The refused checkout left nothing behind: one teapot sold, not two.
    assert Product.objects.get(pk=product.pk).stock == 9
    # The second really waited for the first's lock rather than running after it.
    assert elapsed >= HOLD_SECONDS
