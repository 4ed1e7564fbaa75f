"""The shopper's shop: catalogue, product pages, the session cart, checkout and orders."""

import hashlib
import textwrap
import unicodedata
import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.views.generic import FormView, TemplateView, View

from coupons import services as coupon_services
from coupons.services import CouponError
from profiles.selectors import profile_for_user
from shop import selectors, services
from shop.cart import Cart, CartLine
from shop.forms import (
    APPLY_COUPON,
    CartAddForm,
    CartRemoveForm,
    CartUpdateForm,
    CatalogueFilterForm,
    CheckoutForm,
)
from shop.models import COUNTRIES

CATALOGUE_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20
LOW_STOCK = 5
CHECKOUT_SESSION_KEY = "shop.checkout_token"
COUPON_SESSION_KEY = "shop.coupon_code"
PICTURE_MAX_AGE = 60 * 60 * 24


def _subtotal(lines: list[CartLine]) -> Decimal:
    return sum((line.line_total for line in lines), Decimal("0.00"))


class CatalogueView(TemplateView):
    template_name = "shop/catalogue.html"

    def get_context_data(self, **kwargs):
        categories = list(selectors.category_list())
        form = CatalogueFilterForm(
            self.request.GET, categories=categories, brands=selectors.brand_list()
        )
        query = form.query()
        page = Paginator(selectors.product_search(query=query), CATALOGUE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        current = next((c for c in categories if c.slug == query.category), None)
        return super().get_context_data(
            form=form,
            query=query,
            categories=categories,
            current_category=current,
            page_obj=page,
            products=page.object_list,
            low_stock=LOW_STOCK,
            **kwargs,
        )


class ProductDetailView(TemplateView):
    template_name = "shop/product.html"

    def get_context_data(self, **kwargs):
        product = selectors.product_get(slug=self.kwargs["slug"])
        form = CartAddForm(product=product, initial={"next": self.request.path})
        return super().get_context_data(
            product=product,
            form=form,
            in_cart=Cart(self.request.session).quantity_of(product.pk),
            low_stock=LOW_STOCK,
            **kwargs,
        )


def _printable(text: str) -> str:
    # Control and format characters are not allowed in XML, even escaped.
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})


def _clipped(text: str, limit: int) -> str:
    text = _printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def picture_colour(category_slug: str) -> str:
    """A dark colour of its own per category, so white text on it stays readable."""
    hue = int(hashlib.sha256(category_slug.encode()).hexdigest()[:6], 16) % 360
    return f"hsl({hue}, 45%, 30%)"


def product_picture_svg(*, name: str, brand: str, category_name: str, category_slug: str) -> str:
    lines = textwrap.wrap(_printable(name), width=20, max_lines=3, placeholder="…") or [""]
    title = escape(_printable(f"{name} by {brand}"))
    texts = "".join(
        f'<text x="32" y="{96 + 40 * n}" font-size="32" font-weight="600">{escape(line)}</text>'
        for n, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" '
        'viewBox="0 0 480 360" role="img">'
        f"<title>{title}</title>"
        f'<rect width="480" height="360" fill="{picture_colour(category_slug)}"/>'
        '<circle cx="430" cy="330" r="150" fill="#ffffff" fill-opacity="0.08"/>'
        '<circle cx="470" cy="40" r="90" fill="#ffffff" fill-opacity="0.06"/>'
        '<g fill="#ffffff" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
        f"{texts}"
        f'<text x="32" y="290" font-size="26">{escape(_clipped(brand, 30))}</text>'
        f'<text x="32" y="326" font-size="22" fill-opacity="0.85">'
        f"{escape(_clipped(category_name, 34))}</text>"
        "</g></svg>"
    )


def product_picture(request, slug):
    """The product's generated placeholder picture: no upload, no network, cacheable."""
    product = selectors.product_get(slug=slug)
    svg = product_picture_svg(
        name=product.name,
        brand=product.brand,
        category_name=product.category.name,
        category_slug=product.category.slug,
    ).encode()
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    etag = f'"{hashlib.sha256(svg).hexdigest()[:32]}"'
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=PICTURE_MAX_AGE)
    return get_conditional_response(request, etag=etag, response=response)


def _drop_withdrawn(request, cart: Cart, lines: list[CartLine]) -> bool:
    """Take products no longer on sale out of the cart, telling the shopper; True if any."""
    on_sale = {str(line.product.pk) for line in lines}
    gone = [key for key in cart.items if key not in on_sale]
    for key in gone:
        cart.remove(int(key))
    if gone:
        messages.warning(request, "Something in your cart is no longer sold, so we took it out.")
    return bool(gone)


class CartView(TemplateView):
    template_name = "shop/cart.html"

    def get_context_data(self, **kwargs):
        cart = Cart(self.request.session)
        lines = cart.lines()
        _drop_withdrawn(self.request, cart, lines)
        return super().get_context_data(
            lines=lines,
            subtotal=_subtotal(lines),
            price_changed=any(line.price_changed for line in lines),
            low_stock=LOW_STOCK,
            **kwargs,
        )


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class CartChangeView(FormView):
    """POST a change to the cart, then redirect with a message saying what happened."""

    http_method_names = ["post"]

    def get_success_url(self) -> str:
        return reverse("shop:cart")

    def back_url(self) -> str:
        return self.get_success_url()

    def form_invalid(self, form):
        # The first problem is enough: these forms are one or two fields.
        field_errors = [errors[0] for errors in form.errors.values()]
        messages.error(self.request, field_errors[0])
        return redirect(self.back_url())

    def form_valid(self, form):
        try:
            self.change(Cart(self.request.session), form.cleaned_data)
        except ValidationError as error:
            _report(self.request, error)
            return redirect(self.back_url())
        return super().form_valid(form)

    def change(self, cart: Cart, data: dict) -> None:
        raise NotImplementedError


class CartAddView(CartChangeView, RedirectURLMixin):
    form_class = CartAddForm

    def back_url(self) -> str:
        # Back where the shopper came from (Django checks `next` is on this site).
        return self.get_redirect_url() or reverse("shop:catalogue")

    def change(self, cart, data):
        product = services.cart_add(
            cart=cart, product_id=data["product_id"], quantity=data["quantity"]
        )
        messages.success(
            self.request,
            f"Added {product.name} to your cart "
            f"(you have {cart.quantity_of(product.pk)} in it now).",
        )


class CartUpdateView(CartChangeView):
    form_class = CartUpdateForm

    def change(self, cart, data):
        services.cart_update(cart=cart, product_id=data["product_id"], quantity=data["quantity"])
        if data["quantity"] == 0:
            messages.success(self.request, "The product was taken out of your cart.")
        else:
            messages.success(self.request, "Your cart is updated.")


class CartRemoveView(CartChangeView):
    form_class = CartRemoveForm

    def change(self, cart, data):
        if not cart.quantity_of(data["product_id"]):
            raise ValidationError("That product is not in your cart.")
        services.cart_remove(cart=cart, product_id=data["product_id"])
        messages.success(self.request, "The product was taken out of your cart.")


class CartAcceptPricesView(View):
    http_method_names = ["post"]

    def post(self, request):
        Cart(request.session).accept_current_prices()
        messages.success(request, "Thank you: your cart now uses today's prices.")
        return redirect("shop:cart")


class ShopperMixin(LoginRequiredMixin):
    """Pages about the signed-in shopper's own purchases; staff have no profile (404)."""

    _profile = None

    def get_profile(self):
        if self._profile is None:
            self._profile = profile_for_user(user=self.request.user)
        if self._profile is None:
            raise Http404("This account has no customer profile.")
        return self._profile


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class CheckoutView(ShopperMixin, FormView):
    template_name = "shop/checkout.html"
    form_class = CheckoutForm
    # Set when coupon guessing is throttled: the page answers 429 Too Many Requests.
    throttled = False

    def get(self, request, *args, **kwargs):
        profile = self.get_profile()
        lines = Cart(request.session).lines()
        if not lines:
            messages.info(request, "Your cart is empty: add something before checking out.")
            return redirect("shop:cart")
        # A new token per rendered checkout: placing it twice makes one order.
        token = uuid.uuid4()
        request.session[CHECKOUT_SESSION_KEY] = str(token)
        initial = {**selectors.checkout_initial(profile=profile), "token": token}
        if request.session.get(COUPON_SESSION_KEY):
            initial["coupon_code"] = request.session[COUPON_SESSION_KEY]
        form = CheckoutForm(initial=initial)
        return self.render_to_response(self.get_context_data(form=form, lines=lines))

    def post(self, request, *args, **kwargs):
        self.get_profile()
        token = _uuid(request.POST.get("token"))
        if token is None or str(token) != request.session.get(CHECKOUT_SESSION_KEY):
            number = token and selectors.order_number_for_token(
                user=request.user, checkout_token=token
            )
            if number:
                # This checkout was placed already (a double click, or Back and resend).
                return redirect("shop:order_thanks", number=number)
            messages.warning(
                request,
                "That checkout page was out of date, so nothing was ordered. "
                "Please check your order below and place it again.",
            )
            return redirect("shop:checkout")
        if APPLY_COUPON in request.POST:
            return self.coupon_apply(CheckoutForm(request.POST))
        return super().post(request, *args, **kwargs)

    # --- The coupon ------------------------------------------------------------------

    def _guessing(self) -> dict:
        if not self.request.session.session_key:
            self.request.session.save()
        return {
            "session_key": self.request.session.session_key,
            "user_id": self.request.user.pk,
        }

    def coupon_check(self, form, code: str):
        """The quote for `code`, or None with the reason on the form's coupon field.

        Throttled per session and per account: once too many codes failed, nothing is
        checked at all until the window is over, so guessing learns nothing more.
        """
        guessing = self._guessing()
        if coupon_services.guessing_blocked(**guessing):
            form.add_error("coupon_code", CouponError("throttled"))
            self.throttled = True
            return None
        try:
            return coupon_services.coupon_quote(
                code=code,
                profile=self.get_profile(),
                subtotal=_subtotal(Cart(self.request.session).lines()),
            )
        except CouponError as error:
            coupon_services.guess_failed(**guessing)
            form.add_error("coupon_code", error)
            return None

    def coupon_apply(self, form):
        """The "Apply code" button: show the discount in the summary and keep the code in
        the session for the order; the address is not checked yet."""
        form.coupon_errors_only()
        session = self.request.session
        if "coupon_code" not in form.errors:
            code = form.cleaned_data["coupon_code"]
            if not code:
                session.pop(COUPON_SESSION_KEY, None)
                messages.info(self.request, "No coupon code: your order has no discount.")
            elif self.coupon_check(form, code) is not None:
                session[COUPON_SESSION_KEY] = code
                messages.success(self.request, "Your coupon code is applied.")
        if "coupon_code" in form.errors:
            session.pop(COUPON_SESSION_KEY, None)
        return self.render_to_response(
            self.get_context_data(form=form), status=429 if self.throttled else 200
        )

    def form_valid(self, form):
        cart = Cart(self.request.session)
        lines = cart.lines()
        # order_place leaves withdrawn products out; the shopper must see that first.
        if _drop_withdrawn(self.request, cart, lines):
            if not lines:
                return redirect("shop:cart")
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        code = form.cleaned_data["coupon_code"]
        if code and coupon_services.guessing_blocked(**self._guessing()):
            form.add_error("coupon_code", CouponError("throttled"))
            self.throttled = True
            return self.render_to_response(self.get_context_data(form=form), status=429)
        try:
            order = services.order_place(
                profile=self.get_profile(),
                cart=cart,
                address=form.address(),
                payment_method=form.cleaned_data["payment_method"],
                checkout_token=form.cleaned_data["token"],
                coupon_code=code,
            )
        except CouponError as error:
            coupon_services.guess_failed(**self._guessing())
            self.request.session.pop(COUPON_SESSION_KEY, None)
            form.add_error("coupon_code", error)
            return self.render_to_response(self.get_context_data(form=form))
        except ValidationError as error:
            _report(self.request, error)
            lines = cart.lines()
            if any(line.price_changed for line in lines):
                # Shown below at today's prices; placing again confirms them.
                cart.accept_current_prices()
            if not lines:
                return redirect("shop:cart")
            return self.render_to_response(self.get_context_data(form=form))
        # A racing double submit gets the first order back; its session copy still holds
        # the cart, and whichever request saves the session last must not bring it back.
        cart.clear()
        self.request.session.pop(CHECKOUT_SESSION_KEY, None)
        self.request.session.pop(COUPON_SESSION_KEY, None)
        return redirect("shop:order_thanks", number=order.number)

    def get_context_data(self, **kwargs):
        lines = kwargs.pop("lines", None)
        if lines is None:
            lines = Cart(self.request.session).lines()
        subtotal = _subtotal(lines)
        return super().get_context_data(
            lines=lines,
            subtotal=subtotal,
            quote=self.coupon_quote(kwargs.get("form"), subtotal),
            price_changed=any(line.price_changed for line in lines),
            short=[line for line in lines if line.quantity > line.product.stock],
            **kwargs,
        )

    def coupon_quote(self, form, subtotal: Decimal):
        """The discount of the code applied in this session, for the summary; a code that
        stopped working (it expired, or the cart shrank below its minimum) is said so."""
        if form is not None and form.errors.get("coupon_code"):
            return None
        code = self.request.session.get(COUPON_SESSION_KEY)
        if not code or not subtotal:
            return None
        try:
            return coupon_services.coupon_quote(
                code=code, profile=self.get_profile(), subtotal=subtotal
            )
        except CouponError as error:
            self.request.session.pop(COUPON_SESSION_KEY, None)
            messages.warning(self.request, f"Your coupon no longer applies: {error.messages[0]}")
            return None


class OrderThanksView(LoginRequiredMixin, TemplateView):
    template_name = "shop/order_thanks.html"

    def get_context_data(self, **kwargs):
        order = selectors.order_get_for_user(user=self.request.user, number=self.kwargs["number"])
        return super().get_context_data(
            order=order, country_name=COUNTRIES.get(order.ship_country), **kwargs
        )


class OrderListView(LoginRequiredMixin, TemplateView):
    template_name = "shop/order_list.html"

    def get_context_data(self, **kwargs):
        orders = selectors.order_list_for_user(user=self.request.user)
        page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, orders=page.object_list, **kwargs)


class OrderDetailView(LoginRequiredMixin, TemplateView):
    template_name = "shop/order_detail.html"

    def get_context_data(self, **kwargs):
        order = selectors.order_get_for_user(user=self.request.user, number=self.kwargs["number"])
        return super().get_context_data(
            order=order, country_name=COUNTRIES.get(order.ship_country), **kwargs
        )
