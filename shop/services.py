"""Writes of the purchase stage: the cart, and placing an order that teaches the profile."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coupons import services as coupon_services
from coupons.services import CouponError  # noqa: F401 - the checkout view catches it
from profiles import services as profile_services
from profiles.background import enqueue_on_commit
from profiles.models import CustomerProfile, Kind, Source
from profiles.patterns import mark_patterns_stale
from profiles.selectors import current_values
from shop.cart import MAX_LINES, MAX_QUANTITY, Cart, CartLine
from shop.models import COUNTRIES, Order, OrderLine, PaymentMethod, Product
from shop.tasks import refresh_patterns_task

ORDER_NUMBER_OFFSET = 100_000
RECENT_LIST_SIZE = 10


class CheckoutError(ValidationError):
    """The order was not placed; `messages` say why, in words for the shopper."""


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    phone: str = ""


def _product_on_sale(product_id) -> Product:
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise ValidationError("That product does not exist.") from None
    product = Product.objects.filter(pk=product_id, active=True).first()
    if product is None:
        raise ValidationError("That product does not exist or is no longer sold.")
    return product


def _checked_quantity(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError("The quantity must be a whole number.") from None
    if quantity < 1:
        raise ValidationError("The quantity must be at least 1.")
    if quantity > MAX_QUANTITY:
        raise ValidationError(f"You can order at most {MAX_QUANTITY} of one product.")
    return quantity


def cart_add(*, cart: Cart, product_id, quantity=1) -> Product:
    product = _product_on_sale(product_id)
    wanted = cart.quantity_of(product.pk) + _checked_quantity(quantity)
    if str(product.pk) not in cart.items and len(cart.items) >= MAX_LINES:
        raise ValidationError(f"A cart holds at most {MAX_LINES} different products.")
    if wanted > MAX_QUANTITY:
        raise ValidationError(f"You can order at most {MAX_QUANTITY} of one product.")
    if wanted > product.stock:
        raise ValidationError(_stock_message(product))
    cart.put(product, wanted)
    return product


def cart_update(*, cart: Cart, product_id, quantity) -> None:
    product = _product_on_sale(product_id)
    if str(product.pk) not in cart.items:
        raise ValidationError("That product is not in your cart.")
    try:
        if int(quantity) == 0:
            cart.remove(product.pk)
            return
    except (TypeError, ValueError):
        pass
    quantity = _checked_quantity(quantity)
    if quantity > product.stock:
        raise ValidationError(_stock_message(product))
    cart.put(product, quantity)


def cart_remove(*, cart: Cart, product_id) -> None:
    try:
        cart.remove(int(product_id))
    except (TypeError, ValueError):
        raise ValidationError("That product is not in your cart.") from None


def _stock_message(product: Product) -> str:
    if product.stock == 0:
        return f"Sorry, {product.name} is out of stock."
    return f"Sorry, only {product.stock} of {product.name} left in stock."


def checkout_problems(lines: list[CartLine], locked: dict[int, Product]) -> list[str]:
    problems = []
    for line in lines:
        product = locked.get(line.product.pk)
        if product is None or not product.active:
            problems.append(f"{line.product.name} is no longer sold and was left out.")
        elif product.price != line.price_when_added:
            problems.append(
                f"The price of {product.name} changed from {line.price_when_added} to "
                f"{product.price}. Please check your order again."
            )
        elif product.stock < line.quantity:
            problems.append(_stock_message(product))
    return problems


def order_place(
    *,
    profile: CustomerProfile,
    cart: Cart,
    address: ShippingAddress,
    payment_method: str,
    checkout_token: uuid.UUID,
    coupon_code: str = "",
) -> Order:
    """Place the order for the cart, all or nothing, and teach the profile what it shows.

    Prices and stock are checked again under row locks; stock is decremented
    with a guarded UPDATE so two checkouts can never sell the last item twice.
    The same checkout token placed twice returns the first order.

    A coupon code is redeemed in the same transaction, its row locked: when it no longer
    works (another checkout used the last of it a moment ago) CouponError says why and
    nothing is ordered, rather than charging a total the shopper did not see.
    """
    existing = Order.objects.filter(checkout_token=checkout_token, profile=profile).first()
    if existing is not None:
        return existing
    if payment_method not in PaymentMethod.values:
        raise CheckoutError("Please choose how you would like to pay.")
    lines = cart.lines()
    withdrawn = set(cart.items) - {str(line.product.pk) for line in lines}
    if withdrawn:
        # Never charge a total the shopper did not see: drop them and ask again.
        for product_id in withdrawn:
            cart.remove(int(product_id))
        raise CheckoutError(
            "Some products in your cart are no longer sold and were removed. "
            "Please check your order again."
        )
    if not lines:
        raise CheckoutError("Your cart is empty.")
    try:
        with transaction.atomic():
            order = _order_create(
                profile, lines, address, payment_method, checkout_token, coupon_code
            )
    except IntegrityError:
        # The same checkout was submitted twice at once; the other request won.
        existing = Order.objects.filter(checkout_token=checkout_token, profile=profile).first()
        if existing is None:
            raise CheckoutError(
                "This checkout is out of date. Please check your order and place it again."
            ) from None
        return existing
    cart.clear()
    return order


def _order_create(profile, lines, address, payment_method, checkout_token, coupon_code="") -> Order:
    ids = sorted(line.product.pk for line in lines)
    # Lock in id order so concurrent checkouts cannot deadlock each other.
    locked = {
        p.pk: p for p in Product.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    problems = checkout_problems(lines, locked)
    if problems:
        raise CheckoutError(problems)
    for line in lines:
        sold = Product.objects.filter(pk=line.product.pk, stock__gte=line.quantity).update(
            stock=F("stock") - line.quantity
        )
        if not sold:
            raise CheckoutError(_stock_message(Product.objects.get(pk=line.product.pk)))

    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    now = timezone.now()
    order = Order.objects.create(
        number=f"pending-{checkout_token.hex[:12]}",
        profile=profile,
        payment_method=payment_method,
        ship_name=address.name,
        ship_street=address.street,
        ship_city=address.city,
        ship_postcode=address.postcode,
        ship_country=address.country,
        ship_phone=address.phone,
        subtotal=subtotal,
        discount=Decimal("0.00"),
        total=subtotal,
        checkout_token=checkout_token,
        placed_at=now,
    )
    order.number = str(ORDER_NUMBER_OFFSET + order.pk)
    Order.objects.filter(pk=order.pk).update(number=order.number)
    if coupon_code.strip():
        _discount_apply(order, profile, coupon_code, now)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=line.product,
            category=line.product.category,
            product_name=line.product.name,
            brand=line.product.brand,
            category_name=line.product.category.name,
            unit_price=line.product.price,
            quantity=line.quantity,
            line_total=line.line_total,
        )
        for line in lines
    )
    _learn_from_order(profile, order, lines, address)
    mark_patterns_stale(profile, now=now)
    enqueue_on_commit(refresh_patterns_task, profile_ids=[profile.pk])
    return order


def _discount_apply(order: Order, profile, coupon_code: str, now) -> None:
    redemption = coupon_services.coupon_redeem(
        code=coupon_code, profile=profile, order=order, subtotal=order.subtotal, now=now
    )
    order.discount = redemption.discount
    order.total = order.subtotal - redemption.discount
    order.discount_code = redemption.code.display_code
    # One statement, so the check "total is subtotal less discount" holds throughout.
    Order.objects.filter(pk=order.pk).update(
        discount=order.discount, total=order.total, discount_code=order.discount_code
    )


def _merged(previous, new: list[str]) -> list[str]:
    """Newest first, without repeats, at most RECENT_LIST_SIZE."""
    merged = list(dict.fromkeys([*new, *(previous or [])]))
    return merged[:RECENT_LIST_SIZE]


def _learn_from_order(profile, order: Order, lines: list[CartLine], address: ShippingAddress):
    learn = profile_services.learn
    for key, value in (
        ("postal_street", address.street),
        ("postal_city", address.city),
        ("postal_postcode", address.postcode),
        ("postal_country", COUNTRIES.get(address.country, address.country)),
        ("phone", address.phone),
        ("payment_preference", PaymentMethod(order.payment_method).label.split(" (")[0]),
    ):
        if value:
            learn(profile, key, value, source=Source.PURCHASE, ref=order)
    known = current_values(profile, ["categories_bought", "brands_bought"])
    categories = list(dict.fromkeys(line.product.category.name for line in lines))
    brands = list(dict.fromkeys(line.product.brand for line in lines))
    learn(
        profile,
        "categories_bought",
        _merged(known.get("categories_bought"), categories),
        source=Source.PURCHASE,
        ref=order,
    )
    learn(
        profile,
        "brands_bought",
        _merged(known.get("brands_bought"), brands),
        source=Source.PURCHASE,
        ref=order,
    )
    items = sum(line.quantity for line in lines)
    profile_services.record_touchpoint(
        profile,
        Kind.ORDER_PLACED,
        ref=order,
        amount=order.total,
        occurred_at=order.placed_at,
        summary=f"Order {order.number}: {items} item{'s' if items != 1 else ''} "
        f"({', '.join(categories)})"[:200],
    )
