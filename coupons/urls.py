from django.urls import path

from coupons import views

app_name = "coupons"

urlpatterns = [
    path("marketing/coupons/", views.CouponDashboardView.as_view(), name="dashboard"),
]
