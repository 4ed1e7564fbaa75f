"""The patient asker's policy, rule by rule, with time travel through `now`."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from profiles import asking, services
from profiles.models import (
    Attribute,
    Kind,
    Outcome,
    ProfileFact,
    ProfileQuestion,
    Purpose,
    QuestionAsk,
    Source,
    Touchpoint,
    trust_level_for,
)
from profiles.selectors import known_facts

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def q(key: str, *, priority: int, min_trust: int = 0, text: str = "") -> ProfileQuestion:
    return ProfileQuestion.objects.create(
        attribute=Attribute.objects.get(key=key),
        text=text or f"Tell us your {key}?",
        why_we_ask=f"Because of {key}.",
        min_trust=min_trust,
        priority=priority,
    )


@pytest.fixture
def bank(db):
    """A small bank of our own instead of the seeded one, so priorities are known."""
    ProfileQuestion.objects.update(active=False)
    return {
        "device": q("device", priority=50),
        "shopping_time": q("shopping_time", priority=40),
        "gift_buyer": q("gift_buyer", priority=30),
        "found_us_via": q("found_us_via", priority=20),
        "typical_basket": q("typical_basket", priority=10),
        "birthday_month": q("birthday_month", priority=100, min_trust=3),
    }


@pytest.fixture
def only(bank):
    """Leave just the named questions of the bank active."""

    def _only(*keys: str) -> None:
        for key, question in bank.items():
            ProfileQuestion.objects.filter(pk=question.pk).update(active=key in keys)

    return _only


@pytest.fixture
def profile(shopper):
    return shopper.profile


def visit(profile, when: datetime):
    services.visit_start(user_id=profile.user_id, now=when)
    profile.refresh_from_db()
    return profile


def ask(profile, when: datetime, page: str = "/me/"):
    return asking.next_question(profile, page=page, now=when)


# --- one question per visit -------------------------------------------------------


def test_a_first_visit_gets_the_highest_priority_question_it_may_ask(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    # birthday_month has the highest priority but needs trust 3
    assert first.question == bank["device"]
    assert (first.visit, first.asked_at, first.outcome) == (1, at(0, 1), Outcome.PENDING)


def test_every_ask_is_logged_and_on_the_timeline(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    tp = Touchpoint.objects.get(profile=profile, kind=Kind.QUESTION_ASKED)
    assert tp.occurred_at == at(0, 1) and tp.ref_id == str(first.pk)
    assert bank["device"].text in tp.summary


def test_the_pending_ask_is_shown_again_in_the_same_visit_and_nothing_new(profile, bank):
    visit(profile, at(0))
    first = ask(profile, at(0, 1))
    assert ask(profile, at(0, 5)) == first
    assert ask(profile, at(0, 20), page="/") == first
    assert QuestionAsk.objects.filter(profile=profile).count() == 1
    assert Touchpoint.objects.filter(profile=profile, kind=Kind.QUESTION_ASKED).count() == 1


@pytest.mark.parametrize(
    "close",
    [
        lambda p, a, t: asking.answer_question(profile=p, ask=a, value="Phone", now=t),
        lambda p, a, t: asking.skip_question(profile=p, ask=a, now=t),
        lambda p, a, t: asking.decline_question(profile=p, ask=a, now=t),
    ],
    ids=["answered", "skipped", "declined"],
)
def test_no_second_question_in_the_same_visit(profile, bank, close):
    visit(profile, at(0))
    close(profile, ask(profile, at(0, 1)), at(0, 2))
    assert ask(profile, at(0, 3)) is None
    assert ask(profile, at(0, 25), page="/") is None
    assert QuestionAsk.objects.filter(profile=profile).count() == 1


def test_the_next_visit_asks_the_next_question(profile, bank):
    visit(profile, at(0))
    asking.answer_question(profile=profile, ask=ask(profile, at(0, 1)), value="Phone", now=at(0, 2))
    second = ask(visit(profile, at(1)), at(1, 1))
    assert (second.question, second.visit) == (bank["shopping_time"], 2)


def test_two_asks_in_one_visit_are_refused_by_the_database(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionAsk.objects.create(
            profile=profile, question=bank["gift_buyer"], visit=first.visit, asked_at=at(0, 2)
        )


def test_a_page_racing_the_first_ask_of_a_visit_gets_that_ask(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    # What the loser of the race runs after its INSERT hits the unique constraint.
    assert asking._ask(profile, bank["gift_buyer"], at(0, 1)) == first
    assert QuestionAsk.objects.filter(profile=profile).count() == 1


def test_no_question_before_any_visit_started(profile, bank):
    assert profile.visit_started_at is None
    assert ask(profile, at(0)) is None


# --- at most three in a rolling week ------------------------------------------------


def test_at_most_three_questions_in_any_seven_days(profile, bank):
    for day in (0, 1, 2):
        visit(profile, at(day))
        asking.skip_question(profile=profile, ask=ask(profile, at(day, 1)), now=at(day, 2))
    assert ask(visit(profile, at(3)), at(3, 1)) is None
    assert ask(visit(profile, at(6, 23 * 60)), at(6, 23 * 60 + 1)) is None
    # a week after the first ask it has left the window
    fourth = ask(visit(profile, at(7, 2)), at(7, 3))
    assert fourth is not None
    assert ask(visit(profile, at(7, 60)), at(7, 61)) is None


# --- never what is known ------------------------------------------------------------


def test_never_asks_what_is_already_known(profile, bank, only):
    only("device", "shopping_time")
    services.learn(profile, "device", "Tablet", source=Source.SURVEY)
    assert ask(visit(profile, at(0)), at(0, 1)).question == bank["shopping_time"]
    services.learn(profile, "shopping_time", "Evenings", source=Source.PURCHASE)
    assert ask(visit(profile, at(1)), at(1, 1)) is None


def test_a_pending_question_learned_meanwhile_is_not_shown_again(profile, bank):
    visit(profile, at(0))
    assert ask(profile, at(0, 1)).question == bank["device"]
    services.learn(profile, "device", "Phone", source=Source.SURVEY)
    assert ask(profile, at(0, 2)) is None


# --- declined, skipped, left unanswered -------------------------------------------------


def test_a_declined_question_is_not_asked_again_within_90_days(profile, bank, only):
    only("device")
    visit(profile, at(0))
    first = ask(profile, at(0, 1))
    asking.decline_question(profile=profile, ask=first, now=at(0, 2))
    for day in (1, 30, 60, 89):
        assert ask(visit(profile, at(day)), at(day, 1)) is None
    again = ask(visit(profile, at(90, 3)), at(90, 3))
    assert again is not None and again.question == bank["device"]


def test_a_declined_question_does_not_block_the_others(profile, bank):
    visit(profile, at(0))
    asking.decline_question(profile=profile, ask=ask(profile, at(0, 1)), now=at(0, 2))
    assert ask(visit(profile, at(1)), at(1, 1)).question == bank["shopping_time"]


def test_declining_rests_the_attribute_not_just_the_wording(profile, bank, only):
    only("device")
    visit(profile, at(0))
    asking.decline_question(profile=profile, ask=ask(profile, at(0, 1)), now=at(0, 2))
    q("device", priority=60, text="Phone, tablet or computer?")
    assert ask(visit(profile, at(10)), at(10, 1)) is None


def test_a_skipped_question_rests_for_14_days(profile, bank, only):
    only("device")
    visit(profile, at(0))
    asking.skip_question(profile=profile, ask=ask(profile, at(0, 1)), now=at(0, 2))
    assert ask(visit(profile, at(13, 23 * 60)), at(13, 23 * 60)) is None
    assert ask(visit(profile, at(14, 3)), at(14, 3)).question == bank["device"]


def test_a_question_left_unanswered_rests_like_not_now(profile, bank, only):
    only("device", "shopping_time")
    visit(profile, at(0))
    assert ask(profile, at(0, 1)).question == bank["device"]
    # the shopper went away without touching the card
    assert ask(visit(profile, at(1)), at(1, 1)).question == bank["shopping_time"]
    only("device")
    assert ask(visit(profile, at(10)), at(10, 1)) is None
    assert ask(visit(profile, at(15)), at(15, 1)).question == bank["device"]


# --- trust -----------------------------------------------------------------------------


def test_never_a_question_above_the_trust_level(profile, bank, only):
    only("birthday_month")
    for day in range(4):
        visit(profile, at(day))
        assert profile.trust_level < 3
        assert ask(profile, at(day, 1)) is None
    # a fifth visit a month after the first: 2 steps for visits, 1 for time
    visit(profile, at(30))
    assert profile.trust_level == 3
    assert ask(profile, at(30, 1)).question == bank["birthday_month"]


def test_once_trusted_the_higher_priority_personal_question_comes_first(profile, bank):
    visit(profile, at(0))
    for n in range(3):
        services.record_touchpoint(
            profile, Kind.ORDER_PLACED, occurred_at=at(0, 5 + n), origin=f"order:{n}"
        )
    visit(profile, at(1))
    assert profile.trust_level == 3  # 2 visits, 3 orders
    assert ask(profile, at(1, 1)).question == bank["birthday_month"]


@pytest.mark.parametrize(
    ("visits", "orders", "days", "level"),
    [
        (1, 0, 0, 0),  # a first visit
        (1, 0, 400, 0),  # staying away earns nothing
        (2, 0, 0, 1),
        (2, 0, 400, 2),  # time gives no more steps than visits
        (4, 0, 29, 1),
        (5, 0, 0, 2),
        (5, 0, 30, 3),
        (1, 1, 0, 1),  # an order on the first visit
        (2, 1, 30, 3),
        (2, 3, 0, 3),
        (10, 0, 0, 3),
        (10, 0, 90, 5),
        (10, 3, 90, 5),  # never above 5
        (0, 0, 0, 0),
    ],
)
def test_trust_grows_with_visits_orders_and_time(visits, orders, days, level):
    assert trust_level_for(visits=visits, orders=orders, days_known=days) == level


def test_trust_is_recomputed_as_a_visit_starts(profile):
    visit(profile, at(0))
    assert profile.trust_level == 0
    services.record_touchpoint(profile, Kind.ORDER_PLACED, occurred_at=at(0, 5), origin="o:1")
    profile.refresh_from_db()
    assert profile.trust_level == 0  # not until the next visit
    visit(profile, at(1))
    assert (profile.trust_level, profile.visit_started_at) == (2, at(1))


def test_orders_after_now_do_not_count_towards_trust(profile):
    services.record_touchpoint(profile, Kind.ORDER_PLACED, occurred_at=at(5), origin="o:1")
    visit(profile, at(0))
    assert profile.trust_level == 0


# --- pages and consent -------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["checkout", "/shop/checkout/", "/shop/checkout/?step=2", "https://testserver/shop/checkout/"],
)
def test_never_during_checkout(profile, bank, page):
    visit(profile, at(0))
    assert ask(profile, at(0, 1), page=page) is None
    assert not QuestionAsk.objects.exists()
    # nor does the pending question follow the shopper into checkout
    assert ask(profile, at(0, 2), page="/") is not None
    assert ask(profile, at(0, 3), page=page) is None


def test_never_when_profiling_consent_is_withdrawn(profile, bank):
    visit(profile, at(0))
    first = ask(profile, at(0, 1))
    services.set_consent(profile, Purpose.PROFILING, granted=False, source=Source.CUSTOMER)
    assert ask(profile, at(0, 2)) is None
    assert ask(visit(profile, at(1)), at(1, 1)) is None
    with pytest.raises(ValidationError, match="switched off"):
        asking.answer_question(profile=profile, ask=first, value="Phone", now=at(1, 2))
    assert "device" not in known_facts(profile)


def test_sensitive_attributes_are_never_asked(profile, bank, only):
    only()
    sensitive = q("dietary_needs", priority=999)
    assert ask(visit(profile, at(0)), at(0, 1)) is None
    with pytest.raises(ValidationError, match="Sensitive"):
        sensitive.full_clean()


def test_inactive_questions_and_attributes_are_not_asked(profile, bank, only):
    only("device", "shopping_time")
    Attribute.objects.filter(key="device").update(active=False)
    ProfileQuestion.objects.filter(pk=bank["shopping_time"].pk).update(active=False)
    assert ask(visit(profile, at(0)), at(0, 1)) is None


# --- answers, skips and declines ---------------------------------------------------------


def test_an_answer_becomes_a_fact_from_the_question(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    before = profile.completeness
    fact = asking.answer_question(profile=profile, ask=first, value="Tablet", now=at(0, 2))
    first.refresh_from_db()
    assert (first.outcome, first.answered_at) == (Outcome.ANSWERED, at(0, 2))
    assert (fact.value, fact.source, fact.observed_at) == ("Tablet", Source.QUESTION, at(0, 2))
    assert (fact.ref_id, fact.ref_label) == (str(first.pk), "asked on visit 1")
    assert known_facts(profile)["device"] == fact
    assert profile.completeness > before
    kinds = set(Touchpoint.objects.filter(profile=profile).values_list("kind", flat=True))
    assert {Kind.QUESTION_ASKED, Kind.QUESTION_ANSWERED} <= kinds


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("gift_buyer", True, True),
        ("gift_buyer", False, False),
        ("favourite_brands", [" Acme ", "Zeta", "Acme"], ["Acme", "Zeta"]),
        ("shopping_time", "Evenings", "Evenings"),
    ],
)
def test_answers_are_cleaned_for_their_attribute(profile, bank, only, key, value, stored):
    if key not in bank:
        bank[key] = q(key, priority=5)
    only(key)
    first = ask(visit(profile, at(0)), at(0, 1))
    asking.answer_question(profile=profile, ask=first, value=value, now=at(0, 2))
    assert known_facts(profile)[key].value == stored


def test_several_choices_must_all_be_offered(profile, bank, only):
    Attribute.objects.create(
        key="pets",
        label="Pets",
        category="interest",
        value_kind="multi_choice",
        choices=["Cat", "Dog", "Fish"],
    )
    only()
    q("pets", priority=1)
    first = ask(visit(profile, at(0)), at(0, 1))
    with pytest.raises(ValidationError, match="not one of the choices"):
        asking.answer_question(profile=profile, ask=first, value=["Cat", "Dragon"], now=at(0, 2))
    asking.answer_question(profile=profile, ask=first, value=["Cat", "Dog"], now=at(0, 3))
    assert known_facts(profile)["pets"].value == ["Cat", "Dog"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Typewriter", "not one of the choices"),
        ("", "no value"),
        ("x" * 501, "at most 500"),
        ({"a": 1}, "expected text"),
        (True, "expected text"),
    ],
)
def test_an_answer_that_does_not_fit_stores_nothing(profile, bank, value, message):
    first = ask(visit(profile, at(0)), at(0, 1))
    with pytest.raises(ValidationError, match=message):
        asking.answer_question(profile=profile, ask=first, value=value, now=at(0, 2))
    first.refresh_from_db()
    assert first.outcome == Outcome.PENDING and "device" not in known_facts(profile)
    assert not Touchpoint.objects.filter(kind=Kind.QUESTION_ANSWERED).exists()


def test_a_double_answer_is_refused_and_stored_once(profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    asking.answer_question(profile=profile, ask=first, value="Tablet", now=at(0, 2))
    stale = QuestionAsk.objects.select_related("question__attribute").get(pk=first.pk)
    stale.outcome = Outcome.PENDING  # as a second request read it before the first committed
    with pytest.raises(asking.AskClosed, match="answered that question already"):
        asking.answer_question(profile=profile, ask=stale, value="Phone", now=at(0, 3))
    assert known_facts(profile)["device"].value == "Tablet"
    assert ProfileFact.objects.filter(profile=profile, source=Source.QUESTION).count() == 1
    assert Touchpoint.objects.filter(kind=Kind.QUESTION_ANSWERED).count() == 1


@pytest.mark.parametrize(
    ("close", "outcome", "kind"),
    [
        (asking.skip_question, Outcome.SKIPPED, Kind.QUESTION_SKIPPED),
        (asking.decline_question, Outcome.DECLINED, Kind.QUESTION_DECLINED),
    ],
)
def test_skips_and_declines_are_logged_and_on_the_timeline(profile, bank, close, outcome, kind):
    first = ask(visit(profile, at(0)), at(0, 1))
    close(profile=profile, ask=first, now=at(0, 2))
    first.refresh_from_db()
    assert (first.outcome, first.answered_at) == (outcome, at(0, 2))
    assert Touchpoint.objects.get(profile=profile, kind=kind).occurred_at == at(0, 2)
    with pytest.raises(asking.AskClosed):
        close(profile=profile, ask=first, now=at(0, 3))
    with pytest.raises(asking.AskClosed):
        asking.answer_question(profile=profile, ask=first, value="Phone", now=at(0, 4))
    assert Touchpoint.objects.filter(profile=profile, kind=kind).count() == 1
    assert "device" not in known_facts(profile)


def test_another_customers_ask_cannot_be_answered(profile, other_shopper, bank):
    theirs = ask(visit(other_shopper.profile, at(0)), at(0, 1))
    visit(profile, at(0))
    for act in (
        lambda: asking.answer_question(profile=profile, ask=theirs, value="Phone", now=at(0, 2)),
        lambda: asking.skip_question(profile=profile, ask=theirs, now=at(0, 2)),
        lambda: asking.decline_question(profile=profile, ask=theirs, now=at(0, 2)),
    ):
        with pytest.raises(QuestionAsk.DoesNotExist):
            act()
    theirs.refresh_from_db()
    assert theirs.outcome == Outcome.PENDING
    assert not ProfileFact.objects.filter(source=Source.QUESTION).exists()


# --- the seeded bank -----------------------------------------------------------------


def test_the_seeded_bank_asks_habits_first_and_the_birthday_only_with_trust():
    bank = {question.attribute.key: question for question in ProfileQuestion.objects.all()}
    assert len(bank) >= 12
    assert {"found_us_via", "device", "delivery_preference", "favourite_brands"} <= set(bank)
    assert bank["birthday_month"].min_trust >= 3
    assert all(question.why_we_ask for question in bank.values())
    for question in bank.values():
        question.full_clean()  # no sensitive attribute among them
        if question.attribute.sensitivity != "basic":
            assert question.min_trust >= 3


# --- the admin -----------------------------------------------------------------------


def test_staff_edit_the_bank_in_the_admin_but_never_with_a_sensitive_attribute(client, superuser):
    client.force_login(superuser)
    listing = client.get("/admin/profiles/profilequestion/")
    assert listing.status_code == 200 and "How did you first hear about our shop?" in (
        listing.content.decode()
    )
    question = ProfileQuestion.objects.get(attribute__key="device")
    form = {
        "attribute": question.attribute_id,
        "text": "Phone, tablet or computer?",
        "why_we_ask": "So the shop fits your screen.",
        "min_trust": 1,
        "priority": 95,
        "active": "on",
    }
    url = f"/admin/profiles/profilequestion/{question.pk}/change/"
    assert client.post(url, form).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.min_trust, question.priority) == (
        "Phone, tablet or computer?",
        1,
        95,
    )
    dietary = Attribute.objects.get(key="dietary_needs")
    refused = client.post(url, {**form, "attribute": dietary.pk})
    assert refused.status_code == 200 and "Sensitive attributes are never asked" in (
        refused.content.decode()
    )
    too_trusting = client.post(url, {**form, "min_trust": 6})
    assert "less than or equal to 5" in too_trusting.content.decode()
    question.refresh_from_db()
    assert question.attribute.key == "device" and question.min_trust == 1


def test_the_ask_log_is_read_only_in_the_admin(client, superuser, profile, bank):
    first = ask(visit(profile, at(0)), at(0, 1))
    client.force_login(superuser)
    assert client.get("/admin/profiles/questionask/").status_code == 200
    assert client.get("/admin/profiles/questionask/add/").status_code == 403
    url = f"/admin/profiles/questionask/{first.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    client.post(url, {"outcome": Outcome.ANSWERED})
    first.refresh_from_db()
    assert first.outcome == Outcome.PENDING
    assert client.post(f"/admin/profiles/questionask/{first.pk}/delete/").status_code == 403
    profile_page = client.get(f"/admin/profiles/customerprofile/{profile.pk}/change/")
    assert "Questions asked" in profile_page.content.decode()
