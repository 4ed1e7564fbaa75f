from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import AdminLoginView, HomeView
from patientcrm.health import healthz


class FaviconView(RedirectView):
    """Every page links its icon; this answers the clients that ask /favicon.ico anyway."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # The admin's login, limited per address like the shop's (accounts.views).
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("shop.urls")),
    path("", include("surveys.urls")),
    path("", include("campaigns.urls")),
    path("", include("coupons.urls")),
    path("", include("feedback.urls")),
    path("", include("contacts.urls")),
]
