"""The marketers' coupon effectiveness page: which postcards and letters pay."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.views.generic import TemplateView

from campaigns.dashboards import min_cell_size
from coupons import dashboards
from profiles.csvfile import csv_download

DASHBOARD_PERMISSION = "coupons.view_coupon_dashboards"


def _shown(value, minimum: int) -> str:
    return f"fewer than {minimum}" if value is None else str(value)


def _chart(labels: list[str], series: list[tuple[str, list]]) -> dict:
    return {
        "labels": labels,
        "datasets": [{"label": label, "values": values} for label, values in series],
    }


class CouponDashboardView(PermissionRequiredMixin, TemplateView):
    """Marketers and superusers; others signed in get 403, visitors the login page."""

    permission_required = DASHBOARD_PERMISSION
    template_name = "marketing/coupon_dashboard.html"
    CSV_HEADER = [
        "Piece", "Channel", "Mailed on", "Mailed", "Redeemed", "Redemption rate %",
        "Revenue", "Discount given", "Cost", "Return on cost",
    ]  # fmt: skip

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def csv_response(self) -> HttpResponse:
        return csv_download("coupons.csv", self.CSV_HEADER, self.csv_rows())

    def csv_rows(self):
        minimum = min_cell_size()
        for row in dashboards.pieces(minimum=minimum):
            f = row.figures
            campaign = row.campaign
            yield [
                campaign.name if campaign else dashboards.NO_CAMPAIGN,
                campaign.get_channel_display() if campaign else "",
                row.mailed_at.date().isoformat() if row.mailed_at else "",
                _shown(f.mailed, minimum) if campaign else "",
                _shown(f.redeemed, minimum),
                "" if f.rate is None else f.rate,
                _shown(f.revenue, minimum),
                _shown(f.discount, minimum),
                _shown(f.cost, minimum) if campaign else "",
                "" if f.roi is None else f.roi,
            ]

    def get_context_data(self, **kwargs):
        minimum = min_cell_size()
        rows = dashboards.pieces(minimum=minimum)
        channel_rows = dashboards.channels(rows=rows, minimum=minimum)
        monthly = dashboards.redemptions_by_month(rows=rows, minimum=minimum)
        labels = {dashboards.ALL: "All codes", "": "Shop-wide codes"}
        labels.update({row.key: row.campaign.name for row in rows if row.campaign})
        weeks_chart = _chart(
            [month.strftime("%B %Y") for month in monthly.months],
            [
                (labels[key], values)
                for key, values in monthly.series.items()
                if any(value is not None for value in values)
            ],
        )
        week_table = [
            (label, [dataset["values"][n] for dataset in weeks_chart["datasets"]])
            for n, label in enumerate(weeks_chart["labels"])
        ]
        channel_chart = _chart(
            [row.label for row in channel_rows],
            [("Redemption rate %", [row.figures.rate for row in channel_rows])],
        )
        return super().get_context_data(
            rows=rows,
            channel_rows=channel_rows,
            weeks_chart=weeks_chart,
            channel_chart=channel_chart,
            week_table=week_table,
            has_weeks=bool(monthly.months),
            minimum=minimum,
            no_campaign=dashboards.NO_CAMPAIGN,
            **kwargs,
        )
