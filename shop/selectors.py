"""Reads of the purchase stage: the catalogue a shopper browses and their own orders."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from profiles.models import CustomerProfile
from profiles.phones import display_phone
from profiles.selectors import current_values, profile_for_user
from shop.models import COUNTRIES, Category, Order, PaymentMethod, Product

SORTS = {
    "name": ("Name (A to Z)", ("name", "pk")),
    "price": ("Price (low to high)", ("price", "name", "pk")),
    "-price": ("Price (high to low)", ("-price", "name", "pk")),
    "newest": ("Newest first", ("-created_at", "-pk")),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class CatalogueQuery:
    q: str = ""
    category: str = ""
    brand: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool = False
    sort: str = DEFAULT_SORT


def category_list() -> QuerySet[Category]:
    """Categories with how many products each has on sale, in one query."""
    return Category.objects.annotate(
        product_count=Count("products", filter=Q(products__active=True))
    )


def brand_list() -> list[str]:
    return list(
        Product.objects.filter(active=True)
        .order_by("brand")
        .values_list("brand", flat=True)
        .distinct()
    )


def product_search(*, query: CatalogueQuery) -> QuerySet[Product]:
    """Products on sale matching the shopper's search, filters and sort order."""
    products = Product.objects.filter(active=True).select_related("category")
    if query.q:
        products = products.filter(Q(name__icontains=query.q) | Q(brand__icontains=query.q))
    if query.category:
        products = products.filter(category__slug=query.category)
    if query.brand:
        products = products.filter(brand=query.brand)
    if query.price_min is not None:
        products = products.filter(price__gte=query.price_min)
    if query.price_max is not None:
        products = products.filter(price__lte=query.price_max)
    if query.in_stock:
        products = products.filter(stock__gt=0)
    _, ordering = SORTS.get(query.sort, SORTS[DEFAULT_SORT])
    return products.order_by(*ordering)


def product_get(*, slug: str) -> Product:
    """A product on sale, or 404: withdrawn products have no page."""
    product = Product.objects.filter(slug=slug, active=True).select_related("category").first()
    if product is None:
        raise Http404("No such product on sale.")
    return product


def _own_orders(user) -> QuerySet[Order]:
    profile = profile_for_user(user=user)
    if profile is None:
        # Staff accounts have no customer profile, hence no orders of their own.
        raise Http404("This account has no customer profile.")
    return Order.objects.filter(profile=profile)


def order_list_for_user(*, user) -> QuerySet[Order]:
    """The user's own orders, newest first, each with its item count; 404 without a profile."""
    return (
        _own_orders(user).annotate(item_count=Sum("lines__quantity")).order_by("-placed_at", "-pk")
    )


def order_get_for_user(*, user, number: str) -> Order:
    """One of the user's own orders with its lines; anybody else's order is a 404."""
    order = _own_orders(user).filter(number=number).prefetch_related("lines").first()
    if order is None:
        raise Http404("No such order.")
    return order


def order_number_for_token(*, user, checkout_token: uuid.UUID) -> str | None:
    """The number of the order the user already placed from this checkout page, if any."""
    profile = profile_for_user(user=user)
    if profile is None:
        return None
    return (
        Order.objects.filter(profile=profile, checkout_token=checkout_token)
        .values_list("number", flat=True)
        .first()
    )


# What the checkout form asks, and the profile fact that may already answer it.
CHECKOUT_FACTS = {
    "name": "full_name",
    "street": "postal_street",
    "city": "postal_city",
    "postcode": "postal_postcode",
    "country": "postal_country",
    "phone": "phone",
    "payment_method": "payment_preference",
}


def checkout_initial(*, profile: CustomerProfile) -> dict[str, str]:
    """The checkout form filled in from what the profile already knows, in one query,
    so a returning shopper is not asked the same thing twice."""
    known = current_values(profile, list(CHECKOUT_FACTS.values()))
    initial = {
        field: str(known[key])
        for field, key in CHECKOUT_FACTS.items()
        if isinstance(known.get(key), str | int)
    }
    # The profile keeps the country's name (it is shown to the shopper); the form needs the code.
    codes = {name.casefold(): code for code, name in COUNTRIES.items()}
    codes.update({code.casefold(): code for code in COUNTRIES})
    country = codes.get(initial.pop("country", "").casefold())
    if country:
        initial["country"] = country
    # Likewise the payment preference is kept as the method's short label.
    methods = {label.split(" (")[0].casefold(): value for value, label in PaymentMethod.choices}
    method = methods.get(initial.pop("payment_method", "").casefold())
    if method:
        initial["payment_method"] = method
    # The profile keeps phone numbers in E.164; the form shows them as people write them.
    if initial.get("phone"):
        initial["phone"] = display_phone(initial["phone"])
    return initial
