"""Customer care's contact logs: the list with its filters, the quick call form, and the
queue of unmatched e-mails and calls to attach to a customer. Saves call services."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from contacts.models import Channel, ContactLog, Direction, UnmatchedContact
from contacts.phones import require_phone
from contacts.services import MAX_CALL_SECONDS, call_log, contact_attach
from profiles.admin import AutocompleteAdmin
from profiles.models import CustomerProfile
from profiles.phones import display_phone


class MatchedFilter(admin.SimpleListFilter):
    title = "customer found"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return (("yes", "Matched to a customer"), ("no", "Unmatched (waiting for staff)"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(profile__isnull=False)
        if self.value() == "no":
            return queryset.filter(profile__isnull=True)
        return queryset


class CustomerFilter(admin.SimpleListFilter):
    """The contacts of one customer, as linked from their profile:
    ?profile__id__exact=<profile id>. Lists only the chosen customer, so the sidebar
    never loads every profile."""

    title = "customer"
    parameter_name = "profile__id__exact"

    def _profile_id(self) -> int | None:
        value = self.value()
        if not (value and value.isascii() and value.isdigit()):
            return None
        # Beyond any database integer: SQLite raises OverflowError on it (a 500).
        return int(value) if int(value) < 2**63 else None

    def lookups(self, request, model_admin):
        # Without a lookup the filter is not applied at all, so a bad value gets one too.
        if self.value() is None:
            return ()
        profile_id = self._profile_id()
        profile = (
            CustomerProfile.objects.select_related("user").filter(pk=profile_id).first()
            if profile_id
            else None
        )
        return ((self.value(), profile.user.name if profile else "no such customer"),)

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        profile_id = self._profile_id()
        return queryset.filter(profile_id=profile_id) if profile_id else queryset.none()


MAX_CALL_NOTES = 10_000


class CallForm(forms.ModelForm):
    """The quick form for a phone call: who (a customer, or just the number), which way,
    how long, what was said."""

    number = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        help_text="As the customer gave it; finds the customer if you leave that empty.",
    )
    duration_minutes = forms.DecimalField(
        label="Duration (minutes)",
        required=False,
        min_value=0,
        max_value=MAX_CALL_SECONDS // 60,
        decimal_places=1,
    )

    class Meta:
        model = ContactLog
        fields = ("profile", "direction", "occurred_at", "body")
        labels = {"body": "Call notes", "occurred_at": "When"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.now
        self.fields["occurred_at"].required = False
        self.fields["direction"].initial = Direction.IN
        self.fields["profile"].required = False
        self.fields["body"].required = True
        # Notes, not a transcript: the essence of a call is worked out from them.
        self.fields["body"].validators.append(MaxLengthValidator(MAX_CALL_NOTES))
        self.fields["body"].widget.attrs["maxlength"] = MAX_CALL_NOTES

    def clean_number(self) -> str:
        raw = self.cleaned_data.get("number", "")
        return require_phone(raw) if raw and raw.strip() else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("profile") and not cleaned.get("number") and not self.errors:
            raise ValidationError("Give the customer or the phone number they called from.")
        occurred_at = cleaned.get("occurred_at")
        if occurred_at and occurred_at > timezone.now() + timedelta(minutes=5):
            self.add_error("occurred_at", "A call cannot be logged before it happens.")
        return cleaned

    def duration_seconds(self) -> int | None:
        minutes = self.cleaned_data.get("duration_minutes")
        return None if minutes is None else int(minutes * 60)


class AttachForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ("profile",)
        labels = {"profile": "Attach to customer"}
        help_texts = {
            "profile": "Whose e-mail or call this was. Their address or number is learned, "
            "so the next one finds them by itself."
        }


ESSENCE_FIELDS = (
    "summary",
    "intent",
    "sentiment_display",
    "topics_display",
    "order_numbers_display",
    "linked_orders",
    "essence_done_at",
)
MESSAGE_FIELDS = (
    "channel",
    "direction",
    "occurred_at",
    "counterpart",
    "subject",
    "message_text",
    "duration_display",
    "attachments_display",
)


class ContactAdminBase(AutocompleteAdmin):
    """The call form (add) and the read-only log with its essence (change), shared by
    the contact list and the unmatched queue."""

    autocomplete_fields = ("profile",)
    list_per_page = 50

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CallForm
        elif obj.profile_id is None:
            kwargs["form"] = AttachForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (
                    None,
                    {
                        "fields": (
                            "profile",
                            "number",
                            "direction",
                            "occurred_at",
                            "duration_minutes",
                            "body",
                        ),
                        "description": "Log a phone call. Choose the customer, or give the "
                        "number and the customer is found by it.",
                    },
                ),
            )
        who = ("profile", "unmatched_reason") if obj.profile_id is None else ("customer",)
        return (
            ("Who", {"fields": (*who, "logged_by", "created_at")}),
            ("The message", {"fields": MESSAGE_FIELDS}),
            ("Essence", {"fields": ESSENCE_FIELDS}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "customer",
            "unmatched_reason",
            "logged_by",
            "created_at",
            *MESSAGE_FIELDS,
            *ESSENCE_FIELDS,
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "occurred_at" in initial:
            # The split date/time widget needs a datetime; a string from the URL
            # (?occurred_at=yesterday) would be a 500. A real one is kept.
            when = _parse_when(initial.pop("occurred_at"))
            if when is not None:
                initial["occurred_at"] = when
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Log a phone call"}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            log = call_log(
                number=form.cleaned_data.get("number", ""),
                profile=form.cleaned_data.get("profile"),
                direction=form.cleaned_data["direction"],
                duration_seconds=form.duration_seconds(),
                notes=form.cleaned_data["body"],
                occurred_at=form.cleaned_data.get("occurred_at"),
                logged_by=request.user,
            )
            _become(obj, log)
            if log.profile_id is None:
                messages.warning(
                    request,
                    f"No customer has the number {log.counterpart} ({log.unmatched_reason}): "
                    "the call waits in the unmatched queue.",
                )
            return
        profile = form.cleaned_data.get("profile")
        if "profile" in form.changed_data and profile is not None:
            original = ContactLog.objects.get(pk=obj.pk)
            _become(obj, contact_attach(log=original, profile=profile, staff=request.user))
            messages.success(request, f"Attached to {profile.user.name}.")

    def save_related(self, request, form, formsets, change):
        # The services wrote everything; the forms have no many-to-many fields to save.
        pass

    def has_delete_permission(self, request, obj=None):
        # Logs are a record of what was said; erasure removes a customer's own.
        return request.user.is_superuser

    # --- columns and read-only fields -------------------------------------------------

    @admin.display(description="customer", ordering="profile__user__name")
    def customer(self, log):
        if log.profile_id is None:
            return "—"
        url = reverse("admin:profiles_customerprofile_change", args=[log.profile_id])
        return format_html('<a href="{}">{}</a>', url, log.profile.user.name)

    @admin.display(description="counterpart", ordering="counterpart")
    def counterpart_display(self, log):
        """A number as people write it ("+44 7700 900123"), an address as it is."""
        if log.channel == Channel.PHONE and log.counterpart:
            return display_phone(log.counterpart)
        return log.counterpart or "—"

    @admin.display(description="subject or gist")
    def subject_or_summary(self, log):
        text = log.subject or log.summary or log.body or "(no text)"
        return Truncator(text).words(14)

    @admin.display(description="message")
    def message_text(self, log):
        return log.body or "(no text)"

    @admin.display(description="duration")
    def duration_display(self, log):
        if log.duration_seconds is None:
            return "—"
        minutes, seconds = divmod(log.duration_seconds, 60)
        return f"{minutes} min {seconds} s"

    @admin.display(description="attachments (not kept)")
    def attachments_display(self, log):
        return ", ".join(log.attachments) if log.attachments else "—"

    @admin.display(description="sentiment")
    def sentiment_display(self, log):
        if not log.sentiment:
            return "not worked out yet"
        return f"{log.get_sentiment_display()} ({log.sentiment_score:+.2f})"

    @admin.display(description="topics")
    def topics_display(self, log):
        return ", ".join(log.topics) if log.topics else "—"

    @admin.display(description="order numbers mentioned")
    def order_numbers_display(self, log):
        return ", ".join(log.order_numbers) if log.order_numbers else "—"

    @admin.display(description="linked orders (the customer's own)")
    def linked_orders(self, log):
        orders = list(log.orders.all())
        if not orders:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:shop_order_change", args=[order.pk]), order.number)
                for order in orders
            ),
        )


def _parse_when(value) -> datetime | None:
    try:
        return forms.DateTimeField().clean(value)
    except ValidationError:
        return None


def _become(obj: ContactLog, log: ContactLog) -> None:
    """Let the admin's own bookkeeping (history, message, redirect) see the saved row."""
    for model_field in ContactLog._meta.concrete_fields:
        setattr(obj, model_field.attname, getattr(log, model_field.attname))
    obj._state.adding = False


@admin.register(ContactLog)
class ContactLogAdmin(ContactAdminBase):
    list_display = (
        "occurred_at",
        "channel",
        "direction",
        "customer",
        "counterpart_display",
        "subject_or_summary",
        "intent",
        "sentiment",
    )
    list_display_links = ("occurred_at", "subject_or_summary")
    list_filter = (
        CustomerFilter,
        MatchedFilter,
        "intent",
        "sentiment",
        "channel",
        "direction",
        ("occurred_at", admin.DateFieldListFilter),
    )
    list_select_related = ("profile__user",)
    search_fields = ("counterpart", "subject", "summary")
    date_hierarchy = "occurred_at"


@admin.register(UnmatchedContact)
class UnmatchedContactAdmin(ContactAdminBase):
    """The queue: e-mails and calls no customer was found for. Choose the customer on
    the change page to attach one; it then leaves the queue."""

    list_display = (
        "occurred_at",
        "channel",
        "direction",
        "counterpart_display",
        "subject_or_summary",
        "unmatched_reason",
        "intent",
    )
    list_display_links = ("occurred_at", "subject_or_summary")
    list_filter = ("channel", "direction", "intent", "sentiment")
    search_fields = ("counterpart", "subject", "summary")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(profile__isnull=True)

    def has_add_permission(self, request):
        return False

    def response_change(self, request, obj):
        if obj.profile_id is not None:
            return HttpResponseRedirect(reverse("admin:contacts_contactlog_change", args=[obj.pk]))
        return super().response_change(request, obj)
