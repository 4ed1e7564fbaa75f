from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from accounts import services
from accounts.forms import (
    AccountDeleteForm,
    ConsentForm,
    EmailChangeForm,
    FactCorrectForm,
    LoginForm,
    NameChangeForm,
    PasswordConfirmForm,
    QuestionAnswerForm,
    QueuedPasswordResetForm,
    RegistrationForm,
)
from accounts.privacy import account_erase
from profiles import asking
from profiles import selectors as profile_selectors
from profiles import services as profile_services
from profiles.models import Purpose
from profiles.privacy import export_customer
from profiles.throttle import client_ip as throttle_client_ip
from profiles.throttle import throttle_hit


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def question_card_context(request, *, profile=None) -> dict:
    """The patient asker's card for this page view (`question_ask` is None when there is
    none): the one place pages ask the policy. Pass the profile if the view has it."""
    nothing = {"question_ask": None}
    user = request.user
    if not user.is_authenticated or user.is_staff:
        return nothing
    profile = profile or profile_selectors.profile_for_user(user=user)
    if profile is None:
        return nothing
    ask = asking.next_question(profile, page=request.path, now=timezone.now())
    if ask is None:
        return nothing
    return {
        "question_ask": ask,
        "question_form": QuestionAnswerForm(question=ask.question),
        "question_next": request.get_full_path(),
    }


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**question_card_context(self.request), **kwargs)


class PrivacyView(TemplateView):
    template_name = "accounts/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            purposes=Purpose.choices, policy_version=settings.PRIVACY_POLICY_VERSION, **kwargs
        )


class PostRateLimitMixin:
    """Refuse a flood of POSTs from one address with a 429 page saying why.

    Counted before the form is read, so a flood costs no password hashing and no
    authentication attempt.
    """

    rate_scope = ""
    rate_limit = 10
    rate_window_seconds = 15 * 60
    rate_message = "Too many attempts from your network. Please wait a few minutes."

    def post(self, request, *args, **kwargs):
        allowed = throttle_hit(
            self.rate_scope,
            throttle_client_ip(request),
            limit=self.rate_limit,
            window_seconds=self.rate_window_seconds,
        )
        if not allowed:
            return render(
                request,
                "accounts/rate_limited.html",
                {"message": self.rate_message, "back": request.path},
                status=429,
            )
        return super().post(request, *args, **kwargs)


class RegisterView(PostRateLimitMixin, FormView):
    template_name = "accounts/register.html"
    form_class = RegistrationForm
    success_url = reverse_lazy("accounts:me")
    rate_scope = "register"
    rate_limit = 5
    rate_window_seconds = 60 * 60
    rate_message = (
        "Too many accounts were opened from your network in the last hour. Please try again later."
    )

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


class LoginView(PostRateLimitMixin, auth_views.LoginView):
    """Axes locks one user ID after repeated failures; this also slows one address
    trying many user IDs."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    rate_scope = "login"
    rate_limit = 30
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Staff have no customer profile: their start page is the admin, not /me/.
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


class AdminLoginView(PostRateLimitMixin, auth_views.LoginView):
    """The admin's own login page (Django's form and template), under the same limit
    per address as the shop's, counted together: one address cannot try many user IDs
    at either door."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"
    rate_scope = LoginView.rate_scope
    rate_limit = LoginView.rate_limit

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and admin.site.has_permission(request):
            return redirect(reverse("admin:index"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request), title="Log in")
        return context

    def get_default_redirect_url(self):
        return reverse("admin:index")


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

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_profile()  # a 404 for staff before any form is shown
        return super().dispatch(request, *args, **kwargs)

    def get_profile(self):
        if getattr(self, "_profile", None) is None:
            profile = profile_selectors.profile_for_user(user=self.request.user)
            if profile is None:
                raise Http404("This account has no customer profile.")
            self._profile = profile
        return self._profile


CONSENT_HISTORY_SHOWN = 50
# Facts that mirror the account itself: they go only with the account.
ACCOUNT_KEYS = frozenset({"full_name", "email", "user_id"})


def own_attribute(key: str):
    """An attribute the shopper may correct or forget from the privacy centre."""
    if key in ACCOUNT_KEYS:
        raise Http404("This is part of your account; it goes when the account is deleted.")
    return profile_selectors.correctable_attribute(key=key)


class NameChangeView(ShopperProfileMixin, FormView):
    """The name the shop addresses the customer by: on the account and in the profile."""

    template_name = "accounts/account_change.html"
    form_class = NameChangeForm
    success_url = reverse_lazy("accounts:me")
    extra_context = {"heading": "Correct your name"}

    def get_initial(self):
        return {"name": self.request.user.name}

    def form_valid(self, form):
        services.account_name_change(user=self.request.user, name=form.cleaned_data["name"])
        messages.success(self.request, "Thank you: your name is put right.")
        return super().form_valid(form)


class EmailChangeView(ShopperProfileMixin, FormView):
    """A new e-mail address, after the password: resets go there from now on."""

    template_name = "accounts/account_change.html"
    success_url = reverse_lazy("accounts:me")
    extra_context = {
        "heading": "Change your e-mail address",
        "intro": "Order confirmations and password resets go to this address. "
        "We let your old address know about the change.",
    }

    def get_context_data(self, **kwargs):
        return super().get_context_data(current=self.request.user.email, **kwargs)

    def get_form(self, form_class=None):
        return EmailChangeForm(
            **self.get_form_kwargs(), user=self.request.user, action="Change my e-mail address"
        )

    def form_valid(self, form):
        try:
            services.account_email_change(user=self.request.user, email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error.messages[0])
            return self.form_invalid(form)
        messages.success(self.request, "Your e-mail address is changed.")
        return super().form_valid(form)


class MeView(ShopperProfileMixin, TemplateView):
    template_name = "accounts/me.html"

    def get_context_data(self, **kwargs):
        profile = self.get_profile()
        states = profile_selectors.current_consents(profile)
        return super().get_context_data(
            profile=profile,
            fact_groups=profile_selectors.facts_by_stage(profile),
            consent_form=kwargs.pop("consent_form", None) or ConsentForm(states=states),
            consent_states=states,
            consent_history=profile_selectors.consent_history(profile)[:CONSENT_HISTORY_SHOWN],
            staff_views=profile_selectors.profile_access_summary(profile),
            account_keys=ACCOUNT_KEYS,
            **question_card_context(self.request, profile=profile),
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


class QuestionRespondView(ShopperProfileMixin, View):
    """The question card's buttons: answer, "Not now" or "Don't ask me this", for one of
    the shopper's own asks (anyone else's is a 404); then back to the page it was on."""

    http_method_names = ["post"]

    def post(self, request, pk):
        profile = self.get_profile()
        ask = profile_selectors.question_ask_get(profile=profile, ask_id=pk)
        action = request.POST.get("action")
        now = timezone.now()
        try:
            if action == "answer":
                self.answer(profile, ask, now)
            elif action == "skip":
                asking.skip_question(profile=profile, ask=ask, now=now)
                messages.info(request, "No problem: we won't ask you that again for a while.")
            elif action == "decline":
                asking.decline_question(profile=profile, ask=ask, now=now)
                messages.info(
                    request, "Understood: we won't ask you that again for at least three months."
                )
            else:
                messages.error(
                    request, "Please answer, or choose “Not now” or “Don't ask me this”."
                )
        except asking.AskClosed as closed:
            messages.info(request, closed.messages[0])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect(self.next_url())

    def answer(self, profile, ask, now) -> None:
        form = QuestionAnswerForm(self.request.POST, question=ask.question)
        if not form.is_valid():
            messages.error(self.request, str(form.errors["answer"][0]))
            return
        asking.answer_question(profile=profile, ask=ask, value=form.cleaned_data["answer"], now=now)
        messages.success(
            self.request,
            "Thank you, we've noted that. You can see it under What we know about you.",
        )

    def next_url(self) -> str:
        candidate = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return reverse("accounts:me")


class FactCorrectView(ShopperProfileMixin, FormView):
    """Put right one value the shop knows; it becomes the shopper's own word."""

    template_name = "accounts/fact_correct.html"
    success_url = reverse_lazy("accounts:me")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.attribute = own_attribute(kwargs["key"])

    def get_form(self, form_class=None):
        current = profile_selectors.current_values(self.get_profile(), [self.attribute.key])
        return FactCorrectForm(
            **self.get_form_kwargs(),
            attribute=self.attribute,
            current=current.get(self.attribute.key),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(attribute=self.attribute, **kwargs)

    def form_valid(self, form):
        try:
            profile_services.fact_correct(
                profile=self.get_profile(), key=self.attribute.key, value=form.cleaned_data["value"]
            )
        except ValidationError as error:
            form.add_error("value", error.messages[0])
            return self.form_invalid(form)
        messages.success(
            self.request, f"Thank you: your {self.attribute.label.lower()} is put right."
        )
        return super().form_valid(form)


class FactForgetView(ShopperProfileMixin, TemplateView):
    """Forget one thing: every value of it goes, and the shop does not ask it again."""

    template_name = "accounts/fact_forget.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.attribute = own_attribute(kwargs["key"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(attribute=self.attribute, **kwargs)

    def post(self, request, key):
        profile_services.fact_forget(profile=self.get_profile(), key=self.attribute.key)
        messages.success(
            request,
            f"Your {self.attribute.label.lower()} is forgotten, and we won't ask for it again.",
        )
        return redirect("accounts:me")


class DataDownloadView(ShopperProfileMixin, FormView):
    """Everything from every stage in one JSON file, after the password is entered again."""

    template_name = "accounts/data_download.html"

    def get_form(self, form_class=None):
        return PasswordConfirmForm(
            **self.get_form_kwargs(), user=self.request.user, action="Download my data"
        )

    def form_valid(self, form):
        profile = self.get_profile()
        data = export_customer(profile)
        stamp = timezone.localdate().isoformat()
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="patientcrm-my-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response


class AccountDeleteView(ShopperProfileMixin, FormView):
    """Erase the account: the password again, a tick to confirm, then it is gone."""

    template_name = "accounts/account_delete.html"

    def get_form(self, form_class=None):
        return AccountDeleteForm(
            **self.get_form_kwargs(), user=self.request.user, action="Erase my account"
        )

    def form_valid(self, form):
        self.get_profile()  # staff accounts have no profile and are not erased here
        user = self.request.user
        logout(self.request)
        account_erase(user=user)
        messages.success(
            self.request,
            "Your account is erased, with what we knew about you. Thank you for shopping with us.",
        )
        return redirect("home")
