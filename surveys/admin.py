from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from profiles.admin import AutocompleteAdmin, ReadOnlyAdmin, SafeAutocompleteMixin
from surveys.guard import flag_question, flag_questions, publish_refusal
from surveys.models import (
    Answer,
    Choice,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from surveys.selectors import survey_questions
from surveys.services import survey_record_override

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "slug",
            "intro",
            "opens_at",
            "closes_at",
            "status",
            "personal_override",
            "override_reason",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("personal_override") and not (cleaned.get("override_reason") or "").strip():
            self.add_error(
                "override_reason",
                "Say why this survey needs its personal questions: the reason is recorded "
                "with your name.",
            )
        return cleaned


class GuardedQuestionFormSet(BaseInlineFormSet):
    """Refuses to publish the survey with personal questions unless it has the override,
    and with a choice question that has nothing to choose from."""

    def clean(self):
        super().clean()
        survey = self.instance
        if survey.status != SurveyStatus.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]
        flags = [
            flag
            for form in kept
            if (
                flag := flag_question(
                    text=form.cleaned_data["text"],
                    help_text=form.cleaned_data.get("help_text") or "",
                    attribute=form.cleaned_data.get("attribute"),
                )
            )
        ]
        refusal = publish_refusal(
            publishing=True, personal_override=survey.personal_override, flags=flags
        )
        if refusal:
            raise ValidationError(refusal)
        choice_questions = [form for form in kept if form.cleaned_data.get("kind") in CHOICE_KINDS]
        counts = dict(
            Question.objects.filter(pk__in=[form.instance.pk for form in choice_questions])
            .annotate(n=Count("choices"))
            .values_list("pk", "n")
        )
        empty = [
            form.cleaned_data["text"]
            for form in choice_questions
            if counts.get(form.instance.pk, 0) < 2
        ]
        if empty:
            raise ValidationError(
                "This survey can't be published yet: "
                + "; ".join(f"“{text}”" for text in empty)
                + " need at least two choices each. Save it as a draft, add the choices on "
                "each question's page (the “Change” link), then publish."
            )


class QuestionInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Question
    formset = GuardedQuestionFormSet
    fields = ("position", "text", "help_text", "kind", "required", "attribute", "max_length")
    autocomplete_fields = ("attribute",)
    ordering = ("position", "pk")
    extra = 0
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyAdminForm
    list_display = (
        "title",
        "status",
        "opens_at",
        "closes_at",
        "question_count",
        "personal_override",
        "results_link",
    )
    list_filter = ("status", "personal_override", ("opens_at", admin.DateFieldListFilter))
    search_fields = ("title", "slug", "intro")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "opens_at"
    readonly_fields = ("override_by", "override_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "intro", ("opens_at", "closes_at"), "status")}),
        (
            "Personal data override",
            {
                "description": (
                    "Surveys ask about shopping habits and web usage, never about the person "
                    "(income, age, health, family, where they live …). A survey whose "
                    "questions read as personal, or teach a personal or sensitive profile "
                    "attribute, is published only with this override and a reason."
                ),
                "fields": ("personal_override", "override_reason", "override_by", "override_at"),
            },
        ),
    )
    inlines = (QuestionInline,)

    def get_queryset(self, request):
        # A GROUP BY drops Meta.ordering; the autocomplete pages through this queryset.
        queryset = super().get_queryset(request).annotate(question_total=Count("questions"))
        return queryset.order_by(*Survey._meta.ordering)

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, survey):
        return survey.question_total

    @admin.display(description="results")
    def results_link(self, survey):
        return format_html(
            '<a href="{}">Results</a>', reverse("surveys:results", args=[survey.slug])
        )

    def save_model(self, request, obj, form, change):
        survey_record_override(survey=obj, user=request.user)
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._warn_about_personal_questions(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def _warn_about_personal_questions(self, request, object_id) -> None:
        survey = self.get_object(request, object_id)
        if survey is None:
            return
        flags = flag_questions(survey_questions(survey))
        if not flags:
            return
        messages.warning(
            request,
            f"{len(flags)} question{'s' if len(flags) != 1 else ''} of this survey "
            "read as personal. Surveys should ask about shopping habits and web usage.",
        )
        for flag in flags:
            messages.warning(request, f"Question {flag.describe()}")
        if survey.personal_override:
            by = survey.override_by or "a former staff member"
            when = f"{survey.override_at:%d %b %Y %H:%M}" if survey.override_at else "?"
            messages.info(
                request,
                f"Personal-data override by {by} on {when}: {survey.override_reason}",
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ("position", "label")
    ordering = ("position", "pk")
    extra = 2


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "survey",
            "text",
            "help_text",
            "kind",
            "required",
            "position",
            "attribute",
            "max_length",
        ]

    def clean(self):
        cleaned = super().clean()
        survey = cleaned.get("survey")
        if survey is None or survey.status != SurveyStatus.PUBLISHED:
            return cleaned
        flag = flag_question(
            text=cleaned.get("text") or "",
            help_text=cleaned.get("help_text") or "",
            attribute=cleaned.get("attribute"),
        )
        refusal = publish_refusal(
            publishing=True,
            personal_override=survey.personal_override,
            flags=[flag] if flag else [],
        )
        if refusal:
            raise ValidationError(
                f"{refusal} The survey “{survey}” is published, so this question can't be "
                "saved like this."
            )
        return cleaned


@admin.register(Question)
class QuestionAdmin(AutocompleteAdmin):
    form = QuestionAdminForm
    list_display = ("text", "survey", "kind", "required", "position", "attribute")
    list_filter = ("kind", "required", "survey", "attribute__sensitivity")
    list_select_related = ("survey", "attribute")
    search_fields = ("text", "survey__title")
    autocomplete_fields = ("survey", "attribute")
    ordering = ("survey", "position", "pk")
    inlines = (ChoiceInline,)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ("question", "chosen", "scale_value", "text")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question").prefetch_related("choices")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="chosen")
    def chosen(self, answer):
        return ", ".join(choice.label for choice in answer.choices.all())


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    """One customer's answers, for customer care helping that customer. Marketing reads
    results only in aggregate (/marketing/surveys/), never a person's response."""

    list_display = ("submitted_at", "survey", "customer")
    list_filter = ("survey", "submitted_at")
    list_select_related = ("survey", "profile__user")
    search_fields = ("profile__user__username", "profile__user__email", "survey__title")
    date_hierarchy = "submitted_at"
    fields = ("survey", "profile", "submitted_at")
    readonly_fields = fields
    inlines = (AnswerInline,)

    @admin.display(description="customer", ordering="profile__user__username")
    def customer(self, response):
        return response.profile.user.username if response.profile else "(erased)"
