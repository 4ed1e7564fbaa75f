"""Reads for /marketing/coupons/: which pieces pay. Aggregates only, small cells suppressed.

Every figure is a GROUP BY (sent recipients per campaign, redemptions per campaign, per
channel and per week), so the page runs a fixed number of queries however many pieces,
codes and redemptions there are. A count covering fewer than MIN_CELL_SIZE customers is
not shown (None), nor anything it could be worked out from.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from campaigns.dashboards import min_cell_size
from campaigns.models import Campaign, Channel, Recipient
from coupons.models import CouponCode, Redemption
from profiles.aggregates import suppress_small, suppress_table, suppress_total

CENT = Decimal("0.01")
PAPER = (Channel.POSTCARD, Channel.LETTER)
NO_CAMPAIGN = "No campaign (shop-wide codes)"


@dataclass
class Figures:
    """One row: counts (None = suppressed), the rate in percent, money."""

    mailed: int | None = None
    redeemed: int | None = None
    rate: float | None = None
    revenue: Decimal | None = None
    discount: Decimal | None = None
    cost: Decimal | None = None
    roi: Decimal | None = None  # revenue / cost


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def figures_from(
    *,
    mailed: int,
    redemptions: dict | None,
    cost: Decimal,
    minimum: int,
    mailed_hidden: bool = False,
    redemptions_hidden: bool = False,
) -> Figures:
    """One row; the `*_hidden` flags suppress a figure that another page would give away."""
    redemptions = redemptions or {}
    figures = Figures(mailed=None if mailed_hidden else suppress_small(mailed, minimum))
    customers = suppress_small(redemptions.get("customers") or 0, minimum)
    if customers is not None and not redemptions_hidden:
        figures.redeemed = redemptions.get("redeemed") or 0
        figures.revenue = _money(redemptions.get("revenue"))
        figures.discount = _money(redemptions.get("discount"))
    if figures.mailed is not None:
        figures.cost = _money(cost)
        if figures.redeemed is not None and figures.mailed:
            figures.rate = round(100 * figures.redeemed / figures.mailed, 1)
    if figures.revenue is not None and figures.cost:
        figures.roi = (figures.revenue / figures.cost).quantize(CENT)
    return figures


def _redemption_aggregates() -> dict:
    return {
        "redeemed": Count("pk"),
        # Erased customers (profile NULL) still count as someone: each is one redemption.
        "customers": Count("profile", distinct=True) + Count("pk", filter=Q(profile__isnull=True)),
        "revenue": Sum("order_total"),
        "discount": Sum("discount"),
    }


@dataclass
class PieceRow:
    campaign: Campaign | None  # None: the shop-wide codes
    mailed_at: datetime | None
    figures: Figures
    cost_raw: Decimal = Decimal("0")
    redemptions_raw: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Names the piece in the monthly series: its campaign, or "" for shop-wide codes."""
        return str(self.campaign.pk) if self.campaign else ""


def _cost(campaign: Campaign, mailed: int) -> Decimal:
    if campaign.channel not in PAPER:
        return Decimal("0")
    drop = getattr(campaign, "mail_drop", None)
    if drop is not None and drop.mailed_at is not None:
        return drop.cost
    return campaign.cost_per_piece * mailed


def pieces(*, minimum: int | None = None) -> list[PieceRow]:
    """Every postcard and letter campaign, and any other campaign with codes: three
    queries."""
    minimum = minimum or min_cell_size()
    with_codes = Exists(CouponCode.objects.filter(campaign=OuterRef("pk")))
    campaigns = list(
        Campaign.objects.filter(Q(channel__in=PAPER) | with_codes)
        .select_related("mail_drop")
        .order_by("-created_at", "-pk")
    )
    mailed = dict(
        Recipient.objects.filter(sent_at__isnull=False, campaign__in=[c.pk for c in campaigns])
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    redeemed: dict[int | None, dict] = {
        row["code__campaign_id"]: dict(row)
        for row in Redemption.objects.order_by()
        .values("code__campaign_id")
        .annotate(**_redemption_aggregates())
    }
    rows = []
    for campaign in campaigns:
        sent = mailed.get(campaign.pk, 0)
        cost = _cost(campaign, sent)
        drop = getattr(campaign, "mail_drop", None)
        rows.append(
            PieceRow(
                campaign=campaign,
                mailed_at=drop.mailed_at if drop else None,
                figures=figures_from(
                    mailed=sent, redemptions=redeemed.get(campaign.pk), cost=cost, minimum=minimum
                ),
                cost_raw=cost,
                redemptions_raw=redeemed.get(campaign.pk) or {},
            )
        )
    shop_wide = redeemed.get(None)
    if shop_wide:
        rows.append(
            PieceRow(
                campaign=None,
                mailed_at=None,
                figures=figures_from(
                    mailed=0, redemptions=shop_wide, cost=Decimal("0"), minimum=minimum
                ),
                redemptions_raw=shop_wide,
            )
        )
    return rows


@dataclass
class ChannelRow:
    key: str
    label: str
    figures: Figures


def channels(*, rows: list[PieceRow], minimum: int | None = None) -> list[ChannelRow]:
    """Postcards, letters and e-mail side by side: one query (sent per campaign); the
    redemptions and costs come from the piece rows already read.

    A channel adds up campaigns whose own figures are published (here and on the campaign
    overview), so a channel's figure is hidden when it less the shown campaigns would give
    the hidden ones away (profiles.aggregates.suppress_total).
    """
    minimum = minimum or min_cell_size()
    sent: dict[str, list[int]] = {}
    for channel, n in (
        Recipient.objects.filter(sent_at__isnull=False)
        .order_by()
        .values("campaign_id", "campaign__channel")
        .annotate(n=Count("pk"))
        .values_list("campaign__channel", "n")
    ):
        sent.setdefault(channel, []).append(n)
    pieces_of: dict[str, list[PieceRow]] = {}
    for row in rows:
        if row.campaign is not None:
            pieces_of.setdefault(row.campaign.channel, []).append(row)
    result = []
    for value, label in Channel.choices:
        pieces_here = pieces_of.get(value, [])
        parts = [row.redemptions_raw for row in pieces_here]
        customers = [part.get("customers") or 0 for part in parts]
        redemptions = {
            name: sum(part.get(name) or 0 for part in parts)
            for name in ("redeemed", "revenue", "discount")
        }
        redemptions["customers"] = sum(customers)
        result.append(
            ChannelRow(
                key=value,
                label=label,
                figures=figures_from(
                    mailed=sum(sent.get(value, [])),
                    redemptions=redemptions,
                    cost=sum((row.cost_raw for row in pieces_here), Decimal("0")),
                    minimum=minimum,
                    mailed_hidden=suppress_total(sent.get(value, []), minimum) is None,
                    redemptions_hidden=suppress_total(customers, minimum) is None,
                ),
            )
        )
    return result


ALL = "all"


@dataclass
class Monthly:
    months: list[date] = field(default_factory=list)
    # ALL, or a piece's key (PieceRow.key) -> a count (None: suppressed) per month
    series: dict[str, list[int | None]] = field(default_factory=dict)


def redemptions_by_month(*, rows: list[PieceRow], minimum: int | None = None) -> Monthly:
    """Redemptions per month, in all and per piece: one query.

    Months rather than weeks or days: paper is answered over weeks, and finer cells would
    mostly be too small to show. Each piece's total is in its row and each month's total
    is the "all" series, so the cells are suppressed as one table with those margins.
    """
    minimum = minimum or min_cell_size()
    counts: dict[tuple[str, date], int] = {}
    for month, campaign_id, n in (
        Redemption.objects.annotate(month=TruncMonth("redeemed_at"))
        .order_by()
        .values("month", "code__campaign_id")
        .annotate(n=Count("pk"))
        .values_list("month", "code__campaign_id", "n")
    ):
        day = month.date() if hasattr(month, "date") else month
        key = str(campaign_id) if campaign_id else ""
        counts[(key, day)] = counts.get((key, day), 0) + n
        counts[(ALL, day)] = counts.get((ALL, day), 0) + n
    months = sorted({month for _, month in counts})
    keys = [row.key for row in rows if any((row.key, month) in counts for month in months)]
    cells = {(key, month): counts.get((key, month), 0) for key in [ALL, *keys] for month in months}
    published = {row.key for row in rows if row.figures.redeemed is not None}
    lines = [(None, [(key, month) for month in months]) for key in keys if key in published]
    lines += [((ALL, month), [(key, month) for key in keys]) for month in months]
    lines.append((None, [(ALL, month) for month in months]))
    shown = suppress_table(cells, lines, minimum)
    series = {key: [shown[(key, month)] for month in months] for key in [ALL, *keys]}
    return Monthly(months=months, series=series)
