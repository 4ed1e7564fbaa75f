from django.contrib import admin

from profiles.admin import AutocompleteAdmin
from shop.models import Category, Order, OrderLine, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(AutocompleteAdmin):
    list_display = ("name", "brand", "category", "price", "stock", "active")
    list_editable = ("price", "stock", "active")
    list_filter = ("active", "category", "brand")
    list_select_related = ("category",)
    search_fields = ("name", "brand", "sku")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("category",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product_name", "brand", "category_name", "unit_price", "quantity", "line_total")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "customer",
        "placed_at",
        "status",
        "payment_method",
        "total",
        "discount_code",
    )
    list_filter = (
        "status",
        "payment_method",
        ("placed_at", admin.DateFieldListFilter),
        "ship_country",
    )
    list_select_related = ("profile__user",)
    search_fields = (
        "number",
        "profile__user__email",
        "profile__user__name",
        "profile__user__username",
        "ship_postcode",
    )
    date_hierarchy = "placed_at"
    raw_id_fields = ("profile",)
    readonly_fields = (
        "number",
        "profile",
        "subtotal",
        "discount",
        "total",
        "discount_code",
        "placed_at",
        "payment_method",
    )
    fields = (
        ("number", "status"),
        ("profile", "placed_at"),
        ("subtotal", "discount", "total", "discount_code"),
        "payment_method",
        ("ship_name", "ship_phone"),
        "ship_street",
        ("ship_city", "ship_postcode", "ship_country"),
    )
    inlines = (OrderLineInline,)

    def has_add_permission(self, request):
        # Orders are placed by shoppers at checkout, never typed in.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="customer", ordering="profile__user__name")
    def customer(self, order):
        if order.profile is None:
            return "(erased)"
        return f"{order.profile.user.name} <{order.profile.user.email}>"
