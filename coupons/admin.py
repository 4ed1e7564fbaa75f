"""Coupons in the admin: shared codes, direct-mail drops with their print files, and (for
customer care) the redemptions. Saves and actions call coupons.services."""

from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils import timezone

from campaigns.models import Campaign
from coupons import selectors, services
from coupons.models import CODE_MAX_LENGTH, CouponCode, DiscountKind, MailDrop, Redemption
from profiles.admin import AutocompleteAdmin
from profiles.csvfile import csv_download

PRINT_HEADER = ["Name", "Street", "Town or city", "Postcode", "Country", "Code"]


class CouponCodeForm(forms.ModelForm):
    code = forms.CharField(
        max_length=CODE_MAX_LENGTH + 6,
        required=False,
        help_text="Letters and digits; leave empty to draw a random one. Case, spaces and "
        "dashes do not matter.",
    )

    class Meta:
        model = CouponCode
        fields = [
            "code", "kind", "value", "min_order", "valid_from", "valid_until", "max_uses",
            "active", "campaign",
        ]  # fmt: skip

    def clean_code(self) -> str:
        code = services.code_normalise(self.cleaned_data["code"])
        if not code:
            return services.codes_generate(1)[0]
        if not code.isascii() or not code.isalnum() or len(code) > CODE_MAX_LENGTH:
            raise ValidationError(services.MESSAGES["malformed"])
        clash = CouponCode.objects.filter(code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("That code exists already; choose another.")
        return code


@admin.register(CouponCode)
class CouponCodeAdmin(AutocompleteAdmin):
    form = CouponCodeForm
    list_display = (
        "display_code", "describe", "campaign", "uses", "max_uses", "valid_from",
        "valid_until", "active", "personal",
    )  # fmt: skip
    list_filter = ("active", "kind", "campaign__channel")
    list_select_related = ("campaign",)
    search_fields = ("code",)
    autocomplete_fields = ("campaign",)
    readonly_fields = ("uses", "drop", "personal")

    @admin.display(description="code", ordering="code")
    def display_code(self, obj: CouponCode) -> str:
        return obj.display_code

    @admin.display(description="gives")
    def describe(self, obj: CouponCode) -> str:
        return obj.describe

    @admin.display(description="personal", boolean=True)
    def personal(self, obj: CouponCode) -> bool:
        # Who it was printed for is not shown: marketers see aggregates only.
        return obj.profile_id is not None or obj.recipient_id is not None

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(
            request, queryset, services.code_normalise(search_term) or search_term
        )


class MailDropForm(forms.ModelForm):
    """A new drop: the paper campaign, and what each recipient's personal code gives."""

    kind = forms.ChoiceField(choices=DiscountKind.choices, initial=DiscountKind.PERCENT)
    value = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=10, decimal_places=2, initial=Decimal("10")
    )
    min_order = forms.DecimalField(
        label="Minimum order", min_value=0, max_digits=10, decimal_places=2, initial=Decimal("0")
    )
    valid_until = forms.DateTimeField(required=False, help_text="Empty: no end.")
    shared_code = forms.CharField(
        label="One code for every piece",
        required=False,
        max_length=CODE_MAX_LENGTH + 8,
        help_text="Empty: a personal code for each customer (the usual). Or one code "
        "printed on every piece, such as AUTUMN15: each customer may use it once.",
    )

    class Meta:
        model = MailDrop
        fields = ["campaign"]

    def clean_shared_code(self) -> str:
        raw = self.cleaned_data.get("shared_code", "")
        if not raw.strip():
            return ""
        code = services.code_normalise(raw)
        if not code or not code.isalnum() or len(code) > CODE_MAX_LENGTH:
            raise ValidationError(
                f"Letters and digits only, up to {CODE_MAX_LENGTH} (spaces and dashes are ignored)."
            )
        if CouponCode.objects.filter(code=code).exists():
            raise ValidationError("That code exists already; choose another.")
        return code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(
            channel__in=services.PAPER, mail_drop__isnull=True
        )
        self.fields["campaign"].help_text = (
            "A postcard or letter campaign. Each customer in its audience with a postal "
            "address from a checkout and direct-mail consent gets a personal code."
        )

    def clean_valid_until(self):
        valid_until = self.cleaned_data.get("valid_until")
        if valid_until is not None and valid_until <= timezone.now():
            raise ValidationError(
                "That is already past: the codes would have expired before they are "
                "printed. Choose a later end, or leave it empty."
            )
        return valid_until

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == DiscountKind.PERCENT and (cleaned.get("value") or 0) > 100:
            self.add_error("value", "A percentage can be at most 100.")
        return cleaned

    def terms(self) -> services.Terms:
        data = self.cleaned_data
        return services.Terms(
            kind=data["kind"],
            value=data["value"],
            min_order=data["min_order"],
            valid_until=data["valid_until"],
        )


def _noon_of(day) -> datetime:
    """A day staff name, as a time: now if it is today, else noon of that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


class MailDropMailForm(forms.ModelForm):
    """When the pieces went out and what the printer and the post charged: to mark an
    unmailed drop as mailed, or to put right a mailed one."""

    mailed_on = forms.DateField(
        label="Mailed on",
        help_text="The day the pieces went to the post. Not a day still to come.",
    )
    bill = forms.DecimalField(
        label="Cost of the whole drop (£)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Print and postage as billed. Empty: the campaign's cost per piece times "
        "the pieces mailed.",
    )

    class Meta:
        model = MailDrop
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drop = self.instance
        if drop.mailed_at is not None:
            self.fields["mailed_on"].initial = timezone.localdate(drop.mailed_at)
            self.fields["bill"].initial = drop.cost
        else:
            self.fields["mailed_on"].initial = timezone.localdate()

    def clean_mailed_on(self):
        day = self.cleaned_data["mailed_on"]
        if day > timezone.localdate():
            raise ValidationError("That day is still to come: mark the drop once it is mailed.")
        unmailed = self.instance.mailed_at is None
        if unmailed and day < timezone.localdate(self.instance.created_at):
            raise ValidationError(
                "The drop's codes were made on "
                f"{timezone.localdate(self.instance.created_at):%d %B %Y}; it cannot have "
                "been mailed before."
            )
        return day

    def mailed_at(self) -> datetime:
        return _noon_of(self.cleaned_data["mailed_on"])


@admin.register(MailDrop)
class MailDropAdmin(admin.ModelAdmin):
    list_display = ("campaign", "channel", "codes_count", "mailed_at", "pieces", "cost")
    list_select_related = ("campaign",)
    readonly_fields = ("mailed_at", "pieces", "cost")
    actions = ("download_print_file", "mark_mailed")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_codes=Count("codes"))

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = MailDropForm if obj is None else MailDropMailForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("campaign", *self.readonly_fields)
        return ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["campaign", "kind", "value", "min_order", "valid_until", "shared_code"]
        return ["campaign", "mailed_at", "pieces", "cost", "mailed_on", "bill"]

    @admin.display(description="channel")
    def channel(self, obj: MailDrop) -> str:
        return obj.campaign.get_channel_display()

    @admin.display(description="codes", ordering="n_codes")
    def codes_count(self, obj: MailDrop) -> int:
        return getattr(obj, "n_codes", 0)

    def save_model(self, request, obj, form, change):
        if change:
            self._save_mailing(request, obj, form)
            return
        # The form offers only paper campaigns without a drop, and checked the terms.
        shared_code = form.cleaned_data.get("shared_code", "")
        drop, made = services.mail_drop_prepare(
            campaign=form.cleaned_data["campaign"], terms=form.terms(), shared_code=shared_code
        )
        obj.pk = drop.pk
        if shared_code:
            pieces = drop.campaign.recipients.count()
            messages.success(
                request,
                f"One code, {shared_code}, for {pieces} pieces. Download the print file next.",
            )
        else:
            messages.success(request, f"{made} personal codes made. Download the print file next.")

    def _save_mailing(self, request, drop: MailDrop, form: MailDropMailForm) -> None:
        bill = form.cleaned_data.get("bill")
        if drop.mailed_at is None:
            drop = services.mail_drop_mark_mailed(drop=drop, now=form.mailed_at(), cost=bill)
            messages.success(request, f"{drop}: {drop.pieces} pieces mailed, costing £{drop.cost}.")
            return
        services.mail_drop_correct(
            drop=drop, mailed_at=form.mailed_at(), cost=drop.cost if bill is None else bill
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The drop changed under the form (a redemption, a mailing): say so, save nothing.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_download_permission(self, request) -> bool:
        return request.user.has_perm("coupons.download_print_file")

    @admin.action(
        description="Download the print file (CSV: name, address, code)",
        permissions=["download"],
    )
    def download_print_file(self, request, queryset):
        drops = list(queryset.select_related("campaign")[:2])
        if len(drops) != 1:
            self.message_user(request, "Choose exactly one drop.", messages.ERROR)
            return None
        drop = drops[0]
        name = f"print-{drop.campaign.channel}-{drop.pk}-{timezone.localdate().isoformat()}.csv"
        rows = (
            [row.name, row.street, row.city, row.postcode, row.country, row.code]
            for row in selectors.print_rows(drop=drop)
        )
        return csv_download(name, PRINT_HEADER, rows)

    @admin.action(
        description="Mark as mailed now (records pieces and cost)", permissions=["change"]
    )
    def mark_mailed(self, request, queryset):
        for drop in queryset:
            drop = services.mail_drop_mark_mailed(drop=drop)
            self.message_user(
                request, f"{drop}: {drop.pieces} pieces mailed, costing £{drop.cost}."
            )


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ("code", "profile", "order", "discount", "order_total", "redeemed_at")
    list_select_related = ("code", "profile__user", "order")
    search_fields = ("code__code", "order__number")
    date_hierarchy = "redeemed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
