from django.contrib import admin
from django.db.models import Count, Q

from profiles.models import (
    Attribute,
    BuyingPattern,
    Consent,
    CustomerProfile,
    Outcome,
    ProfileFact,
    ProfileQuestion,
    QuestionAsk,
    Touchpoint,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BuyingPatternInline(admin.StackedInline):
    model = BuyingPattern
    can_delete = False
    verbose_name_plural = "Buying pattern (computed from orders in the background)"
    fields = (
        ("segment", "rfm_scores"),
        ("order_count", "total_spent", "avg_order_value", "discount_share"),
        ("first_order_at", "last_order_at", "recency_days"),
        ("mean_days_between", "expected_next_order"),
        "top_categories",
        "computed_at",
    )
    readonly_fields = (
        "segment",
        "rfm_scores",
        "order_count",
        "total_spent",
        "avg_order_value",
        "discount_share",
        "first_order_at",
        "last_order_at",
        "recency_days",
        "mean_days_between",
        "expected_next_order",
        "top_categories",
        "computed_at",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="R F M")
    def rfm_scores(self, pattern):
        return pattern.rfm


class ProfileFactInline(ReadOnlyInline):
    model = ProfileFact
    verbose_name_plural = "What we know (current and past values, with provenance)"
    fields = (
        "attribute",
        "display_value",
        "source",
        "ref_label",
        "observed_at",
        "recorded_by",
        "is_current",
    )
    readonly_fields = fields
    ordering = ("-is_current", "attribute__category", "attribute__label", "-observed_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attribute", "recorded_by")

    @admin.display(description="value")
    def display_value(self, fact):
        return fact.display_value


class TouchpointInline(ReadOnlyInline):
    model = Touchpoint
    verbose_name_plural = "Timeline"
    fields = ("occurred_at", "kind", "summary", "amount", "ref_label")
    readonly_fields = fields


class QuestionAskInline(ReadOnlyInline):
    model = QuestionAsk
    verbose_name_plural = "Questions asked (the patient asker's log)"
    fields = ("asked_at", "visit", "question", "outcome", "answered_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


class ConsentInline(ReadOnlyInline):
    model = Consent
    verbose_name_plural = "Consents (latest per purpose wins)"
    fields = ("purpose", "granted", "source", "recorded_at", "policy_version", "ip_address")
    readonly_fields = fields


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
    list_filter = ("buying_pattern__segment", "trust_level", "last_seen")
    search_fields = ("user__name", "user__email", "user__username")
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
    inlines = (
        BuyingPatternInline,
        ProfileFactInline,
        QuestionAskInline,
        ConsentInline,
        TouchpointInline,
    )

    def has_add_permission(self, request):
        # Profiles are created by registration, never by hand.
        return False

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
class QuestionAskAdmin(admin.ModelAdmin):
    """The log of every ask and its outcome: read-only, written only by the asker."""

    list_display = ("asked_at", "customer", "question", "visit", "outcome", "answered_at")
    list_filter = ("outcome", "asked_at", "question")
    list_select_related = ("profile__user", "question")
    search_fields = ("profile__user__username", "profile__user__email", "question__text")
    date_hierarchy = "asked_at"
    fields = ("profile", "question", "visit", "asked_at", "outcome", "answered_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="customer", ordering="profile__user__username")
    def customer(self, ask):
        return ask.profile.user.username
