"""The cart lives in the session, so it survives logging in (Django keeps session data)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shop.models import Product

SESSION_KEY = "shop.cart"
MAX_QUANTITY = 99
MAX_LINES = 50


@dataclass
class CartLine:
    product: Product
    quantity: int
    price_when_added: Decimal

    @property
    def unit_price(self) -> Decimal:
        return self.product.price

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.price_when_added != self.product.price


class Cart:
    """Product ids with quantity and the price seen when added, kept in the session."""

    def __init__(self, session):
        self.session = session
        raw = session.get(SESSION_KEY)
        self.items: dict[str, dict] = self._sanitised(raw)

    @staticmethod
    def _sanitised(raw) -> dict[str, dict]:
        # The session is ours, but be strict: a damaged cart must never cause a 500.
        if not isinstance(raw, dict):
            return {}
        items = {}
        for key, item in raw.items():
            try:
                quantity = int(item["q"])
                price = Decimal(str(item["p"]))
                int(key)
            except (KeyError, TypeError, ValueError, InvalidOperation):
                continue
            if 1 <= quantity <= MAX_QUANTITY and price >= 0:
                items[str(key)] = {"q": quantity, "p": str(price)}
        return items

    def save(self) -> None:
        self.session[SESSION_KEY] = self.items
        self.session.modified = True

    def quantity_of(self, product_id: int) -> int:
        return self.items.get(str(product_id), {}).get("q", 0)

    def put(self, product: Product, quantity: int) -> None:
        self.items[str(product.pk)] = {"q": quantity, "p": str(product.price)}
        self.save()

    def remove(self, product_id: int) -> None:
        self.items.pop(str(product_id), None)
        self.save()

    def clear(self) -> None:
        self.items = {}
        self.save()

    def __len__(self) -> int:
        return sum(item["q"] for item in self.items.values())

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[CartLine]:
        """The cart's lines in one query; products no longer on sale drop out."""
        if not self.items:
            return []
        products = Product.objects.filter(pk__in=[int(k) for k in self.items], active=True)
        by_id = {str(p.pk): p for p in products.select_related("category")}
        return [
            CartLine(product=by_id[key], quantity=item["q"], price_when_added=Decimal(item["p"]))
            for key, item in self.items.items()
            if key in by_id
        ]

    def accept_current_prices(self) -> None:
        for line in self.lines():
            self.items[str(line.product.pk)]["p"] = str(line.product.price)
        self.save()
