"""The essence of realistic customer e-mails and calls, and what it teaches the profile."""

import pytest

from contacts.essence import essence_of, order_numbers_in, own_words
from contacts.models import ContactLog, Intent, Sentiment
from contacts.services import call_log, contact_essence, mail_import
from profiles.models import Kind, Source, Touchpoint
from profiles.selectors import known_facts

REPLY = """Hi,

Thanks for the quick reply. The blue kettle arrived today and works well.
Could you tell me when the matching teal mugs will be back in stock?

Best regards,
Alice Archer
07700 900123

On Mon, 28 Nov 2026 at 10:00, PatientCRM shop <shop@patientcrm.example> wrote:
> Dear Alice,
>
> Good news: your order 100042 has shipped and should arrive tomorrow.
> We are sorry that the teal mugs are out of stock.
"""

ANGRY = """This is unacceptable. The desk lamp from order 100231 arrived broken, the glass
shade was smashed to pieces and the box was soaked. I have waited two weeks for
this. I want to return it and I want a full refund, not a voucher.

Bob Baker
"""

PRAISE = """I just wanted to say thank you so much. The green tea sampler was a wonderful
birthday present and my sister loved it. Your service is excellent and the
parcel was beautifully wrapped.

Carol
"""

OUTLOOK_REPLY = """Yes please, cancel the second parcel.

-----Original Message-----
From: PatientCRM shop <shop@patientcrm.example>
Sent: 02 December 2026 09:00
To: Alice
Subject: Two parcels

Shall we cancel the second parcel of order 100042?
"""


def test_a_reply_keeps_only_the_customers_own_words():
    text = own_words(REPLY)
    assert "teal mugs will be back in stock?" in text
    assert "shipped" not in text and "Dear Alice" not in text
    assert "Best regards" not in text and "07700" not in text


def test_an_outlook_style_quoted_thread_is_dropped():
    assert own_words(OUTLOOK_REPLY) == "Yes please, cancel the second parcel."


def test_the_summary_of_a_reply_leaves_out_the_quoted_thread_and_signature():
    essence = essence_of(subject="Re: Your order 100042 has shipped", body=REPLY, is_email=True)

    assert essence.summary == (
        "The blue kettle arrived today and works well. "
        "Could you tell me when the matching teal mugs will be back in stock?"
    )
    assert essence.intent == Intent.PRODUCT_QUESTION
    assert essence.sentiment == Sentiment.POSITIVE


def test_an_angry_return_request_is_a_negative_return_with_its_order_number():
    essence = essence_of(subject="Broken lamp - I want my money back", body=ANGRY, is_email=True)

    assert essence.intent == Intent.RETURN_REFUND
    assert essence.sentiment == Sentiment.NEGATIVE
    assert essence.sentiment_score < -0.5
    assert essence.order_numbers == ["100231"]
    assert "I want to return it and I want a full refund" in essence.summary
    assert len(essence.summary) <= 400


def test_praise_is_positive_praise():
    essence = essence_of(subject="Thank you!", body=PRAISE, is_email=True, names=["carol"])

    assert essence.intent == Intent.PRAISE
    assert essence.sentiment == Sentiment.POSITIVE
    assert "green tea" in essence.topics
    assert "carol" not in essence.topics
    assert essence.summary.startswith("The green tea sampler was a wonderful birthday present")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Where is my order? It has not arrived yet.", Intent.ORDER_STATUS),
        ("Rang to say the parcel is delayed at the courier.", Intent.ORDER_STATUS),
        ("The parcel is late and this is the worst service ever.", Intent.COMPLAINT),
        ("It came chipped, please send a replacement.", Intent.RETURN_REFUND),
        ("Do you sell replacement lids for the 2 litre jug?", Intent.PRODUCT_QUESTION),
        ("Do you have the linen apron in navy?", Intent.PRODUCT_QUESTION),
        ("Please change my address to 4 Mill Lane.", Intent.OTHER),
        # Thanks in an unhappy message is politeness, not praise.
        ("Thank you so much for nothing, the box was empty and I am angry.", Intent.OTHER),
    ],
)
def test_intent_rules_in_their_order(text, intent):
    assert essence_of(subject="", body=text, is_email=True).intent == intent


def test_order_numbers_are_found_but_phone_numbers_are_not():
    text = "Order #100231 and order 100232, call me on 07700 900123 or +44 7700 900 123."
    assert order_numbers_in(text) == ["100231", "100232"]


def test_an_empty_message_has_an_empty_but_valid_essence():
    essence = essence_of(subject="", body="", is_email=True)
    assert (essence.summary, essence.topics, essence.intent) == ("", [], Intent.OTHER)
    assert essence.sentiment == Sentiment.NEUTRAL


def _mail(sender: str, subject: str, body: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: shop@patientcrm.example\r\nSubject: {subject}\r\n"
        f"Date: Tue, 01 Dec 2026 14:30:00 +0000\r\nMessage-ID: <{message_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + body.encode()


@pytest.mark.django_db
def test_the_essence_links_the_customers_own_order_and_writes_the_timeline(
    other_shopper, shopper, order_numbered, django_capture_on_commit_callbacks
):
    bobs = order_numbered(other_shopper.profile, "100231")
    with django_capture_on_commit_callbacks(execute=True):
        _, log = mail_import(raw=_mail("bob@example.com", "Broken lamp", ANGRY, "a@x"))

    log.refresh_from_db()
    assert log.essence_done_at is not None
    assert (log.intent, log.sentiment) == (Intent.RETURN_REFUND, Sentiment.NEGATIVE)
    assert list(log.orders.all()) == [bobs]
    touchpoint = Touchpoint.objects.get(profile=other_shopper.profile, kind=Kind.CONTACT_LOGGED)
    assert touchpoint.summary.startswith("E-mail from customer, return or refund, negative: ")
    assert log.summary[:40] in touchpoint.summary
    assert len(touchpoint.summary) <= 200 and touchpoint.summary.endswith("…")
    assert touchpoint.occurred_at == log.occurred_at
    fact = known_facts(other_shopper.profile)["preferred_contact_channel"]
    assert (fact.value, fact.source) == ("E-mail", Source.CONTACT)


@pytest.mark.django_db
def test_someone_elses_order_number_is_not_linked(shopper, other_shopper, order_numbered):
    order_numbered(shopper.profile, "100231")  # Alice's order, named in Bob's e-mail
    _, log = mail_import(raw=_mail("bob@example.com", "Broken lamp", ANGRY, "a@x"))

    contact_essence(log_id=log.pk)

    assert log.orders.count() == 0
    log.refresh_from_db()
    assert log.order_numbers == ["100231"]


@pytest.mark.django_db
def test_an_unmatched_contact_gets_an_essence_but_touches_no_profile(order_numbered, shopper):
    order_numbered(shopper.profile, "100231")
    _, log = mail_import(raw=_mail("nobody@example.net", "Broken lamp", ANGRY, "a@x"))

    contact_essence(log_id=log.pk)

    log.refresh_from_db()
    assert log.intent == Intent.RETURN_REFUND
    assert log.orders.count() == 0
    assert not Touchpoint.objects.filter(kind=Kind.CONTACT_LOGGED).exists()


@pytest.mark.django_db
def test_running_the_essence_again_writes_nothing_twice(shopper, alice_phone):
    log = call_log(number="+447700900123", notes="Asked where her parcel is.")
    for _ in range(3):
        contact_essence(log_id=log.pk)

    assert Touchpoint.objects.filter(kind=Kind.CONTACT_LOGGED).count() == 1
    assert shopper.profile.facts.filter(source=Source.CONTACT).count() == 1  # the channel


@pytest.mark.django_db
def test_the_customers_most_used_channel_becomes_their_preference(shopper):
    for n in range(2):
        contact_essence(
            log_id=call_log(profile=shopper.profile, notes=f"Call {n} about a delivery.").pk
        )
    _, mail = mail_import(raw=_mail("alice@example.com", "Hi", "Just a note.", "m@x"))
    contact_essence(log_id=mail.pk)

    assert known_facts(shopper.profile)["preferred_contact_channel"].value == "Phone"


@pytest.mark.django_db
def test_a_stated_preference_is_never_overridden(shopper):
    from profiles.services import learn

    learn(shopper.profile, "preferred_contact_channel", "Post", source=Source.QUESTION)
    contact_essence(log_id=call_log(profile=shopper.profile, notes="Call about a parcel.").pk)

    assert known_facts(shopper.profile)["preferred_contact_channel"].value == "Post"


@pytest.mark.django_db
def test_an_essence_for_a_deleted_log_does_nothing(shopper):
    log = call_log(profile=shopper.profile, notes="A call.")
    ContactLog.objects.filter(pk=log.pk).delete()
    assert contact_essence(log_id=log.pk) is None


def test_a_huge_message_is_read_only_as_far_as_a_person_writes():
    body = "Where is my parcel? " + "The tea was lovely and the cups were fine. " * 5000
    essence = essence_of(subject="", body=body, is_email=True)
    assert essence.intent == Intent.ORDER_STATUS
    assert len(essence.text) == 20_000


def test_a_quoted_thread_in_html_mail_is_dropped_too():
    from contacts.mail import html_to_text

    body = html_to_text(
        "<p>Hi,</p><p>My order has not arrived yet. Could you check where my parcel is?</p>"
        "<blockquote><p>Your order 100042 has been dispatched.</p></blockquote>"
    )
    essence = essence_of(subject="Where is my parcel?", body=body, is_email=True)
    assert "dispatched" not in essence.text
    assert essence.order_numbers == []
    assert essence.intent == Intent.ORDER_STATUS
