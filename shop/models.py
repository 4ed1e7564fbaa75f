"""Catalogue and orders: the purchase-capture stage."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Round

from profiles.models import CustomerProfile

# The countries the shop delivers to: code -> name.
COUNTRIES = {
    "GB": "United Kingdom",
    "IE": "Ireland",
    "FR": "France",
    "DE": "Germany",
    "NL": "Netherlands",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
}


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    sku = models.CharField("SKU", max_length=32, unique=True)
    brand = models.CharField(max_length=80)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["category", "active"], name="product_category_active"),
            models.Index(fields=["brand"], name="product_brand"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class PaymentMethod(models.TextChoices):
    INVOICE = "invoice", "Invoice (pay within 14 days)"
    PAY_ON_DELIVERY = "pay_on_delivery", "Pay on delivery"


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    # Kept when the customer's account is erased: the accounts need the order.
    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    ship_name = models.CharField("name", max_length=150)
    ship_street = models.CharField("street", max_length=200)
    ship_city = models.CharField("town or city", max_length=100)
    ship_postcode = models.CharField("postcode", max_length=16)
    ship_country = models.CharField("country", max_length=2)
    ship_phone = models.CharField("phone", max_length=32, blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2)
    discount_code = models.CharField(max_length=40, blank=True)
    # One order per rendered checkout: a double submit finds the first order.
    checkout_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    placed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            # Rounded, because SQLite keeps decimals as floating point numbers.
            models.CheckConstraint(
                condition=Q(total=Round(models.F("subtotal") - models.F("discount"), 2)),
                name="order_total_is_subtotal_less_discount",
            ),
        ]
        indexes = [models.Index(fields=["profile", "placed_at"], name="order_profile_placed")]

    def __str__(self) -> str:
        return f"Order {self.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    product_name = models.CharField(max_length=150)
    brand = models.CharField(max_length=80)
    category_name = models.CharField(max_length=80)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orderline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"
