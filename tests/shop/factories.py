"""Catalogue and order helpers for shop tests: orders go through order_place, or are
back-dated directly when a test needs history at exact times."""

import itertools
import uuid
from datetime import datetime
from decimal import Decimal

from shop.models import Category, Order, OrderLine, Product

_n = itertools.count(1)


def make_category(name: str | None = None) -> Category:
    n = next(_n)
    name = name or f"Category {n}"
    return Category.objects.get_or_create(name=name, defaults={"slug": f"cat-{n}"})[0]


def make_product(
    *, name: str | None = None, price="10.00", stock=50, category=None, brand="Acme", active=True
) -> Product:
    n = next(_n)
    return Product.objects.create(
        category=category or make_category(),
        name=name or f"Product {n}",
        slug=f"product-{n}",
        sku=f"SKU-{n:06d}",
        brand=brand,
        price=Decimal(price),
        stock=stock,
        description="A fine product.",
        active=active,
    )


def make_order(
    profile, *, at: datetime, lines: list[tuple[Product, int]], discount="0.00", status="placed"
) -> Order:
    """An order at an exact time, as history (no side effects on the profile)."""
    subtotal = sum((p.price * q for p, q in lines), Decimal("0.00"))
    discount = Decimal(discount)
    n = next(_n)
    order = Order.objects.create(
        number=str(900_000 + n),
        profile=profile,
        payment_method="invoice",
        ship_name="X",
        ship_street="1 Road",
        ship_city="Leeds",
        ship_postcode="LS1 1AA",
        ship_country="GB",
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        checkout_token=uuid.uuid4(),
        placed_at=at,
        status=status,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=p,
            category=p.category,
            product_name=p.name,
            brand=p.brand,
            category_name=p.category.name,
            unit_price=p.price,
            quantity=q,
            line_total=p.price * q,
        )
        for p, q in lines
    )
    return order
