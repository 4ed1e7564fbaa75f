"""`manage.py seed_demo`'s campaign part: offers, keywords, a draft, and sent campaigns
whose responses fill every marketing dashboard with figures big enough to be shown."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import Q

from campaigns import dashboards
from campaigns.demo import (
    DEMO_CAMPAIGN,
    LETTER_CAMPAIGN,
    PAPER_ARRIVES_AFTER,
    PAPER_CAMPAIGNS,
    POSTCARD_CAMPAIGN,
    SENT_CAMPAIGNS,
    seed_demo_campaigns,
)
from campaigns.models import (
    CHANNEL_PURPOSE,
    Campaign,
    CampaignStatus,
    Channel,
    Keyword,
    LinkClick,
    Offer,
    Recipient,
)
from campaigns.selectors import conversion_window
from campaigns.services import conversions_attribute
from profiles.models import Consent, Kind, ProfileFact, Source, Touchpoint

pytestmark = pytest.mark.django_db

SUPPRESSED = "fewer than"


def test_without_demo_customers_only_the_material_and_the_draft_are_seeded():
    lines: list[str] = []
    summary = "3 offers, 4 keywords, 1 draft campaign, 0 sent"
    assert seed_demo_campaigns(out=lines.append) == summary
    seed_demo_campaigns(out=lines.append)
    assert (Offer.objects.count(), Keyword.objects.count(), Campaign.objects.count()) == (3, 4, 1)
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.status == CampaignStatus.DRAFT
    assert set(campaign.keywords.values_list("term", flat=True)) == {"tea", "books"}
    assert not Recipient.objects.exists()


def _seed(app_label: str) -> str:
    return apps.get_app_config(app_label).seed_demo(out=lambda _line: None)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Campaign, Recipient, LinkClick, Touchpoint, ProfileFact, Consent)
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The accounts' and shop's demo people, then the campaigns, once for the module."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        _seed("accounts")
        _seed("shop")
        before = row_counts()
        summary = _seed("campaigns")
        yield {"summary": summary, "before": before, "after": row_counts()}
        transaction.set_rollback(True)


def test_five_campaigns_went_out_on_every_channel(seeded):
    assert seeded["summary"] == "3 offers, 4 keywords, 1 draft campaign, 5 sent"
    sent = Campaign.objects.filter(name__in=SENT_CAMPAIGNS)
    assert sent.count() == 5
    assert set(sent.values_list("status", flat=True)) == {CampaignStatus.SENT}
    assert set(sent.values_list("channel", flat=True)) == set(Channel.values)
    for name in PAPER_CAMPAIGNS:
        assert Campaign.objects.get(name=name).cost_per_piece > 0
    assert Campaign.objects.get(name=POSTCARD_CAMPAIGN).channel == Channel.POSTCARD
    assert Campaign.objects.get(name=LETTER_CAMPAIGN).channel == Channel.LETTER
    assert Campaign.objects.get(name=DEMO_CAMPAIGN).status == CampaignStatus.DRAFT
    assert not Recipient.objects.filter(sent_at__isnull=True).exists()


def test_a_second_run_adds_nothing(seeded):
    assert seeded["after"]["Recipient"] > 150
    assert _seed("campaigns") == seeded["summary"]
    assert row_counts() == seeded["after"]


def _consent_at(profile_id: int, purpose: str, at) -> bool:
    latest = (
        Consent.objects.filter(profile_id=profile_id, purpose=purpose, recorded_at__lte=at)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return bool(latest and latest.granted)


def test_every_recipient_had_consent_for_the_channel_when_it_went_out(seeded):
    recipients = Recipient.objects.select_related("campaign", "profile")
    for recipient in recipients:
        purpose = CHANNEL_PURPOSE[Channel(recipient.campaign.channel)]
        assert _consent_at(recipient.profile_id, purpose, recipient.sent_at), recipient.pk
        assert recipient.profile.created_at < recipient.sent_at


def test_an_unsubscribe_withdrew_the_consent_and_later_campaigns_left_them_out(seeded):
    leavers = Recipient.objects.filter(unsubscribed_at__isnull=False).select_related("campaign")
    assert leavers.count() >= 25
    for leaver in leavers:
        purpose = CHANNEL_PURPOSE[Channel(leaver.campaign.channel)]
        assert not _consent_at(leaver.profile_id, purpose, leaver.unsubscribed_at)
        later = Recipient.objects.filter(
            profile=leaver.profile_id,
            sent_at__gt=leaver.unsubscribed_at,
            campaign__channel__in=[c for c, p in CHANNEL_PURPOSE.items() if p == purpose],
        )
        assert not later.exists()


def _first_order(profile_id, start):
    return (
        Touchpoint.objects.filter(
            profile_id=profile_id,
            kind=Kind.ORDER_PLACED,
            occurred_at__gte=start,
            occurred_at__lt=start + conversion_window(),
        )
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", "amount")
        .first()
    )


def test_conversions_are_orders_in_the_window_after_a_response_or_the_paper_piece(seeded):
    converted = Recipient.objects.filter(converted_at__isnull=False).select_related("campaign")
    assert converted.count() >= 30
    for recipient in converted:
        responses = [t for t in (recipient.opened_at, recipient.clicked_at) if t]
        # What conversions_attribute finds: the first order in the window after the first
        # open or click; or, on paper, a coupon redeemed once the piece had arrived.
        found = [_first_order(recipient.profile_id, min(responses))] if responses else []
        if recipient.campaign.channel != Channel.EMAIL:
            found.append(
                _first_order(recipient.profile_id, recipient.sent_at + PAPER_ARRIVES_AFTER)
            )
        assert (recipient.converted_at, recipient.conversion_amount) in found, recipient.pk
    # Attribution finds nothing more to record.
    for campaign in Campaign.objects.filter(name__in=SENT_CAMPAIGNS):
        assert conversions_attribute(campaign=campaign) == 0


def test_every_response_is_on_the_customers_timeline_and_clicks_teach_likes(seeded):
    recipients = Recipient.objects.all()
    kinds = {
        Kind.CAMPAIGN_SENT: recipients.count(),
        Kind.CAMPAIGN_OPENED: recipients.filter(
            opened_at__isnull=False, campaign__channel=Channel.EMAIL
        ).count(),
        Kind.CAMPAIGN_CLICKED: recipients.filter(clicked_at__isnull=False).count(),
        Kind.CAMPAIGN_CONVERTED: recipients.filter(converted_at__isnull=False).count(),
        Kind.CAMPAIGN_UNSUBSCRIBED: recipients.filter(unsubscribed_at__isnull=False).count(),
    }
    for kind, expected in kinds.items():
        assert Touchpoint.objects.filter(kind=kind).count() == expected, kind
    assert not LinkClick.objects.filter(
        Q(keyword__isnull=True) | Q(recipient__clicked_at__isnull=True)
    ).exists()
    clickers = recipients.filter(clicked_at__isnull=False).values("profile").distinct().count()
    liked = ProfileFact.objects.filter(
        attribute__key="keywords_liked", is_current=True, source=Source.CAMPAIGN
    )
    assert liked.count() == clickers


# --- Every dashboard shows figures --------------------------------------------------------


def chart_values(html: str, chart_id: str) -> list:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html)
    assert found, chart_id
    data = json.loads(found.group(1))
    return [value for dataset in data["datasets"] for value in dataset["values"]]


def _shown(figures, names=("sent", "opened", "clicked", "converted", "ignored", "unsubscribed")):
    return {name: getattr(figures, name) for name in names if getattr(figures, name) is None}


def test_the_overview_shows_every_figure_of_every_sent_campaign(seeded, client, marketer):
    client.force_login(marketer)
    response = client.get("/marketing/")
    rows = {row.campaign.name: row.figures for row in response.context["rows"]}
    for name in SENT_CAMPAIGNS:
        assert _shown(rows[name]) == {}, name
        assert rows[name].revenue > 0
    for name in PAPER_CAMPAIGNS:
        assert rows[name].cost > 0 and rows[name].roi > 0
    html = response.content.decode()
    for name in SENT_CAMPAIGNS:
        pk = Campaign.objects.get(name=name).pk
        row = html.split(f'data-campaign="{pk}"')[1].split("</tr>")[0]
        assert SUPPRESSED not in row, name
    values = chart_values(html, "chart-data-overview")
    assert len([v for v in values if v]) >= 3 * len(SENT_CAMPAIGNS)
    lines = list(csv.reader(io.StringIO(client.get("/marketing/?format=csv").content.decode())))
    for line in lines[1:]:
        if line[0] in SENT_CAMPAIGNS:
            assert not any(SUPPRESSED in cell for cell in line), line


def test_each_campaign_page_shows_its_funnel_days_keywords_and_segments(seeded, client, marketer):
    client.force_login(marketer)
    for campaign in Campaign.objects.filter(name__in=SENT_CAMPAIGNS):
        response = client.get(f"/marketing/campaigns/{campaign.pk}/")
        detail = response.context["detail"]
        assert None not in [cell.count for cell in detail.funnel], campaign.name
        assert any(day.opened for day in detail.days), campaign.name
        assert [k.term for k in detail.keywords if k.customers] == [
            k.term for k in detail.keywords
        ], campaign.name
        assert len(detail.keywords) == 2
        assert any(cell.count for cell in detail.segments), campaign.name
        html = response.content.decode()
        assert None not in chart_values(html, "chart-data-funnel")
        assert any(chart_values(html, "chart-data-days"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/marketing/offers/",
            {"Ten percent off tea", "Free delivery weekend", "The new arrivals"},
        ),
        ("/marketing/keywords/", {"tea", "books", "gifts", "kitchen"}),
        ("/marketing/channels/", {"E-mail", "Postcard", "Letter"}),
    ],
)
def test_offers_keywords_and_channels_compare_with_figures_shown(
    seeded, client, marketer, url, expected
):
    client.force_login(marketer)
    response = client.get(url)
    rows = {row.label: row for row in response.context["rows"]}
    assert set(rows) == expected
    for label, row in rows.items():
        assert _shown(row.figures, ("sent", "positive", "ignored", "converted")) == {}, label
        if url == "/marketing/keywords/":
            assert row.clicks, label
    values = chart_values(response.content.decode(), "chart-data-comparison")
    assert None not in values and all(values)
    lines = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert len(lines) == len(expected) + 1
    assert not any(SUPPRESSED in cell for line in lines for cell in line)


def test_the_demo_is_spread_over_the_past_months(seeded):
    sent = sorted(
        Campaign.objects.filter(name__in=SENT_CAMPAIGNS).values_list("sent_at", flat=True)
    )
    assert sent[-1] - sent[0] > timedelta(days=100)
    assert dashboards.campaign_overview()  # the figures read without error


def test_every_link_in_the_demo_campaigns_opens_a_page_of_the_shop(seeded, client):
    from campaigns.mail import LINK

    paths = {
        match.group(2)
        for body in Campaign.objects.values_list("body_text", flat=True)
        for match in LINK.finditer(body)
    }
    assert paths, "the demo campaigns link to the shop"
    for path in sorted(paths):
        assert client.get(path).status_code == 200, path
    clicked = set(LinkClick.objects.values_list("url", flat=True))
    assert clicked <= paths
