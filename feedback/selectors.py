"""The read side of feedback: whose item it is, and the wish list's aggregates."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.validators import validate_email
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from feedback.models import FeedbackItem, FeedbackKind, FeedbackTopic
from profiles.aggregates import suppress_small, suppress_table
from profiles.models import CustomerProfile
from profiles.selectors import profile_ids_with_email
from shop.models import Order

TOP_TOPICS = 20
TREND_TOPICS = 5
TREND_MONTHS = 6


def min_cell_size() -> int:
    return getattr(settings, "MIN_CELL_SIZE", 5)


def is_email(identifier: str) -> bool:
    try:
        validate_email(identifier)
    except Exception:
        return False
    return True


def profile_for_identifier(identifier: str) -> CustomerProfile | None:
    """The profile a guest's e-mail address or order number points at, if any.

    E-mail matches the account's address or a current e-mail fact, ignoring case (an
    address several customers share matches none); an order number matches the shop's
    order. Read-only: the shop is only looked at.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    if is_email(identifier):
        ids = profile_ids_with_email(identifier)
        return CustomerProfile.objects.get(pk=ids.pop()) if len(ids) == 1 else None
    order = Order.objects.filter(number=identifier).select_related("profile").first()
    return order.profile if order else None


def reply_address(item: FeedbackItem) -> str:
    """Where a reply goes: the customer's own address when signed in, else the address
    the guest gave; a guest who gave only an order number gets one through that order's
    account (staff see the link is unverified before they write)."""
    profile = item.profile
    if item.link_verified and profile is not None:
        return profile.user.email
    if item.identifier and is_email(item.identifier):
        return item.identifier
    return profile.user.email if profile is not None else ""


# --- The wish list -------------------------------------------------------------------


@dataclass(frozen=True)
class TopicRow:
    topic: str
    items: int | None
    customers: int | None
    last_at: datetime | None


@dataclass(frozen=True)
class WishList:
    kind: str
    rows: list[TopicRow]
    hidden: int
    months: list[date]
    trend: dict[str, list[int | None]]
    minimum: int
    suppressed: bool


def _customers():
    # A profile counts once; a guest (or erased) item is one customer each.
    return Count("profile", distinct=True) + Count("pk", filter=Q(profile__isnull=True))


def _month_starts(now: datetime, months: int) -> list[date]:
    first = timezone.localdate(now).replace(day=1)
    starts = []
    year, month = first.year, first.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def _suppressed_trend(values: list[int], *, total: int, minimum: int) -> list[int | None]:
    """A topic's customers per month, beside its published total: small months go, and
    so does another while the total less the shown months would single out a few (the
    months before the trend count as one more hidden cell). An empty month shows 0."""
    older = max(total - sum(values), 0)
    counts = {**dict(enumerate(values)), "older": older}
    shown = suppress_table(counts, [(None, list(counts))], minimum)
    return [0 if not value else shown[index] for index, value in enumerate(values)]


def wish_list(*, kind: str = FeedbackKind.WISH, suppress: bool, now: datetime | None = None):
    """The most mentioned topics of one kind with counts, and a monthly trend of the
    top few. With `suppress` (Marketing), topics mentioned by fewer than the minimum of
    customers are hidden, and so is every trend cell below it. Two queries."""
    now = now or timezone.now()
    minimum = min_cell_size()
    counted = (
        FeedbackTopic.objects.filter(kind=kind)
        .values("topic")
        .annotate(items=Count("pk"), customers=_customers(), last_at=Max("created_at"))
        .order_by("-customers", "-items", "topic")
    )
    rows: list[TopicRow] = []
    hidden = 0
    for row in counted:
        if suppress and suppress_small(row["customers"], minimum) is None:
            hidden += 1
            continue
        if len(rows) < TOP_TOPICS:
            rows.append(TopicRow(row["topic"], row["items"], row["customers"], row["last_at"]))
    months = _month_starts(now, TREND_MONTHS)
    top = [row.topic for row in rows[:TREND_TOPICS]]
    trend: dict[str, list[int | None]] = {topic: [0] * len(months) for topic in top}
    if top:
        start = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
        cells = (
            FeedbackTopic.objects.filter(kind=kind, topic__in=top, created_at__gte=start)
            .annotate(month=TruncMonth("created_at"))
            .values("topic", "month")
            .annotate(customers=_customers())
        )
        index = {month: n for n, month in enumerate(months)}
        for cell in cells:
            month = cell["month"]
            month = month.date() if isinstance(month, datetime) else month
            if month in index:
                trend[cell["topic"]][index[month]] = cell["customers"]
        if suppress:
            totals = {row.topic: row.customers for row in rows}
            trend = {
                topic: _suppressed_trend(values, total=totals[topic], minimum=minimum)
                for topic, values in trend.items()
            }
    return WishList(
        kind=kind,
        rows=rows,
        hidden=hidden,
        months=months,
        trend=trend,
        minimum=minimum,
        suppressed=suppress,
    )


def topic_customers(*, kind: str, topic: str) -> int:
    return FeedbackTopic.objects.filter(kind=kind, topic=topic).aggregate(n=_customers())["n"]


def topic_items(*, kind: str, topic: str, suppress: bool) -> QuerySet[FeedbackItem]:
    """The items behind one topic, newest first. With `suppress`, a topic below the
    minimum of customers does not exist (404), as on the list."""
    if (
        suppress
        and suppress_small(topic_customers(kind=kind, topic=topic), min_cell_size()) is None
    ):
        raise Http404("No such topic on the wish list.")
    items = FeedbackItem.objects.filter(topic_rows__kind=kind, topic_rows__topic=topic)
    if suppress:
        # Marketing reads what was wished for, never who wished it.
        return items.only("pk", "kind", "text", "created_at", "status").order_by("-created_at")
    return items.select_related("profile__user", "assignee").order_by("-created_at")


def items_for_profile(profile: CustomerProfile) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(profile=profile).order_by("created_at", "pk")
