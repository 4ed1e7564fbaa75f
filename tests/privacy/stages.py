"""A customer who has been through the stages: registered, ordered, answered a survey
and a question — the subject of the privacy centre's tests."""

import uuid
from decimal import Decimal

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from campaigns.models import Campaign, Keyword, Offer, OfferKind, Recipient
from campaigns.services import (
    campaign_send_batch,
    campaign_start,
    recipient_click,
    recipient_open,
)
from contacts.services import call_log, contact_essence, mail_import
from coupons.models import DiscountKind
from coupons.services import Terms, code_create_shared
from feedback.services import feedback_submit
from profiles import asking
from profiles.models import ProfileQuestion
from shop.cart import Cart
from shop.services import ShippingAddress, order_place
from surveys.services import survey_offer_for, survey_submit
from tests.factories import make_shopper
from tests.shop.factories import make_product
from tests.surveys.factories import choice_id, make_habits_survey, questions_of

NAME = "Zelda Quistgaard"
EMAIL = "zelda.quistgaard@example.org"
USERNAME = "zquist"
PHONE = "+44 7700 900123"
STREET = "17 Marigold Terrace"


def place_order(profile, product, *, phone=PHONE, coupon_code=""):
    cart = Cart(SessionStore())
    cart.put(product, 2)
    return order_place(
        profile=profile,
        cart=cart,
        address=ShippingAddress(
            name=NAME, street=STREET, city="Whitby", postcode="YO21 1AA", country="GB", phone=phone
        ),
        payment_method="invoice",
        checkout_token=uuid.uuid4(),
        coupon_code=coupon_code,
    )


def make_campaign(name="Smoky teas"):
    offer, _ = Offer.objects.get_or_create(name="Smoky teas", kind=OfferKind.NEW_ARRIVALS)
    campaign = Campaign.objects.create(
        offer=offer,
        name=name,
        subject="{first_name}, the smoky teas are in",
        body_text='Hello {first_name}, [see them](/catalogue/?q=smoky "smoky").',
    )
    campaign.keywords.add(Keyword.objects.get_or_create(term="smoky")[0])
    return campaign


def send_and_click(campaign):
    """Send the campaign to its audience; every recipient opens it and clicks its link."""
    campaign_send_batch(recipient_ids=campaign_start(campaign=campaign))
    for recipient in Recipient.objects.filter(campaign=campaign, sent_at__isnull=False):
        recipient_open(recipient=recipient)
        recipient_click(recipient=recipient, path="/catalogue/?q=smoky", keyword_term="smoky")


def make_stage_customer():
    """A customer with something from every stage built so far."""
    user = make_shopper(
        name=NAME, username=USERNAME, email=EMAIL, marketing_email=True, surveys=True
    )
    profile = user.profile
    product = make_product(name="Lapsang souchong", price="8.50")
    place_order(profile, product)
    survey = make_habits_survey()
    assert survey_offer_for(profile=profile, now=timezone.now()) == survey
    device, found, _helps, scale, text = questions_of(survey)
    survey_submit(
        survey=survey,
        profile=profile,
        data={
            device.pk: choice_id(device, "Phone"),
            found.pk: choice_id(found, "Friend or family"),
            scale.pk: 4,
            text.pk: f"Call me on {PHONE}, {NAME} here",
        },
    )
    order_number = profile.orders.get().number
    code_create_shared(
        code="THANKYOU5", terms=Terms(kind=DiscountKind.PERCENT, value=Decimal(5), max_uses=100)
    )
    place_order(profile, product, coupon_code="thankyou5")
    _, mail = mail_import(
        raw=(
            f"From: {NAME} <{EMAIL}>\r\nTo: shop@patientcrm.example\r\n"
            f"Subject: Where is order {order_number}?\r\nMessage-ID: <stage-1@example.org>\r\n"
            "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\n"
            f"Hello, my order {order_number} has not arrived at {STREET}. "
            f"Please call me on {PHONE}.\r\n{NAME}\r\n"
        ).encode()
    )
    call = call_log(number=PHONE, notes=f"{NAME} asked about delivery to {STREET}.", key="c1")
    for log in (mail, call):  # the essence task runs on commit, which tests never reach
        contact_essence(log_id=log.pk)
    send_and_click(make_campaign())
    feedback_submit(
        kind="wish",
        text=f"I wish you sold smoked teas in bigger tins. {NAME}, {PHONE}",
        rating=4,
        profile=profile,
    )
    feedback_submit(kind="problem", text="My parcel came late, twice now.", identifier=EMAIL)
    question = ProfileQuestion.objects.filter(active=True).first()
    if question is not None:
        profile.refresh_from_db()
        now = timezone.now()
        profile.visit_started_at = now
        profile.trust_level = 5
        profile.save(update_fields=["visit_started_at", "trust_level"])
        ask = asking.next_question(profile, page="/catalogue/", now=now)
        assert ask is not None, "the stage customer is asked one question"
        attribute = ask.question.attribute
        answer = attribute.choices[-1] if attribute.choices else True
        asking.answer_question(profile=profile, ask=ask, value=answer, now=now)
    return user
