"""Phone numbers as people write them, and calls matched to customers by them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Channel, Direction
from contacts.phones import normalise_phone
from contacts.selectors import profile_for_phone
from contacts.services import call_log, contact_attach, contact_essence
from profiles.models import Attribute, ProfileFact, Source
from profiles.selectors import known_facts
from profiles.services import learn
from tests.factories import make_shopper


@pytest.mark.parametrize(
    "written",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900 123",
        "(07700) 900-123",
        "+447700900123",
    ],
)
def test_every_way_of_writing_one_number_normalises_to_e164(written):
    assert normalise_phone(written) == "+447700900123"


def test_the_default_region_comes_from_settings(settings):
    settings.PHONE_DEFAULT_REGION = "IE"
    assert normalise_phone("085 123 4567") == "+353851234567"
    assert normalise_phone("+44 7700 900123") == "+447700900123"


@pytest.mark.parametrize("junk", ["", "hello", "12", "0" * 30, "+44 7700 900123 ext 1" * 5])
def test_what_is_not_a_number_normalises_to_nothing(junk):
    assert normalise_phone(junk) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored", ["07700 900123", "+44 7700 900123", "(07700) 900-123", "07700-900-123"]
)
def test_a_number_finds_the_customer_however_they_wrote_it(shopper, stored):
    learn(shopper.profile, "phone", stored, source=Source.PURCHASE, origin="o")
    other = make_shopper()
    learn(other.profile, "phone", "07700 900124", source=Source.PURCHASE, origin="o")

    assert profile_for_phone("+447700900123").profile == shopper.profile


@pytest.mark.django_db
def test_an_old_number_no_longer_finds_the_customer(shopper):
    learn(shopper.profile, "phone", "07700 900123", source=Source.PURCHASE, origin="o1")
    learn(shopper.profile, "phone", "07700 900999", source=Source.PURCHASE, origin="o2")

    match = profile_for_phone("+447700900123")

    assert match.profile is None
    assert match.reason == "no customer with this phone number"


@pytest.mark.django_db
def test_a_call_from_a_known_number_is_matched(shopper, alice_phone):
    log = call_log(number="+44 7700 900 123", notes="Asked about her parcel.", duration_seconds=90)

    assert log.profile == shopper.profile
    assert (log.channel, log.direction, log.counterpart) == (
        Channel.PHONE,
        Direction.IN,
        "+447700900123",
    )


@pytest.mark.django_db
def test_a_call_from_an_unknown_number_waits_unmatched(shopper):
    log = call_log(number="020 7946 0999", notes="Asked about the catalogue.")

    assert log.profile is None
    assert log.counterpart == "+442079460999"
    assert log.unmatched_reason == "no customer with this phone number"


@pytest.mark.django_db
def test_a_call_for_a_chosen_customer_teaches_a_new_number(shopper, care_agent):
    log = call_log(
        profile=shopper.profile, number="07700 900555", notes="Call.", logged_by=care_agent
    )
    contact_essence(log_id=log.pk)

    fact = known_facts(shopper.profile)["phone"]
    assert (fact.value, fact.source) == ("+447700900555", Source.CONTACT)


def _legacy_phone_fact(profile, written: str) -> ProfileFact:
    """A phone fact stored as typed, before facts were normalised when learned."""
    return ProfileFact.objects.create(
        profile=profile,
        attribute=Attribute.objects.get(key="phone"),
        value=written,
        source=Source.PURCHASE,
        observed_at=timezone.now(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("stored", ["07700 900123", "(07700) 900-123", "+44 7700 900 123"])
def test_a_number_stored_as_typed_still_finds_the_customer(shopper, stored):
    _legacy_phone_fact(shopper.profile, stored)

    assert profile_for_phone("+447700900123").profile == shopper.profile


@pytest.mark.django_db
def test_a_known_number_in_another_format_is_not_learned_again(shopper):
    _legacy_phone_fact(shopper.profile, "07700 900123")

    contact_essence(log_id=call_log(number="+447700900123", notes="Call.").pk)

    assert known_facts(shopper.profile)["phone"].value == "07700 900123"
    assert shopper.profile.facts.filter(attribute__key="phone").count() == 1


@pytest.mark.django_db
def test_attaching_an_unknown_number_teaches_it_so_the_next_call_finds_them(shopper, care_agent):
    first = call_log(number="020 7946 0999", notes="First call.")

    contact_attach(log=first, profile=shopper.profile, staff=care_agent)

    first.refresh_from_db()
    assert first.profile == shopper.profile and first.unmatched_reason == ""
    fact = known_facts(shopper.profile)["phone"]
    assert (fact.value, fact.source, fact.recorded_by) == (
        "+442079460999",
        Source.CONTACT,
        care_agent,
    )
    assert call_log(number="+44 20 7946 0999", notes="Second call.").profile == shopper.profile


@pytest.mark.django_db
def test_a_contact_of_one_customer_cannot_be_attached_to_another(shopper, other_shopper):
    log = call_log(profile=shopper.profile, notes="Call.")
    with pytest.raises(ValidationError, match="another customer"):
        contact_attach(log=log, profile=other_shopper.profile, staff=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "not a number"}, "is not a phone number"),
        ({}, "Give the customer or the phone number"),
        ({"number": "07700 900123", "duration_seconds": -1}, "between 0 seconds and a day"),
        ({"number": "07700 900123", "direction": "sideways"}, "Choose whether"),
    ],
)
def test_a_call_that_makes_no_sense_is_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        call_log(notes="x", **fields)
