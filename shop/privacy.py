"""The shop's part of "download my data" and "delete my account" (see profiles.privacy).

Orders outlive the account, because the accounts need them, but lose everything that
says who placed them: the name, the address and the phone.
"""

from typing import Any

from profiles.models import CustomerProfile
from profiles.privacy import money, when
from shop.models import Order

ERASED = "(erased)"


def export_orders(*, profile: CustomerProfile) -> dict[str, Any]:
    orders = Order.objects.filter(profile=profile).prefetch_related("lines")
    return {
        "orders": [
            {
                "number": order.number,
                "placed_at": when(order.placed_at),
                "status": order.status,
                "payment_method": order.payment_method,
                "ship_to": {
                    "name": order.ship_name,
                    "street": order.ship_street,
                    "city": order.ship_city,
                    "postcode": order.ship_postcode,
                    "country": order.ship_country,
                    "phone": order.ship_phone,
                },
                "subtotal": money(order.subtotal),
                "discount": money(order.discount),
                "discount_code": order.discount_code,
                "total": money(order.total),
                "lines": [
                    {
                        "product": line.product_name,
                        "brand": line.brand,
                        "category": line.category_name,
                        "unit_price": money(line.unit_price),
                        "quantity": line.quantity,
                        "line_total": money(line.line_total),
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ]
    }


def erase_orders(*, profile: CustomerProfile) -> int:
    """Anonymise the customer's orders; amounts, lines, dates and country stay."""
    return Order.objects.filter(profile=profile).update(
        profile=None,
        ship_name=ERASED,
        ship_street=ERASED,
        ship_city=ERASED,
        ship_postcode="",
        ship_phone="",
    )
