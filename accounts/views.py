from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.forms import ConsentForm, LoginForm, QueuedPasswordResetForm, RegistrationForm
from profiles import selectors as profile_selectors
from profiles.models import Purpose


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class HomeView(TemplateView):
    template_name = "home.html"


class PrivacyView(TemplateView):
    template_name = "accounts/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            purposes=Purpose.choices, policy_version=settings.PRIVACY_POLICY_VERSION, **kwargs
        )


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm
    success_url = reverse_lazy("accounts:me")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:me")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.account_register(
                name=data["name"],
                email=data["email"],
                username=data["username"],
                password=data["password1"],
                marketing_email=data["marketing_email"],
                surveys=data["surveys"],
                ip_address=client_ip(self.request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        login(self.request, user, backend="accounts.backends.UserIdOrEmailBackend")
        messages.success(
            self.request,
            f"Welcome, {user.get_short_name()}. This is everything we know about you so far.",
        )
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "emails/password_reset_body.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.helper = _submit_helper("Set my new password")
        return form


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _submit_helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class ShopperProfileMixin(LoginRequiredMixin):
    """The signed-in shopper's own profile; staff accounts have none and get a 404."""

    def get_profile(self):
        profile = profile_selectors.profile_for_user(user=self.request.user)
        if profile is None:
            raise Http404("This account has no customer profile.")
        return profile


class MeView(ShopperProfileMixin, TemplateView):
    template_name = "accounts/me.html"

    def get_context_data(self, **kwargs):
        profile = self.get_profile()
        states = profile_selectors.current_consents(profile)
        return super().get_context_data(
            profile=profile,
            fact_groups=profile_selectors.facts_by_category(profile),
            consent_form=kwargs.pop("consent_form", None) or ConsentForm(states=states),
            consent_states=states,
            **kwargs,
        )


class ConsentUpdateView(ShopperProfileMixin, FormView):
    http_method_names = ["post"]
    success_url = reverse_lazy("accounts:me")

    def get_form(self, form_class=None):
        profile = self.get_profile()
        return ConsentForm(self.request.POST, states=profile_selectors.current_consents(profile))

    def form_valid(self, form):
        changed = services.consents_update(
            profile=self.get_profile(), choices=form.choices(), ip_address=client_ip(self.request)
        )
        if changed:
            messages.success(self.request, "Your choices are saved and apply from now on.")
        else:
            messages.info(
                self.request, "Nothing changed: your choices were already as you set them."
            )
        return super().form_valid(form)
