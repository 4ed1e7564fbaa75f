"""Who an item belongs to: a logged-in shopper is linked (verified); a guest's e-mail or
order number links unverified and teaches the profile nothing; spam is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import FeedbackItem, FeedbackKind, FeedbackTopic
from profiles.models import Kind, ProfileFact, Purpose, Source, Touchpoint
from profiles.selectors import current_values
from profiles.services import learn, set_consent
from tests.shop.factories import make_order

pytestmark = pytest.mark.django_db

URL = "/feedback/"
THANKS = "/feedback/thanks/"


def post(client, **data):
    data.setdefault("kind", FeedbackKind.WISH)
    data.setdefault("text", "I wish you offered gift wrapping at checkout, for birthdays.")
    data.setdefault("rating", "")
    return client.post(URL, data)


def feedback_touchpoints(profile):
    return Touchpoint.objects.filter(profile=profile, kind=Kind.FEEDBACK_GIVEN)


def test_the_form_is_linked_from_every_page(client):
    page = client.get("/").content.decode()
    assert 'href="/feedback/"' in page


def test_guest_is_asked_for_an_identifier(client):
    assert 'name="identifier"' in client.get(URL).content.decode()


def test_logged_in_shopper_is_not_asked_for_an_identifier(shopper_client):
    assert 'name="identifier"' not in shopper_client.get(URL).content.decode()


def test_logged_in_shopper_is_linked_verified_and_the_wish_teaches_interests(
    shopper_client, shopper
):
    response = post(shopper_client, text="I wish you sold loose leaf green tea in bigger tins.")
    assert response.status_code == 302
    assert response["Location"] == THANKS
    item = FeedbackItem.objects.get()
    assert (item.profile, item.link_verified, item.identifier) == (shopper.profile, True, "")
    assert "green tea" in item.topics
    assert set(FeedbackTopic.objects.values_list("topic", flat=True)) == set(item.topics)
    touchpoint = feedback_touchpoints(shopper.profile).get()
    assert touchpoint.ref_id == str(item.pk)
    fact = ProfileFact.objects.get(profile=shopper.profile, attribute__key="interests")
    assert fact.source == Source.FEEDBACK
    assert "green tea" in fact.value


def test_interests_grow_with_each_wish_and_keep_what_was_known(shopper):
    from tests.feedback.conftest import wish

    learn(shopper.profile, "interests", ["walking"], source=Source.CUSTOMER)
    wish(shopper.profile, text="Please add evening delivery slots on weekdays.")
    interests = current_values(shopper.profile, ["interests"])["interests"]
    assert "evening delivery" in " ".join(interests)
    assert "walking" in interests


def test_praise_gets_a_touchpoint_but_teaches_no_interest(shopper):
    from tests.feedback.conftest import wish

    wish(shopper.profile, kind=FeedbackKind.PRAISE, text="Lovely service and fast delivery.")
    assert feedback_touchpoints(shopper.profile).count() == 1
    assert not ProfileFact.objects.filter(attribute__key="interests").exists()


def test_no_interests_learned_without_profiling_consent(shopper):
    from tests.feedback.conftest import wish

    set_consent(shopper.profile, Purpose.PROFILING, granted=False, source=Source.CUSTOMER)
    wish(shopper.profile, text="I wish you sold loose leaf green tea.")
    assert feedback_touchpoints(shopper.profile).count() == 1
    assert not ProfileFact.objects.filter(attribute__key="interests").exists()


def test_guest_with_a_customers_email_links_unverified_and_writes_nothing(client, shopper):
    facts_before = ProfileFact.objects.filter(profile=shopper.profile).count()
    touchpoints_before = Touchpoint.objects.filter(profile=shopper.profile).count()
    response = post(client, identifier="ALICE@Example.com")
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.profile == shopper.profile
    assert item.link_verified is False
    assert item.link_state == "unverified"
    assert item.identifier == "ALICE@Example.com"
    # Anyone can type anyone's address: no fact, no touchpoint in alice's profile.
    assert ProfileFact.objects.filter(profile=shopper.profile).count() == facts_before
    assert Touchpoint.objects.filter(profile=shopper.profile).count() == touchpoints_before


def test_guest_with_someone_elses_email_cannot_plant_interests(client, shopper, other_shopper):
    post(client, identifier="bob@example.com", text="I wish you sold cigars and whisky.")
    item = FeedbackItem.objects.get()
    assert (item.profile, item.link_verified) == (other_shopper.profile, False)
    assert not ProfileFact.objects.filter(attribute__key="interests").exists()
    assert not feedback_touchpoints(other_shopper.profile).exists()


def test_guest_email_matches_a_current_email_fact(client, shopper):
    learn(shopper.profile, "email", "alice.work@example.org", source=Source.CUSTOMER)
    post(client, identifier="Alice.Work@example.org")
    assert FeedbackItem.objects.get().profile == shopper.profile


def test_an_address_two_customers_share_links_to_nobody(client, shopper, other_shopper):
    learn(other_shopper.profile, "email", shopper.email, source=Source.CUSTOMER)
    post(client, identifier=shopper.email)
    assert FeedbackItem.objects.get().profile is None


def test_guest_with_an_order_number_links_to_the_orders_customer(client, shopper):
    order = make_order(shopper.profile, at=timezone.now() - timedelta(days=2), lines=[])
    post(client, identifier=f" {order.number} ")
    item = FeedbackItem.objects.get()
    assert (item.profile, item.link_verified, item.identifier) == (
        shopper.profile,
        False,
        order.number,
    )


def test_guest_matching_nobody_is_kept_unlinked(client, shopper):
    post(client, identifier="stranger@elsewhere.example")
    item = FeedbackItem.objects.get()
    assert item.profile is None
    assert item.link_state == "guest"


def test_the_thank_you_page_is_the_same_whether_the_identifier_matched_or_not(client, shopper):
    matched = client.get(post(client, identifier="alice@example.com")["Location"])
    unmatched = client.get(post(client, identifier="nobody@elsewhere.example")["Location"])
    assert matched.status_code == unmatched.status_code == 200
    assert matched.content == unmatched.content
    assert "alice" not in matched.content.decode().lower()


def test_guest_without_an_identifier_gets_a_form_error(client):
    response = post(client, identifier="")
    assert response.status_code == 400
    assert "Please give your e-mail address or an order number" in response.content.decode()
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 4001, "Please keep your feedback to 4000 characters (it has 4001)."),
        (
            "Buy now http://a.example http://b.example http://c.example",
            "Please include at most 2 links",
        ),
        ("Great shop " + "!" * 40, "long runs of one character"),
        ("?? 12", "Please tell us a little more, in words."),
        ("", "Please write a few words."),
    ],
)
def test_spam_like_input_is_refused_with_a_clear_message(shopper_client, text, message):
    response = post(shopper_client, text=text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "complaint"},
        {"rating": "7"},
        {"rating": "five"},
        {"kind": ["wish", "idea"], "text": ["a", "b"]},
        {"text": "Null \x00 byte in the middle of a wish"},
    ],
)
def test_bad_input_is_a_400_never_a_500(shopper_client, data):
    response = post(shopper_client, **data)
    assert response.status_code == 400


def test_two_links_are_fine_and_a_rating_is_kept(shopper_client):
    text = "Like https://a.example and https://b.example: could you sell these teapots?"
    assert post(shopper_client, text=text, rating="4").status_code == 302
    assert FeedbackItem.objects.get().rating == 4


def test_staff_without_a_profile_count_as_guests(client, care_agent):
    client.force_login(care_agent)
    assert post(client, identifier="").status_code == 400
    assert post(client, identifier="care@example.com").status_code == 302
