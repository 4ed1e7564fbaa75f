from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import selectors, services
from campaigns.mail import LINK
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Keyword,
    LinkClick,
    Offer,
    Recipient,
)
from campaigns.safety import safe_path
from profiles.admin import AutocompleteAdmin, ReadOnlyAdmin
from profiles.models import Segment

# Ten years: a window no shop's orders go back beyond, and far inside what a date can
# subtract (a day count of a billion made the audience preview raise, a 500).
MAX_WINDOW_DAYS = 3650


def _order_window(label: str, meaning: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_WINDOW_DAYS,
        help_text=f"{meaning} (at most ten years).",
    )


class CampaignAdminForm(forms.ModelForm):
    segments = forms.MultipleChoiceField(
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Buying-pattern segments; none ticked means any.",
    )
    last_order_within_days = _order_window(
        "Last order within days", "Ordered in the last this many days"
    )
    last_order_before_days = _order_window(
        "Last order before days", "Has not ordered for at least this many days"
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "offer",
            "keywords",
            "scheduled_at",
            "subject",
            "body_text",
            "cost_per_piece",
            "segments",
            "min_trust",
            "category_interest",
            "min_orders",
            "last_order_within_days",
            "last_order_before_days",
        ]

    def clean_body_text(self):
        body = self.cleaned_data["body_text"]
        for match in LINK.finditer(body):
            label, target = match.group(1), match.group(2)
            if safe_path(target) is None:
                raise forms.ValidationError(
                    f"The link “{label}” goes to {target}: only the shop's own pages, written "
                    "as a path such as /shop/, can be linked (anything else would go out "
                    "as plain text)."
                )
        return body

    def _check_link_keywords(self, cleaned) -> None:
        terms = {keyword.term for keyword in cleaned.get("keywords") or []}
        for match in LINK.finditer(cleaned.get("body_text") or ""):
            label, keyword = match.group(1), match.group(3)
            if keyword and keyword not in terms:
                self.add_error(
                    "body_text",
                    f"The link “{label}” is tagged “{keyword}”, which is not one of this "
                    "campaign's keywords: add it under Keywords, or its clicks will not "
                    "count for it.",
                )

    def clean(self):
        cleaned = super().clean()
        if "body_text" in cleaned and "keywords" in cleaned:
            self._check_link_keywords(cleaned)
        scheduled_at = cleaned.get("scheduled_at")
        if scheduled_at is None:
            return cleaned
        if cleaned.get("channel") != Channel.EMAIL:
            self.add_error(
                "scheduled_at",
                "Paper goes out when its mail drop is marked mailed: leave this empty.",
            )
        elif "scheduled_at" in self.changed_data and scheduled_at <= timezone.now():
            self.add_error(
                "scheduled_at",
                "That time has passed. Choose a time to come, or leave it empty and use "
                "“Send now”.",
            )
        return cleaned


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "description")


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ("term",)
    search_fields = ("term",)


@admin.register(Campaign)
class CampaignAdmin(AutocompleteAdmin):
    form = CampaignAdminForm
    list_display = ("name", "channel", "offer", "status", "scheduled_at", "sent_at")
    list_filter = ("status", "channel")
    list_select_related = ("offer",)
    search_fields = ("name", "subject")
    autocomplete_fields = ("offer", "keywords")
    readonly_fields = ("status", "sent_at", "audience_preview_count")
    actions = ("send_now",)
    fieldsets = (
        (None, {"fields": ("name", "channel", "offer", "keywords", "scheduled_at")}),
        ("Message", {"fields": ("subject", "body_text", "cost_per_piece")}),
        (
            "Audience",
            {
                "fields": (
                    "audience_preview_count",
                    "segments",
                    "min_trust",
                    "category_interest",
                    "min_orders",
                    "last_order_within_days",
                    "last_order_before_days",
                )
            },
        ),
        ("Sending", {"fields": ("status", "sent_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CampaignStatus.DRAFT:
            # What went out is the record of the campaign; it is not rewritten afterwards.
            return (*CampaignAdminForm.Meta.fields, *self.readonly_fields)
        return self.readonly_fields

    @admin.display(description="customers it would reach now")
    def audience_preview_count(self, obj: Campaign) -> str:
        if obj.pk is None:
            return "Save the campaign to see how many customers it reaches."
        count = selectors.audience_preview(obj, now=timezone.now())
        return f"{count} (only those whose consent for this channel is in force)"

    @admin.action(description="Send now", permissions=["change"])
    def send_now(self, request, queryset):
        for campaign in queryset:
            if campaign.status == CampaignStatus.SENT:
                self.message_user(
                    request, f"“{campaign}” was sent already.", level=messages.WARNING
                )
                continue
            try:
                queued = services.campaign_send(campaign=campaign)
            except ValidationError as refused:
                self.message_user(request, f"“{campaign}”: {refused.messages[0]}", messages.ERROR)
                continue
            self.message_user(
                request, f"“{campaign}”: sending to {queued} customers.", level=messages.SUCCESS
            )


# One customer's responses: read only, for customer care (helping that customer) and
# superusers; Marketing reads aggregates.
@admin.register(Recipient)
class RecipientAdmin(ReadOnlyAdmin):
    list_display = (
        "campaign",
        "profile",
        "sent_at",
        "opened_at",
        "clicked_at",
        "converted_at",
        "unsubscribed_at",
    )
    list_filter = ("campaign",)
    list_select_related = ("campaign", "profile__user")
    exclude = ("token",)


@admin.register(LinkClick)
class LinkClickAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "keyword", "url", "clicked_at")
    list_select_related = ("recipient__campaign", "keyword")
