"""The response endpoints behind every campaign e-mail: open pixel, tracked link,
unsubscribe. The token is the only key; none of them needs a login, and none tells
anything about a token it does not know (404, nothing recorded)."""

import base64

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView, View

from campaigns import dashboards, selectors, services
from campaigns.safety import safe_path
from profiles.csvfile import csv_download

# The smallest transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# A HEAD request is a mail scanner or a link checker looking, not the customer: it gets
# the same answer and records nothing (Django would otherwise answer HEAD with get()).
@method_decorator(never_cache, name="dispatch")
class RecipientOpenView(View):
    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        services.recipient_open(recipient=recipient)
        return HttpResponse(PIXEL, content_type="image/gif")

    def head(self, request, token: str):
        selectors.recipient_get_by_token(token=token)
        return HttpResponse(PIXEL, content_type="image/gif")


@method_decorator(never_cache, name="dispatch")
class RecipientClickView(View):
    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token)
        target = services.recipient_click(
            recipient=recipient,
            path=request.GET.get("to"),
            keyword_term=request.GET.get("k", ""),
        )
        # safe_path allowed only a relative path on this site, so no host check is needed.
        return HttpResponseRedirect(target)

    def head(self, request, token: str):
        selectors.recipient_get_by_token(token=token)
        return HttpResponseRedirect(safe_path(request.GET.get("to")) or "/")


# Mail programs POST the one-click unsubscribe (RFC 8058) without a session or a CSRF
# token; the unguessable token in the URL is what authorises it.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class RecipientUnsubscribeView(TemplateView):
    template_name = "campaigns/unsubscribe.html"

    def get(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token, allow_expired=True)
        return self.render_to_response(
            self.get_context_data(recipient=recipient, done=bool(recipient.unsubscribed_at))
        )

    def post(self, request, token: str):
        recipient = selectors.recipient_get_by_token(token=token, allow_expired=True)
        services.recipient_unsubscribe(recipient=recipient, ip_address=client_ip(request))
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return redirect("campaigns:unsubscribe", token=token)


# --- The marketers' dashboards: aggregates only, small cells suppressed ----------------------

DASHBOARD_PERMISSION = "campaigns.view_campaign_dashboards"


class SentBetweenForm(forms.Form):
    """The date range of a dashboard: the campaigns that started going out on or between
    these days (each counted whole)."""

    sent_from = forms.DateField(
        label="Sent from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_to = forms.DateField(
        label="Sent to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("sent_from"), cleaned.get("sent_to")
        if start and end and start > end:
            raise forms.ValidationError("The start of the range must not be after its end.")
        return cleaned

    def range(self) -> dict:
        """The ends of the range that were given, or none at all while the form has
        errors: an empty {} is no range (the form sent with both dates left empty)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            name: self.cleaned_data[name]
            for name in ("sent_from", "sent_to")
            if self.cleaned_data[name] is not None
        }


class DashboardMixin(PermissionRequiredMixin):
    """Marketers and superusers; others signed in get 403, visitors the login page."""

    permission_required = DASHBOARD_PERMISSION


class FilteredDashboardMixin(DashboardMixin):
    def get_form(self) -> SentBetweenForm:
        if not hasattr(self, "_form"):
            fields = ("sent_from", "sent_to")
            data = {name: self.request.GET[name] for name in fields if name in self.request.GET}
            self._form = SentBetweenForm(data or None)
        return self._form

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=self.get_form(), minimum=dashboards.min_cell_size(), **kwargs
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "csv":
            return super().get(request, *args, **kwargs)
        form = self.get_form()
        if form.is_bound and not form.is_valid():
            # A file of every figure would pass for the range asked for: say what is wrong.
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return HttpResponseBadRequest(
                "Bad date range: " + " ".join(errors), content_type="text/plain; charset=utf-8"
            )
        return self.csv_response()


def _display(value, minimum: int) -> str:
    return f"fewer than {minimum}" if value is None else str(value)


def _rate_display(value) -> str:
    return "not shown" if value is None else f"{value}%"


def _chart(labels: list[str], series: list[tuple[str, list]]) -> dict:
    return {
        "labels": labels,
        "datasets": [{"label": label, "values": values} for label, values in series],
    }


class CampaignOverviewView(FilteredDashboardMixin, TemplateView):
    template_name = "marketing/campaign_overview.html"
    CSV_HEADER = [
        "Campaign", "Channel", "Offer", "Sent", "Opened", "Open rate %", "Clicked",
        "Click rate %", "Converted", "Conversion rate %", "Ignored", "Ignored rate %",
        "Unsubscribed", "Unsubscribe rate %", "Revenue", "Cost", "Return",
    ]  # fmt: skip

    def get_rows(self):
        if not hasattr(self, "_rows"):
            self._rows = dashboards.campaign_overview(**self.get_form().range())
        return self._rows

    def csv_response(self) -> HttpResponse:
        return csv_download("campaigns.csv", self.CSV_HEADER, self.csv_rows())

    def csv_rows(self):
        minimum = dashboards.min_cell_size()
        for row in self.get_rows():
            f = row.figures
            if f is None:
                continue  # not sent yet: no figures to export
            line = [row.campaign.name, row.campaign.get_channel_display(), row.campaign.offer.name]
            line.append(_display(f.sent, minimum))
            for name in ("opened", "clicked", "converted", "ignored", "unsubscribed"):
                rate = f.rates[name]
                line += [_display(getattr(f, name), minimum), "" if rate is None else rate]
            line += [
                _display(f.revenue, minimum),
                _display(f.cost, minimum),
                "" if f.roi is None else f.roi,
            ]
            yield line

    def get_context_data(self, **kwargs):
        rows = self.get_rows()
        sent = [row for row in rows if row.figures is not None]
        chart = _chart(
            [row.campaign.name for row in sent],
            [
                (label, [row.figures.rates[name] for row in sent])
                for name, label in (
                    ("opened", "Open rate %"),
                    ("clicked", "Click rate %"),
                    ("converted", "Conversion rate %"),
                )
            ],
        )
        query = self.request.GET.copy()
        query["format"] = "csv"
        return super().get_context_data(
            rows=rows,
            any_sent=bool(sent),
            ranged=bool(self.get_form().range()),
            chart=chart,
            csv_query=query.urlencode(),
            **kwargs,
        )


class CampaignDashboardView(DashboardMixin, TemplateView):
    template_name = "marketing/campaign_detail.html"

    def get_context_data(self, **kwargs):
        campaign = dashboards.campaign_get(pk=self.kwargs["pk"])
        detail = dashboards.campaign_detail(campaign=campaign)
        funnel_chart = _chart(
            [cell.label for cell in detail.funnel],
            [("Customers", [cell.count for cell in detail.funnel])],
        )
        days_chart = _chart(
            [day.day.isoformat() for day in detail.days],
            [
                ("Opened", [day.opened for day in detail.days]),
                ("Clicked", [day.clicked for day in detail.days]),
                ("Converted", [day.converted for day in detail.days]),
            ],
        )
        return super().get_context_data(
            detail=detail,
            minimum=detail.minimum,
            funnel_chart=funnel_chart,
            days_chart=days_chart,
            **kwargs,
        )


class _ComparisonView(FilteredDashboardMixin, TemplateView):
    template_name = "marketing/campaign_comparison.html"
    selector = None
    title = ""
    what = ""
    intro = ""
    show_money = False
    show_clicks = False
    active = ""
    csv_name = ""

    def get_rows(self):
        if not hasattr(self, "_rows"):
            self._rows = type(self).selector(**self.get_form().range())
        return self._rows

    def csv_header(self) -> list[str]:
        header = [
            self.what, "Campaigns sent", "Sent", "Positive responses", "Positive rate %", "Ignored",
            "Ignored rate %", "Converted", "Conversion rate %",
        ]  # fmt: skip
        if self.show_clicks:
            header.append("Clicks on its links")
        if self.show_money:
            header += ["Revenue", "Cost", "Return"]
        return header

    def csv_response(self) -> HttpResponse:
        """The table of the page, cell for cell, small cells suppressed the same way."""
        return csv_download(f"{self.csv_name}.csv", self.csv_header(), self.csv_rows())

    def csv_rows(self):
        minimum = dashboards.min_cell_size()
        blanks = [""] * (len(self.csv_header()) - 3)
        for row in self.get_rows():
            f = row.figures
            if not row.campaigns:
                yield [row.label, 0, "none sent", *blanks]  # not "fewer than 5": nobody
                continue
            line = [row.label, row.campaigns, _display(f.sent, minimum)]
            for name in ("positive", "ignored", "converted"):
                rate = f.rates[name]
                line += [_display(getattr(f, name), minimum), "" if rate is None else rate]
            if self.show_clicks:
                line.append("not shown" if row.clicks is None else row.clicks)
            if self.show_money:
                line += [
                    _display(f.revenue, minimum),
                    _display(f.cost, minimum),
                    "" if f.roi is None else f.roi,
                ]
            yield line

    def get_context_data(self, **kwargs):
        rows = self.get_rows()
        query = self.request.GET.copy()
        query["format"] = "csv"
        chart = _chart(
            [row.label for row in rows],
            [
                ("Positive response rate %", [row.figures.rates["positive"] for row in rows]),
                ("Ignored rate %", [row.figures.rates["ignored"] for row in rows]),
            ],
        )
        return super().get_context_data(
            rows=rows,
            chart=chart,
            title=self.title,
            what=self.what,
            intro=self.intro,
            show_money=self.show_money,
            show_clicks=self.show_clicks,
            # Sent, positive, ignored, converted; clicks; revenue, cost, return.
            figure_columns=4 + self.show_clicks + 3 * self.show_money,
            ranged=bool(self.get_form().range()),
            csv_query=query.urlencode(),
            **kwargs,
        )


class OfferComparisonView(_ComparisonView):
    active = "offers"
    csv_name = "campaign-offers"
    selector = staticmethod(dashboards.offer_comparison)
    title = "Offers compared"
    what = "Offer"
    intro = "Each offer over every campaign that made it."
    show_money = True


class KeywordComparisonView(_ComparisonView):
    active = "keywords"
    csv_name = "campaign-keywords"
    selector = staticmethod(dashboards.keyword_comparison)
    title = "Keywords compared"
    what = "Keyword"
    intro = (
        "Each keyword over every campaign that carries it (a customer counts once for each "
        "keyword of their campaign), and the clicks on links tagged with it."
    )
    show_clicks = True


class ChannelComparisonView(_ComparisonView):
    active = "channels"
    csv_name = "campaign-channels"
    selector = staticmethod(dashboards.channel_comparison)
    title = "Channels compared"
    what = "Channel"
    intro = "E-mail against postcards and letters."
    show_money = True
