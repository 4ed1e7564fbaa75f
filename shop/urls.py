from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("shop/", views.CatalogueView.as_view(), name="catalogue"),
    path("shop/p/<slug:slug>/", views.ProductDetailView.as_view(), name="product"),
    path("shop/p/<slug:slug>/picture.svg", views.product_picture, name="product_picture"),
    path("shop/cart/", views.CartView.as_view(), name="cart"),
    path("shop/cart/add/", views.CartAddView.as_view(), name="cart_add"),
    path("shop/cart/update/", views.CartUpdateView.as_view(), name="cart_update"),
    path("shop/cart/remove/", views.CartRemoveView.as_view(), name="cart_remove"),
    path(
        "shop/cart/accept-prices/",
        views.CartAcceptPricesView.as_view(),
        name="cart_accept_prices",
    ),
    path("shop/checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("shop/orders/<str:number>/thanks/", views.OrderThanksView.as_view(), name="order_thanks"),
    path("me/orders/", views.OrderListView.as_view(), name="order_list"),
    path("me/orders/<str:number>/", views.OrderDetailView.as_view(), name="order_detail"),
]
