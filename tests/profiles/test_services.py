from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles import services
from profiles.models import Consent, Kind, ProfileFact, Purpose, Source, Touchpoint
from profiles.selectors import current_consents, facts_by_category, known_facts, timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(shopper):
    return shopper.profile


def test_learn_records_value_with_its_provenance(profile, shopper):
    fact = services.learn(profile, "postal_city", "  Leeds ", source=Source.PURCHASE, ref=shopper)
    assert (fact.value, fact.source, fact.is_current) == ("Leeds", Source.PURCHASE, True)
    assert (fact.ref_type.model, fact.ref_id, fact.ref_label) == ("user", str(shopper.pk), "alice")
    assert known_facts(profile)["postal_city"] == fact


def test_new_value_supersedes_and_history_stays(profile):
    first = services.learn(profile, "postal_city", "Leeds", source=Source.PURCHASE, origin="o:1")
    second = services.learn(profile, "postal_city", "York", source=Source.PURCHASE, origin="o:2")
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at is not None
    assert second.is_current
    assert known_facts(profile)["postal_city"].value == "York"
    assert ProfileFact.objects.filter(profile=profile, attribute__key="postal_city").count() == 2


def test_repeated_write_from_the_same_origin_is_a_no_op(profile):
    first = services.learn(profile, "postal_city", "Leeds", source=Source.PURCHASE, origin="o:1")
    again = services.learn(profile, "postal_city", "Hull", source=Source.PURCHASE, origin="o:1")
    assert again.pk == first.pk
    assert known_facts(profile)["postal_city"].value == "Leeds"


def test_same_value_as_current_keeps_the_current_fact(profile):
    first = services.learn(profile, "device", "Phone", source=Source.SURVEY, origin="s:1")
    again = services.learn(profile, "device", "Phone", source=Source.QUESTION, origin="q:9")
    assert again.pk == first.pk


def test_database_allows_only_one_current_value(profile):
    fact = services.learn(profile, "postal_city", "Leeds", source=Source.PURCHASE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileFact.objects.create(
            profile=profile,
            attribute=fact.attribute,
            value="York",
            source=Source.STAFF,
            observed_at=fact.observed_at,
            is_current=True,
        )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("device", "Typewriter", "not one of the choices"),
        ("gift_buyer", "maybe", "yes or no"),
        ("postal_city", "", "no value"),
        ("postal_city", "x" * 501, "at most 500"),
        ("postal_city", {"a": 1}, "expected text"),
    ],
)
def test_learn_refuses_values_that_do_not_fit_the_attribute(profile, key, value, message):
    with pytest.raises(ValidationError, match=message):
        services.learn(profile, key, value, source=Source.STAFF)
    assert key not in known_facts(profile)


def test_list_values_are_cleaned_and_deduplicated(profile):
    fact = services.learn(
        profile, "favourite_brands", ["Acme", " acme", "Acme", "Zenith"], source=Source.PURCHASE
    )
    assert fact.value == ["Acme", "acme", "Zenith"]
    assert fact.display_value == "Acme, acme, Zenith"


def test_completeness_counts_known_non_sensitive_attributes(profile):
    before = profile.completeness
    services.learn(profile, "postal_city", "Leeds", source=Source.PURCHASE)
    after = profile.completeness
    services.learn(profile, "dietary_needs", "Vegan", source=Source.CUSTOMER)
    profile.refresh_from_db()
    assert 0 < before < after == profile.completeness


def test_touchpoint_from_the_same_origin_is_recorded_once(profile, shopper):
    one = services.record_touchpoint(
        profile, Kind.ORDER_PLACED, ref=shopper, summary="Order 1", amount=Decimal("12.50")
    )
    two = services.record_touchpoint(profile, Kind.ORDER_PLACED, ref=shopper, summary="again")
    assert one.pk == two.pk
    assert one.amount == Decimal("12.50")
    assert Touchpoint.objects.filter(profile=profile, kind=Kind.ORDER_PLACED).count() == 1


def test_touchpoints_without_origin_are_all_kept_newest_first(profile):
    services.record_touchpoint(profile, Kind.VISIT, summary="first")
    services.record_touchpoint(profile, Kind.VISIT, summary="second")
    summaries = [t.summary for t in timeline(profile) if t.kind == Kind.VISIT]
    assert summaries == ["second", "first"]


def test_latest_consent_row_wins_and_repeats_write_nothing(profile):
    assert services.has_consent(profile, Purpose.MARKETING_EMAIL) is False
    services.set_consent(profile, Purpose.MARKETING_EMAIL, granted=True, source=Source.CUSTOMER)
    services.set_consent(profile, Purpose.MARKETING_EMAIL, granted=True, source=Source.CUSTOMER)
    assert services.has_consent(profile, Purpose.MARKETING_EMAIL) is True
    services.set_consent(profile, Purpose.MARKETING_EMAIL, granted=False, source=Source.CUSTOMER)
    assert services.has_consent(profile, Purpose.MARKETING_EMAIL) is False
    rows = Consent.objects.filter(profile=profile, purpose=Purpose.MARKETING_EMAIL)
    assert [row.granted for row in rows] == [False, True, False]
    assert Touchpoint.objects.filter(profile=profile, kind=Kind.CONSENT_CHANGED).count() == 2


def test_consent_rows_carry_policy_version_and_address(profile, settings):
    consent = services.set_consent(
        profile, Purpose.DIRECT_MAIL, granted=True, source=Source.CUSTOMER, ip_address="10.1.2.3"
    )
    assert consent.policy_version == settings.PRIVACY_POLICY_VERSION
    assert consent.ip_address == "10.1.2.3"


def test_current_consents_lists_every_purpose(profile):
    states = {state.purpose: state.granted for state in current_consents(profile)}
    assert set(states) == set(Purpose.values)


def test_facts_are_grouped_by_category_in_catalogue_order(profile):
    services.learn(profile, "device", "Phone", source=Source.QUESTION)
    groups = facts_by_category(profile)
    assert [g.category for g in groups] == ["identity", "contact", "web_usage"]
    assert [f.attribute.key for f in groups[0].facts] == ["full_name", "user_id"]


def test_visit_start_counts_visits_and_keeps_first_seen(shopper):
    first = timezone.now()
    assert services.visit_start(user_id=shopper.pk, now=first)
    services.visit_start(user_id=shopper.pk, now=first + timezone.timedelta(hours=1))
    shopper.profile.refresh_from_db()
    assert shopper.profile.visit_count == 2
    assert shopper.profile.first_seen == first
    assert shopper.profile.last_seen == first + timezone.timedelta(hours=1)


def test_visit_start_ignores_accounts_without_profile(care_agent):
    assert services.visit_start(user_id=care_agent.pk, now=timezone.now()) is False
