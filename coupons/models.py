"""Coupon and discount codes, the direct-mail drops that carry them, and their redemptions.

A code is stored in its normalised form (upper case, no spaces or dashes) under a unique
constraint, so "k7qm 3xpa", "K7QM-3XPA" and "K7QM3XPA" are one code. The shop is known
only by reference ("shop.Order"): the shop calls coupons, never the other way round.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from campaigns.models import Campaign, Recipient
from profiles.models import CustomerProfile

# No 0/O, 1/I/L: nothing a customer can misread off a postcard.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
GROUP_SIZE = 4
CODE_MAX_LENGTH = 20


class DiscountKind(models.TextChoices):
    PERCENT = "percent", "Percentage off"
    FIXED = "fixed", "Fixed amount off"


def code_display(code: str) -> str:
    """A generated code in groups of four, as printed ("K7QM-3XPA"); others unchanged."""
    if len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code):
        return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))
    return code


class MailDrop(models.Model):
    """One mailing of a postcard or letter campaign: its print file, when it went, its cost."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="mail_drop")
    created_at = models.DateTimeField(auto_now_add=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    pieces = models.PositiveIntegerField(default=0, help_text="Pieces printed and mailed.")
    cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Print and postage for the whole drop, fixed when it was mailed.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="maildrop_cost_not_negative",
                violation_error_message="A cost cannot be negative.",
            ),
        ]
        # Names and addresses: customer care's, not Marketing's (aggregates only).
        permissions = [
            ("download_print_file", "Can download a drop's print file (names and addresses)")
        ]

    def __str__(self) -> str:
        return f"Mail drop of {self.campaign.name}"


class CouponCode(models.Model):
    code = models.CharField(
        max_length=CODE_MAX_LENGTH, help_text="Stored upper case without spaces or dashes."
    )
    kind = models.CharField(max_length=10, choices=DiscountKind.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="Percent (1 to 100) or pounds off."
    )
    min_order = models.DecimalField(
        "minimum order", max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Empty: no end.")
    max_uses = models.PositiveIntegerField(
        "total use limit", default=1, help_text="How many orders may use it, by anybody."
    )
    uses = models.PositiveIntegerField(default=0, editable=False)
    active = models.BooleanField(default=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="coupon_codes"
    )
    drop = models.ForeignKey(
        MailDrop, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    # The one code printed on every piece of its drop, rather than a personal code each.
    shared = models.BooleanField(default=False, editable=False)
    # The one customer a personal code was printed for; SET_NULL so erasing them keeps the
    # code for the aggregates (it is deactivated at the same time).
    recipient = models.OneToOneField(
        Recipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="coupon_code"
    )
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coupon_codes",
        help_text="Set for a personal code: only this customer may use it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="couponcode_code_unique"),
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="couponcode_value_positive",
                violation_error_message="A code must take something off: give a value above 0.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100),
                name="couponcode_percent_at_most_100",
                violation_error_message="A percentage can be at most 100.",
            ),
            models.CheckConstraint(
                condition=Q(min_order__gte=0),
                name="couponcode_min_order_not_negative",
                violation_error_message="A minimum order cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__gte=1),
                name="couponcode_max_uses_1",
                violation_error_message="A code must be usable at least once.",
            ),
            models.CheckConstraint(
                condition=Q(uses__lte=F("max_uses")),
                name="couponcode_uses_within_limit",
                violation_error_message="This code has been used more often than that already.",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="couponcode_window_ends_after_start",
                violation_error_message="The code must end after it starts.",
            ),
            # Normalised: upper case letters and digits only.
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]+$"),
                name="couponcode_code_normalised",
                violation_error_message="A code has only capital letters and digits.",
            ),
        ]
        indexes = [models.Index(fields=["campaign"], name="couponcode_campaign")]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return code_display(self.code)

    @property
    def describe(self) -> str:
        if self.kind == DiscountKind.PERCENT:
            return f"{self.value.normalize():f}% off"
        return f"£{self.value} off"


class Redemption(models.Model):
    """One order that used one code: what it took off, for whom, and when."""

    code = models.ForeignKey(CouponCode, on_delete=models.PROTECT, related_name="redemptions")
    # NULL after the customer's erasure: the redemption still counts in the aggregates.
    profile = models.ForeignKey(
        CustomerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redemptions",
    )
    order = models.OneToOneField("shop.Order", on_delete=models.PROTECT, related_name="redemption")
    discount = models.DecimalField(max_digits=12, decimal_places=2)
    order_total = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the order came to after the discount."
    )
    redeemed_at = models.DateTimeField()

    class Meta:
        ordering = ["-redeemed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "profile"], name="redemption_once_per_customer"
            ),
            models.CheckConstraint(
                condition=Q(discount__gt=0), name="redemption_discount_positive"
            ),
            models.CheckConstraint(
                condition=Q(order_total__gte=0), name="redemption_total_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["redeemed_at"], name="redemption_redeemed_at")]
        permissions = [("view_coupon_dashboards", "Can view coupon effectiveness")]

    def __str__(self) -> str:
        # The "learned from" label on the customer's own page.
        return "a coupon you used"
