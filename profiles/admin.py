from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
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


def _real_ids(model_field, values) -> list:
    """The values that can be ids of the related model; "abc" for an integer key cannot,
    and would make the widget's query raise (a 500) where the form should say no."""
    remote = model_field.remote_field
    field_name = getattr(remote, "field_name", None) or remote.model._meta.pk.name
    target = remote.model._meta.get_field(field_name)
    ids = []
    for value in values:
        try:
            key = target.to_python(value)
        except (ValidationError, TypeError, ValueError):
            continue
        if isinstance(key, int) and _beyond_any_database(key):
            continue
        ids.append(value)
    return ids


def _beyond_any_database(value) -> bool:
    """An integer no database column holds: SQLite raises OverflowError on it (a 500)."""
    try:
        return not -(2**63) <= int(str(value)) < 2**63
    except ValueError:
        return False


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and _beyond_any_database(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if _beyond_any_database(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_ids(self.field, value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _real_ids(self.field, value), attr)


class SafeAutocompleteMixin:
    """For an admin or inline whose autocomplete fields must survive a junk id in the URL
    or the form (?profile=abc): the field is left empty, or the form says the choice is
    not valid, instead of a 500. Every admin with autocomplete_fields mixes this in."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AutocompleteAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    pass


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
class ProfileQuestionAdmin(AutocompleteAdmin):
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
