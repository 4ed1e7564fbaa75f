"""Shapes of what a shopper sends: catalogue filters, cart changes and the checkout.

Rules about products, stock and prices live in shop.services; these forms only
check that the input has the right shape and say clearly when it has not.
"""

import re
import unicodedata

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError

from shop.cart import MAX_QUANTITY
from shop.models import COUNTRIES, PaymentMethod
from shop.selectors import DEFAULT_SORT, SORTS, CatalogueQuery
from shop.services import ShippingAddress

MAX_PRICE = 10_000_000
COUPON_INPUT_MAX = 40
APPLY_COUPON = "apply_coupon"
# Royal Mail's format: outward code (area, district) and inward code (sector, unit).
UK_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|"
    r"[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
# Elsewhere: 3 to 10 letters and digits, with single spaces or hyphens between them.
GENERIC_POSTCODE = re.compile(r"^[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){2,9}$")
PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")
PHONE_MIN_DIGITS = 6
PHONE_RULES = "Please enter 7 to 20 characters: digits, spaces, +, - and ( ) only."

QUANTITY_ERRORS = {
    "required": "Please say how many you would like.",
    "invalid": "The quantity must be a whole number.",
    "min_value": "The quantity must be at least %(limit_value)s.",
    "max_value": "You can order at most %(limit_value)s of one product.",
}
PRODUCT_ERRORS = {
    "required": "That product does not exist.",
    "invalid": "That product does not exist.",
    "min_value": "That product does not exist.",
}


def _plain_text(value: str, what: str) -> str:
    text = " ".join(value.split())
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in text):
        raise ValidationError(f"The {what} contains an invisible or control character.")
    return text


class CatalogueFilterForm(forms.Form):
    """The catalogue's search box, filters and sort order (sent with GET)."""

    q = forms.CharField(
        label="Search by name or brand",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. teapot or Acme"}),
    )
    category = forms.ChoiceField(label="Category", required=False)
    brand = forms.ChoiceField(label="Brand", required=False)
    price_min = forms.DecimalField(
        label="Lowest price (£)",
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        error_messages={"invalid": "Enter a price such as 5 or 12.50."},
    )
    price_max = forms.DecimalField(
        label="Highest price (£)",
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        error_messages={"invalid": "Enter a price such as 5 or 12.50."},
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
    )

    def __init__(self, *args, categories=(), brands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories")] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["brand"].choices = [("", "All brands")] + [(b, b) for b in brands]
        self.helper = FormHelper()
        self.helper.form_id = "catalogue-filters"
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "q",
            "category",
            "brand",
            "price_min",
            "price_max",
            "in_stock",
            "sort",
        )
        self.helper.add_input(Submit("", "Show products"))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "The highest price must not be below the lowest.")
        return cleaned

    def query(self) -> CatalogueQuery:
        """What to show: the valid parts of the request; anything invalid is ignored."""
        self.is_valid()
        data = self.cleaned_data
        return CatalogueQuery(
            q=(data.get("q") or "").strip(),
            category=data.get("category") or "",
            brand=data.get("brand") or "",
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or DEFAULT_SORT,
        )


class CartAddForm(forms.Form):
    product_id = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages=PRODUCT_ERRORS
    )
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages=QUANTITY_ERRORS,
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product is not None:
            self.initial.setdefault("product_id", product.pk)
            self.fields["quantity"].widget.attrs.update(
                {"max": min(product.stock, MAX_QUANTITY) or 1, "inputmode": "numeric"}
            )
        self.helper = FormHelper()
        self.helper.form_id = "add-to-cart"
        self.helper.form_action = "shop:cart_add"
        self.helper.layout = Layout(
            "product_id", "next", Field("quantity", css_class="quantity-input")
        )
        self.helper.add_input(Submit("submit", "Add to cart"))


class CartUpdateForm(forms.Form):
    product_id = forms.IntegerField(min_value=1, error_messages=PRODUCT_ERRORS)
    # 0 takes the product out of the cart.
    quantity = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY, error_messages=QUANTITY_ERRORS
    )


class CartRemoveForm(forms.Form):
    product_id = forms.IntegerField(min_value=1, error_messages=PRODUCT_ERRORS)


class CheckoutForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    street = forms.CharField(
        label="Street and house number",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
    )
    city = forms.CharField(
        label="Town or city",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.ChoiceField(
        label="Country",
        choices=list(COUNTRIES.items()),
        initial="GB",
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        max_length=32,
        required=False,
        help_text="Only for the courier, should they need to reach you.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    payment_method = forms.ChoiceField(
        label="Payment",
        choices=PaymentMethod.choices,
        initial=PaymentMethod.INVOICE,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose how you would like to pay."},
    )
    coupon_code = forms.CharField(
        label="Coupon code (optional)",
        max_length=COUPON_INPUT_MAX,
        required=False,
        help_text="From your postcard, letter or e-mail; capitals, spaces and dashes don't matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "checkout-form"
        self.helper.form_action = "shop:checkout"
        self.helper.layout = Layout(
            Fieldset(
                "Where should we deliver?",
                "name",
                "street",
                Row(Column("postcode", css_class="col-sm-5"), Column("city")),
                "country",
                "phone",
            ),
            Fieldset(
                "Do you have a coupon?",
                Field("coupon_code", wrapper_class="mb-2"),
                # formnovalidate: applying a code must not demand the address first.
                StrictButton(
                    "Apply code",
                    type="submit",
                    name=APPLY_COUPON,
                    value="apply",
                    css_class="btn-outline-dark mb-3",
                    formnovalidate="formnovalidate",
                ),
            ),
            Fieldset("How would you like to pay?", "payment_method"),
            "token",
        )
        self.helper.add_input(Submit("submit", "Place my order"))

    def clean_coupon_code(self) -> str:
        code = " ".join(self.cleaned_data["coupon_code"].split())
        if code and not all(ch.isascii() and (ch.isalnum() or ch in " -") for ch in code):
            raise ValidationError(
                "A coupon code has only letters and digits (dashes and spaces are fine)."
            )
        return code

    def coupon_errors_only(self) -> None:
        """Keep only the coupon's errors: applying a code says nothing yet about an address
        the shopper may not have typed."""
        self.full_clean()
        for name in list(self.errors):
            if name != "coupon_code":
                del self.errors[name]

    def clean_name(self) -> str:
        name = _plain_text(self.cleaned_data["name"], "name")
        if not any(ch.isalpha() for ch in name):
            raise ValidationError("Please enter the name of the person we deliver to.")
        return name

    def clean_street(self) -> str:
        return _plain_text(self.cleaned_data["street"], "street")

    def clean_city(self) -> str:
        return _plain_text(self.cleaned_data["city"], "town or city")

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        digits = sum(ch.isdigit() for ch in phone)
        if not PHONE.match(phone) or digits < PHONE_MIN_DIGITS:
            raise ValidationError(f"That phone number won't do. {PHONE_RULES}")
        return phone

    def clean(self):
        cleaned = super().clean()
        postcode = cleaned.get("postcode")
        if postcode is not None:
            try:
                cleaned["postcode"] = clean_postcode(postcode, cleaned.get("country", ""))
            except ValidationError as error:
                self.add_error("postcode", error)
        return cleaned

    def address(self) -> ShippingAddress:
        data = self.cleaned_data
        return ShippingAddress(
            name=data["name"],
            street=data["street"],
            city=data["city"],
            postcode=data["postcode"],
            country=data["country"],
            phone=data["phone"],
        )


def clean_postcode(value: str, country: str) -> str:
    """The postcode in its usual written form, or ValidationError saying what is expected."""
    postcode = " ".join(value.upper().split())
    if country == "GB":
        compact = postcode.replace(" ", "")
        if not UK_POSTCODE.match(compact):
            raise ValidationError(
                "That is not a UK postcode. It looks like LS1 4AP or SW1A 1AA: "
                "letters and digits, then a digit and two letters."
            )
        return f"{compact[:-3]} {compact[-3:]}"
    if not GENERIC_POSTCODE.match(postcode):
        raise ValidationError(
            "That postcode won't do: use 3 to 10 letters and digits, "
            "with single spaces or hyphens between them."
        )
    return postcode
