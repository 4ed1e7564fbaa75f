"""The shopper's survey pages and the marketers' results pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from profiles.selectors import profile_for_user
from surveys import selectors, services
from surveys.forms import SurveyForm

RESULTS_PERMISSION = "surveys.view_survey_results"


class ShopperMixin(LoginRequiredMixin):
    """Surveys are for signed-in shoppers; staff accounts have no profile (404)."""

    def get_profile(self):
        profile = profile_for_user(user=self.request.user)
        if profile is None:
            raise Http404("This account has no customer profile.")
        return profile


class SurveyView(ShopperMixin, TemplateView):
    template_name = "surveys/survey.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.profile = self.get_profile()
        slug = kwargs["slug"]
        if selectors.response_for(profile=self.profile, slug=slug) is not None:
            messages.info(request, "You have answered this survey already. Thank you!")
            return redirect("surveys:thanks", slug=slug)
        self.survey = selectors.survey_get_offered(
            profile=self.profile, slug=slug, now=timezone.now()
        )
        self.questions = selectors.survey_questions(self.survey, profile=self.profile)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SurveyForm(questions=self.questions))
        return super().get_context_data(survey=self.survey, **kwargs)

    def post(self, request, *args, **kwargs):
        form = SurveyForm(request.POST, questions=self.questions)
        if not form.is_valid():
            messages.error(
                request, "Some answers need another look: see the questions marked below."
            )
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.survey_submit(survey=self.survey, profile=self.profile, data=form.answers())
        except services.AlreadyAnswered as error:
            messages.info(request, error.messages[0])
            return redirect("surveys:thanks", slug=self.survey.slug)
        except services.SurveyUnavailable as error:
            messages.warning(request, error.messages[0])
            return redirect("home")
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_service_errors(error.message_dict)
            else:
                form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("surveys:thanks", slug=self.survey.slug)


class SurveyThanksView(ShopperMixin, TemplateView):
    template_name = "surveys/thanks.html"

    def get_context_data(self, **kwargs):
        response = selectors.response_get_for_profile(
            profile=self.get_profile(), slug=self.kwargs["slug"]
        )
        return super().get_context_data(
            survey=response.survey,
            response=response,
            facts=selectors.facts_learned_from(response=response),
            **kwargs,
        )


class SurveyDismissView(ShopperMixin, View, RedirectURLMixin):
    http_method_names = ["post"]

    def post(self, request, slug):
        profile = self.get_profile()
        survey = selectors.survey_get_offered_any(profile=profile, slug=slug)
        services.survey_dismiss(profile=profile, survey=survey, now=timezone.now())
        messages.info(request, f"No problem: we won't ask you about “{survey.title}” again.")
        return redirect(self._back_url())

    def _back_url(self) -> str:
        # Back where the shopper came from (Django checks `next` is on this site).
        return self.get_redirect_url() or "/"


class ResultsMixin(PermissionRequiredMixin):
    """Marketers and superusers. Django's default already answers a signed-in user without
    the permission with 403 and an anonymous one with the login page; raise_exception=True
    would give the anonymous visitor a 403 as well."""

    permission_required = RESULTS_PERMISSION


class SurveyResultsListView(ResultsMixin, TemplateView):
    template_name = "marketing/survey_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=selectors.survey_results_list(), minimum=selectors.min_cell_size(), **kwargs
        )


class SurveyResultsView(ResultsMixin, TemplateView):
    template_name = "marketing/survey_results.html"

    def get_context_data(self, **kwargs):
        survey = selectors.survey_get(slug=self.kwargs["slug"])
        return super().get_context_data(results=selectors.survey_results(survey=survey), **kwargs)
