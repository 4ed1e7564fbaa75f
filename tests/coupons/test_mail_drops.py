"""Direct-mail drops: who gets a piece, the print file, and mailing it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from campaigns.models import CampaignStatus, Channel, Recipient
from coupons.models import CouponCode, DiscountKind, MailDrop
from coupons.selectors import print_rows
from coupons.services import Terms, codes_create, mail_drop_mark_mailed, mail_drop_prepare
from profiles import services as profile_services
from profiles.models import Kind, Purpose, Source, Touchpoint
from tests.coupons.factories import place_order

pytestmark = pytest.mark.django_db

TERMS = Terms(kind=DiscountKind.PERCENT, value=Decimal("10"))


def test_only_customers_with_an_address_from_checkout_and_consent_get_a_code(
    postcard, make_customer
):
    yes = make_customer(name="Yvonne Yes")
    make_customer(name="No Post", post=False)
    never_bought = make_customer(name="Never Bought", bought=False)
    # An address the customer typed on their own page is not one a checkout confirmed.
    for key, value in (("postal_street", "1 Lane"), ("postal_city", "York")):
        profile_services.learn(never_bought.profile, key, value, source=Source.CUSTOMER)
    profile_services.learn(
        never_bought.profile, "postal_postcode", "YO1 1AA", source=Source.CUSTOMER
    )
    withdrew = make_customer(name="Withdrew")
    profile_services.set_consent(
        withdrew.profile, Purpose.DIRECT_MAIL, granted=False, source=Source.CUSTOMER
    )

    drop, made = mail_drop_prepare(campaign=postcard, terms=TERMS)

    assert made == 1
    code = CouponCode.objects.get(drop=drop)
    assert code.profile == yes.profile
    assert code.recipient.profile == yes.profile
    assert code.campaign == postcard
    assert code.max_uses == 1


def test_preparing_again_gives_newcomers_a_code_and_nobody_two(postcard, make_customer):
    make_customer()
    mail_drop_prepare(campaign=postcard, terms=TERMS)
    make_customer()
    drop, made = mail_drop_prepare(campaign=postcard, terms=TERMS)
    assert made == 1
    assert CouponCode.objects.filter(drop=drop).count() == 2


def test_e_mail_campaigns_have_no_print_file(postcard):
    postcard.channel = Channel.EMAIL
    postcard.subject = "Hi"
    postcard.save()
    with pytest.raises(ValidationError, match="postcard and letter"):
        mail_drop_prepare(campaign=postcard, terms=TERMS)


def test_the_print_file_has_name_address_and_code_for_each_piece(postcard, make_customer):
    make_customer(name="Alice Archer")
    make_customer(name="Bob Baker")
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    rows = print_rows(drop=drop)
    assert [row.name for row in rows] == ["Alice Archer", "Bob Baker"]
    first = rows[0]
    assert (first.street, first.city, first.postcode, first.country) == (
        "12 Briggate",
        "Leeds",
        "LS1 6HD",
        "United Kingdom",
    )
    codes = {c.display_code for c in CouponCode.objects.filter(drop=drop)}
    assert {row.code for row in rows} == codes
    assert all(len(row.code) == 9 and row.code[4] == "-" for row in rows)


@pytest.mark.parametrize("shared_code", ["", "AUTUMN15"])
def test_the_print_file_takes_three_queries_however_many_pieces(
    postcard, make_customer, django_assert_num_queries, shared_code
):
    for _ in range(6):
        make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS, shared_code=shared_code)
    # the shared code (if any), the pieces with their customers, their addresses
    with django_assert_num_queries(3):
        assert len(print_rows(drop=drop)) == 6


def test_mailing_records_the_time_pieces_and_cost_and_sends_the_recipients(postcard, make_customer):
    for _ in range(3):
        make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    drop = mail_drop_mark_mailed(drop=drop)
    assert drop.mailed_at is not None
    assert (drop.pieces, drop.cost) == (3, Decimal("2.10"))
    assert Recipient.objects.filter(campaign=postcard, sent_at=drop.mailed_at).count() == 3
    assert Touchpoint.objects.filter(kind=Kind.CAMPAIGN_SENT).count() == 3
    postcard.refresh_from_db()
    assert postcard.status == CampaignStatus.SENT
    with pytest.raises(ValidationError, match="mailed already"):
        mail_drop_prepare(campaign=postcard, terms=TERMS)


def test_consent_withdrawn_before_mailing_means_no_piece_and_a_dead_code(postcard, make_customer):
    stays, leaves = make_customer(), make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    profile_services.set_consent(
        leaves.profile, Purpose.DIRECT_MAIL, granted=False, source=Source.CUSTOMER
    )
    drop = mail_drop_mark_mailed(drop=drop)
    assert drop.pieces == 1
    assert CouponCode.objects.get(profile=leaves.profile).active is False
    assert CouponCode.objects.get(profile=stays.profile).active is True
    assert MailDrop.objects.get().cost == Decimal("0.70")


def _print_file(client, drop) -> list[list[str]]:
    response = client.post(
        "/admin/coupons/maildrop/",
        {"action": "download_print_file", "_selected_action": [drop.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_print_csv_from_the_admin(client, care_agent, postcard, make_customer):
    make_customer(name="Alice Archer")
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(care_agent)
    rows = _print_file(client, drop)
    code = CouponCode.objects.get(drop=drop).display_code
    assert rows == [
        ["Name", "Street", "Town or city", "Postcode", "Country", "Code"],
        ["Alice Archer", "12 Briggate", "Leeds", "LS1 6HD", "United Kingdom", code],
    ]


def test_customer_care_downloads_the_print_file_but_never_mails_a_drop(
    client, care_agent, postcard, make_customer
):
    make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(care_agent)
    page = client.get("/admin/coupons/maildrop/").content.decode()
    assert "download_print_file" in page and "mark_mailed" not in page
    client.post(
        "/admin/coupons/maildrop/", {"action": "mark_mailed", "_selected_action": [drop.pk]}
    )
    drop.refresh_from_db()
    assert drop.mailed_at is None
    assert client.post(_change_url(drop), {"mailed_on": "2026-01-01"}).status_code == 403


def test_marketing_makes_drops_but_never_downloads_names_and_addresses(
    client, marketer, postcard, make_customer
):
    make_customer(name="Alice Archer")
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(marketer)
    page = client.get("/admin/coupons/maildrop/").content.decode()
    assert "mark_mailed" in page and "download_print_file" not in page
    response = client.post(
        "/admin/coupons/maildrop/",
        {"action": "download_print_file", "_selected_action": [drop.pk]},
    )
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert "Alice Archer" not in response.content.decode()


def test_a_name_that_looks_like_a_formula_reaches_the_print_shop_as_text(
    client, care_agent, postcard, make_customer
):
    make_customer(name='=HYPERLINK("http://evil.example","Click")')
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(care_agent)
    rows = _print_file(client, drop)
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[1][1] == "12 Briggate"


def test_a_marketer_makes_and_mails_a_drop_in_the_admin(client, marketer, postcard, make_customer):
    make_customer()
    client.force_login(marketer)
    response = client.post(
        "/admin/coupons/maildrop/add/",
        {"campaign": postcard.pk, "kind": "percent", "value": "15", "min_order": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    drop = MailDrop.objects.get()
    assert CouponCode.objects.filter(drop=drop, value=Decimal("15")).count() == 1
    response = client.post(
        "/admin/coupons/maildrop/",
        {"action": "mark_mailed", "_selected_action": [drop.pk]},
    )
    assert response.status_code == 302
    drop.refresh_from_db()
    assert (drop.pieces, drop.cost) == (1, Decimal("0.70"))


# --- The drop's terms and its mailing, in the admin ----------------------------------------


def _add_drop(client, campaign, **fields):
    data = {"campaign": campaign.pk, "kind": "percent", "value": "15", "min_order": "0"}
    return client.post("/admin/coupons/maildrop/add/", {**data, **fields})


def _change_url(drop) -> str:
    return f"/admin/coupons/maildrop/{drop.pk}/change/"


def test_an_end_date_already_past_is_a_form_error_and_makes_nothing(
    client, marketer, postcard, make_customer
):
    make_customer()
    client.force_login(marketer)
    yesterday = timezone.localtime() - timedelta(days=1)
    response = _add_drop(
        client,
        postcard,
        valid_until_0=yesterday.date().isoformat(),
        valid_until_1="12:00",
        valid_until=yesterday.strftime("%Y-%m-%d %H:%M"),
    )
    assert response.status_code == 200
    assert "That is already past" in response.content.decode()
    assert not MailDrop.objects.exists() and not CouponCode.objects.exists()


def test_terms_no_code_can_have_are_refused_by_the_service_too(postcard):
    start = timezone.now()
    terms = Terms(kind=DiscountKind.PERCENT, value=Decimal("10"), valid_from=start,
                  valid_until=start - timedelta(hours=1))  # fmt: skip
    with pytest.raises(ValidationError, match="expired before anyone could use them"):
        codes_create(count=3, terms=terms)


def test_a_fault_other_than_a_clash_of_codes_is_not_retried_away(postcard):
    # Over 100% breaks a check constraint: that must surface, not become "try again".
    with pytest.raises(IntegrityError):
        codes_create(count=3, terms=Terms(kind=DiscountKind.PERCENT, value=Decimal("150")))


def test_staff_record_the_day_a_drop_was_mailed_and_its_real_cost(
    client, marketer, postcard, make_customer
):
    make_customer()
    make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    MailDrop.objects.filter(pk=drop.pk).update(created_at=timezone.now() - timedelta(days=5))
    client.force_login(marketer)
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(_change_url(drop), {"mailed_on": day.isoformat(), "bill": "3.10"})
    assert response.status_code == 302, response.content.decode()[:3000]
    drop.refresh_from_db()
    assert timezone.localdate(drop.mailed_at) == day
    assert (drop.pieces, drop.cost) == (2, Decimal("3.10"))
    sent = set(Recipient.objects.filter(campaign=postcard).values_list("sent_at", flat=True))
    assert sent == {drop.mailed_at}


def test_without_a_bill_the_cost_is_the_campaigns_per_piece(
    client, marketer, postcard, make_customer
):
    make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(marketer)
    today = timezone.localdate().isoformat()
    assert client.post(_change_url(drop), {"mailed_on": today}).status_code == 302
    drop.refresh_from_db()
    assert (drop.pieces, drop.cost) == (1, Decimal("0.70"))


@pytest.mark.parametrize(
    ("days", "bill", "message"),
    [
        (-1, "", "That day is still to come"),
        (3, "", "cannot have been mailed before"),
        (0, "-1", "Ensure this value is greater than or equal to 0."),
        (0, "lots", "Enter a number."),
    ],
)
def test_a_mailing_day_or_cost_that_cannot_be_is_a_form_error(
    client, marketer, postcard, make_customer, days, bill, message
):
    make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    client.force_login(marketer)
    day = timezone.localdate() - timedelta(days=days)
    response = client.post(_change_url(drop), {"mailed_on": day.isoformat(), "bill": bill})
    assert response.status_code == 200
    assert message in response.content.decode()
    drop.refresh_from_db()
    assert drop.mailed_at is None
    assert not Recipient.objects.filter(sent_at__isnull=False).exists()


def test_a_mailed_drop_is_put_right_but_not_dated_after_its_first_redemption(
    client, marketer, postcard, make_customer, product
):
    user = make_customer()
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS)
    MailDrop.objects.filter(pk=drop.pk).update(created_at=timezone.now() - timedelta(days=9))
    mail_drop_mark_mailed(drop=drop, now=timezone.now() - timedelta(days=8))
    client.force_login(marketer)
    earlier = timezone.localdate() - timedelta(days=9)
    response = client.post(_change_url(drop), {"mailed_on": earlier.isoformat(), "bill": "0.95"})
    assert response.status_code == 302
    drop.refresh_from_db()
    assert (timezone.localdate(drop.mailed_at), drop.cost) == (earlier, Decimal("0.95"))
    # The customer's timeline says when the piece really went out.
    sent = Touchpoint.objects.get(profile=user.profile, kind=Kind.CAMPAIGN_SENT)
    assert sent.occurred_at == drop.mailed_at
    code = CouponCode.objects.get(drop=drop)
    place_order(user.profile, product, coupon_code=code.display_code)
    today = timezone.localdate().isoformat()
    response = client.post(_change_url(drop), {"mailed_on": today, "bill": "0.95"}, follow=True)
    assert "so it was mailed before that" in response.content.decode()
    drop.refresh_from_db()
    assert timezone.localdate(drop.mailed_at) == earlier


# --- One shared code for a whole piece ---------------------------------------------------


def test_a_drop_with_one_shared_code_prints_it_for_every_piece(
    client, care_agent, postcard, make_customer
):
    make_customer(name="Alice Archer")
    make_customer(name="Bob Baker")
    make_customer(name="No Post", post=False)
    drop, made = mail_drop_prepare(campaign=postcard, terms=TERMS, shared_code="autumn 15")
    assert made == 1
    code = CouponCode.objects.get(drop=drop)
    assert (code.code, code.shared, code.profile, code.max_uses) == ("AUTUMN15", True, None, 2)
    client.force_login(care_agent)
    rows = _print_file(client, drop)
    assert [(row[0], row[5]) for row in rows[1:]] == [
        ("Alice Archer", "AUTUMN15"),
        ("Bob Baker", "AUTUMN15"),
    ]
    # Preparing again adds newcomers to the print file, still with the one code.
    make_customer(name="Carol Carter")
    assert mail_drop_prepare(campaign=postcard, terms=TERMS)[1] == 0
    code.refresh_from_db()
    assert code.max_uses == 3
    assert len(_print_file(client, drop)) == 4


def test_a_shared_code_drop_is_mailed_and_its_redemptions_convert_the_pieces(
    postcard, make_customer, product
):
    alice = make_customer(name="Alice Archer")
    make_customer(name="Bob Baker")
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS, shared_code="AUTUMN15")
    drop = mail_drop_mark_mailed(drop=drop)
    assert drop.pieces == 2
    assert Recipient.objects.filter(campaign=postcard, sent_at__isnull=False).count() == 2
    order = place_order(alice.profile, product, coupon_code="autumn15")
    recipient = Recipient.objects.get(campaign=postcard, profile=alice.profile)
    assert recipient.converted_at is not None
    assert recipient.conversion_amount == order.total


def test_the_admin_makes_a_shared_code_drop_and_refuses_a_taken_code(
    client, marketer, postcard, make_customer
):
    make_customer()
    client.force_login(marketer)
    CouponCode.objects.create(
        code="TAKEN1", kind=DiscountKind.PERCENT, value=5, valid_from=timezone.now()
    )
    response = _add_drop(client, postcard, shared_code="taken-1")
    assert response.status_code == 200
    assert "That code exists already" in response.content.decode()
    assert not MailDrop.objects.exists()
    response = _add_drop(client, postcard, shared_code="Autumn-15")
    assert response.status_code == 302
    assert CouponCode.objects.get(drop__campaign=postcard).code == "AUTUMN15"


@pytest.mark.parametrize("shared_code", ["", "AUTUMN15"])
def test_who_withdrew_direct_mail_consent_after_the_drop_was_made_is_not_printed(
    postcard, make_customer, shared_code
):
    make_customer(name="Alice Archer")
    withdrew = make_customer(name="Bob Baker")
    drop, _ = mail_drop_prepare(campaign=postcard, terms=TERMS, shared_code=shared_code)
    profile_services.set_consent(
        withdrew.profile, Purpose.DIRECT_MAIL, granted=False, source=Source.CUSTOMER
    )
    assert [row.name for row in print_rows(drop=drop)] == ["Alice Archer"]
