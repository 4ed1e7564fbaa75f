"""Reads for the marketers' campaign dashboards: aggregates only, small cells suppressed.

Every figure comes from a GROUP BY over the recipients (annotate/aggregate), so each page
runs a fixed number of queries however many campaigns and recipients there are. A count
covering fewer than settings.MIN_CELL_SIZE customers is not shown (None), nor is anything
it could be worked out from (a rate, the revenue of fewer converters, a cost).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from campaigns.models import Campaign, Channel, Keyword, LinkClick, Offer, Recipient
from campaigns.selectors import _ignored_q
from profiles.aggregates import suppress_partition, suppress_small, suppress_total
from profiles.models import Segment

CENT = Decimal("0.01")
COUNTS = ("sent", "opened", "clicked", "converted", "positive", "ignored", "unsubscribed")
RATES = ("opened", "clicked", "converted", "positive", "ignored", "unsubscribed")
# The segment of responders whose customer was erased since: still counted, in a group
# of their own, so the segments add up to the responders.
ERASED = "_erased"


def min_cell_size() -> int:
    return getattr(settings, "MIN_CELL_SIZE", 5)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def campaigns_started_within(*, sent_from: date | None = None, sent_to: date | None = None):
    """Ids of the campaigns whose first piece went out on or between the two days."""
    started = (
        Recipient.objects.filter(sent_at__isnull=False)
        .order_by()
        .values("campaign_id")
        .annotate(first_sent=Min("sent_at"))
    )
    if sent_from:
        started = started.filter(first_sent__gte=_start_of(sent_from))
    if sent_to:
        started = started.filter(first_sent__lt=_start_of(sent_to + timedelta(days=1)))
    return started.values("campaign_id")


def sent_recipients(*, sent_from: date | None = None, sent_to: date | None = None):
    """Recipients a campaign was sent to; with a date range, every one of the campaigns
    that started going out within it.

    A range takes whole campaigns, never the recipients of some days: a campaign sent in
    batches over two days would otherwise show other figures for ranges a day apart, and
    the difference would be the few customers of that day, a cell too small to show.
    """
    recipients = Recipient.objects.filter(sent_at__isnull=False)
    if sent_from or sent_to:
        recipients = recipients.filter(
            campaign__in=campaigns_started_within(sent_from=sent_from, sent_to=sent_to)
        )
    return recipients.order_by()


def _counts(now: datetime) -> dict:
    """Per group of sent recipients: every count and the revenue."""
    return {
        "sent": Count("pk"),
        "opened": Count("pk", filter=Q(opened_at__isnull=False)),
        "clicked": Count("pk", filter=Q(clicked_at__isnull=False)),
        "converted": Count("pk", filter=Q(converted_at__isnull=False)),
        "positive": Count("pk", filter=Q(clicked_at__isnull=False) | Q(converted_at__isnull=False)),
        "ignored": Count("pk", filter=_ignored_q(now=now)),
        "unsubscribed": Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        "revenue": Sum("conversion_amount"),
    }


def _aggregates(now: datetime) -> dict:
    """Per group of sent recipients: every count, the revenue and the paper cost."""
    return {
        **_counts(now),
        # Print and postage: one piece per sent recipient; e-mail costs nothing per piece.
        "cost": Sum(
            F("campaign__cost_per_piece"),
            filter=~Q(campaign__channel=Channel.EMAIL),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    }


@dataclass
class Figures:
    """One row of a dashboard: counts (None = suppressed), rates in percent, money."""

    sent: int | None = None
    opened: int | None = None
    clicked: int | None = None
    converted: int | None = None
    positive: int | None = None
    ignored: int | None = None
    unsubscribed: int | None = None
    rates: dict[str, float | None] = field(default_factory=dict)
    revenue: Decimal | None = None
    cost: Decimal | None = None
    roi: Decimal | None = None  # revenue / cost; None when there is no cost or it is hidden

    @property
    def counts_and_rates(self) -> list[tuple[int | None, float | None]]:
        """Opened, clicked, converted, ignored, unsubscribed: each with its rate of sent."""
        names = ("opened", "clicked", "converted", "ignored", "unsubscribed")
        return [(getattr(self, name), self.rates[name]) for name in names]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def figures_from(raw: dict | None, minimum: int, hidden: frozenset[str] = frozenset()) -> Figures:
    """Figures of one row; the counts named in `hidden` are suppressed whatever their size."""
    raw = raw or {}
    shown = {
        name: None if name in hidden else suppress_small(raw.get(name) or 0, minimum)
        for name in COUNTS
    }
    figures = Figures(**shown)
    sent = shown["sent"]
    figures.rates = {
        name: round(100 * shown[name] / sent, 1) if sent and shown[name] is not None else None
        for name in RATES
    }
    if shown["converted"] is not None:
        figures.revenue = _money(raw.get("revenue"))
    if sent is not None:
        figures.cost = _money(raw.get("cost"))
    if figures.revenue is not None and figures.cost:
        figures.roi = (figures.revenue / figures.cost).quantize(CENT)
    return figures


def _per_campaign_in_groups(recipients: QuerySet, key: str, now: datetime) -> dict[object, list]:
    """Each group's campaigns, one row of figures per campaign: the overview shows these
    rows one by one, so a group's total must be judged against them (see _combined)."""
    groups: dict[object, list] = {}
    for row in recipients.values(key, "campaign_id").annotate(**_aggregates(now)):
        groups.setdefault(row[key], []).append(row)
    return groups


def _combined(parts: list[dict], minimum: int) -> Figures:
    """The figures of a group of campaigns whose own figures the overview publishes.

    The group's total less the campaigns shown is the sum of those hidden: a count is
    shown only when that sum is nobody or at least `minimum` customers.
    """
    raw = {name: sum(part.get(name) or 0 for part in parts) for name in COUNTS}
    for money in ("revenue", "cost"):
        raw[money] = sum(part.get(money) or 0 for part in parts)
    hidden = frozenset(
        name
        for name in COUNTS
        if suppress_total([part.get(name) or 0 for part in parts], minimum) is None
    )
    return figures_from(raw, minimum, hidden)


# --- Overview: every campaign -------------------------------------------------------------------


@dataclass
class CampaignRow:
    campaign: Campaign
    figures: Figures | None  # None: nothing of it has gone out yet


def campaign_overview(
    *, sent_from: date | None = None, sent_to: date | None = None, now: datetime | None = None
) -> list[CampaignRow]:
    """Every campaign with its figures, in two queries; with a date range, only the
    campaigns that started going out within it, each whole.

    Without a range, campaigns not sent yet are rows too, with no figures: a draft has
    no response to count, and "fewer than 5" would say it had a few.

    One campaign has one cost per piece, so its cost is worked out here from the count
    sent: the GROUP BY then reads the recipients alone, with no join on a million rows.
    """
    now = now or timezone.now()
    minimum = min_cell_size()
    recipients = sent_recipients(sent_from=sent_from, sent_to=sent_to)
    raw = {
        row["campaign_id"]: row for row in recipients.values("campaign_id").annotate(**_counts(now))
    }
    ranged = bool(sent_from or sent_to)
    rows = []
    for campaign in Campaign.objects.select_related("offer"):
        counts = raw.get(campaign.pk)
        if counts is None:
            if not ranged:
                rows.append(CampaignRow(campaign=campaign, figures=None))
            continue
        if campaign.channel != Channel.EMAIL:
            counts = {**counts, "cost": counts["sent"] * campaign.cost_per_piece}
        rows.append(CampaignRow(campaign=campaign, figures=figures_from(counts, minimum)))
    return rows


# --- One campaign -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None


@dataclass(frozen=True)
class DayRow:
    day: date
    opened: int | None
    clicked: int | None
    converted: int | None


@dataclass(frozen=True)
class KeywordClicks:
    term: str
    clicks: int | None
    customers: int | None  # who clicked a link tagged with it: a positive response
    converted: int | None = None  # of those, who went on to order


@dataclass
class CampaignDetail:
    campaign: Campaign
    figures: Figures
    funnel: list[Cell]
    days: list[DayRow]
    keywords: list[KeywordClicks]
    segments: list[Cell]
    minimum: int


def campaign_get(*, pk: int) -> Campaign:
    campaign = Campaign.objects.select_related("offer").filter(pk=pk).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def _per_day(recipients: QuerySet, column: str) -> dict[date, int]:
    rows = (
        recipients.filter(**{f"{column}__isnull": False})
        .annotate(day=TruncDate(column))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return dict(rows)


def campaign_detail(*, campaign: Campaign, now: datetime | None = None) -> CampaignDetail:
    """Funnel, responses per day, keywords by positive response and responding segments
    (opened, clicked or converted): seven queries with the campaign's own."""
    now = now or timezone.now()
    minimum = min_cell_size()
    recipients = sent_recipients().filter(campaign=campaign)
    figures = figures_from(recipients.aggregate(**_aggregates(now)), minimum)
    funnel = [
        Cell("Sent", figures.sent),
        Cell("Opened", figures.opened),
        Cell("Clicked", figures.clicked),
        Cell("Converted", figures.converted),
    ]
    columns = ("opened", "clicked", "converted")
    per_day = {column: _per_day(recipients, f"{column}_at") for column in columns}
    day_list = sorted(set().union(*per_day.values()))
    # Each recipient responds on one day, so the days split the funnel's totals.
    shown = {
        column: suppress_partition([counts.get(day, 0) for day in day_list], minimum)
        for column, counts in per_day.items()
    }
    days = [
        DayRow(
            day=day,
            opened=shown["opened"][index],
            clicked=shown["clicked"][index],
            converted=shown["converted"][index],
        )
        for index, day in enumerate(day_list)
    ]
    keyword_rows = (
        LinkClick.objects.filter(recipient__in=recipients, keyword__isnull=False)
        .order_by()
        .values("keyword__term")
        .annotate(
            clicks=Count("pk"),
            customers=Count("recipient", distinct=True),
            converted=Count(
                "recipient", distinct=True, filter=Q(recipient__converted_at__isnull=False)
            ),
        )
    )
    keywords = []
    for row in keyword_rows:
        customers = suppress_small(row["customers"], minimum)
        keywords.append(
            KeywordClicks(
                term=row["keyword__term"],
                clicks=row["clicks"] if customers is not None else None,
                customers=customers,
                converted=suppress_small(row["converted"], minimum) if customers else None,
            )
        )
    # Ranked by positive response: who clicked, then who converted, then clicks.
    keywords.sort(
        key=lambda k: (
            k.customers is None,
            -(k.customers or 0),
            -(k.converted or 0),
            -(k.clicks or 0),
            k.term,
        )
    )
    segment_counts = dict(
        recipients.filter(
            Q(opened_at__isnull=False) | Q(clicked_at__isnull=False) | Q(converted_at__isnull=False)
        )
        .annotate(
            segment=Case(
                When(profile__isnull=True, then=Value(ERASED)),
                default=F("profile__buying_pattern__segment"),
                output_field=CharField(),
            )
        )
        .values("segment")
        .annotate(n=Count("pk"))
        .values_list("segment", "n")
    )
    labels = {**dict(Segment.choices), ERASED: "Erased on request"}
    keys = [key for key in [*Segment.values, None, ERASED] if segment_counts.get(key)]
    shown = suppress_partition([segment_counts[key] for key in keys], minimum)
    segments = [
        Cell(labels.get(key, "No buying pattern yet"), count)
        for key, count in zip(keys, shown, strict=True)
    ]
    return CampaignDetail(
        campaign=campaign,
        figures=figures,
        funnel=funnel,
        days=days,
        keywords=keywords,
        segments=segments,
        minimum=minimum,
    )


# --- Compared across campaigns ------------------------------------------------------------------


@dataclass
class GroupRow:
    label: str
    campaigns: int  # those that went out (in the date range, if one is given)
    figures: Figures
    clicks: int | None = None  # keywords: clicks on links tagged with it
    key: str = ""


def offer_comparison(
    *, sent_from: date | None = None, sent_to: date | None = None, now: datetime | None = None
) -> list[GroupRow]:
    """Every offer, over all the campaigns that made it: two queries."""
    now = now or timezone.now()
    minimum = min_cell_size()
    recipients = sent_recipients(sent_from=sent_from, sent_to=sent_to)
    groups = _per_campaign_in_groups(recipients, "campaign__offer_id", now)
    offers = Offer.objects.order_by("name", "pk")
    return [
        GroupRow(
            label=offer.name,
            campaigns=len(groups.get(offer.pk, [])),
            figures=_combined(groups.get(offer.pk, []), minimum),
            key=str(offer.pk),
        )
        for offer in offers
    ]


def keyword_comparison(
    *, sent_from: date | None = None, sent_to: date | None = None, now: datetime | None = None
) -> list[GroupRow]:
    """Every keyword, over the campaigns that carry it, with the clicks on its links: three
    queries."""
    now = now or timezone.now()
    minimum = min_cell_size()
    recipients = sent_recipients(sent_from=sent_from, sent_to=sent_to)
    groups = _per_campaign_in_groups(
        recipients.filter(campaign__keywords__isnull=False), "campaign__keywords", now
    )
    # Clicks per campaign and keyword, as each campaign's page shows them.
    clicks: dict[int, list[dict]] = {}
    for row in (
        LinkClick.objects.filter(recipient__in=recipients, keyword__isnull=False)
        .order_by()
        .values("keyword_id", "recipient__campaign_id")
        .annotate(clicks=Count("pk"), customers=Count("recipient", distinct=True))
    ):
        clicks.setdefault(row["keyword_id"], []).append(row)
    keywords = Keyword.objects.order_by("term")
    rows = []
    for keyword in keywords:
        clicked = clicks.get(keyword.pk, [])
        customers = suppress_total([part["customers"] for part in clicked], minimum)
        rows.append(
            GroupRow(
                label=keyword.term,
                campaigns=len(groups.get(keyword.pk, [])),
                figures=_combined(groups.get(keyword.pk, []), minimum),
                clicks=sum(part["clicks"] for part in clicked) if customers else None,
                key=str(keyword.pk),
            )
        )
    return rows


def channel_comparison(
    *, sent_from: date | None = None, sent_to: date | None = None, now: datetime | None = None
) -> list[GroupRow]:
    """E-mail against postcard against letter: one query."""
    now = now or timezone.now()
    minimum = min_cell_size()
    recipients = sent_recipients(sent_from=sent_from, sent_to=sent_to)
    groups = _per_campaign_in_groups(recipients, "campaign__channel", now)
    return [
        GroupRow(
            label=label,
            campaigns=len(groups.get(value, [])),
            figures=_combined(groups.get(value, []), minimum),
            key=value,
        )
        for value, label in Channel.choices
    ]
