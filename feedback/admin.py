"""Customer care triage feedback here: status, assignee, an internal note and one reply."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import format_html

from feedback import selectors, services
from feedback.models import MAX_TEXT, FeedbackItem, FeedbackStatus
from profiles.services import profile_access_record

LINK_STATES = {
    "verified": "Verified: written by the customer while logged in.",
    "unverified": (
        "UNVERIFIED: a guest typed this customer's e-mail address or order number. "
        "It may not be them; nothing was written into their profile."
    ),
    "guest": "Guest: matches no customer.",
}


class LinkStateFilter(admin.SimpleListFilter):
    title = "link to a customer"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [
            ("verified", "Verified"),
            ("unverified", "Unverified"),
            ("guest", "Guest (no customer)"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "verified":
            return queryset.filter(link_verified=True)
        if value == "unverified":
            return queryset.filter(link_verified=False, profile__isnull=False)
        if value == "guest":
            return queryset.filter(profile__isnull=True)
        return queryset


class RepliedFilter(admin.SimpleListFilter):
    title = "replied"
    parameter_name = "replied"

    def lookups(self, request, model_admin):
        return [("yes", "Replied"), ("no", "Not replied yet")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(replied_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(replied_at__isnull=True)
        return queryset


MAX_REPLY = MAX_TEXT
MAX_NOTE = 10_000


class FeedbackItemForm(forms.ModelForm):
    class Meta:
        model = FeedbackItem
        fields = ("status", "assignee", "internal_note", "reply")
        widgets = {"reply": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("reply", MAX_REPLY), ("internal_note", MAX_NOTE)):
            if name in self.fields:
                self.fields[name].validators.append(MaxLengthValidator(limit))
                self.fields[name].widget.attrs["maxlength"] = limit

    def clean_reply(self):
        reply = (self.cleaned_data.get("reply") or "").strip()
        item = self.instance
        if reply and item.replied_at is None and not selectors.reply_address(item):
            raise ValidationError(
                "There is no e-mail address to reply to: the guest gave only an order "
                "number that matches no customer."
            )
        return reply


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    form = FeedbackItemForm
    list_display = (
        "created_at",
        "kind_short",
        "excerpt",
        "status",
        "link",
        "customer",
        "assignee",
        "replied",
    )
    list_display_links = ("created_at", "excerpt")
    list_filter = (
        "kind",
        "status",
        LinkStateFilter,
        ("assignee", admin.RelatedOnlyFieldListFilter),
        RepliedFilter,
        "created_at",
    )
    list_select_related = ("profile__user", "assignee")
    search_fields = ("text", "identifier", "profile__user__email", "profile__user__name")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ("mark_under_review", "mark_planned", "mark_done", "mark_declined")
    readonly_fields = (
        "created_at",
        "kind",
        "rating",
        "text",
        "topic_list",
        "link_state_display",
        "customer_link",
        "identifier",
        "reply_to_address",
        "replied_at",
        "replied_by",
        "reply_sent_at",
    )

    def get_fieldsets(self, request, obj=None):
        reply_fields = ("reply_to_address", "reply", "replied_at", "replied_by", "reply_sent_at")
        return [
            (
                "What the customer wrote",
                {"fields": ("created_at", "kind", "rating", "text", "topic_list")},
            ),
            ("Who wrote it", {"fields": ("link_state_display", "customer_link", "identifier")}),
            ("Triage", {"fields": ("status", "assignee", "internal_note")}),
            (
                "Reply (e-mailed to the customer once, when you save)",
                {"fields": reply_fields},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.replied_at is not None:
            fields.append("reply")
        return fields

    def has_add_permission(self, request):
        # Items come from customers through the feedback form only.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        if item is not None and item.profile_id is not None and request.method == "GET":
            profile_access_record(profile=item.profile, staff=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.feedback_triage(
            item=obj,
            status=data["status"],
            assignee=data["assignee"],
            internal_note=data["internal_note"],
        )
        if data.get("reply") and "reply" in form.changed_data and obj.replied_at is None:
            try:
                services.feedback_reply(item=obj, text=data["reply"], staff=request.user)
            except ValidationError as error:
                # Replied meanwhile by someone else: theirs stands, and nothing is sent twice.
                messages.error(request, " ".join(error.messages))
            else:
                messages.info(request, f"The reply will be e-mailed to {obj.reply_to}.")

    def _mark(self, request, queryset, status: str) -> None:
        changed = services.feedback_set_status(items=queryset, status=status)
        label = FeedbackStatus(status).label.lower()
        messages.success(request, f"{changed} item{'s' if changed != 1 else ''} marked {label}.")

    @admin.action(description="Mark as under review", permissions=["change"])
    def mark_under_review(self, request, queryset):
        self._mark(request, queryset, FeedbackStatus.UNDER_REVIEW)

    @admin.action(description="Mark as planned", permissions=["change"])
    def mark_planned(self, request, queryset):
        self._mark(request, queryset, FeedbackStatus.PLANNED)

    @admin.action(description="Mark as done", permissions=["change"])
    def mark_done(self, request, queryset):
        self._mark(request, queryset, FeedbackStatus.DONE)

    @admin.action(description="Mark as declined", permissions=["change"])
    def mark_declined(self, request, queryset):
        self._mark(request, queryset, FeedbackStatus.DECLINED)

    @admin.display(description="kind", ordering="kind")
    def kind_short(self, item):
        return item.get_kind_display().split(":")[0]

    @admin.display(description="text")
    def excerpt(self, item):
        return item.text[:80] + ("…" if len(item.text) > 80 else "")

    @admin.display(description="link")
    def link(self, item):
        state = item.link_state
        label = {"verified": "verified", "unverified": "⚠ unverified", "guest": "guest"}[state]
        return format_html('<span title="{}">{}</span>', LINK_STATES[state], label)

    @admin.display(description="customer", ordering="profile__user__name")
    def customer(self, item):
        if item.profile_id is None:
            return "-"
        return item.profile.user.name or item.profile.user.username

    @admin.display(description="replied", boolean=True, ordering="replied_at")
    def replied(self, item):
        return item.replied_at is not None

    @admin.display(description="topics")
    def topic_list(self, item):
        return ", ".join(item.topics) or "-"

    @admin.display(description="link to a customer")
    def link_state_display(self, item):
        state = item.link_state
        css = "errornote" if state == "unverified" else ""
        return format_html('<strong class="{}">{}</strong>', css, LINK_STATES[state])

    @admin.display(description="customer")
    def customer_link(self, item):
        if item.profile_id is None:
            return "-"
        user = item.profile.user
        url = reverse("admin:profiles_customerprofile_change", args=[item.profile_id])
        return format_html('<a href="{}">{} &lt;{}&gt;</a>', url, user.name, user.email)

    @admin.display(description="reply goes to")
    def reply_to_address(self, item):
        return item.reply_to or selectors.reply_address(item) or "nobody: no e-mail address known"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__user", "assignee")
