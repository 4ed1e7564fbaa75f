"""A marketer logs in, opens /marketing/, sees the charts drawn on the strict CSP and
the table's figures matching the responses in the database; every dashboard passes axe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Channel, Keyword, LinkClick, Offer, OfferKind, Recipient
from tests.e2e.axe import assert_accessible
from tests.factories import make_shopper

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback puts the seeded
    # attribute catalogue and groups back after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each chart: a Chart.js instance on the canvas, its size, and whether any pixel is painted.
CHARTS_DRAWN_JS = """
() => Array.from(document.querySelectorAll("canvas[data-campaign-chart]")).map(canvas => {
    const chart = Chart.getChart(canvas);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) {
        if (pixels[i] > 0) { painted += 1; }
    }
    return {
        id: canvas.dataset.campaignChart,
        drawn: Boolean(chart),
        height: canvas.getBoundingClientRect().height,
        painted: painted,
        values: chart ? chart.data.datasets.map(set => set.data) : null,
    };
})
"""
COLUMNS = ["sent", "opened", "clicked", "converted", "ignored", "unsubscribed"]


def _send(campaign, profiles, *, sent_at, **fields):
    return [
        Recipient.objects.create(campaign=campaign, profile=profile, sent_at=sent_at, **fields)
        for profile in profiles
    ]


@pytest.fixture
def campaigns(db):
    """An e-mail sent three weeks ago to 14 (8 opened, 6 of them clicked and bought, 6
    ignored it, 5 of those unsubscribed), and a postcard to 7 of them (5 used its coupon)."""
    now = timezone.now()
    profiles = [make_shopper().profile for _ in range(14)]
    tea = Keyword.objects.create(term="tea")
    offer = Offer.objects.create(name="New teas", kind=OfferKind.NEW_ARRIVALS)
    email = Campaign.objects.create(
        name="Autumn teas", offer=offer, subject="Hello", body_text="Hi", status="sent"
    )
    email.keywords.set([tea])
    sent = now - timedelta(days=21)
    opened = sent + timedelta(hours=3)
    buyers = _send(
        email,
        profiles[:6],
        sent_at=sent,
        opened_at=opened,
        clicked_at=opened + timedelta(minutes=2),
        converted_at=opened + timedelta(hours=1),
        conversion_amount=Decimal("25.00"),
    )
    for recipient in buyers:
        LinkClick.objects.create(recipient=recipient, keyword=tea, url="/", clicked_at=opened)
    _send(email, profiles[6:8], sent_at=sent, opened_at=opened)
    _send(email, profiles[8:9], sent_at=sent)
    _send(email, profiles[9:], sent_at=sent, unsubscribed_at=sent + timedelta(days=1))
    postcard = Campaign.objects.create(
        name="Free delivery postcard",
        offer=Offer.objects.create(name="Free delivery", kind=OfferKind.FREE_DELIVERY),
        channel=Channel.POSTCARD,
        cost_per_piece=Decimal("0.80"),
        body_text="Hi",
        status="sent",
    )
    _send(
        postcard,
        profiles[:5],
        sent_at=sent,
        converted_at=sent + timedelta(days=3),
        conversion_amount=Decimal("40.00"),
    )
    _send(postcard, profiles[5:7], sent_at=sent)
    return {"email": email, "postcard": postcard}


def _expected(campaign) -> dict[str, int]:
    """The figures straight from the rows, counted here rather than by the dashboard."""
    rows = list(Recipient.objects.filter(campaign=campaign, sent_at__isnull=False))
    window = timezone.now() - timedelta(days=14)
    return {
        "sent": len(rows),
        "opened": sum(1 for r in rows if r.opened_at),
        "clicked": sum(1 for r in rows if r.clicked_at),
        "converted": sum(1 for r in rows if r.converted_at),
        "ignored": sum(
            1
            for r in rows
            if r.sent_at <= window and not (r.opened_at or r.clicked_at or r.converted_at)
        ),
        "unsubscribed": sum(1 for r in rows if r.unsubscribed_at),
    }


def _shown(cell_text: str) -> int | None:
    """ "8 (57.1%)" is 8; "fewer than 5" is None."""
    if cell_text.startswith("fewer than"):
        return None
    return int(cell_text.split(" ")[0])


def _assert_charts_drawn(page, expected_ids: set[str]) -> list[dict]:
    charts = page.evaluate(CHARTS_DRAWN_JS)
    assert {chart["id"] for chart in charts} == expected_ids
    for chart in charts:
        assert chart["drawn"] and chart["height"] > 80 and chart["painted"] > 500, chart
    return charts


def test_the_marketer_sees_the_charts_and_the_figures_of_the_database(
    page, page_problems, live_server, marketer, password, log_in, campaigns, artifacts
):
    base = live_server.url
    log_in(page, login=marketer.username, password=password, next_path="/marketing/")
    assert page.get_by_role("heading", level=1).inner_text() == "Campaigns"
    (chart,) = _assert_charts_drawn(page, {"chart-data-overview"})
    page.screenshot(path=artifacts / "marketing-overview.png", full_page=True)

    for key in ("email", "postcard"):
        campaign = campaigns[key]
        expected = _expected(campaign)
        row = page.locator(f"tr[data-campaign='{campaign.pk}']")
        cells = row.locator("td").all_inner_texts()
        shown = dict(zip(COLUMNS, [_shown(text) for text in cells[1:7]], strict=True))
        for name, count in expected.items():
            assert shown[name] == (count if count >= 5 else None), (key, name, cells)
    email_row = page.locator(f"tr[data-campaign='{campaigns['email'].pk}']")
    assert email_row.locator("td").nth(7).inner_text() == "150.00"  # six orders at 25.00
    card_row = page.locator(f"tr[data-campaign='{campaigns['postcard'].pk}']")
    assert card_row.locator("td").nth(7).inner_text() == "200.00"
    assert card_row.locator("td").nth(8).inner_text() == "5.60"  # seven cards at 0.80
    # The chart draws the same rates the table gives: e-mail opened 8 of 14.
    labels = page.evaluate("() => Chart.getChart(document.querySelector('canvas')).data.labels")
    assert labels == ["Free delivery postcard", "Autumn teas"]
    assert chart["values"][0] == [None, 57.1]

    email_row.get_by_role("link", name="Autumn teas").click()
    page.wait_for_url(f"{base}/marketing/campaigns/{campaigns['email'].pk}/")
    charts = _assert_charts_drawn(page, {"chart-data-funnel", "chart-data-days"})
    assert charts[0]["values"] == [[14, 8, 6, 6]]
    funnel = page.locator("#funnel tbody tr td").all_inner_texts()
    assert funnel == ["14", "8", "6", "6"]
    keyword = page.locator("#keywords tbody tr").first.locator("td").all_inner_texts()
    assert keyword == ["6", "6", "6"]  # who clicked, of whom ordered, clicks
    page.screenshot(path=artifacts / "marketing-campaign.png", full_page=True)

    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    page.wait_for_url(f"{base}/marketing/")
    for path, name in (("offers", "Offers"), ("keywords", "Keywords"), ("channels", "Channels")):
        nav = page.get_by_role("navigation", name="Campaign dashboards")
        nav.get_by_role("link", name=name).click()
        page.wait_for_url(f"{base}/marketing/{path}/")
        _assert_charts_drawn(page, {"chart-data-comparison"})
    assert page_problems == []


@pytest.mark.parametrize("path", ["", "campaign", "offers/", "keywords/", "channels/"])
def test_the_marketing_dashboards_pass_axe(
    axe_page, axe_js, live_server, marketer, password, log_in, campaigns, path
):
    if path == "campaign":
        path = f"campaigns/{campaigns['email'].pk}/"
    log_in(axe_page, login=marketer.username, password=password, next_path=f"/marketing/{path}")
    axe_page.wait_for_function("() => document.querySelectorAll('canvas').length > 0")
    assert_accessible(axe_page, axe_js, f"/marketing/{path}")
