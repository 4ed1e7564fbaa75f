from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from profiles import customer360
from profiles.models import (
    Attribute,
    BuyingPattern,
    CustomerProfile,
    Outcome,
    ProfileAccess,
    ProfileQuestion,
    Purpose,
    QuestionAsk,
)
from profiles.services import profile_access_record


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log that only the code writes: staff read it, nobody adds, edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentListFilter(admin.SimpleListFilter):
    """Customers by the choice now in force for one purpose."""

    title = "consent"
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        rows = []
        for value, label in Purpose.choices:
            rows.append((f"{value}:yes", f"{label}: yes"))
            rows.append((f"{value}:no", f"{label}: no"))
        return rows

    def queryset(self, request, queryset):
        purpose, _, answer = (self.value() or "").partition(":")
        if purpose not in Purpose.values or answer not in ("yes", "no"):
            return queryset
        return customer360.consent_filter(queryset, purpose, granted=answer == "yes")


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    list_display = (
        "customer_name",
        "segment",
        "customer_email",
        "visit_count",
        "last_seen",
        "trust_level",
        "completeness_percent",
    )
    list_select_related = ("user", "buying_pattern")
    list_filter = ("buying_pattern__segment", "trust_level", "last_seen", ConsentListFilter)
    # Also phone numbers in any format, and order numbers (customer360.search_profiles).
    search_fields = ("user__name", "user__email", "user__username")
    search_help_text = "Name, e-mail, user ID, phone number or order number."
    readonly_fields = (
        "user",
        "visit_count",
        "first_seen",
        "last_seen",
        "visit_started_at",
        "trust_level",
        "completeness",
        "created_at",
    )
    change_form_template = "admin/profiles/customerprofile/change_form.html"

    def has_add_permission(self, request):
        # Profiles are created by registration, never by hand.
        return False

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            found = found | customer360.search_profiles(queryset, search_term)
        return found, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        profile = self.get_object(request, object_id)
        if profile is not None and self.has_view_or_change_permission(request, profile):
            if request.method == "GET":
                profile_access_record(profile=profile, staff=request.user)
            extra_context = {**(extra_context or {}), **self.whole_customer(request, profile)}
        return super().change_view(request, object_id, form_url, extra_context)

    def whole_customer(self, request, profile) -> dict:
        """The customer at a glance, for the change form's template."""
        asks_url = reverse("admin:profiles_questionask_changelist")
        return {
            "pattern": BuyingPattern.objects.filter(profile=profile).first(),
            "linked_facts": customer360.linked_facts(profile, request.user),
            "consents": customer360.consents_with_history(profile),
            "timeline": customer360.timeline_page(profile, request.GET.get("timeline")),
            "stage_links": customer360.stage_links(profile, request.user),
            "asks_url": f"{asks_url}?{urlencode({'profile__exact': profile.pk})}",
            "access_count": ProfileAccess.objects.filter(profile=profile).count(),
        }

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="name", ordering="user__name")
    def customer_name(self, profile):
        return profile.user.name

    @admin.display(description="segment", ordering="buying_pattern__segment")
    def segment(self, profile):
        pattern = getattr(profile, "buying_pattern", None)
        return pattern.get_segment_display() if pattern else "no orders yet"

    @admin.display(description="e-mail", ordering="user__email")
    def customer_email(self, profile):
        return profile.user.email

    @admin.display(description="complete", ordering="completeness")
    def completeness_percent(self, profile):
        return f"{profile.completeness}%"


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("key", "label", "category", "sensitivity", "value_kind", "active")
    list_filter = ("category", "sensitivity", "value_kind", "active")
    search_fields = ("key", "label", "description")
    list_editable = ("active",)


@admin.register(ProfileQuestion)
class ProfileQuestionAdmin(admin.ModelAdmin):
    """The patient asker's bank. Staff edit it; what was asked is in QuestionAsk."""

    list_display = (
        "text",
        "attribute",
        "min_trust",
        "priority",
        "active",
        "asked",
        "answered",
        "declined",
    )
    list_editable = ("min_trust", "priority", "active")
    list_filter = ("active", "min_trust", "attribute__category")
    list_select_related = ("attribute",)
    search_fields = ("text", "why_we_ask", "attribute__key", "attribute__label")
    autocomplete_fields = ("attribute",)
    fields = ("attribute", "text", "why_we_ask", "min_trust", "priority", "active")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                asked_count=Count("asks"),
                answered_count=Count("asks", filter=Q(asks__outcome=Outcome.ANSWERED)),
                declined_count=Count("asks", filter=Q(asks__outcome=Outcome.DECLINED)),
            )
        )

    @admin.display(description="asked", ordering="asked_count")
    def asked(self, question):
        return question.asked_count

    @admin.display(description="answered", ordering="answered_count")
    def answered(self, question):
        return question.answered_count

    @admin.display(description="declined", ordering="declined_count")
    def declined(self, question):
        return question.declined_count


@admin.register(QuestionAsk)
class QuestionAskAdmin(ReadOnlyAdmin):
    """The log of every ask and its outcome: read-only, written only by the asker."""

    list_display = ("asked_at", "customer", "question", "visit", "outcome", "answered_at")
    list_filter = ("outcome", "asked_at", "question")
    list_select_related = ("profile__user", "question")
    search_fields = ("profile__user__username", "profile__user__email", "question__text")
    date_hierarchy = "asked_at"
    fields = ("profile", "question", "visit", "asked_at", "outcome", "answered_at")
    readonly_fields = fields

    @admin.display(description="customer", ordering="profile__user__username")
    def customer(self, ask):
        return ask.profile.user.username


@admin.register(ProfileAccess)
class ProfileAccessAdmin(ReadOnlyAdmin):
    """Who opened which profile when: for superusers to review, never edited."""

    list_display = ("accessed_at", "staff", "profile")
    list_filter = ("accessed_at",)
    list_select_related = ("staff", "profile__user")
    search_fields = ("staff__username", "profile__user__username", "profile__user__email")
    date_hierarchy = "accessed_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
