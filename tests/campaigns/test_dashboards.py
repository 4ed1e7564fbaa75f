"""The marketers' campaign dashboards: aggregates only, small cells suppressed, for the
right people, in a fixed number of queries."""

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import dashboards
from campaigns.models import Campaign, Channel, Keyword, LinkClick, Offer, OfferKind, Recipient
from tests.campaigns.conftest import give_pattern
from tests.factories import make_shopper

pytestmark = pytest.mark.django_db

OVERVIEW = "/marketing/"
OFFERS = "/marketing/offers/"
KEYWORDS = "/marketing/keywords/"
CHANNELS = "/marketing/channels/"


def detail_url(campaign) -> str:
    return f"/marketing/campaigns/{campaign.pk}/"


def new_campaign(name, offer, keywords=(), **fields) -> Campaign:
    fields.setdefault("subject", "Hello")
    campaign = Campaign.objects.create(
        name=name, offer=offer, body_text="Hello {first_name}", status="sent", **fields
    )
    campaign.keywords.set(keywords)
    return campaign


def send(campaign, profiles, *, sent_at, **fields) -> list[Recipient]:
    return [
        Recipient.objects.create(campaign=campaign, profile=profile, sent_at=sent_at, **fields)
        for profile in profiles
    ]


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def data(now):
    """Three campaigns, made by hand.

    Big e-mail (tea), sent 20 days ago to 12: 7 opened, 5 of them clicked and converted
    (20.00 each); 5 never responded (ignored: the 14-day window is over), 1 unsubscribed.
    Postcards (coffee, 1.50 a piece), sent 3 days ago to 6: 5 converted (30.00 each).
    Tiny letter, sent to 3: every figure too small to show.
    """
    profiles = [make_shopper().profile for _ in range(12)]
    teas = Offer.objects.create(name="New teas", kind=OfferKind.NEW_ARRIVALS)
    delivery = Offer.objects.create(name="Free delivery", kind=OfferKind.FREE_DELIVERY)
    tea = Keyword.objects.create(term="tea")
    coffee = Keyword.objects.create(term="coffee")

    big = new_campaign("Big e-mail", teas, [tea])
    sent = now - timedelta(days=20)
    opened, clicked, converted = sent + timedelta(days=1), sent + timedelta(days=1, hours=1), None
    converted = sent + timedelta(days=2)
    responders = send(
        big,
        profiles[:5],
        sent_at=sent,
        opened_at=opened,
        clicked_at=clicked,
        converted_at=converted,
        conversion_amount=Decimal("20.00"),
    )
    send(big, profiles[5:7], sent_at=sent, opened_at=opened)
    quiet = send(big, profiles[7:12], sent_at=sent)
    Recipient.objects.filter(pk=quiet[0].pk).update(unsubscribed_at=sent + timedelta(days=3))
    for recipient in responders:
        LinkClick.objects.create(recipient=recipient, keyword=tea, url="/tea/", clicked_at=clicked)
    LinkClick.objects.create(recipient=responders[0], keyword=tea, url="/tea/", clicked_at=clicked)
    for profile in profiles[:5]:
        give_pattern(profile, now=now, segment="loyal")
    for profile in profiles[5:7]:
        give_pattern(profile, now=now, segment="new")

    postcards = new_campaign(
        "Postcards", delivery, [coffee], channel=Channel.POSTCARD, cost_per_piece=Decimal("1.50")
    )
    card_sent = now - timedelta(days=3)
    converters = send(
        postcards,
        profiles[:5],
        sent_at=card_sent,
        converted_at=card_sent + timedelta(days=1),
        conversion_amount=Decimal("30.00"),
    )
    send(postcards, profiles[5:6], sent_at=card_sent)
    for recipient in converters[:2]:
        LinkClick.objects.create(
            recipient=recipient, keyword=coffee, url="/coffee/", clicked_at=card_sent
        )

    tiny = new_campaign(
        "Tiny letter", delivery, channel=Channel.LETTER, cost_per_piece=Decimal("2.00")
    )
    send(tiny, profiles[:3], sent_at=card_sent, converted_at=card_sent, conversion_amount=5)
    # Never sent: not counted anywhere.
    Recipient.objects.create(campaign=tiny, profile=profiles[11])
    return {"big": big, "postcards": postcards, "tiny": tiny, "tea": tea, "coffee": coffee}


def chart_data(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no chart data {chart_id}"
    return json.loads(found.group(1))


def rows_by_name(rows):
    return {row.campaign.name: row.figures for row in rows}


# --- Figures ------------------------------------------------------------------------------


def test_the_overview_figures_of_each_campaign(client, marketer, data):
    client.force_login(marketer)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    figures = rows_by_name(response.context["rows"])

    big = figures["Big e-mail"]
    assert (big.sent, big.opened, big.clicked, big.converted, big.ignored) == (12, 7, 5, 5, 5)
    assert big.unsubscribed is None  # one customer
    assert big.rates["opened"] == 58.3
    assert big.rates["converted"] == 41.7
    assert big.rates["unsubscribed"] is None
    assert big.revenue == Decimal("100.00")
    assert big.cost == Decimal("0.00")  # e-mail has no cost per piece
    assert big.roi is None

    cards = figures["Postcards"]
    assert (cards.sent, cards.converted, cards.positive) == (6, 5, 5)
    assert cards.opened is None and cards.ignored is None  # the window is not over yet
    assert (cards.revenue, cards.cost, cards.roi) == (
        Decimal("150.00"),
        Decimal("9.00"),
        Decimal("16.67"),
    )

    tiny = figures["Tiny letter"]
    assert tiny.sent is None and tiny.converted is None
    # Revenue of three and cost of three pieces would tell the hidden counts.
    assert (tiny.revenue, tiny.cost, tiny.roi) == (None, None, None)
    assert set(tiny.rates.values()) == {None}


def test_the_overview_draws_rates_and_hides_small_cells(client, marketer, data):
    client.force_login(marketer)
    html = client.get(OVERVIEW).content.decode()
    chart = chart_data(html, "chart-data-overview")
    assert chart["labels"] == ["Tiny letter", "Postcards", "Big e-mail"]
    opens = chart["datasets"][0]
    assert opens["label"] == "Open rate %"
    assert opens["values"] == [None, None, 58.3]
    row = html.split(f'data-campaign="{data["tiny"].pk}"')[1].split("</tr>")[0]
    assert row.count("fewer than 5") == 8  # six counts, revenue, cost
    assert f'href="/marketing/campaigns/{data["big"].pk}/"' in html


def test_the_overview_filters_by_the_day_sent(client, marketer, data, now):
    client.force_login(marketer)
    since = timezone.localdate(now - timedelta(days=10)).isoformat()
    response = client.get(OVERVIEW, {"sent_from": since})
    figures = rows_by_name(response.context["rows"])
    assert set(figures) == {"Postcards", "Tiny letter"}
    assert figures["Postcards"].sent == 6
    until = timezone.localdate(now - timedelta(days=10)).isoformat()
    figures = rows_by_name(client.get(OVERVIEW, {"sent_to": until}).context["rows"])
    assert set(figures) == {"Big e-mail"}
    assert figures["Big e-mail"].sent == 12
    long_ago = timezone.localdate(now - timedelta(days=400)).isoformat()
    html = client.get(OVERVIEW, {"sent_to": long_ago}).content.decode()
    assert "No campaign started going out in this range." in html


def test_a_range_takes_whole_campaigns_never_the_pieces_of_some_days(client, marketer, data, now):
    """A campaign sent over two days: a range starting on the second day must not show
    the few sent that day (nor their responses) as the campaign's figures; every range
    that holds its first day shows it whole."""
    spread = new_campaign("Two-day e-mail", Offer.objects.get(name="New teas"))
    first_day = now - timedelta(days=6)
    send(spread, [make_shopper().profile for _ in range(9)], sent_at=first_day)
    send(
        spread,
        [make_shopper().profile for _ in range(2)],
        sent_at=first_day + timedelta(days=1),
        opened_at=first_day + timedelta(days=1, hours=1),
    )
    client.force_login(marketer)
    day = timezone.localdate(first_day)
    ranges = [
        {"sent_from": day.isoformat()},
        {"sent_from": day.isoformat(), "sent_to": day.isoformat()},
        {"sent_to": (day + timedelta(days=1)).isoformat()},
        {},
    ]
    for query in ranges:
        figures = rows_by_name(client.get(OVERVIEW, query).context["rows"])
        assert figures["Two-day e-mail"].sent == 11, query
    second_day = {"sent_from": (day + timedelta(days=1)).isoformat()}
    assert "Two-day e-mail" not in rows_by_name(client.get(OVERVIEW, second_day).context["rows"])
    response = client.get(CHANNELS, second_day)
    channels = {row.key: row for row in response.context["rows"]}
    assert channels["email"].campaigns == 0
    assert channels["email"].figures.sent is None
    # Nobody is not "fewer than 5": a group with no campaign says so.
    row = response.content.decode().split('data-row="email"')[1].split("</tr>")[0]
    assert "None sent in this range" in row and "fewer than" not in row
    line = _csv(client.get(CHANNELS, {**second_day, "format": "csv"}))["E-mail"]
    assert (line["Campaigns sent"], line["Sent"], line["Revenue"]) == ("0", "none sent", "")


def test_the_form_sent_with_both_dates_empty_is_no_range(client, marketer):
    client.force_login(marketer)
    html = client.get(OVERVIEW, {"sent_from": "", "sent_to": ""}).content.decode()
    assert "No campaigns yet." in html
    assert "in this range" not in html


def test_a_campaign_not_sent_yet_says_so_and_stays_out_of_chart_and_csv(
    client, marketer, data, now
):
    draft = new_campaign("Winter draft", Offer.objects.get(name="New teas"))
    scheduled_at = timezone.localtime(now + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    Campaign.objects.filter(pk=draft.pk).update(status="draft", scheduled_at=scheduled_at)
    client.force_login(marketer)
    response = client.get(OVERVIEW)
    html = response.content.decode()
    row = html.split(f'data-campaign="{draft.pk}"')[1].split("</tr>")[0]
    assert f"Not sent yet: goes out on {scheduled_at:%-d %B %Y}, 09:00" in row
    assert "fewer than" not in row
    assert "Winter draft" not in chart_data(html, "chart-data-overview")["labels"]
    assert "Winter draft" not in _csv(client.get(OVERVIEW, {"format": "csv"}))
    # A range is of campaigns that went out: a draft is in none.
    since = timezone.localdate(now - timedelta(days=400)).isoformat()
    ranged = rows_by_name(client.get(OVERVIEW, {"sent_from": since}).context["rows"])
    assert "Winter draft" not in ranged
    offers = {row.label: row for row in client.get(OFFERS).context["rows"]}
    assert offers[draft.offer.name].campaigns == 1  # the draft is not counted as sent


@pytest.mark.parametrize(
    "query",
    [
        {"sent_from": "not-a-date"},
        {"sent_to": "2026-02-31"},
        {"sent_from": "2026-05-02", "sent_to": "2026-05-01"},
    ],
)
def test_a_bad_date_range_is_a_form_error_not_a_crash(client, marketer, data, query):
    client.force_login(marketer)
    response = client.get(OVERVIEW, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="invalid-feedback"' in response.content.decode() or (
        "must not be after" in response.content.decode()
    )
    # Unfiltered figures meanwhile.
    assert rows_by_name(response.context["rows"])["Big e-mail"].sent == 12


def test_the_csv_export_has_the_same_figures(client, marketer, data):
    client.force_login(marketer)
    response = client.get(OVERVIEW, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, lines = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:4] == ["Campaign", "Channel", "Offer", "Sent"]
    big = lines["Big e-mail"]
    assert (big["Sent"], big["Opened"], big["Open rate %"], big["Ignored"]) == (
        "12",
        "7",
        "58.3",
        "5",
    )
    assert (big["Unsubscribed"], big["Unsubscribe rate %"]) == ("fewer than 5", "")
    assert (big["Revenue"], big["Cost"], big["Return"]) == ("100.00", "0.00", "")
    cards = lines["Postcards"]
    assert (cards["Channel"], cards["Revenue"], cards["Cost"], cards["Return"]) == (
        "Postcard",
        "150.00",
        "9.00",
        "16.67",
    )
    assert lines["Tiny letter"]["Sent"] == "fewer than 5"


def test_the_csv_export_keeps_the_date_range(client, marketer, data, now):
    client.force_login(marketer)
    since = timezone.localdate(now - timedelta(days=10)).isoformat()
    html = client.get(OVERVIEW, {"sent_from": since}).content.decode()
    assert f"?sent_from={since}&amp;format=csv" in html
    response = client.get(OVERVIEW, {"sent_from": since, "format": "csv"})
    lines = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode()))}
    assert "Big e-mail" not in lines  # sent 20 days ago
    assert lines["Postcards"][3] == "6"


def test_one_campaign_funnel_days_keywords_and_segments(client, marketer, data, now):
    client.force_login(marketer)
    response = client.get(detail_url(data["big"]))
    assert response.status_code == 200
    detail = response.context["detail"]
    assert [(cell.label, cell.count) for cell in detail.funnel] == [
        ("Sent", 12),
        ("Opened", 7),
        ("Clicked", 5),
        ("Converted", 5),
    ]
    sent = now - timedelta(days=20)
    open_day = timezone.localdate(sent + timedelta(days=1))
    convert_day = timezone.localdate(sent + timedelta(days=2))
    by_day = {day.day: (day.opened, day.clicked, day.converted) for day in detail.days}
    assert by_day[open_day][:1] == (7,)
    assert by_day[convert_day][2] == 5
    assert [(k.term, k.customers, k.converted, k.clicks) for k in detail.keywords] == [
        ("tea", 5, 5, 6)
    ]
    # 5 loyal and 2 new opened: the 2 are hidden, and the 5 with them (else 7 - 5 = 2).
    assert [(cell.label, cell.count) for cell in detail.segments] == [
        ("Loyal", None),
        ("New", None),
    ]
    html = response.content.decode()
    assert chart_data(html, "chart-data-funnel")["datasets"][0]["values"] == [12, 7, 5, 5]
    assert "chart-data-days" in html


def test_a_day_is_hidden_when_the_funnel_total_would_give_away_another(data, now):
    big = data["big"]
    sent = now - timedelta(days=20)
    late = now - timedelta(days=5)
    send(big, [make_shopper().profile for _ in range(2)], sent_at=sent, opened_at=late)
    detail = dashboards.campaign_detail(campaign=big)
    assert detail.figures.opened == 9
    by_day = {day.day: day.opened for day in detail.days}
    # 2 opened late: hidden; and the 7 of the first day with them, or 9 - 7 gives the 2.
    assert by_day[timezone.localdate(late)] is None
    assert by_day[timezone.localdate(sent + timedelta(days=1))] is None


def test_keywords_rank_by_who_responded_not_by_clicks(data, now, settings):
    """One keen customer clicking "offer" ten times does not outrank "tea", clicked by
    five who all ordered."""
    settings.MIN_CELL_SIZE = 1
    big = data["big"]
    offer = Keyword.objects.create(term="offer")
    keen = Recipient.objects.filter(campaign=big, converted_at__isnull=True).first()
    for _ in range(10):
        LinkClick.objects.create(recipient=keen, keyword=offer, url="/", clicked_at=now)
    detail = dashboards.campaign_detail(campaign=big)
    assert [(k.term, k.customers, k.converted, k.clicks) for k in detail.keywords] == [
        ("tea", 5, 5, 6),
        ("offer", 1, None, 10),
    ]


def test_segments_show_once_the_minimum_allows(settings, data):
    settings.MIN_CELL_SIZE = 2
    detail = dashboards.campaign_detail(campaign=data["big"])
    assert [(cell.label, cell.count) for cell in detail.segments] == [("Loyal", 5), ("New", 2)]


def test_a_small_campaign_shows_nothing_but_fewer_than(client, marketer, data):
    client.force_login(marketer)
    response = client.get(detail_url(data["tiny"]))
    detail = response.context["detail"]
    assert [cell.count for cell in detail.funnel] == [None, None, None, None]
    assert [day.converted for day in detail.days] == [None]
    html = response.content.decode()
    assert chart_data(html, "chart-data-funnel")["datasets"][0]["values"] == [None] * 4
    assert "fewer than 5" in html


def test_an_unknown_campaign_has_no_dashboard(client, marketer):
    client.force_login(marketer)
    assert client.get("/marketing/campaigns/999999/").status_code == 404


def test_offers_compared(client, marketer, data, settings):
    client.force_login(marketer)
    rows = {row.label: row for row in client.get(OFFERS).context["rows"]}
    teas, delivery = rows["New teas"], rows["Free delivery"]
    assert (teas.campaigns, teas.figures.sent, teas.figures.positive) == (1, 12, 5)
    assert (teas.figures.ignored, teas.figures.rates["positive"]) == (5, 41.7)
    # Free delivery is the postcards (shown on the overview) and the tiny letter (hidden):
    # its totals less the postcards' would be the letter's 3, so they are hidden too.
    assert (delivery.campaigns, delivery.figures.sent, delivery.figures.converted) == (
        2,
        None,
        None,
    )
    assert (delivery.figures.revenue, delivery.figures.cost) == (None, None)
    # Once the letter is big enough to show on its own, so is the offer's total.
    settings.MIN_CELL_SIZE = 3
    delivery = {row.label: row for row in client.get(OFFERS).context["rows"]}["Free delivery"]
    assert (delivery.figures.sent, delivery.figures.converted) == (9, 8)
    # Postcards 150.00 and the letter's three conversions, 15.00: eight converted in all.
    assert delivery.figures.revenue == Decimal("165.00")
    assert delivery.figures.cost == Decimal("15.00")  # six postcards at 1.50, three letters at 2.00
    assert delivery.figures.roi == Decimal("11.00")


def test_a_group_shows_what_its_hidden_campaigns_add_up_to_once_that_is_enough(
    client, marketer, data, now
):
    """Two hidden letters of 3 each: the offer's total less the postcards is 6 people, an
    aggregate in its own right."""
    another = new_campaign(
        "Another letter",
        Offer.objects.get(name="Free delivery"),
        channel=Channel.LETTER,
        cost_per_piece=Decimal("2.00"),
    )
    send(another, [make_shopper().profile for _ in range(3)], sent_at=now - timedelta(days=2))
    client.force_login(marketer)
    rows = {row.label: row for row in client.get(OFFERS).context["rows"]}
    assert rows["Free delivery"].figures.sent == 12
    # Converted: the hidden letters add only the first one's 3, so it stays hidden.
    assert rows["Free delivery"].figures.converted is None
    channels = {row.key: row.figures for row in client.get(CHANNELS).context["rows"]}
    assert channels["letter"].sent == 6
    assert channels["letter"].converted is None


def test_keywords_compared(client, marketer, data):
    client.force_login(marketer)
    response = client.get(KEYWORDS)
    rows = {row.label: row for row in response.context["rows"]}
    tea, coffee = rows["tea"], rows["coffee"]
    assert (tea.figures.sent, tea.figures.positive, tea.figures.ignored, tea.clicks) == (
        12,
        5,
        5,
        6,
    )
    assert (coffee.figures.sent, coffee.figures.positive, coffee.clicks) == (6, 5, None)
    chart = chart_data(response.content.decode(), "chart-data-comparison")
    assert chart["labels"] == ["coffee", "tea"]
    assert chart["datasets"][0]["values"] == [83.3, 41.7]


def test_channels_compared(client, marketer, data):
    client.force_login(marketer)
    rows = {row.key: row.figures for row in client.get(CHANNELS).context["rows"]}
    assert (rows["email"].sent, rows["email"].converted, rows["email"].revenue) == (
        12,
        5,
        Decimal("100.00"),
    )
    assert (rows["postcard"].cost, rows["postcard"].roi) == (Decimal("9.00"), Decimal("16.67"))
    assert (rows["letter"].sent, rows["letter"].revenue, rows["letter"].cost) == (None, None, None)


def _csv(response) -> dict[str, dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_offers_export_as_csv_with_money(client, marketer, data, settings):
    client.force_login(marketer)
    response = client.get(OFFERS, {"format": "csv"})
    assert 'filename="campaign-offers.csv"' in response["Content-Disposition"]
    lines = _csv(response)
    teas, delivery = lines["New teas"], lines["Free delivery"]
    assert (teas["Campaigns sent"], teas["Sent"], teas["Positive responses"]) == ("1", "12", "5")
    assert (teas["Positive rate %"], teas["Ignored"], teas["Ignored rate %"]) == (
        "41.7",
        "5",
        "41.7",
    )
    assert (delivery["Sent"], delivery["Revenue"], delivery["Return"]) == (
        "fewer than 5",
        "fewer than 5",
        "",
    )
    assert "Clicks on its links" not in teas
    settings.MIN_CELL_SIZE = 3
    delivery = _csv(client.get(OFFERS, {"format": "csv"}))["Free delivery"]
    assert (delivery["Converted"], delivery["Revenue"], delivery["Cost"], delivery["Return"]) == (
        "8",
        "165.00",
        "15.00",
        "11.00",
    )


def test_keywords_export_as_csv_with_clicks_and_hidden_small_cells(client, marketer, data):
    client.force_login(marketer)
    lines = _csv(client.get(KEYWORDS, {"format": "csv"}))
    assert (lines["tea"]["Sent"], lines["tea"]["Clicks on its links"]) == ("12", "6")
    assert lines["coffee"]["Clicks on its links"] == "not shown"
    assert "Revenue" not in lines["tea"]


def test_channels_export_as_csv_hiding_what_is_small(client, marketer, data):
    client.force_login(marketer)
    lines = _csv(client.get(CHANNELS, {"format": "csv"}))
    assert set(lines) == {"E-mail", "Postcard", "Letter"}
    assert (lines["Postcard"]["Cost"], lines["Postcard"]["Return"]) == ("9.00", "16.67")
    letter = lines["Letter"]
    assert (letter["Sent"], letter["Revenue"], letter["Cost"]) == ("fewer than 5",) * 3
    assert letter["Positive rate %"] == ""


@pytest.mark.parametrize("url", [OFFERS, KEYWORDS, CHANNELS])
def test_the_comparison_csv_keeps_the_date_range(client, marketer, data, now, url):
    client.force_login(marketer)
    since = timezone.localdate(now - timedelta(days=10)).isoformat()
    html = client.get(url, {"sent_from": since}).content.decode()
    assert f"?sent_from={since}&amp;format=csv" in html
    lines = _csv(client.get(url, {"sent_from": since, "format": "csv"}))
    sent = {label: line["Sent"] for label, line in lines.items()}
    assert "12" not in sent.values()  # the big e-mail went out before the range


@pytest.mark.parametrize("url", [OVERVIEW, OFFERS, KEYWORDS, CHANNELS])
def test_a_bad_range_in_a_csv_request_is_a_400_saying_why(client, marketer, data, url):
    client.force_login(marketer)
    response = client.get(url, {"sent_from": "nonsense", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Bad date range: Enter a valid date.")
    response = client.get(
        url, {"sent_from": "2026-05-02", "sent_to": "2026-05-01", "format": "csv"}
    )
    assert response.status_code == 400
    assert "must not be after its end" in response.content.decode()


@pytest.mark.parametrize("url", [OVERVIEW, OFFERS, KEYWORDS, CHANNELS, "detail"])
def test_the_dashboards_draw_with_static_scripts_only(client, marketer, data, url):
    client.force_login(marketer)
    url = detail_url(data["big"]) if url == "detail" else url
    html = client.get(url).content.decode()
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert 'src="' in attrs or 'type="application/json"' in attrs, attrs
    assert 'src="/static/vendor/chartjs/chart.umd.js"' in html
    assert 'src="/static/js/campaign-charts.js"' in html
    assert "style=" not in html
    assert "<table" in html


def test_the_nav_links_marketers_to_the_dashboards(client, marketer, care_agent):
    client.force_login(marketer)
    assert 'href="/marketing/">Campaigns</a>' in client.get("/").content.decode()
    client.force_login(care_agent)
    assert 'href="/marketing/">Campaigns</a>' not in client.get("/").content.decode()


# --- Who may see them ---------------------------------------------------------------------

URLS = [
    OVERVIEW,
    f"{OVERVIEW}?format=csv",
    OFFERS,
    f"{OFFERS}?format=csv",
    KEYWORDS,
    f"{KEYWORDS}?format=csv",
    CHANNELS,
    f"{CHANNELS}?format=csv",
    "detail",
]


@pytest.fixture
def one_campaign(db):
    return new_campaign("Anything", Offer.objects.create(name="Any", kind=OfferKind.OTHER))


def _url(url, campaign) -> str:
    return detail_url(campaign) if url == "detail" else url


@pytest.mark.parametrize("url", URLS)
def test_visitors_are_sent_to_log_in(client, one_campaign, url):
    url = _url(url, one_campaign)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["shopper", "care_agent"])
def test_shoppers_and_customer_care_are_refused(client, one_campaign, url, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(url, one_campaign)).status_code == 403


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["marketer", "superuser"])
def test_marketers_and_superusers_read_the_dashboards(client, one_campaign, url, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(url, one_campaign)).status_code == 200


# --- Query counts -------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(data, now, n: int) -> None:
    """n more campaigns, each sent to 6 new customers who opened, clicked and converted."""
    offer = Offer.objects.create(name=f"More {n}", kind=OfferKind.BUNDLE)
    for i in range(n):
        keyword = Keyword.objects.create(term=f"more-{n}-{i}")
        campaign = new_campaign(f"More {i}", offer, [keyword, data["tea"]])
        profiles = [make_shopper().profile for _ in range(6)]
        for recipient in send(
            campaign,
            profiles,
            sent_at=now - timedelta(days=i + 1),
            opened_at=now,
            clicked_at=now,
            converted_at=now,
            conversion_amount=Decimal("1.00"),
        ):
            LinkClick.objects.create(recipient=recipient, keyword=keyword, url="/", clicked_at=now)
        for profile in profiles:
            give_pattern(profile, now=now, segment="champions")


# session, user, permissions (2), then the page's own: campaigns + one GROUP BY; offers
# + one GROUP BY; channels: one GROUP BY; keywords + GROUP BY + clicks; one campaign: the
# campaign, its funnel, three per-day counts, keywords, segments.
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (OVERVIEW, 6),
        (f"{OVERVIEW}?format=csv", 6),
        (OFFERS, 6),
        (f"{OFFERS}?format=csv", 6),
        (KEYWORDS, 7),
        (f"{KEYWORDS}?format=csv", 7),
        (CHANNELS, 5),
        (f"{CHANNELS}?format=csv", 5),
        ("detail", 11),
    ],
)
def test_the_query_count_does_not_grow_with_campaigns_or_recipients(
    client, marketer, data, now, url, expected
):
    client.force_login(marketer)
    url = detail_url(data["big"]) if url == "detail" else url
    few = _count(client, url)
    _more(data, now, 4)
    # More recipients, clicks and segments on the campaign itself, too.
    big = data["big"]
    extra = [make_shopper().profile for _ in range(6)]
    for recipient in send(big, extra, sent_at=now - timedelta(days=20), opened_at=now):
        LinkClick.objects.create(recipient=recipient, keyword=data["tea"], url="/", clicked_at=now)
    many = _count(client, url)
    assert few == many == expected, (few, many)


def test_a_draft_says_it_has_not_gone_out(client, marketer, data):
    draft = new_campaign("Winter draft", Offer.objects.first())
    Campaign.objects.filter(pk=draft.pk).update(status="draft")
    client.force_login(marketer)
    assert 'id="not-sent"' in client.get(detail_url(draft)).content.decode()
    assert 'id="not-sent"' not in client.get(detail_url(data["big"])).content.decode()
