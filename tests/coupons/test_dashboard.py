"""/marketing/coupons/: which pieces pay, for Marketing only, small cells suppressed."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.dashboards import campaign_overview
from campaigns.models import Campaign, Channel, Offer, OfferKind
from coupons import dashboards
from coupons.models import CouponCode, DiscountKind
from coupons.services import Terms, mail_drop_mark_mailed, mail_drop_prepare
from tests.coupons.factories import make_code, place_order

pytestmark = pytest.mark.django_db

URL = "/marketing/coupons/"
TERMS = Terms(kind=DiscountKind.PERCENT, value=Decimal("10"))


def mailed_drop(campaign, make_customer, *, customers: int, redeem: int, product):
    users = [make_customer() for _ in range(customers)]
    drop, _ = mail_drop_prepare(campaign=campaign, terms=TERMS)
    mail_drop_mark_mailed(drop=drop)
    for user in users[:redeem]:
        code = CouponCode.objects.get(profile=user.profile, drop=drop)
        place_order(user.profile, product, coupon_code=code.display_code.lower())
    return drop


@pytest.mark.parametrize("suffix", ["", "?format=csv"])
def test_visitors_are_sent_to_log_in(client, suffix):
    response = client.get(URL + suffix)
    assert response.status_code == 302
    assert "/login" in response["Location"]


@pytest.mark.parametrize("suffix", ["", "?format=csv"])
@pytest.mark.parametrize("who", ["shopper", "care_agent"])
def test_shoppers_and_care_may_not_see_it(client, request, who, suffix):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL + suffix).status_code == 403


@pytest.mark.parametrize("suffix", ["", "?format=csv"])
@pytest.mark.parametrize("who", ["marketer", "superuser"])
def test_marketers_see_it(client, request, who, suffix):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL + suffix).status_code == 200


def test_the_campaign_nav_links_to_coupons(client, marketer):
    client.force_login(marketer)
    assert f'href="{URL}"' in client.get("/marketing/").content.decode()


def test_a_piece_shows_mailed_redeemed_rate_revenue_discount_cost_and_return(
    client, marketer, postcard, make_customer, product
):
    mailed_drop(postcard, make_customer, customers=8, redeem=5, product=product)
    row = next(r for r in dashboards.pieces() if r.campaign == postcard)
    f = row.figures
    assert (f.mailed, f.redeemed, f.rate) == (8, 5, 62.5)
    assert f.discount == Decimal("12.50")  # 10% of 25.00, five times
    assert f.revenue == Decimal("112.50")
    assert f.cost == Decimal("5.60")
    assert f.roi == Decimal("20.09")
    client.force_login(marketer)
    page = client.get(URL).content.decode()
    assert "Spring postcard" in page and "62.5%" in page and "£112.50" in page
    # The campaign dashboards count the paper conversions like e-mail ones.
    overview = next(r for r in campaign_overview() if r.campaign == postcard)
    assert (overview.figures.sent, overview.figures.converted) == (8, 5)
    assert overview.figures.revenue == Decimal("112.50")


def test_small_cells_are_suppressed(client, marketer, postcard, make_customer, product):
    mailed_drop(postcard, make_customer, customers=6, redeem=2, product=product)
    f = next(r for r in dashboards.pieces() if r.campaign == postcard).figures
    assert f.mailed == 6
    assert (f.redeemed, f.rate, f.revenue, f.discount, f.roi) == (None,) * 5
    client.force_login(marketer)
    assert "fewer than 5" in client.get(URL).content.decode()


def test_channels_side_by_side(postcard, make_customer, product):
    mailed_drop(postcard, make_customer, customers=5, redeem=5, product=product)
    rows = {row.key: row.figures for row in dashboards.channels(rows=dashboards.pieces())}
    assert set(rows) == {Channel.EMAIL, Channel.POSTCARD, Channel.LETTER}
    assert (rows[Channel.POSTCARD].mailed, rows[Channel.POSTCARD].redeemed) == (5, 5)
    assert rows[Channel.LETTER].mailed is None


def test_shop_wide_codes_have_their_own_row(shopper, other_shopper, make_customer, product):
    make_code("WELCOME10", max_uses=1000)
    for _ in range(5):
        place_order(make_customer().profile, product, coupon_code="WELCOME10")
    row = dashboards.pieces()[-1]
    assert row.campaign is None
    assert row.figures.redeemed == 5


def test_csv_export(client, marketer, postcard, make_customer, product):
    mailed_drop(postcard, make_customer, customers=5, redeem=5, product=product)
    client.force_login(marketer)
    response = client.get(URL + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Piece", "Channel", "Mailed on", "Mailed", "Redeemed"]
    assert rows[1][0] == "Spring postcard"
    assert rows[1][3:6] == ["5", "5", "100.0"]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_page_runs_the_same_queries_however_many_pieces(
    client, marketer, postcard, make_customer, product
):
    client.force_login(marketer)
    mailed_drop(postcard, make_customer, customers=5, redeem=5, product=product)
    few = _queries(client)
    offer = Offer.objects.create(name="More", kind=OfferKind.DISCOUNT)
    for n in range(3):
        letter = Campaign.objects.create(
            name=f"Letter {n}", channel=Channel.LETTER, offer=offer, body_text="x"
        )
        mailed_drop(letter, make_customer, customers=5, redeem=5, product=product)
    make_code("WELCOME10", max_uses=1000)
    assert _queries(client) == few


def test_the_pieces_channels_and_months_take_five_queries(
    postcard, make_customer, product, django_assert_num_queries
):
    mailed_drop(postcard, make_customer, customers=5, redeem=5, product=product)
    # pieces: campaigns with their drops, mailed, redeemed; channels: sent per campaign.
    with django_assert_num_queries(4):
        rows = dashboards.pieces()
        dashboards.channels(rows=rows)
    with django_assert_num_queries(1):
        dashboards.redemptions_by_month(rows=rows)


def test_the_charts_come_as_json_next_to_their_canvas(
    client, marketer, postcard, make_customer, product
):
    mailed_drop(postcard, make_customer, customers=5, redeem=5, product=product)
    client.force_login(marketer)
    page = client.get(URL).content.decode()
    for chart in ("chart-data-coupon-months", "chart-data-coupon-channels"):
        assert f'id="{chart}"' in page
        assert f'data-campaign-chart="{chart}"' in page
    assert "style=" not in page.split("<main", 1)[-1]


def _letter(name: str) -> Campaign:
    offer = Offer.objects.create(name=f"Offer of {name}", kind=OfferKind.DISCOUNT)
    return Campaign.objects.create(name=name, channel=Channel.LETTER, offer=offer, body_text="x")


def test_a_channel_hides_what_it_less_the_pieces_shown_would_give_away(make_customer, product):
    mailed_drop(_letter("Big letter"), make_customer, customers=6, redeem=6, product=product)
    mailed_drop(_letter("Small letter"), make_customer, customers=3, redeem=2, product=product)
    rows = dashboards.pieces()
    by_name = {row.campaign.name: row.figures for row in rows if row.campaign}
    assert by_name["Big letter"].redeemed == 6
    assert (by_name["Small letter"].mailed, by_name["Small letter"].redeemed) == (9, None)
    letter = {row.key: row.figures for row in dashboards.channels(rows=rows)}[Channel.LETTER]
    assert letter.mailed == 15
    # 8 redeemed less the big letter's 6 would be the small one's 2.
    assert (letter.redeemed, letter.revenue, letter.discount, letter.rate) == (None,) * 4


def test_redemptions_over_time_per_piece(client, marketer, postcard, make_customer, product):
    mailed_drop(postcard, make_customer, customers=6, redeem=6, product=product)
    client.force_login(marketer)
    page = client.get(URL).content.decode()
    table = page.split('id="coupon-months"')[1].split("</table>")[0]
    assert "All codes" in table and "Spring postcard" in table
    rows = dashboards.pieces()
    monthly = dashboards.redemptions_by_month(rows=rows)
    assert monthly.series == {dashboards.ALL: [6], rows[0].key: [6]}


def test_a_month_of_a_piece_is_hidden_when_the_month_would_give_away_another(
    postcard, make_customer, product
):
    mailed_drop(postcard, make_customer, customers=6, redeem=6, product=product)
    mailed_drop(_letter("Small letter"), make_customer, customers=3, redeem=2, product=product)
    rows = dashboards.pieces()
    monthly = dashboards.redemptions_by_month(rows=rows)
    keys = {row.campaign.name: row.key for row in rows if row.campaign}
    # All in one month: the postcard's 6 is its own published total, but with the month's
    # 8 it would give away the letter's 2, so only the month's total shows.
    assert monthly.series[dashboards.ALL] == [8]
    assert monthly.series[keys["Spring postcard"]] == [None]
    assert monthly.series[keys["Small letter"]] == [None]
